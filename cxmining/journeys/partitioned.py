"""A full journey build over buckets of connected customers, for a cluster: the same `stitched_events`,
`journey_assignment` and `journeys` as `journey_tables` builds from scratch, with the journey rules run by workers in
parallel and the tables published by the one writer.

Three steps, each one call (docs/scaling.md):

1. `journey_partitions` (the coordinator, the only process that opens the store): every event stitched as a full build
   does (the global keys: phone keys, visitor logins), into the working table `journey_full_stitched`; the
   connected components of the keys that tie journeys together (customers, orders, web sessions, anonymous browsers)
   found on compact key tables; the stitched events (the columns the rules read) and the order lines written as
   Parquet, hive-partitioned by a stable hash of their component: `<store>.parts/journeys/{stitched_events,orders}/
   bucket=K/`.
2. `bucket_journeys` (a worker, one call per bucket): the bucket's Parquet read into the worker's own in-memory
   DuckDB, the journey macros of sql/journeys/ applied to it, its `journey_assignment` and `journeys` rows written as
   Parquet. It is given paths and never the store.
3. `published_journeys` (the coordinator): the stitched events and every bucket's rows published in one transaction
   with the build's record, as a full build does; the partitions folder is removed after.

The incremental night stays with `journey_tables`: it reads only what the night touched (`full_build_due` says which
one a night needs).
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cxmining.cluster import BUCKETS, checked_buckets, partitions_folder, partitions_removed
from cxmining.journeys import (
    JourneyRules,
    build_plan,
    built_counts,
    drop_working_tables,
    published_in_full,
    record_build,
    stitched_in_full,
)
from cxmining.store import dropped, opened, query_text, run_sql, sql_text, transaction

log = logging.getLogger(__name__)
COMPONENT_ROUNDS = 40  # label propagation with pointer jumping: rounds grow with the log of the longest chain of keys
COMPONENT_FILES = (  # the coordinator's working tables, each reading the ones before it
    "journeys/journey_key_nodes.sql",
    "journeys/journey_event_nodes.sql",
    "journeys/journey_key_edges.sql",
    "journeys/journey_components.sql",
)
COMPONENT_TABLES = ("journey_key_nodes", "journey_event_nodes", "journey_key_edges", "journey_components")
# what each bucket holds, one hive-partitioned Parquet folder per relation: (folder, the query writing it)
BUCKETED = (("stitched_events", "journeys/bucketed_stitched_events.sql"), ("orders", "journeys/bucketed_orders.sql"))
MACRO_FILES = ("journeys/journey_assignment_of.sql", "journeys/journeys_of.sql")  # a worker's journey rules
ROW_FILES = ("journey_assignment.parquet", "journeys.parquet")  # a worker's rows, named after their tables


@dataclass(frozen=True)
class JourneyBucket:
    """One bucket of a cluster build: the folders of its stitched events and order lines (Parquet), and the folder
    its journey rows go to."""

    events: Path
    orders: Path
    rows: Path


@dataclass(frozen=True)
class JourneyPartitions:
    """What `journey_partitions` wrote: the folder of the build's partitions, each bucket, and the rules to apply."""

    folder: Path
    buckets: tuple[JourneyBucket, ...]
    rules: JourneyRules


def journey_partitions(db: str | Path, rules: JourneyRules = JourneyRules(), buckets: int = BUCKETS) -> JourneyPartitions:
    """Every event of the store stitched into the working table `journey_full_stitched` (committed; the journeys stay
    as they were until `published_journeys`), then written with the order lines as Parquet under
    `partitions_folder(db)/journeys/` in `buckets` hive partitions, each event and order line in the bucket of its
    component of keys, so every journey lies whole in one bucket. Earlier journey partitions there are removed first."""
    checked_buckets(buckets)
    folder = partitions_folder(db) / "journeys"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with opened(db) as con:
        build_plan(con, rules, full=True)  # the macros and the build's phone keys
        with transaction(con):
            stitched_in_full(con, "journey_full_stitched")
        settled = _components(con)
        for name, relative in BUCKETED:
            con.execute(f"COPY ({query_text(relative)}) TO $folder (FORMAT parquet, PARTITION_BY (bucket))",
                        {"buckets": buckets if settled else 1, "folder": str(folder / name)})
        for events in (folder / "stitched_events").glob("bucket=*"):  # a bucket without orders reads an empty file
            orders = folder / "orders" / events.name
            if not orders.is_dir():
                orders.mkdir(parents=True)
                con.execute(f"COPY ({query_text('journeys/bucketed_orders.sql')} LIMIT 0) TO $path (FORMAT parquet)",
                            {"buckets": 1, "path": str(orders / "empty.parquet")})
        dropped(con, COMPONENT_TABLES)  # the stitching's own working tables are temporary: gone with `con`
    found = sorted((folder / "stitched_events").glob("bucket=*"), key=_bucket_number)
    return JourneyPartitions(folder, tuple(JourneyBucket(events, folder / "orders" / events.name,
                                                         folder / "rows" / events.name) for events in found), rules)


