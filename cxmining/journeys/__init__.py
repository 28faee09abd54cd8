"""Customer journeys: identities stitched across channels, and each event placed in at most one journey."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from cxmining.errors import CxminingError
from cxmining.store import opened, row_counts, sql_text, transaction

# Order matters: each relation reads the ones before it.
VIEW_FILES = (
    "journeys/phone_key.sql",
    "journeys/customer_phone_keys.sql",
    "journeys/visitor_logins.sql",
    "journeys/session_customers.sql",
)
TABLE_FILES = (  # rebuilt together in one transaction
    "journeys/stitched_events.sql",
    "journeys/journey_assignment.sql",
    "journeys/journeys.sql",
    "journeys/journey_events.sql",
    "journeys/stitching_coverage.sql",
)
RULE_PARAMETERS = {"journeys/journey_assignment.sql"}


@dataclass(frozen=True)
class JourneyRules:
    """The configurable parts of the case notion (docs/journeys.md)."""

    lookback_days: int = 14  # research this long before an order counts towards it
    quiet_days: int = 14  # contacts this long after an order's last event still belong to it

    def __post_init__(self) -> None:
        for name in ("lookback_days", "quiet_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= 365:
                raise CxminingError(f"{name} must be a whole number of days from 0 to 365, got {value!r}")


def journey_tables(db: str | Path | duckdb.DuckDBPyConnection, rules: JourneyRules = JourneyRules()) -> dict[str, int]:
    """(Re)build stitching views, `journey_assignment`, `journeys` and `journey_events`; return row counts."""
    with opened(db) as con:
        for relative in VIEW_FILES:
            con.execute(sql_text(relative))
        params = {"lookback_days": rules.lookback_days, "quiet_days": rules.quiet_days}
        with transaction(con):  # readers see the old journeys or the new ones, never a mix
            for relative in TABLE_FILES:
                con.execute(sql_text(relative), params if relative in RULE_PARAMETERS else None)
        return row_counts(con, ("journeys", "journey_events"))


def unstitched_shares(db: str | Path | duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Per source, the share of events no rule could attribute to a customer."""
    with opened(db) as con:
        rows = con.execute(
            "SELECT source, sum(share_of_source) FILTER (WHERE stitch_rule = 'not stitched') FROM stitching_coverage GROUP BY 1"
        ).fetchall()
        return {source: float(share or 0.0) for source, share in rows}
