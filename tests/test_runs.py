"""Run history: every nightly run recorded with its counts, step timings and headline metrics; changes and drift."""

from __future__ import annotations

import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from helpers import CALLS_HEADER, ROOT, WEB_HEADER, call_row, table_counts, write_lines

from cxmining.errors import CxminingError, ModelError, RunFailed
from cxmining.runs.history import (
    DriftThresholds,
    MetricChange,
    RunRecord,
    StepClock,
    StepTiming,
    drift_flags,
    headline_metrics,
    metric_changes,
    recorded_run,
)
from cxmining.store.snapshot import snapshot_path
from cxmining.synthetic import write_sample
from pipelines.nightly import nightly

MODELS = ROOT / "data" / "sample" / "models" / "models.yaml"
SOURCES = ("calls", "web", "orders", "products", "customers")



@pytest.fixture(scope="module")
def two_runs(harness, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict]]:
    """A fresh sample run through the flow twice (the second run finds nothing new): store, landing, results."""
    folder = tmp_path_factory.mktemp("runs")
    landing = folder / "landing"
    write_sample(landing, customers=30, seed=31, days=7)
    db = folder / "store.duckdb"
    results = [nightly(landing=landing, db=db, out=folder / "out", models=MODELS) for _ in range(2)]
    return db, landing, results


def _rows(con: duckdb.DuckDBPyConnection, query: str, params: dict | None = None) -> list[dict]:
    found = con.execute(query, params)
    names = [d[0] for d in found.description]
    return [dict(zip(names, row, strict=True)) for row in found.fetchall()]


def test_each_run_is_recorded_with_its_counts_steps_and_metrics(two_runs) -> None:
    db, landing, results = two_runs
    landed = sum(1 for source in SOURCES for path in (landing / source).iterdir() if path.is_file())
    with duckdb.connect(str(db), read_only=True) as con:
        first, second = _rows(con, "SELECT * FROM runs ORDER BY started_at")
        loaded = _rows(con, "SELECT count(*) AS files, sum(rows_read) AS rows_read, sum(rows_loaded) AS rows_loaded, "
                            "sum(rows_quarantined) AS rows_quarantined, sum(rows_duplicate) AS rows_duplicate "
                            "FROM ingested_files WHERE status = 'loaded' AND run_id = $run_id", {"run_id": first["run_id"]})[0]
        lookback = con.execute("SELECT parameters->>'lookback_days', parameters->>'landing' FROM runs LIMIT 1").fetchone()
        steps = _rows(con, "SELECT * FROM run_steps WHERE run_id = $run_id ORDER BY started_at", {"run_id": first["run_id"]})
        metrics = dict(con.execute("SELECT metric, value FROM run_metrics WHERE run_id = $run_id",
                                   {"run_id": second["run_id"]}).fetchall())
        truth = {
            "journeys": con.execute("SELECT count(*) FROM journeys").fetchone()[0],
            "events": con.execute("SELECT count(*) FROM events").fetchone()[0],
            "variants": con.execute("SELECT count(*) FROM variants").fetchone()[0],
            "fitness:order": con.execute("SELECT fitness FROM conformance_summary WHERE journey_type = 'order'").fetchone()[0],
            "quarantine_share": con.execute("SELECT sum(rows_quarantined) / sum(rows_read) FROM ingested_files").fetchone()[0],
        }
        has_demand = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'contact_demand'").fetchone()[0]

    assert [first["run_id"], second["run_id"]] == [r["run_id"] for r in results]
    assert first["status"] == second["status"] == "completed" and first["error"] is None
    assert first["files_loaded"] == loaded["files"] > 0
    assert {k: first[k] for k in ("rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate")} == {
        k: loaded[k] for k in ("rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate")}
    assert first["files_loaded"] + first["files_skipped"] == landed
    # The second run finds every file loaded before.
    assert (second["files_loaded"], second["files_skipped"], second["files_refused"], second["rows_read"]) == (0, landed, 0, 0)
    assert second["started_at"] >= first["finished_at"] >= first["started_at"]
    assert lookback == ("14", str(landing))

    assert [s["step"] for s in steps][:3] == ["ingest", "journeys", "process statistics"]
    assert "conformance" in [s["step"] for s in steps]
    assert steps[0]["rows"] == first["rows_read"] and steps[1]["rows"] == truth["journeys"]
    assert all(s["seconds"] >= 0 and first["started_at"] <= s["started_at"] <= first["finished_at"] for s in steps)
    assert all(s["peak_mb"] > 50 for s in steps)  # the flow's process: Python, DuckDB, pm4py
    for metric, value in truth.items():
        assert metrics[metric] == pytest.approx(value), metric
    if has_demand:  # the failure-demand tables of the flow feed the headline metrics
        assert {"failure_demand_journey_share", "avoidable_calls_per_month", "failure_demand_calls"} <= set(metrics)


