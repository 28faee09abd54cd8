"""The organisation's own reason codes: kept as delivered, named by the mapping's activity template, tied to demand by
the rules file's code list; proved on UWV's complaints (BPI Challenge 2016) and on a small file in the same layout."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from datetime import date
from itertools import pairwise
from pathlib import Path

import duckdb
import pytest
import yaml
from helpers import REAL, ROOT, run_cli

from cxmining.demand.rules import DemandRulesError, demand_rules, rule_rows
from cxmining.demand.tables import demand_tables, unknown_codes_line, unknown_reason_codes
from cxmining.errors import MappingError
from cxmining.ingest.folder import landing_reports, source_reports
from cxmining.ingest.mapping import load_mapping
from cxmining.journeys import journey_tables

COMPLAINTS = REAL / "bpic2016-uwv" / "BPI2016_Complaints.csv"
MAPPING = ROOT / "docs" / "examples" / "uwv" / "mapping.yaml"
RULES = ROOT / "docs" / "examples" / "uwv" / "rules.yaml"
HEADER = ("CustomerID;AgeCategory;Gender;Office_U;Office_W;ComplaintDossierID;ComplaintID;ContactDate;ContactChannelID;"
          "ComplaintThemeID;ComplaintSubthemeID;ComplaintTopicID;ComplaintTheme;ComplaintSubtheme;ComplaintTopic;"
          "ComplaintTheme_EN;ComplaintSubtheme_EN;ComplaintTopic_EN")
# (customer, date, topic): repeats on one topic within a week, another topic in between, one a fortnight later, a
# topic with an accent (latin-1) and one with SQL and the template's placeholder in it (a value, never SQL)
SMALL = (
    ("c1", "2016-01-04", "Website not available"), ("c1", "2016-01-06", "Website not available"),
    ("c1", "2016-01-07", "Information: no/insufficient"), ("c1", "2016-01-09", "Website not available"),
    ("c2", "2016-01-05", "Information: no/insufficient"), ("c2", "2016-01-20", "Information: no/insufficient"),
    ("c3", "2016-01-05", "Caf\u00e9 d\u00e9j\u00e0 ferm\u00e9"), ("c3", "2016-01-05", "payment missing"),
    ("c4", "2016-01-08", "x' OR '1'='1 -- DROP TABLE raw_calls {reason}"), ("c5", "2016-01-11", "rather no 0900 number"),
    ("c5", "2016-01-12", "rather no 0900 number"), ("c6", "2016-01-12", "payment missing"),
)
SMALL_CODES = {"Website not available": ("failure", "digital services down"),
               "Information: no/insufficient": ("failure", "missing information"),
               "Caf\u00e9 d\u00e9j\u00e0 ferm\u00e9": ("failure", "hard to reach"),
               "x' OR '1'='1 -- DROP TABLE raw_calls {reason}": ("failure", "treatment by staff"),
               "rather no 0900 number": ("value", "a different rule wanted")}  # "payment missing" left out


def small_complaints(path: Path, rows: tuple[tuple[str, str, str], ...] = SMALL) -> Path:
    """A complaints file in the layout of BPI2016_Complaints.csv: latin-1, ';', CRLF, the same columns."""
    lines = [HEADER] + [f"{customer};50-65;M;230;233;{i};{i};{day};8;2;3;4;thema;subthema;onderwerp;services;payment;{topic}"
                        for i, (customer, day, topic) in enumerate(rows, start=1)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("\r\n".join(lines).encode("latin-1") + b"\r\n")
    return path


def complaints(path: Path) -> list[dict[str, str]]:
    """The rows of a complaints file, read independently of cxmining."""
    with path.open(encoding="latin-1", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def repeats_per_topic(rows: list[dict[str, str]], days: float) -> Counter[str]:
    """Complaints on a topic within `days` of the same customer's previous one on that topic, per topic."""
    dates: dict[tuple[str, str], list[date]] = {}
    for r in rows:
        dates.setdefault((r["CustomerID"], r["ComplaintTopic_EN"]), []).append(date.fromisoformat(r["ContactDate"]))
    return Counter({topic: n for (_, topic), ds in dates.items()
                    if (n := sum((b - a).days <= days for a, b in pairwise(sorted(ds))))})


