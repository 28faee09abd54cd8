"""Process models discovered from the store's variants table (never from the raw events).

The inductive miner takes minutes on the hundreds of thousands of variants of a large store, and one night moves the
variants a little: the model in the output folder is kept until the variants have moved `rediscover_drift` since it
was discovered (the total variation distance of the cases' distribution over variants), or the noise threshold or the
folder changed, or a file is missing.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb

from cxmining.errors import StoreError
from cxmining.mining import pm4py_bridge as pm
from cxmining.mining.settings import DiscoverySettings
from cxmining.store import opened, relations, sql_text, transaction

log = logging.getLogger(__name__)
MODEL_FILES = {"pnml": "process_model.pnml", "bpmn": "process_model.bpmn", "tree": "process_model.tree.txt"}


def discovered_models(db: str | Path | duckdb.DuckDBPyConnection, out: Path, noise: float = DiscoverySettings.noise,
                      rediscover_drift: float = DiscoverySettings.rediscover_drift) -> dict[str, Path]:
    """PNML, BPMN and the process tree of the `variants` in `out`, mined with the Inductive Miner, or kept from an
    earlier run while the variants moved less than `rediscover_drift` since it (0: always mined)."""
    with opened(db) as con:
        if "variants" not in relations(con):
            raise StoreError("no variants table in the store; run the mining step (mining_tables) first")
        con.execute(sql_text("mining/discovered_variants.sql"))
        drift, mined_noise, model_dir = con.execute(sql_text("mining/variant_drift.sql")).fetchone()
        paths = {kind: out / name for kind, name in MODEL_FILES.items()}
        if (drift is not None and drift < rediscover_drift and mined_noise == noise and model_dir == str(out.resolve())
                and all(p.is_file() for p in paths.values())):
            log.info("process model kept: the variants moved %.1f%% since it was discovered (discovered again from "
                     "%.0f%%)", 100 * drift, 100 * rediscover_drift)
            return paths
        written = pm.model_files(pm.discovered_model(stored_variants(con), noise), out)
        with transaction(con):
            con.execute("DELETE FROM discovered_variants")
            con.execute("INSERT INTO discovered_variants SELECT variant, frequency, $noise, $dir FROM variants",
                        {"noise": noise, "dir": str(out.resolve())})
        return written


def stored_variants(db: str | Path | duckdb.DuckDBPyConnection) -> dict[tuple[str, ...], int]:
    """The `variants` table as activity tuple -> number of cases."""
    with opened(db) as con:
        try:
            rows = con.execute("SELECT activities, frequency FROM variants ORDER BY variant_id").fetchall()
        except duckdb.CatalogException as exc:
            raise StoreError("no variants table in the store; run the mining step (mining_tables) first") from exc
        return {tuple(activities): int(frequency) for activities, frequency in rows}
