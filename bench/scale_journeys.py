"""Benchmark: a full journey build in one process vs over buckets of connected keys on a Dask LocalCluster
(docs/scaling.md, "Journeys on the cluster").

    python bench/scale_journeys.py                                # 20,000 customers, LocalCluster(2), 8 buckets
    python bench/scale_journeys.py --customers 200000 --work /tmp/scale-journeys

The input is a generated sample (`cxmining sample --customers N --days 60`), ingested once (cached in --work as
base-<customers>.duckdb, raw tables only). Each run starts from a copy of it and builds every journey from scratch,
in a fresh subprocess that reports its own peak RSS (VmHWM):

  one process:   cxmining.journeys.journey_tables(full=True)
  cluster:       journey_partitions, then bucket_journeys on each bucket through a plain dask.distributed Client (the
                 workers' peaks read on the workers), then published_journeys; each step timed apart
  prefect-dask:  the nightly flow's subflow (pipelines/partitioned_journeys.py) with DaskTaskRunner(LocalCluster):
                 what `cxmining run --cluster local:N` runs on a full night, the cluster's start-up included

The parent checks the stores' journey tables are equal row for row (events matched by event_id) and writes
bench/results/scale_journeys.json.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import duckdb
from fresh_process import bucketed_side_by_side, sample_store
from scale import peak_rss_mb

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
COMPARED = (  # every row a build writes; event numbers are a build's own, so events are matched by event_id
    "SELECT * EXCLUDE (event_no) FROM stitched_events ORDER BY event_id",
    "SELECT s.event_id, a.* EXCLUDE (event_no) FROM journey_assignment AS a JOIN stitched_events AS s USING (event_no) "
    "ORDER BY s.event_id",
    "SELECT * FROM journeys ORDER BY journey_id",
)


def base_store(work: Path, customers: int) -> Path:
    """The generated sample of `customers` customers, ingested (built once)."""
    return sample_store(work, customers, seed=7, days=60)


def one_process(db: Path) -> dict:
    from cxmining.journeys import journey_tables

    began = time.perf_counter()
    counts = journey_tables(db, full=True)
    return {"seconds": time.perf_counter() - began, "coordinator_peak_mb": peak_rss_mb(), "counts": counts}


def on_cluster(db: Path, workers: int, buckets: int) -> dict:
    from distributed import Client, LocalCluster

    from cxmining.journeys.partitioned import bucket_journeys, journey_partitions, published_journeys

    began = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        started = time.perf_counter()
        partitions = journey_partitions(db, buckets=buckets)
        written = time.perf_counter()
        sizes = sum(f.stat().st_size for f in partitions.folder.rglob("*.parquet"))
        futures = client.map(bucket_journeys, partitions.buckets, rules=partitions.rules, pure=False)
        rows = client.gather(futures)
        computed = time.perf_counter()
        counts = published_journeys(db, partitions, rows)
        merged = time.perf_counter()
        worker_peaks = client.run(peak_rss_mb)
    return {"seconds": merged - started, "cluster_start_seconds": started - began,
            "steps": {"partitions": written - started, "workers": computed - written, "merge": merged - computed},
            "partitions_mb": sizes / 2**20, "coordinator_peak_mb": peak_rss_mb(),
            "worker_peaks_mb": sorted(worker_peaks.values()), "counts": counts}


def through_prefect(db: Path, workers: int, buckets: int) -> dict:
    from cxmining.cluster import Cluster
    from cxmining.runs.embedded_server import embedded_server_url
    from pipelines.partitioned_journeys import journeys_on

    embedded_server_url()  # Prefect's temporary server, started before the clock
    began = time.perf_counter()
    counts = journeys_on(Cluster(workers=workers))(db, buckets=buckets)
    return {"seconds": time.perf_counter() - began, "coordinator_peak_mb": peak_rss_mb(), "counts": counts}


MODES = {"one process": one_process, "cluster": on_cluster, "prefect-dask": through_prefect}


def same_journeys(one: Path, other: Path) -> bool:
    with duckdb.connect(str(one), read_only=True) as a, duckdb.connect(str(other), read_only=True) as b:
        return all(a.execute(sql).fetchall() == b.execute(sql).fetchall() for sql in COMPARED)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--buckets", type=int, default=8)
    parser.add_argument("--work", type=Path, default=Path("/tmp/cxmining-scale-journeys"))
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated: " + ", ".join(MODES))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run = MODES[args.child]
        result = run(args.db) if args.child == "one process" else run(args.db, args.workers, args.buckets)
        return print(json.dumps(result))
    args.work.mkdir(parents=True, exist_ok=True)
    base = base_store(args.work, args.customers)
    results = bucketed_side_by_side(Path(__file__), args.modes.split(","), base, args.work, args.workers, args.buckets,
                                    same_journeys, "journeys")
    with duckdb.connect(str(base), read_only=True) as con:
        events = con.execute("SELECT count(*) FROM events").fetchone()[0]
    report = {"customers": args.customers, "events": events, "workers": args.workers, "buckets": args.buckets,
              "cpus": os.cpu_count(), "results": results}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "scale_journeys.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
