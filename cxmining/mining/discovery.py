"""Process models discovered from the store's variants table (never from the raw events)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cxmining.errors import StoreError
from cxmining.mining import pm4py_bridge as pm
from cxmining.mining.settings import DiscoverySettings
from cxmining.store import opened


def discovered_models(db: str | Path | duckdb.DuckDBPyConnection, out: Path, noise: float = DiscoverySettings.noise) -> dict[str, Path]:
    """Mine the `variants` table with the Inductive Miner and write PNML, BPMN and the process tree into `out`."""
    return pm.model_files(pm.discovered_model(stored_variants(db), noise), out)


def stored_variants(db: str | Path | duckdb.DuckDBPyConnection) -> dict[tuple[str, ...], int]:
    """The `variants` table as activity tuple -> number of cases."""
    with opened(db) as con:
        try:
            rows = con.execute("SELECT activities, frequency FROM variants ORDER BY variant_id").fetchall()
        except duckdb.CatalogException as exc:
            raise StoreError("no variants table in the store; run the mining step (mining_tables) first") from exc
        return {tuple(activities): int(frequency) for activities, frequency in rows}
