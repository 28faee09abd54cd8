"""The analyst report: one offline HTML file per run that escapes everything from the data and shows no personal data."""

from __future__ import annotations

import asyncio
import base64
import csv
import re
import shutil
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from uuid import UUID
from xml.etree import ElementTree

import duckdb
import pytest
from helpers import ROOT, run_cli
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    TaskRunFilter,
)
from prefect.client.schemas.sorting import ArtifactSort

from cxmining.report.charts import safe_svg
from cxmining.report.context import report_context
from cxmining.report.html import report_file, report_html
from cxmining.report.markdown import report_markdown
from cxmining.runs.history import DriftThresholds
from cxmining.store import sql_text
from cxmining.synthetic import write_sample
from pipelines.nightly import nightly

MODELS = ROOT / "data" / "sample" / "models" / "models.yaml"
# Each payload carries a marker that never occurs in a report, escaped or not, unless the data leaked through.
PAYLOADS = {
    "description": '<script>alert("xdesc")</script><img src=x onerror=alert(1)>',
    "name": '<b onmouseover="alert(2)">xname</b>',
    "page": '"><svg onload=alert(3)>xpage',
    "notes": "<script>alert('xnote')</script> ring me on 0687654321, secret-note-text",
    "activity": '<img src=x onerror="alert(4)">xact',
}


def _rewrite(folder: Path, change) -> None:
    """Rewrite every CSV of a landing sub-folder, changing rows with `change`."""
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            fields, rows = reader.fieldnames, list(reader)
        for row in rows:
            change(row)
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)


def _poisoned_sample(landing: Path, customers: int, seed: int, days: int) -> None:
    """A fresh sample whose product texts, help-page paths and call notes carry HTML and script payloads."""
    write_sample(landing, customers=customers, seed=seed, days=days, dirty_rate=0.0)  # no ragged rows to rewrite

    def product(row: dict) -> None:
        row["description"] = PAYLOADS["description"] + " " + row["description"]
        row["name"] = row["name"] + " " + PAYLOADS["name"]

    def page(row: dict) -> None:
        if row["event_type"] == "help_view":
            row["page"] = row["page"] + PAYLOADS["page"]

    def call(row: dict) -> None:
        row["notes"] = PAYLOADS["notes"] + " " + row["notes"]

    _rewrite(landing / "products", product)
    _rewrite(landing / "web", page)
    _rewrite(landing / "calls", call)


class _Refs(HTMLParser):
    """Every tag and every URL-carrying attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in {"src", "href", "xlink:href", "action", "poster", "srcset"}:
                self.urls.append(value or "")
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}")


def _pictures(html: str) -> list[str]:
    """The SVG pictures embedded as data URIs, decoded."""
    return [base64.b64decode(b).decode("utf-8") for b in re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)]


def _personal_data(db: Path) -> set[str]:
    """Caller numbers, customer ids, phone numbers and e-mail addresses in the store: none may reach the report."""
    with duckdb.connect(str(db), read_only=True) as con:
        values = con.execute(
            "SELECT caller_number FROM raw_calls UNION SELECT customer_id FROM raw_customers "
            "UNION SELECT phone FROM raw_customers UNION SELECT email FROM raw_customers"
        ).fetchall()
    return {v for (v,) in values if v}


async def _artifacts(flow_run_id: str) -> list:
    """The Prefect artifacts a flow run created (every filter given: the server refuses the client's None defaults)."""
    async with get_client() as client:
        return await client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[UUID(flow_run_id)])),
            flow_run_filter=FlowRunFilter(), task_run_filter=TaskRunFilter(), limit=50, sort=ArtifactSort.CREATED_DESC)



