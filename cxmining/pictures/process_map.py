"""The discovered process map (directly-follows graph) as an SVG drawn by Graphviz `dot`.

Also holds what both pictures share: the graph read from the mining tables, its filtering for
readability, lane order and colours, and durations in human units.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path

import duckdb

from cxmining.errors import CxminingError
from cxmining.store import opened, relations
from cxmining.store.outputs import written_whole

# Parts of the organisation in the order a customer usually meets them; unknown lanes follow.
LANE_ORDER = ("Website", "Contact centre", "Store", "Sales", "Payments", "Fulfilment", "Returns")
NO_LANE = "No lane"
LANE_COLOURS = {
    "Website": "#dbe9f6",
    "Contact centre": "#fde3c8",
    "Store": "#d9f0d3",
    "Sales": "#e6dcf0",
    "Payments": "#fff2b3",
    "Fulfilment": "#cdece8",
    "Returns": "#f6d5d5",
}
OTHER_COLOUR = "#e8e8e8"
FONT = "Helvetica,Arial,sans-serif"
MINING_TABLES = ("dfg", "start_activities", "end_activities", "activity_lanes")


class PictureError(CxminingError):
    """A picture cannot be drawn: a mining table is missing or Graphviz is not installed."""


@dataclass(frozen=True)
class Activity:
    """One step of the customer process; `lanes`: each lane delivering it and its events, busiest first."""

    name: str
    events: int
    cases: int
    lanes: tuple[tuple[str, int], ...]
    position: float | None = None  # mean relative position in journeys (0 first, 1 last), if known

    @property
    def lane(self) -> str:
        """The lane delivering most of this activity's events."""
        return self.lanes[0][0]


@dataclass(frozen=True)
class Edge:
    """A directly-follows transition; `source` None is the journey start, `target` None its end."""

    source: str | None
    target: str | None
    frequency: int
    mean_seconds: float | None


@dataclass(frozen=True)
class ProcessGraph:
    """Activities (most frequent first) and transitions, including start and end arcs."""

    activities: tuple[Activity, ...]
    edges: tuple[Edge, ...]
    journeys: int


@dataclass(frozen=True)
class ReadableGraph:
    """A filtered graph and what the filter hid, for a caption."""

    graph: ProcessGraph
    total_activities: int
    total_edges: int
    min_edge_share: float
    max_activities: int

    def caption(self) -> str:
        """One line saying what is shown and what was hidden."""
        shown_a, shown_e = len(self.graph.activities), len(self.graph.edges)
        parts = [f"{self.graph.journeys:,} journeys"]
        if shown_a < self.total_activities:
            parts.append(f"showing the {shown_a} most frequent of {self.total_activities} activities")
        else:
            parts.append(f"all {shown_a} activities")
        if shown_e < self.total_edges:
            parts.append(
                f"{shown_e} of {self.total_edges} transitions "
                f"(those in ≥ {self.min_edge_share:.0%} of journeys, plus each step's main way in and out)"
            )
        else:
            parts.append(f"all {shown_e} transitions")
        return "; ".join(parts)


def lane_rank(lane: str) -> tuple[int, str]:
    """Sort key putting the documented lanes first, in order, then others by name, then no lane."""
    if lane in LANE_ORDER:
        return (LANE_ORDER.index(lane), "")
    return (len(LANE_ORDER) + (lane == NO_LANE), lane)


def lane_colour(lane: str) -> str:
    """Fill colour of a lane's activities."""
    return LANE_COLOURS.get(lane, OTHER_COLOUR)


def duration_text(seconds: float | None) -> str:
    """A duration in human units: `40 s`, `3 min`, `2.5 h`, `4.1 d`."""
    if seconds is None:
        return "–"
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            value = seconds / size
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return "< 1 s" if seconds < 1 else f"{seconds:.0f} s"


