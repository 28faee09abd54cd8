"""Reading a batch of landing files of one source into a staging table of text values named after the contract.

CSV is parsed by DuckDB's multi-file reader, every file of the batch in one pass, with rejected rows kept aside (short
or long rows, bad encoding, broken quoting) and each row and reject tied to its file; Parquet through Arrow, a file at
a time. Column names from the file never enter SQL text: columns are
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
from cxmining.ingest.contract import Source
from cxmining.ingest.landing import LandingFile
from cxmining.ingest.mapping import SourceMapping
from cxmining.store import dropped, registered


@dataclass(frozen=True)
class BatchTables:
    """The temporary tables one batch of landing files passes through on its way in, named for this load only."""

    files: str         # the batch's files: `_file` (index), `path` (the copy read), `relative`, `sha256`
    read: str          # CSV: the files' columns as read (c0, c1, ...) and `filename`, in file order
    records: str       # `_file`, `_ord` (record ordinal in its file) and one VARCHAR per contract column
    read_rejects: str  # CSV: DuckDB's rejected rows as its reader stores them
    reject_scans: str  # DuckDB's bookkeeping of the scans behind them: which file each reject came from
    rejects: str       # the rejected rows with their `_file` (empty for Parquet)
    raw_text: str      # Parquet: raw_text (JSON) of each row, by `_ord` (one file per batch)
    checked: str       # typed contract columns, `_file`, `_ord` and `_reason` (why a row is invalid)
    classified: str    # each valid row and its `_action`: insert, update, duplicate or a conflict


@contextmanager
def batch_tables(con: duckdb.DuckDBPyConnection) -> Iterator[BatchTables]:
    """Fresh names for one batch's working tables; the tables are dropped at the end of the block."""
    tag = uuid.uuid4().hex[:12]
    names = ("files", "read", "records", "read_rejects", "reject_scans", "rejects", "raw_text", "checked", "classified")
    tables = BatchTables(*(f"_{name}_{tag}" for name in names))
    try:
        yield tables
    finally:
        dropped(con, [getattr(tables, name) for name in names])


@dataclass(frozen=True)
class StagedBatch:
    """What reading a batch of files of one source produced: their records in `tables.records`, DuckDB's rejects in
    `tables.rejects`, and per file (by its index in `files`) the records read and the rows the reader refused."""

    files: tuple[LandingFile, ...]
    shas: tuple[str, ...]  # the SHA-256 of each file's delivered bytes
    tables: BatchTables
    good_rows: dict[int, int]
    rejected_rows: dict[int, int]


def stage_records(con: duckdb.DuckDBPyConnection, files: list[LandingFile], shas: list[str], mapping: SourceMapping,
                  tables: BatchTables) -> StagedBatch:
    """Fill `tables.records` and `tables.rejects` from a batch of files of one source in one read (and
    `tables.raw_text` for Parquet): CSV files that share a header are read together by DuckDB's multi-file reader;
    a Parquet file is a batch of its own."""
    source = mapping.read_source(files[0].source)
    listed = pa.table({"_file": pa.array(range(len(files)), pa.int64()), "path": [str(f.path) for f in files],
                       "relative": [f.relative for f in files], "sha256": shas})
    with registered(con, f"{tables.files}_arrow", listed) as arrow:
        con.execute(f"CREATE TEMP TABLE {tables.files} AS SELECT * FROM {arrow}")
    if files[0].format == "csv":
        header = csv_header(files[0], mapping)
        positions = contract_positions(source, header, mapping, files[0])
        _stage_csv(con, files, mapping, source, header, positions, tables)
    else:
        if len(files) != 1:
            raise ValueError("a Parquet file is staged on its own")
        _stage_parquet(con, files[0], mapping, source, tables)
    good = dict(con.execute(f"SELECT _file, count(*) FROM {tables.records} GROUP BY 1").fetchall())
    rejected = dict(con.execute(f"SELECT _file, count(DISTINCT line) FROM {tables.rejects} GROUP BY 1").fetchall())
    return StagedBatch(files=tuple(files), shas=tuple(shas), tables=tables,
                       good_rows={k: good.get(k, 0) for k in range(len(files))},
                       rejected_rows={k: rejected.get(k, 0) for k in range(len(files))})


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


Position = int | tuple[int, ...] | None  # a column's place in the file; several: a value joined from those columns


def contract_positions(
    source: Source, header: tuple[str, ...], mapping: SourceMapping, file: LandingFile
) -> dict[str, Position]:
    """Position in the file of each column of `source` as the mapping reads it (None: an optional contract column the
    file lacks; an attribute or segment the mapping names must be there; a tuple: a key the mapping joins from several
    columns, which must all be there)."""
    positions: dict[str, Position] = {}
    for column in source.columns:
        joined = mapping.joined_columns(column.name)
        if joined:
            if missing := [name for name in joined if name not in header]:
                raise LandingError(f"{file.relative} line 1: column {missing[0]!r} of {column.name!r} (joined from "
                                   f"{', '.join(joined)}) is missing; header has: {', '.join(header)}")
            positions[column.name] = tuple(header.index(name) for name in joined)
            continue
        name = mapping.file_column(column)
        if name in header:
            positions[column.name] = header.index(name)
        elif column.kind != "contract":
            raise LandingError(
                f"{file.relative} line 1: column {name!r} of the mapping's {column.kind} {column.label!r} is missing; "
                f"header has: {', '.join(header)}"
            )
        elif column.required and column.name not in mapping.defaults:
            renamed = f" (mapped from {name!r})" if name != column.name else ""
            raise LandingError(
                f"{file.relative} line 1: required column {column.name!r}{renamed} is missing; "
                f"header has: {', '.join(header)}"
            )
        else:
            positions[column.name] = None
    return positions


