"""Precision of the journeys in scope with a model, from a cache of what the model allows after each log prefix.

pm4py's token-based ETConformance precision replays every distinct prefix of the log and counts, per prefix, the
labels the model enables after it (`enabled`) and those of them the log never takes there (escaping edges):
precision = 1 - sum(journeys x escaping) / sum(journeys x enabled), plus one term for the initial marking. What the
model enables after a prefix depends on the model and the prefix alone, so it is cached per model (`precision_cache`)
and a run replays only variants with prefixes it has not seen (`pm4py_bridge.PrefixReplayer`: a walk through
pm4py's replay steps, each computed once per marking); the counts come from the variants in DuckDB, their prefixes
grouped and joined with the cache as lists of the store's activity codes (`precision_cache.codes`). The result equals
pm4py's `precision_token_based_replay` on the full log (tests/test_conformance.py).
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pyarrow as pa

from cxmining.mining import pm4py_bridge as pm
from cxmining.progress import tracked
from cxmining.store import registered, sql_text, utc_now

CACHE_FILE = "conformance/precision_cache.sql"
PREFIXES_FILE = "conformance/precision_prefixes.sql"
CODES_FILE = "conformance/precision_cache_codes.sql"  # precision_cache.codes of the rows that lack them
MATCHED_FILE = "conformance/precision_matched.sql"
NEW_VARIANTS_FILE = "conformance/precision_new_variants.sql"
WORKING_TABLES = ("precision_prefixes", "precision_matched", "precision_new_variants")
BATCH = 5_000  # variants replayed and their prefixes stored together: bounds the memory of the replay
NEW_VARIANTS = """
SELECT variant_id, activities FROM precision_new_variants
WHERE variant_id > $after
ORDER BY variant_id
LIMIT $batch
"""
INSERT_NEW = """
INSERT INTO precision_cache BY NAME
SELECT $model_hash AS model_hash, n.*, $computed_at AS computed_at FROM new_prefixes AS n
WHERE NOT EXISTS (SELECT 1 FROM precision_cache AS c WHERE c.model_hash = $model_hash AND c.prefix = n.prefix)
"""
PREFIX_SUMS = """
SELECT
    coalesce(sum(journeys * len(enabled)), 0),
    coalesce(sum(journeys * len(list_filter(enabled, lambda label: NOT list_contains(next_activities, label)))), 0)
FROM precision_matched
WHERE fits
"""
LOG_START = "SELECT coalesce(sum(frequency), 0), list_distinct(list(activities[1])) FROM conformance_variants"
PREFIX_SCHEMA = pa.schema([("prefix", pa.list_(pa.string())), ("fits", pa.bool_()), ("enabled", pa.list_(pa.string()))])


def cached_precision(
    con: duckdb.DuckDBPyConnection, net: pm.PetriNet, im: pm.Marking, fm: pm.Marking, model_hash: str
) -> float:
    """pm4py's token-based ETConformance precision of the variants in `conformance_variants` (weighted by frequency),
    replaying only the variants with prefixes `precision_cache` lacks for `model_hash`."""
    con.execute(sql_text(CACHE_FILE))
    keys = {"model_hash": model_hash}
    con.execute(sql_text(CODES_FILE), keys)
    con.execute(sql_text(PREFIXES_FILE))
    con.execute(sql_text(MATCHED_FILE), keys)
    con.execute(sql_text(NEW_VARIANTS_FILE))
    replayed_any = False
    for replayed in replayed_batches(con, net, im, fm):
        rows = pa.Table.from_pylist([{"prefix": list(p), "fits": fits, "enabled": enabled}
                                     for p, (fits, enabled) in replayed.items()], schema=PREFIX_SCHEMA)
        with registered(con, "new_prefixes", rows):
            con.execute(INSERT_NEW, {**keys, "computed_at": utc_now()})
        replayed_any = True
    if replayed_any:  # the new prefixes' codes, and what the cache now holds of every prefix
        con.execute(sql_text(CODES_FILE), keys)
        con.execute(sql_text(MATCHED_FILE), keys)
    enabled_sum, escaping_sum = con.execute(PREFIX_SUMS).fetchone()
    journeys, starts = con.execute(LOG_START).fetchone()
    initial = pm.initially_enabled_labels(net, im)
    enabled_sum += journeys * len(initial)
    escaping_sum += journeys * len(set(initial) - set(starts or []))
    for name in WORKING_TABLES:
        con.execute(f"DROP TABLE {name}")
    return 1 - escaping_sum / enabled_sum if enabled_sum > 0 else 1.0


def replayed_batches(
    con: duckdb.DuckDBPyConnection, net: pm.PetriNet, im: pm.Marking, fm: pm.Marking
) -> Iterator[dict[tuple[str, ...], tuple[bool, list[str]]]]:
    """The prefixes of the variants in `precision_new_variants` (those whose prefixes `precision_cache` lacks for the
    model), BATCH variants at a time, each with its replay (`pm.PrefixReplayer`, one for the run: the steps replayed
    for a batch serve the next)."""
    def after(number: int) -> tuple[int, list[tuple[str, ...]]]:  # the next batch after variant_id `number`
        rows = con.execute(NEW_VARIANTS, {"after": number, "batch": BATCH}).fetchall()
        return (rows[-1][0] if rows else number), [tuple(activities) for _, activities in rows]

    total = con.execute("SELECT count(*) FROM precision_new_variants").fetchone()[0]
    replayer = pm.PrefixReplayer(net, im, fm)
    last, batch = after(-1)
    with tracked("precision", total, "variants' prefixes replayed") as progress:
        while batch:
            yield replayer.replays(batch)
            progress.advance(len(batch))
            last, batch = after(last)
