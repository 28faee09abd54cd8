"""One side of a side-by-side benchmark run in a fresh interpreter, so its time and peak memory are its own."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fresh_process_report(code: str, *args: str) -> dict:
    """Run `code` with `args` in a new Python process from the checkout's root; the JSON object its last line prints."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"benchmark side failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_environment() -> dict[str, str]:
    """The environment of a benchmark's child processes: this checkout's cxmining and pipelines first on the path,
    Prefect's home in the checkout unless one is set, and no analytics (no network)."""
    return os.environ | {"PYTHONPATH": str(ROOT), "PREFECT_HOME": os.environ.get("PREFECT_HOME", str(ROOT / ".prefect")),
                         "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}


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


def bucketed_side_by_side(script: Path, modes: list[str], base: Path, work: Path, workers: int, buckets: int,
                          same: Callable[[Path, Path], bool], what: str) -> dict[str, dict]:
    """Each of `modes` of a one-process-vs-buckets benchmark (`script --child MODE --workers W --buckets B`) on a
    fresh copy of `base`, one line printed each; every other mode's store compared with the one process's by `same`
    (its result as `same_as_one_process`). The JSON results by mode."""
    env = child_environment()
    results, stores = {}, {}
    for mode in modes:
        results[mode], stores[mode] = child_report(script, mode, base, work, "--workers", str(workers),
                                                   "--buckets", str(buckets), env=env)
        r = results[mode]
        parquet = r.get("partials_mb", r.get("partitions_mb", math.nan))
        print(f"{mode:>12}: {r['seconds']:6.1f} s, coordinator peak {r['coordinator_peak_mb']:6.0f} MB"
              + (f", workers' peaks {', '.join(f'{m:.0f}' for m in r['worker_peaks_mb'])} MB; partitions "
                 f"{r['steps']['partitions']:.1f} s, workers {r['steps']['workers']:.1f} s, merge "
                 f"{r['steps']['merge']:.1f} s, Parquet {parquet:.0f} MB, cluster start "
                 f"{r['cluster_start_seconds']:.1f} s" if "steps" in r else ""))
    for mode, db in stores.items():
        if mode != "one process" and "one process" in stores:
            results[mode]["same_as_one_process"] = equal = same(stores["one process"], db)
            print(f"{mode}: the same {what} as one process: {equal}")
    return results
