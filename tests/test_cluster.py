"""The process statistics over customer buckets (`--cluster`, docs/scaling.md) publish what the one-process path
publishes: row for row, with the same schemas, ids and order, on a LocalCluster of two workers and from any number of
buckets; the workers are given Parquet paths and never the store."""

from __future__ import annotations

import inspect
import math
import shutil
import socket
from pathlib import Path

import duckdb
import pytest
from helpers import ROOT, run_cli

from cxmining.cluster import Cluster, cluster_setting, task_runner
from cxmining.errors import CxminingError, ScheduleError
from cxmining.mining.partitioned import (
    TracePartitions,
    bucket_partials,
    merged_statistics,
    partials_folder,
    partitions_folder,
    trace_partitions,
)
from cxmining.mining.statistics import MINING_TABLES, mining_tables
from cxmining.synthetic import write_sample

# Tables whose stored order is part of their definition (ORDER BY in their SQL); the others are compared as sets.
ORDERED = {"activity_stats", "activity_lanes", "variants", "dfg", "start_activities", "end_activities"}
# activity_positions.mean_position is a mean of fractions: its last digits depend on the order DuckDB adds them in,
# in one process as over buckets, so it is compared to 1e-12 (every other value exactly).
FRACTIONS = {"activity_positions"}


def mining_rows(db: Path) -> dict[str, tuple[list, list]]:
    """Each mining table's schema and rows (sorted where the table defines no order)."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = {}
        for name in MINING_TABLES:
            schema = con.execute(f"DESCRIBE {name}").fetchall()
            rows = con.execute(f"SELECT * FROM {name}").fetchall()
            tables[name] = (schema, rows if name in ORDERED else sorted(rows, key=repr))
        return tables


def assert_same_statistics(expected: Path, actual: Path) -> None:
    """The mining tables of two stores are equal: schemas, and rows in order (exact but for FRACTIONS)."""
    one, other = mining_rows(expected), mining_rows(actual)
    for name in MINING_TABLES:
        (schema, rows), (other_schema, other_rows) = one[name], other[name]
        assert other_schema == schema, name
        assert len(rows) == len(other_rows) > 0, name
        if name in FRACTIONS:
            by_activity, other_by_activity = dict(rows), dict(other_rows)
            assert by_activity.keys() == other_by_activity.keys()
            assert all(math.isclose(by_activity[a], other_by_activity[a], rel_tol=1e-12) for a in by_activity), name
        else:
            assert other_rows == rows, name


# Columns that say when or how long a step ran, or which run did it: they differ between any two nights.
VOLATILE = {
    "runs": None, "run_steps": None, "run_metrics": {"run_id", "finished_at"},
    "ingested_files": {"run_id", "ingested_at"}, "quarantine": {"run_id", "quarantined_at"},
    "alignment_cache": {"compute_seconds", "computed_at"}, "precision_cache": {"computed_at"},
    "conformance_summary": {"seconds", "computed_at"}, "journey_build": {"built_at"},
    "whatif_validation": {"simulated_at"}, "whatif_results": {"simulated_at"},
    "discovered_variants": {"model_dir"},  # the night's output folder
    # a compact join key, not stable between two full builds even in one process (events are matched by event_id)
    "stitched_events": {"event_no"}, "journey_assignment": {"event_no"},
}


def assert_same_store(expected: Path, actual: Path) -> None:
    """Every table and view the night published is the same in two stores (as sets of rows; the mining tables are
    compared by `assert_same_statistics`), but for the VOLATILE columns and the run records."""
    with duckdb.connect(str(expected), read_only=True) as a, duckdb.connect(str(actual), read_only=True) as b:
        names = [n for (n,) in a.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        assert names == [n for (n,) in b.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        compared = [n for n in names if n not in MINING_TABLES and VOLATILE.get(n, set()) is not None]
        assert {"journeys", "journey_assignment", "variant_conformance", "deviations", "contact_demand",
                "failure_demand_products", "avoidable_calls", "whatif_results", "run_metrics"} <= set(compared)
        for name in compared:
            columns = [c for (c,) in a.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                               "ORDER BY ordinal_position", [name]).fetchall()
                       if c not in VOLATILE.get(name, set())]
            quoted = ", ".join('"' + c + '"' for c in columns)
            query = f'SELECT {quoted} FROM "{name}"'
            rows, other = (sorted(con.execute(query).fetchall(), key=repr) for con in (a, b))
            assert other == rows, name


def statistics_over_buckets(db: Path, buckets: int) -> dict[str, int]:
    """The partitioned path of the library, with the workers' calls made here in turn."""
    partitions = trace_partitions(db, buckets)
    return merged_statistics(db, partitions, [bucket_partials(b, partials_folder(b)) for b in partitions.buckets])


