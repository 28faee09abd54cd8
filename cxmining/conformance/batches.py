"""Conformance over batches of new variants, for a cluster: the results of `checking.conformance_tables`, with the
variants the alignment cache lacks aligned by workers in parallel and published by the one writer.

Three steps, each one call (docs/scaling.md):

1. `variant_batches` (the coordinator, the only process that opens the store): the variants in scope and those
   `alignment_cache` lacks, as `conformance_tables` finds them; the model's net written as PNML with both markings and
   the variants to compute as Parquet batches: `<store>.parts/conformance/<model_hash>/batch=K/variants.parquet`.
2. `batch_results` (a worker, one call per batch): the batch aligned (or replayed) on the net by the same
   `variant_results`, its rows (`RESULT_SCHEMA`) written as `results.parquet` beside the batch. It is given paths and
   never the store.
3. `published_batches` (the coordinator): every batch's results published as `conformance_tables` publishes its own
   (`published_results`: precision, then the cache and the result tables in one transaction); the model's folder
   is removed after.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cxmining.cluster import partitions_folder, partitions_removed
from cxmining.conformance.checking import (
    RESULT_SCHEMA,
    ConformanceReport,
    checked_keys,
    published_results,
    variant_results,
    variants_to_compute,
)
from cxmining.conformance.designed import DesignedModel
from cxmining.conformance.settings import BATCH_VARIANTS, ConformanceSettings, checked_batch_size
from cxmining.errors import CxminingError
from cxmining.mining import pm4py_bridge as pm
from cxmining.store import opened

VARIANTS_FILE, RESULTS_FILE, NET_FILE = "variants.parquet", "results.parquet", "net.pnml"
VARIANTS_SCHEMA = pa.schema([("variant", pa.list_(pa.string()))])


@dataclass(frozen=True)
class VariantBatches:
    """What `variant_batches` wrote: the model's folder, its net, each batch's folder (in the variants' order), how
    many variants they hold, and when the coordinator began (time.perf_counter: the run's seconds count from it)."""

    folder: Path
    net: Path
    batches: tuple[Path, ...]
    variants: int
    began: float


def batches_folder(db: str | Path, model_hash: str) -> Path:
    """Where the batches of one model live: `<store>.parts/conformance/<model_hash>/`."""
    return partitions_folder(db) / "conformance" / model_hash


def variant_batches(db: str | Path, model: DesignedModel, journey_type: str | None, settings: ConformanceSettings,
                    size: int = BATCH_VARIANTS) -> VariantBatches:
    """The variants of `journey_type` (None: all) that alignment_cache lacks for `model`, as Parquet batches of `size`
    under `batches_folder` with the model's net; earlier batches of the model there are removed first."""
    began = time.perf_counter()
    keys = checked_keys(model.sha256, settings)
    checked_batch_size(size)
    folder = batches_folder(db, model.sha256)
    shutil.rmtree(folder, ignore_errors=True)  # a killed night's batches
    with opened(db) as con:
        todo = variants_to_compute(con, journey_type, keys, settings.variant_timeout_s)
    net = pm.net_file(model.net, model.initial_marking, model.final_marking, folder / NET_FILE)
    batches = []
    for number, start in enumerate(range(0, len(todo), size)):
        batch = folder / f"batch={number}"
        batch.mkdir()
        rows = pa.Table.from_pydict({"variant": [list(v) for v in todo[start:start + size]]}, schema=VARIANTS_SCHEMA)
        pq.write_table(rows, batch / VARIANTS_FILE)
        batches.append(batch)
    return VariantBatches(folder, net, tuple(batches), len(todo), began)


def batch_results(batch: Path, net: Path, settings: ConformanceSettings) -> Path:
    """The rows for alignment_cache of the variants in the folder `batch`, replayed on the PNML `net` as `settings`
    say (`checking.variant_results`), written as `results.parquet` in `batch`; any worker can run it."""
    variants = [tuple(v) for v in pq.read_table(batch / VARIANTS_FILE).column("variant").to_pylist()]
    found_net, im, fm = pm.accepting_net(net)
    rows = variant_results(variants, found_net, im, fm, settings.method, settings.variant_timeout_s, settings.aligner,
                           settings.max_states)
    path = batch / RESULTS_FILE
    pq.write_table(rows, path)
    return path


def published_batches(db: str | Path, model: DesignedModel, journey_type: str | None, settings: ConformanceSettings,
                      batches: VariantBatches, results: list[Path]) -> ConformanceReport:
    """Every batch's `results` published for `model` as `conformance_tables` publishes its own, in one transaction
    (precision computed here, as in one process); the model's folder of batches is removed after."""
    keys = checked_keys(model.sha256, settings)
    # one chunk, as the one process's results are: DuckDB then adds the summary's doubles in the same order
    new_results = pa.concat_tables([pq.read_table(path, schema=RESULT_SCHEMA) for path in results]).combine_chunks() \
        if results else RESULT_SCHEMA.empty_table()
    if new_results.num_rows != batches.variants:
        raise CxminingError(f"{batches.folder}: {new_results.num_rows} results for {batches.variants} variants to compute")
    with opened(db) as con:
        # the batches' scope again (working tables end with their connection); the coordinator, the store's only
        # writer, wrote nothing since, so the same variants lack a result
        if len(variants_to_compute(con, journey_type, keys, settings.variant_timeout_s)) != batches.variants:
            raise CxminingError(f"{batches.folder}: the store changed since its batches were written")
        report = published_results(con, new_results, model.net, model.initial_marking, model.final_marking, keys,
                                   journey_type, settings.precision, batches.began)
    partitions_removed(batches.folder)
    return report