def test_each_step_has_its_own_peak_memory() -> None:
    clock = StepClock()
    held = bytearray(400 * 2**20)  # 400 MB, touched
    for i in range(0, len(held), 4096):
        held[i] = 1
    del held
    big = clock.lap("allocates 400 MB")
    small = clock.lap("allocates nothing")
    assert big.peak_mb - small.peak_mb > 350  # the second step's peak starts from what is in use, not the first's


def test_the_second_run_is_compared_with_the_first(two_runs) -> None:
    db, _, results = two_runs
    first, second = (r["run_id"] for r in results)
    before = {c.metric: c for c in metric_changes(db, first)}
    after = {c.metric: c for c in metric_changes(db, second)}
    assert set(after) == set(before) and {"journeys", "events", "fitness:order"} <= set(after)
    assert all(c.previous is None and c.change is None for c in before.values())
    for metric, change in after.items():
        assert change.previous_run_id == first
        assert change.previous == before[metric].value
        assert change.change == pytest.approx(change.value - change.previous)
    assert after["journeys"].change == 0  # nothing new was loaded
    assert drift_flags(db, second) == []


def test_the_flow_publishes_a_snapshot_with_the_run_history(two_runs) -> None:
    db, _, results = two_runs
    snapshot = snapshot_path(db)
    assert results[-1]["snapshot"] == str(snapshot)
    assert table_counts(snapshot) == table_counts(db)
    with duckdb.connect(str(snapshot), read_only=True) as con:
        assert {r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()} == {r["run_id"] for r in results}


