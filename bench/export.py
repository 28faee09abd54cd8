"""Benchmark: `cxmining export` against the plain way (the journey_events DataFrame handed to pm4py or pandas).

    python bench/export.py --store /tmp/export/big.snapshot.duckdb --work /tmp/export/bench

Each export runs in its own fresh interpreter, one after the other, and reports its wall time and its own peak RSS
(VmHWM), so the two sides never share memory or cores:
  ours:  cxmining.export.exported.exported_file(store, file, format): XES streamed from DuckDB, CSV/Parquet by COPY,
         OCEL 2.0 from DuckDB's temporary tables.
  plain: journey_events read whole into pandas (timed with the export), then pm4py.write_xes (XES),
         DataFrame.to_csv / to_parquet (CSV), pm4py.convert_log_to_ocel + pm4py.write_ocel2_json (OCEL, the
         object columns of journey_events as object types).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fresh_process import fresh_process_report

PEAK = 'int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024'

OURS = f"""
import json, sys, time
from pathlib import Path
from cxmining.export.exported import exported_file
t0 = time.perf_counter()
done = exported_file(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
seconds = time.perf_counter() - t0
print(json.dumps({{"seconds": seconds, "peak_mib": {PEAK}, "events": done.events, "bytes": done.bytes}}))
"""

PLAIN = f"""
import json, os, sys, time, warnings
warnings.filterwarnings("ignore")
import duckdb, pm4py
store, out, format = sys.argv[1:4]
t0 = time.perf_counter()
with duckdb.connect(store, read_only=True) as con:
    log = con.execute('SELECT * FROM journey_events ORDER BY "case:concept:name", event_order').df()
log["time:timestamp"] = log["time:timestamp"].dt.tz_localize("UTC")
if format == "xes":
    pm4py.write_xes(log[["case:concept:name", "concept:name", "time:timestamp", "lane", "channel", "event_id"]], out)
elif format == "csv" and out.endswith(".parquet"):
    log[["case:concept:name", "concept:name", "time:timestamp", "lane", "channel", "event_id"]].to_parquet(out)
elif format == "csv":
    log[["case:concept:name", "concept:name", "time:timestamp", "lane", "channel", "event_id"]].to_csv(out, index=False)
else:
    objects = ["customer_id", "order_id", "product_id", "call_id", "session_id", "case:concept:name"]
    ocel = pm4py.convert_log_to_ocel(log, activity_column="concept:name", timestamp_column="time:timestamp",
                                     object_types=objects)
    pm4py.write_ocel2_json(ocel, out)
seconds = time.perf_counter() - t0
print(json.dumps({{"seconds": seconds, "peak_mib": {PEAK}, "events": len(log), "bytes": os.path.getsize(out)}}))
"""

CASES = (("xes", "journeys.xes"), ("xes", "journeys.xes.gz"), ("csv", "journeys.csv"), ("csv", "journeys.parquet"),
         ("ocel", "journeys.jsonocel"), ("ocel", "journeys.sqlite"))
PLAIN_CASES = {"journeys.xes", "journeys.xes.gz", "journeys.csv", "journeys.parquet", "journeys.jsonocel"}


def side(code: str, store: Path, out: Path, format: str) -> dict:
    """Run one export in a fresh interpreter; its JSON report."""
    return fresh_process_report(code, str(store), str(out), format)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a store (or its snapshot) after `cxmining run`")
    parser.add_argument("--work", type=Path, default=Path("/tmp/cxmining-bench-export"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"{'file':<18} {'events':>9} | {'ours s':>7} {'MiB':>6} {'MB':>7} | {'plain s':>7} {'MiB':>6} {'MB':>7} | ratio")
    for format, name in CASES:
        ours = side(OURS, args.store, args.work / f"ours-{name}", format)
        line = (f"{name:<18} {ours['events']:>9} | {ours['seconds']:>7.1f} {ours['peak_mib']:>6.0f} "
                f"{ours['bytes'] / 1e6:>7.1f} | ")
        if name in PLAIN_CASES:
            plain = side(PLAIN, args.store, args.work / f"plain-{name}", format)
            line += (f"{plain['seconds']:>7.1f} {plain['peak_mib']:>6.0f} {plain['bytes'] / 1e6:>7.1f} | "
                     f"{plain['seconds'] / ours['seconds']:.1f}x time, {plain['peak_mib'] / ours['peak_mib']:.1f}x memory")
        else:
            line += f"{'-':>7} {'-':>6} {'-':>7} | pm4py writes OCEL SQLite only from an OCEL object"
        print(line, flush=True)


if __name__ == "__main__":
    main()
