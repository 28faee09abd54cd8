"""Everything a designed model yields for the store's journeys: conformance, the design-vs-reality diff, the deviation map.

One sequence of library calls, for the nightly flow (every journey type of the landing folder's models config) and
for `cxmining conformance` (one BPMN file), so the two cannot drift apart. On a cluster the night splits it in two
around the workers' batches (`model_batches`, then `batched_outcome`: `conformance.batches`), each step reading the
models config again, as the flow's tasks pass paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cxmining.conformance.batches import VariantBatches, published_batches, variant_batches
from cxmining.conformance.checking import (
    ConformanceReport,
    ConformanceSettings,
    model_conformance,
    store_activities,
)
from cxmining.conformance.designed import DesignedModel, designed_models
from cxmining.conformance.deviation_map import deviation_map_svg
from cxmining.conformance.model_diff import ModelDiff, model_diff
from cxmining.conformance.settings import BATCH_VARIANTS
from cxmining.pictures.process_map import graphviz_missing


@dataclass(frozen=True)
class ConformanceOutcome:
    """What one designed model yielded: its conformance report, its diff with reality, and the deviation map."""

    journey_type: str | None
    model: DesignedModel
    report: ConformanceReport
    diff: ModelDiff
    deviation_map: Path | None  # None: not drawn (no Graphviz)


def picture_name(model: DesignedModel, journey_type: str | None) -> str:
    """The deviation map's file name: by journey type, else by the model's name (letters, digits, `_.-` only)."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", journey_type or model.name).strip("_") or "model"
    return f"deviation_map_{slug}.svg"


def model_outputs(db: str | Path | duckdb.DuckDBPyConnection, model: DesignedModel, journey_type: str | None,
                  out: Path, settings: ConformanceSettings = ConformanceSettings()) -> ConformanceOutcome:
    """Conformance of the journeys of `journey_type` (None: all) with `model`, its `model_diff`, and its deviation map
    in `out`."""
    report = model_conformance(db, model, journey_type, settings.method, settings.variant_timeout_s, settings.precision,
                               settings.aligner, settings.max_states)
    return reported_outcome(db, model, journey_type, report, out)


def reported_outcome(db: str | Path | duckdb.DuckDBPyConnection, model: DesignedModel, journey_type: str | None,
                     report: ConformanceReport, out: Path) -> ConformanceOutcome:
    """What follows the conformance `report` of `model` once published: its `model_diff` and its deviation map in `out`."""
    diff = model_diff(db, model, journey_type)
    out.mkdir(parents=True, exist_ok=True)
    picture = None if graphviz_missing() else deviation_map_svg(db, model, out / picture_name(model, journey_type))
    return ConformanceOutcome(journey_type, model, report, diff, picture)


def checked_models(db: str | Path | duckdb.DuckDBPyConnection, models: Path) -> dict[str | None, DesignedModel]:
    """The designed model of each journey type of a models config (data/sample/models/models.yaml style), checked
    against the store's activities."""
    return designed_models(models, store_activities(db))


def conformance_outputs(db: str | Path | duckdb.DuckDBPyConnection, models: Path, out: Path,
                        settings: ConformanceSettings = ConformanceSettings()) -> list[ConformanceOutcome]:
    """`model_outputs` for every journey type of a models config."""
    return [model_outputs(db, model, journey_type, out, settings)
            for journey_type, model in checked_models(db, models).items()]


def model_batches(db: Path, models: Path, journey_type: str | None, settings: ConformanceSettings,
                  size: int = BATCH_VARIANTS) -> VariantBatches:
    """`variant_batches` of the model the config `models` gives `journey_type`: the cluster's first step."""
    return variant_batches(db, checked_models(db, models)[journey_type], journey_type, settings, size)


def batched_outcome(db: Path, models: Path, journey_type: str | None, out: Path, settings: ConformanceSettings,
                    batches: VariantBatches, results: list[Path]) -> ConformanceOutcome:
    """`model_outputs` of `journey_type`'s model from the batches' `results` (`published_batches`): the cluster's last
    step."""
    model = checked_models(db, models)[journey_type]
    return reported_outcome(db, model, journey_type, published_batches(db, model, journey_type, settings, batches, results),
                            out)


def designed_models_file(landing: Path) -> Path:
    """Where a landing folder keeps its designed models' config: they ship with the data they describe."""
    return landing / "models" / "models.yaml"
