"""The process statistics over customer buckets, as a subflow of the nightly flow whose task runner is the night's
Dask cluster (`cxmining.cluster`): the coordinator's tasks run in the flow's process, the one task per bucket on the
cluster's workers, which are given Parquet paths and never the store (docs/scaling.md).

Tasks only wrap cxmining functions and pass paths.
"""

from __future__ import annotations

from pathlib import Path

from prefect import Flow, flow, get_client, get_run_logger, task

from cxmining.cluster import Cluster, task_runner
from cxmining.mining.partitioned import (
    BUCKETS,
    TracePartitions,
    bucket_partials,
    merged_statistics,
    partials_folder,
    trace_partitions,
)


@task
def partitioned_traces(db: Path, buckets: int, full: bool) -> TracePartitions:
    """`case_traces` brought up to date and written as Parquet, one hive partition per customer bucket."""
    return trace_partitions(db, buckets, full)


@task
def bucket_statistics(traces: Path, partials: Path) -> Path:
    """One bucket's partial aggregates, as Parquet in `partials` (run by a cluster worker)."""
    return bucket_partials(traces, partials)


@task
def merged_process_statistics(db: Path, partitions: TracePartitions, partials: list[Path]) -> dict[str, int]:
    """The buckets' partials merged exactly and published as the mining tables, in one transaction."""
    return merged_statistics(db, partitions, partials)


@flow(name="process statistics on a cluster")
def cluster_statistics(db: Path, buckets: int = BUCKETS, full: bool = False) -> dict[str, int]:
    """Variants, DFG, start/end activities and durations of the journeys, as `process_statistics` builds them, with
    each customer bucket's share computed by a task of the flow's task runner."""
    partitions = partitioned_traces(db, buckets, full)
    futures = bucket_statistics.map(list(partitions.buckets), [partials_folder(b) for b in partitions.buckets])
    counts = merged_process_statistics(db, partitions, futures.result())
    get_run_logger().info("process statistics over %s (%d computed tonight, %d kept from the last night): %s",
                          buckets_text(len(partitions.buckets) + len(partitions.kept)), len(partitions.buckets),
                          len(partitions.kept), ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


def buckets_text(count: int) -> str:
    """'1 bucket', '8 buckets': for the subflows' log lines."""
    return f"{count} bucket" if count == 1 else f"{count} buckets"


def prefect_api_url() -> str:
    """The URL of the Prefect server this process reports to (a cluster's workers report there too)."""
    with get_client(sync_client=True) as client:
        return str(client.api_url)


def on_cluster(subflow: Flow, cluster: Cluster) -> Flow:
    """`subflow` with `cluster`'s task runner (a LocalCluster without an address lives as long as one run of it), its
    workers reporting to the Prefect server this process reports to: how every partitioned stage joins the cluster."""
    return subflow.with_options(task_runner=task_runner(cluster, prefect_api_url()))


def statistics_on(cluster: Cluster) -> Flow:
    """`cluster_statistics` on `cluster` (`on_cluster`)."""
    return on_cluster(cluster_statistics, cluster)
