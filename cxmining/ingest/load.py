"""Loading one landing file into the store, atomically, with every row accounted for.

For each file: rows read = rows loaded + rows quarantined + duplicates skipped. The raw rows,
the quarantined rows and the manifest entry are written in one transaction, so a failure
half-way leaves the store as it was and the next run loads the file again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import duckdb
import numpy as np
import pyarrow as pa

from cxmining.errors import FileGone, LandingError
from cxmining.ingest.contract import SOURCES, Source
from cxmining.ingest.csv_layout import csv_layout, record_units
from cxmining.ingest.landing import LandingFile
from cxmining.ingest.mapping import SourceMapping
from cxmining.ingest.staging import FileTables, StagedFile, file_tables, stage_records
from cxmining.ingest.validation import stage_checked
from cxmining.ingest.working_copy import copied, delivered_sha256, utf8_text
from cxmining.store import registered, transaction, utc_now

FileStatus = Literal["loaded", "skipped", "rejected"]
SHOWN_PROBLEMS = 3


@dataclass(frozen=True)
class FileReport:
    """What happened to one landing file in one run."""

    source: str
    path: str
    sha256: str
    status: FileStatus
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    error: str | None = None  # why a rejected file was refused
    same_as: str | None = None  # for a skipped file: the path its content was first loaded from
    problems: tuple[str, ...] = field(default=())  # first quarantined rows, as 'path line N: reason'

    def summary(self) -> str:
        """One log line: the reconciliation of a loaded file, or why it was skipped or refused."""
        if self.status == "skipped":
            return f"{self.path}: skipped, same content as {self.same_as} (already loaded)"
        if self.status == "rejected":
            return f"{self.error} -- file refused, will be retried next run"
        return (
            f"{self.path}: read {self.rows_read} = loaded {self.rows_loaded}"
            f" + quarantined {self.rows_quarantined} + duplicates {self.rows_duplicate}"
        )


def source_summary(source: str, reports: list[FileReport]) -> str:
    """One log line for a source in one run: its files loaded, skipped as already loaded and refused, and the rows."""
    by_status = {status: [r for r in reports if r.status == status] for status in ("loaded", "skipped", "rejected")}
    loaded = by_status["loaded"]
    rows = (f" (read {sum(r.rows_read for r in loaded):,} = loaded {sum(r.rows_loaded for r in loaded):,}"
            f" + quarantined {sum(r.rows_quarantined for r in loaded):,}"
            f" + duplicates {sum(r.rows_duplicate for r in loaded):,})") if loaded else ""
    return (f"{source}: {len(reports)} file{'' if len(reports) == 1 else 's'}: {len(loaded)} loaded{rows}, "
            f"{len(by_status['skipped'])} skipped (already loaded), {len(by_status['rejected'])} refused")


def quarantine_summary(source: str, reports: list[FileReport]) -> str | None:
    """One log line for the rows of a source quarantined in one run, with the first problems; None: none."""
    files = [r for r in reports if r.rows_quarantined]
    if not files:
        return None
    shown = [problem for r in files for problem in r.problems][:SHOWN_PROBLEMS]
    return (f"{source}: {sum(r.rows_quarantined for r in files):,} rows quarantined in {len(files)} files "
            f"(table quarantine), e.g. {'; '.join(shown)}")


def ingest_file(
    con: duckdb.DuckDBPyConnection, file: LandingFile, mapping: SourceMapping, run_id: str
) -> FileReport:
    """Load one file unless its content was loaded before; a file-level problem refuses the file.

    A content loaded before is recognised by its hash and skipped without a copy (most files of a landing folder, most
    nights). A new one is read once: copied into a private folder as it is hashed, so the hash stored is the hash of
    the rows loaded even when the sender overwrites the file meanwhile; its text is read as UTF-8 (working_copy).
    """
    try:
        if skipped := _skipped(con, file, delivered_sha256(file)):
            return skipped
        with copied(file) as (copy, sha):
            return _skipped(con, copy, sha) or _ingest_copy(con, copy, sha, mapping, run_id)  # it may have changed
    except FileGone as exc:  # gone before it could be read: nothing to record, it is looked at again next run
        return FileReport(file.source, file.relative, "", "rejected", error=str(exc))


def _skipped(con: duckdb.DuckDBPyConnection, file: LandingFile, sha: str) -> FileReport | None:
    """The report of a file whose content (`sha`) was loaded before, else None."""
    loaded = con.execute(
        "SELECT path FROM ingested_files WHERE sha256 = $sha AND status = 'loaded'", {"sha": sha}
    ).fetchone()
    return FileReport(file.source, file.relative, sha, "skipped", same_as=loaded[0]) if loaded else None


def _ingest_copy(con: duckdb.DuckDBPyConnection, file: LandingFile, sha: str, mapping: SourceMapping, run_id: str) -> FileReport:
    # Staging (parse, check, classify) touches only temporary tables; the writes are one transaction.
    with file_tables(con) as tables:
        try:
            if file.format == "csv":
                file, _ = utf8_text(file, mapping.encoding)
                mapping = mapping.model_copy(update={"encoding": "utf-8"})
            staged = stage_records(con, file, mapping, tables)
            stage_checked(con, file.source, mapping, tables)
            con.execute(_classify_sql(SOURCES[file.source], tables), {"dimension": SOURCES[file.source].kind == "dimension"})
        except LandingError as exc:
            _record_rejected(con, file, sha, run_id, str(exc))
            return FileReport(file.source, file.relative, sha, "rejected", error=str(exc))
        with transaction(con):
            return _write(con, file, mapping, staged, sha, run_id)


def _write(
    con: duckdb.DuckDBPyConnection, file: LandingFile, mapping: SourceMapping, staged: StagedFile, sha: str, run_id: str
) -> FileReport:
    """Insert the classified rows, quarantine the bad ones and record the file (inside a transaction)."""
    source, tables = SOURCES[file.source], staged.tables
    counts = dict(con.execute(f"SELECT _action, count(*) FROM {tables.classified} GROUP BY _action").fetchall())
    invalid = con.execute(f"SELECT count(*) FROM {tables.checked} WHERE _reason IS NOT NULL").fetchone()[0]

    columns = ", ".join(source.column_names)
    if counts.get("update"):
        keys = " AND ".join(f"t.{k} = c.{k}" for k in source.key)
        con.execute(f"DELETE FROM {source.table} AS t USING {tables.classified} AS c WHERE c._action = 'update' AND {keys}")
    con.execute(
        f"INSERT INTO {source.table} ({columns}, _file_sha256) "
        f"SELECT {columns}, $sha FROM {tables.classified} WHERE _action IN ('insert', 'update') ORDER BY _ord",
        {"sha": sha},
    )
    quarantined = _quarantine(con, staged, mapping, sha, run_id)

    rows_read = staged.good_rows + staged.rejected_rows
    report = FileReport(
        source=file.source,
        path=file.relative,
        sha256=sha,
        status="loaded",
        rows_read=rows_read,
        rows_loaded=counts.get("insert", 0) + counts.get("update", 0),
        rows_quarantined=len(quarantined),
        rows_duplicate=counts.get("duplicate", 0),
        problems=tuple(f"{file.relative} line {line}: {reason}" for line, reason in quarantined[:SHOWN_PROBLEMS]),
    )
    expected_bad = invalid + staged.rejected_rows + counts.get("conflict_in_file", 0) + counts.get("conflict_in_store", 0)
    if report.rows_read != report.rows_loaded + report.rows_quarantined + report.rows_duplicate or len(quarantined) != expected_bad:
        raise AssertionError(f"{file.relative}: reconciliation failed: {report.summary()}")  # a bug, never data
    _record_file(con, report, file, run_id)
    return report


def _classify_sql(source: Source, tables: FileTables) -> str:
    """Decide per valid row: insert, update (dimensions), duplicate, or conflict (quarantined)."""
    cols = source.column_names
    row = lambda alias: "struct_pack(" + ", ".join(f"{c} := {alias}.{c}" for c in cols) + ")"  # noqa: E731
    partition = ", ".join(source.key)
    join = " AND ".join(f"s.{k} = r.{k}" for k in source.key)
    return f"""
        CREATE TEMP TABLE {tables.classified} AS
        WITH ranked AS (
            SELECT *, first_value(_ord) OVER w AS _first_ord, first_value({row('v')}) OVER w AS _first_row
            FROM {tables.checked} AS v WHERE _reason IS NULL
            WINDOW w AS (PARTITION BY {partition} ORDER BY _ord)
        )
        SELECT r.* EXCLUDE (_first_row, _reason), s._file_sha256 AS _stored_in,
            CASE
                WHEN r._ord <> r._first_ord AND {row('r')} IS NOT DISTINCT FROM r._first_row THEN 'duplicate'
                WHEN r._ord <> r._first_ord THEN 'conflict_in_file'
                WHEN s._file_sha256 IS NULL THEN 'insert'
                WHEN {row('r')} IS NOT DISTINCT FROM {row('s')} THEN 'duplicate'
                WHEN $dimension THEN 'update'
                ELSE 'conflict_in_store'
            END AS _action
        FROM ranked AS r
        LEFT JOIN {source.table} AS s ON {join} AND r._ord = r._first_ord
    """


def _quarantine(
    con: duckdb.DuckDBPyConnection, staged: StagedFile, mapping: SourceMapping, sha: str, run_id: str
) -> list[tuple[int, str]]:
    """Write the file's bad rows to `quarantine`; return their (line, reason), in file order."""
    file, tables = staged.file, staged.tables
    key_text = ", ".join(SOURCES[file.source].key)
    by_ord = con.execute(
        f"""
        SELECT _ord, _reason, NULL AS ref_ord, NULL AS stored_in FROM {tables.checked} WHERE _reason IS NOT NULL
        UNION ALL
        SELECT c._ord, 'duplicate key ({key_text}) with different values than line ', c._first_ord, NULL
        FROM {tables.classified} AS c WHERE c._action = 'conflict_in_file'
        UNION ALL
        SELECT c._ord, 'key ({key_text}) already loaded with different values from ', NULL, f.path
        FROM {tables.classified} AS c LEFT JOIN ingested_files AS f ON f.sha256 = c._stored_in AND f.status = 'loaded'
        WHERE c._action = 'conflict_in_store'
        ORDER BY 1
        """
    ).fetchall()
    rejects = con.execute(
        f"SELECT line, string_agg(error_type || '|' || error_message, '||' ORDER BY column_idx) FROM {tables.rejects} GROUP BY line ORDER BY line"
    ).fetchall()
    if not by_ord and not rejects:
        return []
    locate = _locator(con, staged, mapping, np.array([r[0] for r in rejects], dtype=np.int64))
    rows: list[tuple[int, str, str]] = []
    for ordinal, reason, ref_ord, stored_in in by_ord:
        line, text = locate.record(ordinal)
        if ref_ord is not None:
            reason += str(locate.record(ref_ord)[0])
        elif stored_in is not None or reason.endswith("from "):
            reason += stored_in or "an earlier file"
        rows.append((line, reason, text))
    for duck_line, errors in rejects:
        line, text = locate.rejected(duck_line)
        reason = _reject_reason(errors, mapping)
        if "UNQUOTED VALUE" in errors and (spanned := text.count("\n")):  # what an unclosed quote swallowed
            reason += (f"; the record runs over lines {line}-{line + spanned} ({spanned + 1} lines): "
                       "rows on those lines could not be read")
        rows.append((line, reason, text))
    rows.sort(key=lambda r: r[0])
    now = utc_now()
    table = pa.table(
        {
            "source": [file.source] * len(rows),
            "file_sha256": [sha] * len(rows),
            "path": [file.relative] * len(rows),
            "line": pa.array([r[0] for r in rows], pa.int64()),
            "reason": [r[1] for r in rows],
            "raw_text": [r[2] for r in rows],
            "run_id": [run_id] * len(rows),
            "quarantined_at": pa.array([now] * len(rows), pa.timestamp("us")),
        }
    )
    with registered(con, f"{tables.records}_quarantine", table) as quarantined:
        con.execute(f"INSERT INTO quarantine BY NAME SELECT * FROM {quarantined}")
    return [(r[0], r[1]) for r in rows]


