"""Benchmark: the process statistics in one process vs over customer buckets on a Dask LocalCluster (docs/scaling.md).

    python bench/scale.py                                  # 10^6 events, LocalCluster(2), 8 buckets
    python bench/scale.py --events 10000000 --workers 2 --buckets 16 --work /tmp/scale

The input is a log of `--events` events synthesised once in DuckDB (cached in --work as base-<events>.duckdb, an
imported-log store: `journey_events` only, cases bucketed by their id): ~10 events a case, 30 activities with a
skewed choice, times in whole microseconds with gaps of seconds to days, so nearly every case duration and gap is a
distinct value (the worst case for the exact medians' value counts). Each run starts from a copy of it and builds
every statistic from scratch (`full`), in a fresh subprocess that reports its own peak RSS (VmHWM):

  one process:   cxmining.mining.statistics.mining_tables
  cluster:       trace_partitions, then bucket_partials on each bucket through a plain dask.distributed Client (the
                 workers' peaks read on the workers), then merged_statistics; each step timed apart
  prefect-dask:  the nightly flow's subflow (pipelines/partitioned.py) with DaskTaskRunner(LocalCluster): what
                 `cxmining run --cluster local:N` runs, the cluster's start-up included, Prefect's server not

The parent checks the stores' mining tables are equal (activity_positions to 1e-12) and writes
bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import duckdb
from fresh_process import bucketed_side_by_side

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

LOG = """
CREATE TABLE journey_events AS
WITH cases AS (
    SELECT range AS c, 2 + CAST(hash(range) % 17 AS INTEGER) AS n,  -- 2..18 events, 10 on average
           TIMESTAMP '2025-01-01' + to_microseconds(CAST(hash(range, 'start') % 31536000000000 AS BIGINT)) AS t0
    FROM range($cases)
),
steps AS (
    SELECT c, t0, i,
           -- skewed: low codes far more often, so variants repeat as in real journeys
           CAST(floor(30 * pow(CAST(hash(c, i) % 1000000 AS DOUBLE) / 1e6, 3)) AS INTEGER) AS a,
           CAST(pow(10, 6 + 5 * CAST(hash(c, i, 'gap') % 1000000 AS DOUBLE) / 1e6) AS BIGINT) AS gap_us
    FROM cases, range(n) AS r(i)
)
SELECT
    'case-' || c AS "case:concept:name",
    'activity ' || lpad(CAST(a AS VARCHAR), 2, '0') AS "concept:name",
    t0 + to_microseconds(CAST(sum(gap_us) OVER (PARTITION BY c ORDER BY i) AS BIGINT)) AS "time:timestamp",
    CAST(i AS BIGINT) AS event_order,
    ['web', 'phone', 'orders'][1 + a % 3] AS lane,
    'e-' || c || '-' || i AS event_id
