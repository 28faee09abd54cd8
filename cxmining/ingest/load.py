"""Loading the landing files of one source into the store, in batches, with every row accounted for.

For each file: rows read = rows loaded + rows quarantined + duplicates skipped. Consecutive new files of a source
that share a format and header are read in one pass (DuckDB's multi-file CSV reader) and written in one transaction:
their raw rows, their quarantined rows and their manifest entries commit together, so a failure half-way leaves the
store as it was and the next run loads the batch again. Rows are classified as if the files had been loaded one
after another in name order: a key already delivered by an earlier file of the batch is a duplicate, a conflict or
(for dimensions) an update, exactly as if that file had been loaded first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Literal

import duckdb
import numpy as np
import pyarrow as pa

from cxmining.errors import FileGone, LandingError
from cxmining.ingest.contract import SOURCES, Source
from cxmining.ingest.csv_layout import csv_layout, record_units
from cxmining.ingest.extras import kept_extras
from cxmining.ingest.landing import LandingFile
from cxmining.ingest.mapping import SourceMapping
from cxmining.ingest.staging import (
    BatchTables,
    StagedBatch,
    batch_tables,
    contract_positions,
    csv_header,
    stage_records,
)
from cxmining.ingest.validation import stage_checked
from cxmining.ingest.working_copy import copied, delivered_sha256, utf8_text
from cxmining.progress import tracked
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


BATCH_BYTES = 256 * 2**20  # delivered bytes read in one pass at most: bounds the working tables and the copies
BATCH_FILES = 1000


@dataclass(frozen=True)
class _Taken:
    """A new file ready to be read: its private copy (CSV as UTF-8), the hash of the bytes copied, what it can be
    batched with (format and header), and the copy's clean-up."""

    index: int  # its place in the source's files
    copy: LandingFile
    sha: str
    batch_key: tuple
    release: ExitStack


def ingest_files(con: duckdb.DuckDBPyConnection, files: list[LandingFile], mapping: SourceMapping, run_id: str,
                 on_file: Callable[[FileReport], None] | None = None) -> list[FileReport]:
    """Load the files of one source (in the order given) whose content was not loaded before; report each file, in
    that order. A file-level problem (unreadable, a required column missing...) refuses that file only.

    A content loaded before is recognised by its hash and skipped without a copy (most files of a landing folder, most
    nights). A new one is read once: copied into a private folder as it is hashed, so the hash stored is the hash of
    the rows loaded even when the sender overwrites the file meanwhile; its text is read as UTF-8 (working_copy).
    """
    reports: dict[int, FileReport] = {}
    with tracked(f"{files[0].source if files else 'landing'} files", len(files), "files") as progress:

        def done(index: int, report: FileReport) -> None:
            reports[index] = report
            loaded = sum(r.rows_loaded for r in reports.values())
            progress.advance(1, f"{loaded:,} rows loaded")
            if on_file:
                on_file(report)

        pending: list[_Taken] = []
        for index, file in enumerate(files):
            taken = _taken(con, file, index, mapping, run_id, pending)
            if isinstance(taken, FileReport):
                done(index, taken)
                continue
            if pending and (taken.batch_key != pending[0].batch_key or len(pending) >= BATCH_FILES
                            or sum(t.copy.size_bytes for t in pending) + taken.copy.size_bytes > BATCH_BYTES):
                for i, report in _batch_reports(con, pending, mapping, run_id):
                    done(i, report)
                pending = []
            pending.append(taken)
        if pending:
            for i, report in _batch_reports(con, pending, mapping, run_id):
                done(i, report)
    return [reports[i] for i in sorted(reports)]


def ingest_file(con: duckdb.DuckDBPyConnection, file: LandingFile, mapping: SourceMapping, run_id: str) -> FileReport:
    """Load one file unless its content was loaded before (`ingest_files` of one file)."""
    return ingest_files(con, [file], mapping, run_id)[0]