@dataclass(frozen=True)
class _Locator:
    """Maps record ordinals and DuckDB reject lines to (physical line, raw text)."""

    record: Callable[[int], tuple[int, str]]
    rejected: Callable[[int], tuple[int, str]]


def _locator(
    con: duckdb.DuckDBPyConnection, staged: StagedFile, mapping: SourceMapping, reject_lines: np.ndarray
) -> _Locator:
    file, tables, good_rows = staged.file, staged.tables, staged.good_rows
    if file.format == "parquet":
        texts = dict(con.execute(f"SELECT rowid + 1, raw_text FROM {tables.raw_text}").fetchall())
        return _Locator(record=lambda o: (o, texts[o]), rejected=lambda n: (n, ""))
    layout = csv_layout(file.path.read_bytes())  # the text is UTF-8 (working_copy.utf8_text)
    units = record_units(layout, reject_lines, good_rows) if layout is not None else None
    if units is not None:
        def at(unit: int) -> tuple[int, str]:
            return int(layout.line[unit]), layout.text(unit, mapping.encoding)

        return _Locator(record=lambda o: at(int(units[o - 1])), rejected=lambda n: at(n - 1))
    # Quoting the byte scan could not follow: fall back to DuckDB's record numbers and parsed values.
    columns = " || $d || ".join(f"COALESCE({c}, '')" for c in SOURCES[file.source].column_names)
    values = dict(con.execute(f"SELECT rowid + 1, {columns} FROM {tables.records}", {"d": mapping.delimiter}).fetchall())
    lines = dict(con.execute(f"SELECT line, any_value(csv_line) FROM {tables.rejects} GROUP BY line").fetchall())
    return _Locator(record=lambda o: (o + 1, values[o]), rejected=lambda n: (n, lines.get(n, "")))


