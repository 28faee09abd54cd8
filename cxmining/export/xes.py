"""The exported events as an XES (IEEE 1849-2016) file, streamed from DuckDB in batches: a trace per case with its
journey's columns, an event per row; gzip-compressed when the file ends in .xes.gz."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import quoteattr

import duckdb

from cxmining.export.event_table import ACTIVITY, CASE, ISO_TIME, ExportedEvents, batches
from cxmining.store.outputs import whole_file

# XES attribute key -> export_events column, as far as export_events has it (NULL values are left out, not written)
TRACE_ATTRIBUTES = (("journey_type", "case:journey_type"), ("customer_id", "case:customer_id"),
                    ("order_id", "case:order_id"), ("sales_channel", "case:sales_channel"))
EVENT_ATTRIBUTES = (("lane", "lane"), ("channel", "channel"), ("event_id", "event_id"))
REPEATED = 65_536  # distinct activities, lanes and channels whose escaped text is kept: they recur on every trace
HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">
\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
\t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
\t<global scope="trace">
\t\t<string key="concept:name" value="__INVALID__"/>
\t</global>
\t<global scope="event">
\t\t<string key="concept:name" value="__INVALID__"/>
\t\t<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
\t</global>
\t<classifier name="Activity" keys="concept:name"/>
\t<string key="concept:name" value={name}/>
"""
# characters XML 1.0 cannot carry even escaped: replaced, so the file stays well-formed
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _attribute(value: object) -> str:
    """`value` as a quoted, escaped XML attribute value."""
    return quoteattr(NOT_XML.sub("\ufffd", str(value)), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


_repeated_attribute = lru_cache(maxsize=REPEATED)(_attribute)


def xes_lines(con: duckdb.DuckDBPyConnection, events: ExportedEvents, name: str) -> Iterator[str]:
    """The XES document of `export_events`, a batch of lines at a time (traces in case order, events in journey order)."""
    traces = [(key, column) for key, column in TRACE_ATTRIBUTES if column in events.columns]
    extras = [(key, column) for key, column in EVENT_ATTRIBUTES if column in events.columns]
    escapers = [(key, _attribute if key == "event_id" else _repeated_attribute) for key, _ in extras]
    # the columns come from the fixed lists above; times formatted by DuckDB, in UTC with the offset written out
    columns = [f'"{CASE}"', f'"{ACTIVITY}"', ISO_TIME]
    columns += [f'"{column}"' for _, column in traces + extras]
    result = con.execute(f"SELECT {', '.join(columns)} FROM export_events ORDER BY \"{CASE}\", event_order")
    yield HEADER.format(name=_attribute(name))
    case = None
    for rows in batches(result):
        lines = []
        for row in rows:
            if row[0] != case:
                if case is not None:
                    lines.append("\t</trace>\n")
                case = row[0]
                lines.append(f'\t<trace>\n\t\t<string key="concept:name" value={_attribute(case)}/>\n')
                lines.extend(f"\t\t<string key=\"{key}\" value={_attribute(value)}/>\n"
                             for (key, _), value in zip(traces, row[3:3 + len(traces)]) if value is not None)
            lines.append(f"\t\t<event>\n\t\t\t<string key=\"concept:name\" value={_repeated_attribute(row[1])}/>\n"
                         f"\t\t\t<date key=\"time:timestamp\" value=\"{row[2]}\"/>\n")
            lines.extend(f"\t\t\t<string key=\"{key}\" value={escaped(value)}/>\n"
                         for (key, escaped), value in zip(escapers, row[3 + len(traces):]) if value is not None)
            lines.append("\t\t</event>\n")
        yield "".join(lines)
    if case is not None:
        yield "\t</trace>\n"
    yield "</log>\n"


def written_xes(con: duckdb.DuckDBPyConnection, events: ExportedEvents, path: Path) -> Path:
    """`path`, the XES file of `export_events`, written whole (gzip when it ends in .gz)."""
    name = path.name.removesuffix(".gz").removesuffix(".xes")
    with whole_file(path, binary=True) as handle:
        if path.suffix.lower() == ".gz":
            with gzip.GzipFile(filename="", mode="wb", fileobj=handle, compresslevel=6, mtime=0) as packed:
                for text in xes_lines(con, events, name):
                    packed.write(text.encode("utf-8"))
        else:
            for text in xes_lines(con, events, name):
                handle.write(text.encode("utf-8"))
    return path
