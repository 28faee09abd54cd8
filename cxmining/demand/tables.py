"""Failure demand: every contact classified as failure or value demand, and the causes, products and calls to fix first.

Counting happens in DuckDB (sql/demand/); the tests behind the `flagged` columns (cxmining.demand.statistics) run
on the few hundred rows those queries return (one per product, order day, IVR path or website trigger), in passes
that leave flagged and outlying rows out of the reference (docs/demand.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from cxmining.demand.contacts import classification_digest, contact_tables, reclassifies_changed
from cxmining.demand.per_journey import BucketedTables, per_journey_build, per_journey_tables, published
from cxmining.demand.rules import DemandRules, demand_rules, rule_rows
from cxmining.demand.statistics import (
    SUSPECT_Z,
    attainable_p_values,
    category_prior,
    concentration_p_values,
    conditional_p_values,
    excess_p_values,
    false_discovery_q_values,
    heterogeneity,
    mid_p_residuals,
    tarone_family,
)
from cxmining.store import (
    opened,
    registered,
    require,
    row_counts,
    run_sql,
    sql_text,
    transaction,
)

TESTED = (  # counts SQL (built once per run; None: none), working SQL and table (every pass), result SQL; each working
    # table has key, observed and expected
    ("demand/product_counts.sql", "demand/product_demand.sql", "product_demand", "demand/failure_demand_products.sql"),
    ("demand/order_day_counts.sql", "demand/order_status_days.sql", "order_status_days",
     "demand/order_status_calls_by_day.sql"),
    ("demand/routing_path_counts.sql", "demand/routing_paths.sql", "routing_paths", "demand/routing_failure.sql"),
    (None, "demand/website_triggers.sql", "website_triggers", "demand/website_failure_contacts.sql"),
)
FLAG = "q_value <= $alpha AND observed - expected >= $min_excess AND observed >= $min_ratio * expected"  # as in the result SQL
SUMMARIES = ("demand/contact_targets.sql", "demand/avoidable_calls.sql", "demand/failure_demand_causes.sql")
TABLES = (
    "contact_demand", "journey_products", "failure_demand_products", "order_status_calls_by_day", "routing_failure",
    "website_failure_contacts", "contact_targets", "avoidable_calls", "failure_demand_causes", "unknown_reason_codes",
    "failure_demand_segments",
)


def _add_tests(con: duckdb.DuckDBPyConnection, table: str, flagged: set[str] | None) -> set[str]:
    """Add p_value, q_value and heterogeneity columns to a working table from its observed and expected columns;
    return the keys of the rows far above their expectation (mid-p residual beyond SUSPECT_Z).

    Heterogeneity is estimated robustly on the rows not `flagged` in an earlier pass, or taken as 0 (Poisson) when
    `flagged` is None. A table with `exposure_share` is tested against its reference with the conditional binomial
    test instead (and has no outliers of this kind).
    """
    columns = {name for (name,) in con.execute(f"SELECT column_name FROM (DESCRIBE {table})").fetchall()}
    conditional = "exposure_share" in columns  # a small reference: compare with it, not with a fixed expectation
    extra = ", reference_observed, exposure_share" if conditional else ""
    extra += ", expected_cv2" if "expected_cv2" in columns else ""
    extra += ", wider_expected, reference_group, exposure" if "wider_expected" in columns else ""
    rows = con.execute(f"SELECT rowid, key, observed, expected{extra} FROM {table}").fetchnumpy()  # table: TESTED allow-list
    observed, expected = _floats(rows, "observed"), _floats(rows, "expected")
    cv2 = _floats(rows, "expected_cv2") if "expected_cv2" in rows else None
    keys = np.asarray(rows["key"], dtype=object)
    reference = ~np.isin(keys, np.asarray(sorted(flagged or ()), dtype=object))
    outliers: set[str] = set()
    if conditional:
        alpha, p = 0.0, conditional_p_values(observed, _floats(rows, "reference_observed"), _floats(rows, "exposure_share"))
    else:
        alpha = 0.0 if flagged is None else heterogeneity(observed, expected, reference, cv2)
        p = excess_p_values(observed, expected, alpha, cv2)
        testable = np.nan_to_num(expected) > 0
        a = alpha + (1 + alpha) * (np.zeros(len(p)) if cv2 is None else np.nan_to_num(cv2))
        z = np.zeros(len(p))
        z[testable] = mid_p_residuals(np.nan_to_num(observed)[testable], expected[testable], a[testable])
        far = z > SUSPECT_Z
        if "wider_expected" in columns:
            far |= _far_above_wider(observed, rows, far, alpha)
        outliers = set(keys[far].tolist())
    _join_tests(con, table, rows["rowid"], {"p_value": p, "q_value": false_discovery_q_values(p),
                                            "heterogeneity": np.full(len(p), alpha)})
    return outliers


def _floats(rows: dict[str, np.ndarray], name: str) -> np.ndarray:
    """A column fetched with `fetchnumpy` as floats, NULL as NaN."""
    return np.ma.filled(np.ma.asarray(rows[name], dtype=float), np.nan)


def _join_tests(con: duckdb.DuckDBPyConnection, table: str, rowids: np.ndarray, tests: dict[str, object]) -> None:
    """Add the `tests` columns (arrays, one value per row of `table` in the order of `rowids`; a null stays NULL, a NaN
    NaN) to the working table `table` (an allow-listed name)."""
    columns = ", ".join(f"t.{name}" for name in tests)  # names from the callers' code
    with registered(con, "_tests", pa.table({"row": np.asarray(rowids), **tests})):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS "
            f"SELECT w.*, {columns} FROM (SELECT rowid AS _row, * FROM {table}) AS w "
            f"LEFT JOIN _tests AS t ON t.row = w._row"
        )


def _far_above_wider(observed: np.ndarray, wider: dict[str, np.ndarray], far: np.ndarray, alpha: float) -> np.ndarray:
    """Rows far above the wider reference (a product against the whole catalogue), except in groups (categories) of at
    least MIN_GROUP rows with exposure where more than half of them are far above: there the whole group differs, and
    its rows stay each other's reference. (A group of one or two cannot tell a different group from an outlier.)

    Several thin descriptions in one category raise the category's own rate until none of them stands out against
    it; against the catalogue they still do, and leaving them out of the category's reference lets each be tested
    against its ordinary siblings.
    """
    expected = _floats(wider, "wider_expected")
    testable = np.nan_to_num(expected) > 0
    z = np.zeros(len(observed))
    z[testable] = mid_p_residuals(np.nan_to_num(observed)[testable], expected[testable],
                                   np.full(int(testable.sum()), alpha))
    above = z > SUSPECT_Z
    group = np.asarray(wider["reference_group"], dtype=object)
    exposure = np.nan_to_num(np.ma.filled(np.ma.asarray(wider["exposure"], dtype=float), 0.0))
    for g in set(group[above].tolist()):
        members = (group == g) & (exposure > 0)
        if members.sum() >= MIN_GROUP and (members & (above | far)).sum() > 0.5 * members.sum():
            above &= ~(group == g)
    return above


def _product_prior(con: duckdb.DuckDBPyConnection, excluded: set[str], params: dict[str, object]) -> dict[str, float]:
    """The category prior of the product test, from the counts (product_counts) of the products left in the
    reference."""
    counts = con.execute(
        "SELECT category, sum(journeys), sum(info_calls), sum(delivered), sum(returns) FROM product_counts "
        "WHERE NOT list_contains($excluded, product_id) GROUP BY category ORDER BY category",
        {"excluded": sorted(excluded)},
    ).fetchall()
    return category_prior([c[1:] for c in counts], float(params["min_reference"]))


def _tested(con: duckdb.DuckDBPyConnection, working: str, table: str, params: dict[str, object]) -> None:
    """Build a working table and test it; rebuild with the flagged and outlying rows left out of the reference until
    no new one appears. The counts it reads (TESTED) are built before, once: a pass computes only the reference.

    An outlier left in the reference raises its neighbours' expectation (two thin descriptions in one category mask
    each other) and pushes their residuals down, which would inflate any estimate of heterogeneity. So the first pass
    is Poisson; every row flagged, or further than OUTLIER_Z from its expectation, leaves the reference of the later
    passes, and the set left out only grows, while each row's own flag is decided again on every pass. From the
    second pass on, heterogeneity is estimated robustly on the rows not flagged. The passes end when a pass finds
    nothing new to leave out: at most one more than there are rows.
    """
    excluded: set[str] = set()
    flagged: set[str] | None = None
    prior_of = PRIORS.get(table)
    cleaned = "$excluded" in sql_text(working)  # a reference that cannot shed rows (website triggers): one pass
    while True:
        if prior_of is not None:  # from the counts, which the reference does not change
            params = params | prior_of(con, excluded, params)
        run_sql(con, working, params | {"excluded": sorted(excluded)})
        outliers = _add_tests(con, table, flagged)
        flagged = {k for (k,) in con.execute(
            f"SELECT key FROM {table} WHERE {FLAG}",  # table: TESTED allow-list
            {k: params[k] for k in ("alpha", "min_excess", "min_ratio")},
        ).fetchall()}
        if not cleaned or (excluded and (flagged | outliers) <= excluded):
            return
        if not excluded and not flagged and not outliers:
            return
        excluded |= flagged | outliers


MIN_GROUP = 3  # rows a group needs before it can differ as a whole rather than hold outliers
PRIORS = {"product_demand": _product_prior}  # working tables whose reference leans on a prior estimated per pass


def rule_parameters(rules: DemandRules) -> dict[str, object]:
    """The bound parameters the demand SQL reads, from a rules file."""
    w, t = rules.windows, rules.tests
    return {
        "web_contacts": rules.web_contacts,
        "repeat_days": w.repeat_days,
        "checkout_error_hours": w.checkout_error_hours,
        "help_page_hours": w.help_page_hours,
        "product_view_days": w.product_view_days,
        "order_status_reasons": rules.order_status_reasons,
        "product_info_reasons": rules.product_info_reasons,
        "description_return_reasons": rules.description_return_reasons,
        "website_triggers": rules.website_triggers,
        "alpha": t.alpha,
        "min_excess": t.min_excess,
        "min_ratio": t.min_ratio,
        "min_reference": t.min_reference,
        "codes": sorted(rules.codes),
        "has_code_list": bool(rules.codes),
    }


def demand_tables(db: str | Path | duckdb.DuckDBPyConnection, rules: DemandRules | None = None,
                  bucketed: BucketedTables | None = None) -> dict[str, int]:
    """(Re)build contact_demand and the failure-demand tables from the journeys; return their row counts.

    Needs `journeys` (journey_tables); uses the conformance tables when they exist, for the
    'a step the designed process does not have' evidence. `bucketed`: the per-journey tables of tonight's full build,
    computed per customer bucket on a cluster (cxmining.demand.partitioned); everything after them runs here.
    """
    rules = rules or demand_rules()
    params = rule_parameters(rules)
    with opened(db) as con:
        con.execute(sql_text("demand/demand_rules.sql"))
        con.executemany("INSERT INTO demand_rules VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rule_rows(rules))
        with transaction(con):  # readers see the old demand tables or the new ones, never a mix
            build, digest = per_journey_build(con, params), classification_digest(rules)
            changed_only = bucketed is None and reclassifies_changed(con, build, digest)
            per_journey_tables(con, params, build, bucketed)
            contact_tables(con, build, digest, changed_only)
            run_sql(con, "demand/unknown_reason_codes.sql", params)
            con.execute(sql_text("demand/product_views.sql"))
            for counts, working, table, result in TESTED:
                if counts is not None:
                    run_sql(con, counts, params)
                _tested(con, working, table, params)
                run_sql(con, result, params)
            for relative in SUMMARIES:
                run_sql(con, relative, params)
            segment_concentration(con, params)
        if bucketed is not None:
            published(bucketed)
        return row_counts(con, TABLES)


def segment_concentration(con: duckdb.DuckDBPyConnection, params: dict[str, object]) -> None:
    """(Re)build failure_demand_segments from contact_demand, journeys and customer_segments."""
    run_sql(con, "demand/segment_contacts.sql")
    _add_concentration_tests(con, float(params["alpha"]), float(params["min_excess"]))
    run_sql(con, "demand/failure_demand_segments.sql", params)


def _add_concentration_tests(con: duckdb.DuckDBPyConnection, alpha: float, min_excess: float) -> None:
    """Add p_value and q_value to segment_contacts: Benjamini-Hochberg across every segment, value and kind of contact
    that could be flagged at all given its margins (Tarone's rule, `tarone_family`; a row that cannot reach
    `min_excess` cannot be flagged either); the others keep their p-value and get no q-value (not tested)."""
    rows = con.execute("SELECT rowid, observed, units, other_observed, other_units, expected "
                       "FROM segment_contacts").fetchnumpy()
    observed, size, other, other_size = (_floats(rows, c) for c in ("observed", "units", "other_observed", "other_units"))
    p = concentration_p_values(observed, size, other, other_size)
    total = observed + other
    attainable = attainable_p_values(size, total, other_size)
    attainable[np.minimum(size, total) - np.nan_to_num(_floats(rows, "expected"), nan=np.inf) < min_excess] = 1.0
    testable = tarone_family(attainable, alpha)
    q = np.full(len(p), np.nan)
    q[testable] = false_discovery_q_values(p[testable])
    _join_tests(con, "segment_contacts", rows["rowid"], {"p_value": p, "q_value": pa.array(q, from_pandas=True)})


def failure_demand_headline(db: str | Path | duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Share of journeys with failure demand, failure-demand calls and avoidable calls per month."""
    with opened(db, read_only=isinstance(db, (str, Path))) as con:
        share, calls = con.execute(
            "SELECT count(DISTINCT journey_id) FILTER (WHERE demand = 'failure') / nullif((SELECT count(*) FROM journeys), 0),"
            " count(*) FILTER (WHERE demand = 'failure' AND channel = 'phone') FROM contact_demand"
        ).fetchall()[0]
        avoidable = con.execute("SELECT coalesce(sum(calls_per_month), 0) FROM avoidable_calls").fetchall()[0][0]
        return {
            "failure_demand_journey_share": float(share or 0.0),
            "failure_demand_calls": float(calls),
            "avoidable_calls_per_month": float(avoidable),
        }


