"""Run history in the store: each run's parameters, counts and step timings, the headline metrics after it, and drift.

`recorded_run` writes `runs`, `run_steps` and `run_metrics` in one transaction; `metric_changes` compares a run's
metrics with the previous completed run's, and `drift_flags` says which changes exceed the `DriftThresholds`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

import duckdb

from cxmining.demand.tables import failure_demand_headline
from cxmining.errors import CxminingError, StoreError
from cxmining.ingest.load import FileReport
from cxmining.runs.memory import peak_reset, peak_rss_mb
from cxmining.store import opened, relations, require, sql_text, transaction, utc_now
from cxmining.store.span import event_span

RUN_FILES = ("runs/runs.sql", "runs/run_steps.sql", "runs/run_metrics.sql")
RUN_TABLES = ("runs", "run_steps", "run_metrics")

# The previous run a run is compared with: the latest *completed* run that finished before it, so a run that
# crashed half-way (and left stale or partial figures) is never the baseline. A partial run built every table (it only
# skipped pictures, what-if or the report), so its figures count.
CHANGES = """
WITH this AS (SELECT run_id, finished_at FROM runs WHERE run_id = $run_id),
previous AS (
    SELECT r.run_id
    FROM runs AS r, this
    WHERE r.status IN ('completed', 'partial') AND r.run_id <> this.run_id AND r.finished_at <= this.finished_at
    ORDER BY r.finished_at DESC, r.started_at DESC
    LIMIT 1
)
SELECT m.metric, m.value, p.value AS previous, (SELECT run_id FROM previous) AS previous_run_id
FROM run_metrics AS m
LEFT JOIN run_metrics AS p ON p.metric = m.metric AND p.run_id = (SELECT run_id FROM previous)
WHERE m.run_id = $run_id
ORDER BY m.metric
"""


@dataclass(frozen=True)
class StepTiming:
    """One step of a run: when it started, how long it took, and the rows it read or produced."""

    step: str
    started_at: datetime  # UTC, naive
    seconds: float
    rows: int | None = None
    peak_mb: float | None = None  # the process's peak resident memory during the step; None: unknown


class StepClock:
    """A run's step timings taken as laps: each `lap` closes a step that began when the previous one ended."""

    def __init__(self, on_lap: Callable[[StepTiming], None] | None = None) -> None:
        self.started_at = utc_now()
        self.steps: list[StepTiming] = []
        self._on_lap = on_lap  # told of every step as it closes (the run's progress)
        self._lap_began = time.perf_counter()
        self._lap_began_at = self.started_at
        self._peaks = peak_reset()  # peaks per step only where the high-water mark can be reset

    def lap(self, step: str, rows: int | None = None) -> StepTiming:
        """Close the current step under `step` (with its row count, if any, and its peak memory); the next step starts
        now."""
        now = time.perf_counter()
        peak = peak_rss_mb() if self._peaks else None
        timing = StepTiming(step, self._lap_began_at, now - self._lap_began, rows, peak)
        self.steps.append(timing)
        self._peaks = self._peaks and peak_reset()
        self._lap_began, self._lap_began_at = now, utc_now()
        if self._on_lap:
            self._on_lap(timing)
        return timing


@dataclass(frozen=True)
class RunRecord:
    """The row of `runs` for one run."""

    run_id: str
    started_at: datetime  # UTC, naive
    finished_at: datetime  # UTC, naive
    status: Literal["completed", "partial", "failed", "interrupted"]  # partial: an optional step skipped;
    # interrupted: killed before it recorded itself (found by the next run)
    parameters: Mapping[str, object]  # stored as JSON; values that are not JSON (paths) as text
    landing: str
    files_loaded: int = 0
    files_skipped: int = 0
    files_refused: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    error: str | None = None


def run_record(
    run_id: str,
    started_at: datetime,
    parameters: Mapping[str, object],
    landing: str | Path,
    reports: Sequence[FileReport],
    error: BaseException | str | None = None,
    skipped: Mapping[str, str] | None = None,
) -> RunRecord:
    """The run's record, finishing now: file and row counts summed over its file reports; failed if `error`, partial
    if it `skipped` optional steps (step: why; said in `error`)."""
    if isinstance(error, CxminingError):
        error = str(error)  # already a message for a user
    elif isinstance(error, BaseException):
        error = f"{type(error).__name__}: {error}"
    status = {"loaded": 0, "skipped": 0, "rejected": 0}
    for report in reports:
        status[report.status] += 1
    return RunRecord(
        run_id=run_id, started_at=started_at, finished_at=utc_now(),
        status="failed" if error else "partial" if skipped else "completed",
        parameters=parameters, landing=str(landing),
        files_loaded=status["loaded"], files_skipped=status["skipped"], files_refused=status["rejected"],
        rows_read=sum(r.rows_read for r in reports), rows_loaded=sum(r.rows_loaded for r in reports),
        rows_quarantined=sum(r.rows_quarantined for r in reports), rows_duplicate=sum(r.rows_duplicate for r in reports),
        error=error or ("; ".join(f"{step} skipped: {why}" for step, why in skipped.items()) if skipped else None),
    )