def _taken(con: duckdb.DuckDBPyConnection, file: LandingFile, index: int, mapping: SourceMapping, run_id: str,
           pending: list[_Taken]) -> _Taken | FileReport:
    """The file copied and ready to be read, or the report of a file that is skipped (loaded before, or the same
    content as a file waiting in the batch) or refused (gone, not valid text, a header that does not fit)."""
    release = ExitStack()
    try:
        if unchanged := _unchanged(con, file):
            return unchanged
        waiting = {t.sha: t.copy.relative for t in pending}
        if skipped := _skipped(con, file, delivered_sha256(file), waiting):
            return skipped
        copy, sha = release.enter_context(copied(file))
        if skipped := _skipped(con, copy, sha, waiting):  # it may have changed since it was hashed
            release.close()
            return skipped
        try:
            if copy.format == "csv":
                copy, _ = utf8_text(copy, mapping.encoding)
                header = csv_header(copy, _utf8(mapping))
                contract_positions(mapping.read_source(file.source), header, _utf8(mapping), copy)
                key: tuple = ("csv", header)
            else:
                key = ("parquet", index)  # a Parquet file is read on its own
        except LandingError as exc:
            release.close()
            _record_rejected(con, copy, sha, run_id, str(exc))
            return FileReport(file.source, file.relative, sha, "rejected", error=str(exc))
        return _Taken(index, copy, sha, key, release)
    except FileGone as exc:  # gone before it could be read: nothing to record, it is looked at again next run
        release.close()
        return FileReport(file.source, file.relative, "", "rejected", error=str(exc))


def _utf8(mapping: SourceMapping) -> SourceMapping:
    """The mapping for the copies read: CSV text is UTF-8 whatever the delivery's encoding (working_copy)."""
    return mapping.model_copy(update={"encoding": "utf-8"})


def _unchanged(con: duckdb.DuckDBPyConnection, file: LandingFile) -> FileReport | None:
    """The report of a file loaded before from the same path and not touched since (same size and modification
    time: the quick check rsync makes), skipped without reading it; else None (it is hashed)."""
    if file.modified_ns is None:
        return None
    loaded = con.execute(
        "SELECT sha256 FROM ingested_files WHERE status = 'loaded' AND path = $path AND size_bytes = $size "
        "AND modified_ns = $modified", {"path": file.relative, "size": file.size_bytes, "modified": file.modified_ns},
    ).fetchone()
    return FileReport(file.source, file.relative, loaded[0], "skipped", same_as=file.relative) if loaded else None


def _skipped(con: duckdb.DuckDBPyConnection, file: LandingFile, sha: str, waiting: dict[str, str]) -> FileReport | None:
    """The report of a file whose content (`sha`) was loaded before or waits in the batch (`waiting`: hash -> path),
    else None."""
    if sha in waiting:
        return FileReport(file.source, file.relative, sha, "skipped", same_as=waiting[sha])
    loaded = con.execute(
        "SELECT path FROM ingested_files WHERE sha256 = $sha AND status = 'loaded'", {"sha": sha}
    ).fetchone()
    return FileReport(file.source, file.relative, sha, "skipped", same_as=loaded[0]) if loaded else None


def _batch_reports(con: duckdb.DuckDBPyConnection, batch: list[_Taken], mapping: SourceMapping,
                   run_id: str) -> Iterator[tuple[int, FileReport]]:
    """Load a batch of files in one read and one transaction; each file's report with its index. A batch the reader
    cannot take as a whole is loaded a file at a time, so that only the file at fault is refused."""
    try:
        reports = _ingest_batch(con, [t.copy for t in batch], [t.sha for t in batch], _utf8(mapping), run_id)
    except LandingError as exc:
        if len(batch) > 1:
            for taken in batch:
                yield from _batch_reports(con, [taken], mapping, run_id)
            return
        taken = batch[0]
        _record_rejected(con, taken.copy, taken.sha, run_id, str(exc))
        reports = [FileReport(taken.copy.source, taken.copy.relative, taken.sha, "rejected", error=str(exc))]
    finally:
        for taken in batch:
            taken.release.close()
    yield from zip((t.index for t in batch), reports, strict=True)


def _ingest_batch(con: duckdb.DuckDBPyConnection, files: list[LandingFile], shas: list[str], mapping: SourceMapping,
                  run_id: str) -> list[FileReport]:
    # Staging (parse, check, classify) touches only temporary tables; the writes are one transaction.
    source = SOURCES[files[0].source]
    with batch_tables(con) as tables:
        staged = stage_records(con, files, shas, mapping, tables)
        stage_checked(con, source.name, mapping, tables)
        con.execute(_classify_sql(source, tables), {"dimension": source.kind == "dimension"})
        with transaction(con):
            return _write(con, staged, mapping, run_id)


