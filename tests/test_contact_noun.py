"""What the contacts are called: the mapping's `calls.reasons.noun` reaches the store and every sentence of the report,
the run's closing lines and its summary that speaks of the contacts in general; calls stay calls without it."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import duckdb
import pytest
import yaml
from helpers import REAL, ROOT, SMALL_SAMPLE, run_cli

from cxmining.demand.tables import demand_outputs
from cxmining.errors import MappingError
from cxmining.ingest.contact_noun import CALLS, ContactNoun, contact_noun
from cxmining.ingest.folder import source_reports
from cxmining.ingest.mapping import load_mapping
from cxmining.report.context import report_context
from cxmining.report.headline import headline_lines
from cxmining.report.html import report_html
from cxmining.report.markdown import report_markdown

UWV = ROOT / "docs" / "examples" / "uwv"
COMPLAINTS = REAL / "bpic2016-uwv" / "BPI2016_Complaints.csv"


def mapping_file(folder: Path, reasons: dict[str, object]) -> Path:
    """A mapping whose calls section has only this `reasons` setting."""
    path = folder / "mapping.yaml"
    path.write_text(yaml.safe_dump({"calls": {"reasons": reasons}}), encoding="utf-8")
    return path


def visible_text(page: str) -> str:
    """The words a reader sees in a report page: no styles, pictures or tags, entities decoded, spaces collapsed."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r'src="data:[^"]*"', "", page)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def section(page: str, anchor: str) -> str:
    """The visible text of one `<section id=anchor>` of the report."""
    return visible_text(re.search(rf'<section id="{anchor}">(.*?)</section>', page, flags=re.S).group(1))


@pytest.fixture
def flagged_store(sample_store, tmp_path: Path) -> Path:
    """A copy of the small sample store with failure demand computed and flagged targets to fix."""
    db = sample_store(*SMALL_SAMPLE, tmp_path)
    assert demand_outputs(db, None).flagged  # the what-to-fix-first cards are drawn
    return db


def renamed(db: Path, landing: Path, mapping: Path) -> None:
    """A night with no new calls file whose mapping names the contacts: the ingest records the noun all the same."""
    (landing / "calls").mkdir(exist_ok=True)
    assert source_reports(db, landing, "calls", "night 2", mapping) == []


def test_the_report_says_complaints_where_the_mapping_says_so(flagged_store: Path, landing: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "out"
    calls = report_html(report_context(flagged_store, out))  # the contract's calls: as before
    assert "avoidable calls / month" in section(calls, "fix-first")
    assert "Share of calls" in section(calls, "demand") and "Calls / month" in section(calls, "demand")
    assert "fix first (avoidable calls per month; agent hours per month):" in headline_lines(flagged_store)

    renamed(flagged_store, landing, mapping_file(tmp_path, {"noun": "complaint"}))
    assert contact_noun(flagged_store) == ContactNoun("complaint", "complaints")
    context = report_context(flagged_store, out)
    page = report_html(context)
    fix_first, demand, text = section(page, "fix-first"), section(page, "demand"), visible_text(page)
    assert context["fix_first"]["actions"]  # the cards are there, in complaints
    assert "avoidable complaints / month" in fix_first and "staff hours / month" in fix_first
    assert "The flagged causes of complaints that should not have happened" in fix_first
    assert "Share of complaints" in demand and "Complaints / month" in demand and "Avoidable complaints / month" in demand
    assert "Avoidable complaints per month" in section(page, "headlines")
    for wording in ("avoidable calls", "calls per month", "calls / month", "share of calls", "agent hours"):
        assert wording not in text.lower()
    markdown = report_markdown(context)
    assert "Avoidable complaints per month" in markdown and "calls" not in markdown.lower()
    lines = headline_lines(flagged_store)
    assert "fix first (avoidable complaints per month; staff hours per month):" in lines
    assert all(" calls" not in line for line in lines) and any(" complaints, " in line for line in lines)


def test_cxmining_demand_speaks_of_complaints(flagged_store: Path, landing: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    renamed(flagged_store, landing, mapping_file(tmp_path, {"noun": "complaint"}))
    code, stdout, stderr = run_cli(["demand", "--db", str(flagged_store)], monkeypatch)
    assert code == 0, stderr
    assert re.search(r"flagged causes would remove about \d+ complaints a month", stdout)
    assert "\navoidable complaints:" in stdout


def test_every_night_records_the_noun_again_and_none_means_calls(flagged_store: Path, landing: Path,
                                                                 tmp_path: Path) -> None:
    renamed(flagged_store, landing, mapping_file(tmp_path, {"noun": "klacht", "plural": "klachten"}))
    with duckdb.connect(str(flagged_store), read_only=True) as con:
        assert con.execute("SELECT singular, plural FROM contact_noun").fetchall() == [("klacht", "klachten")]
    assert "Share of klachten" in section(report_html(report_context(flagged_store, tmp_path / "out")), "demand")
    renamed(flagged_store, landing, mapping_file(tmp_path, {"own": False}))  # the setting taken out: calls again
    with duckdb.connect(str(flagged_store), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM contact_noun").fetchone()[0] == 0
    assert contact_noun(flagged_store) == CALLS
    with duckdb.connect(str(flagged_store)) as con:  # a store from before the setting has no such table
        con.execute("DROP TABLE contact_noun")
    assert contact_noun(flagged_store) == CALLS
    assert "Share of calls" in section(report_html(report_context(flagged_store, tmp_path / "out")), "demand")


@pytest.mark.parametrize(("reasons", "problem"), [
    ({"noun": "<b>complaint</b>"}, "reasons.noun '<b>complaint</b>' must be a few plain words"),
    ({"noun": "complaint", "plural": "complaints<script>"}, "reasons.plural 'complaints<script>' must be"),
    ({"noun": "call 2"}, "reasons.noun 'call 2' must be"),
    ({"noun": ""}, "reasons.noun '' must be"),
    ({"noun": "a complaint about the service as a whole"}, "at most 30 characters"),
    ({"plural": "complaints"}, "reasons.plural needs the noun"),
])
def test_a_noun_that_is_not_a_few_plain_words_is_refused_in_one_line(tmp_path: Path, reasons: dict, problem: str) -> None:
    path = mapping_file(tmp_path, reasons)
    with pytest.raises(MappingError, match=re.escape(problem)) as caught:
        load_mapping(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


@pytest.mark.parametrize(("reasons", "noun"), [
    ({}, CALLS),
    ({"noun": "e-mail"}, ContactNoun("e-mail", "e-mails")),
    ({"noun": "web form"}, ContactNoun("web form", "web forms")),
    ({"noun": "klacht", "plural": "klachten"}, ContactNoun("klacht", "klachten")),
    ({"own": True, "activity": "Réclamation : {reason}", "noun": "réclamation"},
     ContactNoun("réclamation", "réclamations")),
])
def test_plain_nouns_are_kept_with_their_plural(tmp_path: Path, reasons: dict, noun: ContactNoun) -> None:
    assert load_mapping(mapping_file(tmp_path, reasons)).for_source("calls").reasons.contact_noun == noun


def test_the_uwv_example_says_complaints_in_the_run_and_its_summary(landing: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped UWV mapping through `cxmining run`, on the real complaints when they are at hand, else on a small
    file in their layout."""
    from test_own_reasons import small_complaints

    (landing / "calls").mkdir()
    if COMPLAINTS.exists():
        (landing / "calls" / COMPLAINTS.name).write_bytes(COMPLAINTS.read_bytes())
    else:
        small_complaints(landing / "calls" / "complaints.csv")
    out = tmp_path / "out"
    code, stdout, stderr = run_cli(["run", "--landing", str(landing), "--mapping", str(UWV / "mapping.yaml"),
                                    "--demand-rules", str(UWV / "rules.yaml"), "--db", str(tmp_path / "uwv.duckdb"),
                                    "--out", str(out)], monkeypatch)
    assert code == 0, stderr
    assert "fix first: nothing flagged (no cause draws complaints beyond what comparable ones get)" in stdout
    summary = json.loads((out / "run_summary.json").read_text(encoding="utf-8"))
    assert summary["contacts"] == {"singular": "complaint", "plural": "complaints"}
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "draws more complaints than" in section(page, "fix-first")
    assert "Failure demand of complaints" in section(page, "data")
    assert not re.search(r"\bcalls\b", section(page, "demand") + section(page, "headlines") + section(page, "data"),
                         flags=re.I)
