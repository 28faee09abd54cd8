"""What-if: scenarios simulated against today's regime, and the check that today's regime is reproduced (docs/whatif.md)."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
from scipy import stats

from cxmining.store import opened, registered, relations, sql_text, transaction, utc_now
from cxmining.whatif.scenario import BASELINE, RESIMULATE_DRIFT, Scenario
from cxmining.whatif.simulation import (
    PRODUCT_CALLS,
    Calibration,
    Spread,
    calibrated_model,
    observed_figures,
    paired_replications,
    rewritten_products,
)

RELATIVE_TOLERANCE = 0.10
MEANS = {"mean handling seconds"}  # figures that are means, not counts: relative tolerance only
MIN_OBSERVATIONS = 30  # a change resting on fewer observed calls gets no interval, but a note
# `replications: auto`: at least AUTO_FIRST, then more until every headline figure's mean (today's, and each change's)
# is known to within PRECISION of itself, a change's at least to FLOOR of today's figure (95% confidence); AUTO_MOST at most
AUTO_FIRST, AUTO_MOST = 10, 40
PRECISION, FLOOR = 0.05, 0.01
HEADLINE = ("calls", "transfers", "agent hours", "cost")


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean of the replications and the 95% interval of one more: mean ± t × sd × sqrt(1 + 1/n).

    Each replication is a period simulated on a model recalibrated on a bootstrap resample of what was observed, so
    the interval is where a period like the observed one would land, not how precisely the mean is known (which
    more replications would shrink at will). NaN (unknown) in, NaN out.
    """
    mean = float(values.mean())
    if len(values) < 2 or math.isnan(mean):
        return mean, mean, mean
    half = float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) * math.sqrt(1 + 1 / len(values)))
    return mean, mean - half, mean + half


def precise_enough(simulated: pl.DataFrame) -> bool:
    """Whether the replications so far (paired_replications' rows; regime 0 is today) know each headline figure's
    mean change well enough: the 95% confidence half-width of the mean, t × sd / sqrt(n), at most PRECISION of the
    change itself or FLOOR of today's figure, whichever is larger; today's own figures to within PRECISION. A figure
    not known (NaN: no handling times) has nothing to be precise about."""
    wide = (simulated.filter(pl.col("figure").is_in(HEADLINE))
            .pivot(on="regime", index=["replication", "figure"], values="value").fill_null(0.0))
    regimes = [c for c in wide.columns if c not in ("replication", "figure")]
    for (figure,), group in wide.group_by("figure"):
        today = group["0"].to_numpy()
        if np.isnan(today).any() or len(today) < 2:
            continue
        level = abs(float(today.mean()))
        for regime in regimes:
            values = group[regime].to_numpy() - (today if regime != "0" else 0.0)
            half = float(stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values)))
            allowed = PRECISION * level if regime == "0" else max(PRECISION * abs(float(values.mean())), FLOOR * level)
            if half > allowed:
                return False
    return True


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
            .with_columns(pl.col("today", "scenario").fill_null(0.0))  # a figure never seen in a replication is 0 there
            .sort("figure", "replication"))  # a join's order varies from run to run, and with it a std's last digits
    rows = []
    for (figure,), group in wide.group_by("figure", maintain_order=True):
        a, b = group["today"].to_numpy(), group["scenario"].to_numpy()
        rows.append((figure, *_interval(a), *_interval(b), *_interval(b - a)))
    return pl.DataFrame(rows, orient="row", schema=[
        "figure", "today", "today_low", "today_high", "scenario_value", "scenario_low", "scenario_high",
        "change", "change_low", "change_high"]).sort("figure")


