"""Before/after comparison: the planted IVR change is found unprompted, a quiet stretch shows no transfer change,
and the counts, segments, follow-up rule and corrections are what they claim to be."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest
from helpers import built_sample_store, run_cli
from scipy import stats

from cxmining.compare.periods import (
    ALL,
    ComparisonError,
    Period,
    change_periods,
    parsed_period,
    period_comparison,
    proportion_p_value,
    with_q_values,
)
from cxmining.conformance.checking import model_conformance
from cxmining.conformance.designed import designed_models

MODELS = Path(__file__).resolve().parent.parent / "data" / "sample" / "models"
ORDER_STATUS_TRANSFERS = "transfer rate of order_status calls"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A fresh sample large enough for the planted effects to show (its store and its truth.json)."""
    folder = tmp_path_factory.mktemp("compare")
    db = built_sample_store(folder, customers=1500, seed=11, days=30)
    return db, json.loads((folder / "landing" / "truth.json").read_text(encoding="utf-8"))


def days_of(truth: dict) -> tuple[date, date, date]:
    """First day of the sample, the IVR change, first day after the sample."""
    start = date.fromisoformat(truth["parameters"]["start"])
    return start, date.fromisoformat(truth["planted"]["ivr_change"]["date"]), date.fromisoformat(truth["parameters"]["end"])


def measure(comparison, name: str, segment: str = ALL) -> dict:
    rows = comparison.measures.filter((comparison.measures["measure"] == name) & (comparison.measures["segment"] == segment))
    assert rows.height == 1, f"{name!r} / {segment!r} not compared"
    return rows.to_dicts()[0]


def test_the_ivr_change_is_among_the_top_significant_findings(sample) -> None:
    db, truth = sample
    _, change, _ = days_of(truth)
    comparison = period_comparison(db, *change_periods(change), follow_up_days=7)
    top = [(f["measure"], f["segment"]) for f in comparison.findings[:5]]
    assert (ORDER_STATUS_TRANSFERS, ALL) in top
    assert ("share of order_status calls via main>general", ALL) in top
    transfers = measure(comparison, ORDER_STATUS_TRANSFERS)
    effects = truth["effects"]
    assert transfers["significant"] and transfers["q_value"] < 1e-6
    assert abs(transfers["before"] - effects["transfer_share"]) < 0.05
    assert abs(transfers["after"] - effects["transfer_share_after_ivr"]) < 0.15
    assert all(f["significant"] and f["q_value"] < comparison.alpha for f in comparison.findings)
    effects_found = [abs(f["effect"]) for f in comparison.findings]
    assert effects_found == sorted(effects_found, reverse=True)


def test_a_stretch_without_the_change_shows_no_transfer_change(sample) -> None:
    db, truth = sample
    start, change, _ = days_of(truth)
    middle = start + (change - start) / 2
    for segment in (None, "category"):
        quiet = period_comparison(db, Period(start, middle), Period(middle, change), segment=segment, follow_up_days=7)
        assert not [f for f in quiet.findings if "transfer" in f["measure"]], quiet.findings
        assert measure(quiet, ORDER_STATUS_TRANSFERS)["p_value"] is not None  # tested, not skipped


def test_counts_equal_the_store_read_directly(sample) -> None:
    db, truth = sample
    start, change, _ = days_of(truth)
    before, after = Period(start, change), Period(change, change + timedelta(days=7))
    comparison = period_comparison(db, before, after, follow_up_days=7)
    with duckdb.connect(str(db), read_only=True) as con:
        calls = con.execute("""
            SELECT "time:timestamp", outcome = 'transferred' FROM journey_events
            WHERE source = 'calls' AND reason_code = 'order_status'""").fetchall()
        journeys = [row[0] for row in con.execute("SELECT start_ts FROM journeys").fetchall()]
    for name, period in (("before", before), ("after", after)):
        lo, hi = datetime.combine(period.start, datetime.min.time()), datetime.combine(period.end, datetime.min.time())
        made = [transferred for ts, transferred in calls if lo <= ts < hi]
        row = measure(comparison, ORDER_STATUS_TRANSFERS)
        assert (row[f"n_{name}"], row[f"hits_{name}"]) == (len(made), sum(made))
        volume = comparison.volumes.filter(comparison.volumes["period"] == name).to_dicts()[0]
        assert volume["journeys"] == sum(lo <= ts < hi for ts in journeys)


