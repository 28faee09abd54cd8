"""Every contact classified as failure or value demand (contact_demand), kept from night to night: a night that brings
the per-journey tables up to date for the journeys it changed classifies again only the contacts of those journeys and
of the journeys whose 'unexpected step' evidence (from the conformance tables) moved, and keeps the other rows.

A contact's row depends on its journey's per-journey tables (contact_context, journey_products), on whether its step
is one the designed process lacks, and on the demand rules; nothing else. The working tables contact_features and
contact_causes are made for every contact: the website test and the targets read all of them.
"""

from __future__ import annotations

import hashlib
import json

import duckdb

from cxmining.demand.per_journey import PerJourneyBuild
from cxmining.demand.rules import DemandRules, rule_rows
from cxmining.store import dropped, relations, run_sql, sql_text

# the SQL a contact's row is made with, besides the per-journey tables' own (their hash is demand_build's)
CLASSIFYING = ("demand/journey_unexpected_steps.sql", "demand/contact_features.sql", "demand/contact_causes.sql",
               "demand/contact_demand_of.sql")
WORKING_TABLES = ("reclassified_journeys", "changed_journeys")


def classification_digest(rules: DemandRules) -> str:
    """A hash of the demand rules and the SQL that classifies the contacts with them."""
    return hashlib.sha256(json.dumps(rule_rows(rules), default=str).encode()
                          + "".join(sql_text(r) for r in CLASSIFYING).encode()).hexdigest()


def reclassifies_changed(con: duckdb.DuckDBPyConnection, build: PerJourneyBuild, digest: str) -> bool:
    """Whether tonight may classify only the contacts of the journeys it changes: the per-journey tables are brought up
    to date incrementally (the working table `changed_journeys` lists the journeys), and contact_demand reflects the
    journey build they reflected before tonight, classified with the rules and SQL of `digest`. Call it before
    `per_journey_tables` records tonight's build."""
    if not build.incremental or "contact_demand" not in relations(con):
        return False
    run_sql(con, "demand/contact_demand_build.sql")
    seen = con.execute("SELECT generation, rules_sha256 FROM contact_demand_build").fetchall()
    before = con.execute("SELECT generation FROM demand_build").fetchall()
    return len(seen) == 1 and len(before) == 1 and seen[0] == (before[0][0], digest)


def contact_tables(con: duckdb.DuckDBPyConnection, build: PerJourneyBuild, digest: str, changed_only: bool) -> None:
    """Make contact_features and contact_causes for every contact, and bring contact_demand up to date: for the
    journeys `reclassified_journeys` lists when `changed_only` (`reclassifies_changed`), else for every contact; then
    record the build and `digest` it reflects in contact_demand_build. Needs the per-journey tables of tonight and the
    demand_rules working table; uses the conformance tables when they exist, for the 'a step the designed process does
    not have' evidence."""
    if {"conformance_journeys", "model_diff"} <= relations(con):
        run_sql(con, "demand/journey_unexpected_steps.sql")
    else:
        con.execute("CREATE OR REPLACE TEMP TABLE journey_unexpected_steps (journey_id VARCHAR, activity VARCHAR)")
    run_sql(con, "demand/contact_features.sql")
    run_sql(con, "demand/contact_causes.sql")
    con.execute(sql_text("demand/contact_demand_of.sql"))
    if changed_only:
        run_sql(con, "demand/reclassified_journeys.sql")
        con.execute("DELETE FROM contact_demand WHERE journey_id IN (SELECT journey_id FROM reclassified_journeys)")
        con.execute("INSERT INTO contact_demand BY NAME FROM contact_demand_of('reclassified_journeys')")
    else:
        run_sql(con, "demand/contact_demand.sql")
    run_sql(con, "demand/contact_demand_build.sql")
    con.execute("DELETE FROM contact_demand_build")
    con.execute("INSERT INTO contact_demand_build VALUES ($generation, $digest)",
                {"generation": build.generation, "digest": digest})
    dropped(con, WORKING_TABLES)