def test_the_nightly_flow_on_a_local_cluster_publishes_the_same_store(harness, tmp_path: Path) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterParentFlowRunId,
        TaskRunFilter,
        TaskRunFilterName,
    )
    from prefect.client.schemas.sorting import FlowRunSort, TaskRunSort

    from pipelines.nightly import nightly

    landing = tmp_path / "landing"
    write_sample(landing, customers=60, seed=15, days=10)
    models = ROOT / "data" / "sample" / "models" / "models.yaml"
    scenarios = tmp_path / "scenarios"  # the what-if replications on the cluster too: 4 (auto's rounds are compared in
    scenarios.mkdir()  # tests/test_cluster_whatif.py)
    for path in (ROOT / "data" / "sample" / "scenarios").iterdir():
        (scenarios / path.name).write_text(path.read_text().replace("replications: auto", "replications: 4"))
    alone, spread = tmp_path / "alone" / "store.duckdb", tmp_path / "spread" / "store.duckdb"
    # pm4py's alignments: r4pm's choice between tied ones is not fixed from one process to the next (conformance.md)
    nightly(landing=landing, db=alone, out=tmp_path / "alone" / "out", models=models, scenarios=scenarios,
            conformance_aligner="pm4py")
    result = nightly(landing=landing, db=spread, out=tmp_path / "spread" / "out", models=models, cluster="local:2",
                     buckets=3, scenarios=scenarios, conformance_aligner="pm4py", conformance_batch=5)

    assert result["store"]["variants"] > 10
    assert_same_statistics(alone, spread)
    assert_same_store(alone, spread)
    with duckdb.connect(str(alone), read_only=True) as a, duckdb.connect(str(spread), read_only=True) as b:
        for query in ("SELECT * FROM variant_conformance", "SELECT * EXCLUDE (seconds, computed_at) FROM conformance_summary",
                      "SELECT * EXCLUDE (computed_at, compute_seconds) FROM alignment_cache ORDER BY variant"):
            assert b.execute(query).fetchall() == a.execute(query).fetchall(), query  # in their order too
    # every stage's partitions are gone once merged, but the statistics' traces and partials, kept for the next night
    [parts] = spread.parent.glob("*.parts")
    assert {p.name for p in parts.iterdir()} == {"case_traces", "partials"}
    assert not result["skipped"]  # what-if too
    with duckdb.connect(str(spread), read_only=True) as con:
        batches = -(-con.execute("SELECT count(*) FROM alignment_cache").fetchone()[0] // 5)
    with get_client(sync_client=True) as client:  # the cluster's: one worker task per bucket, batch and replication
        subflows = {client.read_flow(run.flow_id).name: run for run in client.read_flow_runs(flow_run_filter=FlowRunFilter(
            parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[result["run_id"]])), sort=FlowRunSort.ID_DESC, limit=10)}

        def completed(name: str) -> list:
            runs = client.read_task_runs(task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_=name)),
                                         flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[f.id for f in subflows.values()])),
                                         sort=TaskRunSort.EXPECTED_START_TIME_DESC, limit=200)
            return [t for t in runs if t.state.is_completed()]

        buckets, chunks = completed("bucket_statistics"), completed("replication_chunk")
        features = completed("bucket_demand_features")  # this night's demand features were a full build
        aligned = completed("batch_alignments")
    # the first night builds its journeys in full: on the cluster too (tests/test_cluster_journeys.py)
    assert {"journeys on a cluster", "process statistics on a cluster"} <= set(subflows)
    assert len(buckets) == 3 and len(chunks) == 4 and len(features) == 3 and 1 < len(aligned) == batches