def process_graph(db: str | Path | duckdb.DuckDBPyConnection) -> ProcessGraph:
    """The whole process graph read from the tables `dfg`, `start_activities`, `end_activities`, `activity_lanes`."""
    with opened(db, read_only=True) as con:
        present = relations(con)
        missing = [t for t in MINING_TABLES if t not in present]
        if missing:
            raise PictureError(f"table(s) {', '.join(missing)} not found in {db}; run process discovery first")
        lane_rows = con.execute(
            "SELECT activity, coalesce(lane, $none) AS lane, sum(events)::BIGINT, sum(cases)::BIGINT "
            "FROM activity_lanes GROUP BY ALL ORDER BY activity, 3 DESC, lane",
            {"none": NO_LANE},
        ).fetchall()
        dfg = con.execute(
            "SELECT source, target, frequency, mean_seconds FROM dfg ORDER BY frequency DESC, source, target"
        ).fetchall()
        starts = con.execute("SELECT activity, frequency FROM start_activities ORDER BY frequency DESC, activity").fetchall()
        ends = con.execute("SELECT activity, frequency FROM end_activities ORDER BY frequency DESC, activity").fetchall()
        positions = (
            dict(con.execute("SELECT activity, mean_position FROM activity_positions").fetchall())
            if "activity_positions" in present else {}
        )
    edges = [Edge(s, t, int(f), m) for s, t, f, m in dfg]
    edges += [Edge(None, a, int(f), None) for a, f in starts] + [Edge(a, None, int(f), None) for a, f in ends]
    activities = tuple(replace(a, position=positions.get(a.name)) for a in _activities(lane_rows, edges))
    return ProcessGraph(activities, tuple(edges), sum(int(f) for _, f in starts))


def _activities(lane_rows: list[tuple], edges: list[Edge]) -> tuple[Activity, ...]:
    """Activities from `activity_lanes`, plus any only named by edges (events = transitions out)."""
    lanes: dict[str, list[tuple[str, int]]] = {}
    events: dict[str, int] = {}
    cases: dict[str, int] = {}
    for name, lane, n_events, n_cases in lane_rows:
        lanes.setdefault(name, []).append((lane, int(n_events)))
        events[name] = events.get(name, 0) + int(n_events)
        cases[name] = cases.get(name, 0) + int(n_cases)
    for edge in edges:
        if edge.source is not None and edge.source not in lanes:
            events[edge.source] = events.get(edge.source, 0) + edge.frequency
    found = [
        Activity(name, n, cases.get(name, 0), tuple(lanes.get(name, [(NO_LANE, n)])))
        for name, n in events.items()
    ]
    return tuple(sorted(found, key=lambda a: (-a.events, a.name)))


def readable_graph(graph: ProcessGraph, min_edge_share: float, max_activities: int) -> ReadableGraph:
    """The most frequent activities and the transitions in at least `min_edge_share` of journeys.

    Each kept activity also keeps its most frequent way in and way out, so no step floats alone.
    """
    kept = graph.activities[:max_activities]
    names = {a.name for a in kept}
    candidates = [
        e for e in graph.edges
        if (e.source is None or e.source in names) and (e.target is None or e.target in names)
    ]
    threshold = min_edge_share * graph.journeys
    chosen = {e for e in candidates if e.frequency >= threshold}
    for name in sorted(names):
        ins = [e for e in candidates if e.target == name]
        outs = [e for e in candidates if e.source == name]
        for side in (ins, outs):
            if side:
                chosen.add(max(side, key=lambda e: (e.frequency, e.source or "", e.target or "")))
    edges = tuple(e for e in graph.edges if e in chosen)
    return ReadableGraph(
        ProcessGraph(kept, edges, graph.journeys),
        total_activities=len(graph.activities),
        total_edges=len(graph.edges),
        min_edge_share=min_edge_share,
        max_activities=max_activities,
    )


def frequency_colour(share: float) -> str:
    """Edge colour from light grey (rare) to dark blue (the main flow), `share` in 0..1 of the top edge."""
    light, dark = (0xB0, 0xB8, 0xC4), (0x08, 0x30, 0x6B)
    mix = [round(lo + (hi - lo) * min(max(share, 0.0), 1.0) ** 0.6) for lo, hi in zip(light, dark)]
    return "#" + "".join(f"{c:02x}" for c in mix)


def _html(text: str) -> str:
    """Text escaped for a Graphviz HTML-like label (which dot escapes again when writing SVG)."""
    return escape(text, quote=True).replace("&#x27;", "&#39;")


