"""Process statistics of the journeys, computed in DuckDB: variants, directly-follows graph, start/end activities, durations.

Every statistic is derived from `case_traces` (each case as lists of activity codes, times and lanes), which is kept
from night to night: a run reads from `journey_events` only the cases the journey builds since its last run changed
(`cxmining.journeys.changed_since`), or every case after a full journey build, for an imported log, or when asked.
The per-case durations and the activities' counts (KEPT) are kept too and updated from the traces a run changed
(`trace_changes`: the new traces added, the ones they replaced taken out); the other statistics are derived again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cxmining.errors import StoreError
from cxmining.journeys import changed_since, journeys_generation
from cxmining.store import dropped, opened, relations, row_counts, run_sql, sql_text, transaction

STATE_FILES = ("mining/activity_codes.sql", "mining/case_traces.sql", "mining/mining_build.sql")
# Kept from night to night and updated from what a run changed in the traces (trace_changes), each by its query
# `updated_<table>.sql`; good only while the counts exist (a cluster night drops them until its merge publishes them).
KEPT = {  # table: its schema, the query that updates it
    "activity_case_counts": ("mining/activity_case_counts.sql", "mining/updated_activity_case_counts.sql"),
    "activity_lane_counts": ("mining/activity_lane_counts.sql", "mining/updated_activity_lane_counts.sql"),
    "case_durations": ("mining/case_durations.sql", "mining/updated_case_durations.sql"),
}
KEPT_TABLES = ("activity_case_counts", "activity_lane_counts")
# Order matters: each relation reads the ones before it; those in WORKING_TABLES are working (temporary) tables.
DERIVED_FILES = (
    "mining/activity_stats.sql",
    "mining/activity_lanes.sql",
    "mining/activity_positions.sql",
    "mining/variant_stats.sql",
    "mining/mining_variants.sql",
    "mining/variants.sql",
    "mining/case_variants.sql",
    "mining/dfg_arcs.sql",
    "mining/dfg.sql",
    "mining/start_activities.sql",
    "mining/end_activities.sql",
)
# Events aggregated into traces in one pass: the ordered lists of a pass stay in memory (DuckDB cannot spill them),
# so a log of 10^8 events is read in passes of this many, under the 2.5 GB default limit (docs/scaling.md).
TRACE_PASS_EVENTS = 4_000_000
WORKING_TABLES = ("mining_events", "variant_stats", "mining_variants", "dfg_arcs", "changed_journeys", "replaced_traces")
MINING_TABLES = tuple(Path(r).stem for r in DERIVED_FILES if Path(r).stem not in WORKING_TABLES) + ("case_durations",)
INPUT_COLUMNS = ("case:concept:name", "concept:name", "time:timestamp", "event_order", "lane", "event_id")


def mining_tables(db: str | Path | duckdb.DuckDBPyConnection, full: bool = False) -> dict[str, int]:
    """Bring the mining tables up to date with `journey_events`: the traces of the cases changed since the last run
    (every case after a full journey build, for an imported log, or with `full`), then every statistic from the traces.
    Row counts, and in `changed_cases` how many traces were read again."""
    with opened(db) as con:
        with transaction(con):  # readers see the old statistics or the new ones, never a mix
            kept = set(KEPT_TABLES) <= relations(con)
            update = updated_traces(con, full)
            derived_statistics(con, update.everything or not kept)
            built(con)
        dropped(con, WORKING_TABLES)
        return row_counts(con, MINING_TABLES) | {"changed_cases": update.cases}


def derived_statistics(con: duckdb.DuckDBPyConnection, everything: bool) -> None:
    """The kept statistics (KEPT) updated with what `updated_traces` changed, or counted from every trace when
    `everything` (they are only as good as the traces they were last updated from), and the others derived again."""
    con.execute(sql_text("mining/trace_changes.sql"))
    for table, (schema, updated) in KEPT.items():  # names from the fixed list above
        con.execute(sql_text(schema))
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {sql_text(updated)}", {"everything": everything})
    for relative in DERIVED_FILES:
        con.execute(sql_text(relative))


@dataclass(frozen=True)
class TraceUpdate:
    """What `updated_traces` did: how many traces it read again, and whether it read them all (else only those of the
    working table `changed_journeys`)."""

    cases: int
    everything: bool


def updated_traces(con: duckdb.DuckDBPyConnection, full: bool) -> TraceUpdate:
    """Bring `case_traces` up to date with `journey_events` (every case when `full`, after a full journey build or for
    an imported log; else the cases changed since `mining_build`), inside the caller's transaction."""
    _check_input(con)
    for relative in STATE_FILES:
        con.execute(sql_text(relative))
    seen = con.execute("SELECT max(generation) FROM mining_build").fetchone()[0]
    everything = full or not changed_since(con, seen)
    if everything:
        con.execute("CREATE OR REPLACE TEMP TABLE changed_journeys (journey_id VARCHAR)")
    run_sql(con, "mining/mining_events.sql", {"everything": everything})
    con.execute(sql_text("mining/replaced_traces.sql"))  # for what is kept from them (KEPT); none when everything
    if everything:
        con.execute("DELETE FROM case_traces")
    else:
        con.execute("DELETE FROM case_traces WHERE case_id IN (SELECT journey_id FROM changed_journeys)")
    con.execute(f"INSERT INTO activity_codes {sql_text('mining/new_activity_codes.sql')}")
    events = con.execute("SELECT count(*) FROM mining_events").fetchone()[0]
    chunks = max(1, math.ceil(events / TRACE_PASS_EVENTS))
    insert = f"INSERT INTO case_traces {sql_text('mining/changed_traces.sql')}"
    cases = sum(con.execute(insert, {"chunks": chunks, "chunk": chunk}).fetchone()[0] for chunk in range(chunks))
    return TraceUpdate(cases, everything)


def built(con: duckdb.DuckDBPyConnection) -> None:
    """Record in `mining_build` the journey build the statistics now reflect."""
    con.execute("DELETE FROM mining_build")
    con.execute("INSERT INTO mining_build VALUES ($generation)", {"generation": journeys_generation(con)})


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
