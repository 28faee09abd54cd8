"""The report's small charts (geometry for the template) and the process pictures, sanitised, as data URIs."""

from __future__ import annotations

import base64
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from cxmining.report.formatting import when_text


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
            "first": when_text(times[0], unit), "last": when_text(times[-1], unit), "min": min(values), "max": max(values)}


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
