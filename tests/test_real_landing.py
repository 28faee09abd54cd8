"""Ingest of a real export we did not shape: the BPI Challenge 2016 (UWV) complaints table."""

from __future__ import annotations

import shutil
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import duckdb
import pytest
from helpers import REAL, ROOT

from cxmining.ingest.folder import landing_reports

COMPLAINTS = REAL / "bpic2016-uwv" / "BPI2016_Complaints.csv"


@pytest.mark.skipif(not COMPLAINTS.exists(), reason=f"real logs not found at {COMPLAINTS.parent}")
def test_uwv_complaints_load_through_a_mapping_file(landing: Path, tmp_path: Path) -> None:
    (landing / "calls").mkdir()
    shutil.copy(COMPLAINTS, landing / "calls" / COMPLAINTS.name)
    db = tmp_path / "uwv.duckdb"
    [report] = landing_reports(db, landing, "uwv", ROOT / "tests" / "data" / "uwv_complaints_mapping.yaml")
    assert report.status == "loaded"
    # 289 complaint rows in the file (SOURCE.txt), every one accounted for.
    assert report.rows_read == 289
    assert (report.rows_loaded, report.rows_quarantined, report.rows_duplicate) == (289, 0, 0)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(DISTINCT customer_id) FROM raw_calls").fetchone()[0] == 226
        # ContactDate 2016-01-12 (a date alone, in an export whose times are Amsterdam's) stays on 12 January: read
        # as Amsterdam midnight it would be 23:00 UTC on the 11th, and every daily figure would be a day early.
        first = con.execute("SELECT started_at FROM raw_calls WHERE call_id = '220'").fetchone()[0]
        assert first == datetime(2016, 1, 12, 0, 0)
        span = con.execute("SELECT min(started_at), max(started_at) FROM raw_calls").fetchone()
        assert span == (datetime(2015, 7, 3), datetime(2016, 2, 28))
        days = {d for (d,) in con.execute("SELECT DISTINCT CAST(ts AS DATE) FROM events").fetchall()}
        assert {str(d) for d in days} == {line.split(";")[7] for line in COMPLAINTS.read_text("latin-1").splitlines()[1:]}
        assert con.execute("SELECT DISTINCT activity FROM events").fetchall() == [("Call: complaint",)]


@pytest.mark.skipif(not COMPLAINTS.exists(), reason=f"real logs not found at {COMPLAINTS.parent}")
def test_uwv_complaints_are_failure_demand_and_the_simulation_reproduces_them(landing: Path, tmp_path: Path) -> None:
    """A real log the generator never shaped: complaints, their repeats, and today's regime simulated."""
    from cxmining.demand.tables import demand_tables
    from cxmining.journeys import journey_tables
    from cxmining.mining.statistics import mining_tables
    from cxmining.whatif.results import whatif_tables

    (landing / "calls").mkdir()
    shutil.copy(COMPLAINTS, landing / "calls" / COMPLAINTS.name)
    db = tmp_path / "uwv.duckdb"
    landing_reports(db, landing, "uwv", ROOT / "tests" / "data" / "uwv_complaints_mapping.yaml")
    journey_tables(db)
    mining_tables(db)
    demand_tables(db)
    with duckdb.connect(str(db), read_only=True) as con:
        classified = dict(con.execute("SELECT cause, count(*) FROM contact_demand WHERE demand = 'failure' GROUP BY 1").fetchall())
        calls = con.execute("SELECT customer_id, started_at, ended_at FROM raw_calls ORDER BY customer_id, started_at, call_id").fetchall()
    # independently: a complaint within 7 days of the end of the same customer's previous one, in the same journey
    repeats = sum(1 for (a, first_start, first_end), (b, start, _) in pairwise(calls)
                  if a == b and a is not None and (start - (first_end or first_start)).total_seconds() <= 7 * 86400)
    assert sum(classified.values()) == len(calls) == 289  # every complaint is failure demand
    assert classified["repeat contact"] == repeats > 0
    checked, _ = whatif_tables(db, [], replications=5, seed=1)
    assert checked.filter(checked["figure"].is_in(["calls", "repeat calls", "journeys"]))["within"].all()
    # the export has no end times: handling time is unknown, not 0 seconds, and there is nothing to check it against
    timed = checked.filter(checked["figure"].is_in(["agent hours", "mean handling seconds"]))
    assert timed.height == 2 and timed["within"].null_count() == 2 and timed["observed"].null_count() == 2
    with duckdb.connect(str(db), read_only=True) as con:
        hours = con.execute("SELECT agent_hours_per_month, calls_without_handling_time, calls FROM failure_demand_causes").fetchall()
    assert hours and all(h is None and untimed == calls for h, untimed, calls in hours)
