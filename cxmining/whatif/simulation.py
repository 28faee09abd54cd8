"""A discrete-event simulation of the customer process as the contact centre meets it, calibrated from the store.

Journeys are resampled from the observed ones (their variants, orders and first calls on each matter, at their time
of day), so the process's routing between activities is the observed one. Calls then go through the IVR to a queue
of agents, take a handling time and an outcome drawn from the observed ones for their IVR path and reason, and bring
repeat calls with the observed chance after the observed gaps. Every call's fate is drawn in bulk (polars joins on
numpy uniforms, `calls.py`); only the queues, which depend on the order calls arrive in, are served one call after
another (`queues.py`, a heap per queue, equal to simpy's resources: tested). docs/whatif.md has the details.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl

from cxmining.cores import Workers, usable_cores
from cxmining.errors import CxminingError
from cxmining.progress import tracked
from cxmining.store import opened, require, sql_text
from cxmining.whatif.calls import (
    MANAGERS,
    CallFates,
    Choice,
    FateTables,
    FirstCalls,
    fate_tables,
)
from cxmining.whatif.queues import served_calls
from cxmining.whatif.scenario import Scenario, Worst

DAY = 86_400.0
TARGET_OCCUPANCY = 0.85  # agents per queue, when not configured: the busiest hour's workload at this occupancy
PRODUCT_CALLS = "product-information calls about "  # + product id: a per-product figure
PARALLEL_FROM = 2_000_000  # observed calls x regimes x replications from which replications run on every core
ROUND = 4  # replications added at a time until the figures are precise enough
TIMED_FIGURES = ("mean handling seconds", "agent hours", "mean waiting seconds", "p90 waiting seconds", "cost")
# Where replications run: given the shared argument, a context whose `map(function, items)` is `Workers.map`
# (this machine's processes by default; `chunked.ChunkedWorkers` on a cluster's workers).
Spread = Callable[[Any], AbstractContextManager[Any]]


@dataclass(frozen=True, eq=False)
class Calibration:
    """Today's customer process, as the simulation needs it."""

    days: int
    journeys: pl.DataFrame  # journey_id, customer_id, day, second_of_day, has_order
    first_contacts: pl.DataFrame  # journey (row of `journeys`), offset_s, reason_code, product_id, cause, flagged_product
    paths: dict[str, Choice]  # reason -> IVR path
    queue_of_path: dict[str, str]
    outcomes: dict[tuple[str, str], Choice]  # (path, reason) -> outcome; (reason,) fallback under ("*", reason)
    handling: dict[tuple[str, str], np.ndarray]  # (reason, outcome) -> handling seconds; ("*", outcome) fallback
    repeat_chance: dict[tuple[str, str], float]  # (reason, outcome) -> chance another call on the matter follows
    repeat_gaps: dict[bool, np.ndarray]  # after an abandoned call? -> seconds from a call's end to the repeat
    agents: dict[str, int]  # queue -> agents sized from the busiest hour
    observed: dict[str, float]  # the figures the baseline must reproduce (NaN: not known, e.g. no handling times)
    calls: pl.DataFrame  # every observed call (sim_calls) with `journey`, the row of `journeys` it belongs to
    expected_rates: dict[str, float] = field(default_factory=dict)  # product -> comparable products' info calls per journey
    excess_share: dict[str, float] = field(default_factory=dict)  # product -> share of its information calls in excess
    flagged_products: frozenset[str] = field(default_factory=frozenset)
    worst_products: tuple[str, ...] = ()  # by excess information calls, most first
    managed_order: tuple[str, ...] = ()  # known customers, most orders first

    @cached_property
    def fate_tables(self) -> FateTables:
        """The distributions as tables to draw calls' fates from, built once and shared by every regime."""
        return fate_tables(self)


