"""The store's consistency checks: each file of `sql/checks/` returns the rows that break one rule.

A check passes when its query returns nothing. The nightly run runs them after everything is written and fails
(after publishing nothing new) when one does not pass; `cxmining check` runs them on demand.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from cxmining.store import opened, sql_root, sql_text


def check_names() -> list[str]:
    """Names of the store's checks (the files of `sql/checks/`, without `.sql`), sorted."""
    return sorted(path.stem for path in (sql_root() / "checks").glob("*.sql"))


def broken_rules(db: str | Path | duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    """The rows breaking each check that does not pass, by check name (empty when the store is consistent)."""
    broken: dict[str, pl.DataFrame] = {}
    with opened(db, read_only=True) as con:
        for name in check_names():
            rows = con.sql(sql_text(f"checks/{name}.sql")).pl()
            if rows.height:
                broken[name] = rows
    return broken
