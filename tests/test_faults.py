"""Fault injection: `cxmining run` killed with `kill -9` after each of its steps, with readers opening the store in a
loop. After every kill the store and its snapshot are the last night's or the new night's, whole, the run's
processes are gone, and the next run records the killed one as interrupted and gives what a clean run gives.

CI kills one run (in embedded mode, where Prefect's temporary server is a child of the run). The sweep kills a run
after every step of the flow: `CXMINING_FAULT_STEPS=all pytest tests/test_faults.py -s` (or a comma-separated list);
its counts are in docs/reliability.md.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from helpers import ROOT, table_counts

from cxmining.store.checks import broken_rules
from cxmining.store.snapshot import snapshot_path
from cxmining.synthetic import write_sample
from pipelines.nightly import nightly

# The flow's steps, in the order they run: the sweep kills a run as each finishes (so mid-way through the next).
STEPS = ("copy_store", "note_interruption", "stale_outputs", "untaken_paths", "ingest_source", "build_journeys",
         "process_statistics", "process_models", "pictures", "conformance", "failure_demand", "what_if",
         "store_counts", "store_checks", "analyst_report", "run_summary", "record_run", "drift_warnings",
         "stage_snapshot", "publish_night")
CHOSEN = os.environ.get("CXMINING_FAULT_STEPS", "")
SWEEP = STEPS if CHOSEN == "all" else tuple(s for s in CHOSEN.split(",") if s) or ("build_journeys",)
RUN_TABLES = {"runs", "run_steps", "run_metrics"}  # the run history differs by the runs it records

# A reader opening the store afresh again and again until its stop file appears; prints what it saw and its errors.
# It pauses 20 ms between reads: a reader spinning on one of two cores starved the run's Prefect server, whose start
# then timed out.
READER = """
import json, os, sys, time, duckdb
seen, errors, reads = set(), [], 0
while not os.path.exists(sys.argv[2]):
    reads += 1
    try:
        with duckdb.connect(sys.argv[1], read_only=True) as con:
            seen.add(con.execute("SELECT count(*) FROM ingested_files").fetchone()[0])
    except Exception as exc:
        errors.append(str(exc).splitlines()[0])
    time.sleep(0.02)
print(json.dumps({"seen": sorted(seen), "errors": errors, "reads": reads}))
"""


def _contents(db: Path) -> dict[str, int]:
    """Row counts of the store's tables, the run history left out."""
    return {name: rows for name, rows in table_counts(db).items() if name not in RUN_TABLES}


def _descendants(pid: int) -> set[int]:
    """Every running process below `pid` (from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    """Those of `pids` still running (zombies count as ended)."""
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


@pytest.fixture(scope="module")
def nights(harness, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A store after a first night and a landing folder with one more day, and what a clean second night gives."""
    folder = tmp_path_factory.mktemp("faults")
    landing = folder / "landing"
    write_sample(landing, customers=30, seed=5, days=7)
    shutil.copytree(ROOT / "data" / "sample" / "models", landing / "models")
    last_day = sorted(p.name.rsplit("_", 1)[-1] for p in (landing / "calls").glob("*.csv"))[-1]
    held = folder / "held"
    for path in landing.glob(f"*/*_{last_day}"):  # the second night's files
        (held / path.parent.name).mkdir(parents=True, exist_ok=True)
        path.rename(held / path.parent.name / path.name)
    first = folder / "first" / "store.duckdb"
    nightly(landing=landing, db=first, out=folder / "first" / "out")
    for path in held.glob("*/*"):
        path.rename(landing / path.parent.name / path.name)
    clean = folder / "clean" / "store.duckdb"
    clean.parent.mkdir()
    shutil.copy(first, clean)
    nightly(landing=landing, db=clean, out=folder / "clean" / "out")
    return {"landing": landing, "first": first, "before": _contents(first), "after": _contents(clean),
            "cases": []}


@pytest.mark.parametrize("step", SWEEP)
def test_a_run_killed_after_any_step_leaves_a_whole_store_no_process_and_a_next_run_like_a_clean_one(
        nights: dict, step: str, tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL

    db, out, stop = tmp_path / "store.duckdb", tmp_path / "out", tmp_path / "stop"
    shutil.copy(nights["first"], db)
    embedded = step == SWEEP[0]  # the first case starts Prefect's temporary server, a child of the run
    env = os.environ | {"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env |= {} if embedded else {"PREFECT_API_URL": PREFECT_API_URL.value()}  # the others use the tests' server
    env |= {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}  # the other test worker shares the cores
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop)], stdout=subprocess.PIPE, text=True)
    run = subprocess.Popen(
        [sys.executable, "-m", "cxmining.cli", "run", "--landing", str(nights["landing"]), "--db", str(db),
         "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT)
    finished = re.compile(rf"Task run '{step}-[0-9a-f]+' - Finished in state")
    log = []
    for line in run.stdout:
        log.append(line)
        if finished.search(line):
            break
    else:
        reader.kill()  # not left behind to load the next tests
        pytest.fail(f"the run ended before {step} finished:\n{''.join(log[-30:])}")
    children = _descendants(run.pid)
    run.send_signal(signal.SIGKILL)  # no exception, no `finally`, no atexit
    run.wait(timeout=60)
    deadline = time.monotonic() + 10
    while _alive(children) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _alive(children)
    for pid in left:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    stop.touch()
    read = json.loads(reader.communicate(timeout=60)[0])

    before, after = nights["before"], nights["after"]
    store = _contents(db)
    snapshot = _contents(snapshot_path(db)) if snapshot_path(db).exists() else None
    whole = store in (before, after) and broken_rules(db) == {} and snapshot in (None, before, after)
    nightly(landing=nights["landing"], db=db, out=out)  # the next night
    with duckdb.connect(str(db), read_only=True) as con:
        statuses = [s for (s,) in con.execute("SELECT status FROM runs ORDER BY finished_at").fetchall()]
    leftovers = sorted(p.name for p in [*tmp_path.glob(".*"), *out.glob(".*")])
    case = {"step": step, "embedded": embedded, "children": len(children), "left": len(left), "whole": whole,
            "store": "new" if store == after else "last" if store == before else "other",
            "reads": read["reads"], "read_errors": len(read["errors"]), "next": statuses,
            "next_like_clean": _contents(db) == after, "leftovers": leftovers}
    nights["cases"].append(case)
    print(json.dumps(case))
    assert left == set(), f"processes left after the kill: {sorted(left)}"
    assert not embedded or children, "the run had no child process: Prefect's server was not embedded"
    assert whole, f"after a kill at {step} the store is neither the last night's nor the new one's: {store}"
    assert read["errors"] == [] and set(read["seen"]) <= {before["ingested_files"], after["ingested_files"]}
    assert _contents(db) == after and broken_rules(db) == {}  # the next night gives what a clean night gives
    assert statuses[-1] == "completed"
    assert store == after or statuses[-2] == "interrupted"  # a run killed before it published is recorded as such
    assert leftovers == [], f"left behind: {leftovers}"
