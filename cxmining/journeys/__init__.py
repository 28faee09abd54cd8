"""Customer journeys: identities stitched across channels, and each event placed in at most one journey.

A night rebuilds only what its files touch (`journey_tables`): the events of the new rows are stitched again, and
the journeys of every customer and browser whose events changed (widened to those sharing a web session or an order
with them) are assigned again, whole, by the same SQL as a full build (`*_of.sql` macros applied to the rows in scope).
A full rebuild runs when nothing was built before, when the journey rules or the SQL changed, or when asked; on a
cluster, `partitioned.py` runs it over buckets with the steps of this module (`build_plan`, `stitched_in_full`,
`published_in_full`, `record_build`).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cxmining.errors import CxminingError
from cxmining.store import opened, relations, row_counts, run_sql, sql_text, transaction, utc_now

DEFINITION_FILES = (  # macros and views; order matters: each reads the ones before it
    "staging/events_of.sql",
    "journeys/phone_key.sql",
    "journeys/customer_phone_keys.sql",
    "journeys/visitor_logins_of.sql",
    "journeys/visitor_logins.sql",
    "journeys/session_customers_of.sql",
    "journeys/session_customers.sql",
    "journeys/call_customers_of.sql",
    "journeys/stitched_events_of.sql",
    "journeys/journey_assignment_of.sql",
    "journeys/journeys_of.sql",
)
VIEW_FILES = ("journeys/journey_events.sql", "journeys/stitching_coverage.sql")  # over the tables
STATE_FILES = ("journeys/journey_files.sql", "journeys/journey_build.sql", "journeys/journey_changes.sql")
KEPT_GENERATIONS = 30  # journey_changes of this many builds back: a step that missed more starts from scratch
SCOPE_FILES = (  # an incremental build's working tables, each reading the ones before it
    "journeys/journey_new_files.sql",
    "journeys/journey_phone_changes.sql",
    "journeys/journey_scope_web.sql",
    "journeys/journey_scope_calls.sql",
    "journeys/journey_scope_orders.sql",
)
log = logging.getLogger(__name__)
CLOSURE_ROUNDS = 20  # sessions and orders shared across customers: widen the affected set at most this often
TABLES = ("stitched_events", "journey_assignment", "journeys")
STORED_STITCHINGS = ("stitched_events", "journey_full_stitched")  # tables of the store a stitching may fill
WORKING_TABLES = (
    "journey_phone_keys", "journey_new_files", "journey_phone_changes", "journey_scope_web", "journey_scope_calls", "journey_scope_orders",
    "journey_scope_events", "journey_scope_sessions", "journey_scope_call_customers", "journey_restitched",
    "journey_stitch_changes", "journey_affected_customers", "journey_affected_visitors", "journey_scope_stitched",
    "journey_scope_anchors", "journey_new_assignment", "journey_rebuilt", "journey_assignment_before",
    "journey_assignment_kept", "journey_new_journeys", "journey_journeys_kept", "journey_affected_orders",
    "journey_shared_keys",
    "journey_full_stitched",  # a cluster build's stitching (journeys.partitioned), left by a night that failed in it
)


@dataclass(frozen=True)
class JourneyRules:
    """The configurable parts of the case notion (docs/journeys.md)."""

    lookback_days: int = 14  # research this long before an order counts towards it
    quiet_days: int = 14  # contacts this long after an order's last event still belong to it

    def __post_init__(self) -> None:
        for name in ("lookback_days", "quiet_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= 365:
                raise CxminingError(f"{name} must be a whole number of days from 0 to 365, got {value!r}")


class _Unsettled(Exception):
    """An incremental build that could not confine its changes (a full rebuild follows)."""


def journey_tables(db: str | Path | duckdb.DuckDBPyConnection, rules: JourneyRules = JourneyRules(),
                   full: bool = False) -> dict[str, int]:
    """Bring `stitched_events`, `journey_assignment` and `journeys` up to date with the loaded files: incrementally
    (only what the files loaded since the last build touch; `journey_changes` says which journeys changed) or, when
    nothing was built before, the rules or the SQL changed, or `full`, from scratch. Row counts, and in
    `changed_journeys` how many journeys the build added, removed or rebuilt (every journey after a full rebuild)."""
    with opened(db) as con:
        plan = build_plan(con, rules, full)
        settings, generation, incremental = plan.settings, plan.generation, plan.incremental
        changed = None
        if incremental and _nothing_new(con):  # a night without new files or phone changes builds nothing
            changed = 0
        elif incremental:
            try:
                with transaction(con):  # readers see the old journeys or the new ones, never a mix
                    changed = _incremental(con, rules, generation)
                    record_build(con, settings, "incremental", generation, plan.phone_keys_kept)
            except _Unsettled as why:  # rolled back: everything is built again below
                log.warning("journeys: the night's changes could not be confined (%s); rebuilding them all", why)
                changed = None
        if changed is None:
            with transaction(con):
                _full(con, rules)
                record_build(con, settings, "full", generation, plan.phone_keys_kept)
        drop_working_tables(con)
        return built_counts(con, changed)


@dataclass(frozen=True)
class BuildPlan:
    """What the next build is: its settings (lookback, quiet, SQL digest), generation, and whether it may be
    incremental."""

    settings: tuple[int, int, str]
    generation: int
    incremental: bool
    phone_keys_kept: bool = False  # the build's phone keys are the last build's (no customer row came in since)


def build_plan(con: duckdb.DuckDBPyConnection, rules: JourneyRules, full: bool) -> BuildPlan:
    """The journey macros and state tables defined on `con`, the build's phone keys taken (`journey_phone_keys`), and
    the plan of the next build: full when asked (`full`), when nothing was built before, when the rules or the SQL
    changed, or when a file the journeys reflect is gone. An incremental build takes the last build's phone keys
    (`stitch_phone_keys`) when no customer row came in since, instead of computing them from every customer again."""
    for relative in DEFINITION_FILES:
        con.execute(sql_text(relative))
    for relative in STATE_FILES:
        con.execute(sql_text(relative))
    settings = (rules.lookback_days, rules.quiet_days, _sql_digest(con))
    built = con.execute("SELECT lookback_days, quiet_days, sql_sha256 FROM journey_build "
                        "ORDER BY generation DESC LIMIT 1").fetchone()
    generation = con.execute("SELECT coalesce(max(generation), 0) + 1 FROM journey_build").fetchone()[0]
    # rows of a file the journeys reflect are gone (the manifest no longer has it loaded): rebuild everything
    vanished = con.execute("SELECT count(*) FROM journey_files AS j ANTI JOIN ingested_files AS f "
                           "ON f.sha256 = j.sha256 AND f.status = 'loaded'").fetchone()[0]
    incremental = not full and not vanished and built == settings and set(TABLES) <= relations(con)
    kept = (incremental and "stitch_phone_keys" in relations(con)
            and not con.execute(sql_text("journeys/journey_customers_changed.sql")).fetchone()[0])
    keys = "stitch_phone_keys" if kept else "customer_phone_keys"  # once per build
    con.execute(f"CREATE OR REPLACE TEMP TABLE journey_phone_keys AS SELECT phone_key, customer_id FROM {keys}")
    return BuildPlan(settings, generation, incremental, kept)


def full_build_due(db: str | Path | duckdb.DuckDBPyConnection, rules: JourneyRules = JourneyRules(),
                   full: bool = False) -> bool:
    """Whether `journey_tables(db, rules, full)` would build every journey from scratch (it may still do so after
    trying an incremental build that could not confine its changes)."""
    with opened(db) as con:
        return not build_plan(con, rules, full).incremental


def built_counts(con: duckdb.DuckDBPyConnection, changed: int | None) -> dict[str, int]:
    """What `journey_tables` returns: journeys, journey events, and `changed` journeys (None: a full build, where every
    journey counts as changed)."""
    counts = row_counts(con, ("journeys", "journey_assignment"))
    return {"journeys": counts["journeys"], "journey_events": counts["journey_assignment"],
            "changed_journeys": counts["journeys"] if changed is None else changed}


def build_line(counts: dict[str, int], shares: dict[str, float]) -> str:
    """The build's line in the night's log: journeys, how many changed, events, and the share of each source's events
    without a customer (`unstitched_shares`)."""
    unstitched = ", ".join(f"{share:.1%} of {source} events" for source, share in sorted(shares.items()))
    return (f"journeys: {counts['journeys']} journeys ({counts['changed_journeys']} added, removed or rebuilt), "
            f"{counts['journey_events']} events; without a customer: {unstitched or 'no events'}")


def unstitched_shares(db: str | Path | duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Per source, the share of events no rule could attribute to a customer."""
    with opened(db) as con:
        rows = con.execute(
            "SELECT source, sum(share_of_source) FILTER (WHERE stitch_rule = 'not stitched') FROM stitching_coverage GROUP BY 1"
        ).fetchall()
        return {source: float(share or 0.0) for source, share in rows}