def calibrated_model(db: str | Path | duckdb.DuckDBPyConnection) -> Calibration:
    """Calibrate the simulation on the store's journeys, calls and failure-demand tables."""
    with opened(db, read_only=isinstance(db, (str, Path))) as con:
        require(con, ("journeys", "contact_demand", "failure_demand_products", "journey_products"))
        first_day = con.execute("SELECT CAST(min(start_ts) AS DATE) FROM journeys").fetchall()[0][0]
        if first_day is None:
            raise CxminingError("the store has no journeys to calibrate on")
        journeys = con.sql(sql_text("whatif/sim_journeys.sql"), params={"first_day": first_day}).pl()
        contacts = con.sql(sql_text("whatif/sim_first_contacts.sql")).pl()
        calls = con.sql(sql_text("whatif/sim_calls.sql")).pl()
        products = con.sql(sql_text("whatif/sim_products.sql")).pl()
        flagged = {p for (p,) in con.execute("SELECT product_id FROM failure_demand_products WHERE flagged").fetchall()}
    if calls.is_empty():
        raise CxminingError("the store has no calls in journeys to calibrate on")
    days = int(journeys["day"].max()) + 1
    index = journeys.with_row_index("journey").select("journey_id", pl.col("journey").cast(pl.Int64))
    contacts = contacts.join(index, on="journey_id", maintain_order="left").drop("journey_id").sort("journey", "offset_s", maintain_order=True)
    calls = calls.join(index, on="journey_id", how="inner", maintain_order="left").drop("journey_id")
    orders = (journeys.filter(pl.col("customer_id").is_not_null())
              .group_by("customer_id").agg(pl.col("has_order").sum().alias("orders"))
              .sort(["orders", "customer_id"], descending=[True, False]))
    rates = {p: r for p, r, _ in products.iter_rows() if r is not None}
    return _fitted(Calibration(
        days=days, journeys=journeys, first_contacts=contacts, paths={}, queue_of_path={}, outcomes={}, handling={},
        repeat_chance={}, repeat_gaps={}, agents=_agents(calls, days), observed=observed_figures(calls, journeys),
        calls=calls, expected_rates=rates, flagged_products=frozenset(flagged),
        worst_products=tuple(products["product_id"].to_list()), managed_order=tuple(orders["customer_id"].to_list()),
    ), structure=True)


def _fitted(model: Calibration, structure: bool = False) -> Calibration:
    """`model` with its routing, outcome, handling, repeat and excess-share parts estimated from its own calls and
    journeys; `structure` also takes the queue each path leads to from them (a resample keeps the whole store's)."""
    calls = model.calls
    fitted = {
        "paths": _choices(calls, ["reason_code"], "ivr_path"),
        "outcomes": _choices(calls, ["ivr_path", "reason_code"], "outcome")
        | {("*", r): c for r, c in _choices(calls, ["reason_code"], "outcome").items()},
        "handling": _samples(calls, ["reason_code", "outcome"]) | {("*", o[0]): v for o, v in _samples(calls, ["outcome"]).items()},
        "repeat_chance": {(r, o): float(share) for r, o, share in calls.group_by("reason_code", "outcome")
                          .agg(pl.col("followed_by_repeat").mean()).iter_rows()},
        "repeat_gaps": {
            after: calls.filter(pl.col("followed_by_repeat") & ((pl.col("outcome") == "abandoned") == after))["gap_s"]
            .drop_nulls().clip(lower_bound=0.0).to_numpy() for after in (True, False)
        },
        "excess_share": excess_shares(model.journeys, model.first_contacts, model.expected_rates),
    }
    if structure:
        fitted["queue_of_path"] = {p: q for p, q in calls.group_by("ivr_path").agg(pl.col("queue").mode().first()).iter_rows()}
    return replace(model, **fitted)


def excess_shares(journeys: pl.DataFrame, contacts: pl.DataFrame, expected_rates: dict[str, float]) -> dict[str, float]:
    """Per product, the share of its first product-information calls above what its journeys would bring at the rate
    of comparable products: the calls a rewrite to an ordinary description takes away (0 when none are in excess)."""
    if not expected_rates:
        return {}
    informing = (contacts.filter((pl.col("cause") == "product information") & pl.col("product_id").is_not_null())
                 .group_by("product_id").len("calls"))
    about = journeys.filter(pl.col("product_id").is_not_null()).group_by("product_id").len("journeys")
    rates = pl.DataFrame({"product_id": list(expected_rates), "rate": list(expected_rates.values())},
                         schema={"product_id": pl.String, "rate": pl.Float64})
    shares = (informing.join(about, on="product_id", how="left").join(rates, on="product_id", how="inner")
              .select("product_id", (1 - pl.col("journeys").fill_null(0) * pl.col("rate") / pl.col("calls"))
                      .clip(0.0, 1.0).alias("share")))
    return dict(shares.iter_rows())


