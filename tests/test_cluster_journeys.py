"""A full journey build over buckets of connected keys (`--cluster`, docs/scaling.md) publishes what the one-process
full build publishes, row for row, from any number of buckets, on the sample and on customers tied together by shared
web sessions, other customers' orders and anonymous purchases; the workers are given Parquet paths and never the
store; an incremental night after it gives what it gives after a one-process build."""

from __future__ import annotations

import inspect
import shutil
from pathlib import Path

import duckdb
from helpers import CALLS_HEADER, WEB_HEADER, call_row, write_lines

from cxmining.ingest.folder import landing_reports
from cxmining.journeys import JourneyRules, full_build_due, journey_tables
from cxmining.journeys.partitioned import (
    JourneyBucket,
    bucket_journeys,
    journey_partitions,
    published_journeys,
)
from cxmining.synthetic import write_sample

COMPARED = {  # every row a build writes; event numbers are a build's own, so events are matched by event_id
    "stitched_events": "SELECT * EXCLUDE (event_no) FROM stitched_events ORDER BY event_id",
    "journey_assignment": "SELECT s.event_id, a.* EXCLUDE (event_no) FROM journey_assignment AS a "
                          "JOIN stitched_events AS s USING (event_no) ORDER BY s.event_id",
    "journeys": "SELECT * FROM journeys ORDER BY journey_id",
    "journey_events": "SELECT * FROM journey_events ORDER BY event_id",
    "stitching_coverage": "SELECT * FROM stitching_coverage ORDER BY ALL",
    "journey_files": "SELECT * FROM journey_files ORDER BY ALL",
    "stitch_phone_keys": "SELECT * FROM stitch_phone_keys ORDER BY ALL",
    "journey_build": "SELECT lookback_days, quiet_days, sql_sha256, mode FROM journey_build ORDER BY generation DESC LIMIT 1",
}


def journey_rows(db: Path) -> dict[str, tuple[list, list]]:
    """Each compared relation's schema and rows."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: (con.execute(f"DESCRIBE ({sql})").fetchall(), con.execute(sql).fetchall())
                for name, sql in COMPARED.items()}


def assert_same_journeys(expected: Path, actual: Path) -> None:
    one, other = journey_rows(expected), journey_rows(actual)
    for name in COMPARED:
        assert other[name][0] == one[name][0], name
        assert len(other[name][1]) == len(one[name][1]) > 0, name
        assert other[name][1] == one[name][1], name
    with duckdb.connect(str(actual), read_only=True) as con:  # event numbers tie the tables together, none lost
        assert con.execute("SELECT count(*) FROM journey_assignment ANTI JOIN stitched_events USING (event_no)"
                           ).fetchone()[0] == 0
        assert "journey_full_stitched" not in {t for (t,) in con.execute("SHOW TABLES").fetchall()}


def journeys_over_buckets(db: Path, buckets: int, rules: JourneyRules = JourneyRules()) -> dict[str, int]:
    """The cluster's full build through the library, with the workers' calls made here in turn."""
    partitions = journey_partitions(db, rules, buckets)
    assert 0 < len(partitions.buckets) <= buckets
    counts = published_journeys(db, partitions, [bucket_journeys(b, partitions.rules) for b in partitions.buckets])
    assert not partitions.folder.exists()
    return counts


def test_any_number_of_buckets_gives_the_one_process_full_build(sample_store, tmp_path: Path) -> None:
    alone = sample_store(120, 8, 30, tmp_path)  # built in full in one process by the fixture
    expected = journey_rows(alone)
    for buckets in (1, 3, 8):
        folder = tmp_path / f"buckets-{buckets}"
        folder.mkdir()
        spread = Path(shutil.copy(alone, folder / "store.duckdb"))
        with duckdb.connect(str(spread)) as con:  # the bucketed build must make every row itself
            con.execute("DELETE FROM journey_assignment; DELETE FROM journeys; DELETE FROM stitched_events")
        counts = journeys_over_buckets(spread, buckets)
        assert counts["journeys"] == counts["changed_journeys"] == len(expected["journeys"][1])
        assert_same_journeys(alone, spread)


def tied_landing(folder: Path) -> Path:
    """A small sample with customers tied together: a chain of customers who log in to one web session two by two,
    calls naming other customers' orders (from a known caller and from an unknown number), an anonymous browser
    buying another customer's order, and a browser that never logs in."""
    landing = folder / "landing"
    write_sample(landing, customers=30, seed=3, days=8)
    db = folder / "peek.duckdb"
    landing_reports(db, landing, "peek")
    with duckdb.connect(str(db), read_only=True) as con:
        customers = [c for (c,) in con.execute("SELECT DISTINCT customer_id FROM raw_orders ORDER BY 1").fetchall()]
        orders = con.execute("SELECT order_id, customer_id, min(ts) FROM raw_orders WHERE status = 'placed' "
                             "GROUP BY ALL ORDER BY 1").fetchall()
    db.unlink()
    chain = customers[-8:]  # the largest ids first in no order: the component's root is its smallest customer
    web = [WEB_HEADER]
    for k, (a, b) in enumerate(zip(chain, chain[1:])):
        web += [f"TIE{k}A,tie-session-{k},tie-browser-{k},{a},2026-09-03T10:0{k}:00Z,login,/account,,",
                f"TIE{k}B,tie-session-{k},tie-browser-{k},{b},2026-09-03T10:0{k}:30Z,login,/account,,"]
    (first_order, first_owner, placed), (second_order, second_owner, _) = orders[0], orders[1]
    at = placed.strftime("%Y-%m-%dT%H:%M:%SZ")
    web += [f"ANON1,anon-session,anon-browser,,{at},page_view,/product,,",
            f"ANON2,anon-session,anon-browser,,{at},purchase,/checkout,,{first_order}",
            "LURK1,lurk-session,lurk-browser,,2026-09-04T08:00:00Z,page_view,/,,"]
    write_lines(landing / "web" / "web_9999-ties.csv", web)
    other = next(c for c in customers if c not in (first_owner, second_owner))
    write_lines(landing / "calls" / "calls_9999-ties.csv", [
        CALLS_HEADER,
        call_row("TIECALL1", started="2026-09-05T09:00:00Z", ended_at="2026-09-05T09:05:00Z", customer_id=other,
                 order_id=second_order, caller_number=""),
        call_row("TIECALL2", started="2026-09-05T11:00:00Z", ended_at="2026-09-05T11:05:00Z", customer_id="",
                 order_id=first_order, caller_number="+99 999 999 999"),
    ])
    return landing


