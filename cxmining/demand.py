"""Failure demand: every contact classified as failure or value demand, and the causes, products and calls to fix first.

Counting happens in DuckDB (sql/demand/); the tests behind the `flagged` columns run vectorised on the few hundred
rows those queries return (one per product, order day, IVR path or website trigger), see docs/demand.md.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
from scipy import stats

from cxmining.demand_rules import DemandRules, demand_rules, rule_rows
from cxmining.store import opened, relations, sql_text, transaction

TESTED = (  # working SQL, working table, result SQL; each working table has key, observed and expected
    ("demand/product_demand.sql", "product_demand", "demand/failure_demand_products.sql"),
    ("demand/order_status_days.sql", "order_status_days", "demand/order_status_calls_by_day.sql"),
    ("demand/routing_paths.sql", "routing_paths", "demand/routing_failure.sql"),
    ("demand/website_triggers.sql", "website_triggers", "demand/website_failure_contacts.sql"),
)
FLAG = "q_value <= $alpha AND observed - expected >= $min_excess AND observed >= $min_ratio * expected"  # as in the result SQL
MAX_PASSES = 5
SUMMARIES = ("demand/avoidable_calls.sql", "demand/failure_demand_causes.sql")
TABLES = (
    "contact_demand", "failure_demand_products", "order_status_calls_by_day", "routing_failure",
    "website_failure_contacts", "avoidable_calls", "failure_demand_causes",
)


def dispersion(observed: np.ndarray, expected: np.ndarray, reference: np.ndarray) -> float:
    """How much more the reference rows' counts vary than Poisson: Pearson chi-square / df, at least 1.

    The rows flagged in the previous pass are not in the reference, so a real excess does not inflate the
    estimate that decides whether it stands out.
    """
    use = reference & (expected > 0) & ~np.isnan(expected)
    if use.sum() < 5:
        return 1.0
    residuals = (observed[use] - expected[use]) ** 2 / expected[use]
    return max(1.0, float(residuals.sum()) / (int(use.sum()) - 1))


def excess_p_values(observed: np.ndarray, expected: np.ndarray, phi: float = 1.0) -> np.ndarray:
    """One-sided p-values of seeing at least `observed` when `expected` is the mean and the variance is phi * mean.

    Poisson for phi = 1, else the negative binomial with that mean and variance (quasi-Poisson). A row without an
    expectation (NaN: nothing to compare with) gets p = 1.
    """
    untestable = np.isnan(expected)
    observed = np.nan_to_num(observed.astype(float))
    mean = np.nan_to_num(expected.astype(float))
    if phi <= 1.0:
        p = stats.poisson.sf(observed - 1, mean)
    else:
        p = stats.nbinom.sf(observed - 1, np.maximum(mean, 1e-12) / (phi - 1.0), 1.0 / phi)
    return np.where((observed <= 0) | untestable, 1.0, np.where(mean <= 0, 0.0, p))


def conditional_p_values(observed: np.ndarray, reference: np.ndarray, share: np.ndarray) -> np.ndarray:
    """One-sided p-values that a row has a higher rate than its reference, both counts being Poisson.

    Given the total of both counts, the row's count is binomial with the row's share of the exposure; this
    accounts for the uncertainty of a small reference. NaN shares (no reference) get p = 1.
    """
    untestable = np.isnan(share) | np.isnan(reference)
    observed, reference = np.nan_to_num(observed), np.nan_to_num(reference)
    p = stats.binom.sf(observed - 1, (observed + reference).astype(np.int64), np.nan_to_num(share))
    return np.where((observed <= 0) | untestable, 1.0, p)


def false_discovery_q_values(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values)."""
    return stats.false_discovery_control(p, method="bh") if len(p) else p


def _add_tests(con: duckdb.DuckDBPyConnection, table: str, excluded: list[str] | None) -> float:
    """Add p_value, q_value and dispersion columns to a working table from its observed and expected columns.

    The dispersion is estimated on the rows not in `excluded` (the reference), or taken as 1 (Poisson) when
    `excluded` is None; returns it.
    """
    columns = {name for (name,) in con.execute(f"SELECT column_name FROM (DESCRIBE {table})").fetchall()}
    conditional = "exposure_share" in columns  # a small reference: compare with it, not with a fixed expectation
    extra = ", reference_observed, exposure_share" if conditional else ""
    rows = con.execute(f"SELECT rowid, key, observed, expected{extra} FROM {table}").fetchnumpy()  # table: TESTED allow-list
    column = lambda c: np.ma.filled(np.ma.asarray(rows[c], dtype=float), np.nan)
    observed, expected = column("observed"), column("expected")
    if excluded is None:
        phi = 1.0
    else:
        phi = dispersion(observed, expected, ~np.isin(np.asarray(rows["key"], dtype=object), np.asarray(excluded, dtype=object)))
    if conditional:
        p = conditional_p_values(observed, column("reference_observed"), column("exposure_share"))
    else:
        p = excess_p_values(observed, expected, phi)
    tests = {"row": np.asarray(rows["rowid"]), "p_value": p, "q_value": false_discovery_q_values(p),
             "dispersion": np.full(len(p), phi)}
    con.register("_tests", {k: np.asarray(v) for k, v in tests.items()})
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS "
            f"SELECT w.*, t.p_value, t.q_value, t.dispersion FROM (SELECT rowid AS _row, * FROM {table}) AS w "
            f"LEFT JOIN _tests AS t ON t.row = w._row"
        )
    finally:
        con.unregister("_tests")
    return phi