def validation(model: Calibration, today: pl.DataFrame) -> pl.DataFrame:
    """Observed figures against the simulation of today's regime, with the tolerance each must meet; a figure that was
    not observed (NaN) has nothing to check, and says so."""
    rows = []
    for figure, observed in model.observed.items():
        values = today.filter(pl.col("figure") == figure)["value"].to_numpy()
        values = np.pad(values, (0, today["replication"].n_unique() - len(values)))  # a figure never seen in a run is 0 there
        mean, low, high = _interval(values)
        if math.isnan(observed):
            rows.append((figure, None, None, None, None, None, None,
                         "nothing to check: no call in the store has an end time, so handling time is unknown"))
            continue
        tolerance = RELATIVE_TOLERANCE * observed if figure in MEANS else max(RELATIVE_TOLERANCE * observed, 2 * math.sqrt(observed))
        rows.append((figure, observed, mean, low, high, tolerance, abs(mean - observed) <= tolerance, None))
    return pl.DataFrame(rows, orient="row", schema={
        "figure": pl.String, "observed": pl.Float64, "simulated": pl.Float64, "simulated_low": pl.Float64,
        "simulated_high": pl.Float64, "tolerance": pl.Float64, "within": pl.Boolean, "note": pl.String})


def scenario_observations(model: Calibration, regime: Scenario) -> tuple[int | None, str | None]:
    """How many observed calls the scenario's change rests on (the smallest of its changes), and what they are.

    A rewrite rests on the rewritten products' information calls; an IVR change on the calls observed on the new
    path for that reason (their outcomes are what the scenario gives every call); account managers on the calls of
    the customers they would look after. None when the scenario changes nothing.
    """
    changes, found = regime.changes, []
    if changes.fix_descriptions:
        rewritten = list(rewritten_products(model, regime))
        n = model.first_contacts.filter((pl.col("cause") == "product information") & pl.col("product_id").is_in(rewritten)).height
        found.append((n, "information calls about the rewritten products"))
    for reason, path in changes.ivr.items():
        n = model.calls.filter((pl.col("reason_code") == reason) & (pl.col("ivr_path") == path)).height
        found.append((n, f"{reason} calls through {path}"))
    if changes.account_managers:
        known = model.managed_order[: math.ceil(changes.account_managers.customers * len(model.managed_order))]
        managed = model.journeys.with_row_index("journey").filter(pl.col("customer_id").is_in(list(known)))["journey"]
        n = model.calls.filter(pl.col("journey").is_in(managed.cast(pl.Int64).implode())).height
        found.append((n, "calls of the customers the managers would look after"))
    return min(found) if found else (None, None)


def scenarios_digest(scenarios: list[tuple[Scenario, Path | None]], replications: int | None = None,
                     seed: int | None = None) -> str:
    """A hash of the scenarios as they would be simulated (every setting, and the replications and seed given)."""
    asked = {"scenarios": [s.model_dump(mode="json") for s, _ in scenarios], "replications": replications, "seed": seed}
    return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()


def whatif_due(db: str | Path | duckdb.DuckDBPyConnection, scenarios: list[tuple[Scenario, Path | None]],
               resimulate_drift: float = RESIMULATE_DRIFT) -> str | None:
    """Why the scenarios must be simulated again, or None when the last run's results stand: the same scenarios, on
    calls that moved less than `resimulate_drift` since (in number, or in their mix by reason and outcome)."""
    with opened(db) as con:
        con.execute(sql_text("whatif/whatif_basis.sql"))
        if "whatif_results" not in relations(con) or resimulate_drift <= 0:
            return "every run simulates" if resimulate_drift <= 0 else "nothing simulated yet"
        drift, same = con.execute(sql_text("whatif/whatif_basis_drift.sql"),
                                  {"scenarios": scenarios_digest(scenarios)}).fetchone()
    if not same:
        return "the scenarios changed" if same is not None else "nothing simulated yet"
    if drift is None or drift >= resimulate_drift:
        return f"the observed calls moved {100 * (drift or 1):.1f}% since the last run"
    return None


