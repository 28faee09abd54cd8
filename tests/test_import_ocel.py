"""import-log on object-centric logs: flattened on an object type exactly as pm4py.ocel_flattening, the objects and
their relations kept in the ocel_* tables.

References come from pm4py itself: the same file read by pm4py, flattened by pm4py.ocel_flattening, sorted stably by
case and timestamp (pm4py.get_variants reads a frame in its row order), then pm4py.get_variants. A small OCEL 2.0 file
written by the test (two object types, an event on two orders, a tie in time, XML special characters in names) runs
everywhere; the real logs in ../shared/data/real/ run where they are present.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from helpers import REAL, real, run_cli

from cxmining.errors import LandingError, MappingError
from cxmining.eventlog.imported import import_log
from cxmining.eventlog.ocel import ImportedOcel, import_ocel
from cxmining.mining.statistics import mining_tables

pm4py = pytest.importorskip("pm4py")

OCEL_DIR = REAL / "ocel2-order-management"
ORDER_MANAGEMENT = OCEL_DIR / "order-management-running-example.sqlite"
CONTAINERS = OCEL_DIR / "container-logistics.sqlite"
OCEL1 = OCEL_DIR / "order_process.ocel1.jsonocel"
RUNNING = REAL / "pm4py-examples" / "running-example.csv"

CASE, ACTIVITY, TIMESTAMP = "case:concept:name", "concept:name", "time:timestamp"
PLACE, PICK, SHIP, NOTIFY = 'place "order" & <pay>', "pick item", "ship <fast> & 'safe'", "notify"
ITEM = "item <&>"
STORE_SEQUENCES = """
SELECT "case:concept:name", list("concept:name" ORDER BY event_order) FROM journey_events GROUP BY 1
"""


def small_log() -> dict:
    """An OCEL 2.0 JSON log: orders o1, o2 and their items; e5 ships both orders; e4 and e3 tie on o1 (in that
    order in the file); e2's time carries an offset; names hold XML/HTML special characters."""

    def event(eid: str, kind: str, time: str, team: str | None, *objects: tuple[str, str]) -> dict:
        return {"id": eid, "type": kind, "time": time,
                "attributes": [] if team is None else [{"name": "team", "value": team}],
                "relationships": [{"objectId": o, "qualifier": q} for o, q in objects]}

    return {
        "objectTypes": [{"name": "order", "attributes": [{"name": "price", "type": "float"}]},
                        {"name": ITEM, "attributes": []}],
        "eventTypes": [{"name": n, "attributes": [{"name": "team", "type": "string"}]}
                       for n in (PLACE, PICK, SHIP, NOTIFY)],
        "objects": [
            {"id": "o1", "type": "order", "attributes": [{"name": "price", "time": "1970-01-01T00:00:00Z", "value": "10.5"}],
             "relationships": [{"objectId": "i1&<x>", "qualifier": "comprises"}, {"objectId": "i2", "qualifier": "comprises"}]},
            {"id": "o2", "type": "order", "attributes": [], "relationships": [{"objectId": "i3", "qualifier": "comprises"}]},
            *({"id": i, "type": ITEM, "attributes": []} for i in ("i1&<x>", "i2", "i3")),
        ],
        "events": [
            event("e1", PLACE, "2024-01-01T09:00:00Z", "sales & <web>", ("o1", "order"), ("i1&<x>", "item"), ("i2", "item")),
            event("e2", PLACE, "2024-01-01T10:00:00+01:00", "sales & <web>", ("o2", "order"), ("i3", "item")),
            event("e4", NOTIFY, "2024-01-02T08:00:00Z", None, ("o1", "order")),
            event("e3", PICK, "2024-01-02T08:00:00Z", "warehouse", ("i1&<x>", "item"), ("o1", "order")),
            event("e5", SHIP, "2024-01-03T12:00:00Z", "warehouse", ("o1", "order"), ("o2", "order"), ("i2", "item")),
        ],
    }


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ocel") / "shop.jsonocel"
    path.write_text(json.dumps(small_log(), indent=1), encoding="utf-8")
    return path


def pm4py_flattened(path: Path, object_type: str) -> pd.DataFrame:
    """pm4py's flattening of the file on the type, sorted stably by case and timestamp."""
    read = pm4py.read_ocel if "ocel1" in path.name else pm4py.read_ocel2
    flat = pm4py.ocel_flattening(read(str(path)), object_type)
    return flat.sort_values([CASE, TIMESTAMP], kind="stable")


def store_variants(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, ...], int]:
    """The store's variants after the normal mining step, as pm4py.get_variants gives them."""
    mining_tables(con)
    return {tuple(activities): frequency
            for activities, frequency in con.sql("SELECT activities, frequency FROM variants").fetchall()}


