"""Event logs exported by any process-mining tool (XES, CSV, Parquet): read, map and normalise in DuckDB."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from cxmining.config import csv_delimiter, known_time_zone
from cxmining.errors import LandingError, MappingError, first_line
from cxmining.ingest.timestamps import PATTERNS, utc_timestamp_sql
from cxmining.store import dropped

XES_CASE = "case:concept:name"
XES_ACTIVITY = "concept:name"
XES_TIMESTAMP = "time:timestamp"
XES_LIFECYCLE = "lifecycle:transition"

# File name endings and the format they announce, longest first so `.xes.gz` wins over `.gz`.
FORMATS = (
    (".xes.gz", "xes"), (".xes", "xes"),
    (".csv.gz", "csv"), (".csv", "csv"), (".tsv", "csv"), (".txt", "csv"),
    (".parquet", "parquet"), (".pq", "parquet"),
)
# How the import-log command names each column option in its messages; other readers pass their own names.
CLI_OPTIONS = {"case": "--case", "activity": "--activity", "timestamp": "--timestamp",
               "lifecycle": "--lifecycle-column", "lane": "--lane"}

TIMESTAMP_TYPES = re.compile(r"^(TIMESTAMP(_S|_MS|_NS)?|DATE|TIMESTAMP WITH TIME ZONE)$")


@dataclass(frozen=True)
class LogMapping:
    """Which columns hold case, activity, timestamp, lifecycle and lane, and how to read the timestamps."""

    case: str = XES_CASE
    activity: str = XES_ACTIVITY
    timestamp: str = XES_TIMESTAMP
    lifecycle_column: str | None = None  # None: `lifecycle:transition` if the log has it
    lifecycle: str | None = None          # keep only events with this lifecycle (case-insensitive); None keeps all
    lane: str | None = None               # e.g. `org:group`; None leaves lane NULL
    timestamp_format: str | None = None   # strptime format for text timestamps; None: ISO-like text
    timezone: str = "UTC"                 # zone of naive CSV/Parquet timestamps


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written."""

    delimiter: str = ","
    encoding: str = "utf-8"


@dataclass(frozen=True)
class SourceColumns:
    """The file columns a read takes, each checked against the file's own columns."""

    case: str
    activity: str
    timestamp: str
    timestamp_type: str
    lifecycle: str | None
    lane: str | None
    extra: dict[str, str] = field(default_factory=dict)  # name in the parsed table -> file column, as trimmed text


@dataclass(frozen=True)
class LogTables:
    """The temporary tables one read of a log passes through, named for that read only and dropped after it."""

    source: str  # the mapped columns of the file; rowid + 1 is the file row
    parsed: str  # one row per kept file row: row_number, case_id, activity, ts_text, ts, lifecycle, lane, the
    #              extra columns, and problem (NULL for a row that is an event)
    frame: str   # the XES reader's table, registered while the file is copied


@contextmanager
def log_tables(con: duckdb.DuckDBPyConnection) -> Iterator[LogTables]:
    """Fresh names for one read's tables; the tables are dropped at the end of the block."""
    tag = uuid.uuid4().hex[:12]
    tables = LogTables(f"_log_source_{tag}", f"_log_parsed_{tag}", f"_log_frame_{tag}")
    try:
        yield tables
    finally:
        dropped(con, (tables.source, tables.parsed))


def log_format(path: Path) -> str:
    """`xes`, `csv` or `parquet`, from the file name."""
    name = path.name.lower()
    for ending, fmt in FORMATS:
        if name.endswith(ending):
            return fmt
    raise LandingError(f"{path}: unknown event-log format; expected .xes, .xes.gz, .csv, .csv.gz, .tsv or .parquet")


def log_stem(path: Path) -> str:
    """The file name without its event-log ending: `helpdesk.xes.gz` -> `helpdesk`."""
    name = path.name
    for ending, _ in FORMATS:
        if name.lower().endswith(ending):
            return name[: -len(ending)]
    return path.stem


def quoted(identifier: str) -> str:
    """A DuckDB identifier in double quotes (only ever applied to names taken from the file itself)."""
    return '"' + identifier.replace('"', '""') + '"'


def xes_events(path: Path, timestamp: str) -> tuple[Any, str]:
    """The events of an XES file in file order (a polars or pandas frame), and the reader that parsed it."""
    try:
        import rustxes
    except ImportError:
        rustxes = None
    if rustxes is not None:
        try:
            frame, _ = rustxes.import_xes(str(path))
        except Exception:  # noqa: BLE001 - rustxes raises bare exceptions; pm4py's reader gets a second chance
            frame = None
        # rustxes leaves dates it cannot parse (e.g. date-only values) empty; pm4py's reader parses them
        if frame is not None and (timestamp not in frame.columns or frame[timestamp].null_count() == 0):
            return frame, "rustxes"
    from cxmining.mining import (
        pm4py_bridge as pm,  # the one door to pm4py; loaded only when rustxes cannot read
    )

    try:
        frame = pm.xes_events_in_file_order(path)
    except Exception as exc:  # noqa: BLE001 - pm4py raises bare exceptions on malformed XES
        raise LandingError(f"{path}: not a readable XES file ({type(exc).__name__}: {first_line(exc)})") from exc
    return frame, "pm4py"


