"""A failure while loading a file leaves the store as it was, and the next run loads the file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import CALLS_HEADER, call_row, table_counts, write_lines

import cxmining.ingest.load
from cxmining.ingest.folder import landing_reports


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