def assert_flattened_as_pm4py(con: duckdb.DuckDBPyConnection, imported: ImportedOcel, path: Path, object_type: str) -> None:
    """Cases, events, per-case sequences and variants of the store equal pm4py's flattening of the same file."""
    flat = pm4py_flattened(path, object_type)
    assert (imported.log.cases, imported.log.events, imported.log.activities) == (
        flat[CASE].nunique(), len(flat), flat[ACTIVITY].nunique())
    theirs = {case: list(group) for case, group in flat.groupby(CASE, sort=False)[ACTIVITY]}
    assert dict(con.sql(STORE_SEQUENCES).fetchall()) == theirs
    assert store_variants(con) == pm4py.get_variants(flat)


@pytest.mark.parametrize("object_type", ["order", ITEM])
def test_small_json_log_flattens_as_pm4py(small: Path, object_type: str) -> None:
    con = duckdb.connect(":memory:")
    imported = import_ocel(small, con, object_type)
    assert imported.object_type == object_type and imported.log.name == "shop" and imported.log.reader == "pm4py OCEL 2.0"
    assert_flattened_as_pm4py(con, imported, small, object_type)


def test_an_event_on_two_orders_is_in_both_cases_and_ties_keep_the_file_order(small: Path) -> None:
    con = duckdb.connect(":memory:")
    import_ocel(small, con, "order", lane="team")
    ship = con.sql('SELECT "case:concept:name", event_id, lane FROM journey_events WHERE "concept:name" = $a ORDER BY 1',
                   params={"a": SHIP}).fetchall()
    assert ship == [("o1", "shop:e5", "warehouse"), ("o2", "shop:e5", "warehouse")]
    o1 = con.sql('SELECT "concept:name", lane FROM journey_events WHERE "case:concept:name" = \'o1\' ORDER BY event_order')
    # e4 (notify) and e3 (pick item) share a time: the file's order, not the ids' order; a missing attribute stays NULL
    assert o1.fetchall() == [(PLACE, "sales & <web>"), (NOTIFY, None), (PICK, "warehouse"), (SHIP, "warehouse")]
    # 10:00+01:00 is 09:00 UTC
    assert con.sql("SELECT strftime(ts, '%H:%M') FROM imported_events WHERE event_id = 'shop:e2'").fetchall() == [("09:00",)]


def test_objects_and_relations_answer_which_items_an_order_has(small: Path) -> None:
    con = duckdb.connect(":memory:")
    imported = import_ocel(small, con, "order")
    ocel = pm4py.read_ocel2(str(small))
    assert imported.tables == {"ocel_events": len(ocel.events), "ocel_objects": len(ocel.objects),
                               "ocel_event_objects": len(ocel.relations), "ocel_object_objects": len(ocel.o2o)}
    items = con.sql("""SELECT r.to_object_id FROM ocel_object_objects AS r
                       JOIN ocel_objects AS o ON o.log_name = r.log_name AND o.object_id = r.to_object_id
                       WHERE r.log_name = 'shop' AND r.from_object_id = 'o1' AND o.object_type = $t ORDER BY 1""",
                    params={"t": ITEM}).fetchall()
    assert items == [("i1&<x>",), ("i2",)]
    # the events an item took part in, found from its order's case through the event-object relation
    picked = con.sql("""SELECT DISTINCT eo.object_id FROM imported_events AS e
                        JOIN ocel_event_objects AS eo ON e.event_id = eo.log_name || ':' || eo.event_id
                        WHERE e.case_id = 'o1' AND e.activity = $a AND eo.qualifier = 'item'""",
                     params={"a": PICK}).fetchall()
    assert picked == [("i1&<x>",)]
    attributes = dict(con.sql("SELECT object_id, attributes FROM ocel_objects").fetchall())
    assert json.loads(attributes["o1"]) == {"price": "10.5"} and attributes["o2"] is None


@pytest.mark.parametrize("writer, ending", [("write_ocel2_xml", ".xmlocel"), ("write_ocel2_sqlite", ".sqlite")])
def test_xml_and_sqlite_forms_of_the_log_flatten_as_pm4py(small: Path, tmp_path: Path, writer: str, ending: str) -> None:
    path = tmp_path / f"shop{ending}"
    getattr(pm4py, writer)(pm4py.read_ocel2(str(small)), str(path))
    con = duckdb.connect(":memory:")
    assert_flattened_as_pm4py(con, import_ocel(path, con, "order"), path, "order")


