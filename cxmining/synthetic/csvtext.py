"""CSV text built column-wise, so records can be cut short and their physical lines counted."""

from __future__ import annotations

from pathlib import Path

import polars as pl


def csv_field(column: pl.Expr) -> pl.Expr:
    """A text column as CSV fields: null is empty, quoted (quotes doubled) where it holds `,` `"` CR or LF."""
    quoted = pl.concat_str(pl.lit('"'), column.str.replace_all('"', '""', literal=True), pl.lit('"'))
    return pl.when(column.str.contains('[",\r\n]')).then(quoted).otherwise(column).fill_null("")


def csv_records(frame: pl.DataFrame, columns: tuple[str, ...], fields: pl.Expr | None = None) -> pl.Series:
    """One CSV record per row; where `fields` (an integer expression) is set, only that many leading
    fields are written: a short row."""
    full = pl.concat_str([csv_field(pl.col(c)) for c in columns], separator=",")
    if fields is None:
        return frame.select(full).to_series()
    expr = pl.when(fields.is_null()).then(full)
    for k in range(1, len(columns)):
        expr = expr.when(fields == k).then(
            pl.concat_str([csv_field(pl.col(c)) for c in columns[:k]], separator=",")
        )
    return frame.select(expr.otherwise(full)).to_series()


def physical_lines(records: pl.Series) -> pl.Series:
    """Lines each record takes in the file: one plus its embedded line feeds."""
    return records.str.count_matches("\n", literal=True).cast(pl.Int64) + 1


def write_csv_text(path: Path, columns: tuple[str, ...], records: pl.Series) -> None:
    """A header line and the records, each ending in a line feed, UTF-8."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        f.write((",".join(columns) + "\n").encode())
        if records.len():
            pl.DataFrame({"record": records}).write_csv(f, include_header=False, quote_style="never")
