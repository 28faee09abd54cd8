"""Designed vs discovered side by side: which activities and directly-follows transitions exist only in the design,
only in the journeys, or in both (the `model_diff` table)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import pyarrow as pa

from cxmining.conformance.designed import DesignedModel
from cxmining.errors import CxminingError, StoreError
from cxmining.mining import pm4py_bridge as pm
from cxmining.store import opened, registered, relations, require, sql_text

DIFF_FILE = "conformance/model_diff.sql"
Kind = Literal["activity", "transition"]
FOOTPRINT_SCHEMA = pa.schema([("kind", pa.string()), ("source", pa.string()), ("target", pa.string())])
SCOPE_OF_TYPE = """
CREATE OR REPLACE TEMP TABLE model_diff_journeys AS
SELECT journey_id FROM journeys WHERE $journey_type IS NULL OR journey_type = $journey_type
"""
SCOPE_OF_LOG = """
CREATE OR REPLACE TEMP TABLE model_diff_journeys AS
SELECT case_id AS journey_id FROM case_variants
"""


@dataclass(frozen=True)
class DiffRow:
    """One row of `model_diff`: an activity (target None) or a transition, and where it exists."""

    kind: Kind
    source: str
    target: str | None
    in_design: bool
    in_reality: bool
    journeys: int  # journeys in scope showing it (0 when only in the design)
    frequency: int  # events of the activity, or times the transition happens

    @property
    def side(self) -> str:
        """'both', 'design' or 'reality': where it exists."""
        return "both" if self.in_design and self.in_reality else "design" if self.in_design else "reality"


@dataclass(frozen=True)
class ModelDiff:
    """The design's footprint against the journeys of one type (or all), as in the `model_diff` table."""

    model: str
    journey_type: str | None
    rows: tuple[DiffRow, ...]

    def names(self, kind: Kind, side: str) -> list[str | tuple[str, str]]:
        """Activities (or (source, target) transitions) of `kind` found on `side` ('both', 'design', 'reality')."""
        return [r.source if kind == "activity" else (r.source, r.target or "")
                for r in self.rows if r.kind == kind and r.side == side]


def design_footprint(model: DesignedModel) -> pa.Table:
    """Rows (kind, source, target) of the design: its visible tasks and the pairs its net lets directly follow."""
    arcs = pm.net_directly_follows(model.net, model.initial_marking, model.final_marking)
    rows = [{"kind": "activity", "source": a, "target": None} for a in sorted(model.labels)]
    rows += [{"kind": "transition", "source": a, "target": b} for a, b in sorted(arcs)]
    return pa.Table.from_pylist(rows, schema=FOOTPRINT_SCHEMA)


def model_diff(
    db: str | Path | duckdb.DuckDBPyConnection, model: DesignedModel, journey_type: str | None = None
) -> ModelDiff:
    """(Re)build `model_diff` for `model` against the journeys of `journey_type` (None: all) and return it."""
    footprint = design_footprint(model)
    with opened(db) as con:
        present = relations(con)
        if "journey_events" not in present:
            raise StoreError("no journey_events relation in the store; build the journeys (or import a log) first")
        require(con, ("case_variants", "variants", "activity_stats"), "build the process statistics first (mining_tables)")
        if "journeys" in present:
            con.execute(SCOPE_OF_TYPE, {"journey_type": journey_type})
        elif journey_type is not None:
            raise CxminingError(f"journey_type={journey_type!r} needs a journeys table; this store holds an imported log")
        else:
            con.execute(SCOPE_OF_LOG)
        if not con.execute("SELECT count(*) FROM model_diff_journeys").fetchall()[0][0]:
            scope = "" if journey_type is None else f" of type {journey_type!r}"
            raise StoreError(f"no journeys{scope} in the store: nothing to compare the design with")
        try:
            with registered(con, "design_footprint", footprint):
                con.execute(sql_text(DIFF_FILE))  # one CREATE OR REPLACE: readers see the old table or the new one
        finally:
            con.execute("DROP TABLE model_diff_journeys")
        rows = con.execute("SELECT kind, source, target, in_design, in_reality, journeys, frequency FROM model_diff").fetchall()
    return ModelDiff(model.name, journey_type, tuple(DiffRow(*r) for r in rows))
