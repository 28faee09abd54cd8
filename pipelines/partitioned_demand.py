"""The per-journey failure-demand tables of a full build over customer buckets, as a subflow of the nightly flow whose
task runner is the night's Dask cluster (`cxmining.cluster`): the coordinator's task runs in the flow's process, the
one task per bucket on the cluster's workers, which are given Parquet paths and never the store (docs/scaling.md).
The failure_demand task of the nightly flow then publishes them with the rest of the demand tables.

Tasks only wrap cxmining functions and pass paths.
"""

from __future__ import annotations

from pathlib import Path

from prefect import Flow, flow, get_run_logger, task, unmapped

from cxmining.cluster import Cluster
from cxmining.demand.partitioned import (
    PerJourneyPartitions,
    bucket_per_journey_tables,
    bucketed_tables,
    per_journey_partitions,
)
from cxmining.demand.per_journey import BucketedTables
from cxmining.mining.partitioned import BUCKETS

from .partitioned import buckets_text, on_cluster


@task
def partitioned_journeys(db: Path, rules: Path | None, buckets: int) -> PerJourneyPartitions | None:
    """For a full build of the per-journey demand tables, their input rows as Parquet, one hive partition per customer
    bucket; None when tonight's build is incremental."""
    return per_journey_partitions(db, rules, buckets)


@task
def bucket_demand_features(partitions: PerJourneyPartitions, bucket: int) -> Path:
    """One bucket's per-journey demand tables, as Parquet (run by a cluster worker)."""
    return bucket_per_journey_tables(partitions, bucket)


@flow(name="per-journey demand features on a cluster")
def cluster_demand_features(db: Path, rules: Path | None = None, buckets: int = BUCKETS) -> BucketedTables | None:
    """For a full build, the per-journey demand tables (journey_products, contact_context, web_session_calls,
    web_session_triggers) of each customer bucket, computed by a task of the flow's task runner; None when tonight's
    build is incremental and stays in the flow's process."""
    partitions = partitioned_journeys(db, rules, buckets)
    if partitions is None:
        get_run_logger().info("per-journey demand features: incremental tonight, built in this process")
        return None
    tables = bucket_demand_features.map(unmapped(partitions), list(partitions.buckets)).result()
    get_run_logger().info("per-journey demand features over %s", buckets_text(len(partitions.buckets)))
    return bucketed_tables(partitions, tables)


def demand_features_on(cluster: Cluster) -> Flow:
    """`cluster_demand_features` on `cluster` (`on_cluster`)."""
    return on_cluster(cluster_demand_features, cluster)
