"""The designed model drawn by Graphviz `dot` with the deviations of the last conformance run laid over it.

Designed tasks carry how many journeys skip them (red) or do them again / out of order (purple); steps the
design does not expect are extra dashed orange boxes between the designed steps around them. Only the
`top` deviations by journeys are drawn; the caption says what was left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from html import escape
from pathlib import Path

import duckdb

from cxmining.conformance.designed import DesignedModel
from cxmining.errors import StoreError
from cxmining.mining import pm4py_bridge as pm
from cxmining.pictures.process_map import FONT, svg_from_dot, written
from cxmining.store import opened, require

SKIPPED, UNEXPECTED, REORDERED = "skipped step", "unexpected step", "wrong order / repeated step"
RED, ORANGE, PURPLE, GREY = "#c62828", "#ef6c00", "#6a1b9a", "#5f6b7a"
DEVIATIONS = """
SELECT deviation_id, deviation_type, activity, after_step, before_step, journeys, share
FROM deviations ORDER BY deviation_id
"""
SUMMARY = "SELECT model_hash, journey_type, journeys, fitness, fitting_share, precision FROM conformance_summary"


@dataclass(frozen=True)
class Deviation:
    """One row of `deviations`, as far as the map needs it; `after`/`before` None: journey start/end."""

    deviation_id: int
    deviation_type: str
    activity: str
    after: str | None
    before: str | None
    journeys: int
    share: float


@dataclass(frozen=True)
class Overlay:
    """What the map draws over the design: the top deviations, the run's figures and what was left out."""

    shown: tuple[Deviation, ...]
    hidden: int  # deviation kinds not drawn
    hidden_max_journeys: int  # journeys of the largest one of them
    journey_type: str | None
    journeys: int
    fitness: float | None
    fitting_share: float | None
    precision: float | None


def overlay(db: str | Path | duckdb.DuckDBPyConnection, model: DesignedModel, top: int = 12) -> Overlay:
    """The top deviations and the summary of the store's last conformance run, which must be of `model`."""
    with opened(db) as con:
        require(con, ("deviations", "conformance_summary"), "run model_conformance with this model first")
        summary = con.execute(SUMMARY).fetchone()
        if summary is None or summary[0] != model.sha256:
            raise StoreError(f"the store's last conformance run is not of model {model.name!r}; "
                             "run model_conformance with this model first")
        found = [Deviation(*row) for row in con.execute(DEVIATIONS).fetchall()]
    rest = found[top:]
    return Overlay(tuple(found[:top]), len(rest), max((d.journeys for d in rest), default=0), *summary[1:])


def _html(text: str) -> str:
    """Text escaped for a Graphviz HTML-like label (dot escapes it again when writing SVG)."""
    return escape(text, quote=True)


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{100 * share:.0f}%"


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def deviation_map_dot(model: DesignedModel, drawn: Overlay) -> str:
    """Graphviz DOT source of the design with the deviations overlaid; node ids are generated from BPMN ids."""
    nodes, flows = pm.bpmn_graph(model.bpmn)
    ids = {node_id: f"n{i}" for i, (node_id, _, _) in enumerate(nodes)}
    task_of = {}
    for node_id, kind, name in nodes:  # a label used by several tasks is drawn on the first (by id)
        if kind == "task" and name:
            task_of.setdefault(name, ids[node_id])
    marks: dict[str, list[tuple[str, Deviation]]] = defaultdict(list)
    for d in drawn.shown:
        if d.deviation_type != UNEXPECTED and d.activity in task_of:
            marks[d.activity].append((RED if d.deviation_type == SKIPPED else PURPLE, d))
    lines = [
        "digraph deviation_map {",
        (f'  graph [rankdir=LR, nodesep=0.3, ranksep=0.45, pad=0.3, fontname="{FONT}", fontsize=11, '
         f"labelloc=t, labeljust=l, label=<{_caption(model, drawn)}>];"),
        f'  node [fontname="{FONT}", fontsize=11, color="{GREY}"];',
        f'  edge [color="{GREY}", arrowsize=0.7, fontname="{FONT}", fontsize=10];',
    ]
    for node_id, kind, name in nodes:
        lines.append(f"  {ids[node_id]} [{_node_style(kind, name, marks.get(name, []), drawn.journeys)}];")
    loops = back_flows(nodes, flows)
    for source, target in flows:
        # a loop's way back must not decide the ranks, or dot may draw the loop's body before the start
        style = "constraint=false, style=dashed" if (source, target) in loops else "weight=10"
        lines.append(f"  {ids[source]} -> {ids[target]} [{style}];")
    lines += _unexpected(drawn, nodes, ids, task_of)
    lines.append("}")
    return "\n".join(lines) + "\n"


def back_flows(nodes: list[pm.BpmnNode], flows: list[pm.Arc]) -> set[pm.Arc]:
    """Flows that close a loop: those reaching a node still open in a depth-first walk from the start events."""
    after: dict[str, list[str]] = defaultdict(list)
    for source, target in flows:
        after[source].append(target)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    found = set()
    for root in [n for n, kind, _ in nodes if kind == "start"] + [n for n, _, _ in nodes]:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(after[root]))]
        while stack:
            node, todo = stack[-1]
            target = next(todo, None)
            if target is None:
                state[node] = 2
                stack.pop()
            elif state.get(target) == 1:
                found.add((node, target))
            elif target not in state:
                state[target] = 1
                stack.append((target, iter(after[target])))
    return found


