"""import-log: real public logs land in journey_events with pm4py's counts and per-case order.

References are computed with pm4py itself: read (pandas/pm4py readers), pm4py.format_dataframe (stable sort by
case, timestamp, file order). XES references use pm4py's pure-Python `iterparse` reader where it is fast enough
(helpdesk, the 100-trace road-traffic sample) and its `rustxes` reader for the two large logs, so that the test
suite stays under a minute; rustxes and iterparse were checked to give identical frames on all shared XES logs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest
from helpers import REAL, real, run_cli, write_lines

from cxmining.errors import LandingError, MappingError, StoreError
from cxmining.eventlog.imported import ImportedLog, import_log
from cxmining.eventlog.reader import CsvDialect, LogMapping

pm4py = pytest.importorskip("pm4py")

HELPDESK = REAL / "helpdesk" / "helpdesk.xes.gz"
BPIC2012 = REAL / "bpic2012" / "bpic2012.xes.gz"
ROAD = REAL / "road-traffic-fines" / "Road_Traffic_Fine_Management_Process.xes.gz"
ROAD_SAMPLE = REAL / "road-traffic-fines" / "roadtraffic100traces.xes"
SEPSIS = REAL / "sepsis" / "sepsis.csv"
RUNNING = REAL / "pm4py-examples" / "running-example.csv"
BILLING = REAL / "hospital-billing" / "hospital_billing.parquet"

CASE, ACTIVITY, TIMESTAMP = "case:concept:name", "concept:name", "time:timestamp"
STORE_SEQUENCES = """
SELECT "case:concept:name" AS case_id,
       string_agg("concept:name" || '@' || epoch_us("time:timestamp"), '|' ORDER BY event_order) AS sequence
FROM journey_events GROUP BY 1 ORDER BY 1
"""



def reference_sequences(formatted: pd.DataFrame) -> pl.DataFrame:
    """case_id -> 'activity@epoch_us|...' from a frame already in pm4py's order (format_dataframe)."""
    frame = pl.from_pandas(formatted[[CASE, ACTIVITY, TIMESTAMP]].reset_index(drop=True))
    return (frame
            .with_columns(pl.col(TIMESTAMP).dt.replace_time_zone(None).dt.epoch("us").cast(pl.Utf8))
            .group_by(CASE, maintain_order=True)
            .agg(pl.concat_str([ACTIVITY, TIMESTAMP], separator="@").str.join("|").alias("sequence"))
            .rename({CASE: "case_id"})
            .sort("case_id"))


def digest(sequences: pl.DataFrame) -> str:
    """One hash of every case's sequence, so large logs compare in one assertion."""
    lines = (sequences["case_id"] + "\t" + sequences["sequence"]).str.join("\n").item()
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def assert_same_journeys(con: duckdb.DuckDBPyConnection, log: ImportedLog, formatted: pd.DataFrame) -> None:
    """Counts and per-case sequences of journey_events equal pm4py's formatted frame."""
    assert (log.cases, log.events, log.activities) == (
        formatted[CASE].nunique(), len(formatted), formatted[ACTIVITY].nunique())
    ours, theirs = con.sql(STORE_SEQUENCES).pl(), reference_sequences(formatted)
    if digest(ours) != digest(theirs):
        diff = ours.join(theirs, on="case_id", how="full", suffix="_pm4py").filter(
            pl.col("sequence").ne_missing(pl.col("sequence_pm4py")))
        pytest.fail(f"{diff.height} cases differ from pm4py, first: {diff.row(0, named=True)}")


def imported(path: Path, mapping: LogMapping = LogMapping(), dialect: CsvDialect = CsvDialect()) -> tuple[duckdb.DuckDBPyConnection, ImportedLog]:
    """An in-memory store holding the log, and the import's report."""
    con = duckdb.connect(":memory:")
    return con, import_log(path, con, mapping=mapping, dialect=dialect)


@pytest.fixture(scope="module")
def bpic2012_frame() -> pd.DataFrame:
    """BPIC 2012 as pm4py reads it, once per module (262,200 events)."""
    return pm4py.read_xes(str(real(BPIC2012)), variant="rustxes")


def test_helpdesk_xes_matches_pm4py() -> None:
    con, log = imported(real(HELPDESK))
    assert log.reader in ("rustxes", "pm4py") and log.skipped == 0 and log.filtered == 0
    assert_same_journeys(con, log, pm4py.format_dataframe(pm4py.read_xes(str(HELPDESK), variant="iterparse")))
    assert con.sql("SELECT count(*) FROM journey_events WHERE lane IS NOT NULL").fetchall() == [(0,)]
    assert con.sql("SELECT min(event_id) FROM journey_events WHERE \"case:concept:name\" = 'Case 1'").fetchall() == [("helpdesk:1",)]