def resampled_model(model: Calibration, seed: int) -> Calibration:
    """The model calibrated again on a bootstrap resample of the observed journeys, customer by customer (a customer's
    journeys go together; anonymous ones one by one): a replication's share of the uncertainty of what was observed."""
    rng = np.random.default_rng([seed, 4])
    cluster = model.journeys.select(pl.coalesce("customer_id", "journey_id").alias("cluster")).with_row_index("journey")
    clusters = cluster["cluster"].unique(maintain_order=True)
    drawn = pl.DataFrame({"cluster": clusters.gather(rng.integers(0, len(clusters), len(clusters)))})
    picked = (drawn.with_row_index("draw").join(cluster, on="cluster", how="inner")
              .sort("draw", "journey").select(pl.col("journey").cast(pl.Int64).alias("source")))
    renumber = picked.with_row_index("journey").with_columns(pl.col("journey").cast(pl.Int64))
    journeys = model.journeys[renumber["source"].to_numpy()]
    contacts = (renumber.join(model.first_contacts.rename({"journey": "source"}), on="source", how="inner")
                .drop("source").sort("journey", "offset_s", maintain_order=True))
    calls = renumber.join(model.calls.rename({"journey": "source"}), on="source", how="inner").drop("source")
    return _fitted(replace(model, journeys=journeys, first_contacts=contacts, calls=calls))


def _choices(calls: pl.DataFrame, by: list[str], of: str) -> dict:
    """The observed distribution of `of` for each value of `by` (a tuple key, or the value itself for one column)."""
    counts = calls.group_by([*by, of]).len().sort([*by, of])
    result = {}
    for key, group in counts.group_by(by, maintain_order=True):
        n = group["len"].to_numpy().astype(float)
        result[key if len(by) > 1 else key[0]] = Choice(tuple(group[of].to_list()), n / n.sum())
    return result


def _samples(calls: pl.DataFrame, by: list[str]) -> dict[tuple[str, ...], np.ndarray]:
    """The known handling times (a call without an end time has none: it is left out, not counted as 0)."""
    known = calls.filter(pl.col("duration_s").is_not_null())
    return {key: group["duration_s"].to_numpy() for key, group in known.group_by(by, maintain_order=True)}


def _agents(calls: pl.DataFrame, days: int) -> dict[str, int]:
    """Agents per queue: the busiest hour of the day's mean workload (Erlang) at TARGET_OCCUPANCY, at least 1.

    A call without an end time counts at the mean handling time of its queue's other calls (none known: no workload).
    """
    load = (calls.filter(pl.col("outcome") != "abandoned")
            .with_columns(pl.col("duration_s").fill_null(pl.col("duration_s").mean().over("queue")).fill_null(0.0))
            .group_by("queue", pl.col("ts").dt.hour().alias("hour")).agg(pl.col("duration_s").sum())
            .group_by("queue").agg((pl.col("duration_s").max() / 3600.0 / days).alias("erlang")))
    return {q: max(1, math.ceil(e / TARGET_OCCUPANCY)) for q, e in load.iter_rows()}


def observed_figures(calls: pl.DataFrame, journeys: pl.DataFrame) -> dict[str, float]:
    """The figures of the observed period that the simulation of today's regime must reproduce."""
    answered = calls.filter(pl.col("outcome") != "abandoned")
    figures = {
        "journeys": float(journeys.height),
        "orders": float(journeys["has_order"].sum()),
        "calls": float(calls.height),
        "transfers": float((calls["outcome"] == "transferred").sum()),
        "repeat calls": float(calls["is_repeat"].sum()),
        "abandoned calls": float((calls["outcome"] == "abandoned").sum()),
        # handling time is known only for calls with an end time: the mean over those, and agent hours at that mean
        # for every answered call; NaN (unknown, not zero) when no call has one
        "mean handling seconds": _mean_or_nan(answered["duration_s"]),
        "agent hours": _mean_or_nan(answered["duration_s"]) * answered.height / 3600.0,
    }
    for reason, n in calls.group_by("reason_code").len().sort("reason_code").iter_rows():  # the same order every run
        figures[f"calls: {reason}"] = float(n)
    return figures


def _mean_or_nan(values: pl.Series) -> float:
    mean = values.drop_nulls().mean()
    return float("nan") if mean is None else float(mean)


def rewritten_products(model: Calibration, regime: Scenario) -> frozenset[str]:
    """The products whose descriptions the regime rewrites (none when it does not)."""
    fix = regime.changes.fix_descriptions
    if fix is None:
        return frozenset()
    if fix.products == "flagged":
        return model.flagged_products
    if isinstance(fix.products, Worst):
        return frozenset(model.worst_products[: fix.products.worst])
    return frozenset(fix.products)