def test_the_data_dictionary_names_every_relation_of_the_store(two_runs) -> None:
    db, _, _ = two_runs
    documented = set(re.findall(r"`([a-z_]+)`", (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")))
    with duckdb.connect(str(db), read_only=True) as con:
        relations = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
            "UNION SELECT view_name FROM duckdb_views() WHERE NOT temporary AND NOT internal").fetchall()}
    assert {"runs", "run_steps", "run_metrics", "events", "journeys"} <= relations
    assert relations - documented == set()
    # ...and every lasting relation the SQL files create, also those this flow run did not build (imported logs...)
    created = {m.group(1) for path in (ROOT / "sql").rglob("*.sql") for m in re.finditer(
        r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", path.read_text(encoding="utf-8"))}
    assert {"runs", "imported_events", "contact_demand"} <= created
    assert created - documented == set()


def _record(con: duckdb.DuckDBPyConnection, run_id: str, finished: datetime, status: str, metrics: dict[str, float]) -> None:
    """A run recorded in an empty store, with `metrics` written as its run_metrics rows."""
    record = RunRecord(run_id, finished - timedelta(minutes=5), finished, status, {"noise": 0.2}, "landing",  # type: ignore[arg-type]
                       error=None if status == "completed" else "boom")
    recorded_run(con, record)
    con.executemany("INSERT INTO run_metrics VALUES (?, ?, ?, ?)", [(run_id, finished, m, v) for m, v in metrics.items()])


def test_drift_is_flagged_beyond_the_thresholds_against_the_last_completed_run() -> None:
    con = duckdb.connect()
    night = datetime(2026, 10, 1, 2, 30)
    _record(con, "r1", night, "completed", {"fitness:order": 0.90, "fitness:web": 0.80, "failure_demand_journey_share": 0.30,
                                            "avoidable_calls_per_month": 100.0, "journeys": 50.0})
    # A failed night with wild figures is never the baseline.
    _record(con, "r2", night + timedelta(days=1), "failed", {"fitness:order": 0.10, "avoidable_calls_per_month": 500.0})
    _record(con, "r3", night + timedelta(days=2), "completed", {
        "fitness:order": 0.84, "fitness:web": 0.86, "failure_demand_journey_share": 0.36,
        "avoidable_calls_per_month": 125.0, "journeys": 10.0, "fitness:returns": 0.2})

    changes = {c.metric: c for c in metric_changes(con, "r3")}
    assert {c.previous_run_id for c in changes.values() if c.previous is not None} == {"r1"}
    assert changes["fitness:returns"].previous is None
    assert changes["avoidable_calls_per_month"].relative_change == pytest.approx(0.25)

    flags = drift_flags(con, "r3")
    assert {f.metric for f in flags} == {"fitness:order", "failure_demand_journey_share", "avoidable_calls_per_month"}
    assert all(f.previous_run_id == "r1" and f.metric in f.message for f in flags)
    assert drift_flags(con, "r3", DriftThresholds(fitness_drop=0.07, failure_share_rise=0.07, avoidable_calls_rise=0.3)) == []
    assert [f.metric for f in drift_flags(con, "r3", DriftThresholds(fitness_drop=0.05, failure_share_rise=0.07,
                                                                     avoidable_calls_rise=0.3))] == ["fitness:order"]
    # The failed run itself is compared with the completed run before it.
    assert [f.metric for f in drift_flags(con, "r2")] == ["avoidable_calls_per_month", "fitness:order"]
    # Growing from no avoidable calls at all is a rise beyond any relative threshold.
    assert MetricChange("avoidable_calls_per_month", 3.0, 0.0, "r0").relative_change == float("inf")
    with pytest.raises(CxminingError, match="fitness_drop"):
        DriftThresholds(fitness_drop=-0.1)


def test_failure_demand_metrics_come_from_the_demand_tables_when_they_exist() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE journeys AS SELECT 'J' || range AS journey_id FROM range(40)")
    con.execute("CREATE TABLE contact_demand AS SELECT 'J' || (range * 7 % 40) AS journey_id, "
                "CASE WHEN range % 3 = 0 THEN 'failure' ELSE 'value' END AS demand, "
                "CASE WHEN range % 2 = 0 THEN 'phone' ELSE 'web' END AS channel FROM range(50)")
    assert "failure_demand_journey_share" not in headline_metrics(con)  # no avoidable_calls yet: left out, no error
    con.execute("CREATE TABLE avoidable_calls AS SELECT range * 1.5 AS calls_per_month FROM range(4)")
    rows = con.execute("SELECT journey_id, demand, channel FROM contact_demand").fetchall()
    failing = {j for j, demand, _ in rows if demand == "failure"}
    metrics = headline_metrics(con)
    assert metrics["failure_demand_journey_share"] == pytest.approx(len(failing) / 40)
    assert metrics["failure_demand_calls"] == sum(1 for _, d, c in rows if d == "failure" and c == "phone")
    assert metrics["avoidable_calls_per_month"] == pytest.approx(sum(i * 1.5 for i in range(4)))
    assert metrics["journeys"] == 40


def test_recording_a_run_again_replaces_it() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE journeys AS SELECT range AS journey_id FROM range(7)")
    started = datetime(2026, 10, 1, 2, 30)
    steps = [StepTiming("ingest", started, 1.5, 10), StepTiming("journeys", started + timedelta(seconds=2), 0.5, 7)]
    record = RunRecord("r1", started, started + timedelta(minutes=1), "completed", {}, "landing", files_loaded=3, rows_read=10)
    assert recorded_run(con, record, steps) == {"journeys": 7.0}
    con.execute("INSERT INTO journeys VALUES (8)")
    again = RunRecord("r1", started, started + timedelta(minutes=2), "failed", {}, "landing", files_refused=1, error="refused")
    assert recorded_run(con, again, steps[:1]) == {"journeys": 8.0}
    assert con.execute("SELECT status, files_loaded, files_refused, error FROM runs").fetchall() == [("failed", 0, 1, "refused")]
    assert con.execute("SELECT step FROM run_steps").fetchall() == [("ingest",)]
    assert con.execute("SELECT metric, value FROM run_metrics").fetchall() == [("journeys", 8.0)]


def test_a_run_with_a_refused_file_is_recorded_as_failed_and_still_publishes(harness, landing: Path, tmp_path: Path) -> None:
    write_lines(landing / "calls" / "c.csv", ["call_id,started_at", "K1,2026-09-01T10:00:00Z"])
    write_lines(landing / "web" / "w.csv", [WEB_HEADER, "W1,S1,V1,,2026-09-01T08:00:00Z,search,/search,,"])
    db = tmp_path / "s.duckdb"
    with pytest.raises(RunFailed) as failed:
        nightly(landing=landing, db=db, out=tmp_path / "out")
    with duckdb.connect(str(db), read_only=True) as con:
        [run] = _rows(con, "SELECT * FROM runs")
    assert run["status"] == "failed" and run["error"] == str(failed.value)
    assert (run["files_loaded"], run["files_refused"], run["rows_read"]) == (1, 1, 1)
    assert snapshot_path(db).is_file()  # every step ran: the store is whole, readers get it


def test_a_run_that_breaks_half_way_is_recorded_as_failed_and_leaves_the_snapshot(two_runs, tmp_path: Path) -> None:
    shared_db, shared_landing, results = two_runs
    landing, db = tmp_path / "landing", tmp_path / "store.duckdb"  # copies: the other tests keep their two runs
    shutil.copytree(shared_landing, landing)
    shutil.copy(shared_db, db)
    shutil.copy(snapshot_path(shared_db), snapshot_path(db))
    write_lines(landing / "calls" / "late.csv", [CALLS_HEADER, call_row("LATE1")])  # the broken run loads a new file
    broken = tmp_path / "models.yaml"
    broken.write_text("order:\n  model: no_such_model.bpmn\n", encoding="utf-8")
    with pytest.raises(ModelError) as failed:
        nightly(landing=landing, db=db, out=tmp_path / "out", models=broken)
    with duckdb.connect(str(db), read_only=True) as con:
        runs = _rows(con, "SELECT * FROM runs ORDER BY started_at")
        steps = [r[0] for r in con.execute("SELECT step FROM run_steps WHERE run_id = $run_id ORDER BY started_at",
                                           {"run_id": runs[-1]["run_id"]}).fetchall()]
    assert [r["status"] for r in runs] == ["completed", "completed", "failed"]
    assert runs[-1]["error"] == str(failed.value) and runs[-1]["files_loaded"] == 1
    assert steps[0] == "ingest" and "conformance" not in steps
    with duckdb.connect(str(snapshot_path(db)), read_only=True) as con:  # still the last whole store
        assert {r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()} == {r["run_id"] for r in results}


def test_a_run_killed_before_it_recorded_itself_is_recorded_by_the_next_as_interrupted(harness, tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    landing = tmp_path / "landing"
    write_sample(landing, customers=20, seed=3, days=7)
    db = tmp_path / "store.duckdb"
    nightly(landing=landing, db=db, out=tmp_path / "out")
    before = table_counts(db)
    killed = subprocess.Popen(  # what a run does first (take the store's lock with its note); then it is killed
        [sys.executable, "-c", "import sys\nfrom cxmining.store.run_lock import run_lock\n"
         f"with run_lock({str(db)!r}, {{'run_id': 'killed-run', 'landing': {str(landing)!r}}}):\n"
         "    print('running', flush=True)\n    sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert killed.stdout.readline().strip() == "running"
    killed.send_signal(signal.SIGKILL)  # no `finally`: its note stays in the lock file
    killed.wait(timeout=30)
    assert table_counts(db) == before  # the store is as the last run left it
    nightly(landing=landing, db=db, out=tmp_path / "out")
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("SELECT run_id, status, error, landing FROM runs ORDER BY finished_at").fetchall()
    assert [(r, s) for r, s, _, _ in runs][1] == ("killed-run", "interrupted") and runs[1][3] == str(landing)
    assert runs[1][2].startswith("interrupted: no end was recorded (killed, or its machine stopped); found by run ")
    assert [s for _, s, _, _ in runs] == ["completed", "interrupted", "completed"]  # recorded once, not every night
    nightly(landing=landing, db=db, out=tmp_path / "out")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM runs WHERE status = 'interrupted'").fetchone()[0] == 1