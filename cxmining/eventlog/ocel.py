"""Object-centric event logs (OCEL 2.0, and OCEL 1.0 JSON where pm4py reads it) flattened on one object type into
imported_events, exactly as pm4py.ocel_flattening does, with the objects and their relations kept beside them."""

from __future__ import annotations

import difflib
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from cxmining.errors import LandingError, MappingError, first_line
from cxmining.eventlog.imported import (
    LOG_COUNTS,
    OCEL_TABLE_FILES,
    OCEL_TABLES,
    TABLE_FILE,
    VIEW_FILE,
    ImportedLog,
    ensure_no_foreign_journey_events,
    forget_log,
    log_name,
)
from cxmining.eventlog.reader import quoted
from cxmining.store import opened, registered, sql_text, transaction, utc_now

if TYPE_CHECKING:
    from cxmining.mining.pm4py_bridge import ObjectCentricLog

# File name endings of object-centric logs, longest first so `.jsonocel` is not read as `.json` plus `ocel`.
OCEL_ENDINGS = (".jsonocel", ".xmlocel", ".sqlite", ".json", ".xml")
OCEL1_KEYS = (b'"ocel:global-log"', b'"ocel:events"')  # top-level keys of the OCEL 1.0 JSON layout
FIXED_EVENT_COLUMNS = ("event_id", "activity", "ts", "position")

# pm4py.ocel_flattening: the objects of the type are the cases; an event joins the case of every object of the type
# it involves (once per object); within a case events follow time, ties in pm4py's event order (`position`).
INSERT_FLATTENED = """
INSERT INTO imported_events
SELECT $name, $name || ':' || e.event_id, r.object_id, e.activity, e.ts,
       row_number() OVER (PARTITION BY r.object_id ORDER BY e.ts, e.position),
       {lane}, CAST(NULL AS VARCHAR), $imported_at
FROM {events} AS e
JOIN (SELECT DISTINCT r.object_id, r.event_id
      FROM {relations} AS r JOIN {objects} AS o ON o.object_id = r.object_id AND o.object_type = $type
      WHERE r.object_type = $type) AS r ON r.event_id = e.event_id
WHERE e.ts IS NOT NULL AND e.activity IS NOT NULL
"""
UNUSABLE_EVENTS = """
SELECT count(*) FROM {events} AS e
WHERE (e.ts IS NULL OR e.activity IS NULL)
  AND e.event_id IN (SELECT r.event_id FROM {relations} AS r WHERE r.object_type = $type)
"""
INSERT_EVENTS = "INSERT INTO ocel_events SELECT $name, event_id, activity, ts, {attributes} FROM {events} ORDER BY position"
INSERT_OBJECTS = "INSERT INTO ocel_objects SELECT $name, object_id, object_type, {attributes} FROM {objects}"
INSERT_EVENT_OBJECTS = ("INSERT INTO ocel_event_objects "
                        "SELECT $name, event_id, object_id, CAST(qualifier AS VARCHAR) FROM {relations}")
INSERT_OBJECT_OBJECTS = ("INSERT INTO ocel_object_objects "
                         "SELECT $name, from_object_id, to_object_id, CAST(qualifier AS VARCHAR) FROM {o2o}")
OBJECT_TYPES = "SELECT object_type, count(*) FROM {objects} GROUP BY 1 ORDER BY 2 DESC, 1"


@dataclass(frozen=True)
class ImportedOcel:
    """What one OCEL import wrote: the flattened log's counts, the object type it was flattened on, and the rows of
    the object-centric tables."""

    log: ImportedLog
    object_type: str
    tables: dict[str, int]


@dataclass(frozen=True)
class OcelFrames:
    """The names under which one import's pm4py frames are visible to SQL (made unique per import)."""

    events: str
    objects: str
    relations: str
    o2o: str


def is_ocel_file(path: Path) -> bool:
    """Whether the file name announces an object-centric log (.sqlite, .jsonocel, .json, .xmlocel, .xml)."""
    return path.name.lower().endswith(OCEL_ENDINGS)


