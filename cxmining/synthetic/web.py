"""Web log rows: clicks with their identifiers, pages and (once logged in) customer."""

from __future__ import annotations

import numpy as np
import polars as pl

from cxmining.ingest.contract import WEB_EVENT_TYPES
from cxmining.synthetic.catalogue import CATEGORIES, HELP_TOPICS
from cxmining.synthetic.clickstream import PAGES
from cxmining.synthetic.clock import day_index, epoch, iso_utc
from cxmining.synthetic.codes import named
from cxmining.synthetic.customers import customer_id
from cxmining.synthetic.orders import order_id
from cxmining.synthetic.settings import SampleSettings

FIXED_PAGES = {
    "home": "/",
    "contact": "/contact",
    "login": "/login",
    "logout": "/logout",
    "cart": "/cart",
    "checkout": "/checkout",
    "payment": "/checkout/payment",
    "confirmation": "/checkout/confirmation",
}
SEARCHES = [term.replace(" ", "+") for c in CATEGORIES for term in c.searches]
CHUNK = 1_000_000
HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def visitor_ids(n: int, rng: np.random.Generator) -> pl.Series:
    """Random 16-hex-digit browser cookies, one per visitor index."""
    chars = HEX[rng.integers(0, 16, size=(n, 16))]
    return pl.Series(np.frombuffer(chars.tobytes(), dtype="S16")).cast(pl.String)


def web_rows(
    scn: SampleSettings, clicks: pl.DataFrame, sessions: pl.DataFrame, products: pl.DataFrame
) -> pl.DataFrame:
    """Web events in contract columns (all text) plus their `day`, numbered by time: sessions by
    their first event, events by their timestamp."""
    visitors = int(sessions["visitor"].max()) + 1
    cookies = visitor_ids(visitors, scn.rng("visitors"))
    session = clicks["session"].to_numpy()
    first = np.flatnonzero(np.concatenate(([True], session[1:] != session[:-1])))
    starts = clicks["ts"].to_numpy()[first]
    number = np.zeros(sessions.height, np.int64)
    number[session[first]] = np.argsort(np.lexsort((session[first], starts)))
    step = np.arange(len(session)) - np.repeat(first, np.diff(np.append(first, len(session))))
    t0 = epoch(scn.start)  # days of the written period (history rows get negative days and are not written)
    frame = clicks.with_columns(
        number=pl.Series(number[session]),
        step=pl.Series(step),
        customer=sessions["customer"].gather(clicks["session"]),
        visitor=sessions["visitor"].gather(clicks["session"]),
    ).sort("ts", "number", "step")
    frame = frame.with_row_index("n").with_columns(visitor_id=cookies.gather(frame["visitor"]))
    text = (
        frame.slice(start, CHUNK).select(
            event_id=pl.concat_str(pl.lit("E"), (pl.col("n") + 1).cast(pl.String).str.zfill(9)),
            session_id=pl.concat_str(pl.lit("S"), (pl.col("number") + 1).cast(pl.String).str.zfill(8)),
            visitor_id="visitor_id",
            customer_id=pl.when("logged_in").then(customer_id(pl.col("customer"))),
            ts=iso_utc(pl.col("ts")),
            event_type=named(pl.col("event"), WEB_EVENT_TYPES),
            page=_page(products),
            product_id=pl.when(pl.col("product") >= 0).then(_product_id(products)),
            order_id=pl.when(pl.col("order") >= 0).then(order_id(pl.col("order"))),
            day=day_index(pl.col("ts"), t0),
        )
        for start in range(0, max(frame.height, 1), CHUNK)  # in chunks: the text's temporaries stay small
    )
    return pl.concat(text)


def _product_id(products: pl.DataFrame) -> pl.Expr:
    return named(pl.col("product"), products["product_id"].to_list())


def _page(products: pl.DataFrame) -> pl.Expr:
    """Page path of each event from its page kind, product, order and topic."""
    page, topic = pl.col("page"), pl.col("topic")

    order = order_id(pl.col("order"))
    expr = pl.when(page == PAGES.index("product")).then(
        pl.concat_str(pl.lit("/product/"), _product_id(products))
    )
    for kind, path in FIXED_PAGES.items():
        expr = expr.when(page == PAGES.index(kind)).then(pl.lit(path))
    return (
        expr.when(page == PAGES.index("category"))
        .then(pl.concat_str(pl.lit("/category/"), named(topic, [c.slug for c in CATEGORIES])))
        .when(page == PAGES.index("search"))
        .then(pl.concat_str(pl.lit("/search?q="), named(topic, SEARCHES)))
        .when(page == PAGES.index("help"))
        .then(pl.concat_str(pl.lit("/help/"), named(topic, list(HELP_TOPICS))))
        .when(page == PAGES.index("order"))
        .then(pl.concat_str(pl.lit("/account/orders/"), order))
        .when(page == PAGES.index("tracking"))
        .then(pl.concat_str(pl.lit("/account/orders/"), order, pl.lit("/tracking")))
    )
