"""The customer process as swimlanes: the customer on top, then each part of the organisation they meet.

Drawn as SVG directly (no Graphviz) so lanes keep a fixed order and steps a process-order column:
a service-blueprint reading where every step sits in the lane that delivers it, and the customer
lane marks, above the dashed line of interaction, whether the customer acts or is served. The line of
visibility (LOVEM) then parts the lanes the customer sees from the back office that acts out of sight
(`LaneLayout`, configurable per landing folder).
"""

from __future__ import annotations

import textwrap
from html import escape
from pathlib import Path

import duckdb

from cxmining.pictures.lanes import LaneLayout
from cxmining.pictures.process_map import (
    NO_LANE,
    Activity,
    ProcessGraph,
    ReadableGraph,
    frequency_colour,
    lane_colour,
    lane_rank,
    process_graph,
    readable_graph,
    written,
)

CUSTOMER = "Customer"
# Steps the customer starts (web actions, calls, placing an order, asking for a return); others are served to them.
CUSTOMER_LANES = frozenset({"Website"})
CUSTOMER_PREFIXES = ("Call:",)
CUSTOMER_ACTIVITIES = frozenset({"Order placed", "Return requested"})

FONT = "Helvetica, Arial, sans-serif"
HEADER_W, COL_W, BOX_W = 170, 134, 120
TOP, CUSTOMER_H, LANE_H, LINE_H = 78, 92, 104, 14
LEGEND_W = 1120  # the legend's longest line at 11 px
VISIBILITY_GAP = 30  # between the lanes the customer sees and the back office


def customer_acts(activity: Activity) -> bool:
    """Whether the customer starts this step (rather than the organisation serving it to them)."""
    return (
        activity.lane in CUSTOMER_LANES
        or activity.name.startswith(CUSTOMER_PREFIXES)
        or activity.name in CUSTOMER_ACTIVITIES
    )


def process_order(graph: ProcessGraph) -> list[str]:
    """Activity names left to right: by mean position in the journeys when known, else by layers of the main flow.

    Layers: transitions are added from the most to the least frequent, skipping any that would
    close a loop (rework, repeat visits); each step then sits one column after its latest predecessor.
    """
    names = [a.name for a in graph.activities]
    hops = _hops_from_start(graph)
    ranked = sorted(
        graph.edges,
        key=lambda e: (-e.frequency, hops.get(e.source, 0), hops.get(e.target, 0), e.source or "", e.target or ""),
    )
    succ: dict[str, set[str]] = {n: set() for n in names}
    for e in ranked:
        if e.source in succ and e.target in succ and e.source != e.target and not _reaches(succ, e.target, e.source):
            succ[e.source].add(e.target)
    preds: dict[str, set[str]] = {n: set() for n in names}
    for s, targets in succ.items():
        for t in targets:
            preds[t].add(s)
    layer: dict[str, int] = {}

    def depth(n: str) -> int:
        if n not in layer:
            layer[n] = 1 + max((depth(p) for p in sorted(preds[n])), default=-1)
        return layer[n]

    # Where every step's mean position in the journeys is known, it decides the columns: a rare step
    # reached from browsing (a return request, say) then still sits where it happens, late.
    by_position = all(a.position is not None for a in graph.activities)
    rank = {
        a.name: ((round(a.position, 3) if by_position else 0.0), depth(a.name), -a.events, lane_rank(a.lane), a.name)
        for a in graph.activities
    }
    return sorted(names, key=rank.__getitem__)


def _hops_from_start(graph: ProcessGraph) -> dict[str, int]:
    """Fewest transitions from the journey start to each activity (breadth-first)."""
    hops: dict[str, int] = {}
    frontier = sorted({e.target for e in graph.edges if e.source is None and e.target is not None})
    depth = 0
    while frontier:
        for n in frontier:
            hops[n] = depth
        depth += 1
        frontier = sorted({e.target for e in graph.edges if e.source in frontier and e.target is not None} - hops.keys())
    return hops


