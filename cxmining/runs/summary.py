"""What a run did, as data: per-source totals and the run summary file in the output folder."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from cxmining.ingest.contact_noun import CALLS, ContactNoun
from cxmining.ingest.load import FileReport
from cxmining.pictures.process_map import graphviz_missing
from cxmining.store.outputs import written_whole

COUNTS = ("rows_read", "rows_loaded", "rows_quarantined", "rows_duplicate")


def source_totals(reports: list[FileReport]) -> dict[str, dict[str, int]]:
    """Per source: files loaded, skipped and refused, and the summed row counts of loaded files."""
    totals: dict[str, dict[str, int]] = {}
    for r in reports:
        t = totals.setdefault(r.source, {"files_loaded": 0, "files_skipped": 0, "files_rejected": 0} | dict.fromkeys(COUNTS, 0))
        t[f"files_{r.status}"] += 1
        for name in COUNTS:
            t[name] += getattr(r, name)
    return totals


def summary_file(out: Path, run_id: str, landing: Path, db: Path, reports: list[FileReport], store: dict[str, int],
                 not_taken: list[str] | None = None, skipped: dict[str, str] | None = None,
                 noun: ContactNoun = CALLS) -> Path:
    """Write `run_summary.json` in `out` (file by file reconciliation, totals, store counts, what the landing folder
    holds that the run did not read, what the calls source's contacts are called: `noun`); return its path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "run_summary.json"
    body = {
        "run_id": run_id,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "landing": str(landing),
        "db": str(db),
        "totals": source_totals(reports),
        "store": store,
        "contacts": {"singular": noun.singular, "plural": noun.plural},  # what the calls source's contacts are called
        "not_drawn": graphviz_missing(),  # why the run drew no pictures (null: it drew them)
        "not_taken": not_taken or [],  # files and folders of the landing folder no step reads, each with why
        "skipped": skipped or {},  # optional steps that failed (step: why): a partial run
        "files": [asdict(r) for r in reports],
    }
    written_whole(path, json.dumps(body, indent=2, default=str))
    return path
