"""Process statistics in DuckDB equal pm4py's own on real logs; models discovered from the variants alone."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from helpers import REAL, real

from cxmining.errors import StoreError
from cxmining.mining import pm4py_bridge as pm
from cxmining.mining.discovery import discovered_models, stored_variants
from cxmining.mining.statistics import mining_tables

HELPDESK = REAL / "helpdesk" / "helpdesk.xes.gz"
BPIC2012 = REAL / "bpic2012" / "bpic2012.xes.gz"
ROAD_FINES = REAL / "road-traffic-fines" / "Road_Traffic_Fine_Management_Process.xes.gz"
LOGS = {"helpdesk": HELPDESK, "bpic2012": BPIC2012, "road-traffic-fines": ROAD_FINES}

JOURNEY_EVENTS = """
CREATE TABLE journey_events AS
SELECT
    CAST("case:concept:name" AS VARCHAR) AS "case:concept:name",
    CAST("concept:name" AS VARCHAR) AS "concept:name",
    CAST("time:timestamp" AS TIMESTAMP) AS "time:timestamp",
    CAST(event_order AS BIGINT) AS event_order,
    CAST(lane AS VARCHAR) AS lane,
    CAST(event_id AS VARCHAR) AS event_id
FROM frame
"""


def journey_store(log: pd.DataFrame) -> duckdb.DuckDBPyConnection:
    """A :memory: store whose journey_events is the formatted log, numbered in its (stable) order."""
    frame = pd.DataFrame({
        "case:concept:name": log["case:concept:name"].astype(str),
        "concept:name": log["concept:name"].astype(str),
        "time:timestamp": log["time:timestamp"].dt.tz_convert("UTC").dt.tz_localize(None),
        "event_order": log.groupby("case:concept:name", sort=False).cumcount() + 1,
        "lane": None,
        "event_id": range(len(log)),
    })
    con = duckdb.connect(":memory:")
    con.register("frame", frame)
    con.execute(JOURNEY_EVENTS)
    con.unregister("frame")
    return con


@pytest.fixture(scope="module", params=list(LOGS))
def mined(request: pytest.FixtureRequest) -> tuple[pd.DataFrame, duckdb.DuckDBPyConnection]:
    """(pm4py's formatted log, a store with the mining tables built from it), read once per module."""
    log = pm.formatted_log(real(LOGS[request.param]))
    con = journey_store(log)
    mining_tables(con)
    yield log, con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple]:
    return con.execute(query).fetchall()


def test_dfg_frequencies_equal_pm4py(mined) -> None:
    log, con = mined
    ours = {(s, t): n for s, t, n in rows(con, "SELECT source, target, frequency FROM dfg")}
    assert ours == pm.dfg_frequencies(log)


def test_dfg_times_equal_pm4py(mined) -> None:
    log, con = mined
    ours = {
        (s, t): {"mean": mean, "median": median, "min": low, "max": high, "sum": total}
        for s, t, mean, median, low, high, total in rows(
            con, "SELECT source, target, mean_seconds, median_seconds, min_seconds, max_seconds, sum_seconds FROM dfg"
        )
    }
    theirs = pm.dfg_performance(log)
    assert ours.keys() == theirs.keys()
    for arc, stats in ours.items():
        for measure, value in stats.items():
            assert math.isclose(value, theirs[arc][measure], rel_tol=1e-6, abs_tol=1e-9), (arc, measure)


def test_start_and_end_activities_equal_pm4py(mined) -> None:
    log, con = mined
    assert dict(rows(con, "SELECT activity, frequency FROM start_activities")) == pm.start_activities(log)
    assert dict(rows(con, "SELECT activity, frequency FROM end_activities")) == pm.end_activities(log)


def test_variants_equal_pm4py(mined) -> None:
    log, con = mined
    assert stored_variants(con) == pm.variant_frequencies(log)
    ranked = rows(con, "SELECT variant_id, frequency, variant, share FROM variants ORDER BY variant_id")
    assert [r[0] for r in ranked] == list(range(1, len(ranked) + 1))
    assert [(-r[1], r[2]) for r in ranked] == sorted((-r[1], r[2]) for r in ranked)
    assert math.isclose(sum(r[3] for r in ranked), 1.0)
    # every case points at the variant whose activities it follows
    assert rows(con, "SELECT count(*), count(DISTINCT variant_id) FROM case_variants") == [(log["case:concept:name"].nunique(), len(ranked))]


def test_case_durations_equal_pm4py(mined) -> None:
    log, con = mined
    ours = dict(rows(con, "SELECT case_id, duration_seconds FROM case_durations"))
    # pm4py subtracts float epoch seconds (29.951999999999998); ours subtracts whole microseconds (29.952)
    assert ours == pytest.approx(pm.case_durations(log), rel=1e-9, abs=1e-6)
    assert rows(con, "SELECT sum(events) FROM case_durations") == [(len(log),)]


