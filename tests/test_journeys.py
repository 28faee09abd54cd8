"""Identity stitching and the journey case notion."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from helpers import CALLS_HEADER, ORDERS_HEADER, WEB_HEADER, call_row, write_lines

from cxmining.errors import CxminingError
from cxmining.ingest.folder import landing_reports
from cxmining.journeys import JourneyRules, journey_tables, unstitched_shares
from cxmining.mining.statistics import mining_tables
from cxmining.synthetic import write_sample

CUSTOMERS_HEADER = "customer_id,phone,email,created_at"


def web(event_id: str, session: str, visitor: str, ts: str, event_type: str, customer: str = "", product: str = "",
        order: str = "") -> str:
    page = f"/product/{product}" if product else f"/{event_type}"
    return f"{event_id},{session},{visitor},{customer},{ts},{event_type},{page},{product},{order}"


def build(landing: Path, tmp_path: Path, rules: JourneyRules = JourneyRules()) -> duckdb.DuckDBPyConnection:
    db = tmp_path / "store.duckdb"
    landing_reports(db, landing, "run")
    journey_tables(db, rules)
    return duckdb.connect(str(db))


def stitched(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str | None, str]]:
    return {r[0]: (r[1], r[2]) for r in con.execute(
        "SELECT event_id, stitched_customer_id, stitch_rule FROM stitched_events").fetchall()}


def test_callers_are_matched_by_phone_in_any_notation_unless_ambiguous(landing: Path, tmp_path: Path) -> None:
    write_lines(landing / "customers" / "c.csv", [
        CUSTOMERS_HEADER,
        "C1,+31 6 12345678,a@example.org,2026-01-01T00:00:00Z",
        "C2,020-7654321,b@example.org,2026-01-01T00:00:00Z",
        "C3,+31 20 7654321,c@example.org,2026-01-01T00:00:00Z",  # same number as C2: ambiguous
    ])
    write_lines(landing / "calls" / "k.csv", [
        CALLS_HEADER,
        call_row("K1", caller_number="06-12345678", order_id=""),
        call_row("K2", caller_number="0031 (0)6 1234 5678", order_id=""),
        call_row("K3", caller_number="0207654321", order_id=""),
        call_row("K4", caller_number="0699999999", customer_id="C3", order_id=""),
        call_row("K5", caller_number="", order_id=""),
    ])
    con = build(landing, tmp_path)
    s = stitched(con)
    assert s["call:K1"] == ("C1", "phone")
    assert s["call:K2"] == ("C1", "phone")
    assert s["call:K3"] == (None, "not stitched")
    assert s["call:K4"] == ("C3", "recorded")
    assert s["call:K5"] == (None, "not stitched")
    assert unstitched_shares(con)["calls"] == pytest.approx(0.4)


def test_anonymous_sessions_of_a_visitor_are_attributed_to_the_customer_who_logs_in(landing: Path, tmp_path: Path) -> None:
    write_lines(landing / "web" / "w.csv", [
        WEB_HEADER,
        web("W1", "S1", "V1", "2026-09-01T10:00:00Z", "page_view", product="P1"),
        web("W2", "S2", "V1", "2026-09-02T10:00:00Z", "search"),
        web("W3", "S2", "V1", "2026-09-02T10:01:00Z", "login", customer="C1"),
        web("W4", "S2", "V1", "2026-09-02T10:02:00Z", "page_view", customer="C1", product="P1"),
        web("W5", "S3", "V1", "2026-09-05T10:00:00Z", "page_view", product="P2"),
        web("W6", "S4", "V2", "2026-09-05T10:00:00Z", "page_view", product="P2"),
    ])
    con = build(landing, tmp_path)
    s = stitched(con)
    assert s["web:W1"] == ("C1", "visitor, attributed back")
    assert s["web:W2"] == ("C1", "same session")
    assert s["web:W3"] == ("C1", "recorded")
    assert s["web:W5"] == ("C1", "visitor, carried forward")
    assert s["web:W6"] == (None, "not stitched")
    assert unstitched_shares(con)["web"] == pytest.approx(1 / 6, abs=1e-4)
    journeys = dict(con.execute("SELECT event_id, journey_id FROM journey_assignment").fetchall())
    assert journeys["web:W6"] == "visitor:V2:1"  # an anonymous visit is a journey without an order


def order_landing(landing: Path) -> None:
    write_lines(landing / "customers" / "c.csv", [CUSTOMERS_HEADER, "C1,0612345678,a@example.org,2026-01-01T00:00:00Z"])
    write_lines(landing / "web" / "w.csv", [
        WEB_HEADER,
        web("W0", "S0", "V1", "2026-08-01T09:00:00Z", "page_view", customer="C1", product="P1"),  # 31 days before
        web("W1", "S1", "V1", "2026-08-25T09:00:00Z", "page_view", customer="C1", product="P1"),  # 7 days before
        web("W2", "S2", "V1", "2026-09-01T09:00:00Z", "login", customer="C1"),
        web("W3", "S2", "V1", "2026-09-01T09:05:00Z", "purchase", customer="C1", order="O1"),
        web("W9", "S9", "V1", "2026-10-20T09:00:00Z", "page_view", customer="C1", product="P7"),
    ])
    write_lines(landing / "orders" / "o.csv", [
        ORDERS_HEADER,
        "O1,C1,P1,1,placed,2026-09-01T09:05:00Z,web,",
        "O1,C1,P1,1,paid,2026-09-01T09:05:00Z,web,",       # same second as placed: lifecycle order decides
        "O1,C1,P1,1,shipped,2026-09-03T12:00:00Z,web,",
        "O1,C1,P1,1,delivered,2026-09-05T12:00:00Z,web,",
    ])
    write_lines(landing / "calls" / "k.csv", [
        CALLS_HEADER,
        call_row("K1", started="2026-09-04T10:00:00+02:00", ended_at="2026-09-04T10:03:00+02:00", order_id=""),
        call_row("K2", started="2026-10-10T10:00:00+02:00", ended_at="2026-10-10T10:03:00+02:00", order_id=""),
    ])


def test_an_order_journey_holds_its_research_and_its_contacts_within_the_windows(landing: Path, tmp_path: Path) -> None:
    order_landing(landing)
    con = build(landing, tmp_path)
    rows = con.execute(
        """SELECT "concept:name", event_id FROM journey_events WHERE "case:concept:name" = 'order:O1' ORDER BY event_order"""
    ).fetchall()
    assert [r[1] for r in rows] == [
        "web:W1", "web:W2", "web:W3",
        "order:O1/placed", "order:O1/paid", "order:O1/shipped", "call:K1", "order:O1/delivered",
    ]
    assert rows[2][0] == "Complete purchase" and rows[3][0] == "Order placed"  # the click, then the order system
    journeys = dict(con.execute("SELECT event_id, journey_id FROM journey_assignment").fetchall())
    assert journeys["web:W0"] == "customer:C1:1"   # older than the 14-day look-back
    assert journeys["call:K2"].startswith("customer:C1:")  # after the 14-day quiet period
    assert journeys["web:W9"] == journeys["call:K2"]       # 10 days apart: same journey without an order
    summary = con.execute("SELECT journey_type, order_id, product_id, sales_channel, events, calls FROM journeys "
                          "WHERE journey_id = 'order:O1'").fetchone()
    assert summary == ("order", "O1", "P1", "web", 8, 1)


def test_an_order_with_two_lines_is_one_order_and_a_returned_line_a_return_of_it(landing: Path, tmp_path: Path) -> None:
    write_lines(landing / "orders" / "o.csv", [
        ORDERS_HEADER,
        "O1,C1,P1,1,placed,2026-09-01T09:05:00Z,web,",
        "O1,C1,P2,2,placed,2026-09-01T09:05:00Z,web,",
        "O1,C1,P1,1,shipped,2026-09-02T12:00:00Z,web,",
        "O1,C1,P2,2,shipped,2026-09-02T12:00:00Z,web,",
        "O1,C1,P1,1,delivered,2026-09-03T12:00:00Z,web,",
        "O1,C1,P2,2,delivered,2026-09-03T12:00:00Z,web,",
        "O1,C1,P2,2,return_requested,2026-09-06T12:00:00Z,web,not_as_described",
        "O2,C1,P3,,placed,2026-09-10T09:05:00Z,web,",
        "O2,C1,P4,1,placed,2026-09-10T09:05:00Z,web,",
    ])
    con = build(landing, tmp_path)
    steps = con.execute("""SELECT "concept:name", product_id, event_id FROM journey_events
                           WHERE "case:concept:name" = 'order:O1' ORDER BY event_order""").fetchall()
    assert [(a, p) for a, p, _ in steps] == [
        ("Order placed", "P1"), ("Order shipped", "P1"), ("Order delivered", "P1"), ("Return requested", "P2")]
    lines = dict(((e, (ids, n, q)) for e, ids, n, q in con.execute(
        "SELECT event_id, product_ids, line_count, quantity FROM events WHERE source = 'orders'").fetchall()))
    assert lines["order:O1/placed"] == (["P1", "P2"], 2, 3)
    assert lines["order:O1/return_requested/2026-09-06T12:00:00"] == (["P2"], 1, 2)
    assert lines["order:O2/placed"] == (["P3", "P4"], 2, None)  # one line's quantity is unknown: so is the order's
    # the process statistics see one step per status: no self-loop from the second line
    mining_tables(con)
    assert con.execute("""SELECT count(*) FROM dfg WHERE source = target AND source LIKE 'Order%'""").fetchone()[0] == 0


def test_windows_are_configurable(landing: Path, tmp_path: Path) -> None:
    order_landing(landing)
    con = build(landing, tmp_path, JourneyRules(lookback_days=40, quiet_days=45))
    journeys = dict(con.execute("SELECT event_id, journey_id FROM journey_assignment").fetchall())
    assert journeys["web:W0"] == "order:O1"
    assert journeys["call:K2"] == "order:O1"
    with pytest.raises(CxminingError, match="lookback_days must be a whole number"):
        JourneyRules(lookback_days=-1)


@pytest.mark.parametrize("seed", [5, 23])
def test_on_fresh_samples_every_event_is_in_at_most_one_journey_and_order_is_deterministic(tmp_path: Path, seed: int) -> None:
    landing = tmp_path / "landing"
    write_sample(landing, customers=120, seed=seed, days=21)
    db = tmp_path / "s.duckdb"
    landing_reports(db, landing, "run")
    journey_tables(db)
    with duckdb.connect(str(db)) as con:
        assert con.execute("SELECT count(*) - count(DISTINCT event_id) FROM journey_assignment").fetchone()[0] == 0
        # Every order has its own journey; every event with a known customer is in one.
        assert con.execute("SELECT count(DISTINCT order_id) FROM raw_orders").fetchone()[0] == \
            con.execute("SELECT count(*) FROM journeys WHERE journey_type = 'order'").fetchone()[0]
        left_out = con.execute(
            "SELECT count(*) FROM stitched_events s ANTI JOIN journey_assignment USING (event_id) "
            "WHERE s.stitched_customer_id IS NOT NULL").fetchone()[0]
        assert left_out == 0
        # Only calls without a customer stay outside journeys (web visitors get anonymous journeys).
        outside = con.execute("SELECT DISTINCT source FROM events ANTI JOIN journey_assignment USING (event_id)").fetchall()
        assert outside in ([], [("calls",)])
        order = "SELECT \"case:concept:name\", event_order, event_id FROM journey_events ORDER BY 1, 2"
        first = con.execute(order).fetchall()
    journey_tables(db)
    with duckdb.connect(str(db)) as con:
        assert con.execute(order).fetchall() == first
        positions = con.execute(
            "SELECT count(*) FROM (SELECT \"case:concept:name\", max(event_order) = count(*) AND min(event_order) = 1 AS ok "
            "FROM journey_events GROUP BY 1) WHERE NOT ok").fetchone()[0]
        assert positions == 0
