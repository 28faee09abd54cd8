"""Benchmark: conformance (alignments on distinct variants, cached per model) cold and warm, vs plain pm4py.

    python bench/conformance.py                                   # both inputs, defaults below
    python bench/conformance.py --journeys 0 --bpic-cases 0       # full inputs (hours: see --pm4py-limit)
    python bench/conformance.py --inputs sample --journeys 10000 --timeout 5 --pm4py-limit 300

Inputs:
  sample: a working copy of --store (journeys and mining tables built), journey_type 'order', checked against
          the designed order model (data/sample/models/models.yaml). --journeys N takes a seeded random sample
          of N order journeys (0 = all ~400k; their ~200k distinct variants take about half an hour to align).
          The rest are relabelled 'order (not sampled)' in the copy, so conformance_tables does not see them.
  bpic:   BPIC 2019, one trace per variant (cxmining.eventlog.imported.import_log + mining_tables). Model: pm4py's
          Inductive Miner (noise 0.2) on the variants of the whole log (cxmining.mining.pm4py_bridge.discovered_model), written
          to PNML; --bpic-cases N then keeps a seeded random sample of N cases (each case is its own variant).

Runs, each in its own subprocess reporting its own time and peak RSS (VmHWM):
  cold:  empty alignment_cache, all in-scope journeys except those starting on the last day of the data
         (held back: relabelled 'order (held back)' for sample; deleted from imported_events and re-mined for bpic).
  warm:  the held-back day added back (relabelled / re-inserted and mining_tables rerun, which is timed apart),
         then the same call: only variants the cache lacks are aligned. This is the nightly run.
  pm4py: pm4py.conformance_diagnostics_alignments on a DataFrame of the same journeys (all days) and the same
         net, pm4py's defaults (no per-trace time limit); killed after --pm4py-limit seconds, then reported as
         "> limit". Reading the DataFrame from DuckDB is timed apart and not counted.
Precision (conformance_tables(with_precision=True), what model_conformance does) replays every distinct
prefix on every run, cached or not; it is off unless --precision, so the seconds are those of the alignments.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
SAMPLE_TYPE, NOT_SAMPLED, HELD_BACK = "order", "order (not sampled)", "order (held back)"

PEAK = 'int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024'

CONFORMANCE_SIDE = f"""
import json, sys, time
from pathlib import Path
from cxmining.mining import pm4py_bridge as pm
from cxmining.conformance.checking import conformance_tables
from cxmining.conformance.designed import designed_models
db, model, journey_type, method, timeout, precision = sys.argv[1:7]
if model.endswith(".yaml"):
    designed = designed_models(Path(model))["order"]
    net, im, fm, model_hash = designed.net, designed.initial_marking, designed.final_marking, designed.sha256
else:
    net, im, fm = pm.accepting_net(Path(model))
    model_hash = sys.argv[7]
t0 = time.perf_counter()
r = conformance_tables(db, net, im, fm, model_hash, method, float(timeout), journey_type or None, precision == "1")
seconds = time.perf_counter() - t0
print(json.dumps({{"seconds": seconds, "peak_mib": {PEAK}, "journeys": r.journeys, "variants": r.variants,
                  "computed": r.computed_variants, "cached": r.cached_variants, "timed_out": r.timed_out_variants,
                  "fitness": r.fitness, "log_fitness": r.log_fitness}}))
"""

PM4PY_SIDE = f"""
import json, sys, time
from pathlib import Path
import duckdb
from cxmining.mining import pm4py_bridge as pm  # imports pm4py quietly (no banner from __main__)
import pm4py
from cxmining.conformance.designed import designed_models
db, model, query = sys.argv[1:4]
if model.endswith(".yaml"):
    designed = designed_models(Path(model))["order"]
    net, im, fm = designed.net, designed.initial_marking, designed.final_marking
else:
    net, im, fm = pm.accepting_net(Path(model))
t0 = time.perf_counter()
with duckdb.connect(db, read_only=True) as con:
    log = con.execute(query).df()
load_seconds = time.perf_counter() - t0
print(json.dumps({{"loaded": len(log), "cases": int(log["case:concept:name"].nunique()), "load_seconds": load_seconds}}),
      flush=True)
t0 = time.perf_counter()
log = pm.formatted(log)
aligned = pm4py.conformance_diagnostics_alignments(log, net, im, fm, activity_key="concept:name",
                                                    timestamp_key="time:timestamp", case_id_key="case:concept:name")
seconds = time.perf_counter() - t0
fitness = sum(a["fitness"] for a in aligned) / len(aligned)
print(json.dumps({{"seconds": seconds, "load_seconds": load_seconds, "peak_mib": {PEAK}, "journeys": len(aligned),
                  "fitness": fitness}}))
