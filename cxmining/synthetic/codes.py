"""Integer codes of the simulation turned into the names the files show."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def named(codes: pl.Expr, names: Sequence[str]) -> pl.Expr:
    """`names[code]` for each code; null where the code is not an index of `names` (e.g. -1)."""
    return codes.replace_strict(list(range(len(names))), list(names), default=None, return_dtype=pl.String)