def test_only_journeys_complete_at_both_edges_of_the_data_are_measured(sample) -> None:
    db, truth = sample
    _, change, _ = days_of(truth)
    with duckdb.connect(str(db), read_only=True) as con:
        first, last = con.execute('SELECT min("time:timestamp"), max("time:timestamp") FROM journey_events').fetchall()[0]
        placed = {o for (o,) in con.execute("SELECT order_id FROM raw_orders WHERE status = 'placed'").fetchall()}
        journeys = con.execute("SELECT start_ts, order_id FROM journeys").fetchall()
    for days, lead_in in ((3, 14), (10, 14), (10, 0)):
        comparison = period_comparison(db, *change_periods(change), follow_up_days=days, lead_in_days=lead_in)
        for period, inside in (("before", lambda ts: ts < datetime.combine(change, datetime.min.time())),
                               ("after", lambda ts: ts >= datetime.combine(change, datetime.min.time()))):
            # followed up to the end, begun after the lead-in, and (an order journey) with its order placed in the store
            expected = sum(inside(ts) and ts + timedelta(days=days) <= last and (lead_in == 0 or (
                           ts >= first + timedelta(days=lead_in) and (order is None or order in placed)))
                           for ts, order in journeys)
            volume = comparison.volumes.filter(comparison.volumes["period"] == period).to_dicts()[0]
            assert volume["measured_journeys"] == expected <= volume["journeys"], (days, lead_in, period)
            assert expected < volume["journeys"] or (lead_in == 0 and period == "before")
            assert measure(comparison, "share of journeys with a call")[f"n_{period}"] == expected
        assert measure(comparison, "median journey duration")["after"] <= days * 86400


def test_segments_partition_the_whole(sample) -> None:
    db, truth = sample
    _, change, _ = days_of(truth)
    comparison = period_comparison(db, *change_periods(change), segment="journey_type", follow_up_days=7)
    measures = comparison.measures
    assert set(measures["segment"]) == {ALL, "order", "no order"}
    for name in ("share of journeys with a call", "transfer rate of calls", "calls per journey"):
        rows = measures.filter(measures["measure"] == name)
        whole = rows.filter(rows["segment"] == ALL).to_dicts()[0]
        parts = rows.filter(rows["segment"] != ALL)
        assert parts["n_before"].sum() == whole["n_before"] and parts["n_after"].sum() == whole["n_after"]
    by_category = period_comparison(db, *change_periods(change), segment="category", follow_up_days=7)
    assert len(set(by_category.measures["segment"])) > 3
    transfers = by_category.measures.filter(by_category.measures["measure"] == "transfer rate of calls")
    assert transfers.filter(transfers["segment"] != ALL)["n_before"].sum() == measure(by_category, "transfer rate of calls")["n_before"]