def rules_without(rules: Path, left_out: str, folder: Path) -> Path:
    """A copy of a rules file whose code list lacks `left_out`."""
    body = yaml.safe_load(rules.read_text(encoding="utf-8"))
    del body["codes"][left_out]
    path = folder / "rules.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def small_rules(folder: Path) -> Path:
    """The UWV rules file with the small file's code list (every topic but 'payment missing')."""
    body = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    body["codes"] = {code: {"demand": d, "cause": c} for code, (d, c) in SMALL_CODES.items()}
    path = folder / "small_rules.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    return path


def built(landing: Path, complaints_file: Path, db: Path, mapping: Path = MAPPING) -> Path:
    """A store with the complaints loaded through `mapping` and the journeys built."""
    if complaints_file.parent != landing / "calls":
        shutil.copy(complaints_file, landing / "calls" / complaints_file.name)
    [report] = landing_reports(db, landing, "test", mapping)
    assert report.rows_loaded == len(complaints(complaints_file)) and not report.rows_quarantined
    journey_tables(db)
    return db


def proved(db: Path, rows: list[dict[str, str]], rules: Path, left_out: str,
           monkeypatch: pytest.MonkeyPatch) -> None:
    """What the store shows of the complaints, checked against the file itself: activities and contacts per topic,
    repeats per topic, demand and cause by the code list, the left-out code reported in the table and the line."""
    code_list = demand_rules(rules)
    topics = Counter(r["ComplaintTopic_EN"] for r in rows)
    demand_tables(db, code_list)
    with duckdb.connect(str(db), read_only=True) as con:
        activities = dict(con.execute("SELECT activity, count(*) FROM events GROUP BY 1").fetchall())
        lanes = {lane for (lane,) in con.execute("SELECT DISTINCT lane FROM events").fetchall()}
        contacts = con.execute("SELECT reason_code, is_repeat, demand, cause, rule FROM contact_demand").fetchall()
    assert activities == {f"Complaint: {topic}": n for topic, n in topics.items()}
    assert lanes == {"Contact centre"}
    assert Counter(code for code, *_ in contacts) == topics
    repeats = repeats_per_topic(rows, code_list.windows.repeat_days)
    assert sum(repeats.values()) > 0
    assert Counter(code for code, repeat, *_ in contacts if repeat) == repeats
    for code, repeat, demand, cause, rule in contacts:
        if repeat:  # the repeat rule comes before the code list
            assert (demand, cause) == ("failure", "repeat complaint")
        elif code == left_out:  # not in the list: the rules after it classify it
            assert rule == "complaint on a topic not in the code list" and demand == "failure"
        else:
            meaning = code_list.codes[code]
            assert (demand, cause) == (meaning.demand, meaning.cause)
    assert {demand for _, _, demand, _, _ in contacts} == {"failure", "value"}
    assert unknown_reason_codes(db) == [(left_out, topics[left_out])]
    line = unknown_codes_line(unknown_reason_codes(db))
    assert f"{left_out!r} ({topics[left_out]:,})" in line and "unknown_reason_codes" in line
    code, out, _ = run_cli(["demand", "--db", str(db), "--rules", str(rules)], monkeypatch)
    assert code == 0 and line in out


