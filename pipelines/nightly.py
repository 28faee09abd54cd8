"""The nightly flow: land every new file of the landing folder in DuckDB and publish the views.

Tasks only wrap cxmining functions and pass paths; all configuration enters as flow parameters.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run

from cxmining.contract import sources_in_load_order
from cxmining.errors import RunFailed, StoreError
from cxmining.analysis import process_pictures
from cxmining.conformance import ConformanceReport, model_conformance, store_activities
from cxmining.designed import designed_models
from cxmining.deviation_map import deviation_map_svg
from cxmining.model_diff import model_diff
from cxmining.discovery import discovered_models
from cxmining.ingest import source_reports
from cxmining.journeys import JourneyRules, journey_tables, unstitched_shares
from cxmining.load import FileReport
from cxmining.mining import mining_tables
from cxmining.runlog import source_totals, summary_file
from cxmining.store import relation_counts


def _store_busy(task, task_run, state) -> bool:  # noqa: ANN001 - Prefect's retry hook signature
    """Retry only when the database file could not be opened (another writer holds its lock)."""
    try:
        state.result()
    except (StoreError, duckdb.IOException):
        return True
    except Exception:  # noqa: BLE001 - anything else is not an I/O hiccup: fail at once
        return False
    return False


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=_store_busy)
def ingest_source(db: Path, landing: Path, source: str, run_id: str, mapping: Path | None) -> list[FileReport]:
    """Load the new files of one source; log each file's reconciliation line."""
    logger = get_run_logger()

    def log(report: FileReport) -> None:
        if report.status == "rejected":
            logger.error(report.summary())
        else:
            logger.info(report.summary())
        for problem in report.problems:
            logger.warning("quarantined %s", problem)

    return source_reports(db, landing, source, run_id, mapping, on_file=log)


@task
def build_journeys(db: Path, lookback_days: int, quiet_days: int) -> dict[str, int]:
    """Stitch identities and rebuild journeys; log what could not be stitched."""
    counts = journey_tables(db, JourneyRules(lookback_days=lookback_days, quiet_days=quiet_days))
    shares = unstitched_shares(db)
    get_run_logger().info(
        "journeys: %d journeys, %d events; without a customer: %s",
        counts["journeys"], counts["journey_events"],
        ", ".join(f"{share:.1%} of {source} events" for source, share in sorted(shares.items())) or "no events",
    )
    return counts


@task
def process_statistics(db: Path) -> dict[str, int]:
    """Variants, DFG, start/end activities and durations of the journeys, as DuckDB tables."""
    counts = mining_tables(db)
    get_run_logger().info("process statistics: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


@task
def process_models(db: Path, out: Path, noise: float) -> dict[str, Path]:
    """The process discovered from the variants (inductive miner): PNML, BPMN and tree in `out`."""
    return discovered_models(db, out, noise)


@task
def pictures(db: Path, out: Path) -> dict[str, Path]:
    """The process map and the swimlane view (customer on top) as SVG in `out`."""
    return process_pictures(db, out)


@task
def conformance(
    db: Path, models: Path, out: Path, method: str, variant_timeout_s: float, precision: bool
) -> dict[str, ConformanceReport]:
    """Each journey type's conformance with its designed model (data/sample/models/models.yaml style config).

    Also the design-vs-reality diff (table `model_diff`) and the deviation map `deviation_map_<type>.svg` in `out`.
    """
    logger = get_run_logger()
    reports = {}
    for journey_type, model in designed_models(models, store_activities(db)).items():
        if model.unmatched_labels:
            logger.warning("%s: model tasks matching no activity: %s", model.path, ", ".join(sorted(model.unmatched_labels)))
        report = model_conformance(db, model, journey_type, method, variant_timeout_s, precision)
        logger.info(
            "conformance of %s journeys with %s: fitness %.3f, %.1f%% fitting, precision %s, %d deviation kinds; "
            "%d variants aligned, %d from cache, %d hit the %.0f s limit",
            journey_type, model.path.name, report.fitness or 0.0, 100 * (report.fitting_share or 0.0),
            "n/a" if report.precision is None else f"{report.precision:.3f}", report.deviations,
            report.computed_variants, report.cached_variants, report.timed_out_variants, variant_timeout_s,
        )
        reports[journey_type] = report
        diff = model_diff(db, model, journey_type)
        picture = deviation_map_svg(db, model, out / f"deviation_map_{journey_type}.svg")
        logger.info("%s journeys: %d activities only in reality, %d only in the design; deviation map %s",
                    journey_type, len(diff.names("activity", "reality")), len(diff.names("activity", "design")), picture)
    return reports


@task
def store_counts(db: Path) -> dict[str, int]:
    """Row counts of events, quarantine and ingested_files after the load."""
    return relation_counts(db)


@task
def run_summary(out: Path, run_id: str, landing: Path, db: Path, reports: list[FileReport], counts: dict[str, int]) -> Path:
    """Write the run's summary file to the output folder."""
    return summary_file(out, run_id, landing, db, reports, counts)


@flow(name="nightly", log_prints=True)
def nightly(
    landing: Path = Path("data/sample"),
    db: Path = Path("cxmining.duckdb"),
    out: Path = Path("out"),
    mapping: Path | None = None,
    lookback_days: int = 14,
    quiet_days: int = 14,
    noise: float = 0.2,
    models: Path | None = None,
    conformance_method: str = "alignments",
    variant_timeout_s: float = 5.0,
    conformance_precision: bool = True,
) -> dict:
    """Ingest new landing files, rebuild journeys and process statistics, write models and pictures to `out`.

    Fails at the end (after loading everything else) if a landing file was refused.
    """
    logger = get_run_logger()
    run_id = flow_run.id or str(uuid.uuid4())
    reports: list[FileReport] = []
    for source in sources_in_load_order():
        reports += ingest_source(db, landing, source.name, run_id, mapping)
    journey_counts = build_journeys(db, lookback_days, quiet_days)
    statistics = process_statistics(db)
    files: dict[str, Path] = {}
    if statistics["variants"]:
        files = process_models(db, out, noise) | pictures(db, out)
    else:
        logger.warning("no journeys yet: process model and pictures are not drawn")
    models = models or landing / "models" / "models.yaml"  # designed models ship with the landing folder
    if statistics["variants"] and models.is_file():
        conformance(db, models, out, conformance_method, variant_timeout_s, conformance_precision)
    counts = store_counts(db) | journey_counts | {"variants": statistics["variants"]}
    summary = run_summary(out, run_id, landing, db, reports, counts)
    for source, t in source_totals(reports).items():
        logger.info(
            "%s: %d new files (%d already loaded, %d refused): read %d = loaded %d + quarantined %d + duplicates %d",
            source, t["files_loaded"], t["files_skipped"], t["files_rejected"],
            t["rows_read"], t["rows_loaded"], t["rows_quarantined"], t["rows_duplicate"],
        )
    logger.info("store: %s; summary in %s", ", ".join(f"{k} {v}" for k, v in counts.items()), summary)
    logger.info("outputs: %s", ", ".join(str(path) for path in files.values()))
    refused = [r for r in reports if r.status == "rejected"]
    if refused:
        raise RunFailed(f"{len(refused)} file(s) refused, first: {refused[0].error}")
    return {"run_id": run_id, "summary": str(summary), "store": counts, "totals": source_totals(reports),
            "files": {name: str(path) for name, path in files.items()}}
