"""The analyst report as one offline HTML file per run, rendered from `report_context` by the package's Jinja2
template with autoescape on, so text from the data (product descriptions, activity and page names) can never
become markup."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from cxmining.pictures.process_map import duration_text
from cxmining.report.context import report_context
from cxmining.report.formatting import excerpt, figure, signed, when_text
from cxmining.store.outputs import written_whole

REPORT = "report.html"
TEMPLATE = "templates/report.html.j2"


def environment() -> jinja2.Environment:
    """The Jinja2 environment of the report: autoescape on for every template, strict about undefined names."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(figure=figure, signed=signed, when=when_text, duration=duration_text, excerpt=excerpt)
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
    written_whole(path, report_html(context))
    return path


def report_file(db: str | Path | duckdb.DuckDBPyConnection, out: Path, run_id: str | None = None) -> Path:
    """Write the report of the store's run `run_id` (None: its latest) as `report.html` into `out`; return its path."""
    return report_written(report_context(db, out, run_id), out)
