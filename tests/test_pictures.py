"""The process map and swimlane SVGs: well-formed, complete, escaped, filtered as they say, lanes in order.

Run as a script to render both pictures to SVG and PNG for looking at them:
`python tests/test_pictures.py OUT_DIR` (synthetic journeys, plus the Helpdesk log when present).
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from cxmining.pictures.process_map import LANE_ORDER, duration_text, process_map_svg
from cxmining.pictures.swimlane import swimlane_svg

SVG = "{http://www.w3.org/2000/svg}"
NASTY = "<script>alert(1)</script> & \"x\""
LANES = {
    "View product": "Website", "Search": "Website", "Add to cart": "Website", "Start checkout": "Website",
    "Complete purchase": "Website", "Checkout error": "Website", "Track order online": "Website",
    "Call: product info": "Contact centre", "Call: new order": "Contact centre", "Call: order status": "Contact centre",
    "Call: delivery problem": "Contact centre", "Call: return request": "Contact centre",
    "Order paid": "Payments", "Order shipped": "Fulfilment", "Order delivered": "Fulfilment",
    "Order cancelled": "Sales", "Return requested": "Returns", "Return received": "Returns", "Refund issued": "Payments",
}


def journey_paths(n: int = 200, seed: int = 7) -> list[list[tuple[str, str]]]:
    """`n` synthetic customer journeys as (activity, lane) steps: web and phone buyers, store buyers, a few rare paths."""
    rng = random.Random(seed)
    journeys = []
    for i in range(n):
        kind = rng.random()
        steps: list[tuple[str, str]] = []
        if kind < 0.6:
            steps += [("Search", "Website")] * (rng.random() < 0.5) + [("View product", "Website")] * rng.randint(1, 3)
            steps += [("Add to cart", "Website"), ("Start checkout", "Website")]
            if rng.random() < 0.1:
                steps += [("Checkout error", "Website"), ("Start checkout", "Website")]
            steps += [("Complete purchase", "Website"), ("Order placed", "Website")]
        elif kind < 0.85:
            steps += [("View product", "Website")] * (rng.random() < 0.5)
            steps += [("Call: product info", "Contact centre"), ("Call: new order", "Contact centre"), ("Order placed", "Contact centre")]
        else:
            steps += [("View product", "Website"), ("Order placed", "Store")]
        if rng.random() < 0.05:
            journeys.append(steps + [("Order cancelled", "Sales")])
            continue
        steps += [("Order paid", "Payments"), ("Order shipped", "Fulfilment")]
        if rng.random() < 0.3:
            steps += [rng.choice([("Call: order status", "Contact centre"), ("Track order online", "Website")])]
        if rng.random() < 0.04:
            steps += [("Call: delivery problem", "Contact centre")]
        steps += [("Order delivered", "Fulfilment")]
        if rng.random() < 0.15:
            if rng.random() < 0.4:
                steps += [("Call: return request", "Contact centre")]
            steps += [("Return requested", "Returns"), ("Return received", "Returns"), ("Refund issued", "Payments")]
        if i == 3:
            steps += [(NASTY, "Website")]
        journeys.append(steps)
    return journeys


def event_rows(journeys: list[list[tuple[str, str]]], seed: int = 11) -> list[tuple[str, str, str, datetime]]:
    """(case, activity, lane, ts) rows with plausible gaps between steps."""
    rng = random.Random(seed)
    rows = []
    for i, steps in enumerate(journeys):
        ts = datetime(2026, 9, 1) + timedelta(hours=rng.randint(0, 24 * 60))
        for activity, lane in steps:
            slow = activity.startswith(("Order shipped", "Order delivered", "Return", "Refund"))
            ts += timedelta(seconds=rng.randint(3600, 4 * 86400) if slow else rng.randint(20, 900))
            rows.append((f"J{i:04d}", activity, lane, ts))
    return rows


def build_mining_tables(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str, str | None, datetime]]) -> None:
    """The tables the pictures read (`dfg`, `start_activities`, `end_activities`, `activity_lanes`) from event rows."""
    frame = pl.DataFrame(rows, schema={"case_id": pl.String, "activity": pl.String, "lane": pl.String, "ts": pl.Datetime}, orient="row")
    con.register("ev_frame", frame)
    con.execute("CREATE OR REPLACE TABLE ev AS SELECT * FROM ev_frame")
    con.unregister("ev_frame")
    con.execute("""
        CREATE OR REPLACE TABLE steps AS SELECT *,
            lead(activity) OVER w AS next_activity, date_diff('second', ts, lead(ts) OVER w)::DOUBLE AS gap,
            row_number() OVER w AS pos, count(*) OVER (PARTITION BY case_id) AS n
        FROM ev WINDOW w AS (PARTITION BY case_id ORDER BY ts, activity)""")
    con.execute("""
        CREATE OR REPLACE TABLE dfg AS SELECT activity AS source, next_activity AS target, count(*)::BIGINT AS frequency,
            avg(gap) AS mean_seconds, median(gap) AS median_seconds, min(gap) AS min_seconds,
            max(gap) AS max_seconds, sum(gap) AS sum_seconds
        FROM steps WHERE next_activity IS NOT NULL GROUP BY ALL""")
    con.execute("CREATE OR REPLACE TABLE start_activities AS SELECT activity, count(*)::BIGINT AS frequency FROM steps WHERE pos = 1 GROUP BY ALL")
    con.execute("CREATE OR REPLACE TABLE end_activities AS SELECT activity, count(*)::BIGINT AS frequency FROM steps WHERE pos = n GROUP BY ALL")
    con.execute("""
        CREATE OR REPLACE TABLE activity_lanes AS SELECT activity, lane, count(*)::BIGINT AS events,
            count(DISTINCT case_id)::BIGINT AS cases FROM ev GROUP BY ALL""")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file holding the mining tables of 200 synthetic journeys (one with a hostile activity name)."""
    path = tmp_path_factory.mktemp("pictures") / "mined.duckdb"
    con = duckdb.connect(str(path))
    build_mining_tables(con, event_rows(journey_paths()))
    con.close()
    return path


