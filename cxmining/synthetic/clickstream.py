"""Clicks: the events of each website session, played from a per-kind script of optional steps."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from cxmining.ingest.contract import REASON_CODES, WEB_EVENT_TYPES
from cxmining.synthetic.catalogue import HELP_TOPICS
from cxmining.synthetic.clock import epoch
from cxmining.synthetic.ragged import group_starts, sum_within
from cxmining.synthetic.sessions import (
    ANONYMOUS,
    BROWSE,
    CART,
    LOGS_IN,
    PURCHASE,
    REMEMBERED,
    RESEARCH,
    RETURN,
    SUPPORT,
    TRACKING,
)
from cxmining.synthetic.settings import SampleSettings

PAGES = (
    "home",
    "product",
    "category",
    "search",
    "help",
    "contact",
    "login",
    "logout",
    "cart",
    "checkout",
    "payment",
    "confirmation",
    "order",
    "tracking",
)
E = {t: i for i, t in enumerate(WEB_EVENT_TYPES)}
P = {p: i for i, p in enumerate(PAGES)}
FIELDS = ("present", "event", "page", "product", "order", "topic", "key", "anchor")


class Script:
    """The steps of all sessions of one kind: each step is a column over those sessions."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.steps: list[dict[str, np.ndarray]] = []

    def step(
        self,
        present: object,
        event: object,
        page: object,
        product: object = -1,
        order: object = -1,
        topic: object = -1,
        key: object = None,
        anchor: bool = False,
    ) -> None:
        """Append a step; arguments are scalars or arrays over the sessions."""
        values = (
            present,
            event,
            page,
            product,
            order,
            topic,
            len(self.steps) if key is None else key,
            anchor,
        )
        self.steps.append({f: np.broadcast_to(np.asarray(v), (self.n,)) for f, v in zip(FIELDS, values)})

    def clicks(self, session: np.ndarray) -> dict[str, np.ndarray]:
        """The present steps as events, session by session in step order (`session` maps rows to ids)."""
        grid = {f: np.stack([s[f] for s in self.steps], axis=1) for f in FIELDS}
        row, col = np.nonzero(grid["present"])
        out = {f: grid[f][row, col] for f in FIELDS if f != "present"}
        out["key"] = out["key"].astype(float)
        out["session"] = session[row]
        return out


class Shop:
    """What scripts need to know about the catalogue: popularity, categories, random choices."""

    def __init__(self, products: pl.DataFrame, rng: np.random.Generator) -> None:
        self.rng = rng
        self.category = products["category_index"].to_numpy().astype(np.int64)
        weight = products["weight"].to_numpy()
        self.p = weight / weight.sum()
        self.per_category = len(weight) // (int(self.category.max()) + 1)

    def sibling(self, product: np.ndarray) -> np.ndarray:
        """Another product of the same category."""
        k = self.per_category
        return product - product % k + (product + self.rng.integers(1, k, len(product))) % k

    def popular(self, n: int) -> np.ndarray:
        return self.rng.choice(len(self.p), size=n, p=self.p)

    def search_term(self, product: np.ndarray) -> np.ndarray:
        """Index of a search phrase of the product's category (three per category)."""
        return self.category[product] * 3 + self.rng.integers(0, 3, len(product))


def _research(s: dict[str, np.ndarray], shop: Shop, rng: np.random.Generator) -> Script:
    n, prod = len(s["product"]), s["product"]
    sc = Script(n)
    views = 1 + np.minimum(rng.poisson(2.0, n), 6)
    land = rng.random(n)
    sc.step(land < 0.4, E["search"], P["search"], topic=shop.search_term(prod), key=0)
    sc.step((land >= 0.4) & (land < 0.65), E["page_view"], P["home"], key=0)
    for j in range(7):
        u = rng.random(n) if j else np.zeros(n)
        other = np.where(u < 0.45, prod, shop.sibling(prod))
        event = np.select([u < 0.8, u < 0.9, u < 0.95], [E["page_view"]] * 2 + [E["help_view"]], E["search"])
        page = np.select([u < 0.8, u < 0.9, u < 0.95], [P["product"], P["category"], P["help"]], P["search"])
        topic = np.select(
            [u < 0.8, u < 0.9, u < 0.95],
            [-1, shop.category[prod], rng.integers(0, len(HELP_TOPICS), n)],
            shop.search_term(prod),
        )
        sc.step(j < views, event, page, product=np.where(u < 0.8, other, -1), topic=topic, key=j + 1)
    sc.step(s["mode"] == LOGS_IN, E["login"], P["login"], key=rng.integers(0, views) + 0.5)
    return sc


