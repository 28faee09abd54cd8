"""Customers: master data (phone, e-mail, sign-up) and the traits that shape their journeys."""

from __future__ import annotations

import numpy as np
import polars as pl

from cxmining.synthetic.clock import epoch
from cxmining.synthetic.phones import MASTER_SHARES, NOTATIONS, phone_number
from cxmining.synthetic.settings import DAY, SampleSettings

FIRST = (
    "anna",
    "bram",
    "chantal",
    "daan",
    "emma",
    "fleur",
    "gijs",
    "hanna",
    "ilse",
    "jeroen",
    "kim",
    "lars",
    "maria",
    "noah",
    "olga",
    "pieter",
    "quinten",
    "roos",
    "sven",
    "tessa",
    "umut",
    "vera",
    "willem",
    "yara",
    "zoe",
    "mohamed",
    "fatima",
    "lucas",
    "sophie",
    "thomas",
    "julia",
    "sanne",
)
LAST = (
    "jansen",
    "de vries",
    "van den berg",
    "bakker",
    "visser",
    "smit",
    "meijer",
    "de boer",
    "mulder",
    "de groot",
    "bos",
    "vos",
    "peters",
    "hendriks",
    "van leeuwen",
    "dekker",
    "brouwer",
    "de wit",
    "dijkstra",
    "smits",
    "yilmaz",
    "el amrani",
    "kowalski",
    "nguyen",
    "santos",
    "van dijk",
)
DOMAINS = ("example.com", "example.net", "example.org", "mail.example", "post.example")
# Customers' device counts: one browser (cookie) per device, so one visitor_id per device.
DEVICE_SHARES = (0.45, 0.4, 0.15)
UNKNOWN_DIGITS = (60_000_000, 99_999_999)  # numbers no customer has: callers we cannot match


def customers(scn: SampleSettings) -> pl.DataFrame:
    """One row per customer: contract columns (`created_at` as epoch seconds) and traits:
    `digits` of their mobile (also when not in the master), `phone_person`, `devices`, `first_visitor`."""
    rng = scn.rng("customers")
    n = scn.customers
    t0 = epoch(scn.sim_start)
    signed_up_in_period = rng.random(n) < 0.15
    created = np.where(
        signed_up_in_period,
        t0 + rng.integers(0, scn.sim_days * DAY - DAY, n),
        t0 - rng.integers(DAY, 3 * 365 * DAY, n),
    )
    digits = 10_000_000 + rng.choice(UNKNOWN_DIGITS[0] - 10_000_000, size=n, replace=False)
    devices = rng.choice(np.arange(1, 4), size=n, p=DEVICE_SHARES)
    first, last = rng.integers(0, len(FIRST), n), rng.integers(0, len(LAST), n)
    frame = pl.DataFrame(
        {
            "customer": np.arange(n, dtype=np.int64),
            "digits": digits.astype(np.int64),
            "has_phone": rng.random(n) < 0.9,
            "has_email": rng.random(n) < 0.96,
            "notation": rng.choice(len(NOTATIONS), size=n, p=MASTER_SHARES),
            "created": created.astype(np.int64),
            "phone_person": rng.random(n) < 0.12,
            "devices": devices.astype(np.int64),
            "first_visitor": np.concatenate(([0], np.cumsum(devices)[:-1])).astype(np.int64),
            "first": pl.Series(FIRST).gather(first),
            "last": pl.Series(LAST).gather(last),
            "style": rng.integers(0, 3, n),
            "domain": pl.Series(DOMAINS).gather(rng.integers(0, len(DOMAINS), n)),
            "number": rng.integers(1, 100, n),
        }
    )
    return frame.with_columns(
        customer_id=customer_id(pl.col("customer")),
        phone=pl.when(pl.col("has_phone")).then(phone_number(pl.col("digits"), pl.col("notation"))),
        email=pl.when(pl.col("has_email")).then(_email()),
    ).drop("first", "last", "style", "domain", "number")


def customer_id(index: pl.Expr) -> pl.Expr:
    """Customer identifier of a customer index: C0000001, C0000002, ..."""
    return pl.concat_str(pl.lit("C"), (index + 1).cast(pl.String).str.zfill(7))


def _email() -> pl.Expr:
    """anna.de.vries@..., a.devries17@..., annadevries@... made unique with the customer number."""
    last = pl.col("last").str.replace_all(" ", ".", literal=True)
    squashed = pl.col("last").str.replace_all(" ", "", literal=True)
    local = (
        pl.when(pl.col("style") == 0)
        .then(pl.concat_str(pl.col("first"), pl.lit("."), last))
        .when(pl.col("style") == 1)
        .then(
            pl.concat_str(
                pl.col("first").str.slice(0, 1), pl.lit("."), squashed, pl.col("number").cast(pl.String)
            )
        )
        .otherwise(pl.concat_str(pl.col("first"), squashed))
    )
    # The customer number keeps addresses unique without a look-up per customer.
    return pl.concat_str(
        local, pl.lit("."), (pl.col("customer") + 1).cast(pl.String), pl.lit("@"), pl.col("domain")
    )
