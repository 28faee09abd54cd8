"""One side of a side-by-side benchmark run in a fresh interpreter, so its time and peak memory are its own."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fresh_process_report(code: str, *args: str) -> dict:
    """Run `code` with `args` in a new Python process from the checkout's root; the JSON object its last line prints."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"benchmark side failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_report(script: Path, mode: str, base: Path, work: Path, *options: str,
                 env: dict[str, str] | None = None) -> tuple[dict, Path]:
    """Run `script --child MODE --db COPY OPTIONS...` in a new Python process on a fresh copy of the store `base` (in
    `work`, named after the mode); the JSON object its last line prints, and the copy."""
    db = Path(shutil.copy(base, work / f"{mode.replace(' ', '-')}.duckdb"))
    done = subprocess.run([sys.executable, str(script), "--child", mode, "--db", str(db), *options], env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{mode} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), db


def sample_store(work: Path, customers: int, seed: int, days: int | None = None, through: str = "ingest") -> Path:
    """`work/base-<customers>.duckdb`: the generated sample of `customers` customers (`seed`, `days`), ingested and
    built `through` "ingest", "journeys" or "statistics" (the mining tables); made once, then reused."""
    import time

    from cxmining.ingest.folder import landing_reports
    from cxmining.journeys import journey_tables
    from cxmining.mining.statistics import mining_tables
    from cxmining.synthetic import write_sample

    path = work / f"base-{customers}.duckdb"
    if not path.exists():
        began = time.perf_counter()
        landing, partial = work / f"landing-{customers}", path.with_suffix(".partial")
        shutil.rmtree(landing, ignore_errors=True)
        partial.unlink(missing_ok=True)
        write_sample(landing, customers=customers, seed=seed, **({"days": days} if days else {}))
        landing_reports(partial, landing, "bench")
        if through in ("journeys", "statistics"):
            journey_tables(partial)
        if through == "statistics":
            mining_tables(partial)
        partial.rename(path)
        print(f"sample of {customers} customers built through {through} in {time.perf_counter() - began:.1f} s: {path}",
              file=sys.stderr)
    return path
