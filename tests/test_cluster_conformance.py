"""Conformance over batches of new variants (`--cluster`, docs/scaling.md) publishes what the one-process path
publishes: the workers' function, called here in turn on several batches, gives the same conformance tables with
pm4py's and r4pm's alignments and with token replay; a worker is given Parquet and PNML paths and never the store.
The nightly flow on a LocalCluster is compared in tests/test_cluster.py."""

from __future__ import annotations

import inspect
import shutil
from pathlib import Path

import duckdb
import pytest
from helpers import ROOT

from cxmining.conformance.batches import (
    NET_FILE,
    RESULTS_FILE,
    VARIANTS_FILE,
    batch_results,
    batches_folder,
    published_batches,
    variant_batches,
)
from cxmining.conformance.outputs import (
    ConformanceOutcome,
    batched_outcome,
    checked_models,
    conformance_outputs,
    model_batches,
)
from cxmining.conformance.settings import ConformanceSettings
from cxmining.errors import CxminingError
from cxmining.mining.partitioned import partitions_folder

MODELS = ROOT / "data" / "sample" / "models" / "models.yaml"
SAMPLE = (120, 8, 30)  # the sample store tests/test_cluster.py uses too: built once per session
# The published conformance, in a stated order; what measures the run's own time is left out.
TABLES = {
    "variant_conformance": "SELECT * FROM variant_conformance ORDER BY variant_id",
    "conformance_journeys": "SELECT * FROM conformance_journeys ORDER BY journey_id",
    "deviations": "SELECT * FROM deviations ORDER BY ALL",
    "conformance_summary": "SELECT * EXCLUDE (seconds, computed_at) FROM conformance_summary",
    "alignment_cache": "SELECT * EXCLUDE (computed_at, compute_seconds) FROM alignment_cache ORDER BY variant",
    "model_diff": "SELECT * FROM model_diff ORDER BY ALL",
}
# r4pm's choice among equally good alignments is not fixed from one process to the next (docs/conformance.md): its
# moves, and the deviations typed from them, are compared only where every run makes the same choice.
TIES = {"variant_conformance": "SELECT * EXCLUDE (moves) FROM variant_conformance ORDER BY variant_id",
        "alignment_cache": "SELECT * EXCLUDE (computed_at, compute_seconds, moves, deviations) FROM alignment_cache ORDER BY variant",
        "deviations": "SELECT sum(journeys) FROM deviations"}


def published(db: Path, tied: bool = False) -> dict[str, list]:
    """The rows of every conformance table of the store (moves left out where `tied`)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: con.execute(TIES.get(name, query) if tied else query).fetchall() for name, query in TABLES.items()}


def batched(db: Path, out: Path, settings: ConformanceSettings, size: int) -> ConformanceOutcome:
    """The cluster's path of the library for the sample's order journeys, the workers' calls made here in turn."""
    batches = model_batches(db, MODELS, "order", settings, size)
    return batched_outcome(db, MODELS, "order", out, settings, batches,
                           [batch_results(b, batches.net, settings) for b in batches.batches])