def _write(con: duckdb.DuckDBPyConnection, staged: StagedBatch, mapping: SourceMapping, run_id: str) -> list[FileReport]:
    """Insert the classified rows, quarantine the bad ones and record each file (inside a transaction)."""
    source, tables = SOURCES[staged.files[0].source], staged.tables
    counts = {(k, action): n for k, action, n in
              con.execute(f"SELECT _file, _action, count(*) FROM {tables.classified} GROUP BY ALL").fetchall()}
    invalid = dict(con.execute(f"SELECT _file, count(*) FROM {tables.checked} WHERE _reason IS NOT NULL GROUP BY 1").fetchall())

    columns = ", ".join(f"c.{c}" for c in source.contract_column_names)
    keys = ", ".join(f"c.{k}" for k in source.key)
    if any(action == "update" for _, action in counts):
        matched = " AND ".join(f"t.{k} = c.{k}" for k in source.key)
        con.execute(f"DELETE FROM {source.table} AS t USING {tables.classified} AS c WHERE c._action = 'update' AND {matched}")
    # a key delivered again by a later file of the batch (a dimension's update) is stored as the last file has it; a
    # fact's key is inserted once at most
    latest = f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY c._file DESC) = 1" if source.kind == "dimension" else ""
    con.execute(
        f"""
        INSERT INTO {source.table} ({", ".join(source.contract_column_names)}, _file_sha256)
        SELECT {columns}, f.sha256
        FROM {tables.classified} AS c JOIN {tables.files} AS f USING (_file)
        WHERE c._action IN ('insert', 'update')
        {latest}
        ORDER BY c._file, c._ord
        """
    )
    kept_extras(con, mapping.read_source(source.name), tables)
    quarantined = _quarantine(con, staged, mapping, run_id)
    reports = []
    for k, file in enumerate(staged.files):
        bad = quarantined.get(k, [])
        report = FileReport(
            source=file.source,
            path=file.relative,
            sha256=staged.shas[k],
            status="loaded",
            rows_read=staged.good_rows[k] + staged.rejected_rows[k],
            rows_loaded=counts.get((k, "insert"), 0) + counts.get((k, "update"), 0),
            rows_quarantined=len(bad),
            rows_duplicate=counts.get((k, "duplicate"), 0),
            problems=tuple(f"{file.relative} line {line}: {reason}" for line, reason in bad[:SHOWN_PROBLEMS]),
        )
        expected_bad = (invalid.get(k, 0) + staged.rejected_rows[k] + counts.get((k, "conflict_in_file"), 0)
                        + counts.get((k, "conflict_in_store"), 0))
        if report.rows_read != report.rows_loaded + report.rows_quarantined + report.rows_duplicate or len(bad) != expected_bad:
            raise AssertionError(f"{file.relative}: reconciliation failed: {report.summary()}")  # a bug, never data
        _record_file(con, report, file, run_id)
        reports.append(report)
    return reports


