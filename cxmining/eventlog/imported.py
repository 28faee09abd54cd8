"""Imported event logs as a source of the store: the imported_events table and the journey_events view over it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from cxmining.errors import MappingError, StoreError
from cxmining.eventlog.reader import (
    CsvDialect,
    LogMapping,
    known_timezone,
    load_source,
    log_stem,
    log_tables,
    naive_time_zone,
    parse_source,
)
from cxmining.store import opened, relations, sql_text, transaction, utc_now

TABLE_FILE = "eventlog/imported_events.sql"
VIEW_FILE = "eventlog/journey_events.sql"
# What an object-centric import keeps besides imported_events (cxmining.eventlog.ocel); every import of a log name
# clears that name's rows in them, so a log re-imported from another format leaves nothing behind.
OCEL_TABLE_FILES = ("eventlog/ocel_events.sql", "eventlog/ocel_objects.sql", "eventlog/ocel_event_objects.sql",
                    "eventlog/ocel_object_objects.sql")
OCEL_TABLES = tuple(Path(relative).stem for relative in OCEL_TABLE_FILES)  # each named after its SQL file

INSERT_EVENTS = """
INSERT INTO imported_events
SELECT $name,
       $name || ':' || row_number,
       case_id,
       activity,
       ts,
       -- pm4py's order: a stable sort by case then timestamp, ties kept in file order
       row_number() OVER (PARTITION BY case_id ORDER BY ts, row_number),
       lane,
       lifecycle,
       $imported_at
FROM {parsed}
WHERE problem IS NULL
"""
SKIPPED_ROWS = """
SELECT problem, count(*), min(row_number),
       -- the offending text is worth showing only when it is there but unreadable
       CASE WHEN problem = 'unparseable timestamp' THEN arg_min(ts_text, row_number) END
FROM {parsed} WHERE problem IS NOT NULL GROUP BY problem ORDER BY problem
"""
LOG_COUNTS = """
SELECT count(DISTINCT case_id), count(*), count(DISTINCT activity) FROM imported_events WHERE log_name = $name
"""
# journey_events may already be defined over landing files; an import must not silently replace that definition.
FOREIGN_JOURNEY_EVENTS = """
SELECT count(*) FROM duckdb_views()
WHERE view_name = 'journey_events' AND NOT temporary AND sql NOT LIKE '%imported_events%'
UNION ALL
SELECT count(*) FROM duckdb_tables() WHERE table_name = 'journey_events' AND NOT temporary
"""


@dataclass(frozen=True)
class SkippedRows:
    """Rows of one kind that were not imported: how many, the first one's row number and unreadable timestamp."""

    problem: str
    rows: int
    first_row: int
    first_value: str | None


@dataclass(frozen=True)
class ImportedLog:
    """What one import wrote: counts of the imported log, rows left out and why, wall time."""

    name: str
    cases: int
    events: int
    activities: int
    skipped: int
    filtered: int
    seconds: float
    reader: str
    skipped_rows: list[SkippedRows] = field(default_factory=list)


def log_name(path: Path, name: str | None) -> str:
    """The log's name in the store: the given one, or the file stem."""
    chosen = log_stem(path) if name is None else name
    if not chosen.strip():
        raise MappingError(f"{path}: --name must not be empty")
    return chosen


def skipped_rows(con: duckdb.DuckDBPyConnection, parsed: str) -> list[SkippedRows]:
    """Rows of the parsed table `parsed` (a name from `log_tables`) that cannot be events, grouped by problem."""
    return [SkippedRows(*row) for row in con.execute(SKIPPED_ROWS.format(parsed=parsed)).fetchall()]


def ensure_no_foreign_journey_events(con: duckdb.DuckDBPyConnection, db: object) -> None:
    """Refuse a store whose journey_events comes from landing files rather than from imported_events."""
    if any(count for (count,) in con.execute(FOREIGN_JOURNEY_EVENTS).fetchall()):
        raise StoreError(f"{db}: journey_events is already defined over landing files; "
                         "import the log into another --db")


def forget_log(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Delete log `name` from imported_events and from the object-centric tables the store has."""
    present = relations(con)
    for table in ("imported_events", *OCEL_TABLES):
        if table in present:  # names from the fixed list above
            con.execute(f"DELETE FROM {table} WHERE log_name = $name", {"name": name})


def write_log(con: duckdb.DuckDBPyConnection, parsed: str, name: str, db: object) -> None:
    """Replace the rows of log `name` with the valid rows of the parsed table `parsed`, and (re)define
    journey_events, atomically."""
    with transaction(con):
        con.execute(sql_text(TABLE_FILE))
        ensure_no_foreign_journey_events(con, db)
        forget_log(con, name)
        imported_at = utc_now()
        con.execute(INSERT_EVENTS.format(parsed=parsed), {"name": name, "imported_at": imported_at})
        con.execute(sql_text(VIEW_FILE))


def import_log(
    path: str | Path,
    db: str | Path | duckdb.DuckDBPyConnection,
    mapping: LogMapping = LogMapping(),
    dialect: CsvDialect = CsvDialect(),
    name: str | None = None,
) -> ImportedLog:
    """Import an event log file (XES, CSV, Parquet) into imported_events, replacing a log of the same name."""
    began = time.perf_counter()
    path = Path(path)
    chosen = log_name(path, name)
    zone = known_timezone(mapping.timezone)
    with opened(db) as con, log_tables(con) as tables:
        columns, reader = load_source(con, path, mapping, dialect, tables)
        total = con.execute(f"SELECT count(*) FROM {tables.source}").fetchall()[0][0]
        parse_source(con, tables, columns, mapping, naive_time_zone(path, zone))
        kept = con.execute(f"SELECT count(*) FROM {tables.parsed}").fetchall()[0][0]
        skipped = skipped_rows(con, tables.parsed)
        write_log(con, tables.parsed, chosen, db)
        cases, events, activities = con.execute(LOG_COUNTS, {"name": chosen}).fetchall()[0]
    return ImportedLog(
        name=chosen, cases=cases, events=events, activities=activities,
        skipped=sum(s.rows for s in skipped), filtered=total - kept,
        seconds=time.perf_counter() - began, reader=reader, skipped_rows=skipped,
    )