def _sql_digest(con: duckdb.DuckDBPyConnection) -> str:
    """The hash of the SQL that stitches events and builds journeys, and of the activity template of own call reasons
    (call_reason_template, from the mapping): a build with other SQL or another template rebuilds everything."""
    digest = hashlib.sha256()
    for relative in DEFINITION_FILES + VIEW_FILES:
        digest.update(sql_text(relative).encode("utf-8"))
    templates = "call_reason_template" in relations(con)  # a store from before own reason codes has none
    for (activity,) in con.execute("SELECT activity FROM call_reason_template ORDER BY activity").fetchall() if templates else ():
        digest.update(b"\0call_reason_template\0" + activity.encode("utf-8"))
    return digest.hexdigest()


def _full(con: duckdb.DuckDBPyConnection, rules: JourneyRules) -> None:
    """Every event stitched and every journey built from the whole history."""
    stitched_in_full(con, "stitched_events")
    con.execute("CREATE OR REPLACE TABLE journey_assignment AS "
                "FROM journey_assignment_of('stitched_events', 'raw_orders', $lookback_days, $quiet_days)",
                {"lookback_days": rules.lookback_days, "quiet_days": rules.quiet_days})
    con.execute("CREATE OR REPLACE TABLE journeys AS FROM journeys_of('journey_assignment', 'stitched_events')")
    published_in_full(con)