def simulated_figures(model: Calibration, regime: Scenario, seed: int) -> dict[str, float]:
    """One replication of `regime` over the observed period: the figures of observed_figures plus waiting and cost.

    Product-information calls are also counted per product, as `PRODUCT_CALLS + product_id`.
    """
    # common random numbers: every random choice comes from a stream of its own (journeys, preventions, and five
    # uniforms per call, by its number and its depth in its chain of repeats), so a scenario that changes one call's
    # fate does not shift the draws of any other
    rng = np.random.default_rng([seed, 0])
    changes = regime.changes
    per_day = model.journeys.height / model.days
    counts = rng.poisson(per_day, model.days)
    picked = rng.integers(0, model.journeys.height, int(counts.sum()))
    day = np.repeat(np.arange(model.days), counts)
    chosen = model.journeys[picked]
    start = day * DAY + chosen["second_of_day"].to_numpy()
    figures: dict[str, float] = {"journeys": float(len(picked)), "orders": float(chosen["has_order"].sum())}

    managed = np.zeros(len(picked), dtype=bool)
    if changes.account_managers:
        known = model.managed_order[: math.ceil(changes.account_managers.customers * len(model.managed_order))]
        managed = chosen["customer_id"].is_in(list(known)).fill_null(False).to_numpy()

    first = _first_calls(model, picked, start, managed, regime, seed)
    fates = CallFates(model, regime, first, seed)
    capacity = {q: regime.agents.get(q, n) for q, n in model.agents.items()}
    if changes.account_managers:
        capacity[MANAGERS] = changes.account_managers.managers
    served = served_calls(first, fates, [capacity.get(q, 1) for q in fates.queues], model.days * DAY)
    seconds = fates.gathered(served.number, served.depth, "seconds")  # NaN when no call has a handling time
    answered = ~fates.gathered(served.number, served.depth, "abandoned")
    transfers = fates.gathered(served.number, served.depth, "transferred")
    figures |= {"calls": float(len(served.number)), "repeat calls": float((served.depth > 0).sum()),
                "transfers": float(transfers.sum()), "abandoned calls": float((~answered).sum())}
    for values, prefix in ((first.reason, "calls: "), (first.product, PRODUCT_CALLS)):
        counted = values.gather(served.number).drop_nulls().value_counts(name="n").sort(values.name)
        figures |= {prefix + value: float(n) for value, n in counted.iter_rows()}
    handled_calls = int(answered.sum())
    handled = float(seconds[answered].sum())
    waits = served.wait[answered]
    figures["mean handling seconds"] = handled / handled_calls if handled_calls else 0.0
    figures["agent hours"] = handled / 3600.0
    figures["mean waiting seconds"] = float(waits.mean()) if len(waits) else 0.0
    figures["p90 waiting seconds"] = float(np.quantile(waits, 0.9)) if len(waits) else 0.0
    figures["journeys completed"] = figures["journeys"] - len(np.unique(first.sim[served.number[served.unresolved]]))
    cost = float(seconds[answered & ~first.managed[served.number]].sum()) / 3600.0 * regime.agent_cost_per_hour
    if changes.account_managers:
        am = changes.account_managers
        cost += am.managers * am.hours_per_day * model.days * am.cost_per_hour
    figures["cost"] = cost
    if not model.handling:  # no handling time is known: neither is anything measured in time (not zero)
        for timed in TIMED_FIGURES:
            figures[timed] = float("nan")
    return figures


