"""Type and rule checks of staged records, as one DuckDB query built from the contract.

Every broken rule of a row is named in its `_reason` (NULL for a valid row); typed values are
computed alongside, timestamps normalised to UTC.
"""

from __future__ import annotations

from datetime import timedelta

import duckdb

from cxmining.ingest.contract import Column, Source
from cxmining.ingest.mapping import SourceMapping
from cxmining.ingest.staging import BatchTables
from cxmining.ingest.timestamps import PATTERNS, utc_timestamp_sql
from cxmining.store import used_params, utc_now

SQL_TYPES = {"text": "VARCHAR", "integer": "BIGINT", "decimal": "DECIMAL(18, 4)", "timestamp": "TIMESTAMP"}
# A mapping's decimal attribute is whatever the export holds (a score, a rate with many places): a double, not the
# contract's money-sized decimal, so that nothing is rounded to 4 places.
ATTRIBUTE_DECIMAL = "DOUBLE"
# What the contract's types look like as text: nothing is rounded, read as hex or taken from a zone name. A timestamp is
# ISO 8601 (a date, or a date and clock time with an optional `Z` or offset of at most 14 hours); `10:00 CET`,
# `Europe/Amsterdam`, `+25:00`, `infinity` and `epoch` are refused rather than read as something else.
SHAPES = {
    "iso_timestamp": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?"
                     r"\s*([Zz]|[+-](0[0-9]|1[0-4])(:?[0-5][0-9])?)?)?$",
    "whole_number": r"^\s*[+-]?[0-9]+([.]0*)?\s*$",  # 3 or 3.0 (a float column of an export), never 0.5 or 0x10
    "number": r"^\s*[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?\s*$",
}
SHAPE_OF = {"timestamp": "iso_timestamp", "integer": "whole_number", "decimal": "number"}
SHOWN_CHARS = 40  # a longer bad value (free text) is not quoted in a reason; the full row is in raw_text
PERSONAL = {  # values a reason does not quote
    "personal_like": r"@|^\s*\+?[0-9][0-9 ()./-]{6,}\s*$",  # an e-mail address, a phone number in any notation
    "date_like": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}",  # ...but a date is a date
    "text_like": r"\pL{2,}\s+\pL{2,}\s+\pL{2,}",  # three words or more: free text such as a call note, not a code
}


def stage_checked(con: duckdb.DuckDBPyConnection, source_name: str, mapping: SourceMapping, tables: BatchTables) -> None:
    """Create `tables.checked` from `tables.records`: typed values and the reasons each row is invalid."""
    sql, params = checked_sql(mapping.read_source(source_name), mapping, tables)
    con.execute(sql, params)


def checked_sql(source: Source, mapping: SourceMapping, tables: BatchTables) -> tuple[str, dict]:
    """The CREATE TABLE statement for `tables.checked` and its bound parameters."""
    now = utc_now()  # plausible timestamps: from `plausible_years` before the run to a day after it
    params: dict = {"zone": mapping.timezone, **PATTERNS, **SHAPES, **PERSONAL, "latest": now + timedelta(days=1),
                    "earliest": now.replace(year=now.year - mapping.plausible_years, day=min(now.day, 28)),
                    "years": str(mapping.plausible_years)}
    typed, reasons = [], []
    for i, column in enumerate(source.columns):
        typed.append(f"{_typed(column)} AS {column.name}")
        reasons.extend(_reasons(column, i, params))
    rules = [f"CASE WHEN {condition} THEN $rule{j} END" for j, (condition, _) in enumerate(source.row_rules)]
    params |= {f"rule{j}": message for j, (_, message) in enumerate(source.row_rules)}
    sql = f"""
        CREATE TEMP TABLE {tables.checked} AS
        WITH typed AS (
            SELECT _file, _ord, {', '.join(typed)},
                   NULLIF(concat_ws('; ', {', '.join(reasons)}), '') AS _column_reason
            FROM {tables.records}
        )
        SELECT * EXCLUDE (_column_reason),
               NULLIF(concat_ws('; ', {', '.join(['_column_reason', *rules])}), '') AS _reason
        FROM typed
    """
    return sql, used_params(sql, params)


def _typed(column: Column) -> str:
    """Expression giving the column's typed value (NULL when it does not have its type's shape, SHAPES)."""
    v = column.name
    if column.type == "text":
        return v
    sql_type = ATTRIBUTE_DECIMAL if column.type == "decimal" and column.kind == "attribute" else SQL_TYPES[column.type]
    value = utc_timestamp_sql(v) if column.type == "timestamp" else f"TRY_CAST({v} AS {sql_type})"
    return f"CASE WHEN regexp_matches({v}, ${SHAPE_OF[column.type]}) THEN {value} END"


def _reasons(column: Column, i: int, params: dict) -> list[str]:
    """CASE expressions, one per rule of the column, each NULL or a message naming the value."""
    v, name = column.name, column.shown_name
    # a value that looks like personal data (a row shifted by a column puts phone numbers, e-mail addresses or note
    # text where a code was expected) is not quoted: reasons reach logs, summaries and analysts; raw_text keeps it
    shown = "'(personal data, not shown: see raw_text)'" if column.personal else (
             f"CASE WHEN regexp_matches({v}, $personal_like) AND NOT regexp_matches({v}, $date_like) "
             f"OR regexp_matches({v}, $text_like) OR length({v}) > {SHOWN_CHARS} THEN '(a value that may be personal data, not shown: see raw_text)' "
             f"ELSE '''' || replace({v}, chr(0), '\\0') || '''' END")
    out = [f"CASE WHEN contains({v}, chr(0)) THEN '{name}: contains a NUL byte' END"]
    if column.required:
        out.append(f"CASE WHEN {v} IS NULL THEN '{name}: missing (required)' END")
    if column.allowed:
        params[f"allowed{i}"] = list(column.allowed)
        params[f"allowed_text{i}"] = " is not one of " + ", ".join(column.allowed)
        out.append(
            f"CASE WHEN {v} IS NOT NULL AND NOT list_contains($allowed{i}, {v}) "
            f"THEN '{name}: ' || {shown} || $allowed_text{i} END"
        )
    if column.type == "timestamp":
        # an event's time must be plausible; an attribute's may lie at any time (a contract's end, a birth year)
        window = "" if column.kind == "attribute" else (
            f"WHEN {_typed(column)} > $latest "
            f"THEN '{name}: ' || {shown} || ' is more than a day after the run' "
            f"WHEN {_typed(column)} < $earliest "
            f"THEN '{name}: ' || {shown} || ' is more than ' || $years || ' years before the run' ")
        out.append(
            f"CASE WHEN {v} IS NOT NULL AND ({_typed(column)}) IS NULL "
            f"THEN '{name}: ' || {shown} || ' is not an ISO-8601 timestamp' {window}END"
        )
    elif column.type in ("integer", "decimal"):
        word = "a whole number" if column.type == "integer" else "a number"
        out.append(
            f"CASE WHEN {v} IS NOT NULL AND {_typed(column)} IS NULL "
            f"THEN '{name}: ' || {shown} || ' is not {word}' END"
        )
        if column.minimum is not None:
            params[f"min{i}"] = column.minimum
            out.append(
                f"CASE WHEN {_typed(column)} < $min{i} "
                f"THEN '{name}: ' || {shown} || ' is below the minimum {column.minimum:g}' END"
            )
    return out