def _purchase(s: dict[str, np.ndarray], shop: Shop, rng: np.random.Generator) -> Script:
    n, prod, prod2, err = len(s["product"]), s["product"], s["product2"], s["error"]
    sc = Script(n)
    sc.step(rng.random(n) < 0.7, E["page_view"], P["product"], product=prod)
    sc.step(s["mode"] == LOGS_IN, E["login"], P["login"])
    sc.step(True, E["add_to_cart"], P["product"], product=prod)
    sc.step(prod2 >= 0, E["page_view"], P["product"], product=prod2)
    sc.step(prod2 >= 0, E["add_to_cart"], P["product"], product=prod2)
    sc.step(True, E["checkout_start"], P["checkout"])
    sc.step(err, E["checkout_error"], P["payment"])
    sc.step(err, E["checkout_start"], P["checkout"])
    sc.step(True, E["purchase"], P["confirmation"], order=s["order"], anchor=True)
    sc.step(rng.random(n) < 0.15, E["logout"], P["logout"])
    return sc


def _cart(s: dict[str, np.ndarray], shop: Shop, rng: np.random.Generator) -> Script:
    n, prod = len(s["product"]), s["product"]
    sc = Script(n)
    removed = rng.random(n) < 0.15
    checkout = ~removed & (rng.random(n) < 0.5)
    s["mode"] = np.where(checkout & (s["mode"] == ANONYMOUS), LOGS_IN, s["mode"])  # checkout needs an account
    sc.step(rng.random(n) < 0.8, E["page_view"], P["product"], product=prod)
    sc.step(True, E["add_to_cart"], P["product"], product=prod)
    sc.step(rng.random(n) < 0.3, E["page_view"], P["product"], product=shop.sibling(prod))
    sc.step(removed, E["remove_from_cart"], P["cart"], product=prod)
    sc.step(s["mode"] == LOGS_IN, E["login"], P["login"])
    sc.step(checkout, E["checkout_start"], P["checkout"])
    sc.step(checkout & s["error"], E["checkout_error"], P["payment"])
    return sc


def _tracking(s: dict[str, np.ndarray], shop: Shop, rng: np.random.Generator) -> Script:
    n = len(s["order"])
    sc = Script(n)
    sc.step(s["mode"] == LOGS_IN, E["login"], P["login"])
    sc.step(True, E["order_tracking"], P["tracking"], order=s["order"])
    sc.step(rng.random(n) < 0.3, E["order_tracking"], P["tracking"], order=s["order"])
    sc.step(rng.random(n) < 0.25, E["help_view"], P["help"], topic=HELP_TOPICS.index("shipping"))
    return sc


def _support(s: dict[str, np.ndarray], shop: Shop, rng: np.random.Generator) -> Script:
    n = len(s["order"])
    sc = Script(n)
    sc.step(True, E["help_view"], P["help"], topic=s["topic"], key=0)
    sc.step(s["mode"] == LOGS_IN, E["login"], P["login"], key=0.5)
    sc.step(rng.random(n) < 0.3, E["help_view"], P["help"], topic=rng.integers(0, len(HELP_TOPICS), n), key=1)
    tracks = (
        (s["order"] >= 0) & (s["reason"] == REASON_CODES.index("order_status")) & (s["mode"] != ANONYMOUS)
    )
    sc.step(tracks & (rng.random(n) < 0.6), E["order_tracking"], P["tracking"], order=s["order"], key=2)
    sc.step(True, E["contact_view"], P["contact"], key=3, anchor=True)
    return sc