def test_ties_in_time_follow_event_order_not_timestamp() -> None:
    con = duckdb.connect(":memory:")
    at = datetime(2026, 9, 1, 10, 0)
    con.execute(
        "CREATE TABLE journey_events AS SELECT * FROM (VALUES"
        " ('c1', 'Call', $at, 2, 'phone', 'e1'), ('c1', 'Visit', $at, 1, 'web', 'e2'),"
        " ('c1', 'Order', $at + INTERVAL 1 HOUR, 3, 'web', 'e3'), ('c2', 'Call', $at, 1, 'phone', 'e4'))"
        " AS t(\"case:concept:name\", \"concept:name\", \"time:timestamp\", event_order, lane, event_id)",
        {"at": at},
    )
    counts = mining_tables(con)
    assert counts["variants"] == 2 and counts["case_variants"] == 2
    assert stored_variants(con) == {("Visit", "Call", "Order"): 1, ("Call",): 1}
    assert rows(con, "SELECT source, target, frequency, mean_seconds FROM dfg ORDER BY source") == [
        ("Call", "Order", 1, 3600.0), ("Visit", "Call", 1, 0.0)
    ]
    assert rows(con, "SELECT activity, lane, events, cases FROM activity_stats ORDER BY activity") == [
        ("Call", "phone", 2, 2), ("Order", "web", 1, 1), ("Visit", "web", 1, 1)
    ]
    # Positions in event order: c1 is Visit(0) Call(0.5) Order(1); c2 is Call alone (0).
    assert rows(con, "SELECT activity, mean_position FROM activity_positions ORDER BY activity") == [
        ("Call", 0.25), ("Order", 1.0), ("Visit", 0.0)
    ]


def test_mining_without_journey_events_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="journey_events"):
        mining_tables(duckdb.connect(":memory:"))


@pytest.mark.skipif(not HELPDESK.exists(), reason=f"real log not found at {HELPDESK}")
def test_model_from_variants_replays_helpdesk_like_pm4py_on_the_full_log(tmp_path: Path) -> None:
    noise = 0.2
    log = pm.formatted_log(HELPDESK)
    con = journey_store(log)
    mining_tables(con)
    paths = discovered_models(con, tmp_path, noise=noise)
    assert {p.name for p in paths.values()} == {"process_model.pnml", "process_model.bpmn", "process_model.tree.txt"}
    assert "<pnml" in paths["pnml"].read_text(encoding="utf-8")
    ours = pm.discovered_model(stored_variants(con), noise)
    reference = pm.discovered_model_of_log(log, noise)
    # pm4py's IMf mines the variant counter of the log it is given, so the variants table must give the
    # very same tree; the Helpdesk log (21,348 events) replays on both nets with the same token-based
    # fitness (0.988 at noise 0.2).
    assert str(ours.tree) == str(reference.tree)
    ours_fitness, reference_fitness = pm.replay_fitness(log, ours), pm.replay_fitness(log, reference)
    assert ours_fitness == pytest.approx(reference_fitness, abs=1e-9)
    assert ours_fitness > 0.95
    assert str(ours.tree) == paths["tree"].read_text(encoding="utf-8").strip()
    # the BPMN file reads back with pm4py and names only activities of the log
    tasks = pm.bpmn_activities(paths["bpmn"])
    assert tasks and tasks <= set(log["concept:name"].unique())


def test_discovery_without_variants_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="variants"):
        discovered_models(duckdb.connect(":memory:"), tmp_path)


@pytest.mark.parametrize("name", ["bpic2012", "road-traffic-fines"])
def test_the_variant_dfg_is_pm4pys_in_its_order_and_the_miner_gives_pm4pys_tree(name: str) -> None:
    """`variant_dfg`, which the inductive miner uses in place of pm4py's `discover_dfg_uvcl`, gives the same counts
    in the same key order on a real log's variants and on sub-logs like those the miner projects (activities left
    out, empty traces); the miner on the variants then gives pm4py's own tree on the full log."""
    import random
    from collections import Counter

    from pm4py.util.compression import util as compression_util

    log = pm.formatted_log(real(LOGS[name]))
    variants = Counter({tuple(v): int(n) for v, n in pm.variant_frequencies(log).items()})
    rng = random.Random(5)
    alphabet = sorted({a for v in variants for a in v})
    sublogs = [variants]
    for _ in range(5):
        kept = set(rng.sample(alphabet, max(1, len(alphabet) // 2)))
        sublogs.append(Counter({tuple(a for a in v if a in kept): n for v, n in variants.items()}))
    for sub in sublogs:
        ours, theirs = pm.variant_dfg(sub), compression_util.discover_dfg_uvcl(sub)
        for part in ("graph", "start_activities", "end_activities"):
            assert list(getattr(ours, part).items()) == list(getattr(theirs, part).items())
    if name == "road-traffic-fines":
        assert str(pm.discovered_model(variants, 0.2).tree) == str(pm.discovered_model_of_log(log, 0.2).tree)


def test_the_process_model_is_kept_until_the_variants_move_far_enough(tmp_path: Path, caplog) -> None:
    import logging

    from cxmining.mining import discovery

    rows = [(f"c{i}", a, pd.Timestamp(2026, 9, 1, 10, k, tz="UTC")) for i in range(40)
            for k, a in enumerate(["Visit", "Order", "Pay"] if i % 4 else ["Visit", "Call", "Order"])]
    con = journey_store(pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"]))
    mining_tables(con)
    out = tmp_path / "out"
    first = discovered_models(con, out, noise=0.2)
    written = {kind: path.stat().st_mtime_ns for kind, path in first.items()}
    with caplog.at_level(logging.INFO, logger="cxmining"):
        again = discovered_models(con, out, noise=0.2)
    assert again == first and {k: p.stat().st_mtime_ns for k, p in again.items()} == written  # kept, not written
    assert any("process model kept: the variants moved 0.0%" in r.getMessage() for r in caplog.records)
    con.execute("UPDATE variants SET frequency = frequency * 3 WHERE variant_id = 2")  # a share moves by 20%
    discovered_models(con, out, noise=0.2)
    assert first["tree"].stat().st_mtime_ns != written["tree"]  # mined again
    remined = first["tree"].stat().st_mtime_ns
    discovered_models(con, out, noise=0.3)  # another threshold: mined again
    assert first["tree"].stat().st_mtime_ns != remined
    assert discovery.MODEL_FILES["tree"] == first["tree"].name
