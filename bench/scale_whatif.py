"""Benchmark: the what-if step's simulation in one process vs on a Dask LocalCluster through Prefect (docs/scaling.md).

    cxmining sample --out /tmp/w/landing --customers 20000
    cxmining run --landing /tmp/w/landing --db /tmp/w/store.duckdb --out /tmp/w/out
    python bench/scale_whatif.py --db /tmp/w/store.duckdb --scenarios /tmp/w/landing/scenarios [--replications 40]

Each mode runs `whatif_tables` on its own copy of the store (a store built by `cxmining run`, with its demand tables)
with the scenarios of `--scenarios` (their `replications`, or `--replications`), in a fresh subprocess that reports
its seconds and its peak RSS (VmHWM):

  one process:   the default path, as a night without --cluster takes it (every core only from PARALLEL_FROM)
  every core:    the same, with the replications forced onto this machine's processes (cores.Workers)
  prefect-dask:  the what-if subflow (pipelines/partitioned_whatif.py) with DaskTaskRunner(LocalCluster): what
                 `cxmining run --cluster local:N` runs, the cluster's start-up included, Prefect's server not

The parent checks that every mode stored the same whatif_validation and whatif_results rows (but for simulated_at)
and writes bench/results/scale_whatif.json.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from fresh_process import child_environment

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]  # this checkout's cxmining and pipelines, and the sibling benchmark
from scale import peak_rss_mb  # noqa: E402 - the sibling benchmark's reading of VmHWM


def one_process(db: Path, scenarios: Path, replications: int | None, workers: int, per_task: int) -> dict:
    from cxmining.whatif.results import whatif_tables
    from cxmining.whatif.scenario import folder_scenarios

    began = time.perf_counter()
    checked, _ = whatif_tables(db, folder_scenarios(scenarios), replications)
    return {"seconds": time.perf_counter() - began, "replications": int(checked["replications"][0])}


def every_core(db: Path, scenarios: Path, replications: int | None, workers: int, per_task: int) -> dict:
    from cxmining.whatif import simulation

    simulation.PARALLEL_FROM = 0
    simulation.usable_cores = lambda: workers
    return one_process(db, scenarios, replications, workers, per_task)


def through_prefect(db: Path, scenarios: Path, replications: int | None, workers: int, per_task: int) -> dict:
    from cxmining.cluster import Cluster
    from cxmining.runs.embedded_server import embedded_server_url
    from cxmining.whatif.scenario import folder_scenarios
    from pipelines.partitioned_whatif import whatif_on

    chosen = folder_scenarios(scenarios)
    if replications is not None:  # as --replications on `cxmining whatif`: every scenario the same number
        chosen = [(s.model_copy(update={"replications": replications}), p) for s, p in chosen]
    embedded_server_url()  # Prefect's temporary server, started before the clock
    began = time.perf_counter()
    checked, _ = whatif_on(Cluster(workers=workers))(db, chosen, per_task)
    return {"seconds": time.perf_counter() - began, "replications": int(checked["replications"][0])}


MODES = {"one process": one_process, "every core": every_core, "prefect-dask": through_prefect}


def stored_rows(db: Path) -> list:
    with duckdb.connect(str(db), read_only=True) as con:
        return [sorted(con.execute(f"SELECT * EXCLUDE (simulated_at) FROM {t}").fetchall(), key=repr)
                for t in ("whatif_validation", "whatif_results")]


def model_mb(db: Path) -> float:
    """The size of the file the workers are given: the calibrated model with the regimes, seed and flag, pickled."""
    from cxmining.whatif.simulation import calibrated_model

    return len(pickle.dumps((calibrated_model(db), [], 1, True), protocol=pickle.HIGHEST_PROTOCOL)) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a store built by `cxmining run` (it is copied)")
    parser.add_argument("--scenarios", type=Path, required=True, help="a folder of scenario files")
    parser.add_argument("--replications", type=int, help="every scenario's replications (default: the files')")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-task", type=int, default=None, help="replications per cluster task (default: PER_TASK)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/cxmining-scale-whatif"))
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated: " + ", ".join(MODES))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.per_task is None:
        from cxmining.whatif.chunked import PER_TASK
        args.per_task = PER_TASK
    if args.child:
        result = MODES[args.child](args.db, args.scenarios, args.replications, args.workers, args.per_task)
        print(json.dumps(result | {"peak_mb": peak_rss_mb()}))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    env = child_environment()
    results, rows = {}, {}
    for mode in args.modes.split(","):
        db = Path(shutil.copy(args.db, args.work / f"{mode.replace(' ', '-')}.duckdb"))
        command = [sys.executable, __file__, "--child", mode, "--db", str(db), "--scenarios", str(args.scenarios),
                   "--workers", str(args.workers), "--per-task", str(args.per_task), "--work", str(args.work)]
        command += ["--replications", str(args.replications)] if args.replications else []
        out = subprocess.run(command, env=env, capture_output=True, text=True)
        if out.returncode:
            sys.exit(f"{mode} failed: {out.stderr[-2000:]}")
        results[mode], rows[mode] = json.loads(out.stdout.strip().splitlines()[-1]), stored_rows(db)
        r = results[mode]
        print(f"{mode:>12}: {r['seconds']:6.1f} s for {r['replications']} replications, peak {r['peak_mb']:.0f} MB")
    first = next(iter(rows))
    for mode in rows:
        results[mode]["same_as_" + first.replace(" ", "_")] = rows[mode] == rows[first]
        print(f"{mode}: the same what-if rows as {first}: {rows[mode] == rows[first]}")
    with duckdb.connect(str(args.db), read_only=True) as con:
        calls = con.execute("SELECT count(*) FROM contact_demand WHERE channel = 'phone'").fetchone()[0]
    report = {"store": str(args.db), "phone_calls": calls, "model_file_mb": model_mb(args.db), "workers": args.workers,
              "per_task": args.per_task, "cpus": os.cpu_count(), "results": results}
    print(f"model file {report['model_file_mb']:.1f} MB, {calls} phone calls")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "scale_whatif.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
