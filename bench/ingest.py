"""Benchmark: nightly ingest of a landing folder, cxmining vs plain pandas + pm4py, in one run.

    python bench/ingest.py                       # 500,000 customers (~10M events), generated once
    python bench/ingest.py --customers 20000     # a quicker look
    python bench/ingest.py --landing DIR         # any landing folder

Each side runs in its own subprocess so its peak memory (max RSS) is its own.
cxmining: parse, validate, quarantine, deduplicate and load every file into DuckDB
(transactional, manifest-keyed), then count the `events` view.
plain: pandas.read_csv of every web/calls/orders file, UTC timestamps, one event table,
pm4py.format_dataframe — what an analyst would do without cxmining, with no validation.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

CXMINING = """
import json, sys, time
from pathlib import Path
from cxmining.ingest.folder import landing_reports
from cxmining.store import connect
landing, db = Path(sys.argv[1]), Path(sys.argv[2])
t0 = time.perf_counter()
reports = landing_reports(db, landing, "bench")
seconds = time.perf_counter() - t0
con = connect(db, read_only=True)
events = con.execute("SELECT count(*) FROM events").fetchone()[0]
rows = {k: sum(getattr(r, k) for r in reports) for k in ("rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate")}
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024  # not inherited across fork, unlike ru_maxrss
print(json.dumps({"seconds": seconds, "events": events, "files": len(reports), "peak_mib": peak, **rows}))
"""

PLAIN = """
import json, sys, time
from pathlib import Path
import pandas as pd
import pm4py
landing = Path(sys.argv[1])
t0 = time.perf_counter()
def frames(source, case, activity, ts):
    for f in sorted((landing / source).glob("*.csv")):
        df = pd.read_csv(f, dtype=str, keep_default_na=False, on_bad_lines="skip", engine="c")
        out = pd.DataFrame({
            "case": df[case], "activity": source + ":" + df[activity],
            "ts": pd.to_datetime(df[ts], utc=True, errors="coerce", format="ISO8601"),
        })
        yield out
parts = [*frames("web", "session_id", "event_type", "ts"),
         *frames("calls", "call_id", "reason_code", "started_at"),
         *frames("orders", "order_id", "status", "ts")]
log = pd.concat(parts, ignore_index=True).dropna(subset=["ts"])
log = pm4py.format_dataframe(log, case_id="case", activity_key="activity", timestamp_key="ts")
seconds = time.perf_counter() - t0
peak = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]) / 1024  # not inherited across fork, unlike ru_maxrss
print(json.dumps({"seconds": seconds, "events": len(log), "peak_mib": peak}))
"""


def run_side(code: str, *args: str) -> dict:
    """Run one side in a fresh interpreter; it reports its own time, counts and peak RSS (MiB)."""
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path)
    parser.add_argument("--customers", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=HERE / "results")
    args = parser.parse_args()

    args.workdir.mkdir(parents=True, exist_ok=True)
    landing = args.landing or args.workdir / f"landing-{args.customers}-{args.seed}"
    if not landing.exists():
        print(f"generating {landing} ...", flush=True)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cxmining.cli", "sample", "--out", str(landing),
                        "--customers", str(args.customers), "--seed", str(args.seed)], check=True)
        print(f"generated in {time.perf_counter() - t0:.0f}s", flush=True)
    size = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file()) / 2**20
    db = args.workdir / "bench.duckdb"
    for stale in (db, db.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)

    plain = run_side(PLAIN, str(landing))
    ours = run_side(CXMINING, str(landing), str(db))
    print(f"\nlanding: {landing} ({size:,.0f} MiB, {ours['files']} files)")
    print(f"{'':<22}{'seconds':>10}{'events':>14}{'events/s':>14}{'peak MiB':>10}")
    for name, r in (("cxmining ingest", ours), ("plain pandas+pm4py", plain)):
        print(f"{name:<22}{r['seconds']:>10.1f}{r['events']:>14,}{r['events'] / r['seconds']:>14,.0f}{r['peak_mib']:>10,.0f}")
    print(f"\ncxmining rows: read {ours['rows_read']:,} = loaded {ours['rows_loaded']:,} + quarantined "
          f"{ours['rows_quarantined']:,} + duplicates {ours['rows_duplicate']:,}")
    print(f"time ratio cxmining/plain: {ours['seconds'] / plain['seconds']:.2f}; "
          f"peak memory ratio: {ours['peak_mib'] / plain['peak_mib']:.2f}")


if __name__ == "__main__":
    main()
