"""An incremental night equals a full rebuild: stitching and journeys built from the files a night adds, compared row
for row with the same store built from scratch, on generated samples with days added one by one and on nights made to
hit the hard cases (a phone number becoming shared, a browser logging in after anonymous visits, an order line
arriving later, a call naming another customer's order, a session shared by two customers)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from helpers import CALLS_HEADER, ORDERS_HEADER, ROOT, SMALL_SAMPLE, WEB_HEADER, call_row, write_lines

from cxmining.conformance.checking import conformance_tables
from cxmining.conformance.designed import designed_models
from cxmining.conformance.model_diff import model_diff
from cxmining.demand.per_journey import PER_JOURNEY
from cxmining.demand.tables import TABLES, demand_tables
from cxmining.ingest.folder import landing_reports
from cxmining.journeys import JourneyRules, build_plan, journey_tables
from cxmining.mining.statistics import MINING_TABLES, mining_tables
from cxmining.store import connect
from cxmining.synthetic import Effects, write_sample

COMPARED = {  # every row a build writes; event numbers are a build's own, so events are matched by event_id
    "stitched_events": "SELECT * EXCLUDE (event_no) FROM stitched_events ORDER BY event_id",
    "journey_assignment": "SELECT s.event_id, a.* EXCLUDE (event_no) FROM journey_assignment AS a "
                          "JOIN stitched_events AS s USING (event_no) ORDER BY s.event_id",
    "journeys": "SELECT * FROM journeys ORDER BY journey_id",
}


def tables(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: con.execute(sql).fetchall() for name, sql in COMPARED.items()}


def rows_of(db: Path, names: tuple[str, ...]) -> dict[str, list[tuple]]:
    """Every row of the named tables, in a fixed order, floats rounded to 1e-6 (sums over other orders of the rows)."""
    def rounded(row: tuple) -> tuple:
        return tuple(round(v, 6) if isinstance(v, float) else v for v in row)

    with duckdb.connect(str(db), read_only=True) as con:
        return {name: sorted((rounded(r) for r in con.execute(f"SELECT * FROM {name}").fetchall()), key=repr)
                for name in names}


def mining(db: Path) -> dict[str, list[tuple]]:
    return rows_of(db, MINING_TABLES)


def demand(db: Path) -> dict[str, list[tuple]]:
    return rows_of(db, tuple(dict.fromkeys((*TABLES, *(table for table, _, _ in PER_JOURNEY)))))


def build_mode(db: Path) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT mode FROM journey_build ORDER BY generation DESC LIMIT 1").fetchone()[0]


def rebuilt_from_scratch(landing: Path, db: Path, rules: JourneyRules = JourneyRules()) -> dict[str, list[tuple]]:
    landing_reports(db, landing, "full")
    journey_tables(db, rules)
    assert build_mode(db) == "full"
    return tables(db)


def split_landing(source: Path, landing: Path, held_days: int) -> list[str]:
    """`source` copied to `landing` without its last `held_days` days; those days, in order."""
    shutil.copytree(source, landing)
    days = sorted({p.stem.rsplit("_", 1)[-1] for p in landing.glob("calls/*.csv")})[-held_days:]
    for path in landing.glob("*/*"):
        if any(path.stem.endswith(day) for day in days):
            path.unlink()
    return days


@pytest.mark.parametrize(("seed", "effects"), [
    (21, {}),
    (22, {"multi_line_share": 0.5, "max_lines": 4}),
    (23, {"failing_help_page_calls": 0.3, "popularity_exponent": 0.4}),
])
def test_nights_added_one_by_one_equal_a_full_rebuild(tmp_path: Path, seed: int, effects: dict) -> None:
    source = tmp_path / "all"
    write_sample(source, customers=600, seed=seed, days=30, effects=Effects(**effects), history_days=10)
    landing, db = tmp_path / "landing", tmp_path / "store.duckdb"
    held = split_landing(source, landing, 4)
    landing_reports(db, landing, "first")
    journey_tables(db)
    mining_tables(db)
    demand_tables(db)
    changed, traced = [], []
    for day in held:
        for path in source.glob(f"*/*_{day}.*"):
            shutil.copy(path, landing / path.parent.name / path.name)
        landing_reports(db, landing, day)
        changed.append(journey_tables(db)["changed_journeys"])
        assert build_mode(db) == "incremental"
        if day != held[-2]:  # one night without the statistics: the next run catches up on two builds' changes
            traced.append(mining_tables(db)["changed_cases"])
            demand_tables(db)
    assert tables(db) == rebuilt_from_scratch(landing, tmp_path / "full.duckdb")
    mining_tables(tmp_path / "full.duckdb")
    demand_tables(tmp_path / "full.duckdb")
    assert mining(db) == mining(tmp_path / "full.duckdb")
    assert demand(db) == demand(tmp_path / "full.duckdb")
    assert all(0 < n <= max(changed) * 2 for n in traced)  # only the changed journeys' traces were read again
    with duckdb.connect(str(db), read_only=True) as con:
        journeys = con.execute("SELECT count(*) FROM journeys").fetchone()[0]
    assert all(0 < n < journeys / 3 for n in changed)  # each night rebuilt a small part


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    row = con.execute(sql).fetchone()
    assert row is not None, sql
    return row


@pytest.fixture(scope="module")
def small_sample(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("hard") / "landing"
    write_sample(source, customers=300, seed=5, days=20)
    return source


def _first_night(sample: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of `sample` as the landing folder, loaded into a new store with its journeys built: (landing, store)."""
    landing, db = tmp_path / "landing", tmp_path / "store.duckdb"
    shutil.copytree(sample, landing)
    landing_reports(db, landing, "first")
    journey_tables(db)
    return landing, db


