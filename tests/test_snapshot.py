"""The read-only snapshot: readers in other processes never block the writer and never see a half-published store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from helpers import run_cli

from cxmining.errors import StoreError
from cxmining.store.snapshot import latest_snapshot, published_snapshot, snapshot_path

# A reader holding one connection open: prints what it sees after each line on stdin.
HOLDING_READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
for _ in iter(sys.stdin.readline, ""):
    print(*con.execute("SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b)").fetchone(), flush=True)
"""
# A reader opening the snapshot afresh again and again until a stop file appears (and once more then): says "ready"
# after its first read, then prints everything it saw and any error.
POLLING_READER = """
import json, os, sys, duckdb
seen, errors = [], []
def read():
    try:
        with duckdb.connect(sys.argv[1], read_only=True) as con:
            seen.append(con.execute("SELECT (SELECT count(*) FROM a), (SELECT sum(x) FROM a), (SELECT count(*) FROM b)").fetchone())
    except Exception as exc:
        errors.append(str(exc).splitlines()[0])
read()
print("ready", flush=True)
while not os.path.exists(sys.argv[2]):
    read()
read()
print(json.dumps({"seen": seen, "errors": errors}))
"""


def _grown(db: Path, rows: int, both: bool = True) -> None:
    """Add `rows` rows to table a (and as many to b): one 'step' of a run writing the store."""
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE IF NOT EXISTS a (x DOUBLE)")
        con.execute("CREATE TABLE IF NOT EXISTS b (x BIGINT)")
        con.execute("INSERT INTO a SELECT random() FROM range($n)", {"n": rows})
        if both:
            con.execute("INSERT INTO b SELECT range FROM range($n)", {"n": rows})


def _counts(path: Path) -> tuple[int, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b)").fetchone()


