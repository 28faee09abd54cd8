"""Dutch mobile numbers written in the notations people and phone systems use."""

from __future__ import annotations

import polars as pl

# Notations of 06-12345678; customer masters and the telephony system favour different ones.
NOTATIONS = ("+31 6 12345678", "0612345678", "06-12345678", "+31612345678", "+31 (0)6 1234 5678")
MASTER_SHARES = (0.3, 0.3, 0.25, 0.08, 0.07)
CALLER_SHARES = (0.05, 0.35, 0.0, 0.6, 0.0)


def phone_number(digits: pl.Expr, notation: pl.Expr) -> pl.Expr:
    """The number 06-`digits` (eight digits, an integer expression) in notation `notation`."""
    d = digits.cast(pl.String).str.zfill(8)
    e164 = pl.concat_str(pl.lit("+316"), d)
    return (
        pl.when(notation == 0)
        .then(pl.concat_str(pl.lit("+31 6 "), d))
        .when(notation == 1)
        .then(pl.concat_str(pl.lit("06"), d))
        .when(notation == 2)
        .then(pl.concat_str(pl.lit("06-"), d))
        .when(notation == 3)
        .then(e164)
        .otherwise(pl.concat_str(pl.lit("+31 (0)6 "), d.str.slice(0, 4), pl.lit(" "), d.str.slice(4, 4)))
    )
