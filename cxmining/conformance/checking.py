"""Conformance of the journeys to a designed model, computed on distinct variants and cached per model.

Each distinct variant is replayed once (optimal alignments by r4pm or pm4py, or token-based replay as the fast
option) and its result kept in `alignment_cache` under the model's hash; journeys inherit the result of their
variant, and log-level figures are frequency-weighted, so they equal pm4py's on the full log. Precision is summed
from a cache of its own per log prefix (`conformance.precision`).

`conformance_tables` is three calls: `variants_to_compute` (scope and cache), `variant_results` (the replays) and
`published_results` (precision, then everything written in one transaction); on a cluster the middle one runs on the
workers over batches (`conformance.batches`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from cxmining.conformance.alignments import optimal_alignments
from cxmining.conformance.designed import DesignedModel
from cxmining.conformance.precision import cached_precision
from cxmining.conformance.settings import Aligner, ConformanceSettings, Method
from cxmining.errors import CxminingError, StoreError
from cxmining.mining import pm4py_bridge as pm
from cxmining.store import (
    opened,
    registered,
    relations,
    require,
    run_sql,
    sql_text,
    transaction,
    utc_now,
)

INPUT_TABLES = ("variants", "case_variants", "case_durations", "activity_stats", "activity_codes")
CACHE_FILE = "conformance/alignment_cache.sql"
DEVIATIONS_FILE = "conformance/alignment_deviations.sql"  # alignment_cache.deviations of the rows that lack them
CASES_FILE = "conformance/conformance_cases.sql"
CASES_OF_IMPORTED_LOG_FILE = "conformance/conformance_cases_of_imported_log.sql"
VARIANTS_FILE = "conformance/conformance_variants.sql"
VARIANT_CONFORMANCE_FILE = "conformance/variant_conformance.sql"
# Order matters: each relation reads the ones before it; deviation_moves is a working (temporary) table.
DERIVED_FILES = (
    "conformance/conformance_journeys.sql",
    "conformance/deviation_moves.sql",
    "conformance/deviations.sql",
)
SUMMARY_FILE = "conformance/conformance_summary.sql"
WORKING_TABLES = ("conformance_cases", "conformance_variants", "deviation_moves")

# A variant needs replaying unless the cache holds a result for it, or a timeout under a limit at least as long.
VARIANTS_TO_COMPUTE = """
SELECT v.activities
FROM conformance_variants AS v
WHERE NOT EXISTS (
    SELECT 1 FROM alignment_cache AS c
    WHERE c.model_hash = $model_hash AND c.method = $method AND c.variant = v.activities
      AND (NOT c.timed_out OR c.time_limit_seconds >= $time_limit)
)
ORDER BY v.variant_id
"""
DROP_STALE = """
DELETE FROM alignment_cache AS c
USING new_results AS n
WHERE c.model_hash = $model_hash AND c.method = $method AND c.variant = n.variant
"""
INSERT_NEW = """
INSERT INTO alignment_cache BY NAME
SELECT $model_hash AS model_hash, $method AS method, *, $computed_at AS computed_at FROM new_results
"""
MOVE = pa.struct([("log", pa.string()), ("model", pa.string())])
RESULT_SCHEMA = pa.schema([
    ("variant", pa.list_(pa.string())), ("fitness", pa.float64()), ("cost", pa.int64()),
    ("is_fitting", pa.bool_()), ("timed_out", pa.bool_()), ("moves", pa.list_(MOVE)),
    ("raw_cost", pa.int64()), ("raw_worst_cost", pa.int64()), ("produced", pa.int64()), ("consumed", pa.int64()),
    ("missing", pa.int64()), ("remaining", pa.int64()), ("time_limit_seconds", pa.float64()),
    ("compute_seconds", pa.float64()), ("aligner", pa.string()), ("states_visited", pa.int64()),
])
MOVE_COST = 10000  # pm4py's cost of one log move or model move on a visible task


@dataclass(frozen=True)
class ConformanceReport:
    """What one conformance run found and what it cost (the row of `conformance_summary`, plus deviations)."""

    model_hash: str
    method: str
    journey_type: str | None
    journeys: int
    variants: int
    fitness: float | None
    log_fitness: float | None
    fitting_share: float | None
    precision: float | None
    timed_out_variants: int
    timed_out_journeys: int
    computed_variants: int
    cached_variants: int
    pm4py_variants: int
    seconds: float
    deviations: int


def conformance_tables(
    db: str | Path | duckdb.DuckDBPyConnection,
    net: pm.PetriNet,
    im: pm.Marking,
    fm: pm.Marking,
    model_hash: str,
    method: Method = ConformanceSettings.method,
    variant_timeout_s: float = ConformanceSettings.variant_timeout_s,
    journey_type: str | None = None,
    with_precision: bool = ConformanceSettings.precision,
    aligner: Aligner = ConformanceSettings.aligner,
    max_states: int = ConformanceSettings.max_states,
) -> ConformanceReport:
    """(Re)build variant_conformance, conformance_journeys, deviations and conformance_summary for one model."""
    began = time.perf_counter()
    keys = checked_keys(model_hash, ConformanceSettings(method, variant_timeout_s, with_precision, aligner, max_states))
    with opened(db) as con:
        todo = variants_to_compute(con, journey_type, keys, variant_timeout_s)
        new_results = variant_results(todo, net, im, fm, method, variant_timeout_s, aligner, max_states)
        return published_results(con, new_results, net, im, fm, keys, journey_type, with_precision, began)


def checked_keys(model_hash: str, settings: ConformanceSettings) -> dict[str, str]:
    """The keys of the model's results in alignment_cache (`model_hash`, `method`); `settings` were checked when made."""
    if not model_hash:
        raise CxminingError("model_hash must not be empty: it keys the alignment cache")
    return {"model_hash": model_hash, "method": settings.method}


