"""Everything the analyst report shows, read from the store: headline figures and their change since the last
run, conformance with the design, failure demand, what-if, competitors and trends over past runs.

Everything is read with the SQL of `sql/report/` (one query per file) and bound parameters. Personal data is never
selected: no caller numbers, notes, customer ids. Relations a run did not build (failure demand, run history) are
reported as not computed, not as errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from cxmining import __version__
from cxmining.compare.competitors import METRICS as BENCHMARK_METRICS
from cxmining.compare.competitors import OURS, comparison_rows, formatted
from cxmining.ingest.contact_noun import CALLS, ContactNoun, contact_noun
from cxmining.ingest.extras import declared_segments
from cxmining.pictures.outputs import PROCESS_MAP, SWIMLANE
from cxmining.pictures.process_map import duration_text, graphviz_missing
from cxmining.report.charts import bar_chart, line_chart, svg_data_uri
from cxmining.runs.history import (
    DriftThresholds,
    MetricChange,
    drifted,
    headline_metrics,
)
from cxmining.store import opened, relations, row_counts, sql_text, utc_now
from cxmining.store.night import store_of
from cxmining.store.span import event_span

TOP_ROWS = 15


ENABLE = {  # what a section that was not computed needs, in the analyst's words
    "conformance": "a designed model per journey type in the landing folder's models/models.yaml (docs/designed-models.md; "
                   "`cxmining sample` writes one), or `cxmining run --models FILE`, or `cxmining conformance MODEL.bpmn "
                   "--journey-type order` on this store.",
    "demand": "journeys with contacts, built by `cxmining run` from call, web and order logs (or `cxmining demand` on "
              "the store); an event log brought in with `import-log` has no contacts to classify.",
    "segments": "customer segments (age category, region, office...) declared in the mapping's `segments:` "
                "(docs/contract.md): each flagged when a cause or reason code concentrates in one of its values.",
    "whatif": "scenario files in the landing folder's scenarios/ (docs/whatif.md; `cxmining sample` writes three), or "
              "`cxmining run --scenarios FOLDER`, or `cxmining whatif SCENARIO.yaml` on this store.",
}


TOP_PRODUCTS = 10  # and every flagged one


DEMAND_TABLES = ("contact_demand", "failure_demand_causes", "failure_demand_products", "order_status_calls_by_day",
                 "routing_failure", "website_failure_contacts", "avoidable_calls")


DEVIATION_CLASSES = {"skipped step": "skipped", "unexpected step": "unexpected", "wrong order / repeated step": "reordered"}


# The report's queries live in sql/report/, one per file.
JOURNEY_EVENTS = "report/journey_event_span.sql"


CONFORMANCE, DEVIATIONS, DEVIATION_COUNT = "report/conformance.sql", "report/top_deviations.sql", "report/deviation_count.sql"


MODEL_DIFF, MODEL_DIFF_SHARED = "report/model_diff_differences.sql", "report/model_diff_shared.sql"


ORDER_JOURNEYS = "report/order_journeys.sql"


DEMAND = {"causes": "report/demand_causes.sql", "products": "report/demand_products.sql",
          "order_status": "report/demand_order_days.sql", "routing": "report/demand_routing.sql",
          "website": "report/demand_website.sql", "avoidable": "report/demand_avoidable.sql",
          "unknown_codes": "report/demand_unknown_codes.sql", "segments": "report/demand_segments.sql",
          "segment_summary": "report/demand_segment_summary.sql"}


DEMAND_SOURCE = {"causes": "failure_demand_causes", "products": "failure_demand_products",
                 "order_status": "order_status_calls_by_day", "routing": "routing_failure",
                 "website": "website_failure_contacts", "avoidable": "avoidable_calls",
                 "unknown_codes": "unknown_reason_codes", "segments": "failure_demand_segments",
                 "segment_summary": "failure_demand_segments"}


HISTORY, COMPLETED_HISTORY = "report/metric_history.sql", "report/completed_metric_history.sql"


RUN_FINISHED, LATEST_RUN = "report/run_finished.sql", "report/latest_run.sql"


WHATIF_VALIDATION, WHATIF_RESULTS = "report/whatif_validation.sql", "report/whatif_figures.sql"


FIX_FIRST_EXAMPLES = "report/fix_first_examples.sql"
FIX_FIRST, EXAMPLES, EXAMPLE_EVENTS = 5, 3, 30  # actions on top of the report; example journeys each, their first events


@dataclass(frozen=True)
class Metric:
    """One headline figure: `key` as in `run_metrics.metric`; `better` is +1 (up is good), -1 (down is good) or 0."""

    key: str
    label: str
    group: str
    kind: str  # count, share, score or rate: how it is formatted
    better: int
    value: float | None
    note: str = ""


def _query(con: duckdb.DuckDBPyConnection, relative: str, params: dict[str, Any] | None = None) -> duckdb.DuckDBPyConnection:
    """Run one of the report's queries (sql/report/) with its bound parameters."""
    return con.execute(sql_text(relative), params or {})