def test_customers_tied_by_sessions_and_orders_give_the_one_process_full_build(tmp_path: Path) -> None:
    landing = tied_landing(tmp_path)
    alone, spread = tmp_path / "alone.duckdb", tmp_path / "spread.duckdb"
    landing_reports(alone, landing, "alone")
    shutil.copy(alone, spread)
    journey_tables(alone)
    with duckdb.connect(str(alone), read_only=True) as con:  # the ties are there: journeys span customers
        mixed = con.execute("SELECT count(*) FROM (SELECT journey_id FROM journey_assignment GROUP BY journey_id "
                            "HAVING count(DISTINCT customer_id) > 1 OR count(*) > count(customer_id))").fetchone()[0]
        named = con.execute("SELECT count(*) FROM journey_assignment WHERE event_id IN "
                            "('call:TIECALL1', 'call:TIECALL2', 'web:ANON2') AND rule = 'names the order'").fetchone()[0]
        lurker = con.execute("SELECT count(*) FROM journey_assignment WHERE journey_id LIKE 'visitor:lurk-browser:%'"
                             ).fetchone()[0]
    assert mixed > 0 and named == 3 and lurker == 1
    for buckets in (1, 2, 5, 64):  # 64: more buckets than this small sample has components of keys
        copy = Path(shutil.copy(spread, tmp_path / f"spread-{buckets}.duckdb"))
        assert full_build_due(copy)
        journeys_over_buckets(copy, buckets)
        assert_same_journeys(alone, copy)
        assert not full_build_due(copy)  # the build was recorded: the next night is incremental