def _tested(con: duckdb.DuckDBPyConnection, working: str, table: str, params: dict[str, object]) -> None:
    """Build a working table and test it; rebuild with the flagged rows left out of the reference until the flags settle.

    A flagged product (or day, or path) would otherwise raise the expectation it is tested against,
    and hide its neighbours: two thin descriptions in one category mask each other.
    """
    excluded: list[str] | None = None  # first pass: nothing left out, Poisson (the reference may still hold outliers)
    for _ in range(MAX_PASSES):
        _run(con, working, params | {"excluded": excluded or []})
        _add_tests(con, table, excluded)
        flagged = [k for (k,) in con.execute(
            f"SELECT key FROM {table} WHERE {FLAG} ORDER BY key",  # table: TESTED allow-list
            {k: params[k] for k in ("alpha", "min_excess", "min_ratio")},
        ).fetchall()]
        if flagged == excluded:
            return
        excluded = flagged


def _rule_parameters(rules: DemandRules) -> dict[str, object]:
    w, t = rules.windows, rules.tests
    return {
        "web_contacts": rules.web_contacts,
        "repeat_days": w.repeat_days,
        "checkout_error_hours": w.checkout_error_hours,
        "help_page_hours": w.help_page_hours,
        "product_view_days": w.product_view_days,
        "order_status_reasons": rules.order_status_reasons,
        "product_info_reasons": rules.product_info_reasons,
        "description_return_reasons": rules.description_return_reasons,
        "website_triggers": rules.website_triggers,
        "alpha": t.alpha,
        "min_excess": t.min_excess,
        "min_ratio": t.min_ratio,
        "min_reference": t.min_reference,
    }


def _run(con: duckdb.DuckDBPyConnection, relative: str, params: dict[str, object]) -> None:
    """Execute one SQL file with the parameters it uses (DuckDB refuses unused named parameters)."""
    text = sql_text(relative)
    con.execute(text, {k: v for k, v in params.items() if f"${k}" in text} or None)


def demand_tables(db: str | Path | duckdb.DuckDBPyConnection, rules: DemandRules | None = None) -> dict[str, int]:
    """(Re)build contact_demand and the failure-demand tables from the journeys; return their row counts.

    Needs `journeys` (journey_tables); uses the conformance tables when they exist, for the
    'a step the designed process does not have' evidence.
    """
    rules = rules or demand_rules()
    params = _rule_parameters(rules)
    with opened(db) as con:
        con.execute(sql_text("demand/demand_rules.sql"))
        con.executemany("INSERT INTO demand_rules VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rule_rows(rules))
        if {"conformance_journeys", "model_diff"} <= relations(con):
            _run(con, "demand/journey_unexpected_steps.sql", params)
        else:
            con.execute("CREATE OR REPLACE TEMP TABLE journey_unexpected_steps (journey_id VARCHAR, activity VARCHAR)")
        with transaction(con):  # readers see the old demand tables or the new ones, never a mix
            _run(con, "demand/journey_products.sql", params)
            _run(con, "demand/contact_features.sql", params)
            _run(con, "demand/contact_demand.sql", params)
            for working, table, result in TESTED:
                _tested(con, working, table, params)
                _run(con, result, params)
            for relative in SUMMARIES:
                _run(con, relative, params)
        return {name: con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0] for name in TABLES}


def failure_demand_headline(db: str | Path | duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Share of journeys with failure demand, failure-demand calls and avoidable calls per month."""
    with opened(db, read_only=isinstance(db, (str, Path))) as con:
        share, calls = con.execute(
            "SELECT count(DISTINCT journey_id) FILTER (WHERE demand = 'failure') / nullif((SELECT count(*) FROM journeys), 0),"
            " count(*) FILTER (WHERE demand = 'failure' AND channel = 'phone') FROM contact_demand"
        ).fetchall()[0]
        avoidable = con.execute("SELECT coalesce(sum(calls_per_month), 0) FROM avoidable_calls").fetchall()[0][0]
        return {
            "failure_demand_journey_share": float(share or 0.0),
            "failure_demand_calls": float(calls),
            "avoidable_calls_per_month": float(avoidable),
        }


def flagged_targets(db: str | Path | duckdb.DuckDBPyConnection) -> list[str]:
    """What the flagged causes point at (avoidable_calls.target), most avoidable calls first."""
    with opened(db, read_only=isinstance(db, (str, Path))) as con:
        return [f"{cause}: {target}" for cause, target in
                con.execute("SELECT cause, target FROM avoidable_calls ORDER BY calls_per_month DESC").fetchall()]