def two_stores(sample_store, tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of the sample store: one for each path."""
    stores = []
    for name in ("alone", "batched"):
        (tmp_path / name).mkdir()
        stores.append(sample_store(*SAMPLE, tmp_path / name))
    return stores[0], stores[1]


@pytest.mark.parametrize("settings", [ConformanceSettings(aligner="pm4py"), ConformanceSettings(aligner="r4pm"),
                                      ConformanceSettings(method="token_replay")], ids=["pm4py", "r4pm", "token_replay"])
def test_batches_publish_the_one_process_conformance(settings, sample_store, tmp_path: Path) -> None:
    alone, spread = two_stores(sample_store, tmp_path)
    [one] = conformance_outputs(alone, MODELS, tmp_path / "alone" / "out", settings)
    other = batched(spread, tmp_path / "batched" / "out", settings, 7)

    assert one.report.computed_variants == other.report.computed_variants > 3 * 7  # several batches of 7
    assert one.report.variants == other.report.variants and one.report.precision == other.report.precision
    tied = settings.aligner == "r4pm" and settings.method == "alignments"
    expected, found = published(alone, tied), published(spread, tied)
    for name in TABLES:
        assert found[name] == expected[name], name
        assert found[name] or (name == "deviations" and settings.method == "token_replay"), name  # token replay types none
    assert other.diff == one.diff and (other.deviation_map is None) == (one.deviation_map is None)
    assert not partitions_folder(spread).exists()  # the batches are gone once published

    again = batched(spread, tmp_path / "batched" / "out", settings, 7)  # every variant in the cache: no batch at all
    assert again.report.computed_variants == 0 and again.report.cached_variants == one.report.variants
    assert again.report.fitness == one.report.fitness and again.report.precision == one.report.precision
    assert {k: v for k, v in published(spread, tied).items() if k != "conformance_summary"} == {
        k: v for k, v in found.items() if k != "conformance_summary"}


def test_a_worker_is_given_paths_and_never_the_store(sample_store, tmp_path: Path) -> None:
    db = sample_store(*SAMPLE, tmp_path)
    settings = ConformanceSettings(aligner="pm4py", precision=False)
    model = checked_models(db, MODELS)["order"]
    batches = variant_batches(db, model, "order", settings, 25)
    assert batches.folder == batches_folder(db, model.sha256) and batches.net == batches.folder / NET_FILE
    assert [b.name for b in batches.batches] == [f"batch={k}" for k in range(len(batches.batches))]
    assert len(batches.batches) == -(-batches.variants // 25) > 1
    assert all(p.annotation in ("Path", "ConformanceSettings") for p in inspect.signature(batch_results).parameters.values())
    elsewhere = tmp_path / "elsewhere"
    shutil.move(db, elsewhere)  # the worker's machine has no store at all
    results = [batch_results(b, batches.net, settings) for b in batches.batches]
    assert results == [b / RESULTS_FILE for b in batches.batches] and all((b / VARIANTS_FILE).is_file() for b in batches.batches)
    shutil.move(elsewhere, db)
    report = published_batches(db, model, "order", settings, batches, results)
    assert report.computed_variants == batches.variants and report.cached_variants == 0
    assert report.variants == batches.variants and report.fitness is not None
    with duckdb.connect(str(db), read_only=True) as con:
        cached = con.execute("SELECT count(*) FROM alignment_cache WHERE model_hash = ?", [model.sha256]).fetchone()[0]
    assert cached == batches.variants


def test_a_missing_batch_is_refused_and_nothing_is_published(sample_store, tmp_path: Path) -> None:
    db = sample_store(*SAMPLE, tmp_path)
    settings = ConformanceSettings(aligner="pm4py", precision=False)
    model = checked_models(db, MODELS)["order"]
    batches = variant_batches(db, model, "order", settings, 25)
    results = [batch_results(b, batches.net, settings) for b in batches.batches]
    with pytest.raises(CxminingError, match=r"results for \d+ variants to compute$"):
        published_batches(db, model, "order", settings, batches, results[1:])
    with duckdb.connect(str(db), read_only=True) as con:
        assert "variant_conformance" not in {r[0] for r in con.execute("SHOW TABLES").fetchall()}


@pytest.mark.parametrize("size", [0, -3])
def test_a_batch_without_variants_is_one_line(size: int, sample_store, tmp_path: Path) -> None:
    db = sample_store(*SAMPLE, tmp_path)
    with pytest.raises(CxminingError, match=r"^--conformance-batch -?\d+: a batch needs 1 variant or more$"):
        model_batches(db, MODELS, "order", ConformanceSettings(), size)


def test_the_deployment_takes_the_batch_size_and_refuses_an_empty_batch(tmp_path: Path) -> None:
    from cxmining.errors import ScheduleError
    from pipelines.schedule import nightly_deployment

    paths = (tmp_path / "l", tmp_path / "s.duckdb", tmp_path / "o")
    deployment = nightly_deployment(*paths, settings=["cluster=local:2", "conformance_batch=1000"])
    assert deployment.parameters["conformance_batch"] == 1000
    with pytest.raises(ScheduleError, match=r"^--set: --conformance-batch 0: a batch needs 1 variant or more$"):
        nightly_deployment(*paths, settings=["conformance_batch=0"])