def variants_to_compute(
    con: duckdb.DuckDBPyConnection, journey_type: str | None, keys: dict[str, str], variant_timeout_s: float
) -> list[tuple[str, ...]]:
    """The variants in scope (working tables of `scope_variants`) that alignment_cache holds no usable result for."""
    scope_variants(con, journey_type)
    con.execute(sql_text(CACHE_FILE))
    return [tuple(row[0]) for row in con.execute(VARIANTS_TO_COMPUTE, {**keys, "time_limit": variant_timeout_s}).fetchall()]


def published_results(
    con: duckdb.DuckDBPyConnection, new_results: pa.Table, net: pm.PetriNet, im: pm.Marking, fm: pm.Marking,
    keys: dict[str, str], journey_type: str | None, with_precision: bool, began: float,
) -> ConformanceReport:
    """The `new_results` of the variants `variants_to_compute` gave (in scope on `con`) published with the precision
    (`write_results`); the run's report, its seconds counted from `began` (time.perf_counter)."""
    in_scope = con.execute("SELECT count(*) FROM conformance_variants").fetchall()[0][0]
    # precision replays only prefixes not seen before with this model (precision_cache); it can be skipped
    precision = cached_precision(con, net, im, fm, keys["model_hash"]) if with_precision else None
    run = {"journey_type": journey_type, "precision": precision, "computed_variants": new_results.num_rows,
           "cached_variants": in_scope - new_results.num_rows}
    write_results(con, new_results, keys, run, began)
    found = con.execute("SELECT * FROM conformance_summary")
    summary = dict(zip([d[0] for d in found.description], found.fetchone(), strict=True))
    deviations = con.execute("SELECT count(*) FROM deviations").fetchall()[0][0]
    summary.pop("computed_at")
    return ConformanceReport(**summary, deviations=deviations)


def scope_variants(con: duckdb.DuckDBPyConnection, journey_type: str | None) -> None:
    """Create the working tables conformance_cases and conformance_variants for the journeys in scope."""
    require(con, INPUT_TABLES, "build the mining tables first (mining_tables)")
    existing = relations(con)
    if "journeys" in existing:
        con.execute(sql_text(CASES_FILE), {"journey_type": journey_type})
    elif journey_type is not None:
        raise CxminingError(f"journey_type={journey_type!r} needs a journeys table; this store holds an imported log")
    else:
        con.execute(sql_text(CASES_OF_IMPORTED_LOG_FILE))
    con.execute(sql_text(VARIANTS_FILE))
    if not con.execute("SELECT count(*) FROM conformance_variants").fetchall()[0][0]:
        scope = "" if journey_type is None else f" of type {journey_type!r}"
        types = ([t for (t,) in con.execute("SELECT DISTINCT journey_type FROM journeys ORDER BY 1").fetchall()]
                 if journey_type is not None and "journeys" in existing else [])
        known = f" (journey types: {', '.join(map(str, types))})" if types else ""
        raise StoreError(f"no journeys{scope} with a variant in the store: nothing to check{known}")