@pytest.fixture(scope="module")
def poisoned_run(harness, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """The nightly flow on a poisoned fresh sample: store, output folder, flow result."""
    folder = tmp_path_factory.mktemp("report")
    _poisoned_sample(folder / "landing", customers=40, seed=4711, days=10)
    db, out = folder / "store.duckdb", folder / "out"
    result = nightly(landing=folder / "landing", db=db, out=out, models=MODELS)
    with duckdb.connect(str(db), read_only=True) as con:
        demand = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'failure_demand_products'").fetchone()[0]
    if not demand:  # a flow that does not build the failure-demand tables yet: build them, report again
        from cxmining.demand.tables import demand_tables

        demand_tables(db)
        report_file(db, out, result["run_id"])
    return db, out, result


def test_the_flow_writes_an_offline_report_that_escapes_the_data_and_leaks_no_personal_data(poisoned_run) -> None:
    db, out, result = poisoned_run
    report = out / "report.html"
    assert Path(result["files"]["report"]) == report
    html = report.read_text(encoding="utf-8")
    pictures = _pictures(html)
    assert f"<dd><code>{db}</code></dd>" in html and ".night" not in html  # the store, not the copy the night was built in

    # Every picture of the run is in the file, as a sanitised image, not as live markup.
    drawn = sorted(p.name for p in out.glob("*.svg"))
    assert {"process_map.svg", "swimlane.svg", "deviation_map_order.svg"} <= set(drawn)
    assert len(pictures) == len(drawn)
    for svg in pictures:
        assert "<script" not in svg and not re.search(r"\son\w+\s*=", svg)
        assert not re.search(r'href="(?!#)', svg)

    # Nothing from the data became markup: payloads appear only escaped.
    for where, payload in PAYLOADS.items():
        assert payload not in html, where
    assert "xnote" not in html and "secret-note-text" not in html and "0687654321" not in html  # notes never selected
    assert "&lt;script&gt;alert(&#34;xdesc&#34;)&lt;/script&gt;" in html  # the product evidence, escaped
    assert "xpage" in html  # the help-page path of the website trigger, escaped
    refs = _Refs()
    refs.feed(html)
    assert "script" not in refs.tags and "link" not in refs.tags and "iframe" not in refs.tags
    assert refs.handlers == []
    assert all(url.startswith(("data:image/svg+xml;base64,", "#")) for url in refs.urls), refs.urls
    assert not re.search(r"https?://", html)  # no external URL anywhere, not even in CSS

    # No personal data, neither in the page nor in its pictures.
    personal = _personal_data(db)
    assert personal
    for value in personal:
        assert value not in html, value
        assert all(value not in svg for svg in pictures), value

    # The flow run also published the headline figures and the top deviations as Prefect artifacts.
    artifacts = {a.key: a for a in asyncio.run(_artifacts(result["run_id"]))}
    assert {"cxmining-report", "cxmining-deviations"} <= set(artifacts)
    assert artifacts["cxmining-report"].type == "markdown" and "| Journeys |" in artifacts["cxmining-report"].data
    assert "xdesc" not in artifacts["cxmining-report"].data

    # The headline figures are the store's.
    with duckdb.connect(str(db), read_only=True) as con:
        journeys, orders = con.execute("SELECT count(*), count(*) FILTER (WHERE journey_type = 'order') FROM journeys").fetchone()
        fitness = con.execute("SELECT fitness FROM conformance_summary").fetchone()[0]
    assert f">{journeys:,}<" in html and f">{orders:,}<" in html and f">{fitness:.3f}<" in html


def test_changes_and_trends_follow_the_recorded_runs(poisoned_run, tmp_path: Path) -> None:
    db, out, result = poisoned_run
    copy = tmp_path / "store.duckdb"
    shutil.copy(db, copy)
    with duckdb.connect(str(copy)) as con:
        for relative in ("runs/runs.sql", "runs/run_metrics.sql"):
            con.execute(sql_text(relative))
        [(run_id, finished)] = con.execute("SELECT run_id, finished_at FROM runs").fetchall()
        # two earlier runs with smaller figures, and a failed one in between that must not be the baseline
        for days, status, factor in ((2, "completed", 0.5), (1, "completed", 0.8), (0.5, "failed", 0.1)):
            earlier = f"{run_id}-{days}"
            con.execute("INSERT INTO runs SELECT * REPLACE ($id AS run_id, $at AS finished_at, $status AS status) "
                        "FROM runs WHERE run_id = $run_id",
                        {"id": earlier, "at": finished - timedelta(days=days), "status": status, "run_id": run_id})
            con.execute("INSERT INTO run_metrics SELECT $id, $at, metric, value * $factor FROM run_metrics WHERE run_id = $run_id",
                        {"id": earlier, "at": finished - timedelta(days=days), "factor": factor, "run_id": run_id})
        recorded = dict(con.execute("SELECT metric, value FROM run_metrics WHERE run_id = $run_id", {"run_id": run_id}).fetchall())

    context = report_context(copy, out)  # the store's latest run, compared with the last completed one before it
    assert context["runs"]["run_id"] == run_id
    assert context["runs"]["previous"]["run_id"] == f"{run_id}-1"
    shown = {item["metric"].key: item for item in context["metrics"] if item["metric"].value is not None}
    assert {"journeys", "events"} <= set(shown)
    for key, item in shown.items():
        if key in recorded:
            assert item["metric"].value == pytest.approx(recorded[key])
            assert item["change"]["delta"] == pytest.approx(recorded[key] * 0.2)
    trends = {t["metric"].key: t["chart"] for t in context["trends"]}
    assert set(trends) == set(shown) & set(recorded)
    assert all(len(chart["dots"]) == 3 for chart in trends.values())  # two completed runs before, this one
    html = report_html(context)
    assert "▲ +" in html and "Only one run" not in html

    # drift: the failure-demand share rose since the previous completed run; flagged only beyond the threshold
    sensitive = report_context(copy, out, thresholds=DriftThresholds(fitness_drop=0.05, failure_share_rise=0.0,
                                                                      avoidable_calls_rise=10.0))
    assert any(m.startswith("drift: failure_demand_journey_share rose") for m in sensitive["drift"])
    assert "Drift since the previous run" in report_html(sensitive)
    calm = report_context(copy, out, thresholds=DriftThresholds(fitness_drop=1.0, failure_share_rise=1.0,
                                                                 avoidable_calls_rise=100.0))
    assert calm["drift"] == [] and "Drift since the previous run" not in report_html(calm)

    alone = report_html(report_context(db, out))  # one run: a note instead of empty charts
    assert "Only one run so far" in alone and "▲" not in alone


def test_a_store_without_demand_or_history_says_what_was_not_computed(poisoned_run, tmp_path: Path) -> None:
    db, out, _ = poisoned_run
    copy = tmp_path / "store.duckdb"
    shutil.copy(db, copy)
    with duckdb.connect(str(copy)) as con:
        for name in ("contact_demand", "failure_demand_causes", "failure_demand_products", "order_status_calls_by_day",
                     "routing_failure", "website_failure_contacts", "avoidable_calls", "run_metrics", "runs",
                     "conformance_summary", "deviations", "model_diff"):
            con.execute(f"DROP TABLE IF EXISTS {name}")
    html = report_file(copy, tmp_path / "out").read_text(encoding="utf-8")
    assert "Failure demand: not computed in this run." in html
    assert "Conformance with a designed model: not computed in this run." in html
    # each missing section says what would give it
    assert html.count("To have it: journeys with contacts") >= 2  # what to fix first and failure demand
    assert "To have it: a designed model per journey type in the landing folder&#39;s models/models.yaml" in html
    # and the data's own limits: what it supports and what it cannot, with why
    data = html[html.index('<section id="data">'):html.index('<section id="process">')]
    supported, unsupported = data.split("Not supported by this data")
    assert "Conformance with the designed process" in unsupported and "no designed model" in unsupported
    assert "Failure demand of calls" in supported
    with duckdb.connect(str(copy)) as con:
        con.execute("DELETE FROM raw_orders")
        con.execute("UPDATE raw_calls SET ended_at = NULL")
    html = report_file(copy, tmp_path / "out").read_text(encoding="utf-8")
    unsupported = html[html.index("Not supported by this data"):html.index('<section id="process">')]
    assert "Where-is-my-order calls by order day (late shipping)</b>: <span class=\"small\">needs both orders and calls" in unsupported
    assert "Agent hours and handling times</b>: <span class=\"small\">0 of" in unsupported
    assert "No run history in this store" in html
    assert "Process map: not computed in this run." in html  # no pictures in this output folder
    # calls without IVR paths: no table of '(none)' rows, a sentence saying why
    pathless = tmp_path / "pathless.duckdb"
    shutil.copy(db, pathless)
    with duckdb.connect(str(pathless)) as con:
        assert con.execute("SELECT count(*) FROM routing_failure").fetchone()[0] > 0
        con.execute("UPDATE routing_failure SET ivr_path = '(none)'")
    html = report_file(pathless, tmp_path / "out").read_text(encoding="utf-8")
    assert "No call in the data has an IVR path: routing cannot be compared across paths." in html
    assert "<code>(none)</code>" not in html


def test_markdown_summary_escapes_the_data(poisoned_run) -> None:
    db, out, _ = poisoned_run
    context = report_context(db, out)
    markdown = report_markdown(context)
    assert "<" not in markdown.replace("&lt;", "")
    journeys = next(i["metric"].value for i in context["metrics"] if i["metric"].key == "journeys")
    assert f"| Journeys | {journeys:,.0f} |" in markdown


def test_activity_names_of_an_imported_log_are_escaped_in_report_and_pictures(tmp_path: Path) -> None:
    from cxmining.eventlog.imported import import_log
    from cxmining.pictures.outputs import process_outputs

    steps = ["Open", PAYLOADS["activity"], "Close & <done>"]
    rows = ["case:concept:name,concept:name,time:timestamp"] + [f'c{c},"{a.replace(chr(34), chr(34) * 2)}",2026-01-0{1 + c % 5}T0{i}:00:00Z'
                                     for c in range(12) for i, a in enumerate(steps if c % 3 else steps[::2])]
    log = tmp_path / "log.csv"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    db, out = tmp_path / "log.duckdb", tmp_path / "out"
    import_log(log, db)
    process_outputs(db, out)

    html = report_file(db, out).read_text(encoding="utf-8")
    assert PAYLOADS["activity"] not in html
    pictures = _pictures(html)
    assert len(pictures) == 2
    for svg in pictures:  # the name is drawn as text, never as an element or an attribute
        root = ElementTree.fromstring(svg)
        assert any(PAYLOADS["activity"] in "".join(e.itertext()) for e in root.iter())
        assert {e.tag.rsplit("}", 1)[-1] for e in root.iter()}.isdisjoint({"img", "script", "foreignObject"})
        assert not [name for e in root.iter() for name in e.attrib if name.lower().startswith("on")]


def test_safe_svg_keeps_the_drawing_and_drops_scripts_handlers_and_outside_links() -> None:
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" onload="alert(1)">'
           '<script>alert(2)</script><foreignObject><div>x</div></foreignObject>'
           '<a xlink:href="https://example.org/x"><text onclick="alert(3)">Order placed</text></a>'
           '<use xlink:href="#arrow"/><image href="http://example.org/a.png"/></svg>')
    clean = safe_svg(svg).decode("utf-8")
    assert "Order placed" in clean and 'href="#arrow"' in clean
    assert "alert" not in clean and "example.org" not in clean and "foreignObject" not in clean


