"""The exported journeys as an OCEL 2.0 object-centric event log: the events with the objects they touch
(customers, orders, products, calls, web sessions and the journeys themselves), as OCEL 2.0 JSON (.jsonocel,
.json) or SQLite (.sqlite), the layouts pm4py's `read_ocel2_json` / `read_ocel2_sqlite` read. Streamed from the
temporary tables `ocel_relations` and `ocel_objects` in batches."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import duckdb

from cxmining.errors import CxminingError
from cxmining.export.event_table import ACTIVITY, ISO_TIME, TIMESTAMP, ExportedEvents, batches, exported_activities
from cxmining.store import run_sql
from cxmining.store.outputs import whole_file, whole_path

RELATIONS_FILE = "export/ocel_relations.sql"
OBJECTS_FILE = "export/ocel_objects.sql"
SUFFIXES = (".jsonocel", ".json", ".sqlite")
# object type -> its attributes (name, OCEL type): the columns of ocel_objects it carries; nothing personal
OBJECT_TYPES = {
    "customer": (),
    "order": (),
    "product": (("name", "string"), ("category", "string"), ("price", "float")),
    "call": (),
    "session": (),
    "journey": (("journey_type", "string"),),
}
EVENT_ATTRIBUTES = (("channel", "string"), ("lane", "string"))
UNCHANGED_SINCE = "1970-01-01T00:00:00Z"  # OCEL 2.0's time of an attribute value that never changed
EVENTS_QUERY = f"""
SELECT e.event_id, e."{ACTIVITY}", {ISO_TIME}, e.channel, e.lane, r.object_id, r.qualifier
FROM export_events AS e LEFT JOIN ocel_relations AS r USING (event_id)
-- time order, a journey's ties in its own order; an event's relations in a row (grouped as they stream past)
ORDER BY e."{TIMESTAMP}", e."case:concept:name", e.event_order, r.object_id
"""
OBJECTS_QUERY = "SELECT object_id, object_type, name, category, price, journey_type FROM ocel_objects ORDER BY object_type, object_id"
OBJECT_COLUMNS = ("name", "category", "price", "journey_type")  # after object_id, object_type in OBJECTS_QUERY


def ocel_objects(con: duckdb.DuckDBPyConnection, events: ExportedEvents) -> int:
    """Fill the temporary tables `ocel_relations` and `ocel_objects` from `export_events`; the number of objects.
    An imported log has no object ids: a one-line error saying so."""
    if events.imported_log:
        raise CxminingError("--format ocel: the store holds an imported log, whose events name only their case, not "
                            "the customers, orders, products, calls and sessions an object-centric log is made of; "
                            "export it as xes or csv")
    run_sql(con, RELATIONS_FILE)
    run_sql(con, OBJECTS_FILE)
    return con.execute("SELECT count(*) FROM ocel_objects").fetchone()[0]


def _object_attributes(object_type: str, row: tuple) -> list[dict]:
    """The OCEL attributes of an `OBJECTS_QUERY` row that its type has and that are known."""
    values = dict(zip(OBJECT_COLUMNS, row[2:]))
    return [{"name": name, "time": UNCHANGED_SINCE, "value": values[name]}
            for name, _ in OBJECT_TYPES[object_type] if values[name] is not None]


def ocel_json_chunks(con: duckdb.DuckDBPyConnection) -> Iterator[str]:
    """The OCEL 2.0 JSON document of the export's tables, a batch at a time."""
    activities = exported_activities(con)
    head = {
        "objectTypes": [{"name": name, "attributes": [{"name": a, "type": t} for a, t in attributes]}
                        for name, attributes in OBJECT_TYPES.items()],
        "eventTypes": [{"name": activity, "attributes": [{"name": a, "type": t} for a, t in EVENT_ATTRIBUTES]}
                       for activity in activities],
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ',\n"objects": ['
    first = True
    for rows in batches(con.execute(OBJECTS_QUERY)):
        parts = []
        for row in rows:
            item = {"id": row[0], "type": row[1]}
            if attributes := _object_attributes(row[1], row):
                item["attributes"] = attributes
            parts.append(json.dumps(item, ensure_ascii=False))
        yield ("" if first else ",\n") + ",\n".join(parts)
        first = False
    yield '],\n"events": ['
    first, event = True, None
    for rows in batches(con.execute(EVENTS_QUERY)):
        parts = []
        for event_id, activity, time, channel, lane, object_id, qualifier in rows:
            if event is None or event["id"] != event_id:
                if event is not None:
                    parts.append(json.dumps(event, ensure_ascii=False))
                event = {"id": event_id, "type": activity, "time": time,
                         "attributes": [{"name": name, "value": value} for (name, _), value
                                        in zip(EVENT_ATTRIBUTES, (channel, lane)) if value is not None],
                         "relationships": []}
            if object_id is not None:
                event["relationships"].append({"objectId": object_id, "qualifier": qualifier})
        if parts:
            yield ("" if first else ",\n") + ",\n".join(parts)
            first = False
    if event is not None:
        yield ("" if first else ",\n") + json.dumps(event, ensure_ascii=False)
    yield "]}\n"


def _table_names(types: list[str]) -> dict[str, str]:
    """Each type's table-name part: its letters and digits (so no data reaches SQL as anything but a plain name),
    made unique with a number, as pm4py does."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for name in types:
        base = re.sub(r"[^0-9A-Za-z]+", "", "".join(word.capitalize() for word in name.split(" ")))[:100] or "Type"
        candidate, number = base, 2
        while candidate.casefold() in used:
            candidate, number = f"{base}_{number}", number + 1
        used.add(candidate.casefold())
        names[name] = candidate
    return names


def _ocel_sqlite(con: duckdb.DuckDBPyConnection, target: sqlite3.Connection) -> None:
    """Write the OCEL 2.0 SQLite tables of the export into `target`: event, object, the type maps, event_object,
    object_object, one event_<type> table per activity and one object_<type> table per object type."""
    activities = exported_activities(con)
    event_tables, object_tables = _table_names(activities), _table_names(list(OBJECT_TYPES))
    target.executescript("""
        CREATE TABLE event (ocel_id TEXT PRIMARY KEY, ocel_type TEXT);
        CREATE TABLE object (ocel_id TEXT PRIMARY KEY, ocel_type TEXT);
        CREATE TABLE event_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT);
        CREATE TABLE object_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT);
        CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT, ocel_qualifier TEXT,
                                   PRIMARY KEY (ocel_event_id, ocel_object_id, ocel_qualifier));
        CREATE TABLE object_object (ocel_source_id TEXT, ocel_target_id TEXT, ocel_qualifier TEXT,
                                    PRIMARY KEY (ocel_source_id, ocel_target_id, ocel_qualifier));
    """)
    target.executemany("INSERT INTO event_map_type VALUES (?, ?)", event_tables.items())
    target.executemany("INSERT INTO object_map_type VALUES (?, ?)", object_tables.items())
    event_columns = ", ".join(f'"{name}" TEXT' for name, _ in EVENT_ATTRIBUTES)
    for table in event_tables.values():  # letters, digits and _ only (_table_names)
        target.execute(f'CREATE TABLE "event_{table}" (ocel_id TEXT PRIMARY KEY, ocel_time TIMESTAMP, {event_columns})')
    sqlite_types = {"string": "TEXT", "float": "REAL"}
    for object_type, table in object_tables.items():
        columns = "".join(f', "{name}" {sqlite_types[kind]}' for name, kind in OBJECT_TYPES[object_type])
        target.execute(f'CREATE TABLE "object_{table}" (ocel_id TEXT, ocel_time TIMESTAMP, ocel_changed_field TEXT{columns})')
    times = "strftime(\"time:timestamp\", '%Y-%m-%d %H:%M:%S.%f')"  # naive UTC: SQLite has no zones
    for rows in batches(con.execute(f'SELECT event_id, "{ACTIVITY}", {times}, channel, lane FROM export_events '
                                     f'ORDER BY "{TIMESTAMP}", "case:concept:name", event_order')):
        target.executemany("INSERT INTO event VALUES (?, ?)", [row[:2] for row in rows])
        by_activity: dict[str, list[tuple]] = {}
        for event_id, activity, time, channel, lane in rows:
            by_activity.setdefault(activity, []).append((event_id, time, channel, lane))
        for activity, typed in by_activity.items():
            target.executemany(f'INSERT INTO "event_{event_tables[activity]}" VALUES (?, ?, ?, ?)', typed)
    for rows in batches(con.execute(OBJECTS_QUERY)):
        target.executemany("INSERT INTO object VALUES (?, ?)", [row[:2] for row in rows])
        for object_type, table in object_tables.items():
            names = [name for name, _ in OBJECT_TYPES[object_type]]
            placeholders = ", ".join("?" for _ in range(3 + len(names)))
            target.executemany(
                f'INSERT INTO "object_{table}" VALUES ({placeholders})',
                [(row[0], "1970-01-01 00:00:00", None, *(dict(zip(OBJECT_COLUMNS, row[2:]))[n] for n in names))
                 for row in rows if row[1] == object_type])
    for rows in batches(con.execute("SELECT event_id, object_id, qualifier FROM ocel_relations ORDER BY event_id, object_id")):
        target.executemany("INSERT INTO event_object VALUES (?, ?, ?)", rows)


def written_ocel(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    """`path`, the OCEL 2.0 log of the export's tables (`ocel_objects` first), written whole: SQLite when it ends in
    .sqlite, else JSON."""
    if path.suffix.lower() == ".sqlite":
        with whole_path(path) as temporary:
            target = sqlite3.connect(temporary)
            try:
                with target:  # one transaction: fast, and all or nothing
                    _ocel_sqlite(con, target)
            finally:
                target.close()
        return path
    with whole_file(path) as handle:
        for text in ocel_json_chunks(con):
            handle.write(text)
    return path