def test_bpic2012_all_events(bpic2012_frame: pd.DataFrame) -> None:
    con, log = imported(BPIC2012, LogMapping(lane="org:resource"))
    assert (log.cases, log.events) == (13087, 262200)
    assert_same_journeys(con, log, pm4py.format_dataframe(bpic2012_frame.copy()))
    lifecycles = dict(con.sql("SELECT lifecycle, count(*) FROM imported_events GROUP BY 1").fetchall())
    assert lifecycles == {"SCHEDULE": 26318, "START": 71376, "COMPLETE": 164506}


def test_bpic2012_complete_only(bpic2012_frame: pd.DataFrame) -> None:
    con, log = imported(BPIC2012, LogMapping(lifecycle="complete"))
    complete = bpic2012_frame[bpic2012_frame["lifecycle:transition"].str.lower() == "complete"].copy()
    assert (log.events, log.filtered) == (164506, 262200 - 164506)
    assert_same_journeys(con, log, pm4py.format_dataframe(complete))


def test_road_traffic_date_only_timestamps_keep_file_order_on_ties() -> None:
    con, log = imported(real(ROAD))
    assert (log.cases, log.events, log.activities) == (150370, 561470, 11)
    assert_same_journeys(con, log, pm4py.format_dataframe(pm4py.read_xes(str(ROAD), variant="rustxes")))
    # +01:00/+02:00 local midnights: every timestamp is 22:00 or 23:00 UTC
    assert con.sql("SELECT DISTINCT hour(\"time:timestamp\") FROM journey_events ORDER BY 1").fetchall() == [(22,), (23,)]


def test_road_traffic_sample_matches_pm4pys_own_xml_reader() -> None:
    con, log = imported(real(ROAD_SAMPLE))
    assert log.events == 390
    assert_same_journeys(con, log, pm4py.format_dataframe(pm4py.read_xes(str(ROAD_SAMPLE), variant="iterparse")))


def test_xes_dates_rustxes_cannot_parse_fall_back_to_pm4pys_reader(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "dates.xes", [
        '<?xml version="1.0" encoding="UTF-8"?>', '<log xes.version="1.0">',
        '<trace><string key="concept:name" value="t1"/>',
        '<event><string key="concept:name" value="a"/><date key="time:timestamp" value="2020-01-01T10:00:00"/></event>',
        '<event><string key="concept:name" value="b"/><date key="time:timestamp" value="2020-01-01T10:00:00+02:00"/></event>',
        '<event><string key="concept:name" value="c"/></event>',
        '<event><string key="concept:name" value="d"/><date key="time:timestamp" value="2020-01-01"/></event>',
        "</trace>", "</log>",
    ])
    con, log = imported(path)
    assert (log.events, log.skipped, [s.problem for s in log.skipped_rows]) == (3, 1, ["missing timestamp"])
    rows = con.sql('SELECT "concept:name", strftime("time:timestamp", \'%H:%M\') FROM journey_events ORDER BY event_order')
    assert rows.fetchall() == [("d", "00:00"), ("b", "08:00"), ("a", "10:00")]


def test_sepsis_csv_keeps_the_case_called_NA() -> None:
    mapping = LogMapping(case="Case ID", activity="Activity", timestamp="Complete Timestamp", lane="org:group")
    con, log = imported(real(SEPSIS), mapping, CsvDialect(delimiter=";"))
    # pandas reads the case id "NA" as missing by default; it is a real case of 24 events
    frame = pd.read_csv(SEPSIS, sep=";", keep_default_na=False, na_values=[""], dtype=str)
    formatted = pm4py.format_dataframe(frame, case_id="Case ID", activity_key="Activity", timestamp_key="Complete Timestamp")
    assert (log.cases, log.events) == (1050, 15214)
    assert_same_journeys(con, log, formatted)
    assert con.sql("SELECT count(DISTINCT lane) FROM journey_events").fetchall()[0][0] > 1


def test_running_example_csv_with_offsets() -> None:
    con, log = imported(real(RUNNING))
    formatted = pm4py.format_dataframe(pd.read_csv(RUNNING))
    assert (log.cases, log.events, log.activities) == (6, 42, 8)
    assert_same_journeys(con, log, formatted)
    # 2010-12-30 14:32:00+01:00 is stored as 13:32 UTC
    first = con.sql("SELECT \"time:timestamp\" FROM journey_events WHERE \"case:concept:name\" = '3' AND event_order = 1")
    assert first.fetchall()[0][0].strftime("%Y-%m-%d %H:%M") == "2010-12-30 13:32"


@pytest.mark.filterwarnings("ignore:Some rows of the Pandas data frame have been removed")
def test_hospital_billing_parquet_skips_the_row_without_case() -> None:
    mapping = LogMapping(case="case_id", activity="activity", timestamp="timestamp", lifecycle_column="lifecycle", lane="resource")
    con, log = imported(real(BILLING), mapping)
    formatted = pm4py.format_dataframe(pd.read_parquet(BILLING, columns=["case_id", "activity", "timestamp"]),
                                       case_id="case_id", activity_key="activity", timestamp_key="timestamp")
    assert (log.events, log.skipped) == (451358, 1)
    assert [s.problem for s in log.skipped_rows] == ["missing case id"]
    assert_same_journeys(con, log, formatted)