def _scalar(con: duckdb.DuckDBPyConnection, query: str) -> float | None:
    """The single value of `query`, as a float (None when NULL)."""
    value = con.execute(query).fetchone()[0]
    return None if value is None else float(value)


def headline_metrics(db: str | Path | duckdb.DuckDBPyConnection) -> dict[str, float]:
    """The store's headline figures now; a figure whose tables are missing (no demand tables yet...) is left out.

    journeys, events, variants (of an imported log: its cases and events); fitness:<journey type> and fitting_share:<journey type> of `conformance_summary`
    ('all' when it covered every journey); failure_demand_journey_share, failure_demand_calls and
    avoidable_calls_per_month of the failure-demand tables; quarantine_share of all rows read from loaded files.
    """
    with opened(db) as con:
        found = relations(con)
        counts = {metric: f"SELECT count(*) FROM {metric}" for metric in ("journeys", "variants")}
        queries = {metric: query for metric, query in counts.items() if metric in found}
        if "journeys" not in found and "case_durations" in found:  # an imported log: its cases are the journeys
            queries["journeys"] = "SELECT count(*) FROM case_durations"
        if "events" not in found and "journey_events" in found:
            queries["events"] = "SELECT count(*) FROM journey_events"
        if "ingested_files" in found:
            queries["quarantine_share"] = (
                "SELECT sum(rows_quarantined) / nullif(sum(rows_read), 0) FROM ingested_files WHERE status = 'loaded'"
            )
        metrics = {metric: _scalar(con, query) for metric, query in queries.items()}
        if "events" in found:
            metrics["events"] = event_span(con).events
        if {"contact_demand", "avoidable_calls", "journeys"} <= found:
            metrics |= failure_demand_headline(con)
        if "conformance_summary" in found:
            for journey_type, fitness, fitting in con.execute(
                "SELECT coalesce(journey_type, 'all'), fitness, fitting_share FROM conformance_summary"
            ).fetchall():
                metrics[f"fitness:{journey_type}"] = fitness
                metrics[f"fitting_share:{journey_type}"] = fitting
    return {metric: float(value) for metric, value in sorted(metrics.items()) if value is not None}


def interrupted_run(db: str | Path | duckdb.DuckDBPyConnection, left: Mapping[str, object] | None,
                    found_by: str) -> str | None:
    """Record the run a killed holder of the store's run lock left a note of (`run_lock`) as `interrupted` in `runs`;
    its run id, or None when there is none or it is recorded already. Its `finished_at` is when run `found_by` found
    it (when it ended is not known), its `error` says so. A store's `run_starts` of an earlier version is dropped."""
    with opened(db) as con:
        for relative in RUN_FILES:
            con.execute(sql_text(relative))
        con.execute("DROP TABLE IF EXISTS run_starts")
        run_id = (left or {}).get("run_id")
        if not run_id or con.execute("SELECT count(*) FROM runs WHERE run_id = $run_id", {"run_id": run_id}).fetchone()[0]:
            return None
        con.execute(
            "INSERT INTO runs BY NAME SELECT $run_id AS run_id, $started_at::TIMESTAMP AS started_at, "
            "$found AS finished_at, 'interrupted' AS status, $parameters AS parameters, $landing AS landing, "
            "0 AS files_loaded, 0 AS files_skipped, 0 AS files_refused, 0 AS rows_read, 0 AS rows_loaded, "
            "0 AS rows_quarantined, 0 AS rows_duplicate, "
            "'interrupted: no end was recorded (killed, or its machine stopped); found by run ' || $found_by "
            "|| '; finished_at is when it was found' AS error",
            {"run_id": str(run_id), "started_at": str(left.get("started_at") or utc_now()), "found": utc_now(),
             "parameters": json.dumps(left.get("parameters") or {}, default=str, sort_keys=True),
             "landing": str(left.get("landing") or ""), "found_by": found_by})
    return str(run_id)


def recorded_run(
    db: str | Path | duckdb.DuckDBPyConnection, record: RunRecord, steps: Sequence[StepTiming] = ()
) -> dict[str, float]:
    """Write the run, its step timings and the store's headline metrics now, in one transaction; return the metrics.

    Recording a run_id again replaces what was recorded for it.
    """
    with opened(db) as con:
        for relative in RUN_FILES:
            con.execute(sql_text(relative))
        with transaction(con):  # a reader sees the whole run or none of it
            metrics = headline_metrics(con)
            for table in RUN_TABLES:
                con.execute(f"DELETE FROM {table} WHERE run_id = $run_id", {"run_id": record.run_id})
            row = asdict(record) | {"parameters": json.dumps(dict(record.parameters), default=str, sort_keys=True)}
            con.execute(
                f"INSERT INTO runs BY NAME SELECT {', '.join(f'${name} AS {name}' for name in row)}", row
            )
            for s in steps:
                con.execute("INSERT INTO run_steps BY NAME SELECT $run_id AS run_id, $step AS step, "
                            "$started_at AS started_at, $seconds AS seconds, $rows AS rows, $peak_mb AS peak_mb",
                            {"run_id": record.run_id, "step": s.step, "started_at": s.started_at, "seconds": s.seconds,
                             "rows": s.rows, "peak_mb": s.peak_mb})
            for metric, value in metrics.items():
                con.execute("INSERT INTO run_metrics VALUES ($run_id, $finished_at, $metric, $value)",
                            {"run_id": record.run_id, "finished_at": record.finished_at, "metric": metric, "value": value})
    return metrics


