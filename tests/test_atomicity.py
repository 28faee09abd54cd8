"""A failure while loading a file leaves the store as it was, and the next run loads the file."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from helpers import CALLS_HEADER, call_row, run_cli, table_counts, write_lines

from cxmining.errors import RunFailed
from cxmining.ingest.folder import landing_reports
from cxmining.store import sql_text
from cxmining.store.checks import broken_rules
from cxmining.store.snapshot import latest_snapshot, snapshot_path


def two_drops(landing: Path) -> None:
    write_lines(landing / "calls" / "calls_1.csv", [CALLS_HEADER, call_row("K1"), call_row("K2")])
    write_lines(landing / "calls" / "calls_2.csv", [CALLS_HEADER, call_row("K3"), call_row("K4", started="bad")])


def refusing_quarantine(db: Path, path: str | None) -> None:
    """Rebuild the quarantine table so that writing a row of `path` fails inside the load's transaction, after the
    file's raw rows were inserted (None: the table as the store defines it). Its rows are kept."""
    ddl = sql_text("ingest/quarantine.sql")
    if path is not None:
        ddl = ddl.replace("quarantined_at TIMESTAMP NOT NULL  -- UTC\n)", "quarantined_at TIMESTAMP NOT NULL,\n"
                          f"    CHECK (path <> '{path}')\n)")
        assert "CHECK" in ddl
    with duckdb.connect(str(db)) as con:
        con.execute("ALTER TABLE quarantine RENAME TO quarantine_kept")
        con.execute(ddl)
        con.execute("INSERT INTO quarantine SELECT * FROM quarantine_kept")
        con.execute("DROP TABLE quarantine_kept")


def test_a_failure_mid_file_rolls_back_that_file_only(landing: Path, tmp_path: Path) -> None:
    write_lines(landing / "calls" / "calls_1.csv", [CALLS_HEADER, call_row("K1"), call_row("K2")])
    db = tmp_path / "s.duckdb"
    landing_reports(db, landing, "run-1")
    before = table_counts(db)
    write_lines(landing / "calls" / "calls_2.csv", [CALLS_HEADER, call_row("K3"), call_row("K4", started="bad")])

    refusing_quarantine(db, "calls/calls_2.csv")  # fails after calls_2's raw rows, before its quarantine and manifest
    with pytest.raises(duckdb.ConstraintException):
        landing_reports(db, landing, "run-2")
    assert table_counts(db) == before
    assert broken_rules(db) == {}

    refusing_quarantine(db, None)
    reports = landing_reports(db, landing, "run-3")
    assert [(r.path, r.status) for r in reports] == [("calls/calls_1.csv", "skipped"), ("calls/calls_2.csv", "loaded")]
    after = table_counts(db)
    assert (after["raw_calls"], after["quarantine"], after["ingested_files"]) == (3, 1, 2)
    assert broken_rules(db) == {}


FILES, ROWS, BATCH = 40, 5000, 4  # batches of four files, about half a second each


def test_a_process_killed_mid_load_leaves_a_consistent_store_and_the_next_run_completes(landing: Path, tmp_path: Path) -> None:
    for f in range(FILES):
        write_lines(landing / "calls" / f"calls_{f:02d}.csv",
                    [CALLS_HEADER, *(call_row(f"K{f}-{r}") for r in range(ROWS))])
    db = tmp_path / "s.duckdb"
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        import cxmining.ingest.load
        from cxmining.ingest.folder import landing_reports
        cxmining.ingest.load.BATCH_FILES = {BATCH}
        print("loading", flush=True)
        landing_reports(Path({str(db)!r}), Path({str(landing)!r}), "killed-run",
                        on_file=lambda report: print(report.path, flush=True))
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "loading"
    for _ in range(2 * BATCH):  # two batches committed (a file is reported once its batch is in)
        proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)  # mid-way through the next batch: no exception handling, no rollback, no close
    assert proc.wait(timeout=60) == -signal.SIGKILL

    counts = table_counts(db)
    assert 0 < counts["ingested_files"] < FILES, "the kill did not land mid-load; make the landing folder bigger"
    assert broken_rules(db) == {}  # every file in the manifest is whole, no file is half in
    assert counts["raw_calls"] == ROWS * counts["ingested_files"]
    assert counts["ingested_files"] % BATCH == 0  # a batch commits as a whole

    reports = landing_reports(db, landing, "next-run")
    assert sum(r.status == "loaded" for r in reports) == FILES - counts["ingested_files"]
    counts = table_counts(db)
    assert (counts["raw_calls"], counts["ingested_files"]) == (FILES * ROWS, FILES)
    assert broken_rules(db) == {}


def test_the_store_checks_find_files_whose_rows_do_not_add_up(landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    two_drops(landing)
    db = tmp_path / "s.duckdb"
    landing_reports(db, landing, "run-1")
    assert broken_rules(db) == {}
    assert run_cli(["check", "--db", str(db)], monkeypatch)[0] == 0

    with duckdb.connect(str(db)) as con:  # a raw row of calls_1 and the quarantined row of calls_2 go missing
        con.execute("DELETE FROM raw_calls WHERE call_id = 'K2'")
        con.execute("DELETE FROM quarantine")
    broken = broken_rules(db)
    assert list(broken) == ["unreconciled_files"]
    rows = {r["path"]: r for r in broken["unreconciled_files"].iter_rows(named=True)}
    assert set(rows) == {"calls/calls_1.csv", "calls/calls_2.csv"}
    assert (rows["calls/calls_1.csv"]["rows_loaded"], rows["calls/calls_1.csv"]["raw_rows"]) == (2, 1)
    assert (rows["calls/calls_2.csv"]["rows_quarantined"], rows["calls/calls_2.csv"]["quarantine_rows"]) == (1, 0)
    code, out, _ = run_cli(["check", "--db", str(db)], monkeypatch)
    assert code == 1 and "unreconciled_files: 2 rows break it" in out and "calls/calls_1.csv" in out


def test_a_store_breaking_its_checks_fails_the_run_and_keeps_the_last_snapshot(harness, landing: Path, tmp_path: Path) -> None:
    from pipelines.nightly import nightly

    two_drops(landing)
    db, out = tmp_path / "s.duckdb", tmp_path / "out"
    nightly(landing=landing, db=db, out=out)
    before = latest_snapshot(db)
    assert before is not None

    damaged = tmp_path / "damaged.duckdb"  # the store damaged as a writer changes it: in a copy renamed over it
    shutil.copy(db, damaged)
    with duckdb.connect(str(damaged)) as con:
        con.execute("UPDATE ingested_files SET rows_loaded = rows_loaded + 1 WHERE path = 'calls/calls_1.csv'")
    damaged.replace(db)
    with pytest.raises(RunFailed, match="unreconciled_files.*snapshot was not published"):
        nightly(landing=landing, db=db, out=out)
    assert latest_snapshot(db) == before
    assert broken_rules(snapshot_path(db)) == {}  # readers keep the last consistent store
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()[0] == "failed"
