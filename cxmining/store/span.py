"""How many events the store holds and from when to when: counting the `events` view aggregates every order line
(a second at ten million events), so the count is kept in `event_span` with the raw tables' row counts it was made
from, and counted again only when those moved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from cxmining.store import opened, relations, row_counts, sql_text

RAW_TABLES = ("raw_web", "raw_calls", "raw_orders")  # what the events view reads, in event_span's column order


@dataclass(frozen=True)
class EventSpan:
    """Events of the `events` view, and the first and last of them (None: no events)."""

    events: int
    first: datetime | None
    last: datetime | None


def event_span(con: duckdb.DuckDBPyConnection) -> EventSpan:
    """The `events` view's span: as kept in `event_span` while the raw tables hold the rows it was counted from, else
    counted (and kept, unless `con` is read-only). The store must have the events view."""
    sizes = [con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in RAW_TABLES]  # fixed names
    if "event_span" in relations(con):
        kept = con.execute("SELECT events, first_ts, last_ts FROM event_span "
                           "WHERE web_rows = $w AND call_rows = $c AND order_rows = $o",
                           dict(zip("wco", sizes, strict=True))).fetchone()
        if kept is not None:
            return EventSpan(*kept)
    events, first, last = con.execute(sql_text("staging/counted_event_span.sql")).fetchone()
    if con.execute("SELECT current_setting('access_mode')").fetchone()[0] != "read_only":
        con.execute(sql_text("staging/event_span.sql"))
        con.execute("DELETE FROM event_span")
        con.execute("INSERT INTO event_span VALUES ($w, $c, $o, $events, $first, $last)",
                    dict(zip("wco", sizes, strict=True)) | {"events": events, "first": first, "last": last})
    return EventSpan(events, first, last)


def relation_counts(db: str | Path | duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of the store's main relations (events, quarantine, ingested_files), for run logs and summaries."""
    with opened(db) as con:
        return {"events": event_span(con).events} | row_counts(con, ("quarantine", "ingested_files"))
