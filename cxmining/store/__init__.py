"""The DuckDB store: connections, the SQL files that define its relations, and schema set-up."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from cxmining.errors import StoreError

# Relations are created in this order: tables first, then the views built on them.
SCHEMA_FILES = (
    "meta/ingested_files.sql",
    "meta/quarantine.sql",
    "raw/raw_products.sql",
    "raw/raw_customers.sql",
    "raw/raw_orders.sql",
    "raw/raw_web.sql",
    "raw/raw_calls.sql",
)
VIEW_FILES = (
    "staging/activity_vocabulary.sql",
    "staging/events.sql",
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


def connect(db: str | Path | duckdb.DuckDBPyConnection, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """An open connection: `db` may be a path, ':memory:' or an existing connection (returned as is)."""
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
        first = str(exc).splitlines()[0]
        raise StoreError(f"{path}: cannot open the database ({first})") from exc
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")  # our own logs report progress
    limit = os.environ.get("CXMINING_MEMORY_LIMIT")
    if limit:  # e.g. '4GB': DuckDB spills to disk beyond it (default: 80% of the machine's memory)
        try:
            con.execute("SET memory_limit = $limit", {"limit": limit})
        except duckdb.Error as exc:
            raise StoreError(f"CXMINING_MEMORY_LIMIT={limit!r} is not a memory size like 4GB") from exc
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


def relation_counts(db: str | Path | duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of the store's main relations, for run logs and summaries."""
    with opened(db) as con:
        return {
            name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            for name in ("events", "quarantine", "ingested_files")
        }
