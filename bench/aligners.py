"""Benchmark: r4pm's Rust alignments (cxmining's default) against pm4py's, on real logs and the sample, one run.

    python bench/aligners.py                        # every log below, pm4py on up to 300 variants of each
    python bench/aligners.py --logs helpdesk sepsis --pm4py-variants 0    # pm4py on every variant (slow)

For each log: its distinct variants (cxmining's variants table after import-log), a model (the log's designed model
where the shared data has one, else pm4py's Inductive Miner at noise 0.2 on the variants), and three engines, each in
its own subprocess reporting its time and peak RSS (VmHWM):
  r4pm:        cxmining.conformance.alignments.optimal_alignments(aligner="r4pm") on every variant
  pm4py:       the same with aligner="pm4py" (pm4py's Dijkstra in canonical order, the reference) on a seeded sample
  pm4py A*:    pm4py.conformance_diagnostics_alignments (pm4py's default, what an analyst would call) on that sample
Reported: variants/s of each, the speed-up, and on the sample: variants whose cost, worst cost or fitness differ
(must be 0), and variants whose typed deviations differ (ties: equally good alignments chosen differently).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REAL = ROOT.parent / "shared" / "data" / "real"
LOGS = {  # name: (log, designed model or None, label mapping or None)
    "sample": (None, ROOT / "data" / "sample" / "models" / "models.yaml", None),
    "helpdesk": (REAL / "helpdesk" / "helpdesk.xes.gz", None, None),
    "sepsis": (REAL / "sepsis" / "sepsis.csv", None, None),
    "road-traffic-fines": (REAL / "road-traffic-fines" / "Road_Traffic_Fine_Management_Process.xes.gz", None, None),
    "bpic2012": (REAL / "bpic2012" / "bpic2012.xes.gz", None, None),
    "ccc19": (REAL / "ccc19-cvc-normative" / "CCC19 - Log XES.xes", REAL / "ccc19-cvc-normative" / "CCC19 - Model PN.pnml",
              None),
    "bpic2020": (REAL / "bpic2020-travel" / "DomesticDeclarations.xes.gz",
                 REAL / "bpic2020-travel" / "declaration_documents.designed.bpmn", ROOT / "tests" / "data" / "bpic2020_labels.yaml"),
}
PEAK = 'int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024'

PREPARE = """
import json, sys, duckdb
from pathlib import Path
from cxmining.eventlog.imported import import_log
from cxmining.eventlog.reader import CsvDialect, LogMapping
from cxmining.mining.statistics import mining_tables
log, db, landing, customers = sys.argv[1:5]
con = duckdb.connect(db)
if log == "sample":
    con.close()
    from helpers import built_sample_store
    import shutil
    shutil.copy(built_sample_store(Path(landing), int(customers), 7, 60), db)
    con = duckdb.connect(db)
    rows = con.execute("SELECT DISTINCT v.activities FROM case_variants cv JOIN journeys j ON j.journey_id = cv.case_id "
                       "JOIN variants v USING (variant_id) WHERE j.journey_type = 'order'").fetchall()
elif log.endswith(".csv"):  # sepsis
    mapping = LogMapping(case="Case ID", activity="Activity", timestamp="Complete Timestamp")
    import_log(Path(log), con, mapping, CsvDialect(delimiter=";"))
    mining_tables(con)
    rows = con.execute("SELECT activities FROM variants").fetchall()
else:
    import_log(Path(log), con)
    mining_tables(con)
    rows = con.execute("SELECT activities FROM variants").fetchall()
print(json.dumps([r[0] for r in rows]))
"""

ALIGN = f"""
import json, pickle, sys, time
from pathlib import Path
from collections import Counter
variants_file, model, labels, engine, out = sys.argv[1:6]
variants = [tuple(v) for v in json.loads(Path(variants_file).read_text())]
from cxmining.mining import pm4py_bridge as pm
if model.endswith(".yaml"):
    from cxmining.conformance.designed import designed_models
    m = designed_models(Path(model))["order"]; net, im, fm = m.net, m.initial_marking, m.final_marking
elif model.endswith(".bpmn"):
    from cxmining.conformance.designed import designed_model, label_mapping
    m = designed_model(Path(model), label_mapping(Path(labels)) if labels else None)
    net, im, fm = m.net, m.initial_marking, m.final_marking
elif model.endswith(".pnml"):
    net, im, fm = pm.accepting_net(Path(model))
else:
    counts = json.loads(Path(model).read_text())
    d = pm.discovered_model({{tuple(v): n for v, n in counts}}, 0.2); net, im, fm = d.net, d.initial_marking, d.final_marking
