"""The nightly flow: land every new file of the landing folder in DuckDB and publish the views.

Tasks only wrap cxmining functions and pass paths; all configuration enters as flow parameters.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run

from cxmining.cluster import Cluster, cluster_setting, night_cluster
from cxmining.config import DEFAULT_DB, DEFAULT_LANDING, DEFAULT_OUT
from cxmining.conformance.checking import ConformanceSettings
from cxmining.conformance.outputs import (
    ConformanceOutcome,
    conformance_outputs,
    designed_models_file,
)
from cxmining.conformance.settings import BATCH_VARIANTS, checked_batch_size
from cxmining.demand.per_journey import BucketedTables
from cxmining.demand.tables import demand_outputs, unknown_codes_line
from cxmining.errors import RunFailed, StoreBusy, first_line
from cxmining.ingest.contact_noun import contact_noun
from cxmining.ingest.contract import sources_in_load_order
from cxmining.ingest.folder import source_reports
from cxmining.ingest.landing import untaken
from cxmining.ingest.load import FileReport, quarantine_summary, source_summary
from cxmining.journeys import JourneyRules, build_line, journey_tables, unstitched_shares
from cxmining.mining.discovery import discovered_models
from cxmining.mining.partitioned import BUCKETS, checked_buckets
from cxmining.mining.settings import DiscoverySettings
from cxmining.mining.statistics import mining_tables
from cxmining.pictures.outputs import process_pictures
from cxmining.pictures.process_map import graphviz_missing
from cxmining.progress import tracked
from cxmining.report.context import report_context
from cxmining.report.html import report_written
from cxmining.report.markdown import deviation_rows, report_markdown
from cxmining.runs.history import (
    DriftFlag,
    DriftThresholds,
    RunRecord,
    StepClock,
    StepTiming,
    drift_flags,
    interrupted_run,
    recorded_run,
    run_record,
)
from cxmining.runs.summary import source_totals, summary_file
from cxmining.store.checks import broken_rules
from cxmining.store.night import published_change, working_copy
from cxmining.store.outputs import stale_temporaries_removed
from cxmining.store.run_lock import run_lock
from cxmining.store.snapshot import snapshot_path, staged_snapshot
from cxmining.store.span import relation_counts
from cxmining.whatif.results import change_line, whatif_due, whatif_tables
from cxmining.whatif.scenario import RESIMULATE_DRIFT, folder_scenarios, scenarios_folder

from .partitioned import prefect_api_url, statistics_on
from .partitioned_conformance import conformance_on
from .partitioned_demand import demand_features_on
from .partitioned_journeys import full_journeys_due, journeys_on
from .partitioned_whatif import whatif_on

# The library's progress lines (logger "cxmining": alignments, precision) at info level; Prefect shows them in the run's
# log where PREFECT_LOGGING_EXTRA_LOGGERS names "cxmining" (`cxmining run` sets it; docs/scheduling.md).
logging.getLogger("cxmining").setLevel(logging.INFO)


def _store_busy(task, task_run, state) -> bool:
    """Retry only when another process holds the database file's lock; a store that cannot be opened for any other
    reason (read-only, missing, damaged) fails at once."""
    try:
        state.result()
    except StoreBusy:
        return True
    except Exception:  # noqa: BLE001 - anything else is not a busy store: fail at once
        return False
    return False


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=_store_busy)
def ingest_source(db: Path, landing: Path, source: str, run_id: str, mapping: Path | None) -> list[FileReport]:
    """Load the new files of one source; log each file's line at debug level (a refused file's as an error) and one
    line for the source's quarantined rows (the source's own line comes with the run's summary)."""
    logger = get_run_logger()

    def log(report: FileReport) -> None:
        if report.status == "rejected":
            logger.error(report.summary())
        else:
            logger.debug(report.summary())

    reports = source_reports(db, landing, source, run_id, mapping, on_file=log)
    if quarantined := quarantine_summary(source, reports):
        logger.warning(quarantined)
    return reports