def test_any_number_of_buckets_gives_the_one_process_statistics(sample_store, tmp_path: Path) -> None:
    alone = sample_store(120, 8, 30, tmp_path)  # built in one process by the fixture
    for buckets in (1, 2, 7):
        folder = tmp_path / f"buckets-{buckets}"
        folder.mkdir()
        spread = Path(shutil.copy(alone, folder / "store.duckdb"))
        counts = statistics_over_buckets(spread, buckets)
        assert counts["changed_cases"] == 0  # the journeys did not change: every statistic from the kept traces
        assert_same_statistics(alone, spread)


def test_traces_aggregated_in_passes_give_the_same_statistics(sample_store, tmp_path: Path, monkeypatch) -> None:
    """A big log's traces are built a share of its cases at a time (ordered lists cannot spill): any number of passes
    gives the statistics of one."""
    from cxmining.mining import statistics

    alone = sample_store(120, 8, 30, tmp_path)
    with duckdb.connect(str(alone), read_only=True) as con:
        events = con.execute("SELECT count(*) FROM journey_events").fetchone()[0]
    for per_pass in (97, events // 3):  # dozens of passes, and three
        folder = tmp_path / f"passes-{per_pass}"
        folder.mkdir()
        passes = Path(shutil.copy(alone, folder / "store.duckdb"))
        monkeypatch.setattr(statistics, "TRACE_PASS_EVENTS", per_pass)
        assert mining_tables(passes, full=True)["changed_cases"] == mining_tables(alone)["case_variants"]
        assert_same_statistics(alone, passes)


def test_a_night_recomputes_only_the_buckets_its_changes_touch(tmp_path: Path) -> None:
    """Nights added one by one on a cluster: only the buckets whose cases changed are computed again, the others'
    partials are kept, and the statistics equal those of one process every night; a full build, other buckets or a
    kept partial that no longer matches the store's traces make every bucket be computed again."""
    from test_incremental import split_landing

    from cxmining.ingest.folder import landing_reports
    from cxmining.journeys import journey_tables

    source = tmp_path / "all"
    write_sample(source, customers=120, seed=41, days=30, history_days=10)
    landing, alone, spread = tmp_path / "landing", tmp_path / "alone.duckdb", tmp_path / "spread.duckdb"
    held = split_landing(source, landing, 2)
    for db in (alone, spread):
        landing_reports(db, landing, "first")
        journey_tables(db)
    mining_tables(alone)
    first = trace_partitions(spread, 64)
    assert not first.kept and len(first.buckets) > 32  # the first night computes every bucket
    merged_statistics(spread, first, [bucket_partials(b, partials_folder(b)) for b in first.buckets])
    assert_same_statistics(alone, spread)
    for day in held:
        for path in source.glob(f"*/*_{day}.*"):
            shutil.copy(path, landing / path.parent.name / path.name)
        for db in (alone, spread):
            landing_reports(db, landing, day)
            journey_tables(db)
        mining_tables(alone)
        (partitions_folder(spread) / "journeys" / "bucket=3").mkdir(parents=True)  # what a failed night's stage left
        night = trace_partitions(spread, 64)
        assert night.kept and night.buckets  # some buckets kept, the changed ones computed again
        assert not (partitions_folder(spread) / "journeys").exists()
        assert {p.name for p in night.kept}.isdisjoint(b.name for b in night.buckets)
        merged_statistics(spread, night, [bucket_partials(b, partials_folder(b)) for b in night.buckets])
        assert_same_statistics(alone, spread)
    assert not trace_partitions(spread, 8).kept  # other buckets: all computed again
    with duckdb.connect(str(spread)) as con:  # the traces changed behind the kept partials' back
        con.execute("DELETE FROM case_traces WHERE case_id = (SELECT min(case_id) FROM case_traces)")
    assert not trace_partitions(spread, 8).kept


def test_ties_odd_and_even_counts_give_duckdbs_mean_and_median(tmp_path: Path) -> None:
    """An imported-style log (no journeys, cases bucketed by id) with times on a coarse grid, so many durations and
    gaps tie and each median falls on one value or between two: the merged value counts give DuckDB's own median."""
    log = """
    CREATE TABLE journey_events AS
    WITH cases AS (SELECT range AS c, 2 + (hash(range) % 5)::INTEGER AS n FROM range(3000))
    SELECT
        'case-' || c AS "case:concept:name",
        ['open', 'check', 'call', 'fix', 'close'][1 + (hash(c * 31 + i) % 5)::INTEGER] AS "concept:name",
        TIMESTAMP '2026-01-01' + to_seconds(CAST(i * 60 + (hash(c * 7 + i) % 4) * 15 * (hash(c) % 3) AS BIGINT))
            + to_microseconds(CAST(hash(c) % 2 AS BIGINT)) AS "time:timestamp",
        CAST(i AS BIGINT) AS event_order,
        CASE WHEN hash(c + i) % 4 = 0 THEN NULL ELSE 'lane-' || (hash(i) % 2) END AS lane,
        'e-' || c || '-' || i AS event_id
    FROM cases, range(n) AS r(i)
    """
    alone, spread = tmp_path / "alone.duckdb", tmp_path / "spread.duckdb"
    for db in (alone, spread):
        with duckdb.connect(str(db)) as con:
            con.execute(log)
    mining_tables(alone)
    statistics_over_buckets(spread, 4)
    assert_same_statistics(alone, spread)
    with duckdb.connect(str(alone), read_only=True) as con:
        ties = con.execute("SELECT count(*) FILTER (WHERE median_seconds <> mean_seconds), "
                           "count(*) FILTER (WHERE median_seconds * 1e6 <> round(median_seconds * 1e6)) FROM dfg").fetchone()
        halves = con.execute("SELECT count(*) FROM variants WHERE frequency % 2 = 0 AND frequency > 1").fetchone()[0]
    assert ties[0] > 0 and halves > 0  # the medians are not the means, and even counts are there to interpolate


def test_a_worker_is_given_parquet_paths_and_never_the_store(sample_store, tmp_path: Path) -> None:
    db = sample_store(120, 8, 30, tmp_path)
    partitions = trace_partitions(db, 3)
    assert partitions.folder == partitions_folder(db) and len(partitions.buckets) == 3
    assert all(p.annotation == "Path" for p in inspect.signature(bucket_partials).parameters.values())
    elsewhere = tmp_path / "elsewhere"
    shutil.move(db, elsewhere)  # the worker's machine has no store at all
    partials = [bucket_partials(b, partials_folder(b)) for b in partitions.buckets]
    assert {p.name for p in partials[0].iterdir()} == {
        "partial_activities.parquet", "partial_activity_lanes.parquet", "partial_variant_durations.parquet",
        "partial_dfg_gaps.parquet", "partial_case_durations.parquet", "partial_case_variants.parquet"}
    shutil.move(elsewhere, db)
    counts = merged_statistics(db, partitions, partials)
    with duckdb.connect(str(db), read_only=True) as con:
        cases = con.execute("SELECT count(*) FROM case_traces").fetchone()[0]
    assert counts["case_variants"] == counts["case_durations"] == cases  # every bucket's cases, each once


def test_a_night_without_cases_publishes_empty_statistics(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute('CREATE TABLE journey_events ("case:concept:name" VARCHAR, "concept:name" VARCHAR, '
                    '"time:timestamp" TIMESTAMP, event_order BIGINT, lane VARCHAR, event_id VARCHAR)')
    partitions = trace_partitions(db, 4)
    assert partitions == TracePartitions(partitions_folder(db), (), 0, (), 4)
    assert set(merged_statistics(db, partitions, []).values()) == {0}


@pytest.mark.parametrize(("text", "cluster"), [
    (None, None), ("", None), ("local:2", Cluster(workers=2)), (" local:16 ", Cluster(workers=16)),
    ("tcp://10.0.0.5:8786", Cluster(address="tcp://10.0.0.5:8786")),
    ("tcp://dask-scheduler.internal:8786", Cluster(address="tcp://dask-scheduler.internal:8786")),
])
def test_the_cluster_setting_names_a_local_cluster_or_a_scheduler(text: str | None, cluster: Cluster | None) -> None:
    assert cluster_setting(text) == cluster


@pytest.mark.parametrize("text", ["local:0", "local:", "local:two", "foo", "tcp://host", "http://host:8786", "local:999"])
def test_a_setting_that_names_no_cluster_is_one_line(text: str) -> None:
    with pytest.raises(CxminingError, match=r"^--cluster .*(local:N|workers)") as raised:
        cluster_setting(text)
    assert "\n" not in str(raised.value)


def test_the_task_runner_starts_a_local_cluster_or_joins_the_scheduler() -> None:
    from prefect_dask import DaskTaskRunner

    local = task_runner(Cluster(workers=3), "http://127.0.0.1:4200/api")
    assert isinstance(local, DaskTaskRunner) and local.address is None
    assert local.cluster_kwargs["n_workers"] == 3 and local.cluster_kwargs["threads_per_worker"] == 1
    assert local.cluster_kwargs["env"]["PREFECT_API_URL"] == "http://127.0.0.1:4200/api"
    remote = task_runner(Cluster(address="tcp://10.0.0.5:8786"))
    assert remote.address == "tcp://10.0.0.5:8786" and not remote.cluster_kwargs


def test_local_workers_share_the_machines_cores_and_memory(monkeypatch) -> None:
    from cxmining import cluster as module

    monkeypatch.delenv("CXMINING_MEMORY_LIMIT", raising=False)
    monkeypatch.setattr(module, "usable_cores", lambda: 8)
    monkeypatch.setattr(module, "machine_memory_bytes", lambda: 24 * 2**30)
    four, sixteen = module.worker_environment(4), module.worker_environment(16, "http://127.0.0.1:4200/api")
    assert (four["CXMINING_THREADS"], four["CXMINING_MEMORY_LIMIT"]) == ("2", f"{25 * 10**8 // 4 // 2**20}MiB")
    assert (sixteen["CXMINING_THREADS"], sixteen["CXMINING_MEMORY_LIMIT"]) == ("1", "256MiB")  # never below 256 MiB
    assert four["RAYON_NUM_THREADS"] == four["POLARS_MAX_THREADS"] == "2"  # r4pm's and polars' pools too
    assert "PREFECT_API_URL" not in four and sixteen["PREFECT_API_URL"] == "http://127.0.0.1:4200/api"
    monkeypatch.setenv("CXMINING_MEMORY_LIMIT", "3GB")  # the night's own limit is each worker's too
    assert "CXMINING_MEMORY_LIMIT" not in module.worker_environment(4)


def test_a_worker_duckdb_takes_its_threads_from_the_environment(monkeypatch) -> None:
    from cxmining.store import connect

    monkeypatch.setenv("CXMINING_THREADS", "1")
    assert connect(":memory:").execute("SELECT current_setting('threads')").fetchone()[0] == 1
    monkeypatch.setenv("CXMINING_THREADS", "many")
    with pytest.raises(CxminingError, match="^CXMINING_THREADS='many' is not a number of threads"):
        connect(":memory:")


def test_a_scheduler_that_does_not_answer_stops_the_night_in_one_line() -> None:
    from cxmining.cluster import night_cluster

    with socket.socket() as listening:  # a port that answers, then one that nothing listens on any more
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        address = f"tcp://127.0.0.1:{listening.getsockname()[1]}"
        with night_cluster(Cluster(address=address)) as joined:
            assert joined == Cluster(address=address)
    with pytest.raises(CxminingError, match=rf"^--cluster {address}: no Dask scheduler answers there \(") as raised:
        with night_cluster(Cluster(address=address)):
            pytest.fail("the night went on")
    assert "\n" not in str(raised.value)


def test_cxmining_run_refuses_a_bad_cluster_before_prefect_starts(tmp_path: Path, monkeypatch) -> None:
    from cxmining.runs import embedded_server

    monkeypatch.setattr(embedded_server, "embedded_server_url", lambda: pytest.fail("Prefect was started"))
    for text in ("local:0", "foo"):
        code, _, err = run_cli(["run", "--landing", str(tmp_path), "--cluster", text], monkeypatch)
        assert code == 1 and err.startswith("error: --cluster ") and text in err
        assert err.count("\n") == 1


def test_the_deployment_takes_the_cluster_and_refuses_a_bad_one(tmp_path: Path) -> None:
    from pipelines.schedule import nightly_deployment

    deployment = nightly_deployment(tmp_path / "l", tmp_path / "s.duckdb", tmp_path / "o",
                                    settings=["cluster=tcp://10.0.0.5:8786", "buckets=32"])
    assert (deployment.parameters["cluster"], deployment.parameters["buckets"]) == ("tcp://10.0.0.5:8786", 32)
    for setting, message in (("cluster=foo", "--cluster 'foo'"), ("buckets=0", "--buckets 0")):
        with pytest.raises(ScheduleError, match=f"^--set: {message}"):
            nightly_deployment(tmp_path / "l", tmp_path / "s.duckdb", tmp_path / "o", settings=[setting])
