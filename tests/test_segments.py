"""A mapping's further columns: event attributes (typed, checked, personal ones kept out of sight), customer segments,
the failure-demand segment test and `compare --segment` over a declared segment; proved on files in UWV's layout and on
UWV's complaints."""

from __future__ import annotations

import csv
import random
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest
import yaml
from helpers import REAL, ROOT, run_cli
from scipy import stats

from cxmining.compare.periods import ALL, change_periods, period_comparison
from cxmining.demand.rules import demand_rules
from cxmining.demand.statistics import attainable_p_values, concentration_p_values, tarone_family
from cxmining.demand.tables import demand_tables
from cxmining.errors import MappingError
from cxmining.ingest.folder import landing_reports
from cxmining.ingest.load import FileReport
from cxmining.ingest.mapping import load_mapping
from cxmining.journeys import journey_tables
from cxmining.mining.statistics import mining_tables

COMPLAINTS = REAL / "bpic2016-uwv" / "BPI2016_Complaints.csv"
MAPPING = ROOT / "docs" / "examples" / "uwv" / "mapping.yaml"
HEADER = ("CustomerID;AgeCategory;Gender;Office_U;Office_W;ComplaintDossierID;ComplaintID;ContactDate;ContactChannelID;"
          "ComplaintThemeID;ComplaintSubthemeID;ComplaintTopicID;ComplaintTheme;ComplaintSubtheme;ComplaintTopic;"
          "ComplaintTheme_EN;ComplaintSubtheme_EN;ComplaintTopic_EN")
AGES = ("18-29", "30-39", "40-49", "50-65")
TOPICS = ("Website not available", "payment missing", "long hold", "Info unclear/incorrect", "missed appointments",
          "not received ikf")
THEMES = {"Website not available": "services", "payment missing": "services", "long hold": "services",
          "Info unclear/incorrect": "services", "missed appointments": "treatment", "not received ikf": "services"}


def complaint_lines(rows: list[dict[str, str]]) -> list[str]:
    """Lines of a complaints file in UWV's layout from rows of customer, age, gender, office, day, channel, topic."""
    lines = [HEADER]
    for i, r in enumerate(rows, start=1):
        lines.append(";".join((r["customer"], r["age"], r.get("gender", "M"), r.get("office", "230"), r.get("office_w", "233"),
                               r.get("dossier", str(i)), str(i), r["day"], r.get("channel", "8"), "2", "3", "4",
                               "thema", "subthema", "onderwerp", THEMES.get(r["topic"], "services"), "N.A.",
                               r["topic"])))
    return lines