def _node_style(kind: str, name: str, marks: list[tuple[str, Deviation]], journeys: int) -> str:
    """Attributes of one designed node; a task lists its skips and repeats under its name."""
    if kind == "start":
        return f'shape=circle, width=0.3, label="", style=filled, fillcolor="#a5d6a7", xlabel=<{_html(name)}>'
    if kind == "end":
        return f'shape=doublecircle, width=0.25, label="", style=filled, fillcolor="#ef9a9a", xlabel=<{_html(name)}>'
    if kind in ("xor", "and"):
        return f'shape=diamond, width=0.4, height=0.4, fixedsize=true, label="{"×" if kind == "xor" else "+"}"'
    if kind != "task":
        return f"shape=box, style=dashed, label=<{_html(name)}>"
    rows = [f"<b>{_html(name)}</b>"]
    for colour, d in marks:
        what = "skipped" if d.deviation_type == SKIPPED else "again / out of order"
        where = f"{_html(d.after or 'start')} → {_html(d.before or 'end')}"
        rows.append(f'<font point-size="9" color="{colour}">{what}: {d.journeys:,} ({_percent(d.share)})'
                    f"<br/>{where}</font>")
    skipped = any(colour == RED for colour, _ in marks)
    fill = "#ffebee" if skipped else "#f3e5f5" if marks else "#eef3f8"
    border = RED if skipped else PURPLE if marks else GREY
    width = 1 + 3 * min(sum(d.journeys for _, d in marks) / max(journeys, 1), 1)
    return (f'shape=box, style="rounded,filled", fillcolor="{fill}", color="{border}", penwidth={width:.1f}, '
            f"label=<{'<br/>'.join(rows)}>")


def _unexpected(drawn: Overlay, nodes: list[pm.BpmnNode], ids: dict[str, str], task_of: dict[str, str]) -> list[str]:
    """An extra dashed box per unexpected step, from the designed step before it to the one after it."""
    starts = [ids[n] for n, kind, _ in nodes if kind == "start"]
    lines, journey_end = [], False
    for d in drawn.shown:
        if d.deviation_type != UNEXPECTED:
            continue
        extra = f"x{d.deviation_id}"
        label = (f"<b>{_html(d.activity)}</b><br/>"
                 f'<font point-size="9">{d.journeys:,} journeys ({_percent(d.share)})</font>')
        lines.append(f'  {extra} [shape=box, style="rounded,dashed,filled", fillcolor="#fff3e0", color="{ORANGE}", '
                     f'fontcolor="#8a3c00", penwidth=1.5, label=<{label}>];')
        tail = task_of.get(d.after or "", starts[0] if d.after is None and starts else "")
        head = task_of.get(d.before or "", "")
        if d.before is None:
            head, journey_end = "journey_end", True
        width = 1 + 4 * d.share
        if tail:  # the step before decides the rank; the step after must not pull the design apart
            lines.append(f'  {tail} -> {extra} [style=dashed, color="{ORANGE}", penwidth={width:.1f}];')
        if head:
            lines.append(f'  {extra} -> {head} [style=dashed, color="{ORANGE}", penwidth={width:.1f}, constraint=false];')
    if journey_end:
        lines.append(f'  journey_end [shape=plaintext, fontcolor="{ORANGE}", fontsize=10, label="journey ends"];')
    return lines


def _caption(model: DesignedModel, drawn: Overlay) -> str:
    """HTML-like graph label: model and scope, the run's figures, the colour key and what was left out."""
    scope = "all journeys" if drawn.journey_type is None else f"journeys of type '{drawn.journey_type}'"
    figures = (f"{drawn.journeys:,} {scope} · fitness {_figure(drawn.fitness)} · "
               f"fitting {_percent(drawn.fitting_share)} · precision {_figure(drawn.precision)}")
    hidden = (f"{drawn.hidden} smaller deviation kinds not drawn (each in at most {drawn.hidden_max_journeys:,} journeys)"
              if drawn.hidden else "all deviations drawn")
    return (
        '<table border="0" cellspacing="0" cellpadding="2">'
        f'<tr><td align="left"><font point-size="14"><b>Designed model {_html(model.name)}: '
        "where the journeys depart from it</b></font></td></tr>"
        f'<tr><td align="left">{_html(figures)}</td></tr>'
        f'<tr><td align="left"><font color="{RED}">red: journeys skipping the step</font> · '
        f'<font color="{PURPLE}">purple: step done again or out of order</font> · '
        f'<font color="{ORANGE}">orange dashed: step the design does not expect, between the designed steps around it'
        "</font></td></tr>"
        f'<tr><td align="left"><font color="#555555">top {len(drawn.shown)} deviations by journeys; '
        f"{_html(hidden)}</font></td></tr></table>"
    )


def deviation_map_svg(db: str | Path | duckdb.DuckDBPyConnection, model: DesignedModel, out: Path, top: int = 12) -> Path:
    """Write the designed model with the top deviations of the store's last conformance run to `out` (SVG)."""
    return written(Path(out), svg_from_dot(deviation_map_dot(model, overlay(db, model, top))))
