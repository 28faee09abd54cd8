"""`cxmining explore`: the API on a sample store (counts equal the store's own tables, drill-downs select what they
say, no personal data, bad input is a 400 with one line), the snapshot it reads, and the page in a real browser."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest
from fastapi.testclient import TestClient
from helpers import ROOT, SMALL_SAMPLE, run_cli

from cxmining.conformance.outputs import conformance_outputs
from cxmining.demand.tables import demand_tables
from cxmining.explore.app import background_server, explorer_app
from cxmining.store.snapshot import published_snapshot

CHROMIUM = Path("/usr/bin/chromium")
MODELS = ROOT / "data" / "sample" / "models" / "models.yaml"


@pytest.fixture(scope="module")
def stores(sample_store, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The small sample with conformance and failure demand (full), and the same without either (bare)."""
    folder = tmp_path_factory.mktemp("explore")
    (folder / "bare").mkdir()
    bare = sample_store(*SMALL_SAMPLE, folder / "bare")
    full = Path(shutil.copy(bare, folder / "full.duckdb"))
    conformance_outputs(full, MODELS, folder / "out")
    demand_tables(full)
    return full, bare


class Recording(TestClient):
    """A test client that keeps every response body, to look for personal data in all of them."""

    bodies: list[str] = []

    def get(self, url, **kwargs):  # type: ignore[override]
        response = super().get(url, **kwargs)
        self.bodies.append(response.text)
        return response


@pytest.fixture(scope="module")
def client(stores) -> Recording:
    return Recording(explorer_app(stores[0]))


