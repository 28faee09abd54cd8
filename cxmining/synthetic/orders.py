"""Orders: lifecycle of each order line (payment, shipping, delivery, cancellation, returns)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from cxmining.ingest.contract import ORDER_STATUSES, RETURN_REASONS
from cxmining.synthetic.clock import epoch, web_time_after
from cxmining.synthetic.intents import CHANNEL_OF_OUTCOME, PHONE, STORE
from cxmining.synthetic.settings import DAY, SampleSettings

MINUTE, HOUR = 60, 3_600
# Share of delivered order lines returned for each reason; see Effects for the planted ones.
RETURN_SHARE = {
    "not_as_described": 0.0,  # set from Effects
    "damaged": 0.01,
    "wrong_size": 0.008,
    "wrong_item": 0.006,
    "defective": 0.015,
    "late_delivery": 0.003,  # 0.06 for orders placed in the late-shipping window
    "changed_mind": 0.03,
    "other": 0.004,
}
RETURN_SHARES = np.array([RETURN_SHARE[r] for r in RETURN_REASONS])
NOT_AS_DESCRIBED, LATE_DELIVERY = (
    RETURN_REASONS.index("not_as_described"),
    RETURN_REASONS.index("late_delivery"),
)
QUICK_RETURNS = [RETURN_REASONS.index(r) for r in ("damaged", "wrong_item", "defective")]
WRONG_SIZE = RETURN_REASONS.index("wrong_size")


@dataclass(frozen=True)
class OrderBook:
    """Orders (one row each, `order` numbers them in placement order) and their lines."""

    orders: pl.DataFrame
    lines: pl.DataFrame


def order_book(scn: SampleSettings, intents: pl.DataFrame, products: pl.DataFrame) -> OrderBook:
    """Orders of the journeys that ended in a purchase within the period.

    Order columns: order, intent, customer, channel (outcome code), placed, paid, cancelled,
    shipped, delivered (-1 when it does not happen), late. Line columns: order, line, product,
    quantity, reason (-1: not returned), requested, returned, resolved, exchanged."""
    rng, eff = scn.rng("orders"), scn.effects
    t0, t_end = epoch(scn.sim_start), epoch(scn.end)
    o = intents.filter((pl.col("placed") >= 0) & (pl.col("placed") < t_end)).sort("placed", "intent")
    n = o.height
    channel = o["outcome"].to_numpy()
    placed = o["placed"].to_numpy()
    store, phone = channel == STORE, channel == PHONE
    paid = placed + np.select(
        [phone, store],
        [10 * MINUTE + rng.exponential(2 * HOUR, n), rng.integers(30, 120, n)],
        rng.integers(20, 180, n),
    ).astype(np.int64)
    unpaid = phone & (rng.random(n) < 0.05)
    withdrawn = ~store & ~unpaid & (rng.random(n) < 0.04)
    cancelled = np.select(
        [unpaid, withdrawn],
        [placed + 2 * DAY, paid + 10 * MINUTE + rng.exponential(5 * HOUR, n).astype(np.int64)],
        -1,
    )
    paid = np.where(unpaid, -1, paid)
    day = (placed - t0) // DAY
    late = ~store & (day >= (scn.late_start - scn.sim_start).days) & (day < (scn.late_end - scn.sim_start).days)
    dispatch = rng.uniform(0.6, 1.6, n) + late * rng.uniform(*eff.late_extra_days, n)
    shipped = np.where(store | (cancelled >= 0), -1, placed + (dispatch * DAY).astype(np.int64))
    delivered = np.select(
        [store, shipped >= 0],
        [paid + rng.integers(60, 300, n), shipped + (rng.uniform(0.7, 2.2, n) * DAY).astype(np.int64)],
        -1,
    )
    orders = pl.DataFrame(
        {
            "order": np.arange(n, dtype=np.int64),
            "intent": o["intent"],
            "customer": o["customer"],
            "channel": channel,
            "placed": placed,
            "paid": paid,
            "cancelled": cancelled,
            "shipped": shipped,
            "delivered": delivered,
            "late": late,
        }
    )
    per_category = len(products) // (int(products["category_index"].max()) + 1)
    lines_of = o["lines"].to_numpy()
    order = np.repeat(np.arange(n), lines_of)
    line = np.arange(len(order)) - np.repeat(np.cumsum(lines_of) - lines_of, lines_of)
    first, offset = o["product"].to_numpy()[order], o["offset"].to_numpy()[order]
    # line k > 0: the k-th other product of the category, starting `offset` on (line 1 is the clickstream's product2)
    step = (offset - 1 + line - 1) % (per_category - 1) + 1
    product = np.where(line == 0, first, first - first % per_category + (first + step) % per_category)
    lines = _returns(rng, order, line, product, delivered, late, products["thin"].to_numpy(),
                     products["propensity"].to_numpy(), scn)
    return OrderBook(orders, lines)


def _returns(
    rng: np.random.Generator,
    order: np.ndarray,
    line: np.ndarray,
    product: np.ndarray,
    delivered: np.ndarray,
    late: np.ndarray,
    thin: np.ndarray,
    propensity: np.ndarray,
    scn: SampleSettings,
) -> pl.DataFrame:
    """Order lines with their return: reason, request, arrival and refund or exchange."""
    eff, m = scn.effects, len(order)
    shares = np.tile(RETURN_SHARES, (m, 1))
    shares[:, NOT_AS_DESCRIBED] = eff.not_as_described * propensity[product] * np.where(
        thin[product], eff.thin_not_as_described_multiplier, 1
    )
    shares[:, LATE_DELIVERY] = np.where(late[order], 0.06, RETURN_SHARES[LATE_DELIVERY])
    returns = (rng.random(m) < shares.sum(axis=1)) & (delivered[order] >= 0)
    reason = np.where(returns, _reason(rng, shares), -1)
    quick = np.isin(reason, QUICK_RETURNS)
    wait = np.where(quick, rng.uniform(0.3, 4, m), rng.uniform(1, 14, m))
    requested = web_time_after(delivered[order], (wait * DAY).astype(np.int64), rng, epoch(scn.sim_start))
    requested = np.where(reason >= 0, requested, -1)
    returned = np.where(reason >= 0, requested + (rng.uniform(2, 7, m) * DAY).astype(np.int64), -1)
    resolved = np.where(reason >= 0, returned + (rng.uniform(1, 4, m) * DAY).astype(np.int64), -1)
    return pl.DataFrame(
        {
            "order": order,
            "line": line,
            "product": product,
            "quantity": rng.choice([1, 2, 3], size=m, p=[0.86, 0.11, 0.03]),
            "reason": reason,
            "requested": requested,
            "returned": returned,
            "resolved": resolved,
            "exchanged": rng.random(m) < np.where(quick | (reason == WRONG_SIZE), 0.5, 0.2),
        }
    )


def _reason(rng: np.random.Generator, shares: np.ndarray) -> np.ndarray:
    """A reason per row, drawn in proportion to that row's shares."""
    cumulative = np.cumsum(shares, axis=1)
    u = rng.random(len(shares)) * cumulative[:, -1]
    return (u[:, None] < cumulative).argmax(axis=1)