began = time.perf_counter()
if engine == "pm4py-astar":
    import pandas as pd, pm4py
    from datetime import datetime, timedelta
    frame = pd.DataFrame([{{"case:concept:name": f"{{i:09d}}", "concept:name": a,
                           "time:timestamp": datetime(2026, 1, 1) + timedelta(seconds=j)}}
                          for i, v in enumerate(variants) for j, a in enumerate(v)])
    found = pm4py.conformance_diagnostics_alignments(pm.formatted(frame), net, im, fm)
    rows = [(f["cost"], f["bwc"], f["fitness"], None, "pm4py A*") for f in found]
else:
    from cxmining.conformance.alignments import optimal_alignments
    found = optimal_alignments(variants, net, im, fm, 5.0, engine)
    rows = [(a.alignment.cost, a.alignment.worst_cost, a.alignment.fitness, sorted(Counter(a.alignment.moves).items(), key=str),
             a.aligner) for a in found]
seconds = time.perf_counter() - began
Path(out).write_text(json.dumps({{"seconds": seconds, "peak_mb": {PEAK}, "rows": rows}}))
"""


def subprocess_json(code: str, *args: str) -> object:
    """Run `code` in a fresh Python with `args`; its stdout as JSON."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT / "tests"), "PATH": "/usr/bin:/bin"})
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout) if done.stdout.strip() else None


def engine_run(variants: list, model: str, labels: str, engine: str, work: Path) -> dict:
    """One engine on `variants` in its own process: seconds, peak MB and one row per variant."""
    (work / "variants.json").write_text(json.dumps(variants))
    out = work / f"{engine}.json"
    subprocess_json(ALIGN, str(work / "variants.json"), model, labels, engine, str(out))
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logs", nargs="*", default=list(LOGS), choices=list(LOGS))
    parser.add_argument("--pm4py-variants", type=int, default=300, help="variants pm4py aligns (0: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--customers", type=int, default=20000, help="customers of the generated sample")
    args = parser.parse_args()
    print("| log | variants | model | r4pm s (var/s) | peak MB r4pm / pm4py / A* | by pm4py | pm4py on | pm4py s (var/s) | "
          "pm4py A* s (var/s) | speed-up vs pm4py / A* | cost/fitness differ | typed deviations differ |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.logs:
        log, model, labels = LOGS[name]
        if log is not None and not log.exists():
            print(f"| {name} | not found: {log} |")
            continue
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            variants = subprocess_json(PREPARE, str(log) if log else "sample", str(work / "store.duckdb"),
                                       str(work / "landing"), str(args.customers))
            if model is None:  # the Inductive Miner on the variants of the whole log
                (work / "counts.json").write_text(json.dumps([[v, 1] for v in variants]))  # noise filters on frequency:
                # IMf on one case per variant keeps rare behaviour (a looser model than on the full log)
                model_arg, kind = str(work / "counts.json"), "IMf 0.2"
            else:
                model_arg, kind = str(model), model.suffix.lstrip(".")
            ours = engine_run(variants, model_arg, str(labels or ""), "r4pm", work)
            picked = sorted(random.Random(args.seed).sample(range(len(variants)), args.pm4py_variants)) if (
                0 < args.pm4py_variants < len(variants)) else list(range(len(variants)))
            subset = [variants[i] for i in picked]
            ref = engine_run(subset, model_arg, str(labels or ""), "pm4py", work)
            astar = engine_run(subset, model_arg, str(labels or ""), "pm4py-astar", work)
            differ = sum(tuple(ours["rows"][i][:3]) != tuple(r[:3]) for i, r in zip(picked, ref["rows"], strict=True))
            differ_astar = sum((ours["rows"][i][0], ours["rows"][i][1]) != (a[0], a[1])
                               for i, a in zip(picked, astar["rows"], strict=True))
            ties = sum(ours["rows"][i][3] != r[3] for i, r in zip(picked, ref["rows"], strict=True))
            by_pm4py = sum(r[4] == "pm4py" for r in ours["rows"])
            rate = lambda run, n: f"{run['seconds']:.2f} ({n / max(run['seconds'], 1e-9):,.0f})"  # noqa: E731
            speed = ref["seconds"] / len(subset) / (ours["seconds"] / len(variants))
            speed_astar = astar["seconds"] / len(subset) / (ours["seconds"] / len(variants))
            peaks = " / ".join(f"{run['peak_mb']:.0f}" for run in (ours, ref, astar))
            print(f"| {name} | {len(variants):,} | {kind} | {rate(ours, len(variants))} | {peaks} | "
                  f"{by_pm4py} | {len(subset):,} | {rate(ref, len(subset))} | {rate(astar, len(subset))} | "
                  f"{speed:.0f}x / {speed_astar:.0f}x | {differ} (A*: {differ_astar}) | {ties} of {len(subset)} |",
                  flush=True)


if __name__ == "__main__":
    main()