def bucket_journeys(bucket: JourneyBucket, rules: JourneyRules) -> Path:
    """The `journey_assignment` and `journeys` rows of one bucket, as `journey_assignment.parquet` and
    `journeys.parquet` in `bucket.rows` (created): the journey rules of sql/journeys/ applied to the bucket's events
    and order lines in an in-memory DuckDB of this process, so any worker can run it."""
    bucket.rows.mkdir(parents=True, exist_ok=True)
    with opened(":memory:") as con:  # UTC, and this worker's share of the machine (cluster.worker_environment)
        for relative in MACRO_FILES:
            con.execute(sql_text(relative))
        run_sql(con, "journeys/bucket_stitched_events.sql", {"events": str(bucket.events / "*.parquet")})
        run_sql(con, "journeys/bucket_orders.sql", {"orders": str(bucket.orders / "*.parquet")})
        con.execute("CREATE TABLE bucket_assignment AS FROM journey_assignment_of("
                    "'bucket_stitched_events', 'bucket_orders', $lookback_days, $quiet_days)",
                    {"lookback_days": rules.lookback_days, "quiet_days": rules.quiet_days})
        con.execute("COPY bucket_assignment TO $path (FORMAT parquet)", {"path": str(bucket.rows / ROW_FILES[0])})
        con.execute("COPY (FROM journeys_of('bucket_assignment', 'bucket_stitched_events')) TO $path (FORMAT parquet)",
                    {"path": str(bucket.rows / ROW_FILES[1])})
    return bucket.rows


def published_journeys(db: str | Path, partitions: JourneyPartitions, rows: list[Path]) -> dict[str, int]:
    """`journey_full_stitched` as `stitched_events`, and every bucket's `rows` as `journey_assignment` and `journeys`,
    published in one transaction with the views, `journey_files` and the build's record, as a full build of
    `journey_tables` publishes them; the partitions folder is removed after. What `journey_tables` returns."""
    rules = partitions.rules
    with opened(db) as con:
        plan = build_plan(con, rules, full=True)
        with transaction(con):  # readers see the old journeys or the new ones, never a mix
            con.execute("DROP TABLE IF EXISTS stitched_events")
            con.execute("ALTER TABLE journey_full_stitched RENAME TO stitched_events")
            # the tables typed as a one-process build types them: the same macros over no rows, then every bucket's
            con.execute("CREATE OR REPLACE TEMP TABLE journey_no_events AS FROM stitched_events LIMIT 0")
            con.execute("CREATE OR REPLACE TEMP TABLE journey_no_orders AS FROM raw_orders LIMIT 0")
            con.execute("CREATE OR REPLACE TABLE journey_assignment AS FROM journey_assignment_of("
                        "'journey_no_events', 'journey_no_orders', $lookback_days, $quiet_days)",
                        {"lookback_days": rules.lookback_days, "quiet_days": rules.quiet_days})
            con.execute("CREATE OR REPLACE TABLE journeys AS FROM journeys_of('journey_assignment', 'journey_no_events')")
            for table, name in zip(("journey_assignment", "journeys"), ROW_FILES, strict=True):
                if rows:
                    con.execute(f"INSERT INTO {table} BY NAME FROM read_parquet($paths, hive_partitioning = false)",
                                {"paths": [str(r / name) for r in rows]})
            published_in_full(con)
            record_build(con, plan.settings, "full", plan.generation)
        dropped(con, ("journey_no_events", "journey_no_orders"))
        drop_working_tables(con)
        counts = built_counts(con, None)
    partitions_removed(partitions.folder)
    return counts


def _components(con: duckdb.DuckDBPyConnection) -> bool:
    """The working tables of COMPONENT_FILES, `journey_components` settled by rounds of label propagation; False
    (with a warning) when it did not settle in COMPONENT_ROUNDS rounds, and the build must use one bucket."""
    for relative in COMPONENT_FILES:
        con.execute(sql_text(relative))
    for _ in range(COMPONENT_ROUNDS):
        if not con.execute(sql_text("journeys/journey_component_round.sql")).fetchone()[0]:
            return True
        con.execute(sql_text("journeys/journey_component_shortcut.sql"))
    log.warning("journeys: the keys' components did not settle in %d rounds; one bucket holds every journey",
                COMPONENT_ROUNDS)
    return False


def _bucket_number(folder: Path) -> int:
    """K of a hive partition folder `bucket=K`."""
    return int(folder.name.partition("=")[2])
