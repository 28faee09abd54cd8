"""Where each record of a CSV file starts: physical line numbers and raw text for quarantined rows.

DuckDB's CSV reader numbers records, not physical lines, and only for rejected rows. This
module finds record boundaries from the bytes (newlines outside double quotes) with numpy, so a
quarantined row can be reported by the line a user sees in an editor, with its exact text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEWLINE, QUOTE, CR = 10, 34, 13


@dataclass(frozen=True)
class CsvLayout:
    """Records ("units") of a CSV file in file order; unit 0 is the header, blank lines are units too."""

    data: bytes
    start: np.ndarray  # byte offset where each unit starts
    end: np.ndarray  # byte offset where it ends (before its newline)
    line: np.ndarray  # physical line (1-based) where it starts
    blank: np.ndarray  # unit is an empty line

    def text(self, unit: int, encoding: str = "utf-8") -> str:
        """The unit's text as in the file (undecodable bytes shown as escapes)."""
        raw = self.data[self.start[unit] : self.end[unit]].removesuffix(b"\r")
        return raw.decode(encoding, errors="backslashreplace")


def csv_layout(data: bytes) -> CsvLayout:
    """Record boundaries of CSV bytes: a newline ends a record unless it lies inside quotes."""
    arr = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(arr == NEWLINE)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [arr.size]))
    if starts.size and starts[-1] == arr.size:  # file ends with a newline: no line after it
        starts, ends = starts[:-1], ends[:-1]
    quotes = np.flatnonzero(arr == QUOTE)
    opens_unit = np.searchsorted(quotes, starts) % 2 == 0  # even count of quotes before the line
    first_line = np.flatnonzero(opens_unit)
    unit_start = starts[first_line]
    unit_end = np.concatenate((unit_start[1:] - 1, [arr.size])) if unit_start.size else unit_start
    if unit_end.size and data.endswith(b"\n"):
        unit_end[-1] = arr.size - 1
    length = unit_end - unit_start
    last_byte = arr[np.clip(unit_start, 0, max(arr.size - 1, 0))] if arr.size else np.zeros(0, np.uint8)
    blank = (length == 0) | ((length == 1) & (last_byte == CR))
    return CsvLayout(data=data, start=unit_start, end=unit_end, line=first_line + 1, blank=blank)


def record_units(layout: CsvLayout, rejected_units: np.ndarray, good_rows: int) -> np.ndarray | None:
    """Unit index of each structurally good record, in order, or None if it disagrees with the reader.

    `rejected_units` are DuckDB's 1-based reject line numbers, which count records and blank lines.
    """
    candidates = np.flatnonzero(~layout.blank)
    candidates = candidates[candidates >= 1]  # unit 0 is the header
    rejected = np.unique(rejected_units.astype(np.int64) - 1)
    if not np.isin(rejected, candidates).all():
        return None
    good = candidates[~np.isin(candidates, rejected)]
    return good if good.size == good_rows else None

