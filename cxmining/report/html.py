"""The analyst report: one offline HTML file per run with the headline figures and their change since the last
run, the process pictures, conformance with the design, failure demand and trends over past runs.

Everything is read from the store with SQL and from the pictures in the run's output folder, then rendered by
the package's Jinja2 template with autoescape on, so text from the data (product descriptions, activity and
page names) can never become markup. Personal data is never selected: no caller numbers, notes, customer ids.
Relations a run did not build (failure demand, run history) are reported as not computed, not as errors.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import duckdb
import jinja2
import polars as pl

from cxmining import __version__
from cxmining.mining.outputs import PROCESS_MAP, SWIMLANE
from cxmining.compare.competitors import METRICS as BENCHMARK_METRICS
from cxmining.compare.competitors import OURS, comparison_rows, formatted
from cxmining.report.process_map import duration_text
from cxmining.runs.history import DriftThresholds, MetricChange, drifted, headline_metrics
from cxmining.store import opened, relations, row_counts, sql_text, utc_now

REPORT = "report.html"
TEMPLATE = "templates/report.html.j2"
TOP_ROWS = 15
TOP_PRODUCTS = 10  # and every flagged one
DEMAND_TABLES = ("contact_demand", "failure_demand_causes", "failure_demand_products", "order_status_calls_by_day",
                 "routing_failure", "website_failure_contacts", "avoidable_calls")
DEVIATION_CLASSES = {"skipped step": "skipped", "unexpected step": "unexpected", "wrong order / repeated step": "reordered"}

# The report's queries live in sql/report/, one per file.
EVENTS, JOURNEY_EVENTS = "report/event_span.sql", "report/journey_event_span.sql"
CONFORMANCE, DEVIATIONS, DEVIATION_COUNT = "report/conformance.sql", "report/top_deviations.sql", "report/deviation_count.sql"
MODEL_DIFF, MODEL_DIFF_SHARED = "report/model_diff_differences.sql", "report/model_diff_shared.sql"
ORDER_JOURNEYS = "report/order_journeys.sql"
DEMAND = {part: f"report/demand_{name}.sql" for part, name in (
    ("causes", "causes"), ("products", "products"), ("order_status", "order_days"), ("routing", "routing"),
    ("website", "website"), ("avoidable", "avoidable"))}
DEMAND_SOURCE = {"causes": "failure_demand_causes", "products": "failure_demand_products",
                 "order_status": "order_status_calls_by_day", "routing": "routing_failure",
                 "website": "website_failure_contacts", "avoidable": "avoidable_calls"}
HISTORY, COMPLETED_HISTORY = "report/metric_history.sql", "report/completed_metric_history.sql"
RUN_FINISHED, LATEST_RUN = "report/run_finished.sql", "report/latest_run.sql"
WHATIF_VALIDATION, WHATIF_RESULTS = "report/whatif_validation.sql", "report/whatif_figures.sql"


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


def _records(con: duckdb.DuckDBPyConnection, relative: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    found = _query(con, relative, params)
    names = [d[0] for d in found.description]
    return [dict(zip(names, row, strict=True)) for row in found.fetchall()]


def headline_figures(con: duckdb.DuckDBPyConnection, present: set[str]) -> list[Metric]:
    """The run's headline figures, valued as the run history records them (`runs.headline_metrics`), in report order."""
    values = headline_metrics(con)
    if "journeys" in present:
        values["order_journeys"] = float(_query(con, ORDER_JOURNEYS).fetchone()[0])
    demand = "" if "contact_demand" in present else "not computed in this run"
    found = [
        Metric("journeys", "Journeys", "Volume", "count", 0, values.get("journeys")),
        Metric("events", "Events", "Volume", "count", 0, values.get("events")),
        Metric("order_journeys", "Order journeys", "Volume", "count", 0, values.get("order_journeys")),
    ]
    for key in sorted(k for k in values if k.startswith("fitness:")):
        scope = key.split(":", 1)[1]
        found.append(Metric(key, f"Fitness · {scope}", "Conformance with the design", "score", 1, values[key]))
        found.append(Metric(f"fitting_share:{scope}", f"Journeys fitting · {scope}", "Conformance with the design",
                            "share", 1, values.get(f"fitting_share:{scope}")))
    found += [
        Metric("failure_demand_journey_share", "Journeys with failure demand", "Failure demand", "share", -1,
               values.get("failure_demand_journey_share"), demand),
        Metric("failure_demand_calls", "Failure-demand calls", "Failure demand", "count", -1,
               values.get("failure_demand_calls"), demand),
        Metric("avoidable_calls_per_month", "Avoidable calls per month", "Failure demand", "rate", -1,
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
    for name, sql in (("events", EVENTS), ("journey_events", JOURNEY_EVENTS)):
        if name in present:
            count, first, last = _query(con, sql).fetchone()
            if count:
                return first, last
    return None, None


def conformance_section(con: duckdb.DuckDBPyConnection, present: set[str], out: Path) -> dict[str, Any] | None:
    """Conformance summary, the deviation maps, the top deviations and the design-vs-reality diff; None if not run."""
    if "conformance_summary" not in present:
        return None
    summaries = _records(con, CONFORMANCE)
    for row in summaries:
        row["deviation_map"] = svg_data_uri(out / f"deviation_map_{row['journey_type']}.svg")
    deviations = []
    if "deviations" in present:
        for row in _records(con, DEVIATIONS, {"top": TOP_ROWS}):
            row["css"] = DEVIATION_CLASSES.get(row["deviation_type"], "other")
            row["extra"] = None if row["extra_seconds"] is None else (
                ("+" if row["extra_seconds"] >= 0 else "−") + duration_text(abs(row["extra_seconds"])))
            row["products"] = ", ".join(f"{p['product_id']} ({p['journeys']})" for p in row["top_products"] or [])
            deviations.append(row)
    diff = None
    if "model_diff" in present:
        rows = _records(con, MODEL_DIFF)
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
        part: _records(con, sql) if DEMAND_SOURCE[part] in present else None for part, sql in DEMAND.items()
    }
    if parts["products"] is not None:
        parts["products_flagged"] = sum(1 for p in parts["products"] if p["flagged"])
        parts["products_total"] = len(parts["products"])
        parts["products"] = [p for i, p in enumerate(parts["products"]) if p["flagged"] or i < TOP_PRODUCTS]
    if parts["order_status"]:
        parts["order_status_chart"] = bar_chart(parts["order_status"])
    return parts


WHATIF_FIGURES = ("calls", "product-information calls about rewritten products", "transfers", "repeat calls",
                  "abandoned calls", "mean waiting seconds", "agent hours", "cost", "journeys completed")


def whatif_section(con: duckdb.DuckDBPyConnection, present: set[str]) -> dict[str, Any] | None:
    """The check of today's regime and each scenario's key figures against it; None when never simulated."""
    if not {"whatif_results", "whatif_validation"} <= present:
        return None
    validation = _records(con, WHATIF_VALIDATION)
    rows = _records(con, WHATIF_RESULTS, {"figures": list(WHATIF_FIGURES)})
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


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (axis maximum)."""
    if value <= 0:
        return 1.0
    scale = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1.0
    while scale > value:
        scale /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * scale >= value:
            return step * scale
    return 10 * scale


def line_chart(values: list[float], times: list[datetime], width: int = 260, height: int = 70) -> dict[str, Any]:
    """Geometry of a small line chart: one point per run, evenly spaced, y scaled between the extremes."""
    unit = "day" if times[0].date() != times[-1].date() else "time"  # runs of one day: tell them apart by time
    low, high = min(values), max(values)
    if high == low:
        low, high = low - (abs(low) * 0.1 or 1), high + (abs(high) * 0.1 or 1)
    left, right, top, bottom = 4, width - 4, 8, height - 8
    step = (right - left) / (len(values) - 1)
    xy = [(left + i * step, bottom - (v - low) / (high - low) * (bottom - top)) for i, v in enumerate(values)]
    return {"width": width, "height": height, "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in xy),
            "dots": [{"x": round(x, 1), "y": round(y, 1), "value": v, "at": t} for (x, y), v, t in zip(xy, values, times, strict=True)],
            "first": _when(times[0], unit), "last": _when(times[-1], unit), "min": min(values), "max": max(values)}


def bar_chart(days: list[dict[str, Any]], width: int = 1080, height: int = 190) -> dict[str, Any]:
    """Geometry of the order-status calls per order day: bars (flagged days marked) and the expected line."""
    left, right, top, bottom = 40, width - 10, 12, height - 26
    top_value = _nice_ceiling(max([d["order_status_calls"] or 0 for d in days] + [d["expected_calls"] or 0 for d in days]))
    slot = (right - left) / len(days)
    label_every = max(1, round(len(days) / 10))

    def y(value: float | None) -> float:
        return bottom - (value or 0) / top_value * (bottom - top)

    bars = [{"x": round(left + i * slot + slot * 0.12, 1), "y": round(y(d["order_status_calls"]), 1),
             "w": round(slot * 0.76, 1), "h": round(bottom - y(d["order_status_calls"]), 1),
             "cx": round(left + (i + 0.5) * slot, 1), "label": i % label_every == 0, **d} for i, d in enumerate(days)]
    expected = " ".join(f"{b['cx']},{y(b['expected_calls']):.1f}" for b in bars if b["expected_calls"] is not None)
    ticks = [{"value": top_value * f, "y": round(y(top_value * f), 1)} for f in (0, 0.5, 1)]
    return {"width": width, "height": height, "left": left, "right": right, "bottom": bottom, "bars": bars,
            "expected": expected, "ticks": ticks}


SVG_NS, XLINK_NS = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"
UNSAFE_ELEMENTS = {f"{{{SVG_NS}}}script", f"{{{SVG_NS}}}foreignObject", "script", "foreignObject"}


def safe_svg(text: str) -> bytes:
    """The SVG without scripts, foreign objects, event handlers or links to anything outside the picture."""
    ElementTree.register_namespace("", SVG_NS)
    ElementTree.register_namespace("xlink", XLINK_NS)
    root = ElementTree.fromstring(text)
    for parent in root.iter():
        for child in [c for c in parent if c.tag in UNSAFE_ELEMENTS]:
            parent.remove(child)
        for name in list(parent.attrib):
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or (local == "href" and not parent.attrib[name].startswith("#")):
                del parent.attrib[name]
    return ElementTree.tostring(root, encoding="utf-8")


def svg_data_uri(path: Path) -> str | None:
    """The picture at `path` as a sanitised `data:image/svg+xml;base64,...` URI, or None if the run did not draw it."""
    if not path.is_file():
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(safe_svg(path.read_text(encoding="utf-8"))).decode("ascii")


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
        metrics = headline_figures(con, present)
        runs = history(con, present, run_id)
        items = [{"metric": m, "change": change(m, runs["previous"])} for m in metrics]
        first, last = period(con, present)
        context = {
            "metrics": items,
            "headlines": headline_groups(items),
            "runs": runs,
            "trends": trends(metrics, runs),
            "drift": drift(metrics, runs["previous"], thresholds or DriftThresholds()),
            "period": {"first": first, "last": last},
            "pictures": {"process_map": svg_data_uri(out / PROCESS_MAP), "swimlane": svg_data_uri(out / SWIMLANE)},
            "conformance": conformance_section(con, present, out),
            "demand": demand_section(con, present),
            "demand_built": sorted(t for t in DEMAND_TABLES if t in present),
            "whatif": whatif_section(con, present),
            "benchmark": benchmark_section(con, present),
        }
    context["footer"] = {"run_id": runs["run_id"], "finished_at": runs["finished_at"],
                         "generated_at": utc_now(),
                         "store": str(db) if not isinstance(db, duckdb.DuckDBPyConnection) else "(open connection)",
                         "out": str(out), "version": __version__}
    return context


def figure(value: float | None, kind: str = "count") -> str:
    """A number as the report shows it: `1,234`, `12.3%`, `0.912`, `41.5`; `–` when missing."""
    if value is None:
        return "–"
    if kind == "share":
        return f"{100 * value:.1f}%"
    if kind == "score":
        return f"{value:.3f}"
    if kind == "rate":
        return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
    if kind == "p":
        return "< 0.001" if value < 0.001 else f"{value:.3f}"
    return f"{value:,.0f}"


WHEN = {"day": "%Y-%m-%d", "minute": "%Y-%m-%d %H:%M UTC", "time": "%H:%M"}


def _when(value: datetime | None, unit: str = "minute") -> str:
    """A UTC time as the report shows it: to the day, to the minute, or the time of day only."""
    return "–" if value is None else value.strftime(WHEN[unit])


def _excerpt(text: str | None, limit: int = 180) -> str:
    """The start of a text on one line, cut at `limit` characters (escaping is the template's job)."""
    if not text:
        return ""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def environment() -> jinja2.Environment:
    """The Jinja2 environment of the report: autoescape on for every template, strict about undefined names."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(figure=figure, when=_when, duration=duration_text, excerpt=_excerpt)
    return env


def report_html(context: dict[str, Any]) -> str:
    """The report as one self-contained HTML page (inline CSS and pictures; no scripts, no external links)."""
    template = (resources.files("cxmining.report") / TEMPLATE).read_text(encoding="utf-8")
    return environment().from_string(template).render(**context)


def report_written(context: dict[str, Any], out: Path) -> Path:
    """Render `context` and write it as `report.html` into the run's output folder `out`; return its path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / REPORT
    path.write_text(report_html(context), encoding="utf-8")
    return path


def report_file(db: str | Path | duckdb.DuckDBPyConnection, out: Path, run_id: str | None = None) -> Path:
    """Write the report of the store's run `run_id` (None: its latest) as `report.html` into `out`; return its path."""
    return report_written(report_context(db, out, run_id), out)


def _md(text: object) -> str:
    """Text safe in a Markdown table cell (no markup, no column breaks)."""
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
            .replace("\n", " ").replace("[", "\\[").replace("]", "\\]"))


def report_markdown(context: dict[str, Any]) -> str:
    """The headline figures, their change and the top deviations as Markdown (a Prefect artifact)."""
    lines = ["# cxmining run " + _md(context["footer"]["run_id"] or ""), "",
             "| figure | value | since last run |", "|---|---:|---:|"]
    for item in context["metrics"]:
        metric, moved = item["metric"], item["change"]
        value = figure(metric.value, metric.kind) if metric.value is not None else (metric.note or "–")
        lines.append(f"| {_md(metric.label)} | {_md(value)} | {_md(moved['text']) if moved else ''} |")
    if context.get("drift"):
        lines += ["", "## Drift since the previous run", ""] + [f"- {_md(message)}" for message in context["drift"]]
    top = deviation_rows(context)[:5]
    if top:
        lines += ["", "## Top deviations from the design", "", "| deviation | step | journeys | share |", "|---|---|---:|---:|"]
    for row in top:
        lines.append(f"| {_md(row['deviation'])} | {_md(row['step'])} | {row['journeys']} | {_md(row['share'])} |")
    return "\n".join(lines) + "\n"


def deviation_rows(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The top deviations as plain rows (a Prefect table artifact)."""
    conformance = context["conformance"] or {"deviations": []}
    return [{"deviation": d["deviation_type"], "step": d["activity"], "after": d["after_step"] or "(start)",
             "before": d["before_step"] or "(end)", "journeys": d["journeys"], "share": figure(d["share"], "share"),
             "extra_time": d["extra"] or "", "top_products": d["products"]}
            for d in conformance["deviations"]]