def stitched_in_full(con: duckdb.DuckDBPyConnection, target: str) -> None:
    """Every event of the raw tables stitched into the store's table `target` (stitched_events, or the cluster build's
    `journey_full_stitched`, a name from this package), numbered from 1; `build_plan` ran on `con`."""
    _stitched_into(con, "raw_web", "raw_calls", "raw_orders", target, first_event_no=0)


def published_in_full(con: duckdb.DuckDBPyConnection) -> None:
    """The views over the journeys defined again, and `journey_files` set to every loaded file: the end of a full
    build, inside its transaction."""
    for relative in VIEW_FILES:
        con.execute(sql_text(relative))
    con.execute("DELETE FROM journey_files")
    con.execute("INSERT INTO journey_files SELECT sha256 FROM ingested_files WHERE status = 'loaded'")


def _stitched_into(con: duckdb.DuckDBPyConnection, web: str, calls: str, orders: str, target: str,
                   first_event_no: int) -> None:
    """Stitch the events of the `web`, `calls` and `orders` tables (names from this package) into table `target`
    (a temporary one unless it is stitched_events or journey_full_stitched); each intermediate is materialised first,
    which DuckDB runs far faster than the one nested query."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE journey_scope_events AS FROM events_of('{web}', '{calls}', '{orders}')")
    con.execute(f"CREATE OR REPLACE TEMP TABLE journey_scope_sessions AS FROM session_customers_of('{web}')")
    con.execute(f"CREATE OR REPLACE TEMP TABLE journey_scope_call_customers AS "
                f"FROM call_customers_of('{calls}', 'journey_phone_keys')")
    kind = "TABLE" if target in STORED_STITCHINGS else "TEMP TABLE"
    con.execute(f"CREATE OR REPLACE {kind} {target} AS FROM stitched_events_of('journey_scope_events', "
                "'journey_scope_sessions', 'journey_scope_call_customers', $first)", {"first": first_event_no})


def _nothing_new(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether no file was loaded and no phone key changed since the last build."""
    for relative in SCOPE_FILES[:2]:
        con.execute(sql_text(relative))
    return not con.execute("SELECT (SELECT count(*) FROM journey_new_files) + "
                           "(SELECT count(*) FROM journey_phone_changes)").fetchone()[0]