def file_relation(path: Path, dialect: CsvDialect) -> tuple[str, dict[str, Any], str]:
    """SQL scanning a CSV or Parquet file, its bound parameters, and the reader's name."""
    if log_format(path) == "parquet":
        return "read_parquet($path)", {"path": str(path)}, "duckdb parquet"
    try:
        delimiter = csv_delimiter(dialect.delimiter)
    except ValueError as exc:
        raise MappingError(f"--delimiter: {exc}") from exc
    return ("read_csv($path, delim = $delim, encoding = $encoding, header = true, all_varchar = true)",
            {"path": str(path), "delim": delimiter, "encoding": dialect.encoding}, "duckdb csv")


def column_types(con: duckdb.DuckDBPyConnection, relation_sql: str, params: dict[str, Any],
                 path: Path) -> dict[str, str]:
    """Name -> DuckDB type of every column of a file relation."""
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM {relation_sql}", params).fetchall()
    except duckdb.Error as exc:
        raise LandingError(f"{path}: cannot read the file ({first_line(exc)})") from exc
    return {row[0]: row[1] for row in rows}


def mapped_columns(types: dict[str, str], mapping: LogMapping, path: Path, extra: Mapping[str, str] | None = None,
                   options: Mapping[str, str] = CLI_OPTIONS) -> SourceColumns:
    """The mapping checked against the file's columns: every named column must exist, spelled exactly.

    `extra` adds columns a reader wants besides the standard ones (name in the parsed table -> file column);
    `options` says how the user names each column's setting (`--case`, `columns.case`), for the messages.
    """

    def existing(role: str, column: str) -> str:
        if column in types:
            return column
        near = [c for c in types if c.lower() == column.lower()]
        listed = ", ".join(list(types)[:12]) + (" ..." if len(types) > 12 else "")
        hint = f"; did you mean {near[0]!r}?" if near else f"; columns are {listed}"
        if role not in CLI_OPTIONS:
            hint += f"; set {options[role]} to null if the log has none"
        raise MappingError(f"{path}: no column {column!r} for {options[role]}{hint}")

    case = existing("case", mapping.case)
    activity = existing("activity", mapping.activity)
    timestamp = existing("timestamp", mapping.timestamp)
    kind = types[timestamp]
    if not (TIMESTAMP_TYPES.match(kind) or kind == "VARCHAR"):
        raise MappingError(f"{path}: {options['timestamp']} column {timestamp!r} holds {kind} values, not timestamps or text")
    if mapping.lifecycle_column is not None:
        lifecycle: str | None = existing("lifecycle", mapping.lifecycle_column)
    else:
        lifecycle = XES_LIFECYCLE if XES_LIFECYCLE in types else None
    if mapping.lifecycle is not None and lifecycle is None:
        raise MappingError(f"{path}: --lifecycle {mapping.lifecycle!r} needs a lifecycle column; "
                           f"the log has no {XES_LIFECYCLE!r}, name one with --lifecycle-column")
    for name in extra or {}:
        if not name.isidentifier():
            raise ValueError(f"extra column name {name!r} is not an identifier")  # names come from code, never data
    return SourceColumns(
        case=case,
        activity=activity,
        timestamp=timestamp,
        timestamp_type=kind,
        lifecycle=lifecycle,
        lane=existing("lane", mapping.lane) if mapping.lane is not None else None,
        extra={name: existing(name, column) for name, column in (extra or {}).items()},
    )


def load_source(con: duckdb.DuckDBPyConnection, path: Path, mapping: LogMapping, dialect: CsvDialect,
                tables: LogTables, extra: Mapping[str, str] | None = None,
                options: Mapping[str, str] = CLI_OPTIONS) -> tuple[SourceColumns, str]:
    """Copy the mapped columns of the file into `tables.source` (file order kept as rowid); return them and the
    reader's name."""
    if not path.is_file():
        raise LandingError(f"{path}: no such file")
    fmt = log_format(path)
    if fmt == "xes":
        frame, reader = xes_events(path, mapping.timestamp)
        con.register(tables.frame, frame.to_arrow() if reader == "rustxes" else frame)
        relation_sql, params = tables.frame, {}
    else:
        relation_sql, params, reader = file_relation(path, dialect)
    try:
        columns = mapped_columns(column_types(con, relation_sql, params, path), mapping, path, extra, options)
        wanted = dict.fromkeys(c for c in (columns.case, columns.activity, columns.timestamp,
                                           columns.lifecycle, columns.lane, *columns.extra.values()) if c is not None)
        # preserve_insertion_order (DuckDB's default) keeps file order, so rowid + 1 is the file row number
        con.execute(f"CREATE OR REPLACE TEMP TABLE {tables.source} AS "
                    f"SELECT {', '.join(quoted(c) for c in wanted)} FROM {relation_sql}", params)
    except duckdb.Error as exc:
        raise LandingError(f"{path}: cannot read the file ({first_line(exc)})") from exc
    finally:
        if fmt == "xes":
            con.unregister(tables.frame)
    return columns, reader


