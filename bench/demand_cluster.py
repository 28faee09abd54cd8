"""Benchmark: the failure-demand step in one process vs with its per-journey tables over customer buckets on a Dask
LocalCluster (docs/scaling.md).

    python bench/demand_cluster.py                                  # 20,000 customers, LocalCluster(2), 8 buckets
    python bench/demand_cluster.py --customers 5000 --workers 2 --buckets 16 --work /tmp/demand-scale

The input is a generated sample (`cxmining sample`: `--customers` customers over 60 days), ingested and stitched into
journeys once (cached in --work as base-<customers>.duckdb). Each run starts from a copy of it, so the per-journey
tables are due for a full build, in a fresh subprocess that reports its own peak RSS (VmHWM):

  one process:   cxmining.demand.tables.demand_tables
  per-journey tables alone: only their full build in one process (per_journey_tables), what the workers replace
  cluster:       per_journey_partitions, then bucket_per_journey_tables on each bucket through a plain
                 dask.distributed Client (workers with a night's environment: their share of the cores and memory),
                 then demand_tables with the buckets' tables; each step timed apart

The parent checks that every demand table (cxmining.demand.tables.TABLES and the per-journey tables) holds the same
rows in both stores and writes bench/results/demand_cluster.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import time
from pathlib import Path

import duckdb
from fresh_process import child_environment, child_report, sample_store

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # this checkout's cxmining, in this process as in the children


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return math.nan


def cpu_seconds() -> float:
    """CPU time this process has used (user and system, every thread), s."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_timed_bucket(partitions: object, bucket: int) -> tuple[Path, float]:
    """`bucket_per_journey_tables` as a worker runs it, with the CPU seconds it took there."""
    from cxmining.demand.partitioned import bucket_per_journey_tables

    began = cpu_seconds()
    return bucket_per_journey_tables(partitions, bucket), cpu_seconds() - began


def base_store(work: Path, customers: int) -> Path:
    """A generated sample of `customers` customers, ingested, with its journeys (built once)."""
    return sample_store(work, customers, seed=11, days=60, through="journeys")


def one_process(db: Path, workers: int, buckets: int) -> dict:
    from cxmining.demand.tables import demand_tables

    began, cpu = time.perf_counter(), cpu_seconds()
    counts = demand_tables(db)
    return {"seconds": time.perf_counter() - began, "cpu_seconds": cpu_seconds() - cpu,
            "coordinator_peak_mb": peak_rss_mb(), "counts": counts}


def per_journey_alone(db: Path, workers: int, buckets: int) -> dict:
    """The per-journey tables alone, in one process: what the workers' step replaces."""
    from cxmining.demand.per_journey import per_journey_build, per_journey_tables
    from cxmining.demand.rules import demand_rules
    from cxmining.demand.tables import rule_parameters
    from cxmining.store import opened, transaction

    params = rule_parameters(demand_rules())
    began, cpu = time.perf_counter(), cpu_seconds()
    with opened(db) as con, transaction(con):
        per_journey_tables(con, params, per_journey_build(con, params))
    return {"seconds": time.perf_counter() - began, "cpu_seconds": cpu_seconds() - cpu, "coordinator_peak_mb": peak_rss_mb()}


def on_cluster(db: Path, workers: int, buckets: int) -> dict:
    from distributed import Client, LocalCluster

    from cxmining.cluster import worker_environment
    from cxmining.demand.partitioned import bucketed_tables, per_journey_partitions
    from cxmining.demand.tables import demand_tables

    began = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      env=worker_environment(workers)) as cluster, Client(cluster) as client:
        started, cpu = time.perf_counter(), cpu_seconds()
        partitions = per_journey_partitions(db, None, buckets)
        written = time.perf_counter()
        inputs_mb = sum(f.stat().st_size for f in partitions.folder.rglob("*.parquet")) / 2**20
        futures = client.map(cpu_timed_bucket, [partitions] * len(partitions.buckets), partitions.buckets, pure=False)
        tables, worker_cpu = zip(*client.gather(futures)) if partitions.buckets else ((), ())
        computed = time.perf_counter()
        counts = demand_tables(db, None, bucketed_tables(partitions, list(tables)))
        merged = time.perf_counter()
        worker_peaks = client.run(peak_rss_mb)
    return {"seconds": merged - started, "cluster_start_seconds": started - began,
            "steps": {"partitions": written - started, "workers": computed - written, "demand_tables": merged - computed},
            "parquet_mb": inputs_mb, "coordinator_peak_mb": peak_rss_mb(),
            "cpu_seconds": {"coordinator": cpu_seconds() - cpu, "workers": sum(worker_cpu)},
            "worker_peaks_mb": sorted(worker_peaks.values()), "counts": counts}


MODES = {"one process": one_process, "per-journey tables alone": per_journey_alone, "cluster": on_cluster}


def same_demand(one: Path, other: Path) -> bool:
    """Every demand table of two stores holds the same rows (as sets) with the same schema."""
    from cxmining.demand.per_journey import PER_JOURNEY
    from cxmining.demand.tables import TABLES

    with duckdb.connect(str(one), read_only=True) as a, duckdb.connect(str(other), read_only=True) as b:
        for name in dict.fromkeys((*TABLES, *(table for table, _, _ in PER_JOURNEY))):
            if a.execute(f"DESCRIBE {name}").fetchall() != b.execute(f"DESCRIBE {name}").fetchall() or \
                    sorted(a.execute(f"FROM {name}").fetchall(), key=repr) != \
                    sorted(b.execute(f"FROM {name}").fetchall(), key=repr):
                print(f"{name} differs", file=sys.stderr)
                return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--buckets", type=int, default=8)
    parser.add_argument("--work", type=Path, default=Path("/tmp/cxmining-demand-scale"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(MODES[args.child](args.db, args.workers, args.buckets)))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    base = base_store(args.work, args.customers)
    env = child_environment()
    results, stores = {}, {}
    for mode in MODES:
        results[mode], stores[mode] = child_report(Path(__file__), mode, base, args.work, "--workers", str(args.workers),
                                                   "--buckets", str(args.buckets), env=env)
        r = results[mode]
        cpu = r["cpu_seconds"]
        cpu_text = f"{cpu:.1f}" if "steps" not in r else f"{cpu['coordinator']:.1f} + workers {cpu['workers']:.1f}"
        print(f"{mode:>24}: {r['seconds']:6.1f} s (CPU {cpu_text} s), coordinator peak {r['coordinator_peak_mb']:6.0f} MB"
              + (f", workers' peaks {', '.join(f'{m:.0f}' for m in r['worker_peaks_mb'])} MB; partitions "
                 f"{r['steps']['partitions']:.1f} s, workers {r['steps']['workers']:.1f} s, demand_tables "
                 f"{r['steps']['demand_tables']:.1f} s, Parquet {r['parquet_mb']:.0f} MB, cluster start "
                 f"{r['cluster_start_seconds']:.1f} s" if "steps" in r else ""))
    equal = same_demand(stores["one process"], stores["cluster"])
    results["cluster"]["same_as_one_process"] = equal
    print(f"cluster: the same demand tables as one process: {equal}")
    with duckdb.connect(str(base), read_only=True) as con:
        journeys, events = con.execute("SELECT count(*), sum(events) FROM journeys").fetchone()
    report = {"customers": args.customers, "journeys": journeys, "journey_events": int(events), "workers": args.workers,
              "buckets": args.buckets, "cpus": os.cpu_count(), "results": results}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "demand_cluster.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