def _return(s: dict[str, np.ndarray], shop: Shop, rng: np.random.Generator) -> Script:
    n = len(s["order"])
    sc = Script(n)
    sc.step(s["mode"] == LOGS_IN, E["login"], P["login"])
    sc.step(rng.random(n) < 0.5, E["help_view"], P["help"], topic=HELP_TOPICS.index("returns"))
    sc.step(True, E["page_view"], P["order"], order=s["order"])
    return sc


def _browse(s: dict[str, np.ndarray], shop: Shop, rng: np.random.Generator) -> Script:
    n = len(s["order"])
    sc = Script(n)
    first = shop.popular(n)
    land = rng.random(n)
    sc.step(land < 0.4, E["search"], P["search"], topic=shop.search_term(first))
    sc.step((land >= 0.4) & (land < 0.8), E["page_view"], P["home"])
    sc.step(True, E["page_view"], P["product"], product=first)
    views = rng.integers(0, 3, n)
    for j in range(2):
        sc.step(
            j < views,
            E["page_view"],
            P["product"],
            product=np.where(rng.random(n) < 0.5, shop.sibling(first), shop.popular(n)),
        )
    return sc


SCRIPTS: dict[int, Callable[[dict[str, np.ndarray], Shop, np.random.Generator], Script]] = {
    RESEARCH: _research,
    PURCHASE: _purchase,
    CART: _cart,
    TRACKING: _tracking,
    SUPPORT: _support,
    RETURN: _return,
    BROWSE: _browse,
}


def clickstream(scn: SampleSettings, sessions: pl.DataFrame, products: pl.DataFrame) -> pl.DataFrame:
    """Events of all sessions within the period, ordered by session and step: session (row of
    `sessions`), ts, event, page, product, order, topic, logged_in (customer known at that event)."""
    rng = scn.rng("clickstream")
    shop = Shop(products, rng)
    parts, modes = [], sessions["mode"].to_numpy().copy()
    kinds = sessions["kind"].to_numpy()
    for kind, script in SCRIPTS.items():
        rows = np.flatnonzero(kinds == kind)
        s = {
            c: sessions[c].to_numpy()[rows]
            for c in ("product", "product2", "order", "mode", "error", "topic", "reason")
        }
        parts.append(script(s, shop, rng).clicks(rows))
        modes[rows] = s["mode"]
    ev = {f: np.concatenate([p[f] for p in parts]) for f in parts[0]}
    order = np.lexsort((ev["key"], ev["session"]))
    ev = {f: v[order] for f, v in ev.items()}
    counts = np.bincount(ev["session"], minlength=sessions.height)
    gaps = (3 + rng.exponential(40, len(ev["session"]))).astype(np.int64)
    gaps[group_starts(counts)[counts > 0]] = 0  # a session's first event is its start
    offset = sum_within(gaps, counts)
    anchor = np.full(sessions.height, 0, np.int64)
    has_anchor = ev["anchor"].astype(bool)
    anchor[ev["session"][has_anchor]] = offset[has_anchor]
    ts = sessions["anchor_ts"].to_numpy()[ev["session"]] + offset - anchor[ev["session"]]
    login_key = np.full(sessions.height, np.inf)
    is_login = ev["event"] == E["login"]
    login_key[ev["session"][is_login]] = ev["key"][is_login]
    mode = modes[ev["session"]]
    logged_in = (mode == REMEMBERED) | ((mode == LOGS_IN) & (ev["key"] >= login_key[ev["session"]]))
    t0, t_end = epoch(scn.sim_start), epoch(scn.end)
    frame = pl.DataFrame(
        {
            "session": ev["session"],
            "ts": ts,
            "event": ev["event"],
            "page": ev["page"],
            "product": ev["product"],
            "order": ev["order"],
            "topic": ev["topic"],
            "logged_in": logged_in,
        }
    )
    return frame.filter((pl.col("ts") >= t0) & (pl.col("ts") < t_end))