def ocel_stem(path: Path) -> str:
    """The file name without its OCEL ending: `orders.jsonocel` -> `orders`."""
    name = path.name
    for ending in OCEL_ENDINGS:
        if name.lower().endswith(ending):
            return name[: -len(ending)]
    return path.stem


def ocel_version(path: Path) -> str:
    """`1.0` for JSON in the OCEL 1.0 layout (its `ocel:` top-level keys appear in the first bytes), else `2.0`."""
    if not path.name.lower().endswith((".jsonocel", ".json")):
        return "2.0"
    with path.open("rb") as file:
        head = file.read(1 << 16)
    return "1.0" if any(key in head for key in OCEL1_KEYS) else "2.0"


def read_ocel(path: Path) -> ObjectCentricLog:
    """The object-centric log in the file, read by pm4py; a LandingError naming the file when pm4py cannot read it."""
    if not path.is_file():
        raise LandingError(f"{path}: no such file")
    from cxmining.mining import pm4py_bridge as pm  # the one door to pm4py

    version = ocel_version(path)
    try:
        return pm.object_centric_log(path, version)
    except Exception as exc:  # noqa: BLE001 - pm4py raises bare exceptions (KeyError, OSError, ...) on bad files
        problem = f"{type(exc).__name__}: {first_line(exc)}"
        if version == "1.0":
            raise LandingError(f"{path}: OCEL 1.0 JSON that pm4py cannot read ({problem}); OCEL 1.0 is not supported "
                               "beyond what pm4py.read_ocel reads: convert the log to OCEL 2.0") from exc
        raise LandingError(f"{path}: not a readable OCEL 2.0 file ({problem})") from exc


@contextmanager
def ocel_frames(con: duckdb.DuckDBPyConnection, log: ObjectCentricLog) -> Iterator[OcelFrames]:
    """The log's frames registered in DuckDB under names unique to this import, for the block."""
    tag = uuid.uuid4().hex[:12]
    frames = OcelFrames(f"_ocel_events_{tag}", f"_ocel_objects_{tag}", f"_ocel_relations_{tag}", f"_ocel_o2o_{tag}")
    with ExitStack() as stack:
        for name, frame in ((frames.events, log.events), (frames.objects, log.objects),
                            (frames.relations, log.relations), (frames.o2o, log.o2o)):
            stack.enter_context(registered(con, name, frame))
        yield frames


def object_types(con: duckdb.DuckDBPyConnection, frames: OcelFrames) -> dict[str, int]:
    """Object type -> number of objects, most objects first."""
    return dict(con.execute(OBJECT_TYPES.format(objects=frames.objects)).fetchall())


def listed(types: dict[str, int]) -> str:
    """`orders (2000), items (7670)`: the object types for a message."""
    return ", ".join(f"{kind} ({count})" for kind, count in types.items())


def chosen_type(path: Path, object_type: str | None, types: dict[str, int]) -> str:
    """The object type to flatten on, checked against the file's types (a MappingError listing them otherwise)."""
    if object_type is None:
        raise MappingError(f"{path}: an object-centric log needs --object-type, the object whose life is a case; "
                           f"object types (objects): {listed(types)}")
    if object_type not in types:
        near = difflib.get_close_matches(object_type, list(types), n=1)
        hint = f"did you mean {near[0]!r}? " if near else ""
        raise MappingError(f"{path}: no object type {object_type!r} for --object-type; {hint}"
                           f"object types (objects): {listed(types)}")
    return object_type


def lane_sql(path: Path, lane: str | None, log: ObjectCentricLog) -> str:
    """SQL for the lane column: an event attribute named by --lane (as text), or NULL."""
    if lane is None:
        return "CAST(NULL AS VARCHAR)"
    attributes = [c for c in log.events.columns if c not in FIXED_EVENT_COLUMNS]
    if lane not in attributes:
        shown = ", ".join(map(str, attributes)) or "none"
        raise MappingError(f"{path}: no event attribute {lane!r} for --lane; event attributes are {shown}")
    return f"nullif(trim(CAST(e.{quoted(lane)} AS VARCHAR)), '')"