def _projection(source: Source, positions: dict[str, Position], mapping: SourceMapping) -> tuple[str, dict]:
    """SELECT list turning positional columns into trimmed, value-mapped contract columns; a joined key is its
    columns' trimmed values joined with '|' (NULL when all are empty)."""
    parts, params = [], {}
    for i, column in enumerate(source.columns):
        pos = positions[column.name]
        if pos is None:
            value = "CAST(NULL AS VARCHAR)"
        elif isinstance(pos, tuple):
            each = [f"coalesce(TRIM(CAST(c{p} AS VARCHAR)), '')" for p in pos]
            value = f"NULLIF(concat_ws('|', {', '.join(each)}), repeat('|', {len(pos) - 1}))"
        else:
            value = f"NULLIF(TRIM(CAST(c{pos} AS VARCHAR)), '')"
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
    files: list[LandingFile],
    mapping: SourceMapping,
    source: Source,
    header: tuple[str, ...],
    positions: dict[str, Position],
    tables: BatchTables,
) -> None:
    select, params = _projection(source, positions, mapping)
    params |= {
        "paths": [str(f.path) for f in files],
        "cols": {f"c{i}": "VARCHAR" for i in range(len(header))},
        "delim": mapping.delimiter,
        "enc": mapping.encoding,
    }
    # DuckDB reads the files in the order given and keeps that order in the table it fills (insertion order), so a
    # record's ordinal in its file is its rowid counted from its file's first row; rejects name their file through the
    # scan's bookkeeping
    try:
        con.execute(
            f"""
            CREATE TEMP TABLE {tables.read} AS
            SELECT *
            FROM read_csv($paths, header = true, auto_detect = false, columns = $cols,
                          delim = $delim, quote = '"', escape = '"', encoding = $enc,
                          null_padding = false, strict_mode = true, filename = true,
                          store_rejects = true, rejects_table = '{tables.read_rejects}',
                          rejects_scan = '{tables.reject_scans}', max_line_size = 8388608)
            """,
            {k: v for k, v in params.items() if k in ("paths", "cols", "delim", "enc")},
        )
        con.execute(
            f"""
            CREATE TEMP TABLE {tables.records} AS
            WITH starts AS (SELECT filename, min(rowid) AS first_rowid FROM {tables.read} GROUP BY filename)
            SELECT f._file, CAST(r.rowid - s.first_rowid + 1 AS BIGINT) AS _ord, {select}
            FROM {tables.read} AS r JOIN starts AS s USING (filename) JOIN {tables.files} AS f ON f.path = r.filename
            """,
            {k: v for k, v in params.items() if k not in ("paths", "cols", "delim", "enc")} or None,
        )
    except duckdb.Error as exc:
        first = first_line(exc)
        named = files[0].relative if len(files) == 1 else f"one of {len(files)} files from {files[0].relative}"
        raise LandingError(f"{named}: cannot be read as CSV ({first})") from exc
    con.execute(
        f"""
        CREATE TEMP TABLE {tables.rejects} AS
        SELECT f._file, r.line, r.column_idx, r.error_type, r.csv_line, r.error_message
        FROM {tables.read_rejects} AS r
        JOIN {tables.reject_scans} AS s USING (scan_id, file_id)
        JOIN {tables.files} AS f ON f.path = s.file_path
        """
    )
    dropped(con, [tables.read])  # the records hold what later steps read


def _stage_parquet(
    con: duckdb.DuckDBPyConnection, file: LandingFile, mapping: SourceMapping, source: Source, tables: BatchTables
) -> None:
    try:
        table = pq.read_table(file.path)
    except Exception as exc:  # pyarrow raises several unrelated types for damaged files
        raise LandingError(f"{file.relative}: cannot be read as Parquet ({exc})") from exc
    header = tuple(table.column_names)
    positions = contract_positions(source, header, mapping, file)
    used = {p for pos in positions.values() if pos is not None for p in (pos if isinstance(pos, tuple) else (pos,))}
    renamed = pa.table({"_ord": pa.array(range(1, table.num_rows + 1), pa.int64()),
                        **{f"c{i}": _as_text(table.column(i), header[i], i in used, file) for i in range(len(header))}})
    select, params = _projection(source, positions, mapping)
    with registered(con, f"{tables.records}_file", renamed) as parquet_file:
        try:
            con.execute(f"CREATE TEMP TABLE {tables.records} AS SELECT CAST(0 AS BIGINT) AS _file, "
                        f"_ord, {select} FROM {parquet_file}", params)
        except duckdb.Error as exc:
            raise LandingError(f"{file.relative}: cannot be read as Parquet ({first_line(exc)})") from exc
        # Parquet has no structural rejects: an empty table keeps later steps uniform.
        con.execute(f"CREATE TEMP TABLE {tables.rejects} (_file BIGINT, line BIGINT, column_idx BIGINT, "
                    "error_type VARCHAR, csv_line VARCHAR, error_message VARCHAR)")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {tables.raw_text} AS SELECT _ord, "
            f"json_object({', '.join(f'$n{i}, c{i}' for i in range(len(header)))}) AS raw_text FROM {parquet_file}",
            {f"n{i}": name for i, name in enumerate(header)},
        )


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
