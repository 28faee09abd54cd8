"""What the explorer shows, read from the store with the files of `sql/explore/`: every value a bound parameter, every
sort column and drill-down from the fixed lists below, no personal data (no customer id, phone, e-mail or notes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from cxmining.demand.rules import demand_rules
from cxmining.errors import CxminingError
from cxmining.store import query_text, relations, run_sql, sql_text, used_params

PAGE_SIZES = range(1, 201)
# sort key of the variant list -> the column of sql/explore/selected_variants.sql it orders by
VARIANT_SORTS = {"rank": "rank", "journeys": "journeys", "share": "share", "duration": "mean_duration_seconds",
                 "fitness": "fitness", "steps": "steps", "variant": "variant"}
DIRECTIONS = {"asc": "ASC", "desc": "DESC"}
ENTRY_ROWS = 10  # rows per list on the landing page

# drill-down -> (its parameters, the SQL file selecting its journeys, the tables it needs, what builds them)
DRILLS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...], str]] = {
    "variant": (("variant",), "explore/drilled_journeys_of_variant.sql", ("case_variants",), "cxmining run"),
    "deviation": (("deviation", "activity"), "explore/drilled_journeys_of_deviation.sql",
                  ("variant_conformance", "conformance_summary"), "cxmining conformance (or a run with designed models)"),
    "cause": (("cause",), "explore/drilled_journeys_of_cause.sql", ("contact_demand",), "cxmining demand"),
    "target": (("target",), "explore/drilled_journeys_of_target.sql", ("contact_targets",), "cxmining demand"),
    "day": (("day",), "explore/drilled_journeys_of_day.sql", ("contact_demand", "stitched_events"), "cxmining demand"),
    "ivr_path": (("ivr_path",), "explore/drilled_journeys_of_ivr_path.sql", ("journey_events",), "cxmining run"),
    "step": (("step",), "explore/drilled_journeys_of_step.sql", ("journey_events",), "cxmining run"),
    "path": (("path_from", "path_to"), "explore/drilled_journeys_of_path.sql", ("journey_events",), "cxmining run"),
}
# landing-page list -> (its SQL file, the table it reads, what builds it)
ENTRIES = {
    "deviations": ("explore/entry_deviations.sql", "deviations", "conformance with a designed model (cxmining conformance, or models in the landing folder)"),
    "causes": ("explore/entry_causes.sql", "failure_demand_causes", "failure demand (cxmining demand)"),
    "products": ("explore/entry_products.sql", "failure_demand_products", "failure demand (cxmining demand)"),
    "targets": ("explore/entry_targets.sql", "avoidable_calls", "failure demand (cxmining demand)"),
    "days": ("explore/entry_days.sql", "order_status_calls_by_day", "failure demand (cxmining demand)"),
    "ivr_paths": ("explore/entry_ivr_paths.sql", "routing_failure", "failure demand (cxmining demand)"),
}


class ExploreInputError(CxminingError):
    """A request the explorer cannot answer as asked (a bad date, an unknown sort column...): one line, HTTP 400."""


class ExploreMissing(CxminingError):
    """The store lacks what a view needs (conformance or demand not run): one line saying what builds it."""


@dataclass(frozen=True)
class Filters:
    """The filters every view shares; None: not filtered."""

    journey_type: str | None = None
    product: str | None = None
    channel: str | None = None
    start: date | None = None  # first day (UTC) a journey may start on
    end: date | None = None    # last day (UTC), included


def day(value: str | None, name: str) -> date | None:
    """`value` as a day (YYYY-MM-DD), None when empty; ExploreInputError naming the parameter otherwise."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ExploreInputError(f"{name}: {value!r} is not a day like 2026-09-01") from None


def whole_number(value: str | None, name: str, default: int, allowed: range) -> int:
    """`value` as an integer within `allowed` (`default` when empty)."""
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ExploreInputError(f"{name}: {value!r} is not a whole number") from None
    if number not in allowed:
        raise ExploreInputError(f"{name}: {number} is not between {allowed.start} and {allowed.stop - 1}")
    return number


