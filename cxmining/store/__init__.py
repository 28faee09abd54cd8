"""The DuckDB store: connections, the SQL files that define its relations, and schema set-up."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from cxmining.errors import StoreBusy, StoreError, first_line

# Relations are created in this order: tables first, then the views built on them.
SCHEMA_FILES = (
    "ingest/ingested_files.sql",
    "ingest/quarantine.sql",
    "ingest/call_reason_template.sql",
    "ingest/attribute_dictionary.sql",
    "ingest/contact_noun.sql",
    "raw/raw_products.sql",
    "raw/raw_customers.sql",
    "raw/raw_orders.sql",
    "raw/raw_web.sql",
    "raw/raw_calls.sql",
    "raw/raw_attributes.sql",
    "raw/raw_segments.sql",
)
VIEW_FILES = (
    "staging/activity_vocabulary.sql",
    "staging/events_of.sql",
    "staging/events.sql",
    "staging/event_attributes.sql",
    "staging/customer_segments.sql",
)


def sql_root() -> Path:
    """Folder holding the project's SQL files (bundled in a wheel, or `sql/` in a checkout)."""
    bundled = resources.files("cxmining") / "_sql"
    if bundled.is_dir():
        return Path(str(bundled))
    return Path(__file__).resolve().parents[2] / "sql"


def sql_text(relative: str) -> str:
    """Text of one SQL file, e.g. `staging/events.sql`."""
    return (sql_root() / relative).read_text(encoding="utf-8")


def query_text(relative: str) -> str:
    """The query of one SQL file without its closing semicolon, to embed in another statement (COPY (...) TO)."""
    return sql_text(relative).rstrip().rstrip(";")


MEMORY_LIMIT = "CXMINING_MEMORY_LIMIT"  # environment variable: the memory DuckDB may use, when not given (e.g. 4GB)
MEMORY_CAP = 25 * 10**8  # bytes: DuckDB's default limit at most (2.5GB), so no step of a 10M-event night passes 4 GB
THREADS = "CXMINING_THREADS"  # environment variable: DuckDB's threads, when set (a cluster worker's share of the cores)


def machine_memory_bytes() -> int | None:
    """This machine's memory in bytes, or None where it cannot be read."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def machine_memory_limit() -> str | None:
    """DuckDB's default limit as a size (e.g. '2384MiB'): half of this machine's memory, at most `MEMORY_CAP`, or
    None where the memory cannot be read. DuckDB's own default (80%) would leave too little for pm4py and the Python
    side of a run, and a nightly job's memory should not grow with the history: beyond the limit DuckDB spills to
    disk (docs/reliability.md)."""
    total = machine_memory_bytes()
    return None if total is None else f"{max(min(total // 2, MEMORY_CAP) // 2**20, 256)}MiB"


def connect(db: str | Path | duckdb.DuckDBPyConnection, read_only: bool = False,
            memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """An open connection: `db` may be a path, ':memory:' or an existing connection (returned as is).

    `memory_limit` (a DuckDB size such as '4GB'; default: the CXMINING_MEMORY_LIMIT environment variable, else half
    of the machine's memory up to 2.5GB, `machine_memory_limit`) makes DuckDB spill to disk beyond it.
    """
    if isinstance(db, duckdb.DuckDBPyConnection):
        return db
    path = str(db)
    read_only = read_only and path != ":memory:"  # an in-memory database is private to its connection
    if path != ":memory:" and not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    if read_only and not Path(path).exists():
        raise StoreError(f"{path}: no such database; run `cxmining run` first")
    try:
        con = duckdb.connect(path, read_only=read_only)
    except duckdb.IOException as exc:
        held = re.search(r"Conflicting lock is held in .* \(PID (\d+)\)", str(exc))
        if held:  # one writer at a time, and a writer blocks readers of the same file
            raise StoreBusy(f"{path}: in use by another process (PID {held.group(1)}), which holds its lock") from exc
        raise StoreError(f"{path}: cannot open the database ({first_line(exc)})") from exc
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")  # our own logs report progress
    limit = memory_limit or os.environ.get(MEMORY_LIMIT) or machine_memory_limit()
    if limit:
        try:
            con.execute("SET memory_limit = $limit", {"limit": limit})
        except duckdb.Error as exc:
            raise StoreError(f"memory limit {limit!r} is not a memory size like 4GB ({MEMORY_LIMIT})") from exc
    if threads := os.environ.get(THREADS):
        try:
            con.execute("SET threads = $threads", {"threads": int(threads)})
        except (ValueError, duckdb.Error) as exc:
            raise StoreError(f"{THREADS}={threads!r} is not a number of threads like 2") from exc
    return con


def query_connection(db: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection for analysts' queries that is read-only in fact: no file is read or written outside the
    store (`COPY ... TO`, `read_csv('/etc/...')`, `ATTACH`, `INSTALL` are refused) and the settings are locked, so a
    query cannot turn that back on."""
    con = connect(db, read_only=True)
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


@contextmanager
def opened(db: str | Path | duckdb.DuckDBPyConnection, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for a `with` block: closed at the end if it was opened here, left open if it was passed in."""
    con = connect(db, read_only=read_only)
    try:
        yield con
    finally:
        if con is not db:
            con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Everything in the block commits together or not at all (readers never see half of it)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table and view of the store that does not exist yet (idempotent)."""
    for relative in SCHEMA_FILES + VIEW_FILES:
        con.execute(sql_text(relative))


def relations(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the store's tables and views (temporary working tables and DuckDB's own views left out)."""
    return {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
        "UNION SELECT view_name FROM duckdb_views() WHERE NOT temporary AND NOT internal"
    ).fetchall()}


def utc_now() -> datetime:
    """Now, in UTC, as a naive timestamp: how the store keeps every time."""
    return datetime.now(UTC).replace(tzinfo=None)


def used_params(text: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """The parameters a statement names (`$name`): DuckDB refuses named parameters a statement does not use."""
    return {k: v for k, v in (params or {}).items() if re.search(rf"\${k}\b", text)}


def run_sql(con: duckdb.DuckDBPyConnection, relative: str, params: dict[str, Any] | None = None) -> None:
    """Execute one SQL file with the parameters it uses."""
    text = sql_text(relative)
    con.execute(text, used_params(text, params) or None)


def row_counts(con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> dict[str, int]:
    """Rows of each named relation; `names` come from the caller's fixed lists, never from data."""
    return {name: con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0] for name in names}


def dropped(con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> None:
    """Drop working tables (from the caller's fixed list) if they exist."""
    for name in names:
        con.execute(f"DROP TABLE IF EXISTS {name}")


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, data: Any) -> Iterator[str]:
    """`data` (a DataFrame, Arrow table or dict of arrays) visible to SQL as `name` for the block.

    When the block fails inside a transaction DuckDB has aborted, the name stays registered until the connection
    closes (an aborted transaction refuses even that), so the block's own error is the one raised.
    """
    con.register(name, data)
    try:
        yield name
    except BaseException:
        with suppress(duckdb.TransactionException):
            con.unregister(name)
        raise
    con.unregister(name)


def require(con: duckdb.DuckDBPyConnection, needed: Iterable[str], hint: str = "run `cxmining run` first") -> None:
    """A one-line StoreError naming the relations the store lacks, with what to do about it."""
    missing = sorted(set(needed) - relations(con))
    if missing:
        raise StoreError(f"the store lacks {', '.join(missing)}: {hint}")
