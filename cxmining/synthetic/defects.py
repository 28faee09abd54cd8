"""Deliberate damage to the fact files: defective rows, and clean rows re-sent the next day."""

from __future__ import annotations

import numpy as np
import polars as pl

from cxmining.ingest.contract import Source
from cxmining.synthetic.codes import named

DEFECT_KINDS = {
    "bad_timestamp": "a required timestamp that does not parse (e.g. 2026-13-45T99:00, yesterday)",
    "missing_id": "a required identifier left empty",
    "bad_value": "a value outside the contract's allowed list",
    "short_row": "fewer fields than the header",
    "nul_byte": "a NUL byte inside a text field",
}
BAD_TIMESTAMPS = ("2026-13-45T99:00", "yesterday", "2026-09-31T10:00:00Z", "03/09/2026 14:00")
BAD_VALUES = {
    "status": ("shipd", "in_transit"),
    "sales_channel": ("app", "marketplace"),
    "return_reason": ("too_big", "no_reason_given"),
    "event_type": ("pageview", "click"),
    "reason_code": ("wismo", "billing"),
    "outcome": ("hung_up", "voicemail"),
}
NUL_COLUMN = {"orders": "product_id", "web": "page", "calls": "notes"}


def with_defects(frame: pl.DataFrame, source: Source, rate: float, rng: np.random.Generator) -> pl.DataFrame:
    """`frame` (contract columns as text, plus `day`) with about `rate` of its rows damaged, each
    kind at least once, and as many clean rows marked to be re-sent in the next day's file.
    Adds `defect` and `defect_column` (null on clean rows), `fields` (set on short rows: how many
    fields are written) and `resend`."""
    n = frame.height
    count = 0 if rate <= 0 or n == 0 else min(max(round(rate * n), len(DEFECT_KINDS)), n // 10)
    rows = np.sort(rng.choice(n, size=count, replace=False)) if count else np.zeros(0, np.int64)
    kinds = np.array(list(DEFECT_KINDS))[rng.permutation(np.arange(count) % len(DEFECT_KINDS))]
    names = list(source.column_names)
    defect, column, fields = np.full(n, -1), np.full(n, -1), np.full(n, -1)
    out = {c: frame[c] for c in source.column_names}
    for kind in DEFECT_KINDS:
        at = rows[kinds == kind]
        if at.size == 0:
            continue
        cols, values = _damage(kind, source, out, at, rng)
        defect[at] = list(DEFECT_KINDS).index(kind)
        column[at] = [names.index(c) if c else -1 for c in cols]
        if kind == "short_row":
            fields[at] = values
            continue
        for name in set(cols):
            mine = at[cols == name]
            out[name] = out[name].scatter(mine, pl.Series(values[cols == name].tolist(), dtype=pl.String))
    last_day = frame["day"].max() if n else 0
    eligible = np.flatnonzero((defect < 0) & (frame["day"].to_numpy() < last_day))
    wanted = 0 if rate <= 0 else min(max(round(rate * n), 3), eligible.size)
    resend = np.zeros(n, bool)
    resend[rng.choice(eligible, size=wanted, replace=False)] = True
    return pl.DataFrame(out).with_columns(
        day=frame["day"],
        defect=named(pl.lit(pl.Series(defect)), list(DEFECT_KINDS)),
        defect_column=named(pl.lit(pl.Series(column)), names),
        fields=pl.Series(fields).replace(-1, None),
        resend=pl.Series(resend),
    )


def _damage(
    kind: str, source: Source, out: dict[str, pl.Series], at: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Column hit and new value (for short rows: the number of fields kept) of each damaged row."""
    m = at.size
    required = [c for c in source.columns if c.required]
    if kind == "bad_timestamp":
        cols = [c.name for c in required if c.type == "timestamp"]
        return np.array(rng.choice(cols, m), dtype=object), np.array(
            rng.choice(BAD_TIMESTAMPS, m), dtype=object
        )
    if kind == "missing_id":
        cols = [c.name for c in required if c.type == "text" and c.allowed is None]
        return np.array(rng.choice(cols, m), dtype=object), np.full(m, None, dtype=object)
    if kind == "bad_value":
        cols = np.array(rng.choice([c.name for c in source.columns if c.allowed], m), dtype=object)
        pick, values = rng.integers(0, 2, m), np.empty(m, dtype=object)
        for name in set(cols):
            values[cols == name] = np.array(BAD_VALUES[name], dtype=object)[pick[cols == name]]
        return cols, values
    if kind == "short_row":
        return np.full(m, None, dtype=object), rng.integers(2, len(source.columns), m)
    name = NUL_COLUMN[source.name]
    text = pl.col(name).fill_null("")
    half = text.str.len_chars() // 2
    nul = pl.DataFrame({name: out[name].gather(at)}).select(
        pl.concat_str(text.str.slice(0, half), pl.lit("\x00"), text.str.slice(half))
    )
    return np.full(m, name, dtype=object), nul.to_series().to_numpy().astype(object)