def _reaches(succ: dict[str, set[str]], start: str, goal: str) -> bool:
    """Whether `goal` can be reached from `start` along `succ`."""
    seen, todo = {start}, [start]
    while todo:
        n = todo.pop()
        if n == goal:
            return True
        for m in succ[n] - seen:
            seen.add(m)
            todo.append(m)
    return False


def _percent(share: float) -> str:
    """A share of journeys as a whole percentage, never rounding a real step down to 0%."""
    return "< 1%" if 0 < share < 0.005 else f"{share:.0%}"


def _x(text: str) -> str:
    """Text or attribute value escaped for XML."""
    return escape(text, quote=True)


def _box_lines(name: str) -> list[str]:
    """An activity name wrapped into at most three lines for a step box."""
    lines = textwrap.wrap(name, 17, break_long_words=True) or [""]
    return lines[:2] + [textwrap.shorten(" ".join(lines[2:]), 17, placeholder="…")] if len(lines) > 3 else lines


def swimlane_svg_text(readable: ReadableGraph, title: str = "Customer process by lane",
                      layout: LaneLayout | None = None) -> str:
    """SVG text of the swimlane view of a filtered process graph; `layout` orders the lanes and says which the
    customer sees (default: `LaneLayout()`)."""
    layout = layout or LaneLayout()
    graph = readable.graph
    acts = {a.name: a for a in graph.activities}
    order = process_order(graph)
    col = {name: i for i, name in enumerate(order)}
    lanes = sorted({lane for a in graph.activities for lane, _ in a.lanes}, key=lambda lane: layout.rank(lane, NO_LANE))
    hidden = [lane for lane in lanes if lane not in layout.visible]
    gap = VISIBILITY_GAP if hidden and len(hidden) < len(lanes) else 0  # room for the line between the two groups
    lane_top = {}  # organisation lanes only: a lane in the data may itself be called "Customer"
    for i, lane in enumerate(lanes):
        lane_top[lane] = TOP + CUSTOMER_H + i * LANE_H + (gap if lane in hidden else 0)
    width = max(HEADER_W + COL_W * max(len(order), 1) + 20, LEGEND_W)  # room for the legend under a short process
    bottom = TOP + CUSTOMER_H + LANE_H * len(lanes) + gap
    height = bottom + (76 if gap else 58)

    def cx(name: str) -> float:
        return HEADER_W + COL_W * col[name] + COL_W / 2

    def box_y(name: str, lane: str) -> tuple[float, float]:
        h = LINE_H * (len(_box_lines(name)) + 1) + 12
        return lane_top[lane] + (LANE_H - h) / 2, h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT}" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
        'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#3c4a5c"/></marker></defs>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="16" y="28" font-size="18" font-weight="bold" fill="#1f2937">{_x(title)}</text>',
        f'<text x="16" y="50" font-size="12" fill="#444444">{_x(readable.caption())}</text>',
    ]
    parts += _lanes(lanes, lane_top, width, graph)
    if gap:
        parts += _line_of_visibility(lane_top[hidden[0]] - gap / 2, width)
    parts.append('<g class="flows" fill="none">')
    top_freq = max((e.frequency for e in graph.edges if e.source and e.target), default=1)
    for e in graph.edges:
        if e.source in acts and e.target in acts and e.source != e.target:
            parts.append(_flow(e.source, e.target, e.frequency / top_freq, f"{e.source} → {e.target}: {e.frequency:,} journeys",
                               cx, box_y, acts))
    parts.append("</g>")
    for name in order:
        parts += _column(acts[name], cx(name), box_y, graph.journeys, lane_top)
    parts.append(
        f'<text x="16" y="{bottom + 26}" font-size="11" fill="#444444">'
        "● the customer acts (web action, call, order, return request)  ·  ○ the organisation serves or informs the customer  ·  "
        "% = share of journeys with this step  ·  dotted line down: the lane(s) where the organisation meets the customer</text>"
    )
    if gap:
        parts.append(
            f'<text x="16" y="{bottom + 62}" font-size="11" fill="#444444">Line of visibility: above it the parts of the '
            "organisation the customer sees; below it the back office, acting out of sight (lanes.yaml in the landing "
            "folder says which are which).</text>"
        )
    parts.append(
        f'<text x="16" y="{bottom + 44}" font-size="11" fill="#444444">Arrows: the main transitions, thicker = more journeys; '
        "dashed arcs below a lane go back to an earlier step (repeat, rework). Box number: events.</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _lanes(lanes: list[str], lane_top: dict[str, float], width: float, graph: ProcessGraph) -> list[str]:
    """Lane bands with their headers, customer first, and the line of interaction under it."""
    events = {lane: 0 for lane in lanes}
    for a in graph.activities:
        for lane, n in a.lanes:
            events[lane] += n
    bands = [(CUSTOMER, TOP, CUSTOMER_H, "#f4f6f8", "#ffffff", "acts ● / is served ○")] + [
        (lane, lane_top[lane], LANE_H, "#ffffff" if i % 2 else "#fafafa", lane_colour(lane), f"{events[lane]:,} events")
        for i, lane in enumerate(lanes)
    ]
    out = []
    for lane, y, h, fill, chip, note in bands:
        out.append(
            f'<g class="lane" data-lane="{_x(lane)}"><rect x="0" y="{y}" width="{width}" height="{h}" fill="{fill}" '
            f'stroke="#c9ced6"/><rect x="0" y="{y}" width="{HEADER_W - 16}" height="{h}" fill="{chip}" stroke="#c9ced6"/>'
            f'<text x="12" y="{y + h / 2 - 2}" font-size="14" font-weight="bold" fill="#1f2937">{_x(lane)}</text>'
            f'<text x="12" y="{y + h / 2 + 15}" font-size="11" fill="#555555">{_x(note)}</text></g>'
        )
    line_y = TOP + CUSTOMER_H
    out.append(
        f'<line x1="0" y1="{line_y}" x2="{width}" y2="{line_y}" stroke="#1f2937" stroke-width="1.5" stroke-dasharray="8 5"/>'
        f'<text x="{width - 8}" y="{line_y - 5}" font-size="10" font-style="italic" text-anchor="end" fill="#1f2937">'
        "line of interaction</text>"
    )
    return out


def _line_of_visibility(y: float, width: float) -> list[str]:
    """The labelled line between the lanes the customer sees and the back office."""
    return [
        f'<g class="line-of-visibility"><rect x="0" y="{y - VISIBILITY_GAP / 2}" width="{width}" height="{VISIBILITY_GAP}" '
        'fill="#fff7ed"/>'
        f'<line x1="0" y1="{y}" x2="{width}" y2="{y}" stroke="#7c2d12" stroke-width="2"/>'
        + "".join(
            f'<text x="{x}" y="{y - 3}" font-size="11" font-weight="bold" text-anchor="{anchor}" fill="#7c2d12">'
            "line of visibility</text>"
            f'<text x="{x}" y="{y + 10}" font-size="10" font-style="italic" text-anchor="{anchor}" fill="#7c2d12">'
            "below: back office, out of the customer's sight</text>"
            for x, anchor in ((8, "start"), (width - 8, "end"))
        )
        + "</g>"
    ]


def _flow(source: str, target: str, share: float, tip: str, cx, box_y, acts: dict[str, Activity]) -> str:
    """One transition arrow between the main boxes of two steps."""
    source_lanes, target_lanes = [lane for lane, _ in acts[source].lanes], [lane for lane, _ in acts[target].lanes]
    # Stay in one lane when both steps have a box there (e.g. a phone order: call, then the call centre's order).
    shared = [lane for lane in target_lanes if lane in source_lanes]
    s_lane, t_lane = (shared[0], shared[0]) if shared else (source_lanes[0], target_lanes[0])
    (sy, sh), (ty, th) = box_y(source, s_lane), box_y(target, t_lane)
    x1, x2, half = cx(source), cx(target), BOX_W / 2
    width = 0.8 + 4.5 * share
    colour = frequency_colour(share)
    if x2 > x1 and s_lane == t_lane and x2 - x1 > COL_W * 1.5:
        lift = min(10 + 6 * (x2 - x1) / COL_W, 40)
        d = f"M{x1 + half * 0.6:.1f},{sy} C{x1 + half:.1f},{sy - lift:.1f} {x2 - half:.1f},{ty - lift:.1f} {x2 - half * 0.6:.1f},{ty}"
        dash = ""
    elif x2 > x1:
        a, b = (x1 + half, sy + sh / 2), (x2 - half, ty + th / 2)
        bend = (b[0] - a[0]) / 2
        d = f"M{a[0]:.1f},{a[1]:.1f} C{a[0] + bend:.1f},{a[1]:.1f} {b[0] - bend:.1f},{b[1]:.1f} {b[0]:.1f},{b[1]:.1f}"
        dash = ""
    else:
        drop = 14 + 3 * min((x1 - x2) / COL_W, 4)
        d = f"M{x1 - 10:.1f},{sy + sh} C{x1 - 10:.1f},{sy + sh + drop:.1f} {x2 + 10:.1f},{ty + th + drop:.1f} {x2 + 10:.1f},{ty + th}"
        dash, width, colour = ' stroke-dasharray="4 3"', min(width, 2.0), "#9aa3ad"
    return (
        f'<path class="flow" d="{d}" stroke="{colour}" stroke-width="{width:.2f}"{dash} marker-end="url(#arrow)">'
        f"<title>{_x(tip)}</title></path>"
    )


def _column(activity: Activity, x: float, box_y, journeys: int, lane_top: dict[str, float]) -> list[str]:
    """A step's customer marker, its connector down across the line of interaction, and its box in each lane."""
    acts = customer_acts(activity)
    my = TOP + CUSTOMER_H / 2 + 8
    lowest = max(box_y(activity.name, lane)[0] for lane, _ in activity.lanes)
    share = min(activity.cases / journeys, 1.0) if journeys else 0.0
    out = [
        f'<line class="connector" x1="{x}" y1="{my + 8}" x2="{x}" y2="{lowest}" stroke="#7b8794" stroke-width="1" '
        'stroke-dasharray="3 3"/>',
        f'<g class="touchpoint" data-activity="{_x(activity.name)}"><title>{_x(activity.name)}</title>'
        f'<circle cx="{x}" cy="{my}" r="8" fill="{"#1f2937" if acts else "#ffffff"}" stroke="#1f2937" stroke-width="2"/>'
        f'<text x="{x}" y="{my - 14}" font-size="11" text-anchor="middle" fill="#333333">{_x(_percent(share))}</text></g>',
    ]
    for lane, events in activity.lanes:
        y, h = box_y(activity.name, lane)
        lines = _box_lines(activity.name)
        text = "".join(
            f'<tspan x="{x}" dy="{0 if i == 0 else LINE_H}">{_x(line)}</tspan>' for i, line in enumerate(lines)
        )
        out.append(
            f'<g class="step" data-activity="{_x(activity.name)}" data-lane="{_x(lane)}"><title>{_x(activity.name)}</title>'
            f'<rect x="{x - BOX_W / 2}" y="{y}" width="{BOX_W}" height="{h}" rx="7" fill="{lane_colour(lane)}" '
            f'stroke="#5f6b7a"/><text x="{x}" y="{y + 17}" text-anchor="middle" font-weight="bold" fill="#111111">{text}</text>'
            f'<text x="{x}" y="{y + h - 8}" text-anchor="middle" font-size="10" fill="#444444">{events:,}</text></g>'
        )
    return out


def swimlane_svg(
    db: str | Path | duckdb.DuckDBPyConnection,
    out: Path,
    min_edge_share: float = 0.05,
    max_activities: int = 20,
    layout: LaneLayout | None = None,
) -> Path:
    """Write the swimlane view of the store's mining tables to `out` (SVG) and return that path."""
    readable = readable_graph(process_graph(db), min_edge_share, max_activities)
    return written(Path(out), swimlane_svg_text(readable, layout=layout))
