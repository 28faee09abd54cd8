"""The events an export writes: chosen once per export as the temporary table `export_events`, and written as a flat
event table (CSV or Parquet) by DuckDB's COPY; what the XES and OCEL writers read of it (its time as ISO text, its rows
a batch at a time, its activities)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cxmining.errors import CxminingError
from cxmining.store import relations, require, run_sql
from cxmining.store.outputs import whole_path

JOURNEY_EVENTS_FILE = "export/export_events.sql"
IMPORTED_EVENTS_FILE = "export/export_events_of_imported_log.sql"
CASE, ACTIVITY, TIMESTAMP = "case:concept:name", "concept:name", "time:timestamp"
ISO_TIME = f"strftime(\"{TIMESTAMP}\", '%Y-%m-%dT%H:%M:%S.%f') || '+00:00'"  # UTC, ISO-8601 with the offset written out
BATCH = 50_000  # events fetched from DuckDB at a time: memory stays flat however large the log
# Columns of the flat event table, in this order, as far as export_events has them (an imported log has no
# channel and no journey columns): pm4py's names, case attributes prefixed with 'case:'.
TABLE_COLUMNS = (CASE, ACTIVITY, TIMESTAMP, "lane", "channel", "event_id", "case:journey_type", "case:customer_id",
                 "case:order_id", "case:sales_channel")


@dataclass(frozen=True)
class ExportedEvents:
    """What `export_events` holds: whose events, how many, and its columns."""

    imported_log: bool  # an imported log's cases, not journeys: no journey columns, no objects
    cases: int
    events: int
    columns: tuple[str, ...]


def _is_imported_log(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether journey_events shows an imported log (cxmining import-log) rather than journeys built from landing files."""
    return "journeys" not in relations(con) or not con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name = 'journey_events' AND sql NOT LIKE '%imported_events%'"
    ).fetchone()[0]


def journey_types(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The store's journey types, sorted."""
    return [row[0] for row in con.execute(
        "SELECT DISTINCT journey_type FROM journeys WHERE journey_type IS NOT NULL ORDER BY 1").fetchall()]


def exported_events(con: duckdb.DuckDBPyConnection, journey_type: str | None = None) -> ExportedEvents:
    """Fill the temporary table `export_events` with the events to export (the journeys of `journey_type`, or all; an
    imported log's events) and say what it holds. An unknown journey type is a one-line error listing the valid ones."""
    require(con, ["journey_events"], "run `cxmining run` or `cxmining import-log` first")
    imported = _is_imported_log(con)
    if journey_type is not None:
        if imported:
            raise CxminingError(f"--journey-type {journey_type!r}: the store holds an imported log, which has no "
                                "journey types; leave the option out")
        valid = journey_types(con)
        if journey_type not in valid:
            raise CxminingError(f"--journey-type {journey_type!r} is not a journey type of the store; valid: "
                                + ", ".join(repr(t) for t in valid))
    if imported:
        run_sql(con, IMPORTED_EVENTS_FILE)
    else:
        run_sql(con, JOURNEY_EVENTS_FILE, {"journey_type": journey_type})
    cases, events = con.execute(f'SELECT count(DISTINCT "{CASE}"), count(*) FROM export_events').fetchone()
    columns = tuple(row[0] for row in con.execute("DESCRIBE export_events").fetchall())
    return ExportedEvents(imported, cases, events, columns)


def _sql_literal(text: str) -> str:
    """`text` as an SQL string literal (COPY takes no bound parameter for its file)."""
    return "'" + text.replace("'", "''") + "'"


def written_event_table(con: duckdb.DuckDBPyConnection, events: ExportedEvents, path: Path) -> Path:
    """`path`, a flat event table of `export_events` written whole by DuckDB's COPY: Parquet when it ends in
    .parquet (times as UTC TIMESTAMP WITH TIME ZONE), else CSV with a header (times as ISO-8601 text with offset)."""
    parquet = path.suffix.lower() == ".parquet"
    selected = []
    for column in TABLE_COLUMNS:
        if column not in events.columns:
            continue
        quoted = '"' + column + '"'  # from the fixed list above
        if column == TIMESTAMP:
            value = f"timezone('UTC', {quoted})" if parquet else ISO_TIME
            selected.append(f"{value} AS {quoted}")
        else:
            selected.append(quoted)
    query = f"SELECT {', '.join(selected)} FROM export_events ORDER BY \"{CASE}\", event_order"
    options = "FORMAT parquet, COMPRESSION zstd" if parquet else "FORMAT csv, HEADER true, DELIMITER ','"
    with whole_path(path) as temporary:
        con.execute(f"COPY ({query}) TO {_sql_literal(str(temporary))} ({options})")
    return path


def batches(result: duckdb.DuckDBPyConnection) -> Iterator[list[tuple]]:
    """The rows of an executed query, `BATCH` at a time."""
    while rows := result.fetchmany(BATCH):
        yield rows


def exported_activities(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The distinct activities of `export_events`, in order."""
    return [row[0] for row in con.execute(f'SELECT DISTINCT "{ACTIVITY}" FROM export_events ORDER BY 1').fetchall()]
