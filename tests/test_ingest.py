"""Ingest: validation, quarantine with lines and reasons, reconciliation, idempotency, UTC."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from helpers import (
    CALLS_HEADER,
    PRODUCTS_HEADER,
    WEB_HEADER,
    call_row,
    table_counts,
    write_lines,
)

from cxmining.ingest.folder import landing_reports


def ingest(landing: Path, db: Path, run_id: str = "run-1", mapping: Path | None = None):
    return landing_reports(db, landing, run_id, mapping)


def query(db: Path, sql: str, params: dict | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


def test_timestamps_with_offsets_are_stored_in_utc(landing: Path, tmp_path: Path) -> None:
    write_lines(landing / "calls" / "c.csv", [
        CALLS_HEADER,
        call_row("K1", started="2026-09-01T10:00:00+02:00", ended_at="2026-09-01T10:05:00+02:00"),
        call_row("K2", started="2026-11-01T10:00:00+01:00", ended_at="2026-11-01T10:05:00+01:00"),
    ])
    write_lines(landing / "web" / "w.csv", [WEB_HEADER, "W1,S1,V1,,2026-09-01T08:00:00Z,search,/search,,"])
    db = tmp_path / "s.duckdb"
    ingest(landing, db)
    assert query(db, "SELECT call_id, started_at FROM raw_calls ORDER BY 1") == [
        ("K1", datetime(2026, 9, 1, 8, 0)),
        ("K2", datetime(2026, 11, 1, 9, 0)),
    ]
    assert query(db, "SELECT ts FROM raw_web") == [(datetime(2026, 9, 1, 8, 0),)]
    assert query(db, "SELECT duration_s FROM events WHERE call_id = 'K1'") == [(300.0,)]


def test_malformed_rows_are_quarantined_with_physical_line_reason_and_raw_text(landing: Path, tmp_path: Path) -> None:
    lines: list[str | bytes] = [
        CALLS_HEADER,
        call_row("K1", notes='"said ""hello""'),                       # 2-3: quoted note spanning two lines
        "second line of the note\"",
        call_row("K2", started="yesterday"),                            # 4: bad timestamp
        call_row("", reason="order_status"),                            # 5: missing required id
        "K4,0612345678,short",                                          # 6: short row
        call_row("K5") + ",extra",                                      # 7: long row
        call_row("K6", notes="nul\x00byte"),                            # 8: NUL byte
        call_row("K7", notes="x").encode() + b"\xff\xfe",               # 9: not UTF-8
        "",                                                             # 10: blank line, ignored
        call_row("K8", reason="weather"),                               # 11: value not allowed
        call_row("K9", notes='"<script>alert(1)</script> & <b>bold</b>"'),  # 12: HTML is data, not a defect
        call_row("K10", started="2026-09-01T10:00:00+02:00", ended_at="2026-09-01T09:00:00+02:00"),  # 13: ends before start
    ]
    write_lines(landing / "calls" / "calls_2026-09-01.csv", lines)
    db = tmp_path / "s.duckdb"
    [report] = ingest(landing, db)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined, report.rows_duplicate) == (10, 2, 8, 0)
    quarantined = query(db, "SELECT line, reason, raw_text, path FROM quarantine ORDER BY line")
    assert [q[0] for q in quarantined] == [4, 5, 6, 7, 8, 9, 11, 13]
    reasons = {q[0]: q[1] for q in quarantined}
    assert reasons[4] == "started_at: 'yesterday' is not an ISO-8601 timestamp"
    assert reasons[5] == "call_id: missing (required)"
    assert reasons[6] == "short row: 3 fields, the header has 13"
    assert reasons[7] == "long row: 14 fields, the header has 13"
    assert reasons[8] == "notes: contains a NUL byte"
    assert reasons[9] == "not valid utf-8 text"
    assert reasons[11].startswith("reason_code: 'weather' is not one of product_info,")
    assert reasons[13] == "ended_at is before started_at"
    raw = {q[0]: q[2] for q in quarantined}
    assert raw[4] == call_row("K2", started="yesterday")
    assert raw[8] == call_row("K6", notes="nul\x00byte")
    assert raw[9].endswith("\\xff\\xfe")
    assert {q[3] for q in quarantined} == {"calls/calls_2026-09-01.csv"}
    loaded = dict(query(db, "SELECT call_id, notes FROM raw_calls"))
    assert loaded == {"K1": 'said "hello"\nsecond line of the note', "K9": "<script>alert(1)</script> & <b>bold</b>"}


def test_quarantine_count_in_the_report_matches_the_table(landing: Path, tmp_path: Path) -> None:
    write_lines(landing / "calls" / "c.csv", [CALLS_HEADER, call_row("K1"), call_row("K2", started="nope")])
    db = tmp_path / "s.duckdb"
    ingest(landing, db)
    [(read, loaded, quarantined, dup)] = query(
        db, "SELECT rows_read, rows_loaded, rows_quarantined, rows_duplicate FROM ingested_files"
    )
    assert (read, loaded, quarantined, dup) == (2, 1, 1, 0)
    assert query(db, "SELECT count(*) FROM raw_calls")[0][0] == loaded
    assert query(db, "SELECT count(*) FROM quarantine")[0][0] == quarantined


def test_second_run_and_renamed_copy_load_nothing_new(landing: Path, tmp_path: Path) -> None:
    write_lines(landing / "calls" / "calls_1.csv", [CALLS_HEADER, call_row("K1"), call_row("K2", started="bad")])
    db = tmp_path / "s.duckdb"
    ingest(landing, db, "run-1")
    before = table_counts(db)
    reports = ingest(landing, db, "run-2")
    assert [r.status for r in reports] == ["skipped"]
    shutil.copy(landing / "calls" / "calls_1.csv", landing / "calls" / "calls_1_resent.csv")
    reports = ingest(landing, db, "run-3")
    assert sorted(r.status for r in reports) == ["skipped", "skipped"]
    assert reports[1].same_as == "calls/calls_1.csv"
    assert table_counts(db) == before


def test_a_source_is_summed_up_in_one_line_and_its_quarantine_in_another(landing: Path, tmp_path: Path) -> None:
    from cxmining.ingest.load import quarantine_summary, source_summary

    write_lines(landing / "calls" / "calls_1.csv", [CALLS_HEADER, call_row("K1"), call_row("K2", started="bad")])
    write_lines(landing / "calls" / "calls_2.csv", [CALLS_HEADER, call_row("K3"), call_row("K4"), call_row("K5")])
    db = tmp_path / "s.duckdb"
    first = ingest(landing, db, "run-1")
    assert source_summary("calls", first) == ("calls: 2 files: 2 loaded (read 5 = loaded 4 + quarantined 1 + "
                                              "duplicates 0), 0 skipped (already loaded), 0 refused")
    assert quarantine_summary("calls", first).startswith("calls: 1 rows quarantined in 1 files (table quarantine), "
                                                          "e.g. calls/calls_1.csv line 3")
    write_lines(landing / "calls" / "calls_3.csv", ["call_id,notes", "K6,no other column"])  # refused: columns missing
    second = ingest(landing, db, "run-2")
    assert source_summary("calls", second) == "calls: 3 files: 0 loaded, 2 skipped (already loaded), 1 refused"
    assert quarantine_summary("calls", second) is None


def test_overlapping_drops_count_duplicates_and_quarantine_conflicts(landing: Path, tmp_path: Path) -> None:
    write_lines(landing / "calls" / "calls_1.csv", [CALLS_HEADER, call_row("K1"), call_row("K2")])
    write_lines(landing / "calls" / "calls_2.csv", [
        CALLS_HEADER,
        call_row("K2"),                       # identical to a loaded row: duplicate
        call_row("K1", outcome="callback"),   # same key, other values: conflict
        call_row("K3"),
        call_row("K3"),                       # repeated within the file: duplicate
        call_row("K4"),
        call_row("K4", outcome="abandoned"),  # same key within the file, other values: conflict
    ])
    db = tmp_path / "s.duckdb"
    reports = ingest(landing, db)
    second = reports[1]
    assert (second.rows_read, second.rows_loaded, second.rows_quarantined, second.rows_duplicate) == (6, 2, 2, 2)
    assert query(db, "SELECT call_id, outcome FROM raw_calls ORDER BY 1") == [
        ("K1", "resolved"), ("K2", "resolved"), ("K3", "resolved"), ("K4", "resolved"),
    ]
    reasons = dict(query(db, "SELECT line, reason FROM quarantine ORDER BY line"))
    assert reasons[3] == "key (call_id) already loaded with different values from calls/calls_1.csv"
    assert reasons[7] == "duplicate key (call_id) with different values than line 6"


def test_dimension_rows_are_updated_by_a_later_delivery(landing: Path, tmp_path: Path) -> None:
    write_lines(landing / "products" / "p1.csv", [PRODUCTS_HEADER, "P1,Kettle,kitchen,Boils water,29.99", "P2,Mug,kitchen,A mug,5"])
    write_lines(landing / "products" / "p2.csv", [PRODUCTS_HEADER, "P1,Kettle,kitchen,Boils water. 1.7 l; steel,31.00", "P2,Mug,kitchen,A mug,5"])
    db = tmp_path / "s.duckdb"
    reports = ingest(landing, db)
    assert (reports[1].rows_loaded, reports[1].rows_duplicate) == (1, 1)
    rows = query(db, "SELECT product_id, description, CAST(price AS DOUBLE) FROM raw_products ORDER BY 1")
    assert rows == [("P1", "Boils water. 1.7 l; steel", 31.0), ("P2", "A mug", 5.0)]


def test_missing_required_column_refuses_the_file_and_keeps_the_rest(landing: Path, tmp_path: Path) -> None:
    write_lines(landing / "calls" / "calls_1.csv", [CALLS_HEADER.replace("started_at", "start_time"), call_row("K1")])
    write_lines(landing / "web" / "w.csv", [WEB_HEADER, "W1,S1,V1,,2026-09-01T08:00:00Z,search,/search,,"])
    db = tmp_path / "s.duckdb"
    reports = {r.source: r for r in ingest(landing, db)}
    assert reports["web"].status == "loaded"
    refused = reports["calls"]
    assert refused.status == "rejected"
    assert refused.error.startswith("calls/calls_1.csv line 1: required column 'started_at' is missing; header has: call_id,")
    assert "\n" not in refused.error
    assert query(db, "SELECT status, rows_read FROM ingested_files WHERE source = 'calls'") == [("rejected", None)]
    # With a mapping naming the column, the next run loads the same file.
    mapping = tmp_path / "map.yaml"
    mapping.write_text("calls:\n  columns:\n    started_at: start_time\n")
    reports = {r.source: r for r in ingest(landing, db, "run-2", mapping)}
    assert reports["calls"].status == "loaded" and reports["calls"].rows_loaded == 1
    assert query(db, "SELECT status FROM ingested_files WHERE source = 'calls'") == [("loaded",)]


def test_orders_and_parquet_drops_load_with_row_numbers_for_bad_rows(landing: Path, tmp_path: Path) -> None:
    frame = pl.DataFrame({
        "order_id": ["O1", "O1", "O2", "O3"],
        "customer_id": ["C1", "C1", "C2", "C3"],
        "product_id": ["P1", "P1", "P2", "P3"],
        "quantity": ["1", "1", "0", "2"],
        "status": ["placed", "shipped", "placed", "lost"],
        "ts": ["2026-09-01T10:00:00Z", "2026-09-02T10:00:00Z", "2026-09-01T11:00:00Z", "2026-09-01T12:00:00Z"],
        "sales_channel": ["web", "web", "phone", "store"],
        "return_reason": [None, None, None, None],
    })
    (landing / "orders").mkdir()
    frame.write_parquet(landing / "orders" / "orders_1.parquet")
    db = tmp_path / "s.duckdb"
    [report] = ingest(landing, db)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (4, 2, 2)
    rows = query(db, "SELECT line, reason, raw_text FROM quarantine ORDER BY line")
    assert [r[0] for r in rows] == [3, 4]
    assert rows[0][1] == "quantity: '0' is below the minimum 1"
    assert rows[1][1].startswith("status: 'lost' is not one of placed,")
    assert '"order_id":"O3"' in rows[1][2]
    assert query(db, "SELECT activity, lane FROM events ORDER BY ts") == [
        ("Order placed", "Website"), ("Order shipped", "Fulfilment"),
    ]


def test_numbers_and_timestamps_are_read_exactly_or_refused(landing: Path, tmp_path: Path) -> None:
    # nothing rounded, read as hex or taken from a zone name; nothing that would poison a later step passes
    rows = [("O1", "2", "2026-09-01T10:00:00Z"), ("O2", "3.0", "2026-09-01 12:00:00.250+02:00"),
            ("O3", "0.5", "2026-09-01T10:00:00Z"), ("O4", "1.5", "2026-09-01T10:00:00Z"),
            ("O5", "0x10", "2026-09-01T10:00:00Z"), ("O6", "1", "infinity"), ("O7", "1", "2026-09-01 10:00 CET"),
            ("O8", "1", "2026-09-01 10:00 Europe/Amsterdam"), ("O9", "1", "2026-09-01T10:00:00+25:00"),
            ("O10", "1", "epoch"), ("O11", "nan", "2026-09-01T10:00:00Z")]
    write_lines(landing / "orders" / "orders_1.csv",
                ["order_id,customer_id,product_id,quantity,status,ts,sales_channel,return_reason",
                 *(f"{o},C1,P1,{q},placed,{ts},web," for o, q, ts in rows)])
    db = tmp_path / "s.duckdb"
    [report] = ingest(landing, db)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (11, 2, 9)
    reasons = dict(query(db, "SELECT line, reason FROM quarantine"))
    assert reasons == {
        4: "quantity: '0.5' is not a whole number", 5: "quantity: '1.5' is not a whole number",
        6: "quantity: '0x10' is not a whole number", 7: "ts: 'infinity' is not an ISO-8601 timestamp",
        8: "ts: '2026-09-01 10:00 CET' is not an ISO-8601 timestamp",
        9: "ts: '2026-09-01 10:00 Europe/Amsterdam' is not an ISO-8601 timestamp",
        10: "ts: '2026-09-01T10:00:00+25:00' is not an ISO-8601 timestamp", 11: "ts: 'epoch' is not an ISO-8601 timestamp",
        12: "quantity: 'nan' is not a whole number"}
    assert query(db, "SELECT order_id, quantity, ts FROM raw_orders ORDER BY 1") == [
        ("O1", 2, datetime(2026, 9, 1, 10, 0)), ("O2", 3, datetime(2026, 9, 1, 10, 0, 0, 250000))]


@pytest.mark.parametrize(("codec", "bom", "declared"), [
    ("utf-16-le", b"\xff\xfe", None),        # a spreadsheet's "Unicode text" export: the mark says it all
    ("utf-16-be", b"\xfe\xff", None),
    ("utf-16-be", b"", "utf-16"),              # no mark: the mapping says UTF-16, the zero byte says which end
    ("utf-16-le", b"", "utf-16"),
    ("latin-1", b"", "latin-1"),
    ("utf-8", b"\xef\xbb\xbf", None),
])
def test_every_encoding_loads_every_row_with_its_physical_line(landing: Path, tmp_path: Path, codec: str, bom: bytes,
                                                               declared: str | None) -> None:
    lines = [CALLS_HEADER, call_row("K1", notes="\"Müller, Zoë\""), call_row("K2", reason="weather"),
             call_row("K3", notes='"two\nlines"'), call_row("K4")]
    (landing / "calls").mkdir()
    (landing / "calls" / "c.csv").write_bytes(bom + ("\r\n".join(lines) + "\r\n").encode(codec))
    mapping = None
    if declared:
        mapping = tmp_path / "map.yaml"
        mapping.write_text(f"calls:\n  encoding: {declared}\n")
    db = tmp_path / "s.duckdb"
    [report] = ingest(landing, db, mapping=mapping)
    assert (report.status, report.rows_read, report.rows_loaded, report.rows_quarantined) == ("loaded", 4, 3, 1)
    assert query(db, "SELECT line, raw_text FROM quarantine") == [(3, call_row("K2", reason="weather"))]
    notes = dict(query(db, "SELECT call_id, notes FROM raw_calls"))
    assert notes["K1"] == "Müller, Zoë" and notes["K3"] == "two\nlines" and "K4" in notes


def test_text_that_is_not_valid_in_its_encoding_refuses_the_file_naming_the_byte(landing: Path, tmp_path: Path) -> None:
    (landing / "calls").mkdir()
    good = ("\n".join([CALLS_HEADER, call_row("K1")]) + "\n").encode("utf-16-le")
    (landing / "calls" / "c.csv").write_bytes(b"\xff\xfe" + good + b"\x00\xd8A\x00")  # a lone surrogate
    [report] = ingest(landing, tmp_path / "s.duckdb")
    assert report.status == "rejected"
    assert report.error == f"calls/c.csv: not valid utf-16-le text near byte {len(good) + 3}"


def test_a_file_gone_between_listing_and_reading_is_named_and_the_others_load(landing: Path, tmp_path: Path) -> None:
    from cxmining.ingest.landing import landing_files
    from cxmining.ingest.load import ingest_file
    from cxmining.ingest.mapping import SourceMapping
    from cxmining.store import connect, ensure_schema

    write_lines(landing / "calls" / "a.csv", [CALLS_HEADER, call_row("K1")])
    write_lines(landing / "calls" / "b.csv", [CALLS_HEADER, call_row("K2")])
    listed = landing_files(landing, "calls")
    listed[0].path.unlink()  # the sender moved it away after the run listed the folder
    con = connect(tmp_path / "s.duckdb")
    try:
        ensure_schema(con)
        gone, kept = (ingest_file(con, f, SourceMapping(), "r") for f in listed)
    finally:
        con.close()
    assert (gone.status, gone.error) == ("rejected", "calls/a.csv: no longer there (deleted or moved while the run read the folder)")
    assert (kept.status, kept.rows_loaded) == ("loaded", 1)


def test_an_unclosed_quote_says_how_many_lines_it_swallowed(landing: Path, tmp_path: Path) -> None:
    lines = [CALLS_HEADER, *(call_row(f"K{i}") for i in range(1, 1001))]
    lines[501] = call_row("K501", notes='"unclosed')
    write_lines(landing / "calls" / "c.csv", lines)
    db = tmp_path / "s.duckdb"
    [report] = ingest(landing, db)
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (501, 500, 1)
    [(line, reason)] = query(db, "SELECT line, reason FROM quarantine")
    assert line == 502 and reason.endswith("; the record runs over lines 502-1001 (500 lines): rows on those lines "
                                           "could not be read")


def test_what_the_run_does_not_read_is_named_and_links_out_of_the_folder_are_not_followed(landing: Path,
                                                                                           tmp_path: Path) -> None:
    from cxmining.ingest.contract import SOURCES
    from cxmining.ingest.landing import untaken

    write_lines(landing / "calls" / "c.csv", [CALLS_HEADER, call_row("K1")])
    write_lines(tmp_path / "outside.csv", [CALLS_HEADER, call_row("K666")])
    (landing / "calls" / "linked.csv").symlink_to(tmp_path / "outside.csv")
    (landing / "calls" / "c2.csv.gz").write_bytes(b"\x1f\x8b")
    (landing / "calls" / "c3.csv.part").write_text(CALLS_HEADER + "\nK3,061")  # half-way through its upload
    (landing / "calls" / ".DS_Store").write_bytes(b"")
    write_lines(landing / "Calls" / "c.csv", [CALLS_HEADER, call_row("K2")])
    write_lines(landing / "returns" / "r.csv", ["return_id"])
    (landing / "notes.txt").write_text("read me")
    (landing / "models").mkdir()
    assert untaken(landing) == [
        "Calls/: not a source folder (did you mean calls/?)",
        "notes.txt: a file at the landing root (files go in their source's folder)",
        f"returns/: not a source folder (sources: {', '.join(SOURCES)})",
        "calls/c2.csv.gz: neither CSV nor Parquet (compressed files are not read: unpack it)",
        "calls/c3.csv.part: still being uploaded (taken once it is renamed to its .csv or .parquet name)",
        "calls/linked.csv: a link to outside the landing folder",
    ]
    db = tmp_path / "s.duckdb"
    reports = ingest(landing, db)
    assert [r.path for r in reports] == ["calls/c.csv"]
    assert query(db, "SELECT call_id FROM raw_calls") == [("K1",)]


def test_a_reason_never_quotes_what_looks_like_personal_data(landing: Path, tmp_path: Path) -> None:
    # rows shifted by a column put phone numbers, e-mail addresses and note text where codes were expected
    note = "Customer angry, wants callback on her mobile, says the parcel never came"
    write_lines(landing / "calls" / "c.csv", [
        CALLS_HEADER,
        call_row("K1", reason="+31 6 1234 5678"), call_row("K2", reason="jan.jansen@example.nl"),
        call_row("K3", reason=f"\"{note}\""), call_row("K4", reason="weather"),
        call_row("K5", started="2026-13-45"),
    ])
    db = tmp_path / "s.duckdb"
    ingest(landing, db)
    rows = query(db, "SELECT line, reason, raw_text FROM quarantine ORDER BY line")
    hidden = "reason_code: (a value that may be personal data, not shown: see raw_text) is not one of"
    assert [r[1].startswith(hidden) for r in rows[:3]] == [True, True, True]
    assert rows[3][1].startswith("reason_code: 'weather' is not one of")  # a code is still quoted
    assert rows[4][1] == "started_at: '2026-13-45' is not an ISO-8601 timestamp"  # and so is a date
    for value in ("+31 6 1234 5678", "jan.jansen@example.nl", note):
        assert not any(value in r[1] for r in rows) and any(value in r[2] for r in rows)


def test_files_the_readers_choke_on_are_refused_by_name_and_the_next_ones_load(landing: Path, tmp_path: Path) -> None:
    import decimal

    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    row = {"order_id": ["O1"], "customer_id": ["C1"], "product_id": ["P1"], "quantity": [1], "status": ["placed"],
           "ts": ["2026-09-01T10:00:00Z"], "sales_channel": ["web"], "return_reason": [None]}
    (landing / "orders").mkdir()
    # types Arrow cannot write as text: an extra float16 column, a decimal256 quantity
    pq.write_table(pa.table(row | {"extra": pa.array(np.array([1.5], dtype=np.float16))}), landing / "orders" / "a.parquet")
    pq.write_table(pa.table(row | {"order_id": ["O2"], "quantity": pa.array([decimal.Decimal(2)], pa.decimal256(40, 0))}),
                   landing / "orders" / "b.parquet")
    (landing / "orders" / "c.parquet").write_bytes(b"PAR1 not really")
    write_lines(landing / "calls" / "huge.csv", [CALLS_HEADER + "," + "x" * 200_000, call_row("K1")])
    write_lines(landing / "calls" / "ok.csv", [CALLS_HEADER, call_row("K2")])
    reports = {r.path: r for r in ingest(landing, tmp_path / "s.duckdb")}
    assert {p: r.status for p, r in reports.items()} == {
        "orders/a.parquet": "loaded", "orders/b.parquet": "loaded", "orders/c.parquet": "rejected",
        "calls/huge.csv": "rejected", "calls/ok.csv": "loaded"}
    assert reports["orders/c.parquet"].error.startswith("orders/c.parquet: cannot be read as Parquet")
    assert reports["calls/huge.csv"].error.startswith("calls/huge.csv line 1: the header cannot be read (field larger")
    assert query(tmp_path / "s.duckdb", "SELECT order_id, quantity FROM raw_orders ORDER BY 1") == [("O1", 1), ("O2", 2)]


def test_implausible_dates_are_quarantined_within_a_window_the_mapping_sets(landing: Path, tmp_path: Path) -> None:
    # one call dated 2199 took the what-if cost from 53,039 to 55,712,164; rows of 1970 emptied avoidable calls
    write_lines(landing / "calls" / "c.csv", [CALLS_HEADER, call_row("K1"),
                                              call_row("K2", started="2199-01-01T10:00:00Z", ended_at="2199-01-01T10:05:00Z"),
                                              call_row("K3", started="1970-01-01T00:00:00Z", ended_at="1970-01-01T00:05:00Z")])
    db = tmp_path / "s.duckdb"
    ingest(landing, db)
    reasons = dict(query(db, "SELECT line, reason FROM quarantine"))
    assert reasons[3].startswith("started_at: '2199-01-01T10:00:00Z' is more than a day after the run")
    assert reasons[4].startswith("started_at: '1970-01-01T00:00:00Z' is more than 30 years before the run")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("calls:\n  plausible_years: 80\n")
    ingest(landing, tmp_path / "t.duckdb", mapping=mapping)
    assert [line for line, in query(tmp_path / "t.duckdb", "SELECT line FROM quarantine")] == [3]


def test_a_file_with_only_a_header_loads_zero_rows(landing: Path, tmp_path: Path) -> None:
    write_lines(landing / "calls" / "c.csv", [CALLS_HEADER])
    (landing / "web").mkdir()
    (landing / "web" / "empty.csv").write_bytes(b"")
    reports = {r.source: r for r in ingest(landing, tmp_path / "s.duckdb")}
    assert reports["calls"].status == "loaded" and reports["calls"].rows_read == 0
    assert reports["web"].status == "rejected"
    assert reports["web"].error == "web/empty.csv: empty file or empty first line; expected a header row"


@pytest.mark.parametrize("dialect", ["yaml", "toml"])
def test_mapping_renames_columns_maps_values_and_sets_zone(landing: Path, tmp_path: Path, dialect: str) -> None:
    write_lines(landing / "web" / "export.csv", [
        "id;sess;cookie;cust;when;what;url;sku;order",
        "W1;S1;V1;;2026-09-01 10:00:00;PV;/product/P1;P1;",
        "W2;S1;V1;C1;2026-09-01 10:01:00;LOGIN;/login;;",
        "W3;S1;V1;C1;2026-09-01 10:02:00;TELEPORT;/x;;",
    ])
    mapping = tmp_path / f"map.{dialect}"
    if dialect == "yaml":
        mapping.write_text(
            "web:\n  delimiter: ';'\n  timezone: Europe/Amsterdam\n"
            "  columns: {event_id: id, session_id: sess, visitor_id: cookie, customer_id: cust, ts: when,"
            " event_type: what, page: url, product_id: sku, order_id: order}\n"
            "  values:\n    event_type: {PV: page_view, LOGIN: login}\n"
        )
    else:
        mapping.write_text(
            '[web]\ndelimiter = ";"\ntimezone = "Europe/Amsterdam"\n'
            '[web.columns]\nevent_id = "id"\nsession_id = "sess"\nvisitor_id = "cookie"\ncustomer_id = "cust"\n'
            'ts = "when"\nevent_type = "what"\npage = "url"\nproduct_id = "sku"\norder_id = "order"\n'
            '[web.values.event_type]\nPV = "page_view"\nLOGIN = "login"\n'
        )
    db = tmp_path / "s.duckdb"
    [report] = ingest(landing, db, mapping=mapping)
    assert (report.rows_loaded, report.rows_quarantined) == (2, 1)
    assert query(db, "SELECT event_id, ts, event_type FROM raw_web ORDER BY 1") == [
        ("W1", datetime(2026, 9, 1, 8, 0), "page_view"),
        ("W2", datetime(2026, 9, 1, 8, 1), "login"),
    ]
    assert query(db, "SELECT activity FROM events ORDER BY ts") == [("View product",), ("Log in",)]
    assert query(db, "SELECT line FROM quarantine") == [(4,)]


def _store_tables(db: Path) -> dict[str, list[tuple]]:
    """Every row the load writes, in a fixed order: raw rows with their file, quarantine, the manifest."""
    return {
        "raw_calls": query(db, "SELECT * FROM raw_calls ORDER BY ALL"),
        "raw_customers": query(db, "SELECT * FROM raw_customers ORDER BY ALL"),
        "quarantine": query(db, "SELECT path, line, reason, raw_text FROM quarantine ORDER BY ALL"),
        "ingested_files": query(db, "SELECT sha256, path, status, error, rows_read, rows_loaded, rows_quarantined, "
                                    "rows_duplicate FROM ingested_files ORDER BY ALL"),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_files_read_in_one_pass_load_as_if_loaded_one_after_another(landing: Path, tmp_path: Path, monkeypatch, seed: int) -> None:
    """Batches of files read together give the same store as one file at a time: keys delivered again by a later
    file (same values: duplicates; other values: conflicts naming the earlier file, or for customers the latest
    delivery), keys repeated within a file, invalid and unreadable rows, a file with its columns in another order
    and a Parquet file in between (each read apart), the same content twice."""
    import random

    import cxmining.ingest.load as load

    rng = random.Random(seed)
    reasons, outcomes = ["order_status", "product_info", "payment"], ["resolved", "transferred"]
    customers_header = "customer_id,phone,email,created_at"
    for f in range(8):
        calls = [CALLS_HEADER]
        for _ in range(40):
            key = f"K{rng.randrange(60)}"
            row = call_row(key, reason=rng.choice(reasons), outcome=rng.choice(outcomes))
            calls.append(row if rng.random() > 0.05 else row.rsplit(",", 3)[0])  # a short row now and then
            if rng.random() < 0.05:
                calls.append(call_row(key, started="yesterday"))  # invalid
        write_lines(landing / "calls" / f"calls_{f}.csv", calls)
        people = [customers_header]  # two versions of each customer, so deliveries go A, B, A...
        for _ in range(15):
            c, version = rng.randrange(30), rng.randrange(2)
            people.append(f"C{c},06{c:04d}{version:04d},c@example.org,2026-0{version + 1}-01T00:00:00Z")
        write_lines(landing / "customers" / f"customers_{f}.csv", people)
    shutil.copy(landing / "calls" / "calls_2.csv", landing / "calls" / "calls_2b.csv")  # the same content again
    columns = CALLS_HEADER.split(",")
    reordered = [",".join(reversed(columns)), *(",".join(reversed(call_row(f"K{rng.randrange(60)}").split(",")))
                                                for _ in range(20))]
    write_lines(landing / "calls" / "calls_4r.csv", reordered)  # another header: a batch of its own
    rows = [dict(zip(columns, call_row(f"K{rng.randrange(60)}", reason=rng.choice(reasons)).split(","), strict=True))
            for _ in range(20)]
    pl.DataFrame(rows).write_parquet(landing / "calls" / "calls_5p.parquet")

    batched, alone = tmp_path / "batched.duckdb", tmp_path / "alone.duckdb"
    ingest(landing, batched)
    monkeypatch.setattr(load, "BATCH_FILES", 1)
    ingest(landing, alone)
    got, expected = _store_tables(batched), _store_tables(alone)
    assert got == expected
    reasons_seen = " ".join(r[2] for r in got["quarantine"])
    for kind in ("already loaded with different values from calls/", "with different values than line",
                 "short row", "is not an ISO-8601 timestamp"):
        assert kind in reasons_seen  # every kind of bad row was exercised
    statuses = [r[2] for r in got["ingested_files"]]
    assert statuses.count("loaded") == 18 and len(got["raw_customers"]) <= 30


def test_a_batch_the_reader_refuses_as_a_whole_is_read_a_file_at_a_time(landing: Path, tmp_path: Path, monkeypatch) -> None:
    import cxmining.ingest.staging as staging
    from cxmining.errors import LandingError

    for f in range(3):
        write_lines(landing / "calls" / f"calls_{f}.csv", [CALLS_HEADER, call_row(f"K{f}")])
    real_stage = staging._stage_csv

    def refusing(con, files, *args):  # the reader fails on calls_1 (as a damaged file would), alone or in company
        if any(f.relative == "calls/calls_1.csv" for f in files):
            raise LandingError(f"{files[0].relative}: cannot be read as CSV (simulated)")
        return real_stage(con, files, *args)

    monkeypatch.setattr(staging, "_stage_csv", refusing)
    reports = ingest(landing, tmp_path / "s.duckdb")
    assert [(r.path, r.status, r.rows_loaded) for r in reports] == [
        ("calls/calls_0.csv", "loaded", 1), ("calls/calls_1.csv", "rejected", 0), ("calls/calls_2.csv", "loaded", 1)]
    assert reports[1].error == "calls/calls_1.csv: cannot be read as CSV (simulated)"
    assert query(tmp_path / "s.duckdb", "SELECT call_id FROM raw_calls ORDER BY 1") == [("K0",), ("K2",)]


def test_a_file_untouched_since_it_was_loaded_is_skipped_without_reading_it(landing: Path, tmp_path: Path, monkeypatch) -> None:
    """The quick check: same path, size and modification time as a loaded file means the same file, not read again;
    a file rewritten in place (same size, new content, a new modification time) is read and loaded."""
    import os

    import cxmining.ingest.load as load

    path = write_lines(landing / "calls" / "c.csv", [CALLS_HEADER, call_row("K1")])
    db = tmp_path / "s.duckdb"
    [first] = ingest(landing, db)
    assert first.status == "loaded"
    hashed: list[str] = []
    real = load.delivered_sha256
    monkeypatch.setattr(load, "delivered_sha256", lambda f: hashed.append(f.relative) or real(f))
    [again] = ingest(landing, db, "run-2")
    assert (again.status, again.sha256, hashed) == ("skipped", first.sha256, [])
    write_lines(path, [CALLS_HEADER, call_row("K2")])  # same size, other content
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    [rewritten] = ingest(landing, db, "run-3")
    assert (rewritten.status, rewritten.rows_loaded, hashed) == ("loaded", 1, ["calls/c.csv"])
    assert query(db, "SELECT call_id FROM raw_calls ORDER BY 1") == [("K1",), ("K2",)]
