"""A failure while loading a file leaves the store as it was, and the next run loads the file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from conftest import CALLS_HEADER, call_row, run_cli, table_counts, write_lines

import cxmining.ingest.load
from cxmining.errors import RunFailed
from cxmining.ingest.folder import landing_reports
from cxmining.store.checks import broken_rules
from cxmining.store.snapshot import latest_snapshot


def two_drops(landing: Path) -> None:
    write_lines(landing / "calls" / "calls_1.csv", [CALLS_HEADER, call_row("K1"), call_row("K2")])
    write_lines(landing / "calls" / "calls_2.csv", [CALLS_HEADER, call_row("K3"), call_row("K4", started="bad")])


def test_exception_mid_file_rolls_back_that_file_only(landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_lines(landing / "calls" / "calls_1.csv", [CALLS_HEADER, call_row("K1"), call_row("K2")])
    db = tmp_path / "s.duckdb"
    landing_reports(db, landing, "run-1")
    before = table_counts(db)
    write_lines(landing / "calls" / "calls_2.csv", [CALLS_HEADER, call_row("K3"), call_row("K4", started="bad")])

    def explode(*args, **kwargs):
        raise OSError("disk full (injected)")

    # Fails after the raw rows of calls_2 were inserted and before quarantine and manifest are written.
    monkeypatch.setattr(cxmining.ingest.load, "_quarantine", explode)
    with pytest.raises(OSError, match="injected"):
        landing_reports(db, landing, "run-2")
    assert table_counts(db) == before

    monkeypatch.undo()
    reports = landing_reports(db, landing, "run-3")
    assert [(r.path, r.status) for r in reports] == [("calls/calls_1.csv", "skipped"), ("calls/calls_2.csv", "loaded")]
    after = table_counts(db)
    assert (after["raw_calls"], after["quarantine"], after["ingested_files"]) == (3, 1, 2)
    assert broken_rules(db) == {}


def test_process_killed_mid_file_leaves_no_half_loaded_file(landing: Path, tmp_path: Path) -> None:
    two_drops(landing)
    db = tmp_path / "s.duckdb"
    # A hard crash (no exception handling, no rollback) right before the manifest row is written.
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        import cxmining.ingest.load
        from cxmining.ingest.folder import landing_reports
        real = cxmining.ingest.load._record_file
        def crash(con, report, file, run_id):
            if file.relative.endswith("calls_2.csv"):
                os._exit(17)
            real(con, report, file, run_id)
        cxmining.ingest.load._record_file = crash
        landing_reports(Path({str(db)!r}), Path({str(landing)!r}), "crashing-run")
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 17, proc.stderr
    counts = table_counts(db)
    assert (counts["raw_calls"], counts["quarantine"], counts["ingested_files"]) == (2, 0, 1)

    reports = landing_reports(db, landing, "next-run")
    assert [r.status for r in reports] == ["skipped", "loaded"]
    counts = table_counts(db)
    assert (counts["raw_calls"], counts["quarantine"], counts["ingested_files"]) == (3, 1, 2)
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

    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE ingested_files SET rows_loaded = rows_loaded + 1 WHERE path = 'calls/calls_1.csv'")
    with pytest.raises(RunFailed, match="unreconciled_files.*snapshot was not published"):
        nightly(landing=landing, db=db, out=out)
    assert latest_snapshot(db) == before
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()[0] == "failed"
