"""Product journeys ("intents"): a customer researches one product and buys it, or does not."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from cxmining.synthetic.clock import epoch, opening_hours, web_time_after, web_times
from cxmining.synthetic.ragged import group_starts, owners, sum_within
from cxmining.synthetic.settings import DAY, SampleSettings

MINUTE, HOUR = 60, 3_600
# What a journey ends in.
DROPPED, CART_ABANDONED, WEB, PHONE, STORE = range(5)
CHANNEL_OF_OUTCOME = {WEB: "web", PHONE: "phone", STORE: "store"}


@dataclass(frozen=True)
class Journeys:
    """Journeys, one row each, and the start of each research session on the website."""

    intents: pl.DataFrame
    research: pl.DataFrame


def journeys(scn: SampleSettings, people: pl.DataFrame, products: pl.DataFrame) -> Journeys:
    """Each customer's journeys in the period: research (web sessions, maybe a product_info call),
    then a decision: nothing, an abandoned cart, or a purchase on the web, by phone or in a store.

    Columns: intent, customer, product, product2 (second order line or -1), lines (order lines if it orders: 1 to
    max_lines; the lines after the first are other products of the category, `offset` apart), thin, t_start,
    n_research, info_call, info_ts, outcome, t_decide (web purchase / cart session / store sale),
    call_start and call_end (the new_order call of a phone order), placed, checkout_error."""
    rng, eff = scn.rng("intents"), scn.effects
    t0, t_end = epoch(scn.sim_start), epoch(scn.end)
    created = people["created"].to_numpy()
    phone_people = people["phone_person"].to_numpy()
    active = (t_end - np.maximum(created, t0)) / (t_end - t0)
    cust = owners(rng.poisson(eff.intents_per_customer * active))
    n = len(cust)
    weight = products["weight"].to_numpy()
    product = rng.choice(len(weight), size=n, p=weight / weight.sum())
    thin = products["thin"].to_numpy()[product]
    phone_person = phone_people[cust]

    earliest = np.maximum(created[cust], t0)
    first_day = (earliest - t0) // DAY
    day = first_day + (rng.random(n) * 0.97 * (scn.sim_days - first_day)).astype(np.int64)
    t_start = np.maximum(web_times(day, rng, t0), earliest + 5 * MINUTE)

    n_research = rng.poisson(np.where(phone_person, 0.5, 1.4))
    gaps = (15 * MINUTE + rng.exponential(16 * HOUR, int(n_research.sum()))).astype(np.int64)
    owner = owners(n_research)
    first = group_starts(n_research)
    gaps[first[n_research > 0]] = 0  # the first session opens the journey
    later = sum_within(gaps, n_research)
    research_ts = np.where(later > 0, web_time_after(t_start[owner], later, rng, t0), t_start[owner])
    research_ts = research_ts[np.lexsort((research_ts, owner))]  # snapping to the day's rhythm may reorder
    last_research = t_start.copy()
    has_research = n_research > 0
    last_research[has_research] = research_ts[first[has_research] + n_research[has_research] - 1]

    own = products["propensity"].to_numpy()[product]
    p_info = eff.product_info_call * own * np.where(thin, eff.thin_product_info_multiplier, 1.0)
    info_call = rng.random(n) < np.minimum(p_info + phone_person * eff.phone_person_product_info, 0.95)
    info_ts = opening_hours(last_research + 20 * MINUTE + rng.exponential(3 * HOUR, n).astype(np.int64), rng)

    buy = rng.random(n) < np.where(info_call, 0.62, 0.5)
    channel = rng.random(n)
    phone_share = np.where(phone_person, 0.5, 0.05)
    outcome = np.select(
        [~buy & (channel < 0.55), ~buy, channel < phone_share, channel < phone_share + 0.05],
        [CART_ABANDONED, DROPPED, PHONE, STORE],
        WEB,
    )
    ready = np.where(info_call, np.maximum(info_ts, last_research), last_research)
    t_decide = web_time_after(ready, 30 * MINUTE + rng.exponential(14 * HOUR, n).astype(np.int64), rng, t0)
    call_start = opening_hours(t_decide, rng)
    call_end = call_start + (np.exp(rng.normal(np.log(8 * MINUTE), 0.35, n))).astype(np.int64)
    store_ts = opening_hours(t_decide, rng, opens=10, closes=18)
    t_decide = np.where(outcome == STORE, store_ts, t_decide)
    placed = np.select(
        [outcome == PHONE, outcome == STORE, outcome == WEB],
        [call_end - rng.integers(30, 120, n), store_ts, t_decide],
        -1,
    )
    per_category = len(weight) // (int(products["category_index"].max()) + 1)
    offset = rng.integers(1, per_category, n)
    sibling = product - product % per_category + (product + offset) % per_category
    multi = (outcome >= WEB) & (outcome != STORE) & (rng.random(n) < eff.multi_line_share)
    product2 = np.where(multi, sibling, -1)
    more = rng.integers(0, eff.max_lines - 1, n) if eff.max_lines > 2 else np.zeros(n, np.int64)
    lines = np.where(multi, 2 + more, 1)
    intents = pl.DataFrame(
        {
            "intent": np.arange(n, dtype=np.int64),
            "customer": cust,
            "product": product.astype(np.int64),
            "product2": product2.astype(np.int64),
            "lines": lines.astype(np.int64),
            "offset": offset.astype(np.int64),
            "thin": thin,
            "t_start": t_start,
            "n_research": n_research.astype(np.int64),
            "info_call": info_call,
            "info_ts": info_ts,
            "outcome": outcome.astype(np.int64),
            "t_decide": t_decide,
            "call_start": call_start,
            "call_end": call_end,
            "placed": placed,
            "checkout_error": rng.random(n) < np.where(outcome == CART_ABANDONED, 0.25, 0.08),
        }
    )
    research = pl.DataFrame(
        {
            "intent": owner,
            "customer": cust[owner],
            "product": product[owner].astype(np.int64),
            "ts": research_ts,
        }
    )
    return Journeys(intents, research)