def test_a_reader_holding_the_snapshot_neither_blocks_the_writer_nor_sees_its_work(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    _grown(db, 1000)
    snapshot = published_snapshot(db)
    assert snapshot.path == snapshot_path(db) == tmp_path / "store.snapshot.duckdb"
    reader = subprocess.Popen([sys.executable, "-c", HOLDING_READER, str(snapshot.path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        def seen() -> str:
            reader.stdin.write("\n")
            reader.stdin.flush()
            return reader.stdout.readline().split()

        assert seen() == ["1000", "1000"]
        _grown(db, 500, both=False)  # a run half-way: the writer opens the live store while the reader holds the snapshot
        assert seen() == ["1000", "1000"]
        with duckdb.connect(str(db)) as con:
            con.execute("INSERT INTO b SELECT range FROM range(500)")  # ...and finishes
        published_snapshot(db)  # replacing the file the reader has open is not blocked either
        assert seen() == ["1000", "1000"]  # the reader keeps its consistent view
        assert _counts(snapshot.path) == (1500, 1500)  # a new reader sees the new run, whole
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    assert reader.returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.duckdb", "store.snapshot.duckdb"]  # no temporary left


def test_the_snapshot_is_replaced_in_one_step(tmp_path: Path) -> None:
    db, stop = tmp_path / "store.duckdb", tmp_path / "stop"
    _grown(db, 2_000_000)  # tens of MB: a copy made in place would be caught half-written
    published = [published_snapshot(db)]
    totals = set()
    with duckdb.connect(str(db), read_only=True) as con:
        totals.add(con.execute("SELECT count(*), sum(x), (SELECT count(*) FROM b) FROM a").fetchone())
    reader = subprocess.Popen([sys.executable, "-c", POLLING_READER, str(published[0].path), str(stop)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline() == "ready\n"
        for _ in range(4):
            _grown(db, 100_000)
            with duckdb.connect(str(db), read_only=True) as con:
                totals.add(con.execute("SELECT count(*), sum(x), (SELECT count(*) FROM b) FROM a").fetchone())
            published.append(published_snapshot(db))
    finally:
        stop.touch()
        out, _ = reader.communicate(timeout=60)
    result = json.loads(out)
    assert result["errors"] == []
    seen = {tuple(row) for row in result["seen"]}
    assert len(seen) >= 2  # the reader read before and after the publications, and in between as often as it could
    assert all(any(row[0] == t[0] and row[1] == pytest.approx(t[1]) and row[2] == t[2] for t in totals) for row in seen)
    assert [s.taken_at for s in published] == sorted(s.taken_at for s in published)


def test_sql_reads_the_snapshot_unless_told_live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "store.duckdb"
    query = ["sql", "SELECT count(*) AS n FROM a", "--csv", "--db", str(db)]
    _grown(db, 10)
    code, out, err = run_cli(query, monkeypatch)
    assert (code, out.split(), err) == (0, ["n", "10"], "")  # no snapshot yet: the store itself
    published_snapshot(db)
    _grown(db, 5)  # the store moved on since the snapshot
    code, out, err = run_cli(query, monkeypatch)
    taken = latest_snapshot(db).taken_at
    assert (code, out.split()) == (0, ["n", "10"])
    assert str(snapshot_path(db)) in err and f"{taken:%Y-%m-%d %H:%M:%S} UTC" in err and "--live" in err
    code, out, err = run_cli([*query, "--live"], monkeypatch)
    assert (code, out.split(), err) == (0, ["n", "15"], "")
    code, out, _ = run_cli(["sql", "SELECT count(*) AS n FROM a", "--csv", "--db", str(snapshot_path(db))], monkeypatch)
    assert (code, out.split()) == (0, ["n", "10"])
    with pytest.raises(StoreError, match="no such database"):
        published_snapshot(tmp_path / "none.duckdb")


def test_a_full_disk_names_the_file_keeps_the_last_snapshot_and_leaves_nothing_behind(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    _grown(db, 10)
    published_snapshot(db)
    _grown(db, 200_000)  # the next snapshot is larger than the disk has room for
    stale = tmp_path / f".{snapshot_path(db).name}.999999.tmp"
    stale.write_bytes(b"left by a run killed while publishing")
    script = (  # a file-size limit stands in for a full disk
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, resource.RLIM_INFINITY))\n"
        "from cxmining.errors import StoreError\n"
        "from cxmining.store.snapshot import published_snapshot\n"
        "try:\n    published_snapshot(sys.argv[1])\n"
        "except StoreError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", script, str(db)], capture_output=True, text=True, timeout=120)
    assert "cannot write the snapshot (File too large); the store is unchanged, the previous snapshot stays" in done.stdout
    assert f".{snapshot_path(db).name}." in done.stdout  # the file it could not write
    assert _counts(snapshot_path(db)) == (10, 10)  # readers keep the last snapshot
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.duckdb", snapshot_path(db).name]  # no .tmp left


def test_output_files_are_written_whole(tmp_path: Path) -> None:
    from cxmining.store.outputs import written_whole

    target = tmp_path / "out" / "report.html"
    written_whole(target, "first")
    written_whole(target, "second")
    assert target.read_text() == "second" and [p.name for p in target.parent.iterdir()] == ["report.html"]
    with pytest.raises(StoreError, match=r"report\.html/x: cannot be written"):
        written_whole(target / "x", "a file is not a folder")


def test_readers_of_the_live_store_never_block_the_night_and_keep_their_view(harness, tmp_path: Path) -> None:
    import time

    from helpers import CALLS_HEADER, call_row, write_lines

    from cxmining.synthetic import write_sample
    from pipelines.nightly import nightly

    landing, db = tmp_path / "landing", tmp_path / "store.duckdb"
    write_sample(landing, customers=20, seed=3, days=7)
    nightly(landing=landing, db=db, out=tmp_path / "out")
    write_lines(landing / "calls" / "late.csv", [CALLS_HEADER, call_row("LATE1")])  # the next night has a new file
    count = "SELECT count(*) FROM ingested_files"
    holding = subprocess.Popen(  # a notebook holding a read-only connection on the live store (not the snapshot)
        [sys.executable, "-c", HOLDING_READER.replace(
            '"SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b)"', repr(count)), str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    stop = tmp_path / "stop"
    polling = subprocess.Popen(  # a dashboard opening the live store again and again
        [sys.executable, "-c", POLLING_READER.replace(
            '"SELECT (SELECT count(*) FROM a), (SELECT sum(x) FROM a), (SELECT count(*) FROM b)"', repr(count)),
         str(db), str(stop)], stdout=subprocess.PIPE, text=True)
    try:
        holding.stdin.write("\n")
        holding.stdin.flush()
        [before] = map(int, holding.stdout.readline().split())
        assert polling.stdout.readline().strip() == "ready"
        started = time.monotonic()
        result = nightly(landing=landing, db=db, out=tmp_path / "out")
        took = time.monotonic() - started
        holding.stdin.write("\n")
        holding.stdin.flush()
        assert int(holding.stdout.readline()) == before  # the open connection keeps its view of the last night
    finally:
        stop.touch()
        holding.communicate("")
        read = json.loads(polling.communicate()[0])
    assert result["totals"]["calls"]["files_loaded"] == 1 and took < 30  # not blocked (a retry waits 5 s, then 30 s)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(count).fetchone()[0] == before + 1  # a reader opening it now sees the new night
    assert read["errors"] == [] and {tuple(s) for s in read["seen"]} <= {(before,), (before + 1,)}
    assert read["seen"][0] == [before] and read["seen"][-1] == [before + 1]  # never a half-published store
