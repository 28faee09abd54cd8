"""Agents' free-text call notes: terse, sometimes with personal data, HTML, quotes or line breaks."""

from __future__ import annotations

import numpy as np
import polars as pl

from cxmining.ingest.contract import REASON_CODES

# Placeholders: {order} order number, {product} product name, {email}/{phone} the customer's, {days}.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "product_info": (
        "Asked about dimensions of {product}, explained specs",
        "Customer wants to know if {product} works with their setup; advised to check compatibility",
        "Q: is the {product} suitable for a small room? A: yes, see specs",
        "Product info requested: <b>size</b> & material not on website",
        'Caller asked "what\'s in the box?" for {product}',
        "Info on {product}, sent spec sheet to {email}",
        "Website description too vague for {product}, customer needed weight, size, material",
    ),
    "order_status": (
        "WISMO: order {order} not received yet, gave tracking info",
        "Where is my order? {order}, expected {days} days ago",
        "Customer upset, order {order} late.\nPromised update by e-mail to {email}",
        "Tracking shows 'in transit', asked to wait 1-2 days",
        "order status, ref {order}",
    ),
    "delivery_problem": (
        "Parcel damaged on arrival, order {order}",
        "Delivered to neighbour, customer couldn't find it",
        'Courier said "delivered" but nothing received; opened investigation',
        "Box left at door in the rain, contents OK? Call back on {phone}",
    ),
    "return_request": (
        "Return for {product}, label sent to {email}",
        "Wants to return order {order}, reason: doesn't match description",
        'Return requested. Customer: "not what the website showed"',
        "Exchange requested for {product}, colour/size issue",
    ),
    "new_order": (
        "Placed order {order} for {product} by phone",
        "Phone order {order}, payment link sent to {email}",
        "Customer prefers ordering by phone, order {order} & delivery next week",
    ),
    "payment": (
        "Payment failed at checkout, card declined; advised iDEAL",
        "Double charge on order {order}? Checked, only one payment",
        "Payment link expired, sent new one to {phone}",
    ),
    "account": (
        "Password reset, confirmed e-mail {email}",
        "Change of address, new phone {phone}",
        "Customer asked to delete account (GDPR), forwarded to <i>privacy team</i>",
    ),
    "complaint": (
        "Complaint about late delivery of {order}, offered 10% voucher",
        'Unhappy with {product}: "nothing like the pictures"\nEscalated to team lead',
        "Complaint: <b>rude courier</b> & damaged box",
    ),
    "other": (
        "General question about opening hours",
        "Wrong number, wanted a different shop",
        "Asked about gift cards, <3 the service",
        "Call dropped, caller gave number {phone}",
    ),
}
FLAT = [t for code in REASON_CODES for t in TEMPLATES[code]]
COUNT = np.array([len(TEMPLATES[code]) for code in REASON_CODES])
OFFSET = np.concatenate(([0], np.cumsum(COUNT)[:-1]))


def note_templates(reason: np.ndarray, rng: np.random.Generator, blank: float = 0.15) -> pl.Series:
    """A template per call for its reason code index; `blank` of them left empty (null)."""
    pick = OFFSET[reason] + (rng.random(len(reason)) * COUNT[reason]).astype(np.int64)
    chosen = pl.Series("notes", FLAT).gather(pick)
    return pl.select(pl.when(pl.Series(rng.random(len(reason)) >= blank)).then(chosen)).to_series()


def notes(
    template: pl.Expr, order: pl.Expr, product: pl.Expr, email: pl.Expr, phone: pl.Expr, days: pl.Expr
) -> pl.Expr:
    """Templates with their placeholders filled in (missing values leave a neutral word)."""
    out = template
    for name, value, missing in (
        ("{order}", order, "(no order no.)"),
        ("{product}", product, "the product"),
        ("{email}", email, "customer's e-mail"),
        ("{phone}", phone, "unknown number"),
        ("{days}", days, "a few"),
    ):
        out = out.str.replace_all(name, value.fill_null(missing), literal=True)
    return out