def test_missing_and_bad_timestamps_are_counted_and_naive_times_follow_the_timezone(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "log.csv", [
        "case;activity;when;team",
        "c1;open;2024-03-01 10:00:00;front",
        "c1;close;;front",
        "c1;close;yesterday;back",
        ";open;2024-03-01 11:00:00;front",
        "c2;open;2024-07-01 10:00:00+00:00;back",
        "c2;close;2024-07-01 10:00:00;back",
    ])
    con = duckdb.connect(":memory:")
    mapping = LogMapping(case="case", activity="activity", timestamp="when", lane="team", timezone="Europe/Amsterdam")
    log = import_log(path, con, mapping=mapping, dialect=CsvDialect(delimiter=";"))
    assert (log.cases, log.events, log.skipped) == (2, 3, 3)
    assert {(s.problem, s.rows, s.first_row) for s in log.skipped_rows} == {
        ("missing timestamp", 1, 2), ("unparseable timestamp", 1, 3), ("missing case id", 1, 4)}
    rows = con.sql('SELECT event_id, "concept:name", strftime("time:timestamp", \'%H:%M\'), event_order, lane '
                   "FROM journey_events ORDER BY 1").fetchall()
    # naive 10:00 in Amsterdam is 09:00 UTC in winter, 08:00 in summer; an explicit offset is kept; ties keep file order
    assert rows == [("log:1", "open", "09:00", 1, "front"), ("log:5", "open", "10:00", 2, "back"),
                    ("log:6", "close", "08:00", 1, "back")]


def test_reimport_replaces_the_log_and_the_view_shows_the_latest(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    first = import_log(real(RUNNING), db)
    again = import_log(RUNNING, db)
    other = import_log(RUNNING, db, name="copy")
    assert (first.events, again.events, other.events) == (42, 42, 42)
    con = duckdb.connect(str(db), read_only=True)
    assert dict(con.sql("SELECT log_name, count(*) FROM imported_events GROUP BY 1").fetchall()) == {
        "running-example": 42, "copy": 42}
    assert con.sql("SELECT DISTINCT split_part(event_id, ':', 1) FROM journey_events").fetchall() == [("copy",)]


def test_a_store_with_landing_journey_events_is_refused() -> None:
    con = duckdb.connect(":memory:")
    con.execute("CREATE VIEW journey_events AS SELECT 1 AS x")
    with pytest.raises(StoreError, match="already defined over landing files"):
        import_log(real(RUNNING), con)
    assert con.sql("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'imported_events'").fetchall() == [(0,)]


def test_library_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(LandingError, match="unknown event-log format"):
        import_log(write_lines(tmp_path / "log.json", ["{}"]), ":memory:")
    with pytest.raises(MappingError, match="did you mean 'Case ID'"):
        import_log(real(SEPSIS), ":memory:", LogMapping(case="case id"), CsvDialect(delimiter=";"))
    with pytest.raises(MappingError, match="--timezone"):
        import_log(SEPSIS, ":memory:", LogMapping(timezone="Mars/Olympus"))


def test_cli_imports_and_reports_one_line_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "h.duckdb")
    code, out, _ = run_cli(["import-log", str(real(HELPDESK)), "--db", db, "--out", str(tmp_path / "out")], monkeypatch)
    assert code == 0 and "4580 cases, 21348 events, 14 activities, 0 skipped rows" in out
    code, out, _ = run_cli(["sql", "SELECT count(*) FROM journey_events", "--db", db, "--csv"], monkeypatch)
    assert out.splitlines()[1] == "21348"
    code, _, err = run_cli(["import-log", str(tmp_path / "missing.xes"), "--db", db], monkeypatch)
    assert code == 1 and err == f"error: {tmp_path / 'missing.xes'}: no such file\n"
    code, _, err = run_cli(["import-log", str(HELPDESK), "--db", db, "--lane", "org:group"], monkeypatch)
    assert code == 1 and err.startswith(f"error: {HELPDESK}: no column 'org:group' for --lane") and err.count("\n") == 1


def test_the_report_of_an_imported_log_counts_its_cases_and_events(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "log.csv"
    rows = [f"c{c},{a},2026-01-0{1 + i} 10:0{c % 10}:00" for c in range(7) for i, a in enumerate(("Open", "Work", "Close")[: 2 + c % 2])]
    log.write_text("case,act,ts\n" + "\n".join(rows) + "\n", encoding="utf-8")
    db, out = tmp_path / "l.duckdb", tmp_path / "out"
    code, _, err = run_cli(["import-log", str(log), "--db", str(db), "--case", "case", "--activity", "act",
                            "--timestamp", "ts", "--out", str(out)], monkeypatch)
    assert code == 0, err
    from cxmining.report.context import report_context

    shown = {item["metric"].key: item["metric"].value for item in report_context(db, out)["metrics"]}
    assert shown["journeys"] == 7 and shown["events"] == len(rows)
