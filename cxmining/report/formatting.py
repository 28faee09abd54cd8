"""How the report writes numbers, times and excerpts (the template's filters)."""

from __future__ import annotations

import re
from datetime import datetime


def figure(value: float | None, kind: str = "count") -> str:
    """A number as the report shows it: `1,234`, `12.3%`, `0.912`, `41.5`; `–` when missing."""
    if value is None:
        return "–"
    if kind == "share":
        return f"{100 * value:.1f}%"
    if kind == "score":
        return f"{value:.3f}"
    if kind == "rate":
        return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
    if kind == "p":
        return "< 0.001" if value < 0.001 else f"{value:.3f}"
    return f"{value:,.0f}"


def signed(value: float | None) -> str:
    """A change as the report shows it, with its sign: `+1.5`, `-28.8`, `+26,051`; `–` when missing."""
    if value is None:
        return "–"
    return f"{value:+,.1f}" if abs(value) < 100 else f"{value:+,.0f}"


WHEN = {"day": "%Y-%m-%d", "minute": "%Y-%m-%d %H:%M UTC", "time": "%H:%M", "short": "%d %b %H:%M"}


def when_text(value: datetime | None, unit: str = "minute") -> str:
    """A UTC time as the report shows it: to the day, to the minute, or the time of day only."""
    return "–" if value is None else value.strftime(WHEN[unit])


def excerpt(text: str | None, limit: int = 180) -> str:
    """The start of a text on one line, cut at `limit` characters (escaping is the template's job)."""
    if not text:
        return ""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