@dataclass(frozen=True)
class MetricChange:
    """A metric of a run next to its value in the previous completed run (None when there is none)."""

    metric: str
    value: float
    previous: float | None
    previous_run_id: str | None

    @property
    def change(self) -> float | None:
        """Absolute change since the previous run."""
        return None if self.previous is None else self.value - self.previous

    @property
    def relative_change(self) -> float | None:
        """Change as a share of the previous value (infinite when it grew from 0, None when both are 0)."""
        if self.previous is None or (self.previous == 0 and self.value == 0):
            return None
        if self.previous == 0:
            return math.copysign(math.inf, self.value)
        return (self.value - self.previous) / abs(self.previous)


def metric_changes(db: str | Path | duckdb.DuckDBPyConnection, run_id: str) -> list[MetricChange]:
    """Each metric recorded for `run_id`, with the previous completed run's value, sorted by metric."""
    with opened(db) as con:
        require(con, RUN_TABLES, "this store has no run history yet; run `cxmining run`")
        if not con.execute("SELECT count(*) FROM runs WHERE run_id = $run_id", {"run_id": run_id}).fetchone()[0]:
            raise StoreError(f"no run {run_id!r} in the store's run history")
        rows = con.execute(CHANGES, {"run_id": run_id}).fetchall()
    return [MetricChange(metric, value, previous, previous_run if previous is not None else None)
            for metric, value, previous, previous_run in rows]


@dataclass(frozen=True)
class DriftThresholds:
    """How far a headline metric may move between two runs before the move is flagged (flow parameters)."""

    fitness_drop: float = 0.05  # fall of any fitness:<journey type>, absolute (0.93 -> 0.87 is flagged)
    failure_share_rise: float = 0.05  # rise of failure_demand_journey_share, absolute (share of journeys)
    avoidable_calls_rise: float = 0.20  # rise of avoidable_calls_per_month, relative to the previous run (20%)

    def __post_init__(self) -> None:
        for name in ("fitness_drop", "failure_share_rise", "avoidable_calls_rise"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0 <= value < math.inf:
                raise CxminingError(f"drift threshold {name} must be a number >= 0, got {value!r}")


@dataclass(frozen=True)
class DriftFlag:
    """A metric that moved beyond its threshold since the previous completed run."""

    metric: str
    value: float
    previous: float
    previous_run_id: str
    threshold: float
    message: str = field(compare=False)


def drifted(changes: list[MetricChange], thresholds: DriftThresholds = DriftThresholds()) -> list[DriftFlag]:
    """The changes beyond `thresholds`: a fall in fitness, a rise in the failure-demand journey share (both
    absolute), a relative rise in avoidable calls per month. A metric without a previous value is never flagged."""
    flags = []
    for c in changes:
        if c.previous is None or c.previous_run_id is None:
            continue
        since = f"({c.previous:.4g} -> {c.value:.4g} since run {c.previous_run_id})"
        if c.metric.startswith("fitness:") and -c.change > thresholds.fitness_drop:
            threshold, message = thresholds.fitness_drop, f"{c.metric} fell by {-c.change:.3f} {since}"
        elif c.metric == "failure_demand_journey_share" and c.change > thresholds.failure_share_rise:
            threshold, message = thresholds.failure_share_rise, f"{c.metric} rose by {c.change:.3f} {since}"
        elif c.metric == "avoidable_calls_per_month" and (c.relative_change or 0) > thresholds.avoidable_calls_rise:
            threshold, message = thresholds.avoidable_calls_rise, f"{c.metric} rose by {c.relative_change:.0%} {since}"
        else:
            continue
        flags.append(DriftFlag(c.metric, c.value, c.previous, c.previous_run_id, threshold,
                               f"drift: {message}, more than the threshold {threshold:g}"))
    return flags


def drift_flags(
    db: str | Path | duckdb.DuckDBPyConnection, run_id: str, thresholds: DriftThresholds = DriftThresholds()
) -> list[DriftFlag]:
    """The metrics of `run_id` that moved beyond `thresholds` since the previous completed run (see `drifted`)."""
    return drifted(metric_changes(db, run_id), thresholds)