def _first_calls(model: Calibration, picked: np.ndarray, start: np.ndarray, managed: np.ndarray,
                 regime: Scenario, seed: int) -> FirstCalls:
    """The first call on each matter of the resampled journeys, numbered in the same order whatever the scenario
    prevents (so each keeps its random stream), with whether the scenario's preventions keep it."""
    contacts = model.first_contacts
    position = np.arange(len(picked))
    frame = pl.DataFrame({"journey": picked, "sim": position}).join(contacts, on="journey", how="inner").sort("sim", "offset_s")
    keep = np.ones(frame.height, dtype=bool)
    fixed_draw = np.random.default_rng([seed, 1]).random(frame.height)
    prevented_draw = np.random.default_rng([seed, 2]).random(frame.height)
    changes = regime.changes
    informing = (frame["cause"] == "product information").fill_null(False).to_numpy()
    if changes.fix_descriptions and frame.height:
        rewritten = frame["product_id"].is_in(list(rewritten_products(model, regime))).fill_null(False).to_numpy()
        share = changes.fix_descriptions.share
        if share == "excess":  # each product loses its excess over comparable ones, estimated on this model's data
            shares = frame["product_id"].replace_strict(model.excess_share, default=0.0, return_dtype=pl.Float64)
            share = shares.fill_null(0.0).to_numpy()
        keep &= ~(informing & rewritten & (fixed_draw < share))
    sims = frame["sim"].to_numpy()
    is_managed = managed[sims] if frame.height else np.zeros(0, dtype=bool)
    if changes.account_managers and changes.account_managers.prevents and frame.height:
        share = frame["cause"].replace_strict(changes.account_managers.prevents, default=0.0, return_dtype=pl.Float64).to_numpy()
        keep &= ~(is_managed & (prevented_draw < share))
    # the period is treated as periodic: a call past its end comes back at its start, as journeys that began before it
    at = (start[sims] + frame["offset_s"].to_numpy()) % (model.days * DAY)
    product = pl.when(pl.Series(informing)).then(frame["product_id"]).otherwise(None)
    return FirstCalls(at=at.astype(float), reason=frame["reason_code"].cast(pl.String), sim=sims, managed=is_managed,
                      product=frame.select(product.alias("product"))["product"].cast(pl.String), kept=keep)


def paired_replications(model: Calibration, regimes: list[Scenario], replications: int, seed: int,
                        resample: bool = True, enough: Callable[[pl.DataFrame], bool] | None = None,
                        most: int | None = None, spread: Spread | None = None) -> pl.DataFrame:
    """`replications` runs of every regime, replication i with seed (seed, i) for all of them (common random numbers),
    each on the model recalibrated on a bootstrap resample of the observed journeys (`resampled_model`): the spread of
    the replications then carries the uncertainty of what was observed as well as the simulation's own. One row per
    regime (its index in `regimes`), replication and figure; `resample=False` keeps the model as calibrated.

    With `enough`, more replications follow in rounds of ROUND, up to `most`, until `enough` holds of the rows so far
    (results.precise_enough); replication i is the same whichever round it comes in.

    `spread` says where the replications run (a cluster's workers: `chunked.ChunkedWorkers`); by default in this
    process, or on every core when the work is large (PARALLEL_FROM). Replication i is the same wherever it runs.
    """
    most = max(most or replications, replications)
    if spread is None:
        many = len(model.calls) * len(regimes) * most >= PARALLEL_FROM
        spread = partial(Workers, workers=min(usable_cores(), most) if many else 1)
    rows: list[tuple[int, int, str, float]] = []
    with (tracked("what-if", None if enough else replications, f"replications of {len(regimes)} regimes") as progress,
          spread((model, regimes, seed, resample)) as workers):
        done, target = 0, replications
        while done < target:
            rows += [row for batch in workers.map(_replication, range(done, target)) for row in batch]
            progress.advance(target - done)
            done = target
            if enough is not None and done < most and not enough(_figures_frame(rows)):
                target = min(most, done + ROUND)
    return _figures_frame(rows)


def _figures_frame(rows: list[tuple[int, int, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"regime": pl.Int64, "replication": pl.Int64, "figure": pl.Utf8, "value": pl.Float64},
                        orient="row")


def _replication(shared: tuple[Calibration, list[Scenario], int, bool], i: int) -> list[tuple[int, int, str, float]]:
    """Replication i of `paired_replications`: every regime on the same resample, with the same seed."""
    model, regimes, seed, resample = shared
    child = int(np.random.SeedSequence([seed, i]).generate_state(1)[0])
    fitted = resampled_model(model, child) if resample else model
    return [(r, i, k, v) for r, regime in enumerate(regimes) for k, v in simulated_figures(fitted, regime, child).items()]


def replicated_figures(model: Calibration, regime: Scenario, replications: int, seed: int) -> pl.DataFrame:
    """`replications` runs of `regime`, replication i with seed (seed, i): one row per replication and figure.

    The same seeds for every regime give common random numbers, so differences between regimes are paired.
    """
    rows = []
    for i in range(replications):
        child = int(np.random.SeedSequence([seed, i]).generate_state(1)[0])
        rows += [(i, k, v) for k, v in simulated_figures(model, regime, child).items()]
    return pl.DataFrame(rows, schema={"replication": pl.Int64, "figure": pl.Utf8, "value": pl.Float64}, orient="row")