def written(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("\r\n".join(complaint_lines(rows)).encode("latin-1") + b"\r\n")
    return path


def mapping_with(tmp_path: Path, **calls: object) -> Path:
    """The UWV mapping with some settings of the calls section replaced."""
    body = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    body["calls"].update(calls)
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def rules_file(tmp_path: Path) -> Path:
    """Demand rules with a code list of TOPICS (each its own cause), no repeat rule."""
    body = {"rules": [{"name": "anything else", "when": {}, "demand": "failure", "cause": "other"}],
            "codes": {t: {"demand": "failure", "cause": f"cause of {t}"} for t in TOPICS}}
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    return path


SMALL = [
    {"customer": "c1", "age": "50-65", "office": "230", "day": "2016-01-04", "topic": "Website not available", "channel": "8"},
    {"customer": "c1", "age": "50-65", "office": "247", "day": "2016-01-09", "topic": "payment missing", "channel": "3"},
    {"customer": "c2", "age": "", "office": "230", "day": "2016-01-05", "topic": "long hold", "channel": "1"},
    {"customer": "c3", "age": "18-29", "office": "257", "day": "2016-01-06", "topic": "long hold", "channel": "8"},
]


def test_attributes_are_typed_on_each_event_and_segments_take_each_customers_latest_value(landing: Path,
                                                                                          tmp_path: Path) -> None:
    path = written(landing / "calls" / "complaints.csv", SMALL)
    db = tmp_path / "s.duckdb"
    [report] = landing_reports(db, landing, "test", MAPPING)
    assert report.rows_loaded == len(SMALL) and not report.rows_quarantined
    with path.open(encoding="latin-1", newline="") as f:
        delivered = list(csv.DictReader(f, delimiter=";"))
    with duckdb.connect(str(db), read_only=True) as con:
        attributes = con.execute("SELECT e.call_id, a.attribute, a.type, a.value, a.number FROM events AS e "
                                 "JOIN event_attributes AS a USING (event_id)").fetchall()
        segments = {(c, s): (v, n) for c, s, v, n in
                    con.execute("SELECT customer_id, segment, value, values_seen FROM customer_segments").fetchall()}
        dictionary = {(k, n): t for k, n, t in con.execute("SELECT kind, name, type FROM attribute_dictionary").fetchall()}
    by_call = {(c, a): (t, v, n) for c, a, t, v, n in attributes}
    for r in delivered:
        assert by_call[(r["ComplaintID"], "theme")] == ("text", r["ComplaintTheme_EN"], None)
        assert by_call[(r["ComplaintID"], "contact_channel")] == ("integer", r["ContactChannelID"],
                                                                   float(r["ContactChannelID"]))
        assert by_call[(r["ComplaintID"], "dossier")][1] == r["ComplaintDossierID"]
    assert len(attributes) == 4 * len(delivered)
    # c1 moved from office 230 to 247: the latest complaint's; c2's age is unknown: no row, not a value
    assert segments[("c1", "office")] == ("247", 2) and segments[("c1", "age")] == ("50-65", 1)
    assert ("c2", "age") not in segments and segments[("c2", "office")] == ("230", 1)
    assert dictionary[("attribute", "contact_channel")] == "integer" and dictionary[("segment", "age")] == "text"


def test_a_value_not_of_its_attributes_type_quarantines_the_row_naming_the_attribute(landing: Path,
                                                                                       tmp_path: Path) -> None:
    rows = [*SMALL[:2], {**SMALL[2], "channel": "eight"}]
    written(landing / "calls" / "complaints.csv", rows)
    [report] = landing_reports(tmp_path / "q.duckdb", landing, "test", MAPPING)
    assert (report.rows_loaded, report.rows_quarantined) == (2, 1)
    assert report.problems == ("calls/complaints.csv line 4: contact_channel: 'eight' is not a whole number",)
    with duckdb.connect(str(tmp_path / "q.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT event_id) FROM raw_attributes").fetchone()[0] == 2


def test_a_file_without_a_mapped_column_is_refused_naming_it(landing: Path, tmp_path: Path) -> None:
    written(landing / "calls" / "complaints.csv", SMALL)
    mapping = mapping_with(tmp_path, segments={"region": "Region"})
    [report] = landing_reports(tmp_path / "r.duckdb", landing, "test", mapping)
    assert report.status == "rejected"
    assert "column 'Region' of the mapping's segment 'region' is missing" in report.error


@pytest.mark.parametrize(("calls", "problem"), [
    ({"attributes": {"email": "Gender"}}, "looks like personal data"),
    ({"attributes": {"x": "CustomerPhone"}}, "looks like personal data"),
    ({"attributes": {"agent_name": "Office_W"}}, "looks like personal data"),
    ({"attributes": {"born": "geboortedatum"}}, "looks like personal data"),
    ({"attributes": {"telefoon": "Office_W"}}, "looks like personal data"),
    ({"attributes": {"queue": "Office_W"}}, "is a column of calls already"),
    ({"segments": {"postcode": "Office_W"}}, "looks like personal data"),
    ({"segments": {"category": "Office_W"}}, "built-in segment"),
    ({"segments": {"Age Group": "AgeCategory"}}, "not a usable name"),
    ({"attributes": {"n": {"column": "ContactChannelID", "type": "float"}}}, "type"),
])
def test_a_wrong_attribute_or_segment_is_one_line(tmp_path: Path, calls: dict, problem: str) -> None:
    with pytest.raises(MappingError, match=problem) as caught:
        load_mapping(mapping_with(tmp_path, **calls))
    assert "\n" not in str(caught.value) and str(tmp_path / "mapping.yaml") in str(caught.value)


def test_orders_take_no_attributes(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("orders:\n  attributes:\n    shop: ShopName\n", encoding="utf-8")
    with pytest.raises(MappingError, match="orders rows are not one event each"):
        load_mapping(path)
    path.write_text("products:\n  segments:\n    range: ProductRange\n", encoding="utf-8")
    with pytest.raises(MappingError, match="products rows name no customer"):
        load_mapping(path)


def test_a_personal_attribute_is_stored_but_never_shown(landing: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [{**r, "office_w": f"{r['customer']}.jansen@example.nl"} for r in SMALL]
    written(landing / "calls" / "complaints.csv", rows)
    mapping = mapping_with(tmp_path, attributes={"caller_email": {"column": "Office_W", "personal": True}})
    db, out = tmp_path / "p.duckdb", tmp_path / "out"
    landing_reports(db, landing, "test", mapping)
    journey_tables(db)
    mining_tables(db)
    demand_tables(db, demand_rules(rules_file(tmp_path)))
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("SELECT count(*) FROM raw_attributes WHERE attribute = 'caller_email'").fetchone()[0]
        shown = con.execute("SELECT count(*) FROM event_attributes WHERE attribute = 'caller_email'").fetchone()[0]
    assert (stored, shown) == (len(rows), 0)
    for args in (["report", "--db", str(db), "--out", str(out)],
                 ["export", "--db", str(db), "--live", "--format", "csv", "--out", str(out / "events.csv")],
                 ["sql", "--db", str(db), "--live", "SELECT * FROM event_attributes", "--csv"]):
        code, printed, err = run_cli(args, monkeypatch)
        assert code == 0, err
        assert "jansen@example.nl" not in printed + err
    # a complaints-only export: no card counts the order journeys it cannot have
    assert "Order journeys" not in (out / "report.html").read_text(encoding="utf-8")
    written_files = [path for path in out.rglob("*") if path.is_file()]
    assert {p.name for p in written_files} >= {"report.html", "events.csv"}
    for path in written_files:
        assert b"jansen@example.nl" not in path.read_bytes(), path


def planted_rows(seed: int, customers: int, planted: bool) -> list[dict[str, str]]:
    """Complaints of `customers` customers over TOPICS; with `planted`, customers aged 50-65 complain about the website
    six times as often (before renormalising). About one in twelve customers has no age category."""
    rng = random.Random(seed)
    rows = []
    for c in range(customers):
        age = rng.choice(AGES) if rng.random() > 1 / 12 else ""
        weights = [6.0 if planted and age == "50-65" and t == "Website not available" else 1.0 for t in TOPICS]
        for k in range(1 + (rng.random() < 0.3)):
            rows.append({"customer": f"k{c}", "age": age, "gender": rng.choice("MV"),
                         "office": rng.choice(("230", "247", "257")), "day": f"2016-01-{1 + (c + 7 * k) % 28:02d}",
                         "topic": rng.choices(TOPICS, weights)[0]})
    return rows


def segment_store(landing: Path, tmp_path: Path, rows: list[dict[str, str]], name: str) -> Path:
    written(landing / "calls" / f"{name}.csv", rows)
    db = tmp_path / f"{name}.duckdb"
    landing_reports(db, landing, "test", MAPPING)
    journey_tables(db)
    demand_tables(db, demand_rules(rules_file(tmp_path)))
    return db


def test_a_topic_concentrating_in_a_segment_is_flagged_and_nothing_else(landing: Path, tmp_path: Path) -> None:
    rows = planted_rows(3, 700, planted=True)
    db = segment_store(landing, tmp_path, rows, "planted")
    with duckdb.connect(str(db), read_only=True) as con:
        flagged = set(con.execute("SELECT segment, value, measure, label FROM failure_demand_segments WHERE flagged").fetchall())
        unknown = dict(con.execute("SELECT segment, max(unknown_customers) FROM failure_demand_segments GROUP BY 1").fetchall())
        row = con.execute("SELECT units, units_with FROM failure_demand_segments WHERE segment = 'age' AND value = '50-65' "
                          "AND measure = 'reason' AND label = 'Website not available'").fetchone()
    assert ("age", "50-65", "reason", "Website not available") in flagged
    assert flagged <= {("age", "50-65", "reason", "Website not available"),
                       ("age", "50-65", "cause", "cause of Website not available")}
    # counted independently: the customers aged 50-65, their distinct topics, those on the website; unknown ages apart
    pairs = {(r["customer"], r["topic"]) for r in rows if r["age"] == "50-65"}
    assert row == (len(pairs), sum(t == "Website not available" for _, t in pairs))
    assert unknown == {"age": len({r["customer"] for r in rows if not r["age"]}), "gender": 0, "office": 0}


@pytest.mark.parametrize("seed", [11, 12])
def test_no_concentration_planted_none_flagged(landing: Path, tmp_path: Path, seed: int) -> None:
    db = segment_store(landing, tmp_path, planted_rows(seed, 700, planted=False), f"null{seed}")
    with duckdb.connect(str(db), read_only=True) as con:
        rows, tested, flagged = con.execute("SELECT count(*), count(q_value), count(*) FILTER (WHERE flagged) "
                                            "FROM failure_demand_segments").fetchone()
    assert rows > 0 and tested > 0 and flagged == 0


def test_the_concentration_test_is_fishers_and_the_family_tarones() -> None:
    rng = np.random.default_rng(5)
    size, other = rng.integers(5, 60, 40), rng.integers(5, 60, 40)
    observed, other_observed = rng.binomial(size, 0.3), rng.binomial(other, 0.2)
    p = concentration_p_values(observed, size, other_observed, other)
    fisher = [stats.fisher_exact([[a, n - a], [b, m - b]], alternative="greater").pvalue
              for a, n, b, m in zip(observed, size, other_observed, other, strict=True)]
    assert np.allclose(np.where(observed > 0, p, 1.0), np.where(observed > 0, fisher, 1.0))
    attainable = attainable_p_values(size, observed + other_observed, other)
    assert (attainable <= p + 1e-12).all()
    family = tarone_family(attainable, 0.01)
    k = int(family.sum())  # the smallest K with at most K tests able to reach 0.01 / K, and those are the family
    assert k >= 1 and (family == (attainable <= 0.01 / k)).all()
    assert all((attainable <= 0.01 / j).sum() > j for j in range(1, k))


def test_compare_runs_per_value_of_a_declared_segment(landing: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    rows = planted_rows(4, 300, planted=True)
    rows = [{**r, "age": "(all)"} if r["customer"] in ("k1", "k2", "k3") else r for r in rows]  # spelled like a label
    db = segment_store(landing, tmp_path, rows, "compare")
    mining_tables(db)
    comparison = period_comparison(db, *change_periods(date(2016, 1, 15)), segment="age", follow_up_days=7,
                                   lead_in_days=0)
    measures = comparison.measures
    assert set(measures["segment"]) == {ALL, *AGES, "(unknown)", '"(all)"'}
    rows = measures.filter(measures["measure"] == "calls per journey")
    whole = rows.filter(rows["segment"] == ALL).to_dicts()[0]
    parts = rows.filter(rows["segment"] != ALL)
    assert parts["n_before"].sum() == whole["n_before"] and parts["n_after"].sum() == whole["n_after"]
    code, _, err = run_cli(["compare", "--db", str(db), "--live", "--change-date", "2016-01-15", "--segment", "shoe"],
                           monkeypatch)
    assert code != 0 and "age, gender, office" in err and "\n" not in err.strip()


def real_landed(landing: Path, tmp_path: Path, source: str, real: Path, mapping: Path) -> tuple[Path, FileReport,
                                                                                          list[dict[str, str]]]:
    """A store with one of UWV's files landed as `source` through `mapping`; its report and the file's rows (read with
    csv, not with cxmining)."""
    (landing / source).mkdir()
    (landing / source / real.name).write_bytes(real.read_bytes())
    db = tmp_path / f"{source}.duckdb"
    [report] = landing_reports(db, landing, "test", mapping)
    with real.open(encoding="latin-1", newline="") as f:
        return db, report, list(csv.DictReader(f, delimiter=";"))


@pytest.mark.skipif(not COMPLAINTS.exists(), reason=f"real logs not found at {COMPLAINTS.parent}")
def test_uwv_themes_and_segments_land_as_the_file_has_them(landing: Path, tmp_path: Path) -> None:
    db, report, rows = real_landed(landing, tmp_path, "calls", COMPLAINTS, MAPPING)
    assert not report.rows_quarantined
    last_day = {}
    for r in rows:
        last_day[r["CustomerID"]] = max(last_day.get(r["CustomerID"], ""), r["ContactDate"])
    latest = {c: min(r["Office_U"] for r in rows if r["CustomerID"] == c and r["ContactDate"] == day)  # ties: smallest
              for c, day in last_day.items()}
    with duckdb.connect(str(db), read_only=True) as con:
        themes = dict(con.execute("SELECT value, count(*) FROM event_attributes WHERE attribute = 'theme' "
                                  "GROUP BY 1").fetchall())
        offices = dict(con.execute("SELECT customer_id, value FROM customer_segments WHERE segment = 'office'").fetchall())
        ages = Counter(v for (v,) in con.execute("SELECT value FROM customer_segments WHERE segment = 'age'").fetchall())
    assert themes == Counter(r["ComplaintTheme_EN"] for r in rows)
    assert offices == latest
    assert ages == Counter({c: a for c, a in ((r["CustomerID"], r["AgeCategory"]) for r in rows)}.values())


CLICKS = REAL / "bpic2016-uwv" / "BPI2016_Clicks_NOT_Logged_In_sample1000.csv"
CLICKS_MAPPING = ROOT / "docs" / "examples" / "uwv" / "clicks.yaml"
CLICKS_HEADER = ("SessionID;IPID;TIMESTAMP;VHOST;URL_FILE;PAGE_NAME;REF_URL_category;page_load_error;page_action_detail;"
                 "tip;service_detail;xps_info;page_action_detail_EN;service_detail_EN;tip_EN")


def test_a_key_joined_from_two_columns_lands_clicks_as_web_sessions(landing: Path, tmp_path: Path) -> None:
    lines = [CLICKS_HEADER,
             "97;322;2015-09-09 08:41:16.933000000;www.werk.nl;/werk_nl/werkgever/cvs_zoeken;cvs_zoeken;;0;;;;;;;",
             "97;322;2015-09-09 08:42:01.100000000;www.werk.nl;/werk_nl/werknemer/home;home;;1;;;;;;;",
             "98;323;2015-09-09 08:41:16.933000000;www.uwv.nl;/werk_nl/werknemer/home;home;;0;;;;;;;",
             ";323;;www.uwv.nl;/x;x;;0;;;;;;;"]  # no session, no time: no key
    path = landing / "web" / "clicks.csv"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "clicks.duckdb"
    [report] = landing_reports(db, landing, "test", CLICKS_MAPPING)
    assert (report.rows_loaded, report.rows_quarantined) == (3, 1)
    assert "event_id: missing (required)" in report.problems[0]
    with duckdb.connect(str(db), read_only=True) as con:
        events = con.execute("SELECT event_id, session_id, visitor_id, ts, page FROM events ORDER BY event_id").fetchall()
        errors = con.execute("SELECT e.session_id, a.number FROM events AS e JOIN event_attributes AS a USING (event_id) "
                             "WHERE a.attribute = 'load_error' AND a.number > 0").fetchall()
    assert [e[0] for e in events] == ["web:97|2015-09-09 08:41:16.933000000", "web:97|2015-09-09 08:42:01.100000000",
                                      "web:98|2015-09-09 08:41:16.933000000"]
    assert str(events[0][3]) == "2015-09-09 06:41:16.933000"  # Amsterdam summer time, in UTC
    assert errors == [("97", 1.0)]


def test_a_joined_column_must_be_text_and_of_two_or_more(tmp_path: Path) -> None:
    for columns, problem in (({"ts": ["A", "B"]}, "ts is timestamp"), ({"event_id": ["A"]}, "two or more")):
        path = tmp_path / "m.yaml"
        path.write_text(yaml.safe_dump({"web": {"columns": columns}}), encoding="utf-8")
        with pytest.raises(MappingError, match=problem):
            load_mapping(path)


@pytest.mark.skipif(not CLICKS.exists(), reason=f"real logs not found at {CLICKS.parent}")
def test_uwv_anonymous_clicks_land_as_web_sessions(landing: Path, tmp_path: Path) -> None:
    db, report, rows = real_landed(landing, tmp_path, "web", CLICKS, CLICKS_MAPPING)
    assert (report.rows_read, report.rows_loaded) == (len(rows), len(rows))
    journey_tables(db)
    with duckdb.connect(str(db), read_only=True) as con:
        sessions, visitors = con.execute("SELECT count(DISTINCT session_id), count(DISTINCT visitor_id) FROM events").fetchone()
        pages = dict(con.execute("SELECT value, count(*) FROM event_attributes WHERE attribute = 'page_name' "
                                 "GROUP BY 1").fetchall())
        in_journeys = con.execute("SELECT count(*) FROM journey_events").fetchone()[0]
    assert (sessions, visitors) == (len({r["SessionID"] for r in rows}), len({r["IPID"] for r in rows}))
    assert pages == Counter(r["PAGE_NAME"] for r in rows)
    assert in_journeys == len(rows)


def test_attribute_types_keep_their_values_and_personal_ones_are_never_quoted(landing: Path, tmp_path: Path) -> None:
    rows = [{**SMALL[0], "office_w": "0.123456789"}, {**SMALL[1], "office_w": "-0.00001"},
            {**SMALL[3], "office_w": "j.jansen@example.nl"}]
    written(landing / "calls" / "complaints.csv", rows)
    mapping = mapping_with(tmp_path, attributes={
        "rate": {"column": "Office_W", "type": "decimal"},
        "since": {"column": "ContactDate", "type": "timestamp"},  # a date of any year is a value, not an event time
        "secret_note": {"column": "Office_W", "type": "integer", "personal": True}})
    written(landing / "calls" / "complaints.csv", [{**r, "day": "1990-05-01"} if i == 0 else r for i, r in enumerate(rows)])
    [report] = landing_reports(tmp_path / "t.duckdb", landing, "test", mapping)
    # the first row's call starts in 1990: quarantined for its start (an event time), not for its `since`
    assert report.rows_quarantined == 3 and not any("since" in p for p in report.problems)
    assert all("secret_note: (personal data, not shown" in p for p in report.problems)
    assert not any("jansen" in p or "0.00001" in p for p in report.problems)
    mapping = mapping_with(tmp_path, attributes={"rate": {"column": "Office_W", "type": "decimal"},
                                                 "since": {"column": "ContactDate", "type": "timestamp"}})
    [report] = landing_reports(tmp_path / "u.duckdb", landing, "test", mapping)
    with duckdb.connect(str(tmp_path / "u.duckdb"), read_only=True) as con:
        rates = sorted(n for (n,) in con.execute("SELECT number FROM event_attributes WHERE attribute = 'rate'").fetchall())
        since = con.execute("SELECT min(time) FROM event_attributes WHERE attribute = 'since'").fetchone()[0]
    assert rates == [-0.00001] and report.rows_quarantined == 2  # the 1990 call and the e-mail that is not a number
    assert since is not None


def test_an_attribute_declared_after_files_were_loaded_is_said_once(landing: Path, tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    written(landing / "calls" / "complaints.csv", SMALL)
    db = tmp_path / "late.duckdb"
    plain = mapping_with(tmp_path, attributes={})
    landing_reports(db, landing, "night 1", plain)
    later = tmp_path / "later.yaml"
    later.write_text(MAPPING.read_text(encoding="utf-8"), encoding="utf-8")
    with caplog.at_level("WARNING", logger="cxmining.ingest.folder"):
        landing_reports(db, landing, "night 2", later)
        landing_reports(db, landing, "night 3", later)
    lines = [r.getMessage() for r in caplog.records if "declared after" in r.getMessage()]
    assert len(lines) == 1 and "theme" in lines[0] and "1 file of calls" in lines[0]