@task
def build_journeys(db: Path, lookback_days: int, quiet_days: int, rebuild: bool) -> dict[str, int]:
    """Stitch identities and bring the journeys up to date (only those the new files touch, unless the rules or the SQL
    changed); log how many changed and what could not be stitched."""
    counts = journey_tables(db, JourneyRules(lookback_days=lookback_days, quiet_days=quiet_days), full=rebuild)
    get_run_logger().info(build_line(counts, unstitched_shares(db)))
    return counts


@task
def process_statistics(db: Path) -> dict[str, int]:
    """Variants, DFG, start/end activities and durations of the journeys, as DuckDB tables."""
    counts = mining_tables(db)
    get_run_logger().info("process statistics: %s", ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts


@task
def process_models(db: Path, out: Path, noise: float, rediscover_drift: float) -> dict[str, Path]:
    """The process discovered from the variants (inductive miner): PNML, BPMN and tree in `out`, kept from an earlier
    run while the variants moved less than `rediscover_drift` since."""
    return discovered_models(db, out, noise, rediscover_drift)


@task
def pictures(db: Path, out: Path, landing: Path) -> dict[str, Path]:
    """The process map and the swimlane view (customer on top, the line of visibility as `landing`'s lanes.yaml
    says) as SVG in `out`."""
    return process_pictures(db, out, landing)


@task
def conformance(db: Path, models: Path, out: Path, settings: ConformanceSettings) -> list[ConformanceOutcome]:
    """Each journey type's conformance with its designed model, the design-vs-reality diff (table `model_diff`) and
    the deviation map `deviation_map_<type>.svg` in `out`."""
    outcomes = conformance_outputs(db, models, out, settings)
    logged_conformance(outcomes, settings)
    return outcomes


def logged_conformance(outcomes: list[ConformanceOutcome], settings: ConformanceSettings) -> None:
    """Each model's lines of the night's log: its conformance, what the diff found and where its deviation map is."""
    logger = get_run_logger()
    for o in outcomes:
        r = o.report
        if o.model.unmatched_labels:
            logger.warning("%s: model tasks matching no activity: %s", o.model.path, ", ".join(sorted(o.model.unmatched_labels)))
        logger.info(
            "conformance of %s journeys with %s: fitness %.3f, %.1f%% fitting, precision %s, %d deviation kinds; "
            "%d variants aligned (%s), %d from cache, %d of those in scope by pm4py, %d hit the %.0f s limit",
            o.journey_type, o.model.path.name, r.fitness or 0.0, 100 * (r.fitting_share or 0.0),
            "n/a" if r.precision is None else f"{r.precision:.3f}", r.deviations, r.computed_variants,
            settings.aligner, r.cached_variants, r.pm4py_variants, r.timed_out_variants, settings.variant_timeout_s,
        )
        logger.info("%s journeys: %d activities only in reality, %d only in the design; deviation map %s", o.journey_type,
                    len(o.diff.names("activity", "reality")), len(o.diff.names("activity", "design")), o.deviation_map)


@task
def failure_demand(db: Path, rules: Path | None, bucketed: BucketedTables | None = None) -> dict[str, int]:
    """Every contact classified as failure or value demand; causes, products, days, paths and avoidable calls as tables
    (`bucketed`: the per-journey ones computed per customer bucket on the cluster)."""
    outcome = demand_outputs(db, rules, bucketed)
    headline, flagged = outcome.headline, outcome.flagged
    many = contact_noun(db).plural
    get_run_logger().info(
        "failure demand: %.1f%% of journeys, %d %s; %d flagged targets (%s%s) would remove about %.0f %s a month",
        100 * headline["failure_demand_journey_share"], headline["failure_demand_calls"], many, len(flagged),
        "; ".join(flagged[:5]) or "none", f"; and {len(flagged) - 5} more" if len(flagged) > 5 else "",
        headline["avoidable_calls_per_month"], many,
    )
    if unknown := unknown_codes_line(outcome.unknown_codes):
        get_run_logger().warning(unknown)
    return outcome.counts


@task
def store_counts(db: Path) -> dict[str, int]:
    """Row counts of events, quarantine and ingested_files after the load."""
    return relation_counts(db)


@task
def store_checks(db: Path) -> dict[str, int]:
    """The store's consistency checks that do not pass (sql/checks/), with how many rows break each."""
    broken = broken_rules(db)
    logger = get_run_logger()
    for name, rows in broken.items():
        logger.error("store check %s: %d rows break it, first: %s", name, rows.height, rows.row(0, named=True))
    return {name: rows.height for name, rows in broken.items()}


@task
def what_if(db: Path, scenarios: Path, resimulate_drift: float, cluster: Cluster | None = None) -> int:
    """Today's regime and every scenario file of `scenarios` simulated (whatif_validation, whatif_results), unless the
    last run's results stand (the same scenarios, on calls that moved less than `resimulate_drift` since); with
    `cluster`, the replications run on its workers (a subflow), with the same results.

    Nothing is simulated when the folder has no scenario; returns the number simulated.
    """
    chosen = folder_scenarios(scenarios)
    if not chosen:
        return 0
    logger = get_run_logger()
    if (why := whatif_due(db, chosen, resimulate_drift)) is None:
        logger.info("what-if: the last run's results stand (the same scenarios; the calls moved less than %.0f%% "
                    "since)", 100 * resimulate_drift)
        return 0
    logger.info("what-if: simulating %d scenarios (%s)", len(chosen), why)
    checked, results = whatif_tables(db, chosen) if cluster is None else whatif_on(cluster)(db, chosen)
    outside = checked.filter(~checked["within"])
    if outside.height:
        logger.warning("what-if: today's regime is not reproduced for %s", ", ".join(outside["figure"]))
    for row in results.filter(results["figure"].is_in(["calls", "transfers", "cost"])).iter_rows(named=True):
        logger.info("%s", change_line(row))
    return len(chosen)


@task
def analyst_report(db: Path, out: Path, run_id: str, thresholds: DriftThresholds) -> Path:
    """The analyst report `report.html` in `out`; its headline figures and top deviations also as Prefect artifacts."""
    context = report_context(db, out, run_id, thresholds)
    path = report_written(context, out)
    create_markdown_artifact(key="cxmining-report", markdown=report_markdown(context),
                             description=f"Headline figures of the run; the full report is {path}")
    deviations = deviation_rows(context)
    if deviations:
        create_table_artifact(key="cxmining-deviations", table=deviations,
                              description="Top deviations of the journeys from the designed model")
    get_run_logger().info("analyst report: %s", path)
    return path


@task
def untaken_paths(landing: Path) -> list[str]:
    """What the landing folder holds that the run does not read, in one warning line."""
    notes = untaken(landing)
    if notes:
        get_run_logger().warning("not taken: %s", "; ".join(notes))
    return notes


@task
def run_summary(out: Path, run_id: str, landing: Path, db: Path, reports: list[FileReport], counts: dict[str, int],
                not_taken: list[str], skipped: dict[str, str], work: Path) -> Path:
    """Write the run's summary file to the output folder, with what the contacts are called as the run's copy of the
    store, `work`, says."""
    return summary_file(out, run_id, landing, db, reports, counts, not_taken, skipped, contact_noun(work))


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=_store_busy)
def copy_store(db: Path) -> Path:
    """The private copy of the store the night is built in (the store itself is never written in place)."""
    return working_copy(db)


