"""Record boundaries found from the bytes agree with Python's csv module on messy CSV."""

from __future__ import annotations

import csv
import io
import random

import numpy as np
import pytest

from cxmining.ingest.csv_layout import csv_layout, record_units

ALPHABET = ['a', 'b', ' ', ',', '"', '\n', '<', '&', 'é', '\r\n']


def messy_csv(seed: int) -> tuple[bytes, list[int], list[list[str]]]:
    """A CSV with quoted commas, quotes and newlines; returns bytes, start line of each record, rows."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows = [["id", "text", "n"]]
    for i in range(200):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12)))
        rows.append([f"R{i}", text, str(i)])
    starts, line = [], 1
    for row in rows:
        starts.append(line)
        before = buffer.tell()
        writer.writerow(row)
        line += buffer.getvalue()[before:].count("\n")
    return buffer.getvalue().encode("utf-8"), starts, rows


@pytest.mark.parametrize("seed", [1, 2, 3, 42])
def test_units_start_on_the_lines_where_records_start(seed: int) -> None:
    data, starts, rows = messy_csv(seed)
    layout = csv_layout(data)
    assert list(layout.line) == starts
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert parsed == rows
    for unit, row in enumerate(rows):
        assert next(csv.reader(io.StringIO(layout.text(unit), newline=""))) == row


def test_blank_lines_are_units_and_rejected_records_are_skipped() -> None:
    data = b'h1,h2\r\na,"x\r\ny"\r\n\r\nb,2\r\nc,3'
    layout = csv_layout(data)
    assert list(layout.line) == [1, 2, 4, 5, 6]
    assert list(layout.blank) == [False, False, True, False, False]
    assert layout.text(1) == 'a,"x\r\ny"'
    # DuckDB numbers units from 1 (header) and reports "b,2" as line 4: the good records are a and c.
    assert list(record_units(layout, np.array([4]), good_rows=2)) == [1, 4]
    assert record_units(layout, np.array([4]), good_rows=3) is None  # disagreement is detected, not guessed
