"""Benchmark: `cxmining import-log --object-type` on object-centric logs against pm4py's own read and flattening.

    python bench/ocel.py [--work /tmp/cxmining-bench-ocel] [FILE:TYPE ...]

Each side runs in a fresh interpreter, one after the other, with pm4py already imported before the clock starts, and
reports its wall time and its own peak RSS (VmHWM):
  ours:  cxmining.eventlog.ocel.import_ocel into a new DuckDB file (pm4py reads the file; the flattening, the objects
         and their relations written in DuckDB), then the mining statistics (cxmining.mining.statistics.mining_tables).
  pm4py: pm4py.read_ocel2 + pm4py.ocel_flattening, then a stable sort by case and time and pm4py.get_variants.
Both report the number of variants, which must be equal.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fresh_process import fresh_process_report

HERE = Path(__file__).resolve().parent
REAL = HERE.parent.parent / "shared" / "data" / "real" / "ocel2-order-management"
DEFAULT_CASES = (f"{REAL / 'order-management-running-example.sqlite'}:orders",
                 f"{REAL / 'order-management-running-example.sqlite'}:items",
                 f"{REAL / 'container-logistics.sqlite'}:Container")
PEAK = 'int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024'

OURS = f"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import cxmining.mining.pm4py_bridge
from cxmining.eventlog.ocel import import_ocel
from cxmining.mining.statistics import mining_tables
from cxmining.store import opened
t0 = time.perf_counter()
done = import_ocel(sys.argv[1], sys.argv[3], sys.argv[2])
imported = time.perf_counter() - t0
with opened(sys.argv[3]) as con:
    mining_tables(con)
    variants = con.execute("SELECT count(*) FROM variants").fetchone()[0]
seconds = time.perf_counter() - t0
print(json.dumps({{"import": imported, "seconds": seconds, "peak_mib": {PEAK}, "events": done.log.events,
                  "variants": variants}}))
"""

PLAIN = f"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import pm4py
t0 = time.perf_counter()
flat = pm4py.ocel_flattening(pm4py.read_ocel2(sys.argv[1]), sys.argv[2])
imported = time.perf_counter() - t0
variants = pm4py.get_variants(flat.sort_values(["case:concept:name", "time:timestamp"], kind="stable"))
seconds = time.perf_counter() - t0
print(json.dumps({{"import": imported, "seconds": seconds, "peak_mib": {PEAK}, "events": len(flat),
                  "variants": len(variants)}}))
"""


def side(code: str, path: str, object_type: str, store: Path) -> dict:
    """Run one side in a fresh interpreter; its JSON report."""
    store.unlink(missing_ok=True)
    return fresh_process_report(code, path, object_type, str(store))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=list(DEFAULT_CASES), help="FILE:OBJECT_TYPE (default: the real logs)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/cxmining-bench-ocel"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"{'log':<48} {'events':>7} {'variants':>8} | {'ours import s':>13} {'+stats s':>8} {'MiB':>5} | "
          f"{'pm4py read+flatten s':>20} {'+variants s':>11} {'MiB':>5}")
    for case in args.cases:
        path, object_type = case.rsplit(":", 1)
        ours = side(OURS, path, object_type, args.work / "ocel.duckdb")
        plain = side(PLAIN, path, object_type, args.work / "unused")
        if (ours["events"], ours["variants"]) != (plain["events"], plain["variants"]):
            raise SystemExit(f"{case}: ours {ours} differs from pm4py {plain}")
        print(f"{Path(path).name + ' on ' + object_type:<48} {ours['events']:>7} {ours['variants']:>8} | "
              f"{ours['import']:>13.2f} {ours['seconds']:>8.2f} {ours['peak_mib']:>5.0f} | "
              f"{plain['import']:>20.2f} {plain['seconds']:>11.2f} {plain['peak_mib']:>5.0f}", flush=True)


if __name__ == "__main__":
    main()