def process_map_dot(readable: ReadableGraph) -> str:
    """Graphviz DOT source of the process map; node ids are generated, names appear only escaped."""
    graph = readable.graph
    ids = {a.name: f"a{i}" for i, a in enumerate(graph.activities)}
    top = max((e.frequency for e in graph.edges), default=1)
    lines = [
        "digraph process_map {",
        f'  graph [rankdir=TB, newrank=true, nodesep=0.35, ranksep=0.5, pad=0.3, fontname="{FONT}", fontsize=11, '
        f"labelloc=b, labeljust=l, label=<{_legend(readable)}>];",
        f'  node [shape=box, style="rounded,filled", color="#5f6b7a", penwidth=1, fontname="{FONT}", fontsize=12, margin="0.15,0.06"];',
        f'  edge [fontname="{FONT}", fontsize=10, fontcolor="#333333", arrowsize=0.7];',
        '  start [shape=circle, label="", width=0.28, style=filled, fillcolor="#2e7d32", color="#2e7d32", tooltip="journey start"];',
        '  end [shape=doublecircle, label="", width=0.22, style=filled, fillcolor="#c62828", color="#c62828", tooltip="journey end"];',
    ]
    for a in graph.activities:
        label = f'<b>{_html(a.name)}</b><br/><font point-size="10" color="#444444">{a.events:,}</font>'
        lines.append(f'  {ids[a.name]} [label=<{label}>, fillcolor="{lane_colour(a.lane)}"];')
    for i, e in enumerate(graph.edges):
        tail = "start" if e.source is None else ids[e.source]
        head = "end" if e.target is None else ids[e.target]
        share = e.frequency / top
        label = f"{e.frequency:,}" if e.mean_seconds is None else f"{e.frequency:,} · {duration_text(e.mean_seconds)}"
        style = ', style="dashed"' if e.source is None or e.target is None else ""
        lines.append(
            f'  {tail} -> {head} [id="edge{i}", label=< {_html(label)} >, penwidth={0.8 + 5.2 * share:.2f}, '
            f'color="{frequency_colour(share)}"{style}];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _legend(readable: ReadableGraph) -> str:
    """HTML-like graph label: the caption, then a colour chip per lane present."""
    lanes = sorted({a.lane for a in readable.graph.activities} - {NO_LANE}, key=lane_rank)
    chips = "".join(
        f'<td bgcolor="{lane_colour(lane)}" border="1" color="#5f6b7a"> {_html(lane)} </td><td> </td>' for lane in lanes
    )
    note = "node: activity and its events · edge: how often one step directly follows the other · mean time between them"
    return (
        '<table border="0" cellspacing="0" cellpadding="3">'
        f'<tr><td align="left" colspan="{max(2 * len(lanes), 1)}"><font point-size="11">{_html(readable.caption())}</font></td></tr>'
        f'<tr><td align="left" colspan="{max(2 * len(lanes), 1)}"><font point-size="10" color="#555555">{_html(note)}</font></td></tr>'
        f"{f'<tr>{chips}</tr>' if chips else ''}</table>"
    )


GRAPHVIZ_MISSING = "Graphviz `dot` not found; install Graphviz (Debian/Ubuntu: apt-get install graphviz)"


def graphviz_missing() -> str | None:
    """Why nothing can be drawn (GRAPHVIZ_MISSING) when Graphviz's `dot` is not on the PATH, else None."""
    return None if shutil.which("dot") else GRAPHVIZ_MISSING


def svg_from_dot(dot_source: str) -> str:
    """SVG text drawn by Graphviz `dot` from DOT source."""
    dot = shutil.which("dot")
    if dot is None:
        raise PictureError(GRAPHVIZ_MISSING)
    done = subprocess.run([dot, "-Tsvg"], input=dot_source.encode("utf-8"), capture_output=True, check=False)
    if done.returncode != 0:
        raise PictureError(f"Graphviz failed: {done.stderr.decode('utf-8', 'replace').strip()[:300]}")
    return done.stdout.decode("utf-8")


def process_map_svg(
    db: str | Path | duckdb.DuckDBPyConnection,
    out: Path,
    min_edge_share: float = 0.01,
    max_activities: int = 25,
) -> Path:
    """Write the process map of the store's mining tables to `out` (SVG) and return that path."""
    readable = readable_graph(process_graph(db), min_edge_share, max_activities)
    return written(Path(out), svg_from_dot(process_map_dot(readable)))


def written(out: Path, text: str) -> Path:
    """`out`, after writing `text` to it whole (parent folders created)."""
    return written_whole(out, text)
