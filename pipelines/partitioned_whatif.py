"""The what-if step's simulation on a cluster, as a subflow of the nightly flow whose task runner is the night's Dask
cluster (`cxmining.cluster`): the coordinator's task calibrates, decides the rounds and writes the tables in the
flow's process; the replications run in chunks, one task per chunk, on the cluster's workers, which are given the
model's file and never the store (docs/scaling.md).

Tasks only wrap cxmining functions and pass paths.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
from prefect import Flow, flow, task, unmapped

from cxmining.cluster import Cluster
from cxmining.whatif.chunked import PER_TASK, ChunkedWorkers, chunk_results, whatif_folder
from cxmining.whatif.results import whatif_tables
from cxmining.whatif.scenario import Scenario

from .partitioned import on_cluster


@task
def replication_chunk(shared: Path, function: Callable[[Any, int], Any], replications: list[int]) -> list[Any]:
    """One chunk of replications' rows, from the model's file `shared` (run by a cluster worker)."""
    return chunk_results(shared, function, replications)


def _mapped_chunks(shared: Path, function: Callable[[Any, int], Any], chunks: list[list[int]]) -> list[list[Any]]:
    """Every chunk through `replication_chunk` on the flow's task runner, the results in the order of the chunks."""
    return replication_chunk.map(unmapped(shared), unmapped(function), chunks).result()


@task
def scenario_tables(db: Path, scenarios: list[tuple[Scenario, Path | None]],
                    per_task: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`whatif_tables` (validation, results), its replications mapped in chunks of `per_task` over the flow's task
    runner: the same rows as in one process."""
    spread = partial(ChunkedWorkers, folder=whatif_folder(db), map_chunks=_mapped_chunks, per_task=per_task)
    return whatif_tables(db, scenarios, spread=spread)


@flow(name="what-if on a cluster")
def cluster_whatif_tables(db: Path, scenarios: list[tuple[Scenario, Path | None]],
                          per_task: int = PER_TASK) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Today's regime and the `scenarios` simulated and stored as `whatif_tables` does, with each chunk of
    replications computed by a task of the flow's task runner."""
    return scenario_tables(db, scenarios, per_task)


def whatif_on(cluster: Cluster) -> Flow:
    """`cluster_whatif_tables` on `cluster` (`on_cluster`)."""
    return on_cluster(cluster_whatif_tables, cluster)
