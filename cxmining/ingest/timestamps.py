"""Reading text timestamps into UTC, the same way for landing files, imported logs and competitors' journeys.

An explicit offset (`Z`, `+01:00`) makes an instant; a date alone names a day, not an instant, so it stays on its own
day at 00:00; anything else is clock time in the given zone. Stored as naive UTC `TIMESTAMP`s.
"""

from __future__ import annotations

# An explicit offset after a time of day: Z, +01, +0100 or +01:00. A date alone carries none.
OFFSET_PATTERN = r"[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?\s*([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$"
# A calendar date without a time of day.
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
PATTERNS = {"offset_pattern": OFFSET_PATTERN, "date_pattern": DATE_PATTERN}  # the parameters utc_timestamp_sql binds


def utc_timestamp_sql(text: str) -> str:
    """SQL turning the text expression `text` into a naive UTC TIMESTAMP, NULL when it does not parse.

    Binds $offset_pattern and $date_pattern (PATTERNS) and $zone, the zone of clock times without an offset. `text` is
    a column reference the caller built from a quoted or allow-listed name.
    """
    return (f"CASE WHEN {text} IS NULL THEN NULL "
            f"WHEN regexp_matches({text}, $offset_pattern) THEN timezone('UTC', TRY_CAST({text} AS TIMESTAMPTZ)) "
            f"WHEN regexp_matches({text}, $date_pattern) THEN CAST(TRY_CAST({text} AS DATE) AS TIMESTAMP) "
            f"ELSE timezone('UTC', timezone($zone, TRY_CAST({text} AS TIMESTAMP))) END")
