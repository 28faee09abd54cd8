"""Reading one landing file into a staging table of text values named after the contract.

CSV is parsed by DuckDB with rejected rows kept aside (short or long rows, bad encoding, broken
quoting); Parquet through Arrow. Column names from the file never enter SQL text: columns are
renamed positionally (c0, c1, ...) and mapped to contract names from the allow-list.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cxmining.errors import LandingError, first_line
from cxmining.ingest.contract import SOURCES, Source
from cxmining.ingest.landing import LandingFile
from cxmining.ingest.mapping import SourceMapping
from cxmining.store import dropped, registered


@dataclass(frozen=True)
class FileTables:
    """The temporary tables one landing file passes through on its way in, named for this load only."""

    records: str       # one VARCHAR per contract column; rowid + 1 is the record ordinal
    rejects: str       # DuckDB's rejected CSV rows (empty for Parquet)
    reject_scans: str  # DuckDB's bookkeeping of the scans behind `rejects`
    raw_text: str      # Parquet: raw_text (JSON) of each row, rowid-aligned with `records`
    checked: str       # typed contract columns, `_ord` and `_reason` (why a row is invalid)
    classified: str    # each valid row and its `_action`: insert, update, duplicate or a conflict


@contextmanager
def file_tables(con: duckdb.DuckDBPyConnection) -> Iterator[FileTables]:
    """Fresh names for one file's working tables; the tables are dropped at the end of the block."""
    tag = uuid.uuid4().hex[:12]
    tables = FileTables(*(f"_{name}_{tag}" for name in
                          ("records", "rejects", "reject_scans", "raw_text", "checked", "classified")))
    try:
        yield tables
    finally:
        dropped(con, (tables.records, tables.rejects, tables.reject_scans, tables.raw_text, tables.checked,
                      tables.classified))


@dataclass(frozen=True)
class StagedFile:
    """What reading a file produced: its records staged in `tables.records`, DuckDB's rejects in `tables.rejects`."""

    file: LandingFile
    tables: FileTables
    header: tuple[str, ...]
    good_rows: int
    rejected_rows: int


def stage_records(con: duckdb.DuckDBPyConnection, file: LandingFile, mapping: SourceMapping,
                  tables: FileTables) -> StagedFile:
    """Fill `tables.records` and `tables.rejects` from one landing file (and `tables.raw_text` for Parquet)."""
    source = SOURCES[file.source]
    if file.format == "csv":
        header = csv_header(file, mapping)
        positions = _contract_positions(source, header, mapping, file)
        _stage_csv(con, file, mapping, header, positions, tables)
    else:
        header = _stage_parquet(con, file, mapping, source, tables)
    good = con.execute(f"SELECT count(*) FROM {tables.records}").fetchone()[0]
    rejected = con.execute(f"SELECT count(DISTINCT line) FROM {tables.rejects}").fetchone()[0]
    return StagedFile(file=file, tables=tables, header=header, good_rows=good, rejected_rows=rejected)


def csv_header(file: LandingFile, mapping: SourceMapping) -> tuple[str, ...]:
    """Column names on the first line of a CSV file."""
    with file.path.open("rb") as handle:
        first = handle.readline(1 << 20)
    if not first.strip():
        raise LandingError(f"{file.relative}: empty file or empty first line; expected a header row")
    codec = "utf-8-sig" if mapping.encoding == "utf-8" else mapping.encoding
    try:
        text = first.decode(codec)
    except UnicodeDecodeError as exc:
        raise LandingError(f"{file.relative} line 1: header is not valid {mapping.encoding}") from exc
    try:
        header = tuple(h.strip() for h in next(csv.reader([text.rstrip("\r\n")], delimiter=mapping.delimiter)))
    except csv.Error as exc:  # a field over the csv module's limit (128 KiB), a stray quote...
        raise LandingError(f"{file.relative} line 1: the header cannot be read ({exc})") from None
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise LandingError(f"{file.relative} line 1: column {name!r} appears twice in the header")
        seen.add(name)
    return header


def _contract_positions(
    source: Source, header: tuple[str, ...], mapping: SourceMapping, file: LandingFile
) -> dict[str, int | None]:
    """Position in the file of each contract column (None: optional column the file lacks)."""
    positions: dict[str, int | None] = {}
    for column in source.columns:
        name = mapping.file_column(column.name)
        if name in header:
            positions[column.name] = header.index(name)
        elif column.required and column.name not in mapping.defaults:
            renamed = f" (mapped from {name!r})" if name != column.name else ""
            raise LandingError(
                f"{file.relative} line 1: required column {column.name!r}{renamed} is missing; "
                f"header has: {', '.join(header)}"
            )
        else:
            positions[column.name] = None
    return positions


