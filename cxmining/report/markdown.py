"""The run's headline figures and top deviations for Prefect artifacts (Markdown and table rows)."""

from __future__ import annotations

from typing import Any

from cxmining.report.formatting import figure


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
