"""The per-journey failure-demand tables (PER_JOURNEY) of a full build over customer buckets, for a cluster: each
bucket's journeys made into those tables by a worker, which the one writer then publishes with everything that reads
across journeys (docs/scaling.md).

Three steps, each one call:

1. `per_journey_partitions` (the coordinator, the only process that opens the store): when tonight's build of the
   per-journey tables is full, the rows their macros read (journeys, journey_assignment, stitched_events and the
   order lines of raw_orders, only the columns read), written as Parquet, hive-partitioned by a stable hash of each
   journey's customer: `<store>.parts/demand/<relation>/bucket=K/`. An incremental night writes nothing: it stays in
   the coordinator, where it costs what the night changed.
2. `bucket_per_journey_tables` (a worker, one call per bucket): the bucket's Parquet read into the worker's own
   in-memory DuckDB under the store's names; the same macros with the same rule values, over all its journeys; each
   table written as `<store>.parts/demand/tables/bucket=K/<table>.parquet`. It is given paths and never the store.
3. `demand_tables(db, rules, bucketed_tables(...))` (the coordinator): the tables made from every bucket's files in
   the transaction that builds the rest of the failure-demand tables, with their tests on the merged counts.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from cxmining.cluster import BUCKETS, checked_buckets, partitions_folder
from cxmining.demand.per_journey import (
    BucketedTables,
    PerJourneyBuild,
    per_journey_build,
    per_journey_sources,
    rule_values,
)
from cxmining.demand.rules import demand_rules
from cxmining.demand.tables import rule_parameters
from cxmining.store import dropped, opened, query_text, run_sql

# What a worker reads, per relation under the store's name: the coordinator's query writing its partitions, and the
# worker's working table reading one bucket of them.
PARTITIONED = (
    ("journeys", "demand/bucketed_journeys.sql", "demand/journeys_of_bucket.sql"),
    ("journey_assignment", "demand/bucketed_journey_assignment.sql", "demand/journey_assignment_of_bucket.sql"),
    ("stitched_events", "demand/bucketed_stitched_events.sql", "demand/stitched_events_of_bucket.sql"),
    ("raw_orders", "demand/bucketed_order_lines.sql", "demand/raw_orders_of_bucket.sql"),
)


@dataclass(frozen=True)
class PerJourneyPartitions:
    """What `per_journey_partitions` wrote for a full build: the folder (`<store>.parts/demand`), the buckets that hold
    journeys, the build the tables are for, and the rule values the macros read."""

    folder: Path
    buckets: tuple[int, ...]
    build: PerJourneyBuild
    values: dict[str, object]


def demand_partitions_folder(db: str | Path) -> Path:
    """Where a store's per-journey demand partitions live: `<store>.parts/demand/`."""
    return partitions_folder(db) / "demand"


def per_journey_partitions(db: str | Path, rules: Path | None = None,
                           buckets: int = BUCKETS) -> PerJourneyPartitions | None:
    """When tonight's build of the per-journey tables (with the rules file `rules`, None: the shipped rules) is full: the rows they are
    made from, written in `buckets` hive partitions per relation under `demand_partitions_folder(db)`, with a file of
    no rows per relation (`columns/<relation>.parquet`) for a bucket that has none of it. None when it is incremental.
    Earlier partitions there are removed first."""
    checked_buckets(buckets)
    params = rule_parameters(demand_rules(rules))
    folder = demand_partitions_folder(db)
    shutil.rmtree(folder, ignore_errors=True)
    with opened(db) as con:
        build = per_journey_build(con, params)
        dropped(con, ("changed_journeys",))
        if build.incremental:
            return None
        (folder / "columns").mkdir(parents=True)
        run_sql(con, "demand/demand_buckets.sql", {"buckets": buckets})
        for relation, query, _ in PARTITIONED:
            con.execute(f"COPY ({query_text(query)}) TO $path (FORMAT parquet, PARTITION_BY (bucket))",
                        {"path": str(folder / relation)})
            con.execute(f"COPY (SELECT * EXCLUDE (bucket) FROM ({query_text(query)}) LIMIT 0) TO $path (FORMAT parquet)",
                        {"path": str(_columns_file(folder, relation))})
        dropped(con, ("demand_buckets",))
    journeys = sorted(int(p.name.partition("=")[2]) for p in (folder / "journeys").glob("bucket=*"))
    return PerJourneyPartitions(folder, tuple(journeys), build, rule_values(params))


def bucket_per_journey_tables(partitions: PerJourneyPartitions, bucket: int) -> Path:
    """The per-journey tables of the journeys of `bucket`, each as `<table>.parquet` in the folder returned
    (`tables/bucket=K/` of the partitions folder); computed in an in-memory DuckDB of this process, so any worker can
    run it."""
    tables = partitions.folder / "tables" / f"bucket={bucket}"
    tables.mkdir(parents=True, exist_ok=True)
    with opened(":memory:") as con:  # UTC, and this worker's share of the machine (cluster.worker_environment)
        for relation, _, working in PARTITIONED:
            files = [_columns_file(partitions.folder, relation),
                     *sorted((partitions.folder / relation / f"bucket={bucket}").glob("*.parquet"))]
            run_sql(con, working, {"files": [str(f) for f in files]})
        for table, source, values in per_journey_sources(con, partitions.values, "journeys"):
            con.execute(f"COPY (FROM {source}) TO $path (FORMAT parquet)",
                        values | {"path": str(tables / f"{table}.parquet")})
    return tables


def bucketed_tables(partitions: PerJourneyPartitions, tables: list[Path]) -> BucketedTables:
    """What `demand_tables` publishes the per-journey tables from: every bucket's folder of tables (the workers')."""
    return BucketedTables(partitions.build, partitions.folder, tuple(tables))


def _columns_file(folder: Path, relation: str) -> Path:
    """The file of no rows that gives a relation's columns to a bucket without rows of it."""
    return folder / "columns" / f"{relation}.parquet"