def _phone_stitched_customers(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Two customers (id, phone) whose calls were stitched to them by phone number."""
    return con.execute(
        "SELECT c.customer_id, c.phone FROM raw_customers AS c WHERE c.customer_id IN (SELECT stitched_customer_id "
        "FROM stitched_events WHERE stitch_rule = 'phone') ORDER BY 1 LIMIT 2").fetchall()


def test_the_hard_cases_of_a_night_equal_a_full_rebuild(small_sample: Path, tmp_path: Path) -> None:
    landing, db = _first_night(small_sample, tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        # two customers with calls stitched by phone: the first gets the second's number, which then identifies nobody
        (a, a_phone), (b, b_phone) = _phone_stitched_customers(con)
        # a browser never logged in: it logs in tonight, as a customer with orders
        visitor, session = _one(con, "SELECT visitor_id, any_value(session_id) FROM raw_web GROUP BY visitor_id "
                                     "HAVING count(customer_id) = 0 ORDER BY 1 LIMIT 1")
        c, c_order, c_product = _one(con, "SELECT customer_id, order_id, product_id FROM raw_orders "
                                          "WHERE status = 'placed' ORDER BY customer_id DESC LIMIT 1")
        # another customer's order, named in a call by a third customer; and a session two customers log in to
        d_order = _one(con, f"SELECT order_id FROM raw_orders WHERE customer_id NOT IN ('{a}', '{c}') ORDER BY 1 LIMIT 1")[0]
        shared_session, e = _one(con, "SELECT session_id, any_value(customer_id) FROM raw_web WHERE customer_id IS NOT NULL "
                                      "GROUP BY session_id ORDER BY 1 LIMIT 1")
        last = _one(con, "SELECT max(ts) FROM raw_web")[0]
    tonight = (last.replace(microsecond=0)).isoformat() + "Z"
    write_lines(landing / "customers" / "customers_9999-night.csv",
                ["customer_id,phone,email,created_at", f"{a},{b_phone},a@example.org,2025-01-01T00:00:00Z"])
    write_lines(landing / "web" / "web_9999-night.csv", [
        WEB_HEADER,
        f"NIGHT1,{session}-night,{visitor},{c},{tonight},login,/account,,",
        f"NIGHT2,{shared_session},vis-shared,{a},{tonight},page_view,/,,",
    ])
    write_lines(landing / "orders" / "orders_9999-night.csv", [
        ORDERS_HEADER, f"{c_order},{c},P-late-line,1,placed,{tonight},web,"])
    write_lines(landing / "calls" / "calls_9999-night.csv", [
        CALLS_HEADER, call_row("NIGHTCALL", started=tonight, customer_id=b, order_id=d_order, caller_number="")])
    assert a_phone != b_phone and c_product
    landing_reports(db, landing, "night")
    journey_tables(db)
    assert build_mode(db) == "incremental"
    assert tables(db) == rebuilt_from_scratch(landing, tmp_path / "full.duckdb")
    with duckdb.connect(str(db), read_only=True) as con:  # the cases did change journeys
        assert con.execute("SELECT count(*) FROM journey_changes").fetchone()[0] > 0
        moved = con.execute("SELECT count(*) FROM stitched_events WHERE session_id = $s AND stitched_customer_id = $c",
                            {"s": session, "c": c}).fetchone()[0]
        assert moved > 0  # the earlier anonymous session was attributed back to the customer who logged in



def test_a_night_without_customer_rows_keeps_the_phone_keys_and_the_next_one_computes_them(small_sample: Path,
                                                                                           tmp_path: Path) -> None:
    landing, db = _first_night(small_sample, tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        (a, a_phone), (b, b_phone) = _phone_stitched_customers(con)
        tonight = _one(con, "SELECT max(ts) FROM raw_web")[0].replace(microsecond=0).isoformat() + "Z"
    # night 1: calls from both numbers and no customer row: the last build's phone keys stand
    write_lines(landing / "calls" / "calls_9998-night.csv", [
        CALLS_HEADER, call_row("KEPT1", started=tonight, ended_at=tonight, caller_number=a_phone, order_id=""),
        call_row("KEPT2", started=tonight, ended_at=tonight, caller_number=b_phone, order_id="")])
    landing_reports(db, landing, "night1")
    with connect(db) as con:
        assert build_plan(con, JourneyRules(), full=False).phone_keys_kept
    journey_tables(db)
    assert build_mode(db) == "incremental"
    assert tables(db) == rebuilt_from_scratch(landing, tmp_path / "full1.duckdb")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT stitched_customer_id FROM stitched_events WHERE call_id = 'KEPT2'").fetchall() == [(b,)]
    # night 2: a customer row gives the first customer the second's number, which then identifies nobody
    write_lines(landing / "customers" / "customers_9999-night.csv",
                ["customer_id,phone,email,created_at", f"{a},{b_phone},a@example.org,2025-01-01T00:00:00Z"])
    landing_reports(db, landing, "night2")
    with connect(db) as con:
        assert not build_plan(con, JourneyRules(), full=False).phone_keys_kept
    journey_tables(db)
    assert build_mode(db) == "incremental"
    assert tables(db) == rebuilt_from_scratch(landing, tmp_path / "full2.duckdb")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT stitched_customer_id FROM stitched_events WHERE call_id = 'KEPT2'").fetchall() == [(None,)]

def test_other_rules_or_a_store_without_a_build_rebuild_everything(small_sample: Path, tmp_path: Path) -> None:
    landing, db = tmp_path / "landing", tmp_path / "store.duckdb"
    shutil.copytree(small_sample, landing)
    landing_reports(db, landing, "first")
    journey_tables(db)
    assert build_mode(db) == "full"
    assert journey_tables(db)["changed_journeys"] == 0 and build_mode(db) == "full"  # nothing new: no build at all
    journey_tables(db, JourneyRules(lookback_days=3))
    assert build_mode(db) == "full"
    assert tables(db) == rebuilt_from_scratch(landing, tmp_path / "full.duckdb", JourneyRules(lookback_days=3))



def _checked_against_the_design(db: Path) -> None:
    """The order journeys checked against the sample's designed order model: conformance_journeys and model_diff."""
    model = designed_models(ROOT / "data" / "sample" / "models" / "models.yaml")["order"]
    conformance_tables(db, model.net, model.initial_marking, model.final_marking, "order", journey_type="order",
                       with_precision=False)
    model_diff(db, model, "order")


def test_contacts_whose_unexpected_step_moved_are_classified_again(sample_store, tmp_path: Path) -> None:
    """A night that changes no journey but checks them against a design classifies again the contacts whose step the
    design lacks (the evidence comes from the conformance tables, not from their journeys), and keeps the other rows:
    the tables equal those of a store that classified every contact after the check."""
    for name in ("kept", "full"):
        (tmp_path / name).mkdir()
    kept, full = sample_store(*SMALL_SAMPLE, tmp_path / "kept"), sample_store(*SMALL_SAMPLE, tmp_path / "full")
    demand_tables(kept)  # no conformance tables yet: no contact has an unexpected step
    with duckdb.connect(str(kept), read_only=True) as con:
        assert con.execute("SELECT count(*) FILTER (WHERE unexpected_step) FROM contact_demand").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM contact_demand_build").fetchone()[0] == 1
    for db in (kept, full):
        _checked_against_the_design(db)
    demand_tables(kept)
    demand_tables(full)
    assert demand(kept) == demand(full)
    with duckdb.connect(str(kept), read_only=True) as con:  # the check did move some contacts' evidence
        assert con.execute("SELECT count(*) FILTER (WHERE unexpected_step) FROM contact_demand").fetchone()[0] > 0


PUBLISHED = {  # the nightly flow's tables an analyst reads, without the columns that say when or how fast
    "journeys": "SELECT * FROM journeys",
    "variants": "SELECT * FROM variants",
    "case_variants": "SELECT * FROM case_variants",
    "dfg": "SELECT * FROM dfg",
    "activity_stats": "SELECT * FROM activity_stats",
    "variant_conformance": "SELECT * FROM variant_conformance",
    "conformance_journeys": "SELECT * FROM conformance_journeys",
    "deviations": "SELECT * FROM deviations",
    "conformance_summary": "SELECT journey_type, method, journeys, variants, fitness, log_fitness, fitting_share, "
                           "precision FROM conformance_summary",
    "model_diff": "SELECT * FROM model_diff",
    "contact_demand": "SELECT * FROM contact_demand",
    "failure_demand_products": "SELECT * FROM failure_demand_products",
    "failure_demand_causes": "SELECT * FROM failure_demand_causes",
    "avoidable_calls": "SELECT * FROM avoidable_calls",
    "website_failure_contacts": "SELECT * FROM website_failure_contacts",
    "whatif_results": "SELECT * EXCLUDE (simulated_at, scenario_file) FROM whatif_results",
}


def published(db: Path) -> dict[str, list[tuple]]:
    def rounded(row: tuple) -> tuple:
        return tuple(round(v, 6) if isinstance(v, float) else v for v in row)

    with duckdb.connect(str(db), read_only=True) as con:
        return {name: sorted((rounded(r) for r in con.execute(sql).fetchall()), key=repr)
                for name, sql in PUBLISHED.items()}


def test_the_nightly_flow_with_a_day_added_equals_a_rebuild_table_for_table(harness, tmp_path: Path) -> None:
    """Two nights (every day but the last, then the last) against one run over every day rebuilt from scratch: the
    journeys, statistics, conformance (pm4py's aligner: the same choice among equally good alignments), failure
    demand and what-if (simulated every run) are the same, row for row."""
    from helpers import ROOT

    from pipelines.nightly import nightly

    source = tmp_path / "all"
    write_sample(source, customers=300, seed=31, days=15, history_days=5)
    for side in ("models", "scenarios"):
        shutil.copytree(ROOT / "data" / "sample" / side, source / side)
    landing = tmp_path / "landing"
    [day] = split_landing(source, landing, 1)
    settings = {"conformance_aligner": "pm4py", "resimulate_drift": 0.0, "rediscover_drift": 0.0}
    db = tmp_path / "nights.duckdb"
    nightly(landing=landing, db=db, out=tmp_path / "out", **settings)
    for path in source.glob(f"*/*_{day}.*"):
        shutil.copy(path, landing / path.parent.name / path.name)
    nightly(landing=landing, db=db, out=tmp_path / "out", **settings)
    assert build_mode(db) == "incremental"
    full = tmp_path / "rebuilt.duckdb"
    nightly(landing=landing, db=full, out=tmp_path / "out-rebuilt", rebuild=True, **settings)
    ours, rebuilt = published(db), published(full)
    assert all(rebuilt.values())  # every table has rows: the comparison compares something
    assert {k: v for k, v in ours.items() if v != rebuilt[k]} == {}