def q(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def con(stores):
    with duckdb.connect(str(stores[0]), read_only=True) as connection:
        yield connection


def every_journey(client: TestClient, query: str) -> list[dict]:
    """Every journey of a drill-down, page by page."""
    found, page = [], 1
    while True:
        body = client.get(f"/api/journeys?{query}&size=200&page={page}").json()
        found += body["journeys"]
        if len(found) >= body["journeys_total"]:
            assert len(found) == body["journeys_total"]
            return found
        page += 1


def test_the_variants_of_a_type_add_up_to_its_journeys(client, con) -> None:
    for journey_type, journeys in q(con, "SELECT journey_type, count(*) FROM journeys GROUP BY 1"):
        listed, page = [], 1
        while True:
            body = client.get(f"/api/variants?type={quote(journey_type)}&size=200&page={page}").json()
            listed += body["variants"]
            if len(listed) >= body["variants_total"]:
                break
            page += 1
        assert body["journeys"] == journeys
        assert sum(v["journeys"] for v in listed) == journeys
        expected = dict(q(con, "SELECT variant_id, count(*) FROM case_variants JOIN journeys ON journey_id = case_id "
                               "WHERE journey_type = ? GROUP BY 1", [journey_type]))
        assert {v["variant_id"]: v["journeys"] for v in listed} == expected


def test_fitness_is_the_conformance_of_checked_variants_and_unknown_elsewhere(client, con) -> None:
    checked = dict(q(con, "SELECT variant_id, fitness FROM variant_conformance"))
    listed = client.get("/api/variants?size=200&sort=journeys").json()["variants"]
    assert any(v["variant_id"] not in checked for v in listed)
    for v in listed:
        assert v["checked"] == (v["variant_id"] in checked)
        assert v["fitness"] == checked.get(v["variant_id"])  # not checked: None, never 0


def test_sorting_orders_the_variants_by_the_column_asked_for(client) -> None:
    durations = [v["mean_duration_seconds"] for v in client.get("/api/variants?sort=duration&order=asc&size=200").json()["variants"]]
    assert durations == sorted(durations)
    journeys = [v["journeys"] for v in client.get("/api/variants?sort=journeys&size=200").json()["variants"]]
    assert journeys == sorted(journeys, reverse=True)


def test_a_product_selects_the_journeys_about_that_product(client, con) -> None:
    product, journeys = q(con, "SELECT product_id, count(DISTINCT journey_id) FROM journey_products GROUP BY 1 "
                               "ORDER BY 2 DESC, 1 LIMIT 1")[0]
    expected = {r[0] for r in q(con, "SELECT journey_id FROM journey_products WHERE product_id = ?", [product])}
    assert {j["journey_id"] for j in every_journey(client, f"product={product}")} == expected
    assert client.get(f"/api/variants?product={product}&size=200").json()["journeys"] == journeys


def test_a_cause_selects_the_journeys_with_a_contact_of_that_cause(client, con) -> None:
    cause = client.get("/api/overview").json()["entries"]["causes"]["rows"][0]["cause"]
    journeys = every_journey(client, f"cause={quote(cause)}")
    expected = {r[0] for r in q(con, "SELECT journey_id FROM contact_demand WHERE cause = ?", [cause])}
    assert journeys and {j["journey_id"] for j in journeys} == expected


def test_a_target_and_a_filter_combine(client, con) -> None:
    target = q(con, "SELECT target FROM avoidable_calls ORDER BY calls DESC LIMIT 1")[0][0]
    expected = {r[0] for r in q(con, "SELECT DISTINCT t.journey_id FROM contact_targets t JOIN journeys j USING (journey_id) "
                                     "WHERE t.target = ? AND j.journey_type = 'order'", [target])}
    assert {j["journey_id"] for j in every_journey(client, f"target={quote(target)}&type=order")} == expected


def test_a_deviation_selects_the_journeys_showing_it(client, con) -> None:
    deviation_type, activity = q(con, "SELECT deviation_type, activity FROM deviations ORDER BY deviation_id LIMIT 1")[0]
    per_place = [r[0] for r in q(con, "SELECT journeys FROM deviations WHERE deviation_type = ? AND activity = ?",
                                 [deviation_type, activity])]
    journeys = every_journey(client, f"deviation={quote(deviation_type)}&activity={quote(activity)}")
    assert max(per_place) <= len(journeys) <= sum(per_place)  # anywhere in the journey: each place, at most all of them
    variants = {j["variant_id"] for j in journeys}
    with_activity = {r[0] for r in q(con, "SELECT variant_id FROM variant_conformance WHERE list_contains("
                                          "list_transform(moves, lambda m: coalesce(m.log, m.model)), ?)", [activity])}
    assert variants <= with_activity


def test_a_map_path_selects_the_journeys_where_one_step_directly_follows_the_other(client, con) -> None:
    body = client.get("/api/map?type=order").json()
    assert body["journeys"] == q(con, "SELECT count(*) FROM journeys WHERE journey_type = 'order'")[0][0]
    path = next(p for p in body["paths"] if p["source"] and p["target"])
    journeys = every_journey(client, f"path_from={quote(path['source'])}&path_to={quote(path['target'])}&type=order")
    assert 0 < len(journeys) <= path["frequency"]
    starts = sum(p["frequency"] for p in body["paths"] if p["source"] is None)
    assert starts == body["journeys"]  # every journey starts once


def test_the_timeline_shows_a_journey_s_steps_in_order_without_its_customer(client, con) -> None:
    journey_id, customer = q(con, "SELECT journey_id, customer_id FROM journeys WHERE calls > 0 AND customer_id IS NOT NULL "
                                  "ORDER BY journey_id LIMIT 1")[0]
    body = client.get(f"/api/journey/{quote(journey_id)}").json()
    expected = q(con, 'SELECT "concept:name", channel FROM journey_events WHERE "case:concept:name" = ? ORDER BY event_order',
                 [journey_id])
    assert [(s["activity"], s["channel"]) for s in body["steps"]] == expected
    assert body["steps"][0]["seconds_since_start"] == 0
    assert any(s["reason_code"] for s in body["steps"]) and any(s["demand"] for s in body["steps"])
    assert "customer_id" not in str(body) and customer not in str(body).replace(journey_id, "")
    assert client.get("/api/journey/no-such-journey").status_code == 404


def test_the_timeline_names_the_target_each_counted_call_is_counted_under(client, con) -> None:
    counted = q(con, "SELECT journey_id, contact_id, target FROM contact_targets ORDER BY journey_id, contact_id LIMIT 20")
    assert counted  # the sample's store has flagged targets
    for journey_id in {j for j, _, _ in counted}:
        body = client.get(f"/api/journey/{quote(journey_id)}").json()
        expected = dict(q(con, "SELECT e.event_order, t.target FROM journey_events AS e JOIN contact_targets AS t "
                               "ON t.contact_id = e.event_id WHERE e.\"case:concept:name\" = ?", [journey_id]))
        assert {s["step"]: s["counted_under"] for s in body["steps"] if s["counted_under"]} == expected and expected


def test_bad_input_is_a_400_with_one_line(client) -> None:
    for url, words in [("/api/variants?from=2026-02-30", "from"), ("/api/variants?sort=variant_id;drop", "sort"),
                       ("/api/variants?order=sideways", "order"), ("/api/journeys?page=0", "page"),
                       ("/api/map?from=2026-10-02&to=2026-10-01", "from"), ("/api/journeys?variant=x", "variant"),
                       ("/api/journeys?activity=Log%20out", "deviation"), ("/api/journeys?cause=a&variant=1", "drill-down"),
                       ("/api/variants?page=99999", "past the last page"), ("/api/journeys?page=99999", "past the last page"),
                       ("/api/variants?type=bogus", "not a journey type of this store (")]:
        response = client.get(url)
        assert response.status_code == 400, url
        message = response.json()["error"]
        assert words in message and "\n" not in message, url


def test_no_response_carries_personal_data(client, con, stores) -> None:
    client.get("/api/overview")
    for j in every_journey(client, "type=order")[:40] + every_journey(client, "channel=phone")[:40]:
        client.get(f"/api/journey/{quote(j['journey_id'])}")
    secrets = {r[0] for r in q(con, "SELECT caller_number FROM raw_calls UNION SELECT notes FROM raw_calls "
                                    "UNION SELECT phone FROM raw_customers UNION SELECT email FROM raw_customers")
               if r[0] and len(r[0]) >= 6}
    assert secrets and len(client.bodies) > 50
    leaks = {s for s in secrets for body in client.bodies if s in body}
    assert not leaks


def test_a_store_without_conformance_or_demand_says_what_would_build_them(stores) -> None:
    client = TestClient(explorer_app(stores[1]))
    entries = client.get("/api/overview").json()["entries"]
    assert "cxmining conformance" in entries["deviations"]["missing"]
    assert all("cxmining demand" in entries[name]["missing"] for name in ("causes", "products", "targets", "days", "ivr_paths"))
    variants = client.get("/api/variants").json()
    assert not variants["conformance"] and all(not v["checked"] and v["fitness"] is None for v in variants["variants"])
    response = client.get("/api/journeys?cause=website")
    assert response.status_code == 409 and "cxmining demand" in response.json()["error"]
    journey_id = variants and client.get("/api/journeys").json()["journeys"][0]["journey_id"]
    assert client.get(f"/api/journey/{quote(journey_id)}").status_code == 200


def test_it_reads_the_latest_snapshot_and_picks_up_a_newer_one(stores, tmp_path: Path) -> None:
    db = Path(shutil.copy(stores[1], tmp_path / "store.duckdb"))
    published_snapshot(db)
    client = TestClient(explorer_app(db))
    before = sum(t["journeys"] for t in client.get("/api/overview").json()["journey_types"])
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM journeys WHERE journey_type = 'order'")
    assert sum(t["journeys"] for t in client.get("/api/overview").json()["journey_types"]) == before  # the snapshot
    published_snapshot(db)
    after = client.get("/api/overview").json()
    assert after["source"].endswith(".snapshot.duckdb")
    assert [t["journey_type"] for t in after["journey_types"]] == ["no order"]


def test_the_command_refuses_a_store_that_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_cli(["explore", "--db", str(tmp_path / "none.duckdb"), "--no-open"], monkeypatch)
    assert code == 1 and "none.duckdb" in err and len(err.strip().splitlines()) == 1


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (the Makefile installs Debian's chromium)")
def test_an_analyst_clicks_through_the_explorer_in_a_browser(stores, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    db = shutil.copy(stores[0], tmp_path / "store.duckdb")  # DuckDB opens a file once per process: the client has it
    with background_server(explorer_app(db)) as url, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(viewport={"width": 1300, "height": 850})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def ready(view: str) -> None:
            page.wait_for_function(f"document.body.dataset.ready === '{view}'", timeout=15_000)

        # the map draws nodes; fewer activities on the slider, fewer nodes
        page.goto(f"{url}#/map")
        ready("map")
        counter = page.locator("#map-count")
        shown = int(counter.get_attribute("data-nodes"))
        drawn = page.evaluate("() => document.querySelector('#map canvas') !== null")
        assert shown > 1 and drawn
        page.locator("#activity-slider").fill("5")
        assert int(counter.get_attribute("data-nodes")) < shown

        # the variants filter by journey type; a variant opens its journeys, a journey its timeline
        page.goto(f"{url}#/variants")
        ready("variants")
        everyone = int(page.locator("#variant-summary").get_attribute("data-journeys"))
        page.select_option("#filters select[name=type]", "order")
        page.click("#filters button[type=submit]")
        page.wait_for_function("location.hash.includes('type=order') && document.body.dataset.ready === 'variants'")
        page.wait_for_function(f"document.querySelector('#variant-summary').dataset.journeys !== '{everyone}'")
        orders = int(page.locator("#variant-summary").get_attribute("data-journeys"))
        assert 0 < orders < everyone
        page.locator("#variants tr.link").first.click()
        page.wait_for_function("location.hash.startsWith('#/journeys?') && document.body.dataset.ready === 'journeys'")
        assert "variant=" in page.evaluate("location.hash")
        page.locator("#journeys a").first.click()
        ready("journey")
        assert page.locator("#timeline li").count() > 0

        # a cause on the landing page reaches its journeys
        page.goto(f"{url}#/")
        ready("home")
        page.locator("#entry-causes a").first.click()
        page.wait_for_function("location.hash.includes('cause=') && document.body.dataset.ready === 'journeys'")
        assert int(page.locator("#journey-summary").get_attribute("data-journeys")) > 0
        assert page.locator("#journeys a").count() > 0

        # an avoidable-calls target reaches its journeys, whose timeline marks the calls counted under it
        page.goto(f"{url}#/")
        ready("home")
        page.locator("#entry-targets a").first.click()
        page.wait_for_function("location.hash.includes('target=') && document.body.dataset.ready === 'journeys'")
        page.locator("#journeys a").first.click()
        ready("journey")
        assert page.locator("#drilled-from").count() == 1 and page.locator("#timeline li.drilled").count() > 0
        browser.close()
        assert not errors