def test_a_small_file_in_uwv_layout_keeps_its_own_topics(landing: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (landing / "calls").mkdir()
    db = built(landing, small_complaints(landing / "calls" / "complaints.csv"), tmp_path / "small.duckdb")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw_calls").fetchone()[0] == len(SMALL)  # nothing pasted as SQL
        codes = {c for (c,) in con.execute("SELECT DISTINCT reason_code FROM events").fetchall()}
    assert codes == {topic for *_, topic in SMALL}  # kept exactly as delivered, accents and quotes included
    proved(db, complaints(landing / "calls" / "complaints.csv"), small_rules(tmp_path), "payment missing", monkeypatch)


@pytest.mark.skipif(not COMPLAINTS.exists(), reason=f"real logs not found at {COMPLAINTS.parent}")
def test_uwv_complaints_through_their_own_topics(landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (landing / "calls").mkdir()
    db = built(landing, COMPLAINTS, tmp_path / "uwv.duckdb")
    rows = complaints(COMPLAINTS)
    assert len({r["ComplaintTopic_EN"] for r in rows}) == 70
    left_out = "no respect/not taken seriously"
    proved(db, rows, rules_without(RULES, left_out, tmp_path), left_out, monkeypatch)
    # the shipped code list names every topic: nothing is unknown
    demand_tables(db, demand_rules(RULES))
    assert unknown_reason_codes(db) == [] and unknown_codes_line([]) is None


def test_a_changed_activity_template_rebuilds_the_journeys(landing: Path, tmp_path: Path) -> None:
    (landing / "calls").mkdir()
    db = built(landing, small_complaints(landing / "calls" / "complaints.csv"), tmp_path / "s.duckdb")
    journey_tables(db)  # nothing new: nothing built
    other = tmp_path / "mapping.yaml"
    other.write_text(MAPPING.read_text(encoding="utf-8").replace('"Complaint: {reason}"', '"Klacht: {reason}"'),
                     encoding="utf-8")
    source_reports(db, landing, "calls", "night 2", other)  # no new file, only the template changed
    counts = journey_tables(db)
    with duckdb.connect(str(db), read_only=True) as con:
        modes = [m for (m,) in con.execute("SELECT mode FROM journey_build ORDER BY generation").fetchall()]
        stitched = {a for (a,) in con.execute("SELECT DISTINCT activity FROM stitched_events").fetchall()}
    assert modes[0] == "full" and modes[-1] == "full" and counts["changed_journeys"] == counts["journeys"]
    assert stitched == {f"Klacht: {topic}" for *_, topic in SMALL}
    assert journey_tables(db)["changed_journeys"] == 0  # the same template again: nothing to rebuild


def test_without_the_setting_the_contract_codes_are_enforced(landing: Path, tmp_path: Path) -> None:
    """The same file and columns without `reasons: {own: true}`: the topics are not contract codes, so quarantined."""
    mapping = tmp_path / "fixed.yaml"
    body = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    del body["calls"]["reasons"]
    mapping.write_text(yaml.safe_dump(body), encoding="utf-8")
    small_complaints(landing / "calls" / "complaints.csv")
    [report] = landing_reports(tmp_path / "f.duckdb", landing, "test", mapping)
    assert report.rows_quarantined == len(SMALL) and "is not one of product_info" in report.problems[0]


def test_own_codes_keep_every_other_rule(landing: Path, tmp_path: Path) -> None:
    rows = (("c1", "2016-01-04", "Website not available"), ("c1", "2016-01-05", ""), ("c1", "not a date", "x"))
    small_complaints(landing / "calls" / "complaints.csv", rows)
    [report] = landing_reports(tmp_path / "r.duckdb", landing, "test", MAPPING)
    assert (report.rows_loaded, report.rows_quarantined) == (1, 2)
    assert any("reason_code: missing (required)" in p for p in report.problems)
    assert any("started_at" in p for p in report.problems)


@pytest.mark.parametrize(("section", "problem"), [
    ({"reasons": {"own": True, "activity": "Complaint"}}, "must contain {reason}"),
    ({"reasons": {"activity": "Complaint: {reason}"}}, "add own: true"),
    ({"reasons": {"own": True, "colour": "red"}}, "colour"),
])
def test_a_wrong_reasons_setting_is_one_line(tmp_path: Path, section: dict, problem: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump({"calls": section}), encoding="utf-8")
    with pytest.raises(MappingError, match=problem) as caught:
        load_mapping(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)
    path.write_text(yaml.safe_dump({"web": {"reasons": {"own": True}}}), encoding="utf-8")
    with pytest.raises(MappingError, match="calls section only"):
        load_mapping(path)


def test_the_code_list_comes_after_the_repeat_rules(tmp_path: Path) -> None:
    rows = rule_rows(demand_rules(RULES))
    names = [name for _, name, *_ in rows]
    first_code_rule = next(i for i, name in enumerate(names) if name.startswith("code list: "))
    assert all(repeat for *_, repeat, _, _, _ in rows[:first_code_rule])  # every rule before it is a repeat rule
    assert names[-2:] == ["complaint on a topic not in the code list", "anything else"]
    listed = {code for row in rows if row[1].startswith("code list: ") for code in row[5]}
    assert listed == set(demand_rules(RULES).codes) and len(listed) == 70
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"rules": [{"name": "code list: slow (failure demand)", "demand": "value", "cause": "x"}],
                                   "codes": {"a": {"demand": "failure", "cause": "slow"}}}), encoding="utf-8")
    with pytest.raises(DemandRulesError, match="name of a rule the code list makes"):
        demand_rules(bad)
    bad.write_text(yaml.safe_dump({"rules": [{"name": "r", "demand": "value", "cause": "x"}],
                                   "codes": {"a": {"demand": "sometimes", "cause": "slow"}}}), encoding="utf-8")
    with pytest.raises(DemandRulesError, match="codes"):
        demand_rules(bad)
