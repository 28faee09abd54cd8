"""The fate of every call of one replication, drawn for all calls at once: its IVR path, queue, outcome, handling time,
and whether a repeat follows and after how long.

Only the queues are sequential (`cxmining.whatif.queues`); everything a call's own uniforms decide is drawn here with
polars and numpy, one depth of the chains of repeats at a time: depth 0 for every first call, depth d + 1 for the
calls of depth d that would bring a repeat. Call `number` at depth `d` takes row `number` of the uniforms of stream
(seed, 3, d), whatever the scenario, so common random numbers hold call by call.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from cxmining.errors import CxminingError

if TYPE_CHECKING:
    from cxmining.whatif.scenario import Scenario
    from cxmining.whatif.simulation import Calibration

MANAGERS = "account managers"
NO_QUEUE = "(none)"  # an IVR path no observed call of it reached a queue from
DEPTHS_AT_ONCE = 8  # depths of repeats drawn in one pass
UNIFORMS = ("u_path", "u_outcome", "u_handling", "u_repeat", "u_gap")


@dataclass(frozen=True)
class Choice:
    """A categorical distribution."""

    values: tuple[str, ...]
    weights: np.ndarray

    def lower_bounds(self) -> np.ndarray:
        """Where each value's share of [0, 1) begins: a uniform u draws the last value whose bound is <= u."""
        return np.concatenate([[0.0], np.cumsum(self.weights)[:-1]])


@dataclass(frozen=True)
class FirstCalls:
    """The first call on each matter of one replication's journeys, numbered; `kept`: not prevented by the scenario."""

    at: np.ndarray  # seconds from the period's start
    reason: pl.Series  # call reason
    sim: np.ndarray  # the simulated journey it belongs to
    managed: np.ndarray  # bool: the journey's customer has an account manager
    product: pl.Series  # the product of a product-information call, else null
    kept: np.ndarray  # bool


@dataclass(frozen=True)
class Depth:
    """The fates of the calls at one depth of their chains, as full-length arrays indexed by call number (only the
    numbers whose chain can reach this depth are filled in)."""

    numbers: np.ndarray  # the call numbers filled in
    queue: np.ndarray  # int: index into CallFates.queues
    abandoned: np.ndarray  # bool
    transferred: np.ndarray  # bool
    seconds: np.ndarray  # handling seconds; NaN when no call of the store has a handling time
    repeats: np.ndarray  # bool: another call on the matter follows, after `gap` seconds
    gap: np.ndarray


@dataclass(frozen=True, eq=False)
class FateTables:
    """One calibrated model's distributions as tables to draw from by joins: built once per model, shared by every
    regime simulated on it."""

    paths: pl.DataFrame  # reason, low, ivr_path (sorted by low)
    outcomes: pl.DataFrame  # key_path ("*": the reason's fallback), reason, low, outcome (sorted by low)
    outcome_keys: pl.DataFrame  # key_path, reason: the (path, reason) pairs with outcomes of their own
    handling: pl.DataFrame  # reason, outcome, offset, length into `durations` (fallbacks resolved)
    durations: np.ndarray
    repeat_chance: pl.DataFrame  # reason, outcome, chance
    gaps: dict[bool, np.ndarray]  # after an abandoned call? -> observed gaps
    queue_of_path: dict[str, str]


