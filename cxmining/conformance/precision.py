"""Precision of the journeys in scope with a model, from a cache of what the model allows after each log prefix.

pm4py's token-based ETConformance precision replays every distinct prefix of the log and counts, per prefix, the
labels the model enables after it (`enabled`) and those of them the log never takes there (escaping edges):
precision = 1 - sum(journeys x escaping) / sum(journeys x enabled), plus one term for the initial marking. What the
model enables after a prefix depends on the model and the prefix alone, so it is cached per model (`precision_cache`)
and a run replays only variants with prefixes it has not seen (`pm4py_bridge.PrefixReplayer`: a walk through
pm4py's replay steps, each computed once per marking); the counts come from the variants in DuckDB. The result equals
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
BATCH = 5_000  # variants replayed and their prefixes stored together: bounds the memory of the replay
# A variant's prefixes are all in the cache once its longest proper prefix is: they are stored together.
NEW_VARIANT = """len(v.activities) > 1
  AND NOT EXISTS (SELECT 1 FROM precision_cache AS c
                  WHERE c.model_hash = $model_hash AND c.prefix = v.activities[1:len(v.activities) - 1])"""
NEW_VARIANTS = f"""
SELECT v.variant_id, v.activities FROM conformance_variants AS v
WHERE v.variant_id > $after AND {NEW_VARIANT}
ORDER BY v.variant_id
LIMIT $batch
"""
NEW_VARIANT_COUNT = f"SELECT count(*) FROM conformance_variants AS v WHERE {NEW_VARIANT}"
INSERT_NEW = """
INSERT INTO precision_cache BY NAME
SELECT $model_hash AS model_hash, n.*, $computed_at AS computed_at FROM new_prefixes AS n
WHERE NOT EXISTS (SELECT 1 FROM precision_cache AS c WHERE c.model_hash = $model_hash AND c.prefix = n.prefix)
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
    replaying only the variants with prefixes `precision_cache` lacks for `model_hash`."""
    con.execute(sql_text(CACHE_FILE))
    con.execute(sql_text(PREFIXES_FILE))
    keys = {"model_hash": model_hash}
    for replayed in replayed_batches(con, model_hash, net, im, fm):
        rows = pa.Table.from_pylist([{"prefix": list(p), "fits": fits, "enabled": enabled}
                                     for p, (fits, enabled) in replayed.items()], schema=PREFIX_SCHEMA)
        with registered(con, "new_prefixes", rows):
            con.execute(INSERT_NEW, {**keys, "computed_at": utc_now()})
    enabled_sum, escaping_sum = con.execute(PREFIX_SUMS, keys).fetchone()
    journeys, starts = con.execute(LOG_START).fetchone()
    initial = pm.initially_enabled_labels(net, im)
    enabled_sum += journeys * len(initial)
    escaping_sum += journeys * len(set(initial) - set(starts or []))
    con.execute("DROP TABLE precision_prefixes")
    return 1 - escaping_sum / enabled_sum if enabled_sum > 0 else 1.0


def replayed_batches(
    con: duckdb.DuckDBPyConnection, model_hash: str, net: pm.PetriNet, im: pm.Marking, fm: pm.Marking
) -> Iterator[dict[tuple[str, ...], tuple[bool, list[str]]]]:
    """The prefixes of the variants whose prefixes `precision_cache` lacks for the model, BATCH variants at a time,
    each with its replay (`pm.PrefixReplayer`, one for the run: the steps replayed for a batch serve the next)."""
    def after(number: int) -> tuple[int, list[tuple[str, ...]]]:  # the next batch after variant_id `number`
        rows = con.execute(NEW_VARIANTS, {"model_hash": model_hash, "after": number, "batch": BATCH}).fetchall()
        return (rows[-1][0] if rows else number), [tuple(activities) for _, activities in rows]

    total = con.execute(NEW_VARIANT_COUNT, {"model_hash": model_hash}).fetchone()[0]
    replayer = pm.PrefixReplayer(net, im, fm)
    last, batch = after(-1)
    with tracked("precision", total, "variants' prefixes replayed") as progress:
        while batch:
            yield replayer.replays(batch)
            progress.advance(len(batch))
            last, batch = after(last)
