"""What-if: the simulation reproduces today's regime, scenarios move what they should, files with errors are refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from helpers import built_sample_store, run_cli

from cxmining.demand.tables import demand_tables
from cxmining.whatif.results import change_line, whatif_tables
from cxmining.whatif.scenario import BASELINE, Scenario, ScenarioError, scenario
from cxmining.whatif.simulation import calibrated_model, replicated_figures

SCENARIOS = Path(__file__).resolve().parent.parent / "data" / "sample" / "scenarios"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh sample (not the committed one) with journeys and the failure-demand tables."""
    folder = tmp_path_factory.mktemp("whatif")
    db = built_sample_store(folder, customers=1500, seed=19, days=60)
    demand_tables(db)
    return db


def _figure(table: pl.DataFrame, figure: str) -> dict:
    return table.filter(pl.col("figure") == figure).row(0, named=True)


def test_today_is_reproduced_within_the_stated_tolerances(store: Path) -> None:
    checked, results = whatif_tables(store, [], replications=10, seed=3)
    assert results.is_empty()
    failed = checked.filter(~pl.col("within"))
    assert failed.is_empty(), failed
    figures = set(checked["figure"])
    assert {"calls", "transfers", "repeat calls", "orders", "mean handling seconds", "agent hours"} <= figures
    assert any(f.startswith("calls: ") for f in figures)  # calls by reason
    con = duckdb.connect(str(store), read_only=True)
    try:
        stored = con.execute("SELECT count(*), bool_and(within) FROM whatif_validation").fetchall()[0]
    finally:
        con.close()
    assert stored == (checked.height, True)


def test_the_check_has_teeth(store: Path) -> None:
    """A model that lost its repeat calls no longer reproduces today: the tolerance is not a formality."""
    model = calibrated_model(store)
    broken = type(model)(**{**model.__dict__, "repeat_chance": {k: 0.0 for k in model.repeat_chance}})
    figures = replicated_figures(broken, BASELINE, 5, 3).filter(pl.col("figure") == "repeat calls")["value"]
    assert figures.mean() < 0.2 * model.observed["repeat calls"]


def test_rewriting_descriptions_removes_about_the_configured_share(store: Path) -> None:
    share = 0.5
    rewrite = Scenario(name="rewrite", changes={"fix_descriptions": {"share": share, "products": {"worst": 5}}})
    _, results = whatif_tables(store, [(rewrite, None)], replications=10, seed=5)
    about = _figure(results, "product-information calls about rewritten products")
    assert about["today"] > 20
    assert abs(about["scenario_value"] / about["today"] - (1 - share)) < 0.1
    assert about["change_high"] < 0
    info = _figure(results, "calls: product_info")
    assert info["change"] < 0 and info["scenario_value"] > about["scenario_value"]  # other products keep their calls
    orders = _figure(results, "orders")
    assert orders["change"] == 0  # same journeys: common random numbers


def test_undoing_the_ivr_change_lowers_transfers(store: Path) -> None:
    _, results = whatif_tables(store, [(scenario(SCENARIOS / "undo_ivr_change.yaml"), None)], replications=10, seed=5)
    transfers = _figure(results, "transfers")
    assert transfers["change_high"] < 0 and transfers["change"] < -0.2 * transfers["today"]


def test_account_managers_take_transfers_away_at_a_cost(store: Path) -> None:
    managers = scenario(SCENARIOS / "account_managers.yaml")
    _, results = whatif_tables(store, [(managers, None)], replications=10, seed=5)
    assert _figure(results, "transfers")["change_high"] < 0
    assert _figure(results, "repeat calls")["change_high"] < 0
    am = managers.changes.account_managers
    cost = _figure(results, "cost")
    model = calibrated_model(store)
    paid = am.managers * am.hours_per_day * model.days * am.cost_per_hour
    assert cost["change"] == pytest.approx(paid - (_figure(results, "agent hours")["today"]
                                                   - _figure(results, "agent hours")["scenario_value"]) * managers.agent_cost_per_hour, rel=0.35)
    con = duckdb.connect(str(store), read_only=True)
    try:
        names = {n for (n,) in con.execute("SELECT DISTINCT scenario FROM whatif_results").fetchall()}
    finally:
        con.close()
    assert managers.name in names


def test_replications_are_reproducible_with_a_seed(store: Path) -> None:
    model = calibrated_model(store)
    first = replicated_figures(model, BASELINE, 3, 42)
    assert first.equals(replicated_figures(model, BASELINE, 3, 42))
    assert not first.equals(replicated_figures(model, BASELINE, 3, 43))