def test_report_command_writes_the_report(poisoned_run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, out, _ = poisoned_run
    folder = tmp_path / "out"
    shutil.copytree(out, folder)
    (folder / "report.html").unlink()
    code, stdout, stderr = run_cli(["report", "--db", str(db), "--out", str(folder)], monkeypatch)
    assert code == 0, stderr
    assert stdout.strip() == f"wrote {folder / 'report.html'}"
    assert "Customer journeys" in (folder / "report.html").read_text(encoding="utf-8")
    code, _, stderr = run_cli(["report", "--db", str(tmp_path / "missing.duckdb"), "--out", str(folder)], monkeypatch)
    assert code == 1 and "no such database" in stderr


def test_the_run_ends_with_conformance_and_the_top_three_fixes_unknowns_said(tmp_path: Path) -> None:
    from cxmining.report.headline import headline_lines

    db = tmp_path / "h.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("""CREATE TABLE conformance_summary AS SELECT * FROM (VALUES
            ('order', 1200, 40, 0.9123, 0.25, NULL::DOUBLE, 0), ('return', 80, 9, NULL::DOUBLE, NULL::DOUBLE, 0.5, 80))
            AS t(journey_type, journeys, variants, fitness, fitting_share, precision, timed_out_journeys)""")
        con.execute("""CREATE TABLE avoidable_calls AS SELECT *, calls_per_month * 0.5 AS calls_per_month_low,
                calls_per_month * 1.2 AS calls_per_month_high, calls AS journeys, target AS target_key,
                'rates' AS evidence, 2.0 AS months FROM (VALUES
            ('website', 'Checkout error /pay', 'fix the page', 90, 0.5, 45.0, 22.5, 3.0, 0),
            ('product information', 'product P1', 'rewrite the product description', 400, 0.8, 320.0, 160.0, 12.25, 0),
            ('routing', 'IVR main>general', 'route these calls', 10, 0.3, 3.0, 1.5, 0.2, 0),
            ('order communication', 'orders placed 2026-09-16 to 2026-09-25', 'tell customers', 50, 0.9, 45.0, 22.5,
             NULL::DOUBLE, 50))
            AS t(cause, target, fix, calls, excess_share, avoidable_calls, calls_per_month, agent_hours_per_month,
                 calls_without_handling_time)""")
    assert headline_lines(db) == [
        "conformance of order journeys: fitness 0.912, 25.0% of 1,200 fitting, precision unknown",
        "conformance of return journeys: fitness unknown, unknown of 80 fitting, precision 0.500",
        "fix first (avoidable calls per month; agent hours per month):",
        "  1. rewrite the product description: product P1 (160 calls, 12.2 agent hours)",
        "  2. tell customers: orders placed 2026-09-16 to 2026-09-25 (22.5 calls, handling time unknown)",
        "  3. fix the page: Checkout error /pay (22.5 calls, 3.0 agent hours)",
    ]
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM avoidable_calls")
        con.execute("DROP TABLE conformance_summary")
    assert headline_lines(db)[0].startswith("conformance: not computed (no designed models")
    assert headline_lines(db)[1] == "fix first: nothing flagged (no cause draws calls beyond what comparable ones get)"
