"""Ingesting a landing folder source by source: the functions the nightly flow's tasks call."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import duckdb

from cxmining.ingest.contact_noun import record_contact_noun
from cxmining.ingest.contract import sources_in_load_order
from cxmining.ingest.extras import late_declaration_line, record_attribute_dictionary
from cxmining.ingest.landing import landing_files
from cxmining.ingest.load import FileReport, ingest_files
from cxmining.ingest.mapping import SourceMapping, load_mapping
from cxmining.store import ensure_schema, opened, transaction

LOG = logging.getLogger(__name__)


def source_reports(
    db: str | Path | duckdb.DuckDBPyConnection,
    landing: Path,
    source: str,
    run_id: str,
    mapping_file: Path | None = None,
    on_file: Callable[[FileReport], None] | None = None,
) -> list[FileReport]:
    """Load every not-yet-ingested file of one source; report what happened to each file."""
    mapping = load_mapping(mapping_file).for_source(source)
    with opened(db) as con:
        ensure_schema(con)
        if source == "calls":
            record_call_reason_template(con, mapping)
            record_contact_noun(con, mapping.reasons.contact_noun)
        with transaction(con):
            late = late_declaration_line(con, source, record_attribute_dictionary(con, mapping))
        if late:
            LOG.warning(late)
        return ingest_files(con, landing_files(landing, source), mapping, run_id, on_file)


def landing_reports(
    db: str | Path | duckdb.DuckDBPyConnection,
    landing: Path,
    run_id: str,
    mapping_file: Path | None = None,
    on_file: Callable[[FileReport], None] | None = None,
) -> list[FileReport]:
    """Load every source of a landing folder in dependency order (without Prefect)."""
    reports = []
    for source in sources_in_load_order():
        reports += source_reports(db, landing, source.name, run_id, mapping_file, on_file)
    return reports


def record_call_reason_template(con: duckdb.DuckDBPyConnection, mapping: SourceMapping) -> None:
    """Keep the calls mapping's activity template of own reason codes in `call_reason_template` (no row: the fixed
    codes), where the `events` view reads it; the journeys compare it with the one they were built with."""
    with transaction(con):
        con.execute("DELETE FROM call_reason_template")
        if mapping.own_reasons_template is not None:
            con.execute("INSERT INTO call_reason_template VALUES ($activity)", {"activity": mapping.own_reasons_template})
