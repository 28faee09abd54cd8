"""The process statistics over customer buckets, for a cluster: the same tables as `statistics.mining_tables`, from
partial aggregates that workers compute in parallel and one writer merges exactly.

Three steps, each one call (docs/scaling.md):

1. `trace_partitions` (the coordinator, the only process that opens the store): `case_traces` brought up to date,
   then written as Parquet, hive-partitioned by a stable hash of each case's customer: `<store>.parts/case_traces/
   bucket=K/`.
2. `bucket_partials` (a worker, one call per bucket): the bucket's Parquet read into the worker's own in-memory DuckDB;
   its partial aggregates written as Parquet under `<store>.parts/partials/bucket=K/`. It is given paths and never
   the store.
3. `merged_statistics` (the coordinator): the partials merged exactly (counts and integer sums added; means and
   medians from the counts of each distinct value) and published as the mining tables in one transaction.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cxmining.cluster import BUCKETS, checked_buckets, partitions_folder
from cxmining.mining.statistics import (
    KEPT_TABLES,
    MINING_TABLES,
    WORKING_TABLES,
    built,
    derived_statistics,
    updated_traces,
)
from cxmining.store import dropped, opened, query_text, relations, row_counts, run_sql, sql_text, transaction

MANIFEST = "manifest.json"  # beside the partials: the traces they were made from (`_trace_identity`)
# Each worker's partials, one Parquet file per query of sql/mining/ (the file is named after the query).
PARTIAL_FILES = (
    "mining/partial_activities.sql",
    "mining/partial_activity_lanes.sql",
    "mining/partial_variant_durations.sql",
    "mining/partial_dfg_gaps.sql",
    "mining/partial_case_durations.sql",
    "mining/partial_case_variants.sql",
)
# The coordinator's merge, in the order of statistics.DERIVED_FILES (and case_durations): a relation a worker's partials
# feed is read from them (its `_of_partials` file); the others are the one-process files, reading what the merge published.
MERGE_FILES = (
    "mining/activity_case_counts_of_partials.sql",
    "mining/activity_lane_counts_of_partials.sql",
    "mining/activity_stats.sql",
    "mining/activity_lanes.sql",
    "mining/activity_positions_of_partials.sql",
    "mining/case_durations_of_partials.sql",
    "mining/variant_stats_of_partials.sql",
    "mining/mining_variants.sql",
    "mining/variants.sql",
    "mining/case_variants_of_partials.sql",
    "mining/dfg_arcs_of_partials.sql",
    "mining/dfg.sql",
    "mining/start_activities.sql",
    "mining/end_activities.sql",
)


@dataclass(frozen=True)
class TracePartitions:
    """What `trace_partitions` wrote: the folder of the night's partitions, the folders of traces of the buckets to
    compute, the partials kept from the last night for the other buckets, and how many traces were read again from
    `journey_events`."""

    folder: Path
    buckets: tuple[Path, ...]
    changed_cases: int
    kept: tuple[Path, ...] = ()
    bucket_count: int = BUCKETS  # the `buckets` the cases were hashed into


def trace_partitions(db: str | Path, buckets: int = BUCKETS, full: bool = False) -> TracePartitions:
    """Bring `case_traces` up to date (as `mining_tables` does) and write it as Parquet under `partitions_folder(db)`
    in `buckets` hive partitions (`case_traces/bucket=K/`), a case's bucket a stable hash of its customer (of its id
    without one, or for an imported log).

    The partitions and partials of the last night are kept (`partials/manifest.json` says which traces they were made
    from): when they match the store's traces before tonight's update and the same `buckets`, only the buckets whose
    cases changed are written again and listed for the workers; the others' partials are `kept`. Otherwise (the
    first night, `full`, a full journey build, other buckets, a killed night) every bucket is written again."""
    checked_buckets(buckets)
    folder = partitions_folder(db)
    traces, manifest = folder / "case_traces", folder / "partials" / MANIFEST
    for left in folder.glob("*"):  # what a failed night's other stages left (tonight's earlier ones have published)
        if left.name not in ("case_traces", "partials"):
            shutil.rmtree(left, ignore_errors=True)
    with opened(db) as con:
        identity = _trace_identity(con, buckets)  # of the traces before tonight's update
        reusable = (not full and identity is not None and _manifest(manifest) == identity
                    and any(traces.glob("bucket=*/*.parquet")))
        manifest.unlink(missing_ok=True)  # from here until the merge publishes, the kept partials are not trusted
        with transaction(con):  # mining_build stays as it was until the merge publishes: a failed night is redone
            update = updated_traces(con, full)
            dropped(con, KEPT_TABLES)  # stale until the merge publishes them again: a failed night leaves none
        query = "mining/bucketed_traces.sql" if "journeys" in relations(con) else "mining/bucketed_traces_of_imported_log.sql"
        if reusable and not update.everything:
            changed = {b for (b,) in con.execute(query_text("mining/changed_trace_buckets.sql"),
                                                 {"buckets": buckets, "kept": str(traces / "*" / "*.parquet")}).fetchall()}
            for bucket in changed:
                for kind in ("case_traces", "partials"):
                    shutil.rmtree(folder / kind / f"bucket={bucket}", ignore_errors=True)
            written = folder / "written"
            shutil.rmtree(written, ignore_errors=True)
            con.execute(f"COPY (FROM ({query_text(query)}) WHERE list_contains($changed, bucket)) TO $folder "
                        "(FORMAT parquet, PARTITION_BY (bucket))",
                        {"buckets": buckets, "folder": str(written), "changed": sorted(changed)})
            for bucket in written.glob("bucket=*"):
                bucket.rename(traces / bucket.name)
            shutil.rmtree(written, ignore_errors=True)
        else:
            changed = None
            shutil.rmtree(folder, ignore_errors=True)
            traces.mkdir(parents=True)
            con.execute(f"COPY ({query_text(query)}) TO $folder (FORMAT parquet, PARTITION_BY (bucket))",
                        {"buckets": buckets, "folder": str(traces)})
        dropped(con, WORKING_TABLES)
    every = sorted(traces.glob("bucket=*"), key=_bucket_number)
    todo = tuple(b for b in every if changed is None or _bucket_number(b) in changed)
    kept = tuple(partials_folder(b) for b in every if b not in todo)
    return TracePartitions(folder, todo, update.cases, kept, buckets)


def bucket_partials(traces: Path, partials: Path) -> Path:
    """The partial aggregates of one bucket's traces (the folder `traces` of Parquet files), each as `<query>.parquet`
    in the folder `partials` (created); computed in an in-memory DuckDB of this process, so any worker can run it."""
    partials.mkdir(parents=True, exist_ok=True)
    with opened(":memory:") as con:  # UTC, and this worker's share of the machine (cluster.worker_environment)
        run_sql(con, "mining/bucket_traces.sql", {"traces": str(traces / "*.parquet")})
        for relative in PARTIAL_FILES:
            con.execute(f"COPY ({query_text(relative)}) TO $path (FORMAT parquet)",
                        {"path": str(partials / _parquet_name(relative))})
    return partials


def partials_folder(traces: Path) -> Path:
    """Where the partials of the bucket whose traces are in `traces` go: `<parts>/partials/bucket=K/`."""
    return traces.parent.parent / "partials" / traces.name


def merged_statistics(db: str | Path, partitions: TracePartitions, partials: list[Path]) -> dict[str, int]:
    """The mining tables merged from the `partials` the workers computed tonight and those `kept` from the last night,
    and published in one transaction with the journey build they reflect; then the partitions are kept for the next
    night, with a manifest of the traces they were made from. Row counts, and `changed_cases` as `mining_tables`
    says."""
    every = sorted([*partials, *partitions.kept], key=_bucket_number)
    # each merge file names a partial by its relation: $dfg_gaps for every bucket's partial_dfg_gaps.parquet
    params = {Path(r).stem.removeprefix("partial_"): [str(p / _parquet_name(r)) for p in every] for r in PARTIAL_FILES}
    with opened(db) as con:
        with transaction(con):  # readers see the old statistics or the new ones, never a mix
            if every:
                for relative in MERGE_FILES:
                    run_sql(con, relative, params)
            else:  # no cases at all: nothing to merge
                con.execute("CREATE OR REPLACE TEMP TABLE changed_journeys (journey_id VARCHAR)")
                con.execute(sql_text("mining/replaced_traces.sql"))
                derived_statistics(con, everything=True)
            built(con)
        dropped(con, WORKING_TABLES)
        counts = row_counts(con, MINING_TABLES) | {"changed_cases": partitions.changed_cases}
        identity = _trace_identity(con, partitions.bucket_count)
    manifest = partitions.folder / "partials" / MANIFEST
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps(identity))
    return counts


def _trace_identity(con: duckdb.DuckDBPyConnection, buckets: int) -> dict[str, object] | None:
    """What partials made from the store's `case_traces` over `buckets` buckets are valid for: the bucket count, the
    journey build `mining_build` records, and the traces' count and fingerprint; None before the first build."""
    if not {"mining_build", "case_traces"} <= relations(con):
        return None
    generation = con.execute("SELECT max(generation) FROM mining_build").fetchone()[0]
    cases, fingerprint = con.execute(query_text("mining/case_traces_fingerprint.sql")).fetchone()
    return {"buckets": buckets, "generation": generation, "cases": cases, "fingerprint": str(fingerprint)}


def _manifest(path: Path) -> dict[str, object] | None:
    """The kept partials' manifest, or None where there is none (or it cannot be read: the partials are rebuilt)."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _parquet_name(relative: str) -> str:
    """The Parquet file a partial query's rows go to: `partial_dfg_gaps.parquet` for `mining/partial_dfg_gaps.sql`."""
    return Path(relative).with_suffix(".parquet").name


def _bucket_number(folder: Path) -> int:
    """K of a hive partition folder `bucket=K`."""
    return int(folder.name.partition("=")[2])
