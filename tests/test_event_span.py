"""The events view's span (count, first, last), kept in `event_span` while the raw tables do not move."""

from __future__ import annotations

from pathlib import Path

import duckdb
from helpers import SMALL_SAMPLE

from cxmining.store.span import event_span, relation_counts

COUNTED = "SELECT count(*), min(ts), max(ts) FROM events"


def test_the_span_is_the_views_and_is_kept_until_the_raw_tables_move(sample_store, tmp_path: Path) -> None:
    db = sample_store(*SMALL_SAMPLE, tmp_path)
    with duckdb.connect(str(db)) as con:
        events, first, last = con.execute(COUNTED).fetchone()
        assert events > 1000
        assert (event_span(con).events, event_span(con).first, event_span(con).last) == (events, first, last)
        # what is kept is what is read while the raw tables hold the same rows (a wrong value proves it)
        con.execute("UPDATE event_span SET events = -1")
        assert event_span(con).events == -1
        # a new web event, later than every other: counted again
        con.execute("INSERT INTO raw_web SELECT * REPLACE ('new-event' AS event_id, ts + INTERVAL '1 day' AS ts) FROM raw_web "
                    "ORDER BY ts DESC LIMIT 1")
        span = event_span(con)
        assert (span.events, span.first, span.last) == con.execute(COUNTED).fetchone()
        assert span.events == events + 1 and span.last > last
        assert con.execute("SELECT events FROM event_span").fetchall() == [(events + 1,)]
    assert relation_counts(db)["events"] == events + 1


def test_a_read_only_store_is_counted_without_writing(sample_store, tmp_path: Path) -> None:
    db = sample_store(*SMALL_SAMPLE, tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute("DROP TABLE IF EXISTS event_span")
    with duckdb.connect(str(db), read_only=True) as con:
        assert event_span(con).events == con.execute(COUNTED).fetchone()[0]
        assert "event_span" not in {n for (n,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
