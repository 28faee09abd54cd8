"""Epoch-second arithmetic for the simulation: Amsterdam clock time, opening hours, daily rhythm."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np
import polars as pl

from cxmining.synthetic.settings import DAY

HOUR = 3_600
# Share of web sessions starting in each local hour: quiet nights, busy evenings.
WEB_HOURS = np.array(
    [4, 2, 1, 1, 1, 2, 5, 12, 20, 30, 34, 36, 38, 36, 34, 34, 36, 40, 46, 54, 60, 56, 40, 16],
    dtype=float,
)

# Share of calls per local hour when callers are free to choose: a morning peak, a smaller one after lunch.
CALL_HOURS = np.array(
    [0, 0, 0, 0, 0, 0, 0, 0, 9, 14, 15, 13, 10, 11, 12, 10, 9, 8, 6, 5, 0, 0, 0, 0], dtype=float
)


def epoch(day: date) -> int:
    """Epoch seconds of midnight UTC at the start of `day`."""
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


def _last_sunday_1am(year: int, month: int) -> int:
    last = date(year, month + 1, 1) - timedelta(days=1)
    return epoch(last - timedelta(days=(last.weekday() - 6) % 7)) + HOUR


def amsterdam_offset(ts: np.ndarray) -> np.ndarray:
    """UTC offset (seconds) of Europe/Amsterdam at each instant: summer time from the last Sunday
    of March to the last Sunday of October, 01:00 UTC (the EU rule)."""
    ts = np.asarray(ts, dtype=np.int64)
    if ts.size == 0:
        return np.zeros(0, np.int64)
    first, last = (datetime.fromtimestamp(int(t), timezone.utc).year for t in (ts.min(), ts.max()))
    changes = np.array(
        [_last_sunday_1am(y, m) for y in range(first, last + 1) for m in (3, 10)], dtype=np.int64
    )
    summer = np.searchsorted(changes, ts, side="right") % 2 == 1
    return np.where(summer, 2 * HOUR, HOUR).astype(np.int64)


def local_clock(day: np.ndarray, seconds: np.ndarray, t0: int) -> np.ndarray:
    """UTC instants of Amsterdam clock time `seconds` after midnight on day `day` of the period."""
    naive = t0 + np.asarray(day, np.int64) * DAY + np.asarray(seconds, np.int64)
    return naive - amsterdam_offset(naive - 2 * HOUR)


def web_times(day: np.ndarray, rng: np.random.Generator, t0: int) -> np.ndarray:
    """Session start instants on the given days, following the website's daily rhythm."""
    hour = rng.choice(24, size=len(day), p=WEB_HOURS / WEB_HOURS.sum())
    return local_clock(day, hour * HOUR + rng.integers(0, HOUR, len(day)), t0)


def web_time_after(ts: np.ndarray, gap: np.ndarray, rng: np.random.Generator, t0: int) -> np.ndarray:
    """A moment on the (Amsterdam) day `gap` seconds after `ts`, at an hour of the website's
    rhythm, and at least ten minutes after `ts` (else a day later)."""
    target = np.asarray(ts, np.int64) + np.asarray(gap, np.int64)
    day = (target + amsterdam_offset(target) - t0) // DAY
    moment = web_times(day, rng, t0)
    return np.where(moment < ts + 600, moment + DAY, moment)


def opening_hours(ts: np.ndarray, rng: np.random.Generator, opens: int = 8, closes: int = 20) -> np.ndarray:
    """`ts` where it falls in opening hours (Monday-Saturday, Amsterdam time), else a moment on
    the next open day, at an hour drawn from the call centre's daily rhythm."""
    ts = np.asarray(ts, np.int64)
    local = ts + amsterdam_offset(ts)
    day, second = np.divmod(local, DAY)
    early, late = second < opens * HOUR, second >= closes * HOUR
    day = day + late
    sunday = (day + 3) % 7 == 6  # 1970-01-01 was a Thursday
    closed = early | late | sunday
    day = day + sunday
    open_hours = CALL_HOURS[opens:closes] / CALL_HOURS[opens:closes].sum()
    hour = opens + rng.choice(closes - opens, size=len(ts), p=open_hours)
    moved = day * DAY + hour * HOUR + rng.integers(0, HOUR, len(ts))
    naive = np.where(closed, moved, local)
    return np.where(closed, naive - amsterdam_offset(naive - 2 * HOUR), ts)


def iso_utc(seconds: pl.Expr) -> pl.Expr:
    """Epoch seconds as ISO-8601 UTC text: 2026-09-03T08:15:02Z."""
    return pl.from_epoch(seconds, time_unit="s").dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_amsterdam(seconds: pl.Expr) -> pl.Expr:
    """Epoch seconds as ISO-8601 Amsterdam clock time with its offset: 2026-09-03T10:15:02+02:00."""
    local = (
        pl.from_epoch(seconds, time_unit="s")
        .dt.replace_time_zone("UTC")
        .dt.convert_time_zone("Europe/Amsterdam")
    )
    return local.dt.strftime("%Y-%m-%dT%H:%M:%S%:z")


def day_index(seconds: pl.Expr, t0: int) -> pl.Expr:
    """Day of the period (0 = first day) of each instant, by its UTC date."""
    return ((seconds - t0) // DAY).cast(pl.Int64)
