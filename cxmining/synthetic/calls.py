"""Calls to the contact centre: why and when customers call, IVR routing, outcomes and repeat calls."""

from __future__ import annotations

import numpy as np
import polars as pl

from cxmining.ingest.contract import REASON_CODES
from cxmining.synthetic.clock import epoch, opening_hours
from cxmining.synthetic.intents import PHONE, STORE, Journeys
from cxmining.synthetic.orders import NOT_AS_DESCRIBED, OrderBook
from cxmining.synthetic.ragged import owners
from cxmining.synthetic.settings import DAY, SampleSettings

MINUTE, HOUR = 60, 3_600
R = {code: i for i, code in enumerate(REASON_CODES)}
# IVR menu paths and the queue each leads to; `main>orders>status` is gone after the IVR change.
PATHS = (
    ("main>products>info", "products"),
    ("main>orders>status", "orders"),
    ("main>orders>delivery", "orders"),
    ("main>returns", "returns"),
    ("main>sales", "sales"),
    ("main>orders>payment", "orders"),
    ("main>account", "general"),
    ("main>general", "general"),
    ("main", "general"),
)
PATH = {p: i for i, (p, _) in enumerate(PATHS)}
# IVR branch a caller with each reason picks.
ROUTE = {
    "product_info": "main>products>info",
    "order_status": "main>orders>status",
    "delivery_problem": "main>orders>delivery",
    "return_request": "main>returns",
    "new_order": "main>sales",
    "payment": "main>orders>payment",
    "account": "main>account",
    "complaint": "main>general",
    "other": "main",
}
PATH_OF_REASON = np.array([PATH[ROUTE[code]] for code in REASON_CODES])
TEAMS = {
    "orders": "Order Support",
    "products": "Product Advice",
    "returns": "Returns & Repairs",
    "sales": "Sales",
    "general": "General Service",
}
# Median handling time (seconds) per reason code.
HANDLING_SECONDS = {
    "product_info": 420,
    "order_status": 210,
    "delivery_problem": 400,
    "return_request": 360,
    "new_order": 480,
    "payment": 300,
    "account": 240,
    "complaint": 600,
    "other": 240,
}
HANDLING = np.array([HANDLING_SECONDS[code] for code in REASON_CODES])
RESOLVED, TRANSFERRED, ABANDONED, CALLBACK = 0, 1, 2, 3  # indices into CALL_OUTCOMES