def test_reimport_replaces_the_log_in_every_table(small: Path, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    import_ocel(small, db, "order")
    again = import_ocel(small, db, ITEM)
    import_ocel(small, db, "order", name="orders")
    con = duckdb.connect(str(db))
    counts = con.sql("SELECT log_name, count(*) FROM imported_events GROUP BY 1").fetchall()
    assert dict(counts) == {"shop": again.log.events, "orders": 6}
    for table in ("ocel_events", "ocel_objects", "ocel_event_objects", "ocel_object_objects"):
        rows = dict(con.sql(f"SELECT log_name, count(*) FROM {table} GROUP BY 1").fetchall())
        assert rows["shop"] == rows["orders"] == again.tables[table]
    con.close()
    if RUNNING.exists():  # the same name imported from a flat log leaves no object-centric rows behind
        import_log(RUNNING, db, name="shop")
        con = duckdb.connect(str(db))
        assert con.sql("SELECT count(*) FROM ocel_objects WHERE log_name = 'shop'").fetchall() == [(0,)]


def test_bad_input_gets_one_line_errors(small: Path, tmp_path: Path) -> None:
    with pytest.raises(LandingError, match="no such file"):
        import_ocel(tmp_path / "missing.jsonocel", ":memory:", "order")
    with pytest.raises(MappingError, match=r"needs --object-type.*order \(2\), item <&> \(3\)|needs --object-type.*item <&> \(3\), order \(2\)"):
        import_ocel(small, ":memory:", None)
    with pytest.raises(MappingError, match=r"no object type 'orders' for --object-type; did you mean 'order'\?"):
        import_ocel(small, ":memory:", "orders")
    with pytest.raises(MappingError, match="no event attribute 'desk' for --lane; event attributes are team"):
        import_ocel(small, ":memory:", "order", lane="desk")
    broken = tmp_path / "broken.jsonocel"
    broken.write_text('{"objectTypes": [', encoding="utf-8")
    with pytest.raises(LandingError, match=f"{broken}: not a readable OCEL 2.0 file"):
        import_ocel(broken, ":memory:", "order")
    not_sqlite = tmp_path / "text.sqlite"
    not_sqlite.write_text("hello", encoding="utf-8")
    with pytest.raises(LandingError, match=f"{not_sqlite}: not a readable OCEL 2.0 file"):
        import_ocel(not_sqlite, ":memory:", "order")


def test_ocel1_json_that_pm4py_reads_flattens_as_pm4py(tmp_path: Path) -> None:
    path = tmp_path / "shop.ocel1.jsonocel"
    path.write_text(json.dumps({
        "ocel:global-event": {"ocel:activity": "__INVALID__"}, "ocel:global-object": {"ocel:type": "__INVALID__"},
        "ocel:global-log": {"ocel:attribute-names": ["team"], "ocel:object-types": ["order", "item"],
                            "ocel:version": "1.0", "ocel:ordering": "timestamp"},
        "ocel:events": {
            "e1": {"ocel:activity": "place", "ocel:timestamp": "2024-01-01T09:00:00+00:00", "ocel:omap": ["o1", "i1", "i2"],
                   "ocel:vmap": {"team": "sales"}},
            "e2": {"ocel:activity": "pick", "ocel:timestamp": "2024-01-02T09:00:00+00:00", "ocel:omap": ["i1"], "ocel:vmap": {}},
            "e3": {"ocel:activity": "ship", "ocel:timestamp": "2024-01-03T09:00:00+00:00", "ocel:omap": ["o1", "i1", "i2"],
                   "ocel:vmap": {}}},
        "ocel:objects": {"o1": {"ocel:type": "order", "ocel:ovmap": {}}, "i1": {"ocel:type": "item", "ocel:ovmap": {}},
                         "i2": {"ocel:type": "item", "ocel:ovmap": {}}},
    }), encoding="utf-8")
    con = duckdb.connect(":memory:")
    imported = import_ocel(path, con, "item")
    assert imported.log.reader == "pm4py OCEL 1.0" and imported.log.cases == 2
    assert_flattened_as_pm4py(con, imported, path, "item")


def test_ocel1_that_pm4py_cannot_read_is_refused_in_one_line() -> None:
    with pytest.raises(LandingError, match="OCEL 1.0 JSON that pm4py cannot read .*OCEL 1.0 is not supported"):
        import_ocel(real(OCEL1), ":memory:", "order")


def test_cli_flattens_and_reports_one_line_errors(small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, out = str(tmp_path / "s.duckdb"), str(tmp_path / "out")
    code, stdout, err = run_cli(["import-log", str(small), "--object-type", "order", "--db", db, "--out", out], monkeypatch)
    assert code == 0, err
    assert "flattened on 'order'" in stdout and "2 cases, 6 events, 4 activities" in stdout
    assert "ocel_object_objects 3" in stdout
    code, _, err = run_cli(["import-log", str(small), "--db", db], monkeypatch)
    assert code == 1 and err.count("\n") == 1 and "needs --object-type" in err and "order (2)" in err
    code, _, err = run_cli(["import-log", str(small), "--object-type", "order", "--case", "x", "--db", db], monkeypatch)
    assert code == 1 and err.count("\n") == 1 and "not the column and time options" in err


@pytest.mark.parametrize("path, object_type", [(ORDER_MANAGEMENT, "orders"), (ORDER_MANAGEMENT, "items"),
                                               (CONTAINERS, "Container")])
def test_real_logs_flatten_as_pm4py(path: Path, object_type: str) -> None:
    con = duckdb.connect(":memory:")
    imported = import_ocel(real(path), con, object_type)
    assert_flattened_as_pm4py(con, imported, path, object_type)