def test_the_deviation_rate_is_compared_when_the_store_holds_conformance(sample, tmp_path: Path) -> None:
    db, truth = sample
    _, change, _ = days_of(truth)
    copy = Path(shutil.copy(db, tmp_path / "store.duckdb"))
    without = period_comparison(copy, *change_periods(change), follow_up_days=7)
    assert not without.measures.filter(without.measures["measure"].str.starts_with("deviation rate")).height
    model_conformance(copy, designed_models(MODELS / "models.yaml")["order"], "order", "token_replay", 5.0, False)
    found = period_comparison(copy, *change_periods(change), segment="journey_type", follow_up_days=7)
    deviation = measure(found, "deviation rate (journeys off the designed model)", "order")
    with duckdb.connect(str(copy), read_only=True) as con:
        checked = con.execute("""
            SELECT count(*) FILTER (WHERE NOT c.is_fitting), count(*) FROM conformance_journeys AS c
            JOIN journeys AS j USING (journey_id)
            WHERE j.start_ts < $change AND c.is_fitting IS NOT NULL
              AND j.start_ts >= (SELECT min("time:timestamp") FROM journey_events) + INTERVAL 14 DAY
              AND j.order_id IN (SELECT order_id FROM raw_orders WHERE status = 'placed')""",
            {"change": change}).fetchall()[0]
    assert (deviation["hits_before"], deviation["n_before"]) == checked
    assert deviation["p_value"] is not None
    assert not found.measures.filter((found.measures["measure"] == deviation["measure"])
                                     & (found.measures["segment"] == "no order")).height


def test_benjamini_hochberg_rejects_exactly_the_step_up_set() -> None:
    rng = np.random.default_rng(3)
    p = np.concatenate([rng.uniform(0, 0.002, 8), rng.uniform(0, 1, 40)])
    measures = pl.DataFrame({"unit": "calls", "measure": [f"m{i:02d}" for i in range(len(p))], "segment": ALL,
                             "p_value": p})
    found = with_q_values(measures, alpha=0.05)
    ordered = np.sort(p)
    k = max((i for i in range(1, len(p) + 1) if ordered[i - 1] <= i / len(p) * 0.05), default=0)
    assert set(found.filter(pl.col("significant"))["p_value"]) == set(ordered[:k])
    assert (found["q_value"] >= found["p_value"]).all()


def test_proportion_tests_agree_with_scipy() -> None:
    test, p = proportion_p_value(40, 400, 70, 380)
    chi2 = stats.chi2_contingency([[40, 360], [70, 310]], correction=False).pvalue
    assert test == "z" and p == pytest.approx(chi2)
    test, p = proportion_p_value(1, 60, 6, 20)
    assert test == "fisher" and p == pytest.approx(stats.fisher_exact([[1, 59], [6, 14]]).pvalue)


def test_periods_are_parsed_and_checked(sample) -> None:
    db, _ = sample
    assert parsed_period("2026-09-01..2026-10-07") == Period(date(2026, 9, 1), date(2026, 10, 7))
    assert parsed_period("..2026-10-07") == Period(None, date(2026, 10, 7))
    assert change_periods(date(2026, 10, 7), 7) == (Period(date(2026, 9, 30), date(2026, 10, 7)),
                                                    Period(date(2026, 10, 7), date(2026, 10, 14)))
    with pytest.raises(ComparisonError, match="not START..END"):
        parsed_period("2026-09-01 to 2026-10-07")
    cases = [
        ((parsed_period("2026-10-10..2026-10-01", "before"), Period(date(2026, 10, 7))),
         r"^before period 2026-10-10..2026-10-01 is empty or reversed"),
        ((Period(None, date(2026, 10, 8)), Period(date(2026, 10, 7))), "overlap"),
        ((Period(date(2025, 1, 1), date(2025, 2, 1)), Period(date(2025, 2, 1), date(2025, 3, 1))),
         r"^before period 2025-01-01..2025-02-01 holds no journeys; the store's journeys start from"),
    ]
    for (before, after), message in cases:
        with pytest.raises(ComparisonError, match=message):
            period_comparison(db, before, after)
    with pytest.raises(ComparisonError, match="unknown segment 'channel'"):
        period_comparison(db, *change_periods(date(2026, 10, 7)), segment="channel")


