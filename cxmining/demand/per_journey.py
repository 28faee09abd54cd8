"""The failure-demand tables that depend on one journey alone (PER_JOURNEY), kept from night to night: whether a night
brings them up to date for the journeys it changed or makes them for every journey (`per_journey_build`), the queries
that make their rows (`per_journey_sources`, the same in the store and in a cluster worker), and their update in the
store, in one process or from the rows every customer bucket's worker wrote (cxmining.demand.partitioned).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cxmining.cluster import partitions_removed
from cxmining.errors import CxminingError
from cxmining.journeys import changed_since, journeys_generation
from cxmining.store import dropped, relations, run_sql, sql_text

# The tables, the macro each is made with (over a relation listing the journeys) and the rule parameters it reads.
PER_JOURNEY = (
    ("journey_products", "demand/journey_products_of.sql", ()),
    ("contact_context", "demand/contact_context_of.sql",
     ("web_contacts", "repeat_days", "checkout_error_hours", "help_page_hours", "product_view_days")),
    ("web_session_calls", "demand/web_session_calls_of.sql", ("website_triggers",)),
    ("web_session_triggers", "demand/web_session_triggers_of.sql", ("website_triggers",)),
)
MACROS = ("demand/web_session_events_of.sql", *(macro for _, macro, _ in PER_JOURNEY))
WORKING_TABLES = ("web_session_events", "no_journeys")  # changed_journeys: left for the contacts (demand.contacts)


@dataclass(frozen=True)
class PerJourneyBuild:
    """How the PER_JOURNEY tables are brought up to date: for the journeys changed since the journey build they last
    saw (`incremental`) or for every journey; the journey build they will reflect (`generation`) and the hash of the
    rule parameters and SQL they are made with (`digest`), both kept in `demand_build`."""

    incremental: bool
    generation: int | None
    digest: str


@dataclass(frozen=True)
class BucketedTables:
    """The PER_JOURNEY tables of a full build, computed per customer bucket by cluster workers: the build they were
    made for, the night's partitions folder (removed once they are published), and each bucket's folder of
    `<table>.parquet` files."""

    build: PerJourneyBuild
    folder: Path
    buckets: tuple[Path, ...]


def published(bucketed: BucketedTables) -> None:
    """Remove the buckets' Parquet once the tables are published, and the store's partitions folder
    (`<store>.parts/`) with it when no other stage has anything left there."""
    partitions_removed(bucketed.folder)


def rule_values(params: dict[str, object]) -> dict[str, object]:
    """The rule parameters the PER_JOURNEY macros read, of all the demand SQL's `params`."""
    return {k: params[k] for _, _, keys in PER_JOURNEY for k in keys}


def per_journey_build(con: duckdb.DuckDBPyConnection, params: dict[str, object]) -> PerJourneyBuild:
    """Whether tonight's update of the PER_JOURNEY tables is incremental: only when they exist and were made with the
    same rules and SQL, and every journey build since the one they saw is incremental and its changes are kept. Then
    the working table `changed_journeys` lists the journeys to redo (`changed_since`)."""
    run_sql(con, "demand/demand_build.sql")
    digest = hashlib.sha256(json.dumps(rule_values(params), sort_keys=True, default=str).encode()
                            + "".join(sql_text(m) for m in MACROS).encode()).hexdigest()
    seen = con.execute("SELECT generation, rules_sha256 FROM demand_build").fetchone()
    incremental = (seen is not None and seen[1] == digest and {t for t, _, _ in PER_JOURNEY} <= relations(con)
                   and changed_since(con, seen[0]))
    return PerJourneyBuild(incremental, journeys_generation(con), digest)


def per_journey_sources(con: duckdb.DuckDBPyConnection, params: dict[str, object],
                        scope: str) -> list[tuple[str, str, dict[str, object]]]:
    """Create the macros and the working table `web_session_events` for the journeys listed in `scope` (a relation
    with journey_id: `journeys`, `changed_journeys`, `no_journeys`); for each PER_JOURNEY table, the relation that
    makes its rows (a macro call with `$` parameters) and the rule values bound to them."""
    for relative in MACROS:
        con.execute(sql_text(relative))
    con.execute(f"CREATE OR REPLACE TEMP TABLE web_session_events AS FROM web_session_events_of('{scope}')")  # scope: the names above
    sources = []
    for table, macro, keys in PER_JOURNEY:
        events = "web_session_events" if table.startswith("web_") else scope
        call = f"{Path(macro).stem}('{events}'" + "".join(f", ${k}" for k in keys) + ")"
        sources.append((table, call, {k: params[k] for k in keys}))
    return sources


def per_journey_tables(con: duckdb.DuckDBPyConnection, params: dict[str, object], build: PerJourneyBuild,
                       bucketed: BucketedTables | None = None) -> None:
    """Bring the PER_JOURNEY tables up to date as `build` says: in this process, or, for a full build computed per
    customer bucket, from the buckets' Parquet files (`bucketed`, made for this very build); then record `build` in
    `demand_build`. The tables keep the macros' column names and types either way. The working table
    `changed_journeys` stays for the classification of the contacts (cxmining.demand.contacts), which drops it."""
    if bucketed is not None:
        if bucketed.build != build:
            raise CxminingError(f"the per-journey demand tables computed per bucket under {bucketed.folder} were made "
                                f"for another build ({bucketed.build}) than tonight's ({build}): run again")
        con.execute("CREATE OR REPLACE TEMP TABLE no_journeys (journey_id VARCHAR)")
        for table, source, values in per_journey_sources(con, params, "no_journeys"):  # the macros' schema, no rows
            con.execute(f"CREATE OR REPLACE TABLE {table} AS FROM {source}", values or None)
            if files := [str(folder / f"{table}.parquet") for folder in bucketed.buckets]:
                con.execute(f"INSERT INTO {table} BY NAME FROM read_parquet($files, hive_partitioning = false)",
                            {"files": files})
    else:
        scope = "changed_journeys" if build.incremental else "journeys"
        for table, source, values in per_journey_sources(con, params, scope):
            if build.incremental:
                con.execute(f"DELETE FROM {table} WHERE journey_id IN (SELECT journey_id FROM changed_journeys)")
                con.execute(f"INSERT INTO {table} BY NAME FROM {source}", values or None)
            else:
                con.execute(f"CREATE OR REPLACE TABLE {table} AS FROM {source}", values or None)
    con.execute("DELETE FROM demand_build")
    con.execute("INSERT INTO demand_build VALUES ($generation, $digest)",
                {"generation": build.generation, "digest": build.digest})
    dropped(con, WORKING_TABLES)