def naive_time_zone(path: Path, zone: str) -> str:
    """The zone of the log's timestamps that carry no offset: UTC for XES (the standard gives offsets, and pm4py reads
    ones without as UTC), else `zone`."""
    return "UTC" if log_format(path) == "xes" else zone


def timestamp_sql(columns: SourceColumns, mapping: LogMapping, naive_zone: str) -> str:
    """SQL turning the timestamp column into a naive UTC TIMESTAMP (NULL when unparseable); uses $zone, $format and
    timestamp_parameters()."""
    column = quoted(columns.timestamp)
    kind = columns.timestamp_type
    if kind == "TIMESTAMP WITH TIME ZONE":
        return f"timezone('UTC', {column})"
    if kind != "VARCHAR":
        naive = f"CAST({column} AS TIMESTAMP)"
        return naive if naive_zone == "UTC" else f"timezone('UTC', timezone($zone, {naive}))"
    if mapping.timestamp_format is not None:
        parsed = f"try_strptime({column}, $format)"
        with_offset = "%z" in mapping.timestamp_format or "%Z" in mapping.timestamp_format
        return f"timezone('UTC', {parsed})" if with_offset else f"timezone('UTC', timezone($zone, {parsed}))"
    return utc_timestamp_sql(column)  # as landing files: an offset is an instant, a date alone stays on its day


def timestamp_parameters(sql: str) -> dict[str, str]:
    """The patterns a timestamp expression from `timestamp_sql` binds (none for typed columns)."""
    return {k: v for k, v in PATTERNS.items() if f"${k}" in sql}


def known_timezone(zone: str) -> str:
    """The zone name if it is an IANA time zone, else a MappingError naming the option."""
    try:
        return known_time_zone(zone)
    except ValueError as exc:
        raise MappingError(f"--timezone: {zone!r} is not an IANA time zone name such as 'Europe/Amsterdam' or 'UTC'") from exc


def parse_source(con: duckdb.DuckDBPyConnection, tables: LogTables, columns: SourceColumns, mapping: LogMapping,
                 naive_zone: str) -> None:
    """Build `tables.parsed` from `tables.source`: typed values, the lifecycle filter applied, each row's problem
    named (missing case id, missing activity, missing timestamp, unparseable timestamp)."""

    def text(column: str | None) -> str:
        if column is None:
            return "CAST(NULL AS VARCHAR)"
        return f"CAST({quoted(column)} AS VARCHAR)"

    def present(column: str) -> str:
        return f"CASE WHEN trim({text(column)}) = '' THEN NULL ELSE {text(column)} END"

    keep = "TRUE" if mapping.lifecycle is None else f"lower({text(columns.lifecycle)}) = lower($lifecycle)"
    params: dict[str, Any] = {"zone": naive_zone}
    if mapping.lifecycle is not None:
        params["lifecycle"] = mapping.lifecycle
    if mapping.timestamp_format is not None and columns.timestamp_type == "VARCHAR":
        params["format"] = mapping.timestamp_format
    ts = timestamp_sql(columns, mapping, naive_zone)
    params |= timestamp_parameters(ts)
    if "$zone" not in ts:
        params.pop("zone")
    extra = "".join(f", nullif(trim({text(column)}), '') AS {name}" for name, column in columns.extra.items())
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {tables.parsed} AS
        WITH typed AS (
            SELECT rowid + 1 AS row_number,
                   {present(columns.case)} AS case_id,
                   {present(columns.activity)} AS activity,
                   {present(columns.timestamp)} AS ts_text,
                   {ts} AS ts,
                   {text(columns.lifecycle)} AS lifecycle,
                   {text(columns.lane)} AS lane
                   {extra}
            FROM {tables.source}
            WHERE {keep}
        )
        SELECT *,
               CASE WHEN case_id IS NULL THEN 'missing case id'
                    WHEN activity IS NULL THEN 'missing activity'
                    WHEN ts_text IS NULL THEN 'missing timestamp'
                    WHEN ts IS NULL THEN 'unparseable timestamp' END AS problem
        FROM typed
    """, params)