def _incremental(con: duckdb.DuckDBPyConnection, rules: JourneyRules, generation: int) -> int:
    """Stitch again the events of the files loaded since the last build and build again, whole, the journeys of the
    customers and browsers they touch; how many journeys were added, removed or rebuilt (`journey_changes`)."""
    for relative in SCOPE_FILES[2:]:  # the first two ran in _nothing_new
        con.execute(sql_text(relative))
    last = con.execute("SELECT coalesce(max(event_no), 0) FROM stitched_events").fetchone()[0]
    _stitched_into(con, "journey_scope_web", "journey_scope_calls", "journey_scope_orders", "journey_restitched", last)
    con.execute(sql_text("journeys/journey_stitch_changes.sql"))
    # the stitched events as they are now: changed and gone ones out, changed and new ones in (with new numbers)
    con.execute("DELETE FROM stitched_events WHERE event_no IN "
                "(SELECT old_event_no FROM journey_stitch_changes WHERE old_event_no IS NOT NULL)")
    con.execute("INSERT INTO stitched_events BY NAME SELECT r.* FROM journey_restitched AS r "
                "SEMI JOIN journey_stitch_changes AS c ON c.event_id = r.event_id AND c.change <> 'removed'")
    con.execute(sql_text("journeys/journey_affected_customers.sql"))
    con.execute(sql_text("journeys/journey_affected_visitors.sql"))
    con.execute(sql_text("journeys/journey_shared_keys.sql"))
    for _ in range(CLOSURE_ROUNDS):
        shared = con.execute(sql_text("journeys/journey_shared_customers.sql")).fetchall()
        if not shared:
            break
        con.executemany("INSERT INTO journey_affected_customers VALUES (?)", shared)
    else:
        raise _Unsettled("customers sharing sessions and orders did not settle")
    for relative in ("journeys/journey_affected_orders.sql", "journeys/journey_scope_stitched.sql", "journeys/journey_scope_anchors.sql",
                     "journeys/journey_owned.sql"):
        con.execute(sql_text(relative))
    run_sql(con, "journeys/journey_new_assignment.sql", {"lookback_days": rules.lookback_days,
                                                          "quiet_days": rules.quiet_days})
    con.execute(sql_text("journeys/journey_rebuilt.sql"))
    con.execute(sql_text("journeys/journey_assignment_before.sql"))
    # an event moving into a rebuilt journey must come from a rebuilt one (else that journey would lose it unseen)
    strays = con.execute(
        "SELECT count(*) FROM journey_assignment_before AS a SEMI JOIN journey_new_assignment AS n USING (event_no) "
        "WHERE a.journey_id NOT IN (SELECT journey_id FROM journey_rebuilt)").fetchone()[0]
    if strays:
        raise _Unsettled(f"{strays} events move out of journeys not rebuilt")
    # only the rows that differ are written: the rebuilt journeys' rows stored identically already stay
    con.execute(sql_text("journeys/journey_assignment_kept.sql"))
    con.execute("DELETE FROM journey_assignment WHERE event_no IN "
                "(SELECT event_no FROM journey_assignment_before ANTI JOIN journey_assignment_kept USING (event_no))")
    con.execute("INSERT INTO journey_assignment BY NAME SELECT n.* FROM journey_new_assignment AS n "
                "ANTI JOIN journey_assignment_kept USING (event_no)")
    con.execute(sql_text("journeys/journey_new_journeys.sql"))
    con.execute(sql_text("journeys/journey_journeys_kept.sql"))
    con.execute("DELETE FROM journeys WHERE journey_id IN "
                "(SELECT journey_id FROM journey_rebuilt ANTI JOIN journey_journeys_kept USING (journey_id))")
    con.execute("INSERT INTO journeys BY NAME SELECT n.* FROM journey_new_journeys AS n "
                "ANTI JOIN journey_journeys_kept USING (journey_id)")
    dangling = con.execute(
        "SELECT count(*) FROM journey_assignment WHERE event_no IN "
        "(SELECT old_event_no FROM journey_stitch_changes WHERE old_event_no IS NOT NULL)").fetchone()[0]
    if dangling:
        raise _Unsettled(f"{dangling} journey events lost their stitched event")
    con.execute("INSERT INTO journey_files SELECT sha256 FROM journey_new_files")
    con.execute("INSERT INTO journey_changes SELECT $generation, journey_id, change FROM journey_rebuilt",
                {"generation": generation})
    return con.execute("SELECT count(*) FROM journey_rebuilt").fetchone()[0]