@task
def stale_outputs(out: Path) -> list[Path]:
    """Remove the temporary files a killed run left in the output folder."""
    removed = stale_temporaries_removed(out)
    if removed:
        get_run_logger().info("removed what a killed run left: %s", ", ".join(p.name for p in removed))
    return removed


@task
def note_interruption(work: Path, left: dict | None, run_id: str) -> str | None:
    """Record the run that held the store's lock before and was killed (its note was left) as interrupted."""
    interrupted = interrupted_run(work, left, run_id)
    if interrupted:
        get_run_logger().warning("run %s was interrupted: it started and never recorded how it ended", interrupted)
    return interrupted


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=_store_busy)
def record_run(db: Path, record: RunRecord, steps: list[StepTiming]) -> dict[str, float]:
    """Write the run, its step timings and the store's headline metrics into the run history."""
    return recorded_run(db, record, steps)


@task
def drift_warnings(db: Path, run_id: str, thresholds: DriftThresholds) -> list[DriftFlag]:
    """Compare the run's headline metrics with the previous completed run's; log each drift as a warning."""
    flags = drift_flags(db, run_id, thresholds)
    for flag in flags:
        get_run_logger().warning(flag.message)
    return flags


@task
def stage_snapshot(work: Path, db: Path) -> Path:
    """The next snapshot for readers (what `cxmining sql` reads), made from the night's copy under a temporary name."""
    return staged_snapshot(work, db)