def table(path: Path, sql: str) -> list[tuple]:
    """Rows of a query against a store file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def texts(svg: Path, tag: str = "text") -> list[str]:
    """Every text run (or tooltip, with tag="title") of an SVG, whitespace-normalised."""
    root = ET.parse(svg).getroot()
    return [" ".join("".join(t.itertext()).split()) for t in root.iter(f"{SVG}{tag}")]


# --- process map -------------------------------------------------------------------------------


def test_process_map_is_well_formed_and_shows_every_kept_activity(store: Path, tmp_path: Path) -> None:
    svg = process_map_svg(store, tmp_path / "map.svg", min_edge_share=0.0, max_activities=100)
    words = texts(svg)
    for (activity,) in table(store, "SELECT DISTINCT activity FROM activity_lanes"):
        assert activity in words, activity
    assert any("all 21 activities" in w for w in words)


def drawn_edges(svg: Path) -> dict[tuple[str | None, str | None], list[str]]:
    """Label words of each drawn edge, keyed by (source, target) activity names; None is start or end."""
    root = ET.parse(svg).getroot()
    names: dict[str, str | None] = {"start": None, "end": None}
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") in ("node", "edge")]
    for g in groups:
        if g.get("class") == "node" and g.find(f"{SVG}title").text not in names:
            names[g.find(f"{SVG}title").text] = " ".join(next(g.iter(f"{SVG}text")).itertext())
    edges = {}
    for g in groups:
        if g.get("class") == "edge":
            tail, head = g.find(f"{SVG}title").text.split("->")
            edges[names[tail], names[head]] = " ".join(" ".join(t.itertext()) for t in g.iter(f"{SVG}text")).split()
    return edges


def test_process_map_edge_labels_carry_the_tables_frequencies_and_mean_times(store: Path, tmp_path: Path) -> None:
    labels = drawn_edges(process_map_svg(store, tmp_path / "map.svg", min_edge_share=0.0, max_activities=100))
    dfg = table(store, "SELECT source, target, frequency, mean_seconds FROM dfg")
    for source, target, frequency, mean in dfg:
        assert labels[source, target] == [f"{frequency:,}", "·", *duration_text(mean).split()]
    for activity, frequency in table(store, "SELECT * FROM start_activities"):
        assert labels[None, activity] == [f"{frequency:,}"]
    for activity, frequency in table(store, "SELECT * FROM end_activities"):
        assert labels[activity, None] == [f"{frequency:,}"]
    assert len(labels) == len(dfg) + len(table(store, "SELECT * FROM start_activities UNION ALL SELECT * FROM end_activities"))


def test_process_map_filter_keeps_the_frequent_edges_and_says_what_it_hid(store: Path, tmp_path: Path) -> None:
    svg = process_map_svg(store, tmp_path / "map.svg", min_edge_share=0.05, max_activities=10)
    words = texts(svg)
    by_events = "SELECT activity FROM activity_lanes GROUP BY 1 ORDER BY sum(events) DESC, activity"
    kept = {a for (a,) in table(store, by_events + " LIMIT 10")}
    assert kept <= set(words) and not any(a in words for (a,) in table(store, by_events + " OFFSET 10"))
    caption = next(w for w in words if "journeys;" in w)
    assert "showing the 10 most frequent of 21 activities" in caption and "≥ 5% of journeys" in caption
    drawn = {k: int(v[0].replace(",", "")) for k, v in drawn_edges(svg).items()}
    shown, total = map(int, re.search(r"(\d+) of (\d+) transitions", caption).groups())
    assert shown == len(drawn) < total
    dfg = [(s, t, f) for s, t, f in table(store, "SELECT source, target, frequency FROM dfg") if s in kept and t in kept]
    for s, t, f in dfg:
        if f >= 0.05 * 200:
            assert drawn[s, t] == f
    for (s, t), f in drawn.items():  # rarer edges are shown only as a step's busiest way in or out
        if f < 0.05 * 200 and s is not None and t is not None:
            assert f == max(g for a, b, g in dfg if b == t) or f == max(g for a, b, g in dfg if a == s)


def test_process_map_is_deterministic(store: Path, tmp_path: Path) -> None:
    first = process_map_svg(store, tmp_path / "a.svg").read_bytes()
    assert process_map_svg(store, tmp_path / "b.svg").read_bytes() == first


# --- swimlane ----------------------------------------------------------------------------------


def lane_boxes(svg: Path) -> list[tuple[str, float]]:
    """(lane name, top y) of each lane band, in document order."""
    root = ET.parse(svg).getroot()
    out = []
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "lane":
            out.append((g.get("data-lane"), float(g.find(f"{SVG}rect").get("y"))))
    return out


def test_swimlane_puts_the_customer_on_top_and_lanes_in_the_documented_order(store: Path, tmp_path: Path) -> None:
    svg = swimlane_svg(store, tmp_path / "lanes.svg", max_activities=100)
    lanes = lane_boxes(svg)
    by_y = [name for name, _ in sorted(lanes, key=lambda lane: lane[1])]
    assert by_y[0] == "Customer"
    assert by_y[1:] == [lane for lane in LANE_ORDER if lane in by_y]
    assert set(by_y[1:]) == {lane for (lane,) in table(store, "SELECT DISTINCT lane FROM activity_lanes")}


def test_swimlane_shows_each_activity_in_the_lanes_that_deliver_it(store: Path, tmp_path: Path) -> None:
    svg = swimlane_svg(store, tmp_path / "lanes.svg", max_activities=100)
    root = ET.parse(svg).getroot()
    tops = dict(lane_boxes(svg))
    bands = sorted(tops.values())
    cells = set()
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "step":
            y = float(g.find(f"{SVG}rect").get("y"))
            lane = g.get("data-lane")
            assert tops[lane] <= y < min([b for b in bands if b > tops[lane]], default=1e9)
            cells.add((g.get("data-activity"), lane))
    assert cells == set(table(store, "SELECT activity, lane FROM activity_lanes"))


def test_swimlane_orders_steps_in_process_order(store: Path, tmp_path: Path) -> None:
    svg = swimlane_svg(store, tmp_path / "lanes.svg")
    root = ET.parse(svg).getroot()
    x = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "step":
            x.setdefault(g.get("data-activity"), float(g.find(f"{SVG}rect").get("x")))
    path = ["View product", "Add to cart", "Start checkout", "Complete purchase", "Order placed", "Order paid",
            "Order shipped", "Order delivered", "Return requested", "Return received", "Refund issued"]
    assert [x[a] for a in path] == sorted(x[a] for a in path)


def test_swimlane_columns_follow_mean_positions_when_the_store_has_them(store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "positions.duckdb"
    shutil.copyfile(store, copy)
    with duckdb.connect(str(copy)) as con:
        names = [r[0] for r in con.execute("SELECT DISTINCT activity FROM activity_lanes ORDER BY activity").fetchall()]
        # Alphabetical order as 'process order': nothing like the flow, so only the positions can produce it.
        con.execute("CREATE TABLE activity_positions AS SELECT unnest($names) AS activity, "
                    "unnest(list_transform(range(len($names)), lambda i: i / len($names))) AS mean_position",
                    {"names": names})
    svg = swimlane_svg(copy, tmp_path / "lanes.svg")
    x = {}
    for g in ET.parse(svg).getroot().iter(f"{SVG}g"):
        if g.get("class") == "step":
            x.setdefault(g.get("data-activity"), float(g.find(f"{SVG}rect").get("x")))
    shown = sorted(x)
    assert [x[a] for a in shown] == sorted(x.values())


def test_swimlane_is_deterministic(store: Path, tmp_path: Path) -> None:
    first = swimlane_svg(store, tmp_path / "a.svg").read_bytes()
    assert swimlane_svg(store, tmp_path / "b.svg").read_bytes() == first


# --- escaping ----------------------------------------------------------------------------------


@pytest.mark.parametrize("draw", [process_map_svg, swimlane_svg])
def test_names_from_data_are_escaped(store: Path, tmp_path: Path, draw) -> None:
    svg = draw(store, tmp_path / "x.svg", min_edge_share=0.0, max_activities=100)
    raw = svg.read_text(encoding="utf-8")
    assert "<script" not in raw and "alert(1)</script>" not in raw
    assert NASTY in texts(svg) + texts(svg, "title")  # parsed back, the name is intact


def test_lanes_from_data_are_escaped_and_unknown_lanes_come_last(tmp_path: Path) -> None:
    rows = [("c1", "Visit", "Website", datetime(2026, 1, 1)), ("c1", "Odd <step>", "<Backoffice & co>", datetime(2026, 1, 2)),
            ("c1", "Closed", None, datetime(2026, 1, 3))]
    con = duckdb.connect()
    build_mining_tables(con, rows)
    svg = swimlane_svg(con, tmp_path / "s.svg", min_edge_share=0.0)
    assert "<Backoffice" not in svg.read_text(encoding="utf-8")
    assert [name for name, _ in sorted(lane_boxes(svg), key=lambda lane: lane[1])] == ["Customer", "Website", "<Backoffice & co>", "No lane"]


# --- looking at them ---------------------------------------------------------------------------


def helpdesk_rows() -> list[tuple[str, str, None, datetime]]:
    """Event rows of the real Helpdesk log (no lanes)."""
    import pm4py

    log = pm4py.read_xes(str(Path(__file__).resolve().parent.parent.parent / "shared/data/real/helpdesk/helpdesk.xes.gz"))
    log = log[["case:concept:name", "concept:name", "time:timestamp"]]
    return [(c, a, None, t.to_pydatetime().replace(tzinfo=None)) for c, a, t in log.itertuples(index=False)]


def png(svg: Path) -> Path:
    """A PNG next to an SVG, drawn by `rsvg-convert` and cut to 64 colours (for looking and docs, not a runtime need)."""
    from PIL import Image

    out = svg.with_suffix(".png")
    subprocess.run([shutil.which("rsvg-convert") or "rsvg-convert", "-b", "white", "-o", str(out), str(svg)], check=True)
    Image.open(out).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)
    return out



# --- the line of visibility --------------------------------------------------------------------


def visibility_line_y(svg: Path) -> float | None:
    """The y of the line of visibility, None when the picture has none."""
    root = ET.parse(svg).getroot()
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "line-of-visibility":
            return float(g.find(f"{SVG}line").get("y1"))
    return None


def test_the_line_of_visibility_parts_the_lanes_the_customer_sees_from_the_back_office(store: Path, tmp_path: Path) -> None:
    from cxmining.pictures.lanes import LaneLayout

    svg = swimlane_svg(store, tmp_path / "lanes.svg", max_activities=100)
    line = visibility_line_y(svg)
    lanes = dict(lane_boxes(svg))
    seen = {lane for lane in lanes if lane != "Customer"}
    assert line is not None and seen & LaneLayout().visible and seen - LaneLayout().visible
    assert all((top < line) == (lane == "Customer" or lane in LaneLayout().visible) for lane, top in lanes.items())
    # a layout that shows nothing of the back office draws no line
    everything = LaneLayout(visible=frozenset(seen))
    assert visibility_line_y(swimlane_svg(store, tmp_path / "all.svg", max_activities=100, layout=everything)) is None


def test_a_landing_folders_lanes_file_moves_lanes_across_the_line_and_a_broken_one_is_refused(store: Path, tmp_path: Path,
                                                                                               caplog: pytest.LogCaptureFixture) -> None:
    from cxmining.pictures.lanes import LanesError, lane_layout
    from cxmining.pictures.outputs import process_pictures

    (tmp_path / "lanes.yaml").write_text("order: [Payments, Website]\nvisible: [Payments, Website]\n", encoding="utf-8")
    svg = process_pictures(store, tmp_path / "out", tmp_path)["swimlane"]
    line, by_y = visibility_line_y(svg), sorted(lane_boxes(svg), key=lambda lane: lane[1])
    assert [name for name, _ in by_y[:3]] == ["Customer", "Payments", "Website"]
    assert all((top < line) == (name in ("Customer", "Payments", "Website")) for name, top in by_y)
    # a lane the data does not have (a typo) is named in a warning, with the data's own lanes
    (tmp_path / "lanes.yaml").write_text("visible: [Websitee, Payments]\n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="cxmining.pictures.outputs"):
        process_pictures(store, tmp_path / "out", tmp_path)
    assert "names lanes the data does not have: Websitee (its lanes: " in caplog.text
    (tmp_path / "lanes.yaml").write_text("visible: [Website]\nhidden: [Payments]\n", encoding="utf-8")
    with pytest.raises(LanesError, match=r"lanes\.yaml: hidden") as refused:
        lane_layout(tmp_path)
    assert "\n" not in str(refused.value)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "out/pictures")
    target.mkdir(parents=True, exist_ok=True)
    for name, rows in (("synthetic", event_rows(journey_paths())), ("helpdesk", None)):
        db = duckdb.connect()
        build_mining_tables(db, rows if rows is not None else helpdesk_rows())
        print(png(process_map_svg(db, target / f"{name}_process_map.svg")))
        print(png(swimlane_svg(db, target / f"{name}_swimlane.svg")))
