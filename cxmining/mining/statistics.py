"""Process statistics of the journeys, computed in DuckDB: variants, directly-follows graph, start/end activities, durations."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cxmining.errors import StoreError
from cxmining.store import opened, row_counts, sql_text, transaction

# Order matters: each relation reads the ones before it. activity_stats numbers the activities;
# mining_events (temporary) reads journey_events once; case_traces (temporary) turns it into per-case lists
# that everything else derives from.
MINING_FILES = (
    "mining/mining_events.sql",
    "mining/activity_stats.sql",
    "mining/activity_lanes.sql",
    "mining/case_traces.sql",
    "mining/activity_positions.sql",
    "mining/case_durations.sql",
    "mining/variants.sql",
    "mining/case_variants.sql",
    "mining/dfg.sql",
    "mining/start_activities.sql",
    "mining/end_activities.sql",
)
WORKING_TABLES = ("mining_events", "case_traces")
MINING_TABLES = tuple(Path(r).stem for r in MINING_FILES if Path(r).stem not in WORKING_TABLES)
INPUT_COLUMNS = ("case:concept:name", "concept:name", "time:timestamp", "event_order", "lane", "event_id")


def mining_tables(db: str | Path | duckdb.DuckDBPyConnection) -> dict[str, int]:
    """(Re)build the mining tables from `journey_events`; return their row counts."""
    with opened(db) as con:
        _check_input(con)
        with transaction(con):  # readers see the old statistics or the new ones, never a mix
            for relative in MINING_FILES:
                con.execute(sql_text(relative))
            for name in WORKING_TABLES:
                con.execute(f"DROP TABLE {name}")
        return row_counts(con, MINING_TABLES)


def _check_input(con: duckdb.DuckDBPyConnection) -> None:
    """Raise StoreError unless `journey_events` exists with the columns the mining SQL reads."""
    found = {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = $name", {"name": "journey_events"}
        ).fetchall()
    }
    if not found:
        raise StoreError("no journey_events relation in the store; build the journeys (or import a log) first")
    missing = [column for column in INPUT_COLUMNS if column not in found]
    if missing:
        raise StoreError(f"journey_events lacks column(s) {', '.join(missing)}; rebuild it with the current cxmining")
