"""Conformance over batches of new variants, as a subflow of the nightly flow whose task runner is the night's Dask
cluster (`cxmining.cluster`): the coordinator's tasks run in the flow's process, the one task per batch on the
cluster's workers, which are given Parquet and PNML paths and never the store (docs/scaling.md).

Tasks only wrap cxmining functions and pass paths.
"""

from __future__ import annotations

from pathlib import Path

from prefect import Flow, flow, task, unmapped

from cxmining.cluster import Cluster
from cxmining.conformance.batches import VariantBatches, batch_results
from cxmining.conformance.outputs import ConformanceOutcome, batched_outcome, checked_models, model_batches
from cxmining.conformance.settings import BATCH_VARIANTS, ConformanceSettings

from .partitioned import on_cluster


@task
def journey_types(db: Path, models: Path) -> list[str | None]:
    """The journey types the models config gives a designed model, in its order."""
    return list(checked_models(db, models))


@task
def conformance_batches(db: Path, models: Path, journey_type: str | None, settings: ConformanceSettings,
                        size: int) -> VariantBatches:
    """The journey type's variants that the alignment cache lacks, as Parquet batches beside the model's net."""
    return model_batches(db, models, journey_type, settings, size)


@task
def batch_alignments(batch: Path, net: Path, settings: ConformanceSettings) -> Path:
    """One batch's results for the alignment cache, as Parquet in `batch` (run by a cluster worker)."""
    return batch_results(batch, net, settings)


@task
def published_conformance(db: Path, models: Path, journey_type: str | None, out: Path, settings: ConformanceSettings,
                          batches: VariantBatches, results: list[Path]) -> ConformanceOutcome:
    """The batches' results published as the conformance tables, then the model diff and the deviation map."""
    return batched_outcome(db, models, journey_type, out, settings, batches, results)


@flow(name="conformance on a cluster")
def cluster_conformance(db: Path, models: Path, out: Path, settings: ConformanceSettings = ConformanceSettings(),
                        size: int = BATCH_VARIANTS) -> list[ConformanceOutcome]:
    """What the nightly `conformance` task yields, each journey type in turn (as in one process, so a variant one
    type's model aligned is in the cache for the next), with each batch of its new variants aligned by a task of the
    flow's task runner."""
    outcomes = []
    for journey_type in journey_types(db, models):
        batches = conformance_batches(db, models, journey_type, settings, size)
        futures = batch_alignments.map(list(batches.batches), unmapped(batches.net), unmapped(settings))
        outcomes.append(published_conformance(db, models, journey_type, out, settings, batches, futures.result()))
    return outcomes


def conformance_on(cluster: Cluster) -> Flow:
    """`cluster_conformance` on `cluster` (`on_cluster`)."""
    return on_cluster(cluster_conformance, cluster)