def _classify_sql(source: Source, tables: BatchTables) -> str:
    """Decide per valid row: insert, update (dimensions), duplicate, or conflict (quarantined), as if the batch's
    files had been loaded one after another: a file's first row of a key is set against the value stored before the
    batch, else against the batch's earlier files (a dimension: the file before it; a fact: the file that stored it).
    Most keys come once in a batch: only the rows of repeated keys go through the window functions."""
    cols = source.contract_column_names  # a mapping's attributes and segments ride along: they are no part of a key's row
    row = lambda alias: "struct_pack(" + ", ".join(f"{c} := {alias}.{c}" for c in cols) + ")"  # noqa: E731
    keys = ", ".join(source.key)
    join = " AND ".join(f"s.{k} = r.{k}" for k in source.key)
    heads = " AND ".join(f"h.{k} = r.{k}" for k in source.key)
    return f"""
        CREATE TEMP TABLE {tables.classified} AS
        WITH valid AS (SELECT * EXCLUDE (_reason) FROM {tables.checked} WHERE _reason IS NULL),
        repeated AS (SELECT {keys} FROM valid GROUP BY {keys} HAVING count(*) > 1),
        ranked AS (  -- each row of a repeated key against its file's first row of the key
            SELECT *, first_value(_ord) OVER w AS _first_ord, first_value({row('v')}) OVER w AS _first_row
            FROM (SELECT * FROM valid SEMI JOIN repeated USING ({keys})) AS v
            WINDOW w AS (PARTITION BY _file, {keys} ORDER BY _ord)
        ),
        heads AS (  -- each file's first row of a repeated key, against the batch's earlier files
            SELECT _file, {keys},
                   row_number() OVER k AS _head,                 -- 1: the batch's first file with the key
                   lag({row('r')}) OVER k AS _previous_row,      -- the row of the file before it
                   first_value({row('r')}) OVER k AS _batch_row, -- the row of the batch's first file
                   first_value(_file) OVER k AS _batch_file
            FROM ranked AS r WHERE _ord = _first_ord
            WINDOW k AS (PARTITION BY {keys} ORDER BY _file)
        )
        SELECT r.*, r._ord AS _first_ord,
            s._file_sha256 AS _stored_in,                                       -- conflicts: the stored row's file
            CAST(NULL AS BIGINT) AS _stored_in_file,                            -- ...or the batch's file
            CASE
                WHEN s._file_sha256 IS NULL THEN 'insert'
                WHEN {row('r')} IS NOT DISTINCT FROM {row('s')} THEN 'duplicate'
                WHEN $dimension THEN 'update'
                ELSE 'conflict_in_store'
            END AS _action
        FROM (SELECT * FROM valid ANTI JOIN repeated USING ({keys})) AS r
        LEFT JOIN {source.table} AS s ON {join}
        UNION ALL BY NAME
        SELECT r.* EXCLUDE (_first_row),
            s._file_sha256 AS _stored_in,
            CASE WHEN s._file_sha256 IS NULL THEN h._batch_file END AS _stored_in_file,
            CASE
                WHEN r._ord <> r._first_ord AND {row('r')} IS NOT DISTINCT FROM r._first_row THEN 'duplicate'
                WHEN r._ord <> r._first_ord THEN 'conflict_in_file'
                WHEN s._file_sha256 IS NULL AND h._head = 1 THEN 'insert'
                WHEN $dimension AND {row('r')} IS NOT DISTINCT FROM
                     (CASE WHEN h._head = 1 THEN {row('s')} ELSE h._previous_row END) THEN 'duplicate'
                WHEN $dimension THEN 'update'
                WHEN {row('r')} IS NOT DISTINCT FROM
                     (CASE WHEN s._file_sha256 IS NOT NULL THEN {row('s')} ELSE h._batch_row END) THEN 'duplicate'
                ELSE 'conflict_in_store'
            END AS _action
        FROM ranked AS r
        LEFT JOIN heads AS h ON h._file = r._file AND {heads} AND r._ord = r._first_ord
        LEFT JOIN {source.table} AS s ON {join} AND r._ord = r._first_ord
    """