@task
def publish_night(work: Path, db: Path, staged: Path | None) -> Path:
    """The night's copy renamed over the store, then its staged snapshot over the snapshot."""
    if published := published_change(work, db, staged):
        get_run_logger().info("snapshot for readers: %s", published.path)
    return db


@dataclass
class _Night:
    """The night's copy of the store and, once every step ran, its staged snapshot."""

    work: Path
    staged: Path | None = None


@dataclass(frozen=True)
class _Settings:
    """The flow's parameters, as the steps take them."""

    landing: Path
    out: Path
    mapping: Path | None
    journeys: JourneyRules
    rebuild: bool  # journeys, statistics and demand built from scratch, not from what the night changed
    discovery: DiscoverySettings
    models: Path | None
    checking: ConformanceSettings
    demand_rules: Path | None
    scenarios: Path | None
    resimulate_drift: float
    drift: DriftThresholds
    cluster: Cluster | None  # where the partitioned stages run: None here, else on Dask (docs/scaling.md)
    buckets: int
    conformance_batch: int  # variants a cluster's worker aligns in one task


@flow(name="nightly", log_prints=True)
def nightly(
    landing: Path = DEFAULT_LANDING,
    db: Path = DEFAULT_DB,
    out: Path = DEFAULT_OUT,
    mapping: Path | None = None,
    lookback_days: int = JourneyRules.lookback_days,
    quiet_days: int = JourneyRules.quiet_days,
    rebuild: bool = False,
    noise: float = DiscoverySettings.noise,
    rediscover_drift: float = DiscoverySettings.rediscover_drift,
    models: Path | None = None,
    conformance_method: str = ConformanceSettings.method,
    variant_timeout_s: float = ConformanceSettings.variant_timeout_s,
    conformance_precision: bool = ConformanceSettings.precision,
    conformance_aligner: str = ConformanceSettings.aligner,
    conformance_max_states: int = ConformanceSettings.max_states,
    demand_rules: Path | None = None,
    scenarios: Path | None = None,
    resimulate_drift: float = RESIMULATE_DRIFT,
    drift_fitness_drop: float = DriftThresholds.fitness_drop,
    drift_failure_share_rise: float = DriftThresholds.failure_share_rise,
    drift_avoidable_calls_rise: float = DriftThresholds.avoidable_calls_rise,
    cluster: str | None = None,
    buckets: int = BUCKETS,
    conformance_batch: int = BATCH_VARIANTS,
) -> dict:
    """Ingest new landing files, rebuild journeys and process statistics, write models and pictures to `out`.

    Every run, completed or failed, is recorded in the store (runs, run_steps, run_metrics); metrics that moved
    beyond the drift thresholds since the previous completed run are logged as warnings; a run that got through
    every step publishes the read-only snapshot `<db stem>.snapshot.duckdb`. The night is built in a copy of the
    store that replaces it in one rename when the run ends (`cxmining.store.night`): readers never block it, a killed
    run leaves the store as it was and is recorded as interrupted by the next run. Fails at the end (after loading
    everything else and publishing the snapshot) if a landing file was refused, and without publishing a snapshot if
    the store breaks one of its consistency checks (`sql/checks/`).

    `cluster` (`local:N` or `tcp://HOST:PORT`, docs/scaling.md) runs the partitioned stages on a Dask cluster (a full
    journey build, the process statistics and a full build's per-journey demand features over `buckets` customer
    buckets, conformance's new variants in batches of `conformance_batch`, the what-if replications), with the same
    results; every other step (and an incremental journey build) runs in this process either way.
    """
    chosen_cluster = cluster_setting(cluster)  # a setting that names no cluster stops the run before anything is done
    checked_buckets(buckets)
    checked_batch_size(conformance_batch)
    run_id = flow_run.id or str(uuid.uuid4())
    note = {"run_id": run_id, "landing": str(landing), "parameters": flow_run.parameters}
    with run_lock(db, note) as left:  # a second run on the same store exits at once, naming this one
        night = _Night(copy_store(db))
        try:
            note_interruption(night.work, left, run_id)
            stale_outputs(out)
            settings = _Settings(
                landing, out, mapping, JourneyRules(lookback_days, quiet_days), rebuild,
                DiscoverySettings(noise, rediscover_drift),
                models, ConformanceSettings(conformance_method, variant_timeout_s, conformance_precision,  # type: ignore[arg-type]
                                            conformance_aligner, conformance_max_states),  # type: ignore[arg-type]
                demand_rules, scenarios, resimulate_drift,
                DriftThresholds(drift_fitness_drop, drift_failure_share_rise, drift_avoidable_calls_rise),
                chosen_cluster, buckets, conformance_batch)
            # a LocalCluster is started once, for every partitioned stage of the night, and stopped after the last
            with night_cluster(chosen_cluster, chosen_cluster and prefect_api_url()) as joined:
                return _night(night, db, run_id, replace(settings, cluster=joined))
        finally:  # completed or failed, the night's record and what it loaded replace the store in one rename
            publish_night(night.work, db, night.staged)