def order_id(index: pl.Expr) -> pl.Expr:
    """Order number of an order index: O10000001, O10000002, ... in placement order."""
    return pl.concat_str(pl.lit("O"), (index + 10_000_001).cast(pl.String))


def order_rows(book: OrderBook, customer_ids: pl.Series, product_ids: pl.Series, t_end: int) -> pl.DataFrame:
    """Order rows in contract columns, one per status change up to the end of the period,
    with `ts` as epoch seconds (formatted later)."""
    o, li = book.orders, book.lines
    timeline = li.join(o, on="order", how="left", maintain_order="left")
    frames = []
    for status, when in (
        ("placed", "placed"),
        ("paid", "paid"),
        ("cancelled", "cancelled"),
        ("shipped", "shipped"),
        ("delivered", "delivered"),
        ("return_requested", "requested"),
        ("returned", "returned"),
    ):
        frames.append(timeline.filter(pl.col(when) >= 0).with_columns(status=pl.lit(status), ts=pl.col(when)))
    resolved = timeline.filter(pl.col("resolved") >= 0)
    frames.append(
        resolved.with_columns(
            status=pl.when(pl.col("exchanged")).then(pl.lit("exchanged")).otherwise(pl.lit("refunded")),
            ts=pl.col("resolved"),
        )
    )
    rows = pl.concat(frames).filter(pl.col("ts") < t_end)
    rank = pl.col("status").replace_strict(list(ORDER_STATUSES), list(range(len(ORDER_STATUSES))))
    rows = rows.sort(pl.col("ts"), pl.col("order"), pl.col("line"), rank, maintain_order=True)
    channels = pl.Series([CHANNEL_OF_OUTCOME.get(c) for c in range(max(CHANNEL_OF_OUTCOME) + 1)])
    is_return = pl.col("status").is_in(["return_requested", "returned", "refunded", "exchanged"])
    return rows.select(
        order_id=order_id(pl.col("order")),
        customer_id=customer_ids.gather(rows["customer"]),
        product_id=product_ids.gather(rows["product"]),
        quantity=pl.col("quantity").cast(pl.String),
        status=pl.col("status"),
        ts=pl.col("ts"),
        sales_channel=channels.gather(rows["channel"]),
        return_reason=pl.when(is_return).then(
            pl.lit(pl.Series(RETURN_REASONS).gather(rows["reason"].clip(0)))
        ),
    )