def _projection(source: Source, positions: dict[str, int | None], mapping: SourceMapping) -> tuple[str, dict]:
    """SELECT list turning positional columns into trimmed, value-mapped contract columns."""
    parts, params = [], {}
    for i, column in enumerate(source.columns):
        pos = positions[column.name]
        value = "CAST(NULL AS VARCHAR)" if pos is None else f"NULLIF(TRIM(CAST(c{pos} AS VARCHAR)), '')"
        if column.name in mapping.defaults:
            params[f"d{i}"] = mapping.defaults[column.name]
            value = f"COALESCE({value}, $d{i})"
        value_map = mapping.values.get(column.name)
        if value_map:
            params[f"k{i}"], params[f"v{i}"] = list(value_map), list(value_map.values())
            value = f"COALESCE(map_extract(MAP($k{i}::VARCHAR[], $v{i}::VARCHAR[]), {value})[1], {value})"
        parts.append(f"{value} AS {column.name}")
    return ", ".join(parts), params


def _stage_csv(
    con: duckdb.DuckDBPyConnection,
    file: LandingFile,
    mapping: SourceMapping,
    header: tuple[str, ...],
    positions: dict[str, int | None],
    tables: FileTables,
) -> None:
    select, params = _projection(SOURCES[file.source], positions, mapping)
    params |= {
        "path": str(file.path),
        "cols": {f"c{i}": "VARCHAR" for i in range(len(header))},
        "delim": mapping.delimiter,
        "enc": mapping.encoding,
    }
    try:
        con.execute(
            f"""
            CREATE TEMP TABLE {tables.records} AS
            SELECT {select}
            FROM read_csv($path, header = true, auto_detect = false, columns = $cols,
                          delim = $delim, quote = '"', escape = '"', encoding = $enc,
                          null_padding = false, strict_mode = true,
                          store_rejects = true, rejects_table = '{tables.rejects}',
                          rejects_scan = '{tables.reject_scans}', max_line_size = 8388608)
            """,
            params,
        )
    except duckdb.Error as exc:
        first = first_line(exc)
        raise LandingError(f"{file.relative}: cannot be read as CSV ({first})") from exc


def _stage_parquet(
    con: duckdb.DuckDBPyConnection, file: LandingFile, mapping: SourceMapping, source: Source, tables: FileTables
) -> tuple[str, ...]:
    try:
        table = pq.read_table(file.path)
    except Exception as exc:  # pyarrow raises several unrelated types for damaged files
        raise LandingError(f"{file.relative}: cannot be read as Parquet ({exc})") from exc
    header = tuple(table.column_names)
    positions = _contract_positions(source, header, mapping, file)
    used = {pos for pos in positions.values() if pos is not None}
    renamed = pa.table({f"c{i}": _as_text(table.column(i), header[i], i in used, file) for i in range(len(header))})
    select, params = _projection(source, positions, mapping)
    with registered(con, f"{tables.records}_file", renamed) as parquet_file:
        try:
            con.execute(f"CREATE TEMP TABLE {tables.records} AS SELECT {select} FROM {parquet_file}", params)
        except duckdb.Error as exc:
            raise LandingError(f"{file.relative}: cannot be read as Parquet ({first_line(exc)})") from exc
        # Parquet has no structural rejects: an empty table keeps later steps uniform.
        con.execute(f"CREATE TEMP TABLE {tables.rejects} (line BIGINT, column_idx BIGINT, error_type VARCHAR, csv_line VARCHAR, error_message VARCHAR)")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {tables.raw_text} AS SELECT "
            f"json_object({', '.join(f'$n{i}, c{i}' for i in range(len(header)))}) AS raw_text FROM {parquet_file}",
            {f"n{i}": name for i, name in enumerate(header)},
        )
    return header


def _as_text(column: pa.ChunkedArray, name: str, used: bool, file: LandingFile) -> pa.ChunkedArray:
    """A Parquet column as text, as every value is checked as text. A type Arrow cannot write as text (float16,
    decimal256...) goes through float64 or its string form; a column of the contract that still cannot be read
    refuses the file, naming it, and an extra column is kept as nulls (it is only part of the row's raw text)."""
    for via in (None, pa.float64()):
        try:
            return pc.cast(pc.cast(column, via) if via else column, pa.string())
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid, pa.ArrowTypeError):
            continue
    if used:
        raise LandingError(f"{file.relative}: column {name!r} has type {column.type}, which cannot be read as text")
    return pa.chunked_array([pa.nulls(len(column), pa.string())])