def records(con: duckdb.DuckDBPyConnection, relative: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows of one of the report's queries as dicts by column name."""
    found = _query(con, relative, params)
    names = [d[0] for d in found.description]
    return [dict(zip(names, row, strict=True)) for row in found.fetchall()]


def headline_figures(con: duckdb.DuckDBPyConnection, present: set[str], noun: ContactNoun = CALLS) -> list[Metric]:
    """The run's headline figures, valued as the run history records them (`runs.headline_metrics`), in report order;
    the contacts called by `noun`."""
    values = headline_metrics(con)
    if "journeys" in present:
        values["order_journeys"] = float(_query(con, ORDER_JOURNEYS).fetchone()[0])
    demand = "" if "contact_demand" in present else "not computed in this run"
    found = [
        Metric("journeys", "Journeys", "Volume", "count", 0, values.get("journeys")),
        Metric("events", "Events", "Volume", "count", 0, values.get("events")),
    ]
    if "raw_orders" not in present or row_counts(con, ["raw_orders"])["raw_orders"]:  # no orders delivered: no card
        found.append(Metric("order_journeys", "Order journeys", "Volume", "count", 0, values.get("order_journeys")))
    for key in sorted(k for k in values if k.startswith("fitness:")):
        scope = key.split(":", 1)[1]
        found.append(Metric(key, f"Fitness · {scope}", "Conformance with the design", "score", 1, values[key]))
        found.append(Metric(f"fitting_share:{scope}", f"Journeys fitting · {scope}", "Conformance with the design",
                            "share", 1, values.get(f"fitting_share:{scope}")))
    found += [
        Metric("failure_demand_journey_share", "Journeys with failure demand", "Failure demand", "share", -1,
               values.get("failure_demand_journey_share"), demand),
        Metric("failure_demand_calls", f"Failure-demand {noun.plural}, whole period", "Failure demand", "count", -1,
               values.get("failure_demand_calls"), demand),
        Metric("avoidable_calls_per_month", f"Avoidable {noun.plural} per month", "Failure demand", "rate", -1,
               values.get("avoidable_calls_per_month"), demand),
    ]
    return found


def headline_groups(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Headline items ({metric, change}) by the metric's group, groups in first-seen order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault(item["metric"].group, []).append(item)
    return [{"name": name, "items": members} for name, members in groups.items()]


def period(con: duckdb.DuckDBPyConnection, present: set[str]) -> tuple[datetime | None, datetime | None]:
    """First and last event of the store (UTC)."""
    if "events" in present and (span := event_span(con)).events:
        return span.first, span.last
    if "journey_events" in present:
        count, first, last = _query(con, JOURNEY_EVENTS).fetchone()
        if count:
            return first, last
    return None, None


def conformance_section(con: duckdb.DuckDBPyConnection, present: set[str], out: Path) -> dict[str, Any] | None:
    """Conformance summary, the deviation maps, the top deviations and the design-vs-reality diff; None if not run."""
    if "conformance_summary" not in present:
        return None
    summaries = records(con, CONFORMANCE)
    for row in summaries:
        row["deviation_map"] = svg_data_uri(out / f"deviation_map_{row['journey_type']}.svg")
    deviations = []
    if "deviations" in present:
        for row in records(con, DEVIATIONS, {"top": TOP_ROWS}):
            row["css"] = DEVIATION_CLASSES.get(row["deviation_type"], "other")
            row["extra"] = None if row["extra_seconds"] is None else (
                ("+" if row["extra_seconds"] >= 0 else "−") + duration_text(abs(row["extra_seconds"])))
            row["products"] = ", ".join(f"{p['product_id']} ({p['journeys']})" for p in row["top_products"] or [])
            deviations.append(row)
    diff = None
    if "model_diff" in present:
        rows = records(con, MODEL_DIFF)
        diff = {
            "activities_reality": [r for r in rows if r["kind"] == "activity" and not r["in_design"]],
            "activities_design": [r for r in rows if r["kind"] == "activity" and r["in_design"]],
            "transitions_reality": [r for r in rows if r["kind"] == "transition" and not r["in_design"]],
            "transitions_design": [r for r in rows if r["kind"] == "transition" and r["in_design"]],
            "shared": dict(_query(con, MODEL_DIFF_SHARED).fetchall()),
        }
    total = _query(con, DEVIATION_COUNT).fetchone()[0] if "deviations" in present else 0
    return {"summaries": summaries, "deviations": deviations, "deviation_kinds": total, "diff": diff}


def demand_section(con: duckdb.DuckDBPyConnection, present: set[str]) -> dict[str, Any]:
    """The failure-demand tables that exist, by part (causes, products, ...); a part is None when not computed."""
    parts: dict[str, Any] = {
        part: records(con, sql) if DEMAND_SOURCE[part] in present else None for part, sql in DEMAND.items()
    }
    if parts["products"] is not None:
        parts["products_flagged"] = sum(1 for p in parts["products"] if p["flagged"])
        parts["products_total"] = len(parts["products"])
        parts["products"] = [p for i, p in enumerate(parts["products"]) if p["flagged"] or i < TOP_PRODUCTS]
    if parts["order_status"]:
        parts["order_status_chart"] = bar_chart(parts["order_status"])
    return parts


def fix_first(con: duckdb.DuckDBPyConnection, present: set[str], avoidable: list[dict[str, Any]] | None
              ) -> dict[str, Any] | None:
    """The actions that open the report: the flagged targets with the most avoidable calls per month, each with its
    evidence and a few example journeys (numbered, no ids); None when failure demand was not computed."""
    if avoidable is None:
        return None
    actions = [dict(row) for row in avoidable[:FIX_FIRST]]
    examples: dict[str, dict[int, dict[str, Any]]] = {}
    if actions and {"contact_targets", "journeys", "journey_events"} <= present:
        for row in records(con, FIX_FIRST_EXAMPLES, {"per_target": EXAMPLES, "max_events": EXAMPLE_EVENTS}):
            journey = examples.setdefault(row["target"], {}).setdefault(row["example"], {
                "journey_type": row["journey_type"], "events": row["journey_events"], "steps": []})
            journey["steps"].append({"activity": row["activity"], "channel": row["channel"], "ts": row["ts"],
                                     "counted": row["counted"], "order": row["event_order"]})
    for action in actions:
        action["examples"] = list(examples.get(action["target"], {}).values())
    return {"actions": actions, "more": max(len(avoidable) - FIX_FIRST, 0),
            "total_per_month": sum(a["calls_per_month"] or 0 for a in avoidable)}


CALL_COVERAGE = "report/call_coverage.sql"
SOURCES = ("raw_calls", "raw_web", "raw_orders", "raw_products", "raw_customers")


def data_support(con: duckdb.DuckDBPyConnection, present: set[str], noun: ContactNoun = CALLS
                 ) -> dict[str, list[dict[str, str]]]:
    """Which analyses the store's data supports and which it cannot, each with why, in the analyst's words: a source
    not delivered, calls without end times, no designed model, an imported log rather than a landing folder; the
    calls source's contacts called by `noun`."""
    rows = row_counts(con, [t for t in SOURCES if t in present])
    calls, web, orders, products = (rows.get(t, 0) for t in ("raw_calls", "raw_web", "raw_orders", "raw_products"))
    coverage = records(con, CALL_COVERAGE)[0] if calls else {}
    imported = "imported_events" in present and not rows
    words = noun.words()
    many, none = words["many"], f"no {words['many']} delivered"
    sections = {  # the analyses whose report sections say why they are empty when the data lacks them
        "products": (
            f"Products whose descriptions make customers {words['verb']}", products > 0 and (orders > 0 or web > 0),
            "no product catalogue" if not products else f"needs orders or product page views to attribute {many}"
            if not (orders or web) else f"{many} attributed to products through orders and page views"),
        "order_days": (
            f"Where-is-my-order {many} by order day (late shipping)", orders > 0 and calls > 0,
            f"orders and {many} delivered" if orders and calls else f"needs both orders and {many}"),
        "website": (
            f"Website trouble followed by a {words['one']}", web > 0 and calls > 0,
            f"web sessions and {many} delivered" if web and calls else f"needs both web sessions and {many}"),
    }
    checks = [  # (analysis, supported, why it is or is not)
        ("Customer journeys, variants, process map", "journeys" in present or "case_durations" in present,
         "from an imported event log" if imported else "from every delivered source"),
        ("Identities stitched across channels", len(channels := [c for c, n in ((many, calls), ("web", web),
                                                                                  ("orders", orders)) if n]) >= 2,
         f"{', '.join(channels) or f'none of {many}, web, orders'} delivered"),
        ("Conformance with the designed process", "conformance_summary" in present,
         "a designed model was checked" if "conformance_summary" in present else "no designed model (models/models.yaml)"),
        (f"Failure demand of {many}: causes and repeat contacts", calls > 0,
         f"{calls:,} {many}" if calls else none),
        (f"{words['Hours']} and handling times", bool(coverage.get("with_end")),
         f"{coverage['with_end']:,} of {calls:,} {many} have an end time" if calls else none),
        ("Routing failure per IVR path", bool(coverage.get("with_ivr_path")),
         f"{coverage['with_ivr_path']:,} {many} with an IVR path" if calls else none),
        *sections.values(),
        ("What-if simulation of other regimes", {"whatif_results", "whatif_validation"} <= present,
         "scenarios simulated" if {"whatif_results", "whatif_validation"} <= present
         else f"no {many} to calibrate on" if not calls else "no scenarios (scenarios/)"),
        ("Failure demand per customer segment", bool(segments := declared_segments(con)),
         f"segments {', '.join(segments)}" if segments else "no segments declared in the mapping (segments:)"),
    ]
    lacking = {section: why for section, (_, ok, why) in sections.items() if not ok}
    return {"supported": [{"analysis": a, "why": w} for a, ok, w in checks if ok],
            "unsupported": [{"analysis": a, "why": w} for a, ok, w in checks if not ok],
            "lacking": lacking}


WHATIF_FIGURES = ("calls", "product-information calls about rewritten products", "transfers", "repeat calls",
                  "abandoned calls", "mean waiting seconds", "agent hours", "cost", "journeys completed")


MONTH_DAYS = 30.4375  # the report's month, as failure demand's
NOT_PER_MONTH = ("mean waiting seconds", "p90 waiting seconds", "mean handling seconds")  # means, not counts
PER_MONTH = {"validation": ("observed", "simulated", "simulated_low", "simulated_high", "tolerance"),
             "results": ("today", "today_low", "today_high", "scenario_value", "scenario_low", "scenario_high",
                         "change", "change_low", "change_high")}


def per_month(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """What-if rows with their counts (not their means) per month of the simulated period (`days`), as failure
    demand's are; a row without a known period keeps its figures over the period and says so (`per_month` False)."""
    for row in rows:
        row.setdefault("currency", None)  # columns a store simulated by an older version lacks
        days = row.setdefault("days", None)
        row["per_month"] = bool(days) or row["figure"] in NOT_PER_MONTH
        if days and row["figure"] not in NOT_PER_MONTH:
            for column in columns:
                if row[column] is not None:
                    row[column] = row[column] * MONTH_DAYS / days
    return rows


def whatif_section(con: duckdb.DuckDBPyConnection, present: set[str]) -> dict[str, Any] | None:
    """The check of today's regime and each scenario's key figures against it, counts per month; None when never
    simulated."""
    if not {"whatif_results", "whatif_validation"} <= present:
        return None
    validation = per_month(records(con, WHATIF_VALIDATION), PER_MONTH["validation"])
    rows = per_month(records(con, WHATIF_RESULTS, {"figures": list(WHATIF_FIGURES)}), PER_MONTH["results"])
    scenarios: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        scenarios.setdefault(row["scenario"], []).append(row)
    return {"validation": validation, "within": sum(bool(v["within"]) for v in validation),
            "checked": sum(v["within"] is not None for v in validation),
            "scenarios": [{"name": name, "rows": figures} for name, figures in scenarios.items()]}


def benchmark_section(con: duckdb.DuckDBPyConnection, present: set[str]) -> dict[str, Any] | None:
    """Our order journeys' KPIs next to each benchmark company's; None when no benchmark was imported."""
    if not {"benchmark_kpis", "benchmark_events"} & present or "journeys" not in present:
        return None
    imported = sum(row_counts(con, [t for t in ("benchmark_kpis", "benchmark_events") if t in present]).values())
    if not imported:
        return None
    rows = comparison_rows(con)
    companies = [c for c in rows["company"].unique(maintain_order=True) if c != OURS]
    cells = {(r["metric"], r["company"]): r for r in rows.iter_rows(named=True)}
    table = []
    for m in BENCHMARK_METRICS:
        values = []
        for company in [OURS, *companies]:
            r = cells.get((m.name, company))
            value = None if r is None else r["value"]
            values.append({"text": formatted(value, m.unit), "n": None if r is None else r["n"],
                           "diff": None if r is None or company == OURS or r["difference"] is None
                           else formatted(r["difference"], m.unit, signed=True)})
        table.append({"label": m.label, "unit": m.unit, "values": values})
    sources = (rows.filter(pl.col("value").is_not_null() & (pl.col("company") != OURS))
               .select("company", "basis", "source", "period").unique(maintain_order=True).to_dicts())
    return {"companies": companies, "rows": table, "sources": sources}


def history(con: duckdb.DuckDBPyConnection, present: set[str], run_id: str | None) -> dict[str, Any]:
    """The run this report is of, the one before it, and every past run's metrics, from `runs`/`run_metrics`."""
    now = utc_now()
    if "run_metrics" not in present:
        return {"recorded": False, "run_id": run_id, "finished_at": now, "previous": None, "past": []}
    if run_id is None:  # the report of the store as it is: of its latest recorded run
        latest = _query(con, LATEST_RUN).fetchone()
        run_id, finished = latest if latest else (None, None)
    else:
        finished = _query(con, RUN_FINISHED, {"run_id": run_id}).fetchone()[0] if "runs" in present else None
    finished = finished or now
    past: dict[str, dict[str, Any]] = {}
    for rid, at, metric, value in _query(con, COMPLETED_HISTORY if "runs" in present else HISTORY).fetchall():
        if rid != run_id and at <= finished:
            past.setdefault(rid, {"run_id": rid, "finished_at": at, "metrics": {}})["metrics"][metric] = value
    runs = sorted(past.values(), key=lambda r: r["finished_at"])
    return {"recorded": True, "run_id": run_id, "finished_at": finished, "previous": runs[-1] if runs else None,
            "past": runs}


def change(metric: Metric, previous: dict[str, Any] | None) -> dict[str, Any] | None:
    """How `metric` moved since the previous run: delta, its text and whether that is good, bad or neutral."""
    if previous is None or metric.value is None or previous["metrics"].get(metric.key) is None:
        return None
    before = previous["metrics"][metric.key]
    delta = metric.value - before
    # the smallest change the text shows: anything below it reads as no change
    shown, text = {
        "share": (0.0005, f"{100 * delta:+.1f} pts"),
        "score": (0.0005, f"{delta:+.3f}"),
        "rate": (0.05, f"{delta:+,.1f}"),
    }.get(metric.kind, (0.5, f"{delta:+,.0f}"))
    if abs(delta) < shown:
        return {"delta": delta, "text": "no change", "tone": "neutral", "arrow": "="}
    if metric.kind in ("count", "rate") and before:
        text += f" ({100 * delta / abs(before):+.1f}%)"
    tone = "neutral" if metric.better == 0 else ("good" if delta * metric.better > 0 else "bad")
    return {"delta": delta, "text": text.replace("-", "−"), "tone": tone, "arrow": "▲" if delta > 0 else "▼"}


def trends(metrics: list[Metric], runs: dict[str, Any]) -> list[dict[str, Any]]:
    """One small line chart per headline figure over the past runs and this one (figures with ≥ 2 values)."""
    charts = []
    for metric in metrics:
        points = [(r["finished_at"], r["metrics"][metric.key]) for r in runs["past"] if r["metrics"].get(metric.key) is not None]
        if metric.value is not None:
            points.append((runs["finished_at"], metric.value))
        if len(points) >= 2:
            charts.append({"metric": metric, "chart": line_chart([v for _, v in points], [t for t, _ in points])})
    return charts


def drift(metrics: list[Metric], previous: dict[str, Any] | None, thresholds: DriftThresholds) -> list[str]:
    """The headline figures that moved beyond the drift thresholds since the previous completed run, as messages."""
    if previous is None:
        return []
    changes = [MetricChange(m.key, m.value, previous["metrics"].get(m.key), previous["run_id"])
               for m in metrics if m.value is not None]
    return [flag.message for flag in drifted(changes, thresholds)]


def report_context(db: str | Path | duckdb.DuckDBPyConnection, out: Path, run_id: str | None = None,
                   thresholds: DriftThresholds | None = None) -> dict[str, Any]:
    """Every figure, table and picture of the report of run `run_id` (None: the store's latest run), read-only.

    Headline figures that moved beyond `thresholds` since the previous completed run are listed under `drift`.
    """
    out = Path(out)
    with opened(db, read_only=True) as con:
        present = relations(con)
        noun = contact_noun(con)
        metrics = headline_figures(con, present, noun)
        runs = history(con, present, run_id)
        items = [{"metric": m, "change": change(m, runs["previous"])} for m in metrics]
        first, last = period(con, present)
        demand = demand_section(con, present)
        context = {
            "fix_first": fix_first(con, present, demand["avoidable"]),
            "enable": ENABLE,
            "month_days": MONTH_DAYS,
            "noun": noun.words(),  # what the contacts are called: calls, complaints, e-mails
            "support": data_support(con, present, noun),
            "metrics": items,
            "headlines": headline_groups(items),
            "runs": runs,
            "trends": trends(metrics, runs),
            "drift": drift(metrics, runs["previous"], thresholds or DriftThresholds()),
            "period": {"first": first, "last": last},
            "pictures": {"process_map": svg_data_uri(out / PROCESS_MAP), "swimlane": svg_data_uri(out / SWIMLANE)},
            "not_drawn": graphviz_missing(),  # why the pictures are missing, when that is why
            "conformance": conformance_section(con, present, out),
            "demand": demand,
            "demand_built": sorted(t for t in DEMAND_TABLES if t in present),
            "whatif": whatif_section(con, present),
            "benchmark": benchmark_section(con, present),
        }
    context["footer"] = {"run_id": runs["run_id"], "finished_at": runs["finished_at"],
                         "generated_at": utc_now(),
                         "store": str(store_of(db)) if not isinstance(db, duckdb.DuckDBPyConnection) else "(open connection)",
                         "out": str(out), "version": __version__}
    return context