def fate_tables(model: Calibration) -> FateTables:
    """The model's routing, outcome, handling and repeat distributions as tables."""
    def bounds(choices: dict, key: list[str], value: str) -> pl.DataFrame:
        rows = [(*((k,) if isinstance(k, str) else k), float(low), v) for k, c in choices.items()
                for low, v in zip(c.lower_bounds(), c.values, strict=True)]
        schema = {**{name: pl.String for name in key}, "low": pl.Float64, value: pl.String}
        return pl.DataFrame(rows, schema=schema, orient="row").sort("low")

    outcomes = bounds(model.outcomes, ["key_path", "reason"], "outcome")
    reasons = sorted(set(model.paths) | {r for _, r in model.outcomes} | set(model.first_contacts["reason_code"].unique().drop_nulls()))
    outcome_values = sorted(set(outcomes["outcome"]) | {"resolved"})
    pooled = [v for k, v in model.handling.items() if k[0] == "*" and len(v)]
    anything = np.concatenate(pooled) if pooled else np.zeros(0)
    samples, rows, offset = [], [], 0
    for reason in reasons:
        for outcome in outcome_values:
            sample = next((s for s in (model.handling.get((reason, outcome)), model.handling.get(("*", outcome)), anything)
                           if s is not None and len(s)), np.zeros(0))
            rows.append((reason, outcome, offset, len(sample)))
            samples.append(sample)
            offset += len(sample)
    return FateTables(
        paths=bounds(model.paths, ["reason"], "ivr_path"),
        outcomes=outcomes,
        outcome_keys=outcomes.select("key_path", "reason").unique().with_columns(own=pl.lit(True)),
        handling=pl.DataFrame(rows, schema={"reason": pl.String, "outcome": pl.String, "offset": pl.Int64,
                                            "length": pl.Int64}, orient="row"),
        durations=np.concatenate(samples).astype(float) if samples else np.zeros(0),
        repeat_chance=pl.DataFrame([(r, o, c) for (r, o), c in model.repeat_chance.items()],
                                   schema={"reason": pl.String, "outcome": pl.String, "chance": pl.Float64}, orient="row"),
        gaps=model.repeat_gaps,
        queue_of_path=model.queue_of_path,
    )


