"""Benchmark: process statistics (variants, DFG with times, start/end activities, case durations), DuckDB vs plain pm4py.

    python bench/mining.py                        # journey_events synthesised from /tmp/big (~10M events)
    python bench/mining.py --landing DIR --work DIR --rebuild
    python bench/mining.py --store bench/results/bench.duckdb   # real journeys of an ingested store

With --store (a store filled by `cxmining run` or bench/ingest.py), the input is the store's real
journey_events, and the DuckDB side also times building the journeys (identity stitching and the
case notion, which plain pm4py has no equivalent for) before the statistics.

The input is synthesised once (cached in --work) because real journeys are built elsewhere: every
web, call and order event of the landing folder, with case = the customer when the row names one,
else the web session (web), the call or the order; activity = web event type / call reason / order
status; ties in time broken by event id into event_order. The same rows go to a DuckDB file
(journey_events) and to a Parquet file for pandas.

Each side runs in its own subprocess and reports its own peak RSS (VmHWM), taken before it
hands its results back:
  duckdb: cxmining.mining.statistics.mining_tables on the store (it also builds case_variants and activity_stats).
  pm4py:  pandas.read_parquet (timed apart, not in the ratio), pm4py.format_dataframe (timed), then
          discover_dfg, discover_performance_dfg, get_start/end_activities, get_variants and case
          durations (pm4py's case statistics), through cxmining.mining.pm4py_bridge.
The parent then checks the two results are identical (DFG times within 1e-6 relative).
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
CSV = "delim=',', quote='\"', header=true, all_varchar=true, ignore_errors=true, strict_mode=false"

JOURNEY_EVENTS = f"""
CREATE OR REPLACE TABLE journey_events AS
WITH raw AS (
    SELECT coalesce(customer_id, 'session:' || session_id) AS case_id,
           CASE WHEN event_type = 'page_view' AND product_id IS NOT NULL THEN 'product_view' ELSE event_type END AS activity,
           try_cast(ts AS TIMESTAMPTZ) AS event_at, 'web' AS lane, 'web:' || event_id AS event_id
    FROM read_csv($web, {CSV})
    UNION ALL
    SELECT coalesce(customer_id, 'call:' || call_id), 'Call: ' || coalesce(reason_code, 'unknown'),
           try_cast(started_at AS TIMESTAMPTZ), 'phone', 'call:' || call_id
    FROM read_csv($calls, {CSV})
    UNION ALL
    SELECT coalesce(customer_id, 'order:' || order_id), 'Order ' || coalesce(status, 'unknown'),
           try_cast(ts AS TIMESTAMPTZ), 'orders', 'order:' || order_id || ':' || coalesce(status, '')
    FROM read_csv($orders, {CSV})
)
SELECT
    case_id AS "case:concept:name",
    activity AS "concept:name",
    CAST(timezone('UTC', event_at) AS TIMESTAMP) AS "time:timestamp",
    row_number() OVER (PARTITION BY case_id ORDER BY event_at, event_id) AS event_order,
    lane,
    event_id