def variant_results(
    variants: list[tuple[str, ...]], net: pm.PetriNet, im: pm.Marking, fm: pm.Marking, method: Method, max_seconds: float,
    aligner: Aligner = ConformanceSettings.aligner, max_states: int = ConformanceSettings.max_states,
) -> pa.Table:
    """Rows for alignment_cache: each variant replayed on the net by `method` (alignments: `optimal_alignments`)."""
    if method == "token_replay":
        began = time.perf_counter()
        replays = pm.variant_replays(variants, net, im, fm) if variants else []
        each = (time.perf_counter() - began) / max(len(variants), 1)  # one pm4py call for all: its mean share
        rows = [
            {"variant": list(v), "fitness": r.fitness, "cost": r.missing + r.remaining, "is_fitting": r.is_fitting,
             "timed_out": False, "moves": [], "produced": r.produced, "consumed": r.consumed, "missing": r.missing,
             "remaining": r.remaining, "compute_seconds": each}
            for v, r in zip(variants, replays, strict=True)
        ]
        return pa.Table.from_pylist(rows, schema=RESULT_SCHEMA)
    aligned = optimal_alignments(variants, net, im, fm, max_seconds, aligner, max_states)
    rows = [
        {"variant": list(v), "fitness": a.fitness, "cost": None if a.cost is None else a.cost // MOVE_COST,
         "is_fitting": None if a.fitness is None else a.fitness == 1.0, "timed_out": a.timed_out,
         "moves": [{"log": log, "model": model} for log, model in a.moves], "raw_cost": a.cost,
         "raw_worst_cost": a.worst_cost, "time_limit_seconds": max_seconds, "compute_seconds": a.seconds,
         "aligner": found.aligner, "states_visited": found.states_visited}
        for v, found in zip(variants, aligned, strict=True) for a in [found.alignment]
    ]
    return pa.Table.from_pylist(rows, schema=RESULT_SCHEMA)


def write_results(
    con: duckdb.DuckDBPyConnection, new_results: pa.Table, keys: dict[str, str], run: dict[str, object], began: float
) -> None:
    """Add the new results to alignment_cache and rebuild the result tables, atomically."""
    with transaction(con):  # readers see the old conformance or the new one, never a mix
        with registered(con, "new_results", new_results):
            con.execute(DROP_STALE, keys)
            con.execute(INSERT_NEW, {**keys, "computed_at": utc_now()})
        con.execute(sql_text(DEVIATIONS_FILE), keys)  # the new rows' (and, once, the rows cached before it was kept)
        con.execute(sql_text(VARIANT_CONFORMANCE_FILE), keys)
        for relative in DERIVED_FILES:
            run_sql(con, relative, keys)
        con.execute(sql_text(SUMMARY_FILE), {**keys, **run, "seconds": time.perf_counter() - began})
        for name in WORKING_TABLES:
            con.execute(f"DROP TABLE {name}")


def store_activities(db: str | Path | duckdb.DuckDBPyConnection) -> set[str]:
    """The activities the store's journeys contain (to check a designed model's labels against)."""
    with opened(db) as con:
        if "activity_stats" in relations(con):  # the statistics count them already
            return {row[0] for row in con.execute("SELECT activity FROM activity_stats").fetchall()}
        return {row[0] for row in con.execute('SELECT DISTINCT "concept:name" FROM journey_events').fetchall()}


def model_conformance(
    db: str | Path | duckdb.DuckDBPyConnection,
    model: DesignedModel,
    journey_type: str | None = None,
    method: Method = ConformanceSettings.method,
    variant_timeout_s: float = ConformanceSettings.variant_timeout_s,
    with_precision: bool = ConformanceSettings.precision,
    aligner: Aligner = ConformanceSettings.aligner,
    max_states: int = ConformanceSettings.max_states,
) -> ConformanceReport:
    """Conformance of the store's journeys (of one type, or all) against a designed model.

    Precision replays only the log prefixes `precision_cache` lacks for this model; `with_precision=False` skips it.
    """
    return conformance_tables(
        db, model.net, model.initial_marking, model.final_marking, model.sha256, method, variant_timeout_s, journey_type,
        with_precision, aligner, max_states,
    )