def flagged_targets(db: str | Path | duckdb.DuckDBPyConnection) -> list[str]:
    """What the flagged causes point at (avoidable_calls.target), most avoidable calls first."""
    with opened(db, read_only=isinstance(db, (str, Path))) as con:
        return [f"{cause}: {target}" for cause, target in
                con.execute("SELECT cause, target FROM avoidable_calls ORDER BY calls_per_month DESC").fetchall()]


def unknown_reason_codes(db: str | Path | duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """The contacts' reason codes the rules file's code list does not name, with their contacts, most first."""
    with opened(db, read_only=isinstance(db, (str, Path))) as con:
        return [(code, contacts) for code, contacts in
                con.execute("SELECT code, contacts FROM unknown_reason_codes ORDER BY contacts DESC, code").fetchall()]


SHOWN_UNKNOWN_CODES = 5


def unknown_codes_line(unknown: list[tuple[str, int]]) -> str | None:
    """One log line naming the reason codes the code list lacks (None: it lacks none)."""
    if not unknown:
        return None
    shown = "; ".join(f"{code!r} ({contacts:,})" for code, contacts in unknown[:SHOWN_UNKNOWN_CODES])
    more = f"; and {len(unknown) - SHOWN_UNKNOWN_CODES} more" if len(unknown) > SHOWN_UNKNOWN_CODES else ""
    contacts = sum(n for _, n in unknown)
    return (f"failure demand: {len(unknown)} reason code{'' if len(unknown) == 1 else 's'} of {contacts:,} contacts "
            f"not in the rules file's code list, classified by its other rules (table unknown_reason_codes): {shown}{more}")


@dataclass(frozen=True)
class DemandOutcome:
    """What a rebuild of the failure-demand tables found: row counts, the headline figures, the flagged targets and
    the reason codes the code list lacks."""

    counts: dict[str, int]
    headline: dict[str, float]
    flagged: list[str]
    unknown_codes: list[tuple[str, int]]


def demand_outputs(db: str | Path | duckdb.DuckDBPyConnection, rules: Path | None = None,
                   bucketed: BucketedTables | None = None) -> DemandOutcome:
    """The failure-demand tables rebuilt with the rules file `rules` (None: the shipped rules), and what they found:
    one sequence for the nightly flow and `cxmining demand`; `bucketed` as `demand_tables` takes it."""
    chosen = demand_rules(rules)
    with opened(db) as con:
        require(con, ("journeys",))
        counts = demand_tables(con, chosen, bucketed)
        return DemandOutcome(counts, failure_demand_headline(con), flagged_targets(con), unknown_reason_codes(con))