def first_calls(scn: SampleSettings, people: pl.DataFrame, trips: Journeys, book: OrderBook) -> pl.DataFrame:
    """The first call on each matter: customer, reason, product, order, wanted start `ts`,
    `fixed_end` (new_order calls, whose timing the order already fixed; else -1) and `late`."""
    rng = scn.rng("calls")
    t0, t_end = epoch(scn.sim_start), epoch(scn.end)
    it, o, li = trips.intents, book.orders, book.lines
    ordered = o.join(
        it.select("intent", "product", "call_start", "call_end", "checkout_error"),
        on="intent",
        how="left",
        maintain_order="left",
    )
    parts = []

    def add(
        frame: pl.DataFrame,
        reason: str,
        ts: pl.Expr | np.ndarray,
        share: float | np.ndarray = 1.0,
        product: str | None = None,
        order: str | None = None,
        fixed_end: pl.Expr | None = None,
        after_help_page: bool = False,
    ) -> None:
        chosen = rng.random(frame.height) < share
        frame = frame.with_columns(ts=ts).filter(chosen)
        parts.append(
            frame.select(
                customer=pl.col("customer"),
                reason=pl.lit(R[reason], pl.Int64),
                product=pl.col(product) if product else pl.lit(-1, pl.Int64),
                order=pl.col(order) if order else pl.lit(-1, pl.Int64),
                ts=pl.col("ts"),
                fixed_end=fixed_end if fixed_end is not None else pl.lit(-1, pl.Int64),
                late=pl.col("late") if "late" in frame.columns else pl.lit(False),
                after_help_page=pl.lit(after_help_page),  # the caller reads the help page on the call's topic first
            )
        )

    eff = scn.effects
    add(it.filter("info_call"), "product_info", pl.col("info_ts"), product="product")
    add(
        ordered.filter(pl.col("channel") == PHONE),
        "new_order",
        pl.col("call_start"),
        product="product",
        order="order",
        fixed_end=pl.col("call_end"),
    )
    shippable = ordered.filter((pl.col("channel") != STORE) & (pl.col("cancelled") < 0))
    late = shippable["late"].to_numpy()
    repeat = owners(rng.poisson(np.where(late, eff.late_order_status_calls, eff.order_status_calls)))
    wismo = shippable.select(pl.all().gather(repeat))
    lo = wismo["placed"].to_numpy() + DAY
    hi = np.where(wismo["delivered"].to_numpy() >= 0, wismo["delivered"].to_numpy(), t_end)
    add(
        wismo,
        "order_status",
        lo + (rng.random(len(lo)) * np.maximum(hi - lo, HOUR)).astype(np.int64),
        order="order",
    )
    delivered = shippable.filter(pl.col("delivered") >= 0)
    delivered = delivered.with_columns(
        after=pl.col("delivered") + pl.Series((rng.uniform(0.1, 2, delivered.height) * DAY).astype(np.int64))
    )
    add(
        delivered, "delivery_problem", pl.col("after"), np.where(delivered["late"], 0.05, 0.02), order="order"
    )
    add(delivered.filter("late"), "complaint", pl.col("after"), 0.08, order="order")
    returns = li.filter(pl.col("reason") >= 0).join(
        o.select("order", "customer", "late"), on="order", how="left", maintain_order="left"
    )
    add(returns, "return_request", pl.col("requested") - 5 * MINUTE, 0.35, product="product", order="order")
    nad = returns.filter(pl.col("reason") == NOT_AS_DESCRIBED)
    add(
        nad,
        "complaint",
        pl.col("requested") + (pl.lit(DAY) * rng.random(nad.height)).cast(pl.Int64),
        0.15,
        product="product",
        order="order",
    )
    add(ordered.filter(pl.col("paid") >= 0), "payment", pl.col("paid") + 2 * HOUR, 0.012, order="order")
    errors = it.filter(pl.col("checkout_error"))
    add(
        errors,
        "payment",
        pl.col("t_decide") + (pl.lit(3 * HOUR) * rng.random(errors.height)).cast(pl.Int64),
        0.25,
    )
    created = people["created"].to_numpy()
    for reason, rate in (("account", 0.025), ("other", 0.03)):
        who = people.select(pl.col("customer").gather(owners(rng.poisson(rate, scn.customers))))
        since = np.maximum(created[who["customer"].to_numpy()], t0)  # not before the account exists
        add(who, reason, since + (rng.random(who.height) * (t_end - since)).astype(np.int64))
    if eff.failing_help_page_calls > 0:  # after the ordinary streams: the sample without it is unchanged
        who = people.select(pl.col("customer").gather(owners(rng.poisson(eff.failing_help_page_calls, scn.customers))))
        since = np.maximum(created[who["customer"].to_numpy()], t0)
        add(who, "account", since + (rng.random(who.height) * (t_end - since)).astype(np.int64), after_help_page=True)
    return pl.concat(parts).with_row_index("matter").with_columns(pl.col("matter").cast(pl.Int64))