def whatif_tables(db: str | Path | duckdb.DuckDBPyConnection, scenarios: list[tuple[Scenario, Path | None]],
                  replications: int | None = None, seed: int | None = None,
                  spread: Spread | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Simulate today's regime and each scenario with the same seeds; store and return (validation, results).

    Every replication recalibrates the model on a bootstrap resample of the observed journeys and runs every regime on
    it with the same random numbers. `replications` and `seed` override the scenario files' (and the defaults' for the
    check of today alone). Re-running a scenario replaces its rows in `whatif_results`; `whatif_validation` holds the
    latest check. `spread` runs the replications elsewhere (a cluster's workers), with the same rows.
    """
    with opened(db) as con:
        model = calibrated_model(con)
        asked = [s.replications for s, _ in scenarios] or [BASELINE.replications]
        fixed = [n for n in asked if n != "auto"]
        auto = replications is None and "auto" in asked
        first = replications or max([*fixed, AUTO_FIRST] if auto else fixed)
        base_seed = seed if seed is not None else (scenarios[0][0].seed if scenarios else BASELINE.seed)
        now = utc_now()
        regimes = [BASELINE, *(regime for regime, _ in scenarios)]
        simulated = paired_replications(model, regimes, first, base_seed, enough=precise_enough if auto else None,
                                        most=max(first, AUTO_MOST) if auto else first, spread=spread)
        runs = simulated["replication"].n_unique()
        of = lambda r: simulated.filter(pl.col("regime") == r).drop("regime")  # noqa: E731 - a row filter
        today = of(0)
        checked = validation(model, today).with_columns(
            replications=pl.lit(runs), seed=pl.lit(base_seed), simulated_at=pl.lit(now), days=pl.lit(model.days))
        results = []
        for r, (regime, path) in enumerate(scenarios, start=1):
            rewritten = rewritten_products(model, regime)
            compared = scenario_comparison(about_products(today, rewritten), about_products(of(r), rewritten))
            observations, basis = scenario_observations(model, regime)
            thin = observations is not None and observations < MIN_OBSERVATIONS
            note = f"rests on {observations} observed {basis}: too few to tell, no interval" if thin else None
            if thin:
                compared = compared.with_columns(
                    pl.lit(None, pl.Float64).alias(c) for c in ("change_low", "change_high", "scenario_low", "scenario_high"))
            results.append(compared.with_columns(
                scenario=pl.lit(regime.name), scenario_file=pl.lit(str(path) if path else None),
                replications=pl.lit(runs), seed=pl.lit(base_seed), days=pl.lit(model.days), simulated_at=pl.lit(now),
                observations=pl.lit(observations, pl.Int64), note=pl.lit(note, pl.String),
                currency=pl.lit(regime.currency)))
        table = pl.concat(results).fill_nan(None) if results else pl.DataFrame()  # NaN, not known: NULL
        checked = checked.fill_nan(None)
        con.execute(sql_text("whatif/whatif_results.sql"))
        con.execute(sql_text("whatif/whatif_basis.sql"))
        with transaction(con):
            con.execute("DELETE FROM whatif_basis")
            con.execute("INSERT INTO whatif_basis SELECT $scenarios, reason_code, outcome, count(*) FROM contact_demand "
                        "WHERE channel = 'phone' GROUP BY ALL",
                        {"scenarios": scenarios_digest(scenarios, replications, seed)})
            con.execute(sql_text("whatif/whatif_validation.sql"))
            with registered(con, "_validation", checked.to_arrow()):
                con.execute("INSERT INTO whatif_validation BY NAME SELECT * FROM _validation")
            if results:
                with registered(con, "_results", table.to_arrow()):
                    con.execute("DELETE FROM whatif_results WHERE scenario IN (SELECT DISTINCT scenario FROM _results)")
                    con.execute("INSERT INTO whatif_results BY NAME SELECT * FROM _results")
        return checked, table


__all__ = ["observed_figures", "scenario_comparison", "scenario_observations", "validation", "whatif_tables"]


def change_line(row: dict) -> str:
    """One `whatif_results` row as a log line: today's and the scenario's means, the change and its 95% interval, or
    the note saying why it has none; a figure not known is "unknown", not 0."""
    def shown(value: float | None, spec: str = ".1f") -> str:
        return "unknown" if value is None else format(value, spec)

    known = row["change_low"] is not None and row["change_high"] is not None
    interval = (f"95% interval {shown(row['change_low'], '+,.1f')} to {shown(row['change_high'], '+,.1f')}" if known
                else row["note"] or "no interval")
    unit = f" ({row['currency']})" if row["figure"] == "cost" and row.get("currency") else ""
    period = f" over {row['days']} days" if row.get("days") else ""
    return (f"what-if {row['scenario']}: {row['figure']}{unit}{period} {shown(row['today'], ',.1f')} -> "
            f"{shown(row['scenario_value'], ',.1f')} ({shown(row['change'], '+,.1f')}, {interval})")