def record_build(con: duckdb.DuckDBPyConnection, settings: tuple[int, int, str], mode: str, generation: int,
                 phone_keys_kept: bool = False) -> None:
    """The build recorded in `journey_build` (and its phone keys in `stitch_phone_keys`, unless they are the kept
    ones), and `journey_changes` older than KEPT_GENERATIONS builds removed."""
    if not phone_keys_kept:
        con.execute(sql_text("journeys/stitch_phone_keys.sql"))
    con.execute("INSERT INTO journey_build VALUES ($generation, $lookback, $quiet, $sql, $mode, $now)",
                {"generation": generation, "lookback": settings[0], "quiet": settings[1], "sql": settings[2],
                 "mode": mode, "now": utc_now()})
    con.execute("DELETE FROM journey_changes WHERE generation <= $oldest",
                {"oldest": generation - KEPT_GENERATIONS})


def journeys_generation(db: str | Path | duckdb.DuckDBPyConnection) -> int | None:
    """The generation of the journeys as they are (journey_build), None where they were never built here (an imported
    log's journey_events, a store from before journey builds were recorded)."""
    with opened(db) as con:
        if "journey_build" not in relations(con):
            return None
        return con.execute("SELECT max(generation) FROM journey_build").fetchone()[0]


def changed_since(con: duckdb.DuckDBPyConnection, generation: int | None) -> bool:
    """Fill the working table `changed_journeys` (on `con`) with the journeys changed by the builds after `generation`
    and say True; False when a step that saw `generation` must start from scratch instead: it saw none, a full build
    came after it, or the changes of a build after it are no longer kept."""
    current = journeys_generation(con)
    if generation is None or current is None or generation > current:
        return False
    after = con.execute("SELECT count(*), count(*) FILTER (WHERE mode = 'full') FROM journey_build "
                        "WHERE generation > $g", {"g": generation}).fetchone()
    if after[0] != current - generation or after[1] or current - generation > KEPT_GENERATIONS:
        return False
    run_sql(con, "journeys/changed_journeys.sql", {"since": generation})
    return True


def drop_working_tables(con: duckdb.DuckDBPyConnection) -> None:
    for name in WORKING_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {name}")
    con.execute("DROP MACRO IF EXISTS journey_owned")