def test_a_worker_is_given_parquet_paths_and_never_the_store(sample_store, tmp_path: Path) -> None:
    db = sample_store(120, 8, 30, tmp_path)
    partitions = journey_partitions(db, JourneyRules(), 3)
    assert partitions.folder == db.with_name(db.name + ".parts") / "journeys" and len(partitions.buckets) == 3
    assert all(isinstance(getattr(b, f), Path) for b in partitions.buckets for f in ("events", "orders", "rows"))
    assert list(inspect.signature(bucket_journeys).parameters) == ["bucket", "rules"]
    with duckdb.connect(str(db), read_only=True) as con:  # the stitching waits in a working table until published
        waiting, published, unassigned = con.execute(
            "SELECT (SELECT count(*) FROM journey_full_stitched), (SELECT count(*) FROM stitched_events), "
            "(SELECT count(*) FROM stitched_events ANTI JOIN journey_assignment USING (event_no))").fetchone()
    assert waiting == published > 0
    elsewhere = tmp_path / "elsewhere"
    shutil.move(db, elsewhere)  # the worker's machine has no store at all
    rows = [bucket_journeys(b, partitions.rules) for b in partitions.buckets]
    assert all({p.name for p in r.iterdir()} == {"journey_assignment.parquet", "journeys.parquet"} for r in rows)
    shutil.move(elsewhere, db)
    counts = published_journeys(db, partitions, rows)
    with duckdb.connect(str(db), read_only=True) as con:
        events = con.execute("SELECT count(*) FROM journey_events").fetchone()[0]
    assert counts["journey_events"] == events == waiting - unassigned > 0  # every bucket's rows, each once


def test_no_personal_data_goes_to_the_workers(sample_store, tmp_path: Path) -> None:
    db = sample_store(120, 8, 30, tmp_path)
    partitions = journey_partitions(db, JourneyRules(), 2)
    bucket: JourneyBucket = partitions.buckets[0]
    with duckdb.connect() as con:
        columns = {c for folder in (bucket.events, bucket.orders) for (c, *_) in
                   con.execute("DESCRIBE FROM read_parquet($p)", {"p": str(folder / "*.parquet")}).fetchall()}
    assert columns and not columns & {"caller_number", "notes", "phone", "email", "raw_text", "page"}
    shutil.rmtree(partitions.folder)


def test_an_incremental_night_after_a_bucketed_build_equals_one_after_a_one_process_build(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_sample(landing, customers=60, seed=11, days=12)
    later = tmp_path / "later"  # the last two days arrive on the second night
    for path in sorted(landing.rglob("*_2026-09-1[12].csv")):
        target = later / path.relative_to(landing)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
    assert any(later.rglob("*.csv"))
    alone, spread = tmp_path / "alone.duckdb", tmp_path / "spread.duckdb"
    landing_reports(alone, landing, "first")
    shutil.copy(alone, spread)
    journey_tables(alone)
    journeys_over_buckets(spread, 4)
    shutil.copytree(later, landing, dirs_exist_ok=True)
    for db in (alone, spread):
        landing_reports(db, landing, "second")
        assert not full_build_due(db)
        assert journey_tables(db)["changed_journeys"] > 0
    assert_same_journeys(alone, spread)


def test_the_subflow_on_a_local_cluster_builds_the_one_process_journeys(harness, sample_store, tmp_path: Path) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterId,
        TaskRunFilter,
        TaskRunFilterName,
    )
    from prefect.client.schemas.sorting import FlowRunSort, TaskRunSort

    from cxmining.cluster import Cluster
    from pipelines.partitioned_journeys import journeys_on

    alone = sample_store(120, 8, 30, tmp_path)
    spread = Path(shutil.copy(alone, tmp_path / "spread.duckdb"))
    counts = journeys_on(Cluster(workers=2))(spread, buckets=3)
    assert counts["journeys"] == counts["changed_journeys"] > 0
    assert_same_journeys(alone, spread)
    with get_client(sync_client=True) as client:  # the journeys were the cluster's: one worker task per bucket
        [run] = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["journeys on a cluster"])),
                                      sort=FlowRunSort.START_TIME_DESC, limit=1)
        buckets = client.read_task_runs(task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="bucket_journey_rows")),
                                        flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])),
                                        sort=TaskRunSort.EXPECTED_START_TIME_DESC, limit=50)
    assert len(buckets) == 3 and all(t.state.is_completed() for t in buckets)


def test_a_store_without_events_publishes_empty_journeys(landing: Path, tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    landing_reports(db, landing, "empty")
    partitions = journey_partitions(db, JourneyRules(), 4)
    assert partitions.buckets == ()
    assert set(published_journeys(db, partitions, []).values()) == {0}
    assert not full_build_due(db) and not partitions.folder.parent.exists()