"""

SAMPLE_EVENTS = """
SELECT e."case:concept:name", e."concept:name", e."time:timestamp"
FROM journey_events AS e JOIN journeys AS j ON j.journey_id = e."case:concept:name"
WHERE j.journey_type = 'order'
ORDER BY e."case:concept:name", e.event_order
"""
BPIC_EVENTS = """
SELECT "case:concept:name", "concept:name", "time:timestamp" FROM journey_events
ORDER BY "case:concept:name", event_order
"""


def side(code: str, *args: str, limit: float | None = None) -> dict:
    """Run one side in a fresh interpreter; its last JSON line, or {'killed': limit} when it ran out of time."""
    try:
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=HERE.parent,
                              timeout=limit)
    except subprocess.TimeoutExpired as expired:
        first = (expired.stdout or b"").decode() if isinstance(expired.stdout, bytes) else (expired.stdout or "")
        found = json.loads(first.strip().splitlines()[0]) if first.strip() else {}
        return {**found, "killed": limit}
    if done.returncode != 0:
        raise SystemExit(f"benchmark side failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sample_store(store: Path, work: Path, journeys: int, seed: int) -> tuple[Path, dict]:
    """A fresh working copy of the store with the sample of order journeys in scope and the last day held back."""
    work.mkdir(parents=True, exist_ok=True)
    db = work / "sample.duckdb"
    db.unlink(missing_ok=True)
    shutil.copyfile(store, db)
    with duckdb.connect(str(db)) as con:
        con.execute("DROP TABLE IF EXISTS alignment_cache")  # cold means cold
        if journeys:
            con.execute(
                "UPDATE journeys SET journey_type = $other WHERE journey_type = 'order' AND journey_id NOT IN "
                "(SELECT journey_id FROM journeys WHERE journey_type = 'order' ORDER BY hash(journey_id || $seed) LIMIT $n)",
                {"other": NOT_SAMPLED, "seed": str(seed), "n": journeys})
        last_day = con.execute("SELECT CAST(max(start_ts) AS DATE) FROM journeys WHERE journey_type = 'order'").fetchall()[0][0]
        con.execute("UPDATE journeys SET journey_type = $held WHERE journey_type = 'order' AND CAST(start_ts AS DATE) = $day",
                    {"held": HELD_BACK, "day": last_day})
        held = con.execute("SELECT count(*) FROM journeys WHERE journey_type = $held", {"held": HELD_BACK}).fetchall()[0][0]
        in_scope = con.execute("SELECT count(*) FROM journeys WHERE journey_type = 'order'").fetchall()[0][0]
    return db, {"last_day": str(last_day), "held_back": held, "cold_journeys": in_scope}


def bpic_store(log: Path, work: Path, cases: int, seed: int) -> tuple[Path, Path, str, dict]:
    """A store of the BPIC log sample with the last day held back, the PNML of the model discovered on the whole log."""
    from cxmining.eventlog.imported import import_log
    from cxmining.mining import pm4py_bridge as pm
    from cxmining.mining.discovery import stored_variants
    from cxmining.mining.statistics import mining_tables

    work.mkdir(parents=True, exist_ok=True)
    db = work / "bpic.duckdb"
    db.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with duckdb.connect(str(db)) as con:
        imported = import_log(log, con)
        mining_tables(con)
        model = pm.discovered_model(stored_variants(con), noise=0.2)
        pnml = pm.model_files(model, work / "bpic_model")["pnml"]
        if cases:
            con.execute(
                "DELETE FROM imported_events WHERE case_id NOT IN (SELECT DISTINCT case_id FROM imported_events "
                "ORDER BY hash(case_id || $seed) LIMIT $n)", {"seed": str(seed), "n": cases})
        # first events of a case on the last day of the (sampled) data: the held-back "new day"
        con.execute("CREATE TABLE held_back AS SELECT * FROM imported_events WHERE case_id IN ("
                    "SELECT case_id FROM imported_events GROUP BY case_id "
                    "HAVING CAST(min(ts) AS DATE) = (SELECT CAST(max(m) AS DATE) FROM "
                    "(SELECT min(ts) AS m FROM imported_events GROUP BY case_id)))")
        con.execute("DELETE FROM imported_events WHERE case_id IN (SELECT case_id FROM held_back)")
        mining_tables(con)
        held = con.execute("SELECT count(DISTINCT case_id), CAST(min(ts) AS DATE) FROM held_back").fetchall()[0]
        in_scope = con.execute("SELECT count(DISTINCT case_id) FROM imported_events").fetchall()[0][0]
    digest = hashlib.sha256(pnml.read_bytes()).hexdigest()
    return db, pnml, digest, {"imported_cases": imported.cases, "held_back": held[0], "last_day": str(held[1]),
                              "cold_journeys": in_scope, "prepare_seconds": time.perf_counter() - t0}


def restore_sample(db: Path) -> float:
    """Put the held-back day back in scope; seconds taken."""
    t0 = time.perf_counter()
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE journeys SET journey_type = 'order' WHERE journey_type = $held", {"held": HELD_BACK})
    return time.perf_counter() - t0


def restore_bpic(db: Path) -> float:
    """Re-insert the held-back day and rebuild the mining tables (the nightly mining step); seconds taken."""
    from cxmining.mining.statistics import mining_tables

    t0 = time.perf_counter()
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO imported_events SELECT * FROM held_back")
        mining_tables(con)
    return time.perf_counter() - t0


def runs(db: Path, model: str, journey_type: str, args: argparse.Namespace, restore, query: str,
         model_hash: str = "") -> list[tuple[str, dict]]:
    """Cold, warm (after `restore`) and pm4py for one input."""
    flags = [str(db), model, journey_type, args.method, str(args.timeout), "1" if args.precision else "0", model_hash]
    cold = side(CONFORMANCE_SIDE, *flags)
    restored = restore(db)
    warm = side(CONFORMANCE_SIDE, *flags)
    warm["note"] = f"+{restored:.1f} s to add the day back, not counted"
    theirs = side(PM4PY_SIDE, str(db), model, query, limit=args.pm4py_limit) if args.pm4py_limit > 0 else {"killed": 0}
    return [("cold", cold), ("warm", warm), ("pm4py", theirs)]


def table(rows: list[tuple[str, str, dict]]) -> None:
    """Print the results, with the speed-up of each run over plain pm4py on the same input."""
    print(f"{'input':7} {'run':6} {'seconds':>9} {'journeys':>9} {'variants':>8} {'aligned':>8} {'cached':>7} "
          f"{'timedout':>8} {'peakMiB':>8} {'vs pm4py':>9}")
    pm4py_of = {name: r for name, run, r in rows if run == "pm4py"}
    for name, run, r in rows:
        theirs = pm4py_of[name]
        if run == "pm4py":
            secs = f"> {r['killed']:.0f}" if "killed" in r else f"{r['seconds']:.1f}"
            journeys = r.get("journeys", r.get("cases", "?"))
            print(f"{name:7} {run:6} {secs:>9} {journeys:>9} {'':>8} {'':>8} {'':>7} {'':>8} "
                  f"{r.get('peak_mib', float('nan')):>8.0f} {'':>9}  load {r.get('load_seconds', float('nan')):.1f} s not counted")
            continue
        ratio = (f">{theirs['killed'] / r['seconds']:.1f}x" if "killed" in theirs else f"{theirs['seconds'] / r['seconds']:.1f}x")
        if theirs.get("killed") == 0:
            ratio = "n/a"
        print(f"{name:7} {run:6} {r['seconds']:>9.1f} {r['journeys']:>9} {r['variants']:>8} {r['computed']:>8} "
              f"{r['cached']:>7} {r['timed_out']:>8} {r['peak_mib']:>8.0f} {ratio:>9}  fitness {r['fitness']}"
              + (f"  ({r['note']})" if "note" in r else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", default="sample,bpic", help="comma-separated: sample, bpic")
    parser.add_argument("--store", type=Path, default=Path("/tmp/bench-store/store.duckdb"))
    parser.add_argument("--bpic", type=Path,
                        default=Path("/work/shared/data/real/bpic2019-variants/16_bpic2019_1t_per_variant.xes.gz"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/cxmining-bench-conformance"))
    parser.add_argument("--journeys", type=int, default=20000, help="random sample of order journeys (0 = all)")
    parser.add_argument("--bpic-cases", type=int, default=500, help="random sample of BPIC cases/variants (0 = all)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--timeout", type=float, default=5.0, help="per-variant alignment time limit, seconds")
    parser.add_argument("--method", choices=("alignments", "token_replay"), default="alignments")
    parser.add_argument("--precision", action="store_true", help="also compute precision (as model_conformance does)")
    parser.add_argument("--pm4py-limit", type=float, default=600, help="kill plain pm4py after this many seconds (0 = skip)")
    args = parser.parse_args()

    uptime = Path("/proc/loadavg").read_text().split()[:3]
    print(f"load average at start: {' '.join(uptime)} (2 cores); method {args.method}, timeout {args.timeout} s, "
          f"precision {'on' if args.precision else 'off'}, seed {args.seed}")
    rows: list[tuple[str, str, dict]] = []
    chosen = args.inputs.split(",")
    if "sample" in chosen:
        db, info = sample_store(args.store, args.work, args.journeys, args.seed)
        scope = f"{args.journeys:,} sampled" if args.journeys else "all"
        print(f"sample: {scope} order journeys; {info['held_back']} start on the last day {info['last_day']} "
              f"(held back for the cold run of {info['cold_journeys']})")
        model = str(HERE.parent / "data/sample/models/models.yaml")
        rows += [("sample", run, r) for run, r in runs(db, model, SAMPLE_TYPE, args, restore_sample, SAMPLE_EVENTS)]
    if "bpic" in chosen:
        db, pnml, digest, info = bpic_store(args.bpic, args.work, args.bpic_cases, args.seed)
        scope = f"{args.bpic_cases:,} sampled" if args.bpic_cases else "all"
        print(f"bpic: {info['imported_cases']:,} cases imported, model IMf 0.2 on all their variants, {scope} cases "
              f"checked; {info['held_back']} start on the last day {info['last_day']} (held back for the cold run of "
              f"{info['cold_journeys']}); prepared in {info['prepare_seconds']:.1f} s")
        rows += [("bpic", run, r) for run, r in runs(db, str(pnml), "", args, restore_bpic, BPIC_EVENTS, digest)]
    print(f"load average at end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    table(rows)


if __name__ == "__main__":
    main()