def filters(params: dict[str, str]) -> Filters:
    """The filters of a request's query parameters (type, product, channel, from, to)."""
    found = Filters(params.get("type") or None, params.get("product") or None, params.get("channel") or None,
                    day(params.get("from"), "from"), day(params.get("to"), "to"))
    if found.start and found.end and found.start > found.end:
        raise ExploreInputError(f"from: {found.start} is after to {found.end}")
    return found


def drill(params: dict[str, str]) -> tuple[str, dict[str, Any]] | None:
    """The one drill-down a request asks for (its name and bound values), None for none."""
    asked = [name for name, (keys, *_rest) in DRILLS.items() if params.get(keys[0]) or params.get(keys[-1])]
    if params.get("activity") and not params.get("deviation"):
        raise ExploreInputError("activity: needs deviation too (a deviation is its type and activity)")
    if len(asked) > 1:
        raise ExploreInputError(f"drill-down: give one of {', '.join(DRILLS)}, not {' and '.join(asked)}")
    if not asked:
        return None
    name = asked[0]
    keys = DRILLS[name][0]
    missing = [k for k in keys if not params.get(k)]
    if missing:
        raise ExploreInputError(f"{name}: needs {' and '.join(missing)} too")
    values: dict[str, Any] = {k: params[k] for k in keys}
    if name == "variant":
        values["variant"] = whole_number(params["variant"], "variant", 0, range(0, 2**62))
    if name == "day":
        values["day"] = day(params["day"], "day")
        values["order_status_reasons"] = demand_rules().order_status_reasons  # the default rules file's
    if name == "deviation":
        values = {"deviation_type": params["deviation"], "activity": params["activity"]}
    return name, values


