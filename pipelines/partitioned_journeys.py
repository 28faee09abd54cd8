"""A full journey build over buckets of connected customers, as a subflow of the nightly flow whose task runner is the
night's Dask cluster (`cxmining.cluster`): the coordinator's tasks run in the flow's process, the one task per bucket
on the cluster's workers, which are given Parquet paths and never the store (docs/scaling.md).

Tasks only wrap cxmining functions and pass paths.
"""

from __future__ import annotations

from pathlib import Path

from prefect import Flow, flow, get_run_logger, task, unmapped

from cxmining.cluster import Cluster
from cxmining.journeys import JourneyRules, build_line, full_build_due, unstitched_shares
from cxmining.journeys.partitioned import (
    BUCKETS,
    JourneyBucket,
    JourneyPartitions,
    bucket_journeys,
    journey_partitions,
    published_journeys,
)

from .partitioned import buckets_text, on_cluster


@task
def full_journeys_due(db: Path, lookback_days: int, quiet_days: int, rebuild: bool) -> bool:
    """Whether tonight's journey build is a full one (the first night, `rebuild`, other rules or SQL)."""
    return full_build_due(db, JourneyRules(lookback_days=lookback_days, quiet_days=quiet_days), rebuild)


@task
def partitioned_journey_inputs(db: Path, rules: JourneyRules, buckets: int) -> JourneyPartitions:
    """Every event stitched, then written with the order lines as Parquet, one hive partition per bucket of keys."""
    return journey_partitions(db, rules, buckets)


@task
def bucket_journey_rows(bucket: JourneyBucket, rules: JourneyRules) -> Path:
    """One bucket's journey_assignment and journeys rows, as Parquet (run by a cluster worker)."""
    return bucket_journeys(bucket, rules)


@task
def published_journey_rows(db: Path, partitions: JourneyPartitions, rows: list[Path]) -> dict[str, int]:
    """The stitched events and every bucket's rows published as the journey tables, in one transaction; the build's
    line in the log, as a build in one process writes it."""
    counts = published_journeys(db, partitions, rows)
    get_run_logger().info(build_line(counts, unstitched_shares(db)))
    return counts


@flow(name="journeys on a cluster")
def cluster_journeys(db: Path, lookback_days: int = JourneyRules.lookback_days,
                     quiet_days: int = JourneyRules.quiet_days, buckets: int = BUCKETS) -> dict[str, int]:
    """Every journey built from scratch, as `journey_tables` builds them in full, with each bucket's journeys computed
    by a task of the flow's task runner."""
    rules = JourneyRules(lookback_days=lookback_days, quiet_days=quiet_days)
    partitions = partitioned_journey_inputs(db, rules, buckets)
    futures = bucket_journey_rows.map(list(partitions.buckets), unmapped(rules))
    counts = published_journey_rows(db, partitions, futures.result())
    get_run_logger().info("journeys over %s", buckets_text(len(partitions.buckets)))
    return counts


def journeys_on(cluster: Cluster) -> Flow:
    """`cluster_journeys` on `cluster` (`on_cluster`)."""
    return on_cluster(cluster_journeys, cluster)