def test_rerunning_a_scenario_replaces_its_rows(store: Path) -> None:
    undo = scenario(SCENARIOS / "undo_ivr_change.yaml")
    whatif_tables(store, [(undo, None)], replications=3, seed=1)
    whatif_tables(store, [(undo, None)], replications=3, seed=1)
    con = duckdb.connect(str(store), read_only=True)
    try:
        rows = con.execute("SELECT count(*), count(DISTINCT figure) FROM whatif_results WHERE scenario = ?", [undo.name]).fetchall()[0]
    finally:
        con.close()
    assert rows[0] == rows[1] > 10


@pytest.mark.parametrize(("text", "problem"), [
    ("name: x\nchanges:\n  fix_descriptions: {share: 1.5}\n", "changes.fix_descriptions.share"),
    ("name: x\nchanges:\n  teleport: {}\n", "changes.teleport"),
    ("changes: {}\n", "name"),
    ("name: x\nchanges:\n  account_managers: {customers: 0.2, managers: 0, cost_per_hour: 50}\n", "changes.account_managers.managers"),
    ("name: x\nreplications: 1\n", "replications"),
    ("name: [unclosed\n", "not valid YAML"),
    ("name: x\ncurrency: euro\n", "currency"),
])
def test_scenario_files_with_errors_get_a_one_line_message(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        scenario(path)
    assert str(info.value).startswith(str(path)) and problem in str(info.value) and "\n" not in str(info.value)


def test_the_shipped_scenarios_are_valid() -> None:
    files = sorted(SCENARIOS.glob("*.yaml"))
    assert len(files) >= 3
    for path in files:
        assert scenario(path).name


def test_whatif_command(store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run_cli(["whatif", str(SCENARIOS / "undo_ivr_change.yaml"), "--db", str(store), "--replications", "3"],
                           monkeypatch)
    assert code == 0 and "within tolerance" in out and "undo the IVR change" in out and "transfers" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nchanges:\n  ivr: [order_status]\n")
    code, _, err = run_cli(["whatif", str(bad), "--db", str(store)], monkeypatch)
    assert code == 1 and str(bad) in err and len(err.strip().splitlines()) == 1


def test_the_report_shows_the_check_the_scenarios_and_the_competitors_escaped(store: Path, tmp_path: Path) -> None:
    from cxmining.compare.competitors import import_benchmark
    from cxmining.report.context import report_context
    from cxmining.report.html import report_html

    undo = scenario(SCENARIOS / "undo_ivr_change.yaml")
    whatif_tables(store, [(undo, None)], replications=3, seed=1)
    kpis = tmp_path / "kpis.csv"
    kpis.write_text("company,metric,value,n,source\n<script>alert(1)</script> Ltd,calls_per_order,0.3,1000,<b>annual report</b>\n")
    import_benchmark(kpis, store)
    context = report_context(store, tmp_path)
    html = report_html(context)
    assert 'id="whatif"' in html and undo.name in html and "within tolerance" in html
    # counts per month of the simulated period, as failure demand's; means as they are; the cost in its currency
    with duckdb.connect(str(store), read_only=True) as con:
        stored = {f: (t, d) for f, t, d in con.execute(
            "SELECT figure, today, days FROM whatif_results WHERE scenario = ?", [undo.name]).fetchall()}
    shown = {r["figure"]: r["today"] for sc in context["whatif"]["scenarios"] if sc["name"] == undo.name for r in sc["rows"]}
    for figure in ("calls", "transfers", "agent hours", "cost"):
        today, days = stored[figure]
        assert shown[figure] == pytest.approx(today * 30.4375 / days) and days > 31
    assert shown["mean waiting seconds"] == pytest.approx(stored["mean waiting seconds"][0])
    assert f"cost ({undo.currency})" in html and "Figure, per month" in html
    # a store simulated before the period and the currency were kept: figures over the period, said so
    older = tmp_path / "older.duckdb"
    shutil.copy(store, older)
    with duckdb.connect(str(older)) as con:
        con.execute("ALTER TABLE whatif_results DROP COLUMN currency")
        con.execute("ALTER TABLE whatif_validation DROP COLUMN days")
    html = report_html(report_context(older, tmp_path))
    assert "calls (whole period)" in html and "cost (" not in html
    assert 'id="benchmark"' in html and "&lt;script&gt;alert(1)&lt;/script&gt; Ltd" in html
    assert "<script>" not in html and "<b>annual report</b>" not in html


def test_a_change_resting_on_few_observed_calls_gets_a_note_not_a_tight_interval(store: Path) -> None:
    model = calibrated_model(store)
    rare = (model.calls.filter(pl.col("reason_code") == "order_status").group_by("ivr_path").len()
            .filter(pl.col("len") < 30).sort("len")["ivr_path"][0])  # a path few order-status calls took (a wrong turn)
    reroute = Scenario(name="reroute to a rare path", changes={"ivr": {"order_status": rare}})
    _, results = whatif_tables(store, [(reroute, None)], replications=4, seed=2)
    transfers = _figure(results, "transfers")
    assert transfers["observations"] < 30 and "too few to tell" in transfers["note"]
    assert transfers["change_low"] is None and transfers["change_high"] is None
    undo = scenario(SCENARIOS / "undo_ivr_change.yaml")
    _, results = whatif_tables(store, [(undo, None)], replications=4, seed=2)
    assert _figure(results, "transfers")["note"] is None and _figure(results, "transfers")["observations"] >= 30


def test_intervals_carry_the_uncertainty_of_what_was_observed(store: Path) -> None:
    """Each replication recalibrates on a bootstrap resample: the change varies more than the simulation alone makes it.

    Undoing the IVR change moves calls through the transfers and repeat calls it saves, whose chances rest on the
    few hundred calls observed: resampling them widens the change's spread by about 1.8 (24 replications, seeds 7
    and 9), where the simulation's own noise is common to both regimes."""
    from cxmining.whatif.simulation import paired_replications

    model = calibrated_model(store)
    undo = scenario(SCENARIOS / "undo_ivr_change.yaml")

    def spread(resample: bool) -> float:
        runs = paired_replications(model, [BASELINE, undo], 24, 7, resample=resample).filter(pl.col("figure") == "calls")
        wide = runs.pivot(on="regime", index="replication", values="value")
        return float((wide["1"] - wide["0"]).std())

    assert spread(True) > 1.3 * spread(False)


def test_replications_on_every_core_give_the_figures_of_one_process(store: Path, monkeypatch) -> None:
    from cxmining.whatif import simulation

    model = calibrated_model(store)
    regimes = [BASELINE, scenario(SCENARIOS / "undo_ivr_change.yaml")]
    alone = simulation.paired_replications(model, regimes, 4, 3)
    monkeypatch.setattr(simulation, "PARALLEL_FROM", 0)
    monkeypatch.setattr(simulation, "usable_cores", lambda: 2)
    assert simulation.paired_replications(model, regimes, 4, 3).equals(alone)


def test_rewriting_to_an_ordinary_description_removes_the_excess(store: Path) -> None:
    con = duckdb.connect(str(store), read_only=True)
    try:
        [(excess, calls)] = con.execute("SELECT sum(excess_calls), sum(info_calls) FROM failure_demand_products WHERE flagged").fetchall()
    finally:
        con.close()
    fix = Scenario(name="ordinary descriptions", changes={"fix_descriptions": {"share": "excess", "products": "flagged"}})
    _, results = whatif_tables(store, [(fix, None)], replications=6, seed=4)
    about = _figure(results, "product-information calls about rewritten products")
    assert excess > 10 and about["change_low"] < 0 < about["today"]
    # the first calls in excess go, and with them some of their repeats: about the excess, never all the calls
    assert 0.7 * excess < -about["change"] < min(1.4 * excess, about["today"])


def test_unknown_handling_times_stay_unknown_and_nothing_is_checked_on_nothing(store: Path, tmp_path: Path) -> None:
    """Calls without an end time have no handling time: not 0 seconds. Means leave them out and say how many; with
    none known, agent hours are unknown in every table and the check has nothing to check."""
    import shutil

    from cxmining.journeys import journey_tables

    def rebuilt(where: str) -> Path:
        copy = Path(shutil.copy(store, tmp_path / f"{len(where)}.duckdb"))
        con = duckdb.connect(str(copy))
        try:
            con.execute(f"UPDATE raw_calls SET ended_at = NULL WHERE {where}")
            journey_tables(con, full=True)  # raw rows edited in place: no new file tells the night
            demand_tables(con)
        finally:
            con.close()
        return copy

    some = rebuilt("hash(call_id) % 3 = 0")
    con = duckdb.connect(str(some), read_only=True)
    try:
        untimed, calls = con.execute("SELECT sum(calls_without_handling_time), sum(calls) FROM failure_demand_causes").fetchall()[0]
        means = con.execute("SELECT avg(duration_s), count(duration_s), count(*) FROM contact_demand WHERE channel = 'phone'").fetchall()[0]
    finally:
        con.close()
    assert 0.2 * calls < untimed < 0.45 * calls and means[1] + untimed == means[2]
    assert means[0] > 60  # the mean of the known ones, not dragged towards 0 by the unknown ones
    checked, _ = whatif_tables(some, [], replications=3, seed=1)
    assert checked.filter(pl.col("figure") == "agent hours")["within"].to_list() == [True]

    none = rebuilt("true")
    con = duckdb.connect(str(none), read_only=True)
    try:
        hours = con.execute("SELECT count(*), count(agent_hours_per_month) FROM failure_demand_causes WHERE calls > 0").fetchall()[0]
        avoidable = con.execute("SELECT count(*), count(agent_hours_per_month) FROM avoidable_calls").fetchall()[0]
    finally:
        con.close()
    assert hours[0] > 0 and hours[1] == 0 and avoidable[0] > 0 and avoidable[1] == 0
    checked, results = whatif_tables(none, [(scenario(SCENARIOS / "undo_ivr_change.yaml"), None)], replications=3, seed=1)
    timed = checked.filter(pl.col("figure").is_in(["agent hours", "mean handling seconds"]))
    assert timed["within"].to_list() == [None, None] and all("nothing to check" in n for n in timed["note"])
    assert checked.filter(pl.col("figure") == "calls")["within"].to_list() == [True]  # what is known is still checked
    assert _figure(results, "agent hours")["today"] is None and _figure(results, "transfers")["today"] > 0


def test_the_log_line_of_a_change_without_an_interval_gives_its_note_and_unknown_stays_unknown() -> None:
    row = {"scenario": "rewrite", "figure": "calls", "today": 233.75, "scenario_value": 220.1, "change": -13.65,
           "change_low": None, "change_high": None, "note": "rests on 12 observed calls: too few to tell, no interval"}
    assert change_line(row) == "what-if rewrite: calls 233.8 -> 220.1 (-13.7, rests on 12 observed calls: too few to tell, no interval)"
    assert change_line(row | {"change_low": -20.0, "change_high": -7.25, "note": None}).endswith("(-13.7, 95% interval -20.0 to -7.2)")
    assert "cost unknown -> unknown (unknown," in change_line(row | {"figure": "cost", "today": None, "scenario_value": None,
                                                                      "change": None})
    # the period and the currency are said, and thousands are separated
    assert change_line(row | {"figure": "cost", "today": 50129.46, "scenario_value": 83084.8, "change": 32955.34,
                              "days": 60, "currency": "EUR"}).startswith(
        "what-if rewrite: cost (EUR) over 60 days 50,129.5 -> 83,084.8 (+32,955.3, ")


class _Fates:
    """Fates given outright, for the queue alone: depth d of call k is `table[d][k]`."""

    queues = ["a", "b"]

    def __init__(self, table: list[list[tuple[int, bool, float, bool, float]]]) -> None:
        self.table = table

    def depth(self, d: int):
        import numpy as np

        from cxmining.whatif.calls import Depth

        rows = self.table[d] if d < len(self.table) else [(0, False, 0.0, False, 0.0)] * len(self.table[0])
        queue, abandoned, seconds, repeats, gap = (np.array(column) for column in zip(*rows, strict=True))
        return Depth(numbers=np.arange(len(rows)), queue=queue, abandoned=abandoned, transferred=abandoned & False,
                     seconds=seconds, repeats=repeats, gap=gap)


def _simpy_waits(at, table, agents, horizon) -> list[tuple[int, int, float]]:
    """The same calls through simpy Resources (the reference): (number, depth, wait) of every call that happened."""
    import simpy

    env = simpy.Environment()
    resources = [simpy.Resource(env, capacity=c) for c in agents]
    served = []

    def call(number: int, depth: int, arrival: float):
        yield env.timeout(arrival - env.now)
        queue, abandoned, seconds, repeats, gap = table[depth][number] if depth < len(table) else (0, False, 0.0, False, 0.0)
        wait = 0.0
        if not abandoned:
            with resources[queue].request() as turn:
                yield turn
                wait = env.now - arrival
                yield env.timeout(seconds)
        served.append((number, depth, wait))
        if repeats and env.now + gap < horizon:
            env.process(call(number, depth + 1, env.now + gap))

    for number, arrival in enumerate(at):
        env.process(call(number, 0, arrival))
    env.run()
    return sorted(served)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_queues_serve_calls_as_simpy_resources_do(seed: int) -> None:
    """First come, first served on c agents, with abandoned calls taking none and repeats joining when the call
    before them ends: the waits of every call equal simpy's, repeats cut at the horizon included."""
    import numpy as np

    from cxmining.whatif.calls import FirstCalls
    from cxmining.whatif.queues import served_calls

    rng = np.random.default_rng(seed)
    n, depths, horizon = 400, 4, 40_000.0
    at = np.sort(rng.uniform(0, 36_000, n)).round(0)  # whole seconds: ties in arrival times are served in call order
    table = [[(int(rng.integers(0, 2)), bool(rng.random() < 0.1), float(rng.exponential(300)),
               bool(rng.random() < 0.4), float(rng.exponential(2_000))) for _ in range(n)] for _ in range(depths)]
    first = FirstCalls(at=at, reason=pl.Series(["x"] * n), sim=np.arange(n), managed=np.zeros(n, bool),
                       product=pl.Series([None] * n, dtype=pl.String), kept=np.ones(n, bool))
    served = served_calls(first, _Fates(table), [3, 1], horizon)
    ours = sorted(zip(served.number.tolist(), served.depth.tolist(), served.wait.tolist(), strict=True))
    reference = _simpy_waits(at.tolist(), table, [3, 1], horizon)
    assert [(k, d) for k, d, _ in ours] == [(k, d) for k, d, _ in reference]
    assert np.allclose([w for *_, w in ours], [w for *_, w in reference])
    assert max(w for *_, w in ours) > 600 and max(d for _, d, _ in ours) >= 2  # the queue was busy, chains repeated


def test_automatic_replications_stop_when_the_changes_are_precise_and_go_on_when_not(store: Path, monkeypatch) -> None:
    from cxmining.whatif import results

    undo = scenario(SCENARIOS / "undo_ivr_change.yaml")
    assert undo.replications == "auto"
    monkeypatch.setattr(results, "AUTO_FIRST", 4)
    monkeypatch.setattr(results, "AUTO_MOST", 12)
    monkeypatch.setattr(results, "PRECISION", 10.0)  # anything is precise enough: the first round is all
    _, loose = whatif_tables(store, [(undo, None)], seed=3)
    assert set(loose["replications"]) == {4}
    monkeypatch.setattr(results, "PRECISION", 0.0)
    monkeypatch.setattr(results, "FLOOR", 0.0)  # nothing is: rounds of four up to the most
    _, strict = whatif_tables(store, [(undo, None)], seed=3)
    assert set(strict["replications"]) == {12}
    _, fixed = whatif_tables(store, [(undo, None)], replications=12, seed=3)
    assert strict.drop("simulated_at").equals(fixed.drop("simulated_at"))  # replication i is the same in any round


def test_a_night_simulates_again_only_when_the_scenarios_or_the_calls_moved(store: Path, tmp_path: Path) -> None:
    import shutil

    from cxmining.whatif.results import whatif_due

    db = Path(shutil.copy(store, tmp_path / "due.duckdb"))
    undo = [(scenario(SCENARIOS / "undo_ivr_change.yaml"), None)]
    with duckdb.connect(str(db)) as con:  # other tests of this module may have simulated on the shared store
        con.execute("DROP TABLE IF EXISTS whatif_results")
        con.execute("DROP TABLE IF EXISTS whatif_basis")
    assert whatif_due(db, undo) == "nothing simulated yet"
    whatif_tables(db, undo)
    assert whatif_due(db, undo) is None  # the same scenarios on the same calls: the results stand
    assert whatif_due(db, undo, resimulate_drift=0.0) == "every run simulates"
    other = [(scenario(SCENARIOS / "undo_ivr_change.yaml").model_copy(update={"seed": 2}), None)]
    assert whatif_due(db, other) == "the scenarios changed"
    with duckdb.connect(str(db)) as con:  # a tenth of the calls gone: the mix barely moves, their number does
        con.execute("DELETE FROM contact_demand WHERE channel = 'phone' AND hash(contact_id) % 10 = 0")
    assert whatif_due(db, undo).startswith("the observed calls moved ")
    assert whatif_due(db, undo, resimulate_drift=0.2) is None
