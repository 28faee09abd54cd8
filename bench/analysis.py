"""Benchmark: the analysis steps after journeys (failure demand, what-if, comparison, report) on one store.

    python bench/analysis.py --store bench/results/bench.duckdb          # a store built by bench/ingest.py + a run
    python bench/analysis.py --customers 20000                           # generate, ingest and build one first

Each step runs in its own subprocess on a copy of the store and reports its wall time and its own peak RSS
(VmHWM). There is no pm4py counterpart to put beside these steps: pm4py has no notion of failure demand, of a
contact centre's queues or of before/after periods. So the figures stand alone; bench/mining.py and bench/ingest.py
hold the side-by-side comparisons with plain pm4py.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEAK = 'int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024'

STEPS = {
    "failure demand": """
from cxmining.demand.tables import demand_tables
counts = demand_tables(DB)
rows = counts["contact_demand"]
""",
    "what-if (today + undo IVR change)": f"""
from pathlib import Path
from cxmining.whatif.results import whatif_tables
from cxmining.whatif.scenario import scenario
path = Path({str(HERE.parent / "data" / "sample" / "scenarios" / "undo_ivr_change.yaml")!r})
checked, results = whatif_tables(DB, [(scenario(path), path)], replications=REPLICATIONS, seed=1)
rows = int(checked["within"].sum())
""",
    "before/after comparison": """
from datetime import date
from cxmining.compare.periods import Period, period_comparison
c = period_comparison(DB, Period(None, date(2026, 10, 7)), Period(date(2026, 10, 7), None))
rows = len(c.findings)
""",
    "report": """
from pathlib import Path
import tempfile
from cxmining.report.html import report_file
rows = report_file(DB, Path(tempfile.mkdtemp())).stat().st_size
""",
}


def run_step(name: str, code: str, store: Path, replications: int) -> dict:
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / "store.duckdb"
        shutil.copy(store, copy)
        script = (f"import json, time\nDB = {str(copy)!r}\nREPLICATIONS = {replications}\nt0 = time.perf_counter()\n"
                  f"{code}\nprint(json.dumps({{'seconds': time.perf_counter() - t0, 'peak_mib': {PEAK}, 'rows': rows}}))")
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
        if done.returncode:
            return {"step": name, "error": done.stderr.strip().splitlines()[-1]}
        return {"step": name, **json.loads(done.stdout.strip().splitlines()[-1])}


def built_store(customers: int, seed: int) -> Path:
    from cxmining.demand.tables import demand_tables
    from cxmining.ingest.folder import landing_reports
    from cxmining.journeys import journey_tables
    from cxmining.mining.statistics import mining_tables
    from cxmining.synthetic import write_sample

    folder = HERE / "results" / f"analysis-c{customers}s{seed}"
    db = folder / "store.duckdb"
    if not db.exists():
        write_sample(folder / "landing", customers=customers, seed=seed, days=60)
        landing_reports(db, folder / "landing", "bench")
        journey_tables(db)
        mining_tables(db)
        demand_tables(db)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a store with journeys (and ideally conformance) built")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--replications", type=int, default=5)
    args = parser.parse_args()
    store = args.store or built_store(args.customers, args.seed)
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    events, journeys = con.execute("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM journeys)").fetchall()[0]
    calls = con.execute("SELECT count(*) FROM raw_calls").fetchall()[0][0]
    con.close()
    print(f"store {store}: {events:,} events, {journeys:,} journeys, {calls:,} calls")
    for name, code in STEPS.items():
        result = run_step(name, code, store, args.replications)
        if "error" in result:
            print(f"{name:38s} failed: {result['error']}")
        else:
            print(f"{name:38s} {result['seconds']:8.1f} s  peak {result['peak_mib']:8.0f} MiB  ({result['rows']})")


if __name__ == "__main__":
    main()