def _quarantine(con: duckdb.DuckDBPyConnection, staged: StagedBatch, mapping: SourceMapping,
                run_id: str) -> dict[int, list[tuple[int, str]]]:
    """Write the batch's bad rows to `quarantine`; return each file's (line, reason), in file order, by file index."""
    tables = staged.tables
    key_text = ", ".join(SOURCES[staged.files[0].source].key)
    by_ord = con.execute(
        f"""
        SELECT _file, _ord, _reason, NULL AS ref_ord, NULL AS stored_in FROM {tables.checked} WHERE _reason IS NOT NULL
        UNION ALL
        SELECT c._file, c._ord, 'duplicate key ({key_text}) with different values than line ', c._first_ord, NULL
        FROM {tables.classified} AS c WHERE c._action = 'conflict_in_file'
        UNION ALL
        SELECT c._file, c._ord, 'key ({key_text}) already loaded with different values from ', NULL,
               COALESCE(f.path, b.relative)
        FROM {tables.classified} AS c
        LEFT JOIN ingested_files AS f ON f.sha256 = c._stored_in AND f.status = 'loaded'
        LEFT JOIN {tables.files} AS b ON b._file = c._stored_in_file
        WHERE c._action = 'conflict_in_store'
        ORDER BY 1, 2
        """
    ).fetchall()
    rejects = con.execute(
        f"SELECT _file, line, string_agg(error_type || '|' || error_message, '||' ORDER BY column_idx) "
        f"FROM {tables.rejects} GROUP BY 1, 2 ORDER BY 1, 2"
    ).fetchall()
    if not by_ord and not rejects:
        return {}
    rows: dict[int, list[tuple[int, str, str]]] = {}
    for k in sorted({r[0] for r in by_ord} | {r[0] for r in rejects}):
        file_rejects = [(line, errors) for f, line, errors in rejects if f == k]
        locate = _locator(con, staged, k, mapping, np.array([line for line, _ in file_rejects], dtype=np.int64))
        found = rows.setdefault(k, [])
        for _, ordinal, reason, ref_ord, stored_in in (r for r in by_ord if r[0] == k):
            line, text = locate.record(ordinal)
            if ref_ord is not None:
                reason += str(locate.record(ref_ord)[0])
            elif stored_in is not None or reason.endswith("from "):
                reason += stored_in or "an earlier file"
            found.append((line, reason, text))
        for duck_line, errors in file_rejects:
            line, text = locate.rejected(duck_line)
            reason = _reject_reason(errors, mapping)
            if "UNQUOTED VALUE" in errors and (spanned := text.count("\n")):  # what an unclosed quote swallowed
                reason += (f"; the record runs over lines {line}-{line + spanned} ({spanned + 1} lines): "
                           "rows on those lines could not be read")
            found.append((line, reason, text))
        found.sort(key=lambda r: r[0])
    ordered = [(k, row) for k in sorted(rows) for row in rows[k]]
    now = utc_now()
    table = pa.table(
        {
            "source": [staged.files[k].source for k, _ in ordered],
            "file_sha256": [staged.shas[k] for k, _ in ordered],
            "path": [staged.files[k].relative for k, _ in ordered],
            "line": pa.array([r[0] for _, r in ordered], pa.int64()),
            "reason": [r[1] for _, r in ordered],
            "raw_text": [r[2] for _, r in ordered],
            "run_id": [run_id] * len(ordered),
            "quarantined_at": pa.array([now] * len(ordered), pa.timestamp("us")),
        }
    )
    with registered(con, f"{tables.records}_quarantine", table) as quarantined:
        con.execute(f"INSERT INTO quarantine BY NAME SELECT * FROM {quarantined}")
    return {k: [(r[0], r[1]) for r in found] for k, found in rows.items()}


@dataclass(frozen=True)
class _Locator:
    """Maps record ordinals and DuckDB reject lines of one file to (physical line, raw text)."""

    record: Callable[[int], tuple[int, str]]
    rejected: Callable[[int], tuple[int, str]]


def _locator(con: duckdb.DuckDBPyConnection, staged: StagedBatch, k: int, mapping: SourceMapping,
             reject_lines: np.ndarray) -> _Locator:
    file, tables = staged.files[k], staged.tables
    if file.format == "parquet":
        texts = dict(con.execute(f"SELECT _ord, raw_text FROM {tables.raw_text}").fetchall())
        return _Locator(record=lambda o: (o, texts[o]), rejected=lambda n: (n, ""))
    layout = csv_layout(file.path.read_bytes())  # the text is UTF-8 (working_copy.utf8_text)
    units = record_units(layout, reject_lines, staged.good_rows[k]) if layout is not None else None
    if units is not None:
        def at(unit: int) -> tuple[int, str]:
            return int(layout.line[unit]), layout.text(unit, mapping.encoding)

        return _Locator(record=lambda o: at(int(units[o - 1])), rejected=lambda n: at(n - 1))
    # Quoting the byte scan could not follow: fall back to DuckDB's record numbers and parsed values.
    columns = " || $d || ".join(f"COALESCE({c}, '')" for c in SOURCES[file.source].column_names)
    values = dict(con.execute(f"SELECT _ord, {columns} FROM {tables.records} WHERE _file = $k",
                              {"d": mapping.delimiter, "k": k}).fetchall())
    lines = dict(con.execute(f"SELECT line, any_value(csv_line) FROM {tables.rejects} WHERE _file = $k GROUP BY line",
                             {"k": k}).fetchall())
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
               $duplicate AS rows_duplicate, $run_id AS run_id, $now AS ingested_at, $modified AS modified_ns
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
            "modified": file.modified_ns,
        },
    )


def _record_rejected(con: duckdb.DuckDBPyConnection, file: LandingFile, sha: str, run_id: str, error: str) -> None:
    with transaction(con):
        _record_file(con, FileReport(file.source, file.relative, sha, "rejected", error=error), file, run_id)