def _night(night: _Night, db: Path, run_id: str, settings: _Settings) -> dict:
    """The nightly run's steps on the night's copy of the store `night.work` (their progress tracked as "night");
    sets `night.staged` when the snapshot may be published."""
    with tracked("night", None, "steps") as progress:
        return _steps(night, db, run_id, settings, lambda step: progress.advance(1, f"{step.step} took {step.seconds:.0f} s"))


def _steps(night: _Night, db: Path, run_id: str, settings: _Settings, on_lap: Callable[[StepTiming], None]) -> dict:
    """The steps of `_night`; `on_lap` is told of each as it closes."""
    s = settings
    landing, out, mapping, models, scenarios, drift = s.landing, s.out, s.mapping, s.models, s.scenarios, s.drift
    logger = get_run_logger()
    work = night.work
    clock = StepClock(on_lap)  # each clock.lap(step) closes one step of the run's timings (table run_steps)
    skipped: dict[str, str] = {}  # optional steps that failed: the night goes on without them (a partial run)

    def optional(step: str, task_call, *args, default):  # noqa: ANN001, ANN202 - a task and its arguments
        """The task's result, or `default` when it fails: the step is skipped, said in the log and the record."""
        try:
            return task_call(*args)
        except Exception as exc:  # noqa: BLE001 - any failure of an optional step
            skipped[step] = first_line(exc)
            logger.warning("%s skipped: %s", step, skipped[step])
            return default

    reports: list[FileReport] = []
    error: BaseException | None = None
    broken: dict[str, int] = {}
    try:
        not_taken = untaken_paths(landing)
        for source in sources_in_load_order():
            reports += ingest_source(work, landing, source.name, run_id, mapping)
        clock.lap("ingest", sum(r.rows_read for r in reports))
        rules = (s.journeys.lookback_days, s.journeys.quiet_days)
        if s.cluster is not None and full_journeys_due(work, *rules, s.rebuild):  # an incremental night stays here
            journey_counts = journeys_on(s.cluster)(work, *rules, s.buckets)
        else:
            journey_counts = build_journeys(work, *rules, s.rebuild)
        clock.lap("journeys", journey_counts["journeys"])
        if s.cluster is None:
            statistics = process_statistics(work)
        else:  # a subflow: only its one task per bucket goes to the cluster
            statistics = statistics_on(s.cluster)(work, s.buckets)
        clock.lap("process statistics", statistics["variants"])
        files: dict[str, Path] = {}
        if statistics["variants"]:
            files = process_models(work, out, s.discovery.noise, s.discovery.rediscover_drift) | optional(
                "pictures", pictures, work, out, landing, default={})
            if missing := graphviz_missing():  # the night goes on without them; the report and the summary say why
                logger.warning("not drawn: process map, swimlane view, deviation maps, BPMN diagram layout (%s)", missing)
            clock.lap("models and pictures")
        else:
            logger.warning("no journeys yet: process model and pictures are not drawn")
        models = models or designed_models_file(landing)
        if statistics["variants"] and models.is_file():
            if s.cluster is None:
                checked = conformance(work, models, out, s.checking)
            else:  # a subflow: only its one task per batch of new variants goes to the cluster
                checked = conformance_on(s.cluster)(work, models, out, s.checking, s.conformance_batch)
                logged_conformance(checked, s.checking)
            clock.lap("conformance", sum(o.report.journeys for o in checked))
        if statistics["variants"]:
            bucketed = None if s.cluster is None else demand_features_on(s.cluster)(work, s.demand_rules, s.buckets)
            demand = failure_demand(work, s.demand_rules, bucketed)
            clock.lap("failure demand", demand["contact_demand"])
        scenarios = scenarios or scenarios_folder(landing)
        if statistics["variants"] and (simulated := optional("what-if", what_if, work, scenarios, s.resimulate_drift,
                                                             s.cluster, default=0)):
            clock.lap("what-if", simulated)
        counts = store_counts(work) | journey_counts | {"variants": statistics["variants"]}
        broken = store_checks(work)
        if report := optional("report", analyst_report, work, out, run_id, drift, default=None):
            files["report"] = report
        clock.lap("report")
        summary = run_summary(out, run_id, landing, db, reports, counts, not_taken, skipped, work)
        for source in dict.fromkeys(r.source for r in reports):  # one line per source, in load order
            logger.info(source_summary(source, [r for r in reports if r.source == source]))
        logger.info("store: %s; summary in %s", ", ".join(f"{k} {v}" for k, v in counts.items()), summary)
        logger.info("outputs: %s", ", ".join(str(path) for path in files.values()))
        refused = [r for r in reports if r.status == "rejected"]
        if broken:
            error = RunFailed(f"the store breaks its checks ({', '.join(broken)}): the snapshot was not published")
        elif refused:
            error = RunFailed(f"{len(refused)} file(s) refused, first: {refused[0].error}")
    except BaseException as exc:
        error = exc
        raise
    finally:  # completed or failed, the run goes into the store's run history
        record_run(work, run_record(run_id, clock.started_at, flow_run.parameters, landing, reports, error, skipped),
                   clock.steps)
    drift_warnings(work, run_id, drift)
    if broken:  # readers keep the last consistent snapshot
        raise error  # type: ignore[misc]
    try:
        night.staged = stage_snapshot(work, db)  # only after every step ran: readers never see a half-built store
    except Exception as exc:  # a full disk...: the run did not publish, so it did not complete; readers keep the last
        record_run(work, run_record(run_id, clock.started_at, flow_run.parameters, landing, reports, exc, skipped),
                   clock.steps)
        raise
    snapshot = snapshot_path(db)
    if error:
        raise error
    return {"run_id": run_id, "summary": str(summary), "store": counts, "totals": source_totals(reports),
            "files": {name: str(path) for name, path in files.items()}, "snapshot": str(snapshot), "skipped": skipped}