def attributes_sql(columns: list[str]) -> tuple[str, dict[str, str]]:
    """SQL for a JSON object of the named attribute columns that have a value, values as text (NULL when none), and
    the attribute names it binds as keys."""
    if not columns:
        return "CAST(NULL AS VARCHAR)", {}
    pairs = ", ".join(f"{{'k': $key{i}, 'v': CAST({quoted(c)} AS VARCHAR)}}" for i, c in enumerate(columns))
    kept = f"list_filter([{pairs}], lambda x: x.v IS NOT NULL)"
    sql = f"CASE WHEN len({kept}) > 0 THEN CAST(to_json(map_from_entries({kept})) AS VARCHAR) END"
    return sql, {f"key{i}": str(c) for i, c in enumerate(columns)}


def write_ocel(con: duckdb.DuckDBPyConnection, frames: OcelFrames, log: ObjectCentricLog, name: str, object_type: str,
               lane: str, path: Path, db: object) -> None:
    """Replace log `name` in imported_events (flattened on `object_type`) and the ocel_* tables, atomically; a
    MappingError, and the store as it was, when no event involves an object of the type."""
    event_attributes = [c for c in log.events.columns if c not in FIXED_EVENT_COLUMNS]
    object_attributes = [c for c in log.objects.columns if c not in ("object_id", "object_type")]
    with transaction(con):
        con.execute(sql_text(TABLE_FILE))
        for relative in OCEL_TABLE_FILES:
            con.execute(sql_text(relative))
        ensure_no_foreign_journey_events(con, db)
        forget_log(con, name)
        bound = {"name": name}
        flattened = con.execute(INSERT_FLATTENED.format(lane=lane, events=frames.events, relations=frames.relations,
                                                        objects=frames.objects),
                                bound | {"type": object_type, "imported_at": utc_now()}).fetchall()[0][0]
        if flattened == 0:
            raise MappingError(f"{path}: no event involves an object of type {object_type!r}; nothing to mine")
        attributes, keys = attributes_sql(event_attributes)
        con.execute(INSERT_EVENTS.format(attributes=attributes, events=frames.events), bound | keys)
        attributes, keys = attributes_sql(object_attributes)
        con.execute(INSERT_OBJECTS.format(attributes=attributes, objects=frames.objects), bound | keys)
        con.execute(INSERT_EVENT_OBJECTS.format(relations=frames.relations), bound)
        if len(log.o2o):
            con.execute(INSERT_OBJECT_OBJECTS.format(o2o=frames.o2o), bound)
        con.execute(sql_text(VIEW_FILE))


def import_ocel(path: str | Path, db: str | Path | duckdb.DuckDBPyConnection, object_type: str | None,
                name: str | None = None, lane: str | None = None) -> ImportedOcel:
    """Import an object-centric log flattened on `object_type` (one case per object of that type, as
    pm4py.ocel_flattening), with its events, objects and relations in the ocel_* tables; replaces a log of the same
    name."""
    began = time.perf_counter()
    path = Path(path)
    chosen = log_name(path, ocel_stem(path) if name is None else name)
    log = read_ocel(path)
    with opened(db) as con, ocel_frames(con, log) as frames:
        kind = chosen_type(path, object_type, object_types(con, frames))
        lane_column = lane_sql(path, lane, log)
        unusable = con.execute(UNUSABLE_EVENTS.format(events=frames.events, relations=frames.relations),
                               {"type": kind}).fetchall()[0][0]
        write_ocel(con, frames, log, chosen, kind, lane_column, path, db)
        cases, events, activities = con.execute(LOG_COUNTS, {"name": chosen}).fetchall()[0]
        tables = {table: con.execute(f"SELECT count(*) FROM {table} WHERE log_name = $name",
                                     {"name": chosen}).fetchall()[0][0] for table in OCEL_TABLES}
    imported = ImportedLog(name=chosen, cases=cases, events=events, activities=activities, skipped=unusable,
                           filtered=0, seconds=time.perf_counter() - began, reader=f"pm4py OCEL {log.version}")
    return ImportedOcel(imported, kind, tables)