FROM raw
WHERE event_at IS NOT NULL AND case_id IS NOT NULL AND activity IS NOT NULL
ORDER BY "case:concept:name", event_order
"""

DUCKDB_SIDE = """
import json, pickle, sys, time
from cxmining.mining.statistics import mining_tables
from cxmining.store import connect
con = connect(sys.argv[1])
t0 = time.perf_counter()
counts = mining_tables(con)
seconds = time.perf_counter() - t0
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024  # not inherited across fork, unlike ru_maxrss
q = lambda sql: con.execute(sql).fetchall()
result = {
    "dfg": {(s, t): n for s, t, n in q("SELECT source, target, frequency FROM dfg")},
    "dfg_mean": {(s, t): m for s, t, m in q("SELECT source, target, mean_seconds FROM dfg")},
    "start": dict(q("SELECT activity, frequency FROM start_activities")),
    "end": dict(q("SELECT activity, frequency FROM end_activities")),
    "variants": {tuple(a): n for a, n in q("SELECT activities, frequency FROM variants")},
    "durations": dict(q("SELECT case_id, duration_seconds FROM case_durations")),
}
pickle.dump(result, open(sys.argv[2], "wb"))
print(json.dumps({"seconds": seconds, "load_seconds": 0.0, "peak_mib": peak, "rows": counts}))
"""

JOURNEY_SIDE = """
import json, sys, time
from cxmining.journeys import journey_tables
t0 = time.perf_counter()
counts = journey_tables(sys.argv[1])
seconds = time.perf_counter() - t0
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024  # not inherited across fork, unlike ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mib": peak, "rows": counts}))
"""

PM4PY_SIDE = """
import json, pickle, sys, time
import pandas as pd
from cxmining.mining import pm4py_bridge as pm
t0 = time.perf_counter()
log = pd.read_parquet(sys.argv[1], columns=["case:concept:name", "concept:name", "time:timestamp"])
load_seconds = time.perf_counter() - t0
t0 = time.perf_counter()
log = pm.formatted(log)  # pm4py.format_dataframe: the stable sort every pm4py statistic relies on
result = {
    "dfg": pm.dfg_frequencies(log),
    "dfg_mean": {arc: s["mean"] for arc, s in pm.dfg_performance(log).items()},
    "start": pm.start_activities(log),
    "end": pm.end_activities(log),
    "variants": pm.variant_frequencies(log),
    "durations": pm.case_durations(log),
}
seconds = time.perf_counter() - t0
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024  # not inherited across fork, unlike ru_maxrss
pickle.dump(result, open(sys.argv[2], "wb"))
print(json.dumps({"seconds": seconds, "load_seconds": load_seconds, "peak_mib": peak, "rows": {"events": len(log)}}))
"""


def prepared_input(landing: Path, work: Path, rebuild: bool) -> tuple[Path, Path]:
    """The DuckDB store holding journey_events and its Parquet copy, built once from the landing folder."""
    db, parquet = work / "journeys.duckdb", work / "journey_events.parquet"
    if rebuild or not (db.exists() and parquet.exists()):
        work.mkdir(parents=True, exist_ok=True)
        db.unlink(missing_ok=True)
        with duckdb.connect(str(db)) as con:
            con.execute("SET enable_progress_bar = false")
            con.execute("SET TimeZone = 'UTC'")
            con.execute(JOURNEY_EVENTS, {s: str(landing / s / "*.csv") for s in ("web", "calls", "orders")})
            # pandas gets UTC-aware timestamps, as pm4py.read_xes would give it
            con.execute(
                "COPY (SELECT * REPLACE (timezone('UTC', \"time:timestamp\") AS \"time:timestamp\") FROM journey_events)"
                " TO $path (FORMAT parquet)",
                {"path": str(parquet)},
            )
    return db, parquet


def store_input(store: Path, work: Path) -> tuple[Path, Path]:
    """A working copy of an ingested store with its journeys built, and the Parquet copy of journey_events."""
    from cxmining.journeys import journey_tables

    work.mkdir(parents=True, exist_ok=True)
    db, parquet = work / "store.duckdb", work / "store_journey_events.parquet"
    if db.exists() and parquet.exists() and db.stat().st_mtime > store.stat().st_mtime:
        return db, parquet  # prepared by an earlier run
    shutil.copyfile(store, db)
    journey_tables(db)
    with duckdb.connect(str(db)) as con:
        con.execute(
            'COPY (SELECT "case:concept:name", "concept:name", timezone(\'UTC\', "time:timestamp") AS "time:timestamp" '
            'FROM journey_events ORDER BY "case:concept:name", event_order) TO $path (FORMAT parquet)',
            {"path": str(parquet)},
        )
    return db, parquet


def side(code: str, source: Path, out: Path, *extra: str) -> dict:
    """Run one side in a fresh interpreter; return its JSON report."""
    done = subprocess.run([sys.executable, "-c", code, str(source), str(out), *extra], capture_output=True, text=True, cwd=HERE.parent)
    if done.returncode != 0:
        raise SystemExit(f"benchmark side failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def differences(ours: dict, theirs: dict) -> list[str]:
    """What differs between the two results (empty when identical)."""
    found = [name for name in ("dfg", "start", "end", "variants") if ours[name] != theirs[name]]
    if ours["dfg_mean"].keys() != theirs["dfg_mean"].keys() or any(
        not math.isclose(v, theirs["dfg_mean"][k], rel_tol=1e-6, abs_tol=1e-9) for k, v in ours["dfg_mean"].items()
    ):
        found.append("dfg_mean")
    if ours["durations"].keys() != theirs["durations"].keys() or any(
        not math.isclose(v, theirs["durations"][k], rel_tol=1e-9, abs_tol=1e-6) for k, v in ours["durations"].items()
    ):
        found.append("durations")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, default=Path("/tmp/big"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/cxmining-bench-mining"))
    parser.add_argument("--rebuild", action="store_true", help="re-synthesise journey_events from the landing folder")
    parser.add_argument("--store", type=Path, help="an ingested cxmining store: use its real journeys")
    args = parser.parse_args()

    t0 = time.perf_counter()
    if args.store:
        db, parquet = store_input(args.store, args.work)
    else:
        db, parquet = prepared_input(args.landing, args.work, args.rebuild)
    with duckdb.connect(str(db), read_only=True) as con:
        events, cases = con.execute('SELECT count(*), count(DISTINCT "case:concept:name") FROM journey_events').fetchall()[0]
    print(f"input: {events:,} events in {cases:,} cases ({time.perf_counter() - t0:.1f} s to prepare/check)")

    journeys = side(JOURNEY_SIDE, db, args.work / "unused") if args.store else None
    ours = side(DUCKDB_SIDE, db, args.work / "duckdb.pickle")
    theirs = side(PM4PY_SIDE, parquet, args.work / "pm4py.pickle")
    with open(args.work / "duckdb.pickle", "rb") as a, open(args.work / "pm4py.pickle", "rb") as b:
        diff = differences(pickle.load(a), pickle.load(b))

    if journeys:
        print(f"journeys: {journeys['seconds']:7.1f} s   peak RSS {journeys['peak_mib']:8.0f} MiB   {journeys['rows']} "
              "(identity stitching + case notion; plain pm4py has no equivalent)")
    print(f"duckdb : {ours['seconds']:7.1f} s   peak RSS {ours['peak_mib']:8.0f} MiB   tables {ours['rows']}")
    print(f"pm4py  : {theirs['seconds']:7.1f} s   peak RSS {theirs['peak_mib']:8.0f} MiB   "
          f"(+ {theirs['load_seconds']:.1f} s read_parquet, not counted)")
    print(f"speed-up {theirs['seconds'] / ours['seconds']:.1f}x, memory ratio {ours['peak_mib'] / theirs['peak_mib']:.2f}")
    print("results identical" if not diff else f"results DIFFER in: {', '.join(diff)}")


if __name__ == "__main__":
    main()
