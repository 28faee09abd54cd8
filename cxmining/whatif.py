"""What-if: scenarios simulated against today's regime, and the check that today's regime is reproduced (docs/whatif.md)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
from scipy import stats

from cxmining.simulation import (
    PRODUCT_CALLS,
    Calibration,
    calibrated_model,
    observed_figures,
    replicated_figures,
    rewritten_products,
)
from cxmining.store import opened, sql_text, transaction
from cxmining.whatif_scenario import BASELINE, Scenario

RELATIVE_TOLERANCE = 0.10
MEANS = {"mean handling seconds"}  # figures that are means, not counts: relative tolerance only


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t-interval of the mean."""
    mean = float(values.mean())
    if len(values) < 2:
        return mean, mean, mean
    half = float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values)))
    return mean, mean - half, mean + half


def about_products(figures: pl.DataFrame, products: frozenset[str]) -> pl.DataFrame:
    """The figures with the per-product information calls summed over `products` into one figure (none when empty)."""
    per_product = pl.col("figure").str.starts_with(PRODUCT_CALLS)
    rest = figures.filter(~per_product)
    if not products:
        return rest
    chosen = (figures.filter(per_product & pl.col("figure").str.strip_prefix(PRODUCT_CALLS).is_in(list(products)))
              .group_by("replication").agg(pl.col("value").sum()))
    about = (figures.select("replication").unique().join(chosen, on="replication", how="left").fill_null(0.0)
             .select("replication", pl.lit(f"{PRODUCT_CALLS}rewritten products").alias("figure"), "value"))
    return pl.concat([rest, about.cast(rest.schema)])


def scenario_comparison(today: pl.DataFrame, scenario: pl.DataFrame) -> pl.DataFrame:
    """Per figure: today's and the scenario's mean with 95% intervals, and the paired change with its interval."""
    wide = (today.rename({"value": "today"})
            .join(scenario.rename({"value": "scenario"}), on=["replication", "figure"], how="full", coalesce=True)
            .fill_null(0.0))
    rows = []
    for (figure,), group in wide.group_by("figure", maintain_order=True):
        a, b = group["today"].to_numpy(), group["scenario"].to_numpy()
        rows.append((figure, *_interval(a), *_interval(b), *_interval(b - a)))
    return pl.DataFrame(rows, orient="row", schema=[
        "figure", "today", "today_low", "today_high", "scenario_value", "scenario_low", "scenario_high",
        "change", "change_low", "change_high"]).sort("figure")


def validation(model: Calibration, today: pl.DataFrame) -> pl.DataFrame:
    """Observed figures against the simulation of today's regime, with the tolerance each must meet."""
    rows = []
    for figure, observed in model.observed.items():
        values = today.filter(pl.col("figure") == figure)["value"].to_numpy()
        values = np.pad(values, (0, today["replication"].n_unique() - len(values)))  # a figure never seen in a run is 0 there
        mean, low, high = _interval(values)
        tolerance = RELATIVE_TOLERANCE * observed if figure in MEANS else max(RELATIVE_TOLERANCE * observed, 2 * math.sqrt(observed))
        rows.append((figure, observed, mean, low, high, tolerance, abs(mean - observed) <= tolerance))
    return pl.DataFrame(rows, orient="row", schema=[
        "figure", "observed", "simulated", "simulated_low", "simulated_high", "tolerance", "within"])


def whatif_tables(db: str | Path | duckdb.DuckDBPyConnection, scenarios: list[tuple[Scenario, Path | None]],
                  replications: int | None = None, seed: int | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Simulate today's regime and each scenario with the same seeds; store and return (validation, results).

    `replications` and `seed` override the scenario files' (and the defaults' for the check of today alone).
    Re-running a scenario replaces its rows in `whatif_results`; `whatif_validation` holds the latest check.
    """
    with opened(db) as con:
        model = calibrated_model(con)
        runs = replications or max([s.replications for s, _ in scenarios], default=BASELINE.replications)
        base_seed = seed if seed is not None else (scenarios[0][0].seed if scenarios else BASELINE.seed)
        now = datetime.now(UTC).replace(tzinfo=None)
        today = replicated_figures(model, BASELINE, runs, base_seed)
        checked = validation(model, today).with_columns(
            replications=pl.lit(runs), seed=pl.lit(base_seed), simulated_at=pl.lit(now))
        results = []
        for regime, path in scenarios:
            rewritten = rewritten_products(model, regime)
            compared = scenario_comparison(about_products(today, rewritten),
                                           about_products(replicated_figures(model, regime, runs, base_seed), rewritten))
            results.append(compared.with_columns(
                scenario=pl.lit(regime.name), scenario_file=pl.lit(str(path) if path else None),
                replications=pl.lit(runs), seed=pl.lit(base_seed), days=pl.lit(model.days), simulated_at=pl.lit(now)))
        table = pl.concat(results) if results else pl.DataFrame()
        con.execute(sql_text("whatif/whatif_results.sql"))
        con.execute(sql_text("whatif/whatif_validation.sql"))
        with transaction(con):
            con.register("_validation", checked.to_arrow())
            con.execute("DELETE FROM whatif_validation")
            con.execute("INSERT INTO whatif_validation BY NAME SELECT * FROM _validation")
            con.unregister("_validation")
            if results:
                con.register("_results", table.to_arrow())
                con.execute("DELETE FROM whatif_results WHERE scenario IN (SELECT DISTINCT scenario FROM _results)")
                con.execute("INSERT INTO whatif_results BY NAME SELECT * FROM _results")
                con.unregister("_results")
        return checked, table


__all__ = ["observed_figures", "scenario_comparison", "validation", "whatif_tables"]