FROM steps
"""


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return math.nan


def base_store(work: Path, events: int) -> Path:
    """The synthesised log of about `events` events (built once)."""
    path = work / f"base-{events}.duckdb"
    if not path.exists():
        began = time.perf_counter()
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        with duckdb.connect(str(partial)) as con:
            con.execute(LOG, {"cases": events // 10})
            count = con.execute("SELECT count(*) FROM journey_events").fetchone()[0]
        partial.rename(path)
        print(f"synthesised {count} events in {time.perf_counter() - began:.1f} s: {path}", file=sys.stderr)
    return path


def one_process(db: Path) -> dict:
    from cxmining.mining.statistics import mining_tables

    began = time.perf_counter()
    counts = mining_tables(db, full=True)
    return {"seconds": time.perf_counter() - began, "coordinator_peak_mb": peak_rss_mb(), "counts": counts}


def on_cluster(db: Path, workers: int, buckets: int) -> dict:
    from distributed import Client, LocalCluster

    from cxmining.mining.partitioned import (
        bucket_partials,
        merged_statistics,
        partials_folder,
        trace_partitions,
    )

    began = time.perf_counter()
    from cxmining.cluster import worker_environment

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      env=worker_environment(workers)) as cluster, \
            Client(cluster) as client:
        started = time.perf_counter()
        partitions = trace_partitions(db, buckets, full=True)
        written = time.perf_counter()
        futures = client.map(bucket_partials, partitions.buckets, [partials_folder(b) for b in partitions.buckets],
                             pure=False)
        partials = client.gather(futures)
        computed = time.perf_counter()
        sizes = sum(f.stat().st_size for p in partials for f in p.iterdir())
        counts = merged_statistics(db, partitions, partials)
        merged = time.perf_counter()
        worker_peaks = client.run(peak_rss_mb)
    return {"seconds": merged - started, "cluster_start_seconds": started - began,
            "steps": {"partitions": written - started, "workers": computed - written, "merge": merged - computed},
            "partials_mb": sizes / 2**20, "coordinator_peak_mb": peak_rss_mb(),
            "worker_peaks_mb": sorted(worker_peaks.values()), "counts": counts}


def through_prefect(db: Path, workers: int, buckets: int) -> dict:
    from cxmining.cluster import Cluster
    from cxmining.runs.embedded_server import embedded_server_url
    from pipelines.partitioned import statistics_on

    embedded_server_url()  # Prefect's temporary server, started before the clock
    began = time.perf_counter()
    counts = statistics_on(Cluster(workers=workers))(db, buckets, True)
    return {"seconds": time.perf_counter() - began, "coordinator_peak_mb": peak_rss_mb(), "counts": counts}


MODES = {"one process": one_process, "cluster": on_cluster, "prefect-dask": through_prefect}


def child(mode: str, db: Path, workers: int, buckets: int) -> None:
    """Run one mode here and print its JSON on the last line."""
    run = MODES[mode]
    result = run(db) if mode == "one process" else run(db, workers, buckets)
    print(json.dumps(result))


def same_statistics(one: Path, other: Path) -> bool:
    """The mining tables of two stores are equal (activity_positions to 1e-12; the ordered ones in order), compared in
    DuckDB: at 10^8 events, fetching them into Python took more than the machine's 24 GB."""
    from cxmining.mining.statistics import MINING_TABLES

    ordered = {"activity_stats", "activity_lanes", "variants", "dfg", "start_activities", "end_activities"}
    with duckdb.connect(str(one), read_only=True) as con:
        con.execute("SET memory_limit = '4GB'")
        con.execute("ATTACH $path AS other (READ_ONLY)", {"path": str(other)})
        for name in MINING_TABLES:  # names from a fixed list
            if name == "activity_positions":
                query = ("SELECT count(*) FROM main.activity_positions AS a FULL JOIN other.activity_positions AS b "
                         "USING (activity) WHERE a.mean_position IS NULL OR b.mean_position IS NULL "
                         "OR abs(a.mean_position - b.mean_position) > 1e-12 * greatest(abs(a.mean_position), 1)")
            else:
                rows = f"SELECT {'row_number() OVER () AS i, ' if name in ordered else ''}* FROM {{}}.{name}"
                query = (f"SELECT count(*) FROM (({rows.format('main')} EXCEPT ALL {rows.format('other')}) "
                         f"UNION ALL ({rows.format('other')} EXCEPT ALL {rows.format('main')}))")
            if con.execute(query).fetchone()[0]:
                print(f"{name} differs", file=sys.stderr)
                return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10**6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--buckets", type=int, default=8)
    parser.add_argument("--work", type=Path, default=Path("/tmp/cxmining-scale"))
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated: " + ", ".join(MODES))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.db, args.workers, args.buckets)
    args.work.mkdir(parents=True, exist_ok=True)
    base = base_store(args.work, args.events)
    results = bucketed_side_by_side(Path(__file__), args.modes.split(","), base, args.work, args.workers, args.buckets,
                                    same_statistics, "statistics")
    with duckdb.connect(str(base), read_only=True) as con:
        events, cases = con.execute('SELECT count(*), count(DISTINCT "case:concept:name") FROM journey_events').fetchone()
    report = {"events": events, "cases": cases, "workers": args.workers, "buckets": args.buckets,
              "cpus": os.cpu_count(), "results": results}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "scale.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
