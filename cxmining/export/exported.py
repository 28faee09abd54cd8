"""`cxmining export`: the store's journeys written as one file for other tools, in the format asked for."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cxmining.errors import CxminingError, StoreError
from cxmining.export.event_table import exported_events, written_event_table
from cxmining.export.ocel import SUFFIXES as OCEL_SUFFIXES
from cxmining.export.ocel import ocel_objects, written_ocel
from cxmining.export.xes import written_xes
from cxmining.store import MEMORY_LIMIT, connect

# DuckDB's memory for an export unless CXMINING_MEMORY_LIMIT says otherwise: beyond it the sorts spill to disk, so a
# large export does not take the nightly run's memory (bench/export.py, docs/export.md)
EXPORT_MEMORY = "512MB"
FORMATS: dict[str, tuple[str, ...]] = {  # format -> the file endings it is written as
    "xes": (".xes", ".xes.gz"),
    "csv": (".csv", ".parquet"),
    "ocel": OCEL_SUFFIXES,
}


@dataclass(frozen=True)
class Export:
    """A file written by `cxmining export` and what is in it."""

    path: Path
    format: str
    cases: int
    events: int
    objects: int | None  # OCEL only
    bytes: int


def checked_target(out: Path, format: str) -> None:
    """A one-line error unless `format` is known and `out` ends as that format is written, in a folder that exists."""
    if format not in FORMATS:
        raise CxminingError(f"--format {format!r}: use one of {', '.join(FORMATS)}")
    if not out.name.lower().endswith(FORMATS[format]):
        raise CxminingError(f"--out {out}: an export as {format} ends in {' or '.join(FORMATS[format])}")
    if not out.parent.is_dir():
        raise CxminingError(f"--out {out}: folder {out.parent} does not exist")
    if out.is_dir():
        raise CxminingError(f"--out {out}: is a folder")


def exported_file(db: Path, out: Path, format: str, journey_type: str | None = None) -> Export:
    """Write the journeys of the store file `db` (read-only; the caller picks the snapshot or the live store) to
    `out` as `format` (xes, csv, ocel), only those of `journey_type` when given; what was written."""
    checked_target(out, format)
    if not Path(db).is_file():
        raise StoreError(f"{db}: store not found (run `cxmining run` or `cxmining import-log` first)")
    objects = None
    # read-only, but not query_connection's sandbox: COPY writes the CSV/Parquet file; nothing reaches the store
    con = connect(db, read_only=True, memory_limit=os.environ.get(MEMORY_LIMIT) or EXPORT_MEMORY)
    try:
        events = exported_events(con, journey_type)
        if format == "xes":
            written_xes(con, events, out)
        elif format == "csv":
            written_event_table(con, events, out)
        else:
            objects = ocel_objects(con, events)
            written_ocel(con, out)
    finally:
        con.close()
    return Export(out, format, events.cases, events.events, objects, out.stat().st_size)


def export_line(export: Export) -> str:
    """The one line `cxmining export` prints."""
    objects = "" if export.objects is None else f", {export.objects:,} objects"
    size = export.bytes
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            break
        size /= 1000
    shown = f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
    layout = {".parquet": "parquet", ".sqlite": "ocel sqlite", ".gz": "xes, gzip"}.get(Path(export.path).suffix, export.format)
    return f"wrote {export.path} ({layout}, {shown}): {export.cases:,} cases, {export.events:,} events{objects}"