class CallFates:
    """Every numbered first call's fate at each depth of its chain of repeats, drawn the first time a depth is asked
    for (`depth(d)`)."""

    def __init__(self, model: Calibration, regime: Scenario, first: FirstCalls, seed: int) -> None:
        self.tables, self.regime, self.first, self.seed = model.fate_tables, regime, first, seed
        self.queues = sorted({*model.agents, *self.tables.queue_of_path.values(), NO_QUEUE, MANAGERS})
        self._depths: list[Depth] = []

    def depth(self, d: int) -> Depth:
        """The fates at depth `d` (depth 0: the first calls the scenario keeps)."""
        while len(self._depths) <= d:
            if not self._depths:
                self._depths.append(self._drawn([0], np.flatnonzero(self.first.kept))[0])
                continue
            # the chains still going: their next DEPTHS_AT_ONCE depths in one pass (a repeat's fate does not depend
            # on the call before it, only on its own uniforms), then each depth keeps the chains that reach it
            below = self._depths[-1]
            going = below.numbers[below.repeats[below.numbers]]
            block = self._drawn(list(range(len(self._depths), len(self._depths) + DEPTHS_AT_ONCE)), going)
            for depth in block:
                self._depths.append(replace(depth, numbers=going))
                going = going[depth.repeats[going]]
        return self._depths[d]

    def gathered(self, numbers: np.ndarray, depths: np.ndarray, field: str) -> np.ndarray:
        """`field` of Depth for each (number, depth) pair."""
        out = np.empty(len(numbers), dtype=getattr(self.depth(0), field).dtype)
        for d in np.unique(depths):
            at = depths == d
            out[at] = getattr(self.depth(int(d)), field)[numbers[at]]
        return out

    def _drawn(self, depths: list[int], numbers: np.ndarray) -> list[Depth]:
        """The fates of calls `numbers` at each of `depths`."""
        first, tables, changes = self.first, self.tables, self.regime.changes
        n = len(first.at)
        u = np.concatenate([np.random.default_rng([self.seed, 3, d]).random((n, len(UNIFORMS)))[numbers] for d in depths])
        rows = np.tile(numbers, len(depths))
        calls = pl.DataFrame({"i": np.arange(len(rows)), "reason": first.reason.gather(rows),
                              "managed": first.managed[rows], **{name: u[:, k] for k, name in enumerate(UNIFORMS)}})
        ivr = pl.col("reason").replace_strict(changes.ivr, default=None, return_dtype=pl.String) if changes.ivr else pl.lit(None, pl.String)
        calls = calls.with_columns(ivr.alias("rerouted"))
        drawn = (calls.sort("u_path").join_asof(tables.paths, left_on="u_path", right_on="low", by="reason",
                                             check_sortedness=False)
                 .sort("i").select(pl.col("ivr_path").alias("drawn")))
        calls = calls.with_columns(drawn).with_columns(
            pl.when(pl.col("managed")).then(None).otherwise(pl.coalesce("rerouted", "drawn")).alias("ivr_path"))
        unknown = calls.filter(~pl.col("managed") & pl.col("ivr_path").is_null())
        if unknown.height:
            raise CxminingError(f"no calls with reason {unknown['reason'][0]!r} to calibrate on")
        calls = (calls.join(tables.outcome_keys, left_on=["ivr_path", "reason"], right_on=["key_path", "reason"],
                            how="left", maintain_order="left")
                 .with_columns(pl.when(pl.col("own")).then("ivr_path").otherwise(pl.lit("*")).alias("key_path")))
        calls = (calls.sort("u_outcome").join_asof(tables.outcomes, left_on="u_outcome", right_on="low",
                                                  by=["key_path", "reason"], check_sortedness=False).sort("i"))
        if (missing := calls.filter(pl.col("outcome").is_null())).height:
            raise CxminingError(f"no calls with reason {missing['reason'][0]!r} to calibrate on")
        calls = calls.with_columns(
            pl.when(pl.col("managed") & (pl.col("outcome") == "transferred")).then(pl.lit("resolved"))  # a direct line
            .otherwise("outcome").alias("outcome"),
            pl.when(pl.col("managed")).then(pl.lit(MANAGERS))
            .otherwise(pl.col("ivr_path").replace_strict(tables.queue_of_path, default=NO_QUEUE, return_dtype=pl.String))
            .alias("queue"))
        calls = (calls.join(tables.handling, on=["reason", "outcome"], how="left", maintain_order="left")
                 .join(tables.repeat_chance, on=["reason", "outcome"], how="left", maintain_order="left"))
        factor = changes.account_managers.repeat_factor if changes.account_managers else 1.0
        length = calls["length"].fill_null(0).to_numpy()
        offset = calls["offset"].fill_null(0).to_numpy()
        pick = offset + np.minimum((calls["u_handling"].to_numpy() * length).astype(np.int64), np.maximum(length - 1, 0))
        seconds = np.where(length > 0, tables.durations[np.minimum(pick, max(len(tables.durations) - 1, 0))]
                           if len(tables.durations) else np.nan, np.nan)
        chance = calls["chance"].fill_null(0.0).to_numpy() * np.where(calls["managed"].to_numpy(), factor, 1.0)
        abandoned = (calls["outcome"] == "abandoned").to_numpy()
        gap = np.zeros(len(rows))
        repeats = np.zeros(len(rows), dtype=bool)
        for after, gaps in tables.gaps.items():
            if len(gaps):
                rows = abandoned == after
                gap[rows] = gaps[(calls["u_gap"].to_numpy()[rows] * len(gaps)).astype(np.int64)]
                repeats[rows] = calls["u_repeat"].to_numpy()[rows] < chance[rows]
        index = {q: k for k, q in enumerate(self.queues)}
        queue = calls["queue"].replace_strict(index, return_dtype=pl.Int64).to_numpy()
        transferred = (calls["outcome"] == "transferred").to_numpy()
        step = len(numbers)
        return [Depth(numbers=numbers,
                      queue=_scattered(n, numbers, queue[k * step:(k + 1) * step], 0),
                      abandoned=_scattered(n, numbers, abandoned[k * step:(k + 1) * step], False),
                      transferred=_scattered(n, numbers, transferred[k * step:(k + 1) * step], False),
                      seconds=_scattered(n, numbers, seconds[k * step:(k + 1) * step], np.nan),
                      repeats=_scattered(n, numbers, repeats[k * step:(k + 1) * step], False),
                      gap=_scattered(n, numbers, gap[k * step:(k + 1) * step], 0.0))
                for k in range(len(depths))]


def _scattered(n: int, numbers: np.ndarray, values: np.ndarray, fill: object) -> np.ndarray:
    """`values` of the calls `numbers` in an array of all `n` call numbers, `fill` elsewhere."""
    out = np.full(n, fill, dtype=values.dtype)
    out[numbers] = values
    return out
