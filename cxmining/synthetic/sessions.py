"""Website sessions: which visitor opens which kind of session, when, about what."""

from __future__ import annotations

import numpy as np
import polars as pl

from cxmining.ingest.contract import REASON_CODES
from cxmining.synthetic.calls import ABANDONED
from cxmining.synthetic.catalogue import HELP_TOPICS
from cxmining.synthetic.clock import epoch, web_time_after, web_times
from cxmining.synthetic.intents import CART_ABANDONED, STORE, WEB, Journeys
from cxmining.synthetic.orders import OrderBook
from cxmining.synthetic.ragged import owners
from cxmining.synthetic.settings import DAY, SampleSettings

MINUTE = 60
RESEARCH, PURCHASE, CART, TRACKING, SUPPORT, RETURN, BROWSE = range(7)
KINDS = ("research", "purchase", "cart", "tracking", "support", "return", "browse")
ANONYMOUS, LOGS_IN, REMEMBERED = 0, 1, 2  # how the session knows the customer
# Help page a customer reads before calling, per reason code.
TOPIC = {
    "product_info": "product-advice",
    "order_status": "shipping",
    "delivery_problem": "shipping",
    "return_request": "returns",
    "new_order": "product-advice",
    "payment": "payment",
    "account": "account",
    "complaint": "warranty",
    "other": "account",
}
TOPIC_OF_REASON = np.array([HELP_TOPICS.index(TOPIC[code]) for code in REASON_CODES])


def sessions(
    scn: SampleSettings, people: pl.DataFrame, trips: Journeys, book: OrderBook, log: pl.DataFrame
) -> pl.DataFrame:
    """One row per session with its kind, customer (-1: not a customer), visitor index and
    `anchor_ts`: the start of the session, or for purchase and support sessions the moment of the
    purchase or of the last page before the call. Customers' devices come first in visitor order."""
    rng = scn.rng("sessions")
    t0, t_end = epoch(scn.sim_start), epoch(scn.end)
    it, o, li = trips.intents, book.orders, book.lines
    ordered = o.join(
        it.select("intent", "product", "product2", "checkout_error"),
        on="intent",
        how="left",
        maintain_order="left",
    )
    frames = [
        _of(trips.research, RESEARCH, "ts", mode=rng.choice(3, trips.research.height, p=[0.55, 0.25, 0.2])),
        _of(
            ordered.filter(pl.col("channel") == WEB),
            PURCHASE,
            "placed",
            error="checkout_error",
            mode=rng.choice([LOGS_IN, REMEMBERED], int((ordered["channel"] == WEB).sum()), p=[0.65, 0.35]),
        ),
    ]
    carts = it.filter(pl.col("outcome") == CART_ABANDONED)
    frames.append(
        _of(
            carts,
            CART,
            "t_decide",
            error="checkout_error",
            mode=rng.choice(3, carts.height, p=[0.3, 0.4, 0.3]),
        )
    )
    shipped = ordered.filter((pl.col("shipped") >= 0) & (pl.col("channel") != STORE))
    visits = shipped.select(pl.all().gather(owners(rng.poisson(np.where(shipped["late"], 1.2, 0.35)))))
    until = np.where(visits["delivered"].to_numpy() >= 0, visits["delivered"].to_numpy(), t_end)
    since = visits["shipped"].to_numpy()
    visits = visits.with_columns(
        ts=pl.Series(
            web_time_after(since, (rng.random(visits.height) * (until - since)).astype(np.int64), rng, t0)
        )
    )
    frames.append(
        _of(visits, TRACKING, "ts", mode=rng.choice([LOGS_IN, REMEMBERED], visits.height, p=[0.6, 0.4]))
    )
    first = log.filter(
        ~pl.col("repeat")
        & (pl.col("outcome") != ABANDONED)
        & (pl.col("reason") != REASON_CODES.index("new_order"))
    )
    first = first.filter(pl.lit(pl.Series(rng.random(first.height) < 0.3)) | pl.col("after_help_page"))
    first = first.with_columns(
        ts=pl.col("started") - pl.Series(rng.integers(3 * MINUTE, 60 * MINUTE, first.height)),
        topic=pl.Series(TOPIC_OF_REASON[first["reason"].to_numpy()]),
    )
    frames.append(
        _of(
            first,
            SUPPORT,
            "ts",
            reason="reason",
            topic="topic",
            mode=rng.choice(3, first.height, p=[0.6, 0.2, 0.2]),
        )
    )
    returns = li.filter(pl.col("requested") >= 0).join(
        o.select("order", "customer"), on="order", how="left", maintain_order="left"
    )
    frames.append(
        _of(
            returns.with_columns(ts=pl.col("requested") - 2 * MINUTE),
            RETURN,
            "ts",
            mode=rng.choice([LOGS_IN, REMEMBERED], returns.height, p=[0.6, 0.4]),
        )
    )
    visitors = people["devices"].sum()
    out = pl.concat(frames)
    out = out.with_columns(visitor=pl.Series(_devices(rng, people, out["customer"].to_numpy())))
    return pl.concat([out, _browsing(scn, rng, t0, visitors)]).filter(
        (pl.col("anchor_ts") >= t0 - DAY) & (pl.col("anchor_ts") < t_end)
    )


def _of(
    frame: pl.DataFrame,
    kind: int,
    ts: str,
    mode: np.ndarray,
    error: str | None = None,
    topic: str | None = None,
    reason: str | None = None,
) -> pl.DataFrame:
    """Sessions of one kind in the common columns."""

    def col(name: str | None, fallback: object) -> pl.Expr:
        return pl.col(name) if name and name in frame.columns else pl.lit(fallback)

    return frame.select(
        kind=pl.lit(kind, pl.Int64),
        customer=pl.col("customer").cast(pl.Int64),
        anchor_ts=pl.col(ts).cast(pl.Int64),
        product=col("product", -1).cast(pl.Int64),
        product2=col("product2", -1).cast(pl.Int64),
        order=col("order", -1).cast(pl.Int64),
        mode=pl.Series(mode, dtype=pl.Int64),
        error=col(error, False).cast(pl.Boolean),
        topic=col(topic, -1).cast(pl.Int64),
        reason=col(reason, -1).cast(pl.Int64),
    )


def _devices(rng: np.random.Generator, people: pl.DataFrame, customer: np.ndarray) -> np.ndarray:
    """Visitor index of the device each session is on: mostly the customer's first device."""
    devices = people["devices"].to_numpy()[customer]
    other = (rng.random(len(customer)) * devices).astype(np.int64)
    return people["first_visitor"].to_numpy()[customer] + np.where(rng.random(len(customer)) < 0.6, 0, other)


def _browsing(scn: SampleSettings, rng: np.random.Generator, t0: int, first_visitor: int) -> pl.DataFrame:
    """Sessions of visitors who are not (yet) customers: a few pages, never logged in."""
    visitors = max(1, int(scn.customers * 0.4))
    n = int(visitors * 1.5)
    ts = web_times(rng.integers(0, scn.sim_days, n), rng, t0)
    return pl.DataFrame(
        {
            "kind": np.full(n, BROWSE, np.int64),
            "customer": np.full(n, -1, np.int64),
            "anchor_ts": ts,
            "product": np.full(n, -1, np.int64),
            "product2": np.full(n, -1, np.int64),
            "order": np.full(n, -1, np.int64),
            "mode": np.zeros(n, np.int64),
            "error": np.zeros(n, bool),
            "topic": np.full(n, -1, np.int64),
            "reason": np.full(n, -1, np.int64),
            "visitor": first_visitor + rng.integers(0, visitors, n),
        }
    )