def test_cli_prints_the_ranked_changes_and_writes_json_csv_markdown(sample, tmp_path: Path, monkeypatch) -> None:
    db, truth = sample
    start, change, _ = days_of(truth)
    code, out, err = run_cli(["compare", "--change-date", str(change), "--db", str(db), "--follow-up-days", "7",
                              "--out", str(tmp_path / "c.json")], monkeypatch)
    assert code == 0, err
    assert "Significant changes, largest effect first" in out and ORDER_STATUS_TRANSFERS in out
    document = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert any(f["measure"] == ORDER_STATUS_TRANSFERS and f["significant"] for f in document["findings"])
    assert {"measure", "segment", "before", "after", "change", "p_value", "q_value", "significant"} <= set(document["findings"][0])
    with duckdb.connect(str(db), read_only=True) as con:
        numbers = {row[0] for row in con.execute("SELECT caller_number FROM raw_calls WHERE caller_number IS NOT NULL").fetchall()}
    assert not any(number in (tmp_path / "c.json").read_text(encoding="utf-8") for number in numbers)

    code, _, err = run_cli(["compare", "--before", f"{start}..{change}", "--after", f"{change}..", "--db", str(db),
                            "--segment", "sales_channel", "--out", str(tmp_path / "c.csv")], monkeypatch)
    assert code == 0, err
    with (tmp_path / "c.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {"web", ALL} <= {row["segment"] for row in rows}
    code, _, err = run_cli(["compare", "--change-date", str(change), "--days", "7", "--db", str(db),
                            "--out", str(tmp_path / "c.md")], monkeypatch)
    assert code == 0, err
    assert "| measure" in (tmp_path / "c.md").read_text(encoding="utf-8")

    code, _, err = run_cli(["compare", "--before", "2026-10-10..2026-10-01", "--after", "2026-10-07..",
                            "--db", str(db)], monkeypatch)
    assert code == 1 and err.strip() == ("error: before period 2026-10-10..2026-10-01 is empty or reversed "
                                         "(the end is exclusive)")
    code, _, err = run_cli(["compare", "--change-date", str(change), "--db", str(db), "--segment", "x"], monkeypatch)
    assert code == 1 and err.startswith("error: unknown segment 'x'") and len(err.strip().splitlines()) == 1


def test_journeys_under_way_when_the_data_begins_do_not_make_a_change(tmp_path: Path) -> None:
    """An export that begins while orders are on their way (30 days simulated before it, nothing planted): its first
    weeks hold the returns and refunds of orders placed before it. Measured as journeys of their own, they make the
    first weeks look different from the next; left out (the lead-in), nothing changes."""
    from cxmining.ingest.folder import landing_reports
    from cxmining.journeys import journey_tables
    from cxmining.mining.statistics import mining_tables
    from cxmining.synthetic import Effects, write_sample

    truth = write_sample(tmp_path / "landing", customers=3000, seed=1, history_days=30,
                         effects=Effects(ivr_change=False, late_window_days=0))
    db = tmp_path / "store.duckdb"
    landing_reports(db, tmp_path / "landing", "run")
    journey_tables(db)
    mining_tables(db)
    start = date.fromisoformat(truth["parameters"]["start"])
    early = Period(start, start + timedelta(days=14)), Period(start + timedelta(days=14), start + timedelta(days=28))
    journey_findings = lambda c: c.measures.filter(pl.col("significant") & (pl.col("unit") == "journeys")).to_dicts()  # noqa: E731
    naive = journey_findings(period_comparison(db, *early, lead_in_days=0))
    assert [f for f in naive if f["measure"].startswith(("share of journeys with Re", "share of journeys with Refund"))]
    censored = period_comparison(db, *early)
    assert not journey_findings(censored)
    assert censored.volumes.filter(pl.col("period") == "before")["measured_journeys"][0] == 0
    later = Period(start + timedelta(days=14), start + timedelta(days=28)), Period(start + timedelta(days=28), start + timedelta(days=42))
    assert not period_comparison(db, *later).findings  # past the lead-in, nothing changed and nothing is found
