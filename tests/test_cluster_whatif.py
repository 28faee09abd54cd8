"""The what-if replications on a cluster's workers (`--cluster`, docs/scaling.md) give the rows of one process, for a
fixed number of replications and through `auto`'s rounds; a worker is given the model's file and never the store.

Here the workers' function is called in turn, with the store moved away while it runs; tests/test_cluster.py runs the
nightly flow on a LocalCluster of two workers and compares its what-if tables with the one-process night's."""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

import duckdb
import polars as pl
import pytest
from helpers import ROOT

from cxmining.demand.tables import demand_tables
from cxmining.whatif.chunked import ChunkedWorkers, chunk_results, whatif_folder
from cxmining.whatif.results import AUTO_FIRST, AUTO_MOST, whatif_tables
from cxmining.whatif.scenario import folder_scenarios
from cxmining.whatif.simulation import ROUND

SCENARIOS = ROOT / "data" / "sample" / "scenarios"  # `replications: auto`, all three


@pytest.fixture(scope="module")
def store(sample_store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sample store (the one tests/test_cluster.py reads too) with its failure-demand tables."""
    db = sample_store(120, 8, 30, tmp_path_factory.mktemp("cluster-whatif"))
    demand_tables(db)
    return db


def stored_rows(db: Path) -> dict[str, list[tuple]]:
    """whatif_validation and whatif_results as stored, but for the time they were simulated at, in a fixed order."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {table: sorted(con.execute(f"SELECT * EXCLUDE (simulated_at) FROM {table}").fetchall(), key=repr)
                for table in ("whatif_validation", "whatif_results")}


def tables_on_workers_in_turn(db: Path, away: Path, per_task: int, **asked) -> tuple[pl.DataFrame, pl.DataFrame, list]:
    """`whatif_tables` with its replications in chunks of `per_task`, each chunk run here in turn by the workers'
    function with the store moved to `away`; also each round's chunks, as the workers were given them."""
    rounds = []

    def in_turn(shared: Path, function, chunks: list[list[int]]) -> list[list]:
        assert shared.parent == whatif_folder(db) and shared.is_file()
        rounds.append(chunks)
        shutil.move(db, away)  # the worker's machine has no store at all
        try:
            return [chunk_results(shared, function, chunk) for chunk in chunks]
        finally:
            shutil.move(away, db)

    spread = partial(ChunkedWorkers, folder=whatif_folder(db), map_chunks=in_turn, per_task=per_task)
    checked, results = whatif_tables(db, folder_scenarios(SCENARIOS), spread=spread, **asked)
    return checked, results, rounds


@pytest.mark.parametrize("asked", [{"replications": 5, "seed": 11}, {}], ids=["fixed", "auto"])
def test_replications_on_the_workers_give_the_rows_of_one_process(store: Path, tmp_path: Path, asked: dict) -> None:
    alone = Path(shutil.copy(store, tmp_path / "alone.duckdb"))
    spread = Path(shutil.copy(store, tmp_path / "spread.duckdb"))
    checked, results = whatif_tables(alone, folder_scenarios(SCENARIOS), **asked)
    checked_spread, results_spread, rounds = tables_on_workers_in_turn(spread, tmp_path / "away.duckdb", 3, **asked)

    assert checked_spread.drop("simulated_at").equals(checked.drop("simulated_at"))
    assert results_spread.drop("simulated_at").equals(results.drop("simulated_at"))
    assert stored_rows(spread) == stored_rows(alone)
    assert results["scenario"].n_unique() == 3 and checked.height > 5
    runs = checked["replications"][0]
    given = [i for chunks in rounds for chunk in chunks for i in chunk]
    assert given == list(range(runs))  # every replication on a worker, each once, in order
    assert all(len(chunk) <= 3 for chunks in rounds for chunk in chunks)
    if asked:
        assert len(rounds) == 1 and runs == 5
    else:  # auto went on past its first round, a round of ROUND at a time, as in one process
        sizes = [len(sum(chunks, [])) for chunks in rounds]
        assert len(sizes) > 1 and sizes[0] == AUTO_FIRST and max(sizes[1:]) == ROUND and runs <= AUTO_MOST
    assert not whatif_folder(spread).exists()  # the model's file and its folders are gone once simulated