def _with_stand_ins(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The store's relations, after the request's stand-ins for the optional ones it lacks (on this cursor only)."""
    present = relations(con)
    run_sql(con, "explore/product_journeys_of_demand.sql" if "journey_products" in present
            else "explore/product_journeys_of_journeys.sql")
    run_sql(con, "explore/variant_fitness_of_conformance.sql" if "variant_conformance" in present
            else "explore/variant_fitness_of_nothing.sql")
    if "contact_demand" not in present:
        run_sql(con, "explore/contact_demand_of_nothing.sql")
    if "contact_targets" not in present:
        run_sql(con, "explore/contact_targets_of_nothing.sql")
    return present


def selected(con: duckdb.DuckDBPyConnection, chosen: Filters, drilled: tuple[str, dict[str, Any]] | None) -> int:
    """Build the request's `selected_journeys` on `con` (a cursor of its own); how many journeys it holds."""
    present = _with_stand_ins(con)
    if chosen.journey_type is not None and "journeys" in present:
        types = [r["journey_type"] for r in rows(con, "explore/journey_types.sql")]
        if chosen.journey_type not in types:
            raise ExploreInputError(f"type: {chosen.journey_type!r} is not a journey type of this store "
                                    f"({', '.join(str(t) for t in types)})")
    if drilled is None:
        run_sql(con, "explore/drilled_journeys_of_all.sql")
    else:
        name, values = drilled
        _keys, path, needs, builder = DRILLS[name]
        lacking = [t for t in needs if t not in present]
        if lacking:
            raise ExploreMissing(f"{name} drill-down needs {', '.join(lacking)}: run {builder} first")
        if name == "deviation":  # the moves typed as `deviations` types them, of the model the tables are of
            model_hash, method = con.execute("SELECT model_hash, method FROM conformance_summary").fetchone()
            run_sql(con, "conformance/deviation_moves.sql", {"model_hash": model_hash, "method": method})
        run_sql(con, path, values)
    run_sql(con, "explore/selected_journeys.sql", {
        "journey_type": chosen.journey_type, "product": chosen.product, "channel": chosen.channel,
        "from": chosen.start, "to": chosen.end})
    return con.execute(sql_text("explore/selected_journey_count.sql")).fetchone()[0]


def rows(con: duckdb.DuckDBPyConnection, relative: str, params: dict[str, Any] | None = None,
         suffix: str = "") -> list[dict[str, Any]]:
    """The rows of one SQL file (with `suffix`, built from the fixed lists here, appended) as dicts."""
    text = query_text(relative) + suffix
    cursor = con.execute(text, used_params(text, params) or None)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def overview(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The landing page: journey types (the filters' choices) and each drill-down list, or what would build it."""
    present = relations(con)
    entries: dict[str, Any] = {}
    for name, (path, table, builder) in ENTRIES.items():
        entries[name] = ({"rows": rows(con, path, {"limit": ENTRY_ROWS})} if table in present
                         else {"missing": f"{table} is not in the store: run {builder}"})
    return {"journey_types": rows(con, "explore/journey_types.sql"), "entries": entries,
            "channels": [r[0] for r in con.execute(
                'SELECT DISTINCT channel FROM journey_events WHERE channel IS NOT NULL ORDER BY 1').fetchall()]}


def process_map(con: duckdb.DuckDBPyConnection, chosen: Filters) -> dict[str, Any]:
    """The directly-follows graph of the filtered journeys: activities and paths with frequencies and times."""
    journeys = selected(con, chosen, None)
    return {"journeys": journeys, "activities": rows(con, "explore/selected_activities.sql"),
            "paths": rows(con, "explore/selected_dfg.sql")}


def past_the_end(page: int, size: int, total: int) -> None:
    """Refuse a page after the last one (page 1 of nothing is an empty first page)."""
    last = max(1, -(-total // size))
    if page > last:
        raise ExploreInputError(f"page: {page} is past the last page, {last}")


def variant_page(con: duckdb.DuckDBPyConnection, chosen: Filters, params: dict[str, str]) -> dict[str, Any]:
    """One page of the filtered journeys' variants, sorted by an allow-listed column."""
    sort, direction = params.get("sort") or "rank", params.get("order") or ""
    if sort not in VARIANT_SORTS:
        raise ExploreInputError(f"sort: {sort!r} is not one of {', '.join(VARIANT_SORTS)}")
    if direction and direction not in DIRECTIONS:
        raise ExploreInputError(f"order: {direction!r} is not asc or desc")
    direction = direction or ("asc" if sort in ("rank", "variant", "steps") else "desc")
    page = whole_number(params.get("page"), "page", 1, range(1, 10**6))
    size = whole_number(params.get("size"), "size", 25, PAGE_SIZES)
    journeys = selected(con, chosen, None)
    total = con.execute(f"SELECT count(*) FROM ({sql_text('explore/selected_variants.sql')})").fetchone()[0]
    past_the_end(page, size, total)  # before the page is read
    order = f" ORDER BY {VARIANT_SORTS[sort]} {DIRECTIONS[direction]} NULLS LAST, variant_id"
    listed = rows(con, "explore/selected_variants.sql", suffix=order + " LIMIT $limit OFFSET $offset",
                  params={"limit": size, "offset": (page - 1) * size})
    return {"journeys": journeys, "variants_total": total, "page": page, "size": size, "sort": sort,
            "order": direction, "conformance": "variant_conformance" in relations(con), "variants": listed}


def journey_page(con: duckdb.DuckDBPyConnection, chosen: Filters, params: dict[str, str]) -> dict[str, Any]:
    """One page of the journeys a drill-down and the filters select, earliest first."""
    page = whole_number(params.get("page"), "page", 1, range(1, 10**6))
    size = whole_number(params.get("size"), "size", 25, PAGE_SIZES)
    journeys = selected(con, chosen, drill(params))
    past_the_end(page, size, journeys)
    listed = rows(con, "explore/selected_journey_page.sql", {"limit": size, "offset": (page - 1) * size})
    return {"journeys_total": journeys, "page": page, "size": size, "journeys": listed}


def journey_timeline(con: duckdb.DuckDBPyConnection, journey_id: str) -> dict[str, Any] | None:
    """One journey and its steps in order, anonymised; None when there is no such journey."""
    _with_stand_ins(con)
    summary = rows(con, "explore/journey_summary.sql", {"journey_id": journey_id})
    if not summary:
        return None
    return {"journey": summary[0], "steps": rows(con, "explore/journey_timeline.sql", {"journey_id": journey_id})}

