"""Precision of the journeys in scope with a model, from a cache of what the model allows after each log prefix.

pm4py's token-based ETConformance precision replays every distinct prefix of the log and counts, per prefix, the
labels the model enables after it (`enabled`) and those of them the log never takes there (escaping edges):
precision = 1 - sum(journeys x escaping) / sum(journeys x enabled), plus one term for the initial marking. What the
model enables after a prefix depends on the model and the prefix alone, so it is cached per model (`precision_cache`)
and a run replays only prefixes it has not seen; the counts come from the variants in DuckDB. The result equals
pm4py's `precision_token_based_replay` on the full log (tests/test_conformance.py).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from cxmining.mining import pm4py_bridge as pm
from cxmining.store import registered, sql_text, utc_now

CACHE_FILE = "conformance/precision_cache.sql"
PREFIXES_FILE = "conformance/precision_prefixes.sql"
BATCH = 20_000  # prefixes replayed per pm4py call: bounds the memory of the replay
NEW_PREFIXES = """
SELECT p.prefix FROM precision_prefixes AS p
WHERE NOT EXISTS (SELECT 1 FROM precision_cache AS c WHERE c.model_hash = $model_hash AND c.prefix = p.prefix)
"""
INSERT_NEW = """
INSERT INTO precision_cache BY NAME SELECT $model_hash AS model_hash, *, $computed_at AS computed_at FROM new_prefixes
"""
PREFIX_SUMS = """
SELECT
    coalesce(sum(p.journeys * len(c.enabled)), 0),
    coalesce(sum(p.journeys * len(list_filter(c.enabled, lambda label: NOT list_contains(p.next_activities, label)))), 0)
FROM precision_prefixes AS p
JOIN precision_cache AS c ON c.model_hash = $model_hash AND c.prefix = p.prefix
WHERE c.fits
"""
LOG_START = "SELECT coalesce(sum(frequency), 0), list_distinct(list(activities[1])) FROM conformance_variants"
PREFIX_SCHEMA = pa.schema([("prefix", pa.list_(pa.string())), ("fits", pa.bool_()), ("enabled", pa.list_(pa.string()))])


def cached_precision(
    con: duckdb.DuckDBPyConnection, net: pm.PetriNet, im: pm.Marking, fm: pm.Marking, model_hash: str
) -> float:
    """pm4py's token-based ETConformance precision of the variants in `conformance_variants` (weighted by frequency),
    replaying only the prefixes `precision_cache` lacks for `model_hash`."""
    con.execute(sql_text(CACHE_FILE))
    con.execute(sql_text(PREFIXES_FILE))
    keys = {"model_hash": model_hash}
    new = con.execute(NEW_PREFIXES, keys).fetchall()
    for start in range(0, len(new), BATCH):
        prefixes = [tuple(row[0]) for row in new[start:start + BATCH]]
        replayed = pm.prefix_replays(prefixes, net, im, fm)
        rows = pa.Table.from_pylist([{"prefix": list(p), "fits": fits, "enabled": enabled}
                                     for p, (fits, enabled) in zip(prefixes, replayed, strict=True)], schema=PREFIX_SCHEMA)
        with registered(con, "new_prefixes", rows):
            con.execute(INSERT_NEW, {**keys, "computed_at": utc_now()})
    enabled_sum, escaping_sum = con.execute(PREFIX_SUMS, keys).fetchone()
    journeys, starts = con.execute(LOG_START).fetchone()
    initial = pm.initially_enabled_labels(net, im)
    enabled_sum += journeys * len(initial)
    escaping_sum += journeys * len(set(initial) - set(starts or []))
    con.execute("DROP TABLE precision_prefixes")
    return 1 - escaping_sum / enabled_sum if enabled_sum > 0 else 1.0
