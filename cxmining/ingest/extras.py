"""A mapping's further columns on their way into the store: event attributes (`raw_attributes`), customer segments
(`raw_segments`) and what they mean (`attribute_dictionary`).

The names in SQL are the mapping's attribute and segment names, which the mapping allows only as lower-case letters,
digits and `_` (cxmining.ingest.mapping.EXTRA_NAME); their values are bound parameters.
"""

from __future__ import annotations

import duckdb

from cxmining.ingest.contract import Column, Source
from cxmining.ingest.mapping import SourceMapping
from cxmining.ingest.staging import BatchTables
from cxmining.store import relations

# How a row of an event source is named in `events.event_id` (sql/staging/events_of.sql): prefix and key column.
EVENT_IDS = {"calls": ("call:", "call_id"), "web": ("web:", "event_id")}
# The time a fact source's row happened: a segment's latest value is that of the customer's latest row.
ROW_TIMES = {"calls": "started_at", "web": "ts", "orders": "ts"}


def kept_extras(con: duckdb.DuckDBPyConnection, source: Source, tables: BatchTables) -> None:
    """Store the attributes and segments of the rows a batch inserts (inside its transaction). The customers source
    is a dimension: its latest delivery of a customer says what the customer's segments are, even when the rest of the
    row did not change (a duplicate of the stored row), and replaces what earlier deliveries said."""
    actions = "'insert', 'update', 'duplicate'" if source.name == "customers" else "'insert', 'update'"
    stored = f"(SELECT * FROM {tables.classified} WHERE _action IN ({actions}))"
    if source.name == "customers":
        con.execute(f"DELETE FROM raw_segments WHERE source = 'customers' AND customer_id IN "
                    f"(SELECT customer_id FROM {stored})")
    for column in source.extra_columns("attribute"):
        prefix, key = EVENT_IDS[source.name]
        con.execute(
            f"""
            INSERT INTO raw_attributes
            SELECT $source, $prefix || c.{key}, $name, {_text(column)}, {_number(column)}, {_time(column)}, f.sha256
            FROM {stored} AS c JOIN {tables.files} AS f USING (_file)
            WHERE c.{column.name} IS NOT NULL
            """,
            {"source": source.name, "prefix": prefix, "name": column.label},
        )
    for column in source.extra_columns("segment"):
        seen = f"c.{ROW_TIMES[source.name]}" if source.name in ROW_TIMES else "CAST(NULL AS TIMESTAMP)"
        latest = "QUALIFY row_number() OVER (PARTITION BY c.customer_id ORDER BY c._file DESC) = 1" \
            if source.kind == "dimension" else ""
        con.execute(
            f"""
            INSERT INTO raw_segments
            SELECT $source, c.customer_id, $name, c.{column.name}, {seen}, f.sha256
            FROM {stored} AS c JOIN {tables.files} AS f USING (_file)
            WHERE c.{column.name} IS NOT NULL AND c.customer_id IS NOT NULL
            {latest}
            """,
            {"source": source.name, "name": column.label},
        )


def _text(column: Column) -> str:
    if column.type == "timestamp":
        return f"strftime(c.{column.name}, '%Y-%m-%dT%H:%M:%S')"
    return f"CAST(c.{column.name} AS VARCHAR)"


def _number(column: Column) -> str:
    return f"CAST(c.{column.name} AS DOUBLE)" if column.type in ("integer", "decimal") else "CAST(NULL AS DOUBLE)"


def _time(column: Column) -> str:
    return f"c.{column.name}" if column.type == "timestamp" else "CAST(NULL AS TIMESTAMP)"


def record_attribute_dictionary(con: duckdb.DuckDBPyConnection, mapping: SourceMapping) -> list[str]:
    """Describe the source's declared attributes and segments in `attribute_dictionary` (replacing what an earlier
    mapping said of the same names; names it no longer declares stay described: the store may hold their values).
    Return the names declared for the first time."""
    source = mapping.read_source(mapping.source)
    rows = [(c.kind, mapping.source, c.label, mapping.file_column(c), c.type, c.personal, c.doc or None)
            for c in source.columns if c.kind != "contract"]
    known = set(con.execute("SELECT kind, name FROM attribute_dictionary WHERE source = $source",
                            {"source": mapping.source}).fetchall())
    for row in rows:
        con.execute("DELETE FROM attribute_dictionary WHERE kind = $1 AND source = $2 AND name = $3", list(row[:3]))
        con.execute("INSERT INTO attribute_dictionary VALUES ($1, $2, $3, $4, $5, $6, $7)", list(row))
    return [name for kind, _, name, *_ in rows if (kind, name) not in known]


def late_declaration_line(con: duckdb.DuckDBPyConnection, source: str, names: list[str]) -> str | None:
    """One warning line when attributes or segments are declared for a source whose files were loaded before: those
    rows were read without them and are not read again (None: nothing declared late)."""
    if not names:
        return None
    loaded = con.execute("SELECT count(*) FROM ingested_files WHERE source = $source AND status = 'loaded'",
                         {"source": source}).fetchone()[0]
    if not loaded:
        return None
    return (f"{source}: {', '.join(names)} declared after {loaded:,} file{'' if loaded == 1 else 's'} of {source} were "
            "loaded: their rows have no value of it (files are read once; a new store loads them all again)")


def declared_segments(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The segments the store's mappings declared and the rows gave values of (customer_segments), by name."""
    if "customer_segments" not in relations(con):
        return []
    return [name for (name,) in con.execute("SELECT DISTINCT segment FROM customer_segments ORDER BY 1").fetchall()]
