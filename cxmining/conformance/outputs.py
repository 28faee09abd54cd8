"""Everything a designed model yields for the store's journeys: conformance, the design-vs-reality diff, the deviation map.

One sequence of library calls, for the nightly flow (every journey type of the landing folder's models config) and
for `cxmining conformance` (one BPMN file), so the two cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cxmining.conformance.checking import (
    ConformanceReport,
    ConformanceSettings,
    model_conformance,
    store_activities,
)
from cxmining.conformance.designed import DesignedModel, designed_models
from cxmining.conformance.deviation_map import deviation_map_svg
from cxmining.conformance.model_diff import ModelDiff, model_diff
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
    diff = model_diff(db, model, journey_type)
    out.mkdir(parents=True, exist_ok=True)
    picture = None if graphviz_missing() else deviation_map_svg(db, model, out / picture_name(model, journey_type))
    return ConformanceOutcome(journey_type, model, report, diff, picture)


def conformance_outputs(db: str | Path | duckdb.DuckDBPyConnection, models: Path, out: Path,
                        settings: ConformanceSettings = ConformanceSettings()) -> list[ConformanceOutcome]:
    """`model_outputs` for every journey type of a models config (data/sample/models/models.yaml style)."""
    return [model_outputs(db, model, journey_type, out, settings)
            for journey_type, model in designed_models(models, store_activities(db)).items()]


def designed_models_file(landing: Path) -> Path:
    """Where a landing folder keeps its designed models' config: they ship with the data they describe."""
    return landing / "models" / "models.yaml"