REJECT_WORDS = {
    "MISSING COLUMNS": "short row",
    "TOO MANY COLUMNS": "long row",
    "UNQUOTED VALUE": "broken quoting (a quote is not closed, or text follows a closing quote)",
    "LINE SIZE OVER MAXIMUM": "record longer than 8 MiB",
}


def _reject_reason(errors: str, mapping: SourceMapping) -> str:
    """A readable reason for a row DuckDB's CSV reader refused."""
    reasons, seen = [], set()
    for item in errors.split("||"):
        kind, _, message = item.partition("|")
        if kind in seen:  # DuckDB reports a short row once per missing column; the first says it all
            continue
        seen.add(kind)
        counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message)
        if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS") and counts:
            reasons.append(f"{REJECT_WORDS[kind]}: {counts.group(2)} fields, the header has {counts.group(1)}")
        elif kind.startswith("INVALID"):
            reasons.append(f"not valid {mapping.encoding} text")
        else:
            # DuckDB's message may quote the row (personal data): an unknown kind is named, its message left out
            reasons.append(REJECT_WORDS.get(kind, f"{kind.lower().replace('_', ' ')} (see raw_text)"))
    return "; ".join(reasons)


def _record_file(con: duckdb.DuckDBPyConnection, report: FileReport, file: LandingFile, run_id: str) -> None:
    con.execute("DELETE FROM ingested_files WHERE sha256 = $sha", {"sha": report.sha256})
    con.execute(
        """
        INSERT INTO ingested_files BY NAME
        SELECT $sha AS sha256, $source AS source, $path AS path, $size AS size_bytes, $status AS status,
               $error AS error, $read AS rows_read, $loaded AS rows_loaded, $quarantined AS rows_quarantined,
               $duplicate AS rows_duplicate, $run_id AS run_id, $now AS ingested_at
        """,
        {
            "sha": report.sha256,
            "source": report.source,
            "path": report.path,
            "size": file.size_bytes,
            "status": report.status,
            "error": report.error,
            "read": report.rows_read if report.status == "loaded" else None,
            "loaded": report.rows_loaded if report.status == "loaded" else None,
            "quarantined": report.rows_quarantined if report.status == "loaded" else None,
            "duplicate": report.rows_duplicate if report.status == "loaded" else None,
            "run_id": run_id,
            "now": utc_now(),
        },
    )


def _record_rejected(con: duckdb.DuckDBPyConnection, file: LandingFile, sha: str, run_id: str, error: str) -> None:
    with transaction(con):
        _record_file(con, FileReport(file.source, file.relative, sha, "rejected", error=error), file, run_id)
