"""Everything a store's `journey_events` yields in the run's output folder: statistics, models, pictures."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from cxmining.mining.discovery import discovered_models
from cxmining.mining.settings import DiscoverySettings
from cxmining.mining.statistics import mining_tables
from cxmining.pictures.lanes import LANES_FILE, lane_layout, unknown_lanes
from cxmining.pictures.process_map import graphviz_missing, process_map_svg
from cxmining.pictures.swimlane import swimlane_svg
from cxmining.store import opened

logger = logging.getLogger(__name__)

PROCESS_MAP = "process_map.svg"
SWIMLANE = "swimlane.svg"


def process_pictures(db: str | Path | duckdb.DuckDBPyConnection, out: Path, landing: Path | None = None) -> dict[str, Path]:
    """The process map and the swimlane view as SVG files in `out`, the lanes laid out as the landing folder's
    lanes.yaml says (`lane_layout`); none without Graphviz (`graphviz_missing()` says why): a run goes on without
    its pictures."""
    if graphviz_missing():
        return {}
    out.mkdir(parents=True, exist_ok=True)
    layout = lane_layout(landing)
    if landing is not None and (Path(landing) / LANES_FILE).is_file():
        with opened(db) as con:
            lanes = {lane for (lane,) in con.execute("SELECT DISTINCT lane FROM activity_lanes WHERE lane IS NOT NULL").fetchall()}
        if missing := unknown_lanes(layout, lanes):
            logger.warning("%s names lanes the data does not have: %s (its lanes: %s)", Path(landing) / LANES_FILE,
                           ", ".join(missing), ", ".join(sorted(lanes)))
    return {"process_map": process_map_svg(db, out / PROCESS_MAP),
            "swimlane": swimlane_svg(db, out / SWIMLANE, layout=layout)}


def process_outputs(db: str | Path | duckdb.DuckDBPyConnection, out: Path, noise: float = DiscoverySettings.noise) -> dict[str, object]:
    """Mining tables in the store, then the discovered model files and both pictures in `out`."""
    counts = mining_tables(db)
    files = discovered_models(db, out, noise) | process_pictures(db, out)
    return {"tables": counts, "files": files}