def calls(scn: SampleSettings, first: pl.DataFrame, rounds: int = 4) -> pl.DataFrame:
    """All calls (first calls and repeats) within the period, numbered `call` by start time, with
    started, ended, path (index into PATHS), overflow, outcome (index into CALL_OUTCOMES), repeat."""
    rng = scn.rng("routing")
    t0, t_end, ivr = epoch(scn.sim_start), epoch(scn.end), epoch(scn.ivr_change)
    wave, done = first.with_columns(repeat=pl.lit(False)), []
    for _ in range(rounds):
        if wave.height == 0:
            break
        routed = _routed(scn, wave, rng, ivr)
        done.append(routed)
        again = rng.random(routed.height) < _repeat_share(scn, routed)
        gap = np.where(
            routed["outcome"] == ABANDONED,
            rng.uniform(0.005, 1, routed.height),
            rng.uniform(0.15, 3, routed.height),
        )
        wave = routed.filter(again).select(
            "matter",
            "customer",
            "reason",
            "product",
            "order",
            ts=pl.col("ended") + pl.Series((gap[again] * DAY).astype(np.int64)),
            fixed_end=pl.lit(-1, pl.Int64),
            late="late",
            after_help_page=pl.lit(False),
            repeat=pl.lit(True),
        )
    everything = pl.concat(done).filter((pl.col("started") >= t0) & (pl.col("started") < t_end))
    return (
        everything.sort("started", "matter", maintain_order=True)
        .with_row_index("call")
        .with_columns(pl.col("call").cast(pl.Int64))
    )


def _routed(scn: SampleSettings, wave: pl.DataFrame, rng: np.random.Generator, ivr: int) -> pl.DataFrame:
    """Calls of one wave with their IVR path, queue, team, outcome and times."""
    eff, n = scn.effects, wave.height
    reason, fixed = wave["reason"].to_numpy(), wave["fixed_end"].to_numpy()
    started = np.where(fixed >= 0, wave["ts"].to_numpy(), opening_hours(wave["ts"].to_numpy(), rng))
    after = started >= ivr
    status = reason == R["order_status"]
    path = PATH_OF_REASON[reason].copy()
    path[status & after] = PATH["main>general"]
    misrouted = (rng.random(n) < 0.04) & (fixed < 0)
    choices = np.array([i for p, i in PATH.items() if p != "main>orders>status"])
    path[misrouted] = rng.choice(choices, int(misrouted.sum()))
    transfer = np.where(status, np.where(after, eff.transfer_share_after_ivr, eff.transfer_share), 0.06)
    u = rng.random(n)
    outcome = np.select(
        [u < 0.06, u < 0.06 + transfer, u < 0.1 + transfer], [ABANDONED, TRANSFERRED, CALLBACK], RESOLVED
    )
    outcome[fixed >= 0] = RESOLVED
    talk = np.exp(rng.normal(np.log(HANDLING[reason]), 0.45)) + (outcome == TRANSFERRED) * rng.uniform(
        60, 240, n
    )
    talk = np.where(outcome == ABANDONED, rng.uniform(15, 180, n), talk).astype(np.int64)
    return wave.with_columns(
        started=pl.Series(started, dtype=pl.Int64),
        ended=pl.Series(np.where(fixed >= 0, fixed, started + talk), dtype=pl.Int64),
        path=pl.Series(path, dtype=pl.Int64),
        overflow=pl.Series(rng.random(n) < 0.08),  # answered by the overflow team
        outcome=pl.Series(outcome, dtype=pl.Int64),
    )


def _repeat_share(scn: SampleSettings, routed: pl.DataFrame) -> np.ndarray:
    """Chance that a call is followed by another on the same matter."""
    eff = scn.effects
    outcome, reason = routed["outcome"].to_numpy(), routed["reason"].to_numpy()
    share = np.select(
        [outcome == TRANSFERRED, outcome == ABANDONED, outcome == CALLBACK],
        [eff.repeat_share_after_transfer, 0.5, 0.2],
        eff.repeat_share,
    )
    late_status = routed["late"].to_numpy() & (reason == R["order_status"])
    share = np.where(late_status, np.maximum(share, eff.repeat_share_late), share)
    return np.where(reason == R["new_order"], 0.0, share)
