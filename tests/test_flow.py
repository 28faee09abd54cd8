"""The nightly flow end to end on freshly generated samples, checked against their ground truth."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import pytest
from helpers import ROOT, table_counts

from cxmining.store.checks import broken_rules
from cxmining.synthetic import write_sample
from pipelines.nightly import nightly


@pytest.mark.parametrize(("customers", "seed", "days"), [(150, 11, 21), (60, 2027, 10)])
def test_nightly_reconciles_every_file_with_the_planted_truth(harness, tmp_path: Path, customers: int, seed: int, days: int) -> None:
    landing = tmp_path / "landing"
    truth = write_sample(landing, customers=customers, seed=seed, days=days, dirty_rate=0.01)
    db, out = tmp_path / "store.duckdb", tmp_path / "out"
    result = nightly(landing=landing, db=db, out=out, models=ROOT / "data" / "sample" / "models" / "models.yaml")

    with duckdb.connect(str(db), read_only=True) as con:
        files = {r[0]: r[1:] for r in con.execute(
            "SELECT path, status, rows_read, rows_loaded, rows_quarantined, rows_duplicate FROM ingested_files"
        ).fetchall()}
        lines = {}
        for path, line, reason in con.execute("SELECT path, line, reason FROM quarantine").fetchall():
            lines.setdefault(path, set()).add(line)
        events = con.execute("SELECT count(*) FROM events").fetchone()[0]
        sources = dict(con.execute("SELECT source, count(*) FROM events GROUP BY 1").fetchall())
        order_rows = con.execute("SELECT order_id, status, ts FROM raw_orders").fetchall()

    # Byte-identical files (the header-only drops of days without sign-ups) are loaded once.
    summary = json.loads((out / "run_summary.json").read_text())
    status = {f["path"]: f["status"] for f in summary["files"]}
    assert set(status) == set(truth["files"])
    skipped = {p for p, s in status.items() if s == "skipped"}
    assert all(truth["files"][p]["rows"] == 0 for p in skipped)
    assert set(files) == set(truth["files"]) - skipped
    for path, expected in truth["files"].items():
        if path in skipped:
            continue
        status, read, loaded, quarantined, duplicates = files[path]
        assert status == "loaded", path
        assert read == expected["rows"], path
        assert quarantined == expected["defective"], path
        assert duplicates == expected["duplicates"], path
        assert read == loaded + quarantined + duplicates, path
        assert lines.get(path, set()) == {d["line"] for d in expected["defects"]}, path

    clean = {s: truth["rows"][s]["clean"] for s in ("web", "calls", "orders")}
    assert len(order_rows) == clean["orders"]
    # orders are orders: one step per order and status, a return per order, status and time (not one per line)
    returns = {"return_requested", "returned", "refunded", "exchanged"}
    steps = {(o, s, t if s in returns else None) for o, s, t in order_rows}
    assert len(steps) < len(order_rows)  # the sample has orders with two lines
    assert sources == {"web": clean["web"], "calls": clean["calls"], "orders": len(steps)}
    assert events == sum(sources.values()) == result["store"]["events"]
    assert summary["totals"]["calls"]["rows_quarantined"] == truth["rows"]["calls"]["defective"]

    # The process outputs are written and are what an analyst expects to open.
    for name in ("process_map.svg", "swimlane.svg", "process_model.bpmn", "process_model.pnml"):
        ElementTree.parse(out / name)  # well-formed XML
    swimlane = (out / "swimlane.svg").read_text()
    assert "Customer" in swimlane and "Order placed" in swimlane and "Contact centre" in swimlane
    assert set(result["files"]) >= {"process_map", "swimlane", "bpmn", "pnml"}

    # Conformance with the designed order journey flags the planted contacts as steps the design lacks.
    with duckdb.connect(str(db), read_only=True) as con:
        [(journey_type, journeys, fitness, precision)] = con.execute(
            "SELECT journey_type, journeys, fitness, precision FROM conformance_summary").fetchall()
        order_journeys = con.execute("SELECT count(*) FROM journeys WHERE journey_type = 'order'").fetchone()[0]
        unexpected = {r[0] for r in con.execute(
            "SELECT activity FROM deviations WHERE deviation_type = 'unexpected step'").fetchall()}
        calls_before_ordering = con.execute(
            "SELECT sum(journeys) FROM deviations WHERE deviation_type = 'unexpected step' "
            "AND activity LIKE 'Call:%' AND before_step = 'Order placed'").fetchone()[0]
    assert journey_type == "order" and 0 < fitness < 1 and 0 < precision <= 1
    assert broken_rules(db) == {}  # every file reconciles with the raw tables and the quarantine
    assert journeys == order_journeys > 0
    assert {"Call: order status"} <= unexpected  # where-is-my-order calls
    ElementTree.parse(out / "deviation_map_order.svg")
    assert calls_before_ordering > 0              # phone orders and information calls before ordering

    before = table_counts(db)
    again = nightly(landing=landing, db=db, out=out)
    history = ("runs", "run_steps", "run_metrics")  # the run history grows by the second run; nothing else changes
    assert {k: v for k, v in table_counts(db).items() if k not in history} == {k: v for k, v in before.items() if k not in history}
    assert table_counts(db)["runs"] == before["runs"] + 1
    assert all(t["files_loaded"] == 0 for t in again["totals"].values())


def test_without_graphviz_the_night_goes_on_and_says_what_it_did_not_draw(harness, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    landing = tmp_path / "landing"
    write_sample(landing, customers=60, seed=2027, days=10)
    (landing / "web" / "web_extra.csv.gz").write_bytes(b"\x1f\x8b")  # and a file the run cannot read
    db, out = tmp_path / "store.duckdb", tmp_path / "out"
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))  # no `dot`: a `pip install` without Graphviz
    assert shutil.which("dot") is None
    result = nightly(landing=landing, db=db, out=out, models=ROOT / "data" / "sample" / "models" / "models.yaml")
    drawn = {p.name for p in out.glob("*.svg")}
    assert drawn == set()
    summary = json.loads((out / "run_summary.json").read_text())
    assert summary["not_drawn"].startswith("Graphviz `dot` not found")
    assert summary["not_taken"] == ["web/web_extra.csv.gz: neither CSV nor Parquet (compressed files are not read: unpack it)"]
    report = (out / "report.html").read_text()
    assert report.count("not drawn: Graphviz") == 3  # process map, swimlane view, deviation map
    # the rest of the night: the model files (BPMN without its diagram), conformance, failure demand, the snapshot
    assert {"pnml", "bpmn", "report"} <= set(result["files"]) and Path(result["snapshot"]).is_file()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM conformance_summary").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM contact_demand").fetchone()[0] > 0
        assert con.execute("SELECT status FROM runs").fetchall() == [("completed",)]


def test_a_store_that_cannot_be_opened_fails_at_once_and_only_a_busy_one_is_retried(harness, tmp_path: Path) -> None:
    import time

    from cxmining.errors import StoreError

    landing = tmp_path / "landing"
    write_sample(landing, customers=20, seed=3, days=7)
    broken = tmp_path / "store.duckdb"
    broken.write_bytes(b"this is not a DuckDB file")
    began = time.monotonic()
    with pytest.raises(StoreError, match="cannot open the database"):
        nightly(landing=landing, db=broken, out=tmp_path / "out")
    assert time.monotonic() - began < 5  # no retry: the first would wait 5 s


def test_a_failing_optional_step_makes_a_partial_run_not_a_lost_night(harness, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers import run_cli

    landing = tmp_path / "landing"
    write_sample(landing, customers=60, seed=2027, days=10)
    out = tmp_path / "out"
    (out / "report.html").mkdir(parents=True)  # the report cannot be written: a folder holds its name
    db = tmp_path / "store.duckdb"
    code, stdout, err = run_cli(["run", "--landing", str(landing), "--db", str(db), "--out", str(out)], monkeypatch)
    assert code == 3  # partial: the night ran without its report
    assert err.startswith("partial run: report skipped: ") and "report.html: cannot be written" in err
    summary = json.loads((out / "run_summary.json").read_text())
    assert list(summary["skipped"]) == ["report"]
    with duckdb.connect(str(db), read_only=True) as con:
        [(status, error)] = con.execute("SELECT status, error FROM runs").fetchall()
        assert con.execute("SELECT count(*) FROM contact_demand").fetchone()[0] > 0
    assert status == "partial" and error.startswith("report skipped: ")
    assert "snapshot for queries:" in stdout and (out / "process_map.svg").is_file()


def test_a_snapshot_that_cannot_be_published_fails_the_run_in_its_record(harness, tmp_path: Path) -> None:
    from cxmining.errors import StoreError
    from cxmining.store.snapshot import snapshot_path

    landing = tmp_path / "landing"
    write_sample(landing, customers=20, seed=3, days=7)
    db = tmp_path / "store.duckdb"
    snapshot_path(db).mkdir(parents=True)  # where the snapshot goes, a folder: it cannot be replaced
    with pytest.raises(StoreError, match="cannot write the snapshot"):
        nightly(landing=landing, db=db, out=tmp_path / "out")
    with duckdb.connect(str(db), read_only=True) as con:
        [(status, error)] = con.execute("SELECT status, error FROM runs").fetchall()
    assert status == "failed" and "cannot write the snapshot" in error  # not "completed": readers kept the last one


def test_a_second_run_on_the_same_store_does_not_start_and_names_the_first(harness, tmp_path: Path) -> None:
    import subprocess
    import sys

    from cxmining.errors import StoreBusy

    landing = tmp_path / "landing"
    write_sample(landing, customers=20, seed=3, days=7)
    db = tmp_path / "store.duckdb"
    first = subprocess.Popen(  # a run under way: it holds the store's run lock
        [sys.executable, "-c", "import sys\nfrom cxmining.store.run_lock import run_lock\n"
         f"with run_lock({str(db)!r}):\n    print('running', flush=True)\n    sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout.readline().strip() == "running"
        with pytest.raises(StoreBusy, match=rf"another run \(PID {first.pid}, started .* UTC\) is under way; "
                                             "this one did not start"):
            nightly(landing=landing, db=db, out=tmp_path / "out")
        assert not db.exists()  # it touched nothing
    finally:
        first.communicate("")
    assert nightly(landing=landing, db=db, out=tmp_path / "out")["store"]["events"] > 0  # once the first has ended


def test_personal_data_of_bad_rows_reaches_no_log_summary_report_or_prefect_state(harness, tmp_path: Path) -> None:
    from helpers import CALLS_HEADER, call_row, write_lines
    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL

    landing = tmp_path / "landing"
    write_sample(landing, customers=20, seed=3, days=7)
    personal = ("+31 6 1234 5678", "jan.jansen@example.nl", "wants callback on her mobile at home")
    write_lines(landing / "calls" / "bad.csv", [  # rows a shifted column broke: personal data where codes belong
        CALLS_HEADER, call_row("P1", reason=personal[0]), call_row("P2", reason=personal[1]),
        call_row("P3", reason=f'"{personal[2]}"', started="2026-13-45")])
    db, out = tmp_path / "store.duckdb", tmp_path / "out"
    logged = tmp_path / "run.log"
    handler = logging.FileHandler(logged)
    logging.getLogger("prefect").addHandler(handler)
    try:
        result = nightly(landing=landing, db=db, out=out)
    finally:
        logging.getLogger("prefect").removeHandler(handler)
        handler.close()
    assert result["totals"]["calls"]["rows_quarantined"] >= 3
    with duckdb.connect(str(db), read_only=True) as con:  # the raw text stays in the quarantine, for the data owner
        assert all(con.execute("SELECT count(*) FROM quarantine WHERE contains(raw_text, $v)", {"v": v}).fetchone()[0]
                   for v in personal)
    prefect_db = Path(PREFECT_SERVER_DATABASE_CONNECTION_URL.value().split("///", 1)[1])
    places = [logged, *out.iterdir(), *prefect_db.parent.glob(prefect_db.name + "*")]
    assert logged.stat().st_size and prefect_db.is_file()
    for place in places:
        data = place.read_bytes()
        for value in personal:
            assert value.encode() not in data, f"{value!r} is in {place}"
