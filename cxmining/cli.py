"""The `cxmining` command: generate a sample, run the nightly flow once, query the store."""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cxmining.cluster import cluster_setting
from cxmining.config import DEFAULT_DB, DEFAULT_LANDING, DEFAULT_OUT
from cxmining.conformance.settings import BATCH_VARIANTS, ConformanceSettings
from cxmining.errors import CxminingError, MappingError, first_line
from cxmining.journeys import JourneyRules
from cxmining.mining.partitioned import BUCKETS
from cxmining.mining.settings import DiscoverySettings
from cxmining.runs.history import DriftThresholds
from cxmining.whatif.scenario import RESIMULATE_DRIFT

PARTIAL = 3  # exit code of a run that skipped an optional step (pictures, what-if, report)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Customer-process mining: land call-centre, web and order logs in DuckDB and mine the customer process.",
)


def _version(shown: bool) -> None:
    if shown:
        from importlib.metadata import version

        typer.echo(f"cxmining {version('cxmining')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the installed version and exit.")] = False,
) -> None:
    """Customer-process mining: land call-centre, web and order logs in DuckDB and mine the customer process."""


@app.command()
def sample(
    out: Annotated[Path, typer.Option(help="Folder to write the landing folder into.")] = Path("sample-landing"),
    customers: Annotated[int, typer.Option(min=1, help="Number of customers to simulate.")] = 400,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 7,
    start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")] = "2026-09-01",
    days: Annotated[int, typer.Option(min=1, help="Number of days of daily drops.")] = 60,
    dirty_rate: Annotated[float, typer.Option(min=0.0, max=0.5, help="Share of fact rows made defective.")] = 0.002,
    thin_products: Annotated[int, typer.Option(min=0, max=24, help="Products with a thin description (0: none).")] = 4,
    thin_placement: Annotated[str, typer.Option(help="Where they rank in popularity: mixed, popular, unpopular or 'one category'.")] = "mixed",
    thin_call_multiplier: Annotated[float, typer.Option(min=1.0, help="How much more often a thin product's journeys call for information.")] = 7.0,
    thin_return_multiplier: Annotated[float, typer.Option(min=1.0, help="How much more often its lines come back 'not as described'.")] = 6.0,
    multi_line_share: Annotated[float, typer.Option(min=0.0, max=1.0, help="Share of web and phone orders with more than one line.")] = 0.12,
    max_lines: Annotated[int, typer.Option(min=2, max=6, help="Most lines of such an order.")] = 2,
    rate_spread: Annotated[float, typer.Option(min=0.0, max=2.0, help="Log-normal spread of every product's own call and return propensity.")] = 0.0,
    popularity: Annotated[float, typer.Option(min=0.0, max=3.0, help="Zipf exponent of product popularity (0: equally popular).")] = 1.05,
    no_ivr_change: Annotated[bool, typer.Option("--no-ivr-change", help="Leave out the planted IVR change.")] = False,
    late_window_days: Annotated[int, typer.Option(min=0, max=60, help="Days of the late-shipping window (0: none).")] = 10,
    failing_help_page: Annotated[float, typer.Option(min=0.0, max=2.0, help="Extra account calls per customer, each right after reading /help/account (0: no failing help page).")] = 0.0,
    history_days: Annotated[int, typer.Option(min=0, max=365, help="Days simulated before --start but not written: the export begins while journeys are under way.")] = 0,
    designed: Annotated[bool, typer.Option("--designed/--no-designed", help="Also write the designed order model (models/) and three what-if scenarios (scenarios/).")] = True,
) -> None:
    """Generate a landing folder with planted, documented ground truth (truth.json beside the data)."""
    from cxmining.synthetic import Effects, write_sample

    placements = ("mixed", "popular", "unpopular", "one category")
    if thin_placement not in placements:
        raise CxminingError(f"--thin-placement: {thin_placement!r} is not one of {', '.join(placements)}")
    effects = Effects(thin_products=thin_products, thin_placement=thin_placement,  # type: ignore[arg-type]
                      thin_product_info_multiplier=thin_call_multiplier,
                      thin_not_as_described_multiplier=thin_return_multiplier,
                      multi_line_share=multi_line_share, max_lines=max_lines, product_rate_spread=rate_spread,
                      popularity_exponent=popularity, ivr_change=not no_ivr_change, late_window_days=late_window_days,
                      failing_help_page_calls=failing_help_page)

    try:
        first = date.fromisoformat(start)
    except ValueError:
        raise CxminingError(f"--start: {start!r} is not a date like 2026-09-01") from None
    began = time.perf_counter()
    truth = write_sample(out, customers=customers, seed=seed, start=first, days=days, dirty_rate=dirty_rate,
                         progress=lambda msg: typer.echo(msg, err=True), effects=effects, history_days=history_days,
                         designed=designed)
    rows = truth.get("rows", {})
    typer.echo(f"wrote {out} in {time.perf_counter() - began:.1f}s: "
               + ", ".join(f"{source} {t['rows']} rows" for source, t in rows.items()) + "; truth in truth.json")


@app.command()
def run(
    landing: Annotated[Path, typer.Option(help="Landing folder with calls/, web/, orders/, products/, customers/.")] = DEFAULT_LANDING,
    db: Annotated[Path, typer.Option(help="DuckDB file of the store (created if missing).")] = DEFAULT_DB,
    out: Annotated[Path, typer.Option(help="Output folder of the run.")] = DEFAULT_OUT,
    mapping: Annotated[Path | None, typer.Option(help="YAML or TOML file mapping an export onto the contract.")] = None,
    lookback_days: Annotated[int, typer.Option(min=0, max=365, help="Days of research counted towards a later order.")] = JourneyRules.lookback_days,
    quiet_days: Annotated[int, typer.Option(min=0, max=365, help="Days after an order's last event that contacts still belong to it.")] = JourneyRules.quiet_days,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Build journeys, statistics and failure demand from scratch, not from what the night changed.")] = False,
    noise: Annotated[float, typer.Option(min=0.0, max=1.0, help="Noise threshold of the inductive miner.")] = DiscoverySettings.noise,
    rediscover_drift: Annotated[float, typer.Option(min=0.0, max=1.0, help="Discover the process model again once the variants moved this far (0: every run).")] = DiscoverySettings.rediscover_drift,
    demand_rules: Annotated[Path | None, typer.Option(help="Failure/value demand rules (YAML or TOML); default: the shipped rules, docs/demand.md.")] = None,
    scenarios: Annotated[Path | None, typer.Option(help="Folder of what-if scenario files; default: the landing folder's scenarios/ (docs/whatif.md).")] = None,
    resimulate_drift: Annotated[float, typer.Option(min=0.0, max=1.0, help="Simulate the scenarios again once the observed calls moved this far (0: every run).")] = RESIMULATE_DRIFT,
    precision: Annotated[bool, typer.Option(help="Compute conformance precision (replays the log prefixes not seen before with the model).")] = ConformanceSettings.precision,
    aligner: Annotated[str, typer.Option(help="r4pm (Rust, all cores; pm4py takes what it cannot) or pm4py (the reference).")] = ConformanceSettings.aligner,
    max_states: Annotated[int, typer.Option(min=1, help="States r4pm may search per variant before pm4py takes it over.")] = ConformanceSettings.max_states,
    models: Annotated[Path | None, typer.Option(help="Designed models' config (models.yaml); default: the landing folder's models/models.yaml (docs/conformance.md).")] = None,
    method: Annotated[str, typer.Option(help="Conformance by alignments (exact, typed deviations) or token_replay (fast).")] = ConformanceSettings.method,
    timeout: Annotated[float, typer.Option(help="Seconds pm4py may take to align one variant r4pm could not take before it is skipped.")] = ConformanceSettings.variant_timeout_s,
    drift_fitness_drop: Annotated[float, typer.Option(min=0.0, help="Warn when a journey type's fitness fell this much since the last run (absolute).")] = DriftThresholds.fitness_drop,
    drift_failure_share_rise: Annotated[float, typer.Option(min=0.0, help="Warn when the share of journeys with failure demand rose this much (absolute).")] = DriftThresholds.failure_share_rise,
    drift_avoidable_calls_rise: Annotated[float, typer.Option(min=0.0, help="Warn when avoidable calls per month rose this much (relative: 0.2 is 20%).")] = DriftThresholds.avoidable_calls_rise,
    cluster: Annotated[str | None, typer.Option(help="Compute the partitioned stages on Dask: the process statistics and a full build's journeys and per-journey demand features over customer buckets, conformance's new variants in batches, the what-if replications; local:N (a LocalCluster of N workers) or tcp://HOST:PORT (a running scheduler); default: in this process (docs/scaling.md).")] = None,
    buckets: Annotated[int, typer.Option(min=1, help="Customer buckets of the journeys, statistics and demand features on a --cluster.")] = BUCKETS,
    conformance_batch: Annotated[int, typer.Option(min=1, help="Variants a --cluster's worker aligns in one task (conformance's new variants).")] = BATCH_VARIANTS,
) -> None:
    """Run the nightly flow once, locally (Prefect's embedded mode: no server to start)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "cxmining")  # the library's progress lines in the run's log
    if mapping is not None and not mapping.is_file():
        raise CxminingError(f"{mapping}: mapping file not found")
    if not landing.is_dir():
        raise CxminingError(f"{landing}: landing folder not found")
    if demand_rules is not None:
        from cxmining.demand.rules import demand_rules as read_demand_rules

        read_demand_rules(demand_rules)  # a broken rules file stops the run before anything is loaded
    if scenarios is not None and not scenarios.is_dir():
        raise CxminingError(f"{scenarios}: scenario folder not found")
    if models is not None and not models.is_file():
        raise CxminingError(f"{models}: designed models' config not found")
    ConformanceSettings(method, timeout, precision, aligner, max_states)  # type: ignore[arg-type]  # refuses bad values
    DriftThresholds(drift_fitness_drop, drift_failure_share_rise, drift_avoidable_calls_rise)
    cluster_setting(cluster)  # a cluster the setting does not name stops the run before Prefect starts
    from cxmining.pictures.lanes import lane_layout
    from cxmining.whatif.scenario import folder_scenarios, scenarios_folder

    folder_scenarios(scenarios or scenarios_folder(landing))  # a broken scenario stops the run before anything is loaded
    lane_layout(landing)  # so does a broken lanes.yaml
    from concurrent.futures import ThreadPoolExecutor

    from cxmining.flows import nightly_flow
    from cxmining.runs.embedded_server import embedded_server_url

    with ThreadPoolExecutor(max_workers=1) as importer:  # the flow's imports (pm4py...) while the server starts
        flow = importer.submit(nightly_flow)
        embedded_server_url()  # Prefect's temporary server, ended with this process even when it is killed
        nightly = flow.result()
    from cxmining.terminal import explained_failures_without_traceback, progress_bars

    # in a terminal: bars for the night and its long steps, the log scrolling above them; a refused file or a broken
    # check is logged as its one-line message
    with progress_bars(), explained_failures_without_traceback():
        result = nightly(landing=landing, db=db, out=out, mapping=mapping, lookback_days=lookback_days,
                         quiet_days=quiet_days, rebuild=rebuild, noise=noise, rediscover_drift=rediscover_drift,
                         demand_rules=demand_rules, scenarios=scenarios, resimulate_drift=resimulate_drift,
                         conformance_precision=precision, conformance_aligner=aligner, conformance_max_states=max_states,
                         models=models, conformance_method=method, variant_timeout_s=timeout,
                         drift_fitness_drop=drift_fitness_drop, drift_failure_share_rise=drift_failure_share_rise,
                         drift_avoidable_calls_rise=drift_avoidable_calls_rise, cluster=cluster, buckets=buckets,
                         conformance_batch=conformance_batch)
    typer.echo(f"run {result['run_id']}: " + ", ".join(f"{k} {v}" for k, v in result["store"].items()))
    typer.echo(f"summary: {result['summary']}")
    typer.echo(f"snapshot for queries: {result['snapshot']}")
    for path in result["files"].values():
        typer.echo(f"wrote {path}")
    from cxmining.report.headline import headline_lines

    for line in headline_lines(Path(result["snapshot"]) if Path(result["snapshot"]).is_file() else db):
        typer.echo(line)
    if "report" in result["files"]:
        typer.echo(f"report: {result['files']['report']}")
    if result["skipped"]:  # the night ran, without some optional step: a distinct exit code for schedulers
        typer.echo("partial run: " + "; ".join(f"{step} skipped: {why}" for step, why in result["skipped"].items()),
                   err=True)
        raise typer.Exit(PARTIAL)


def _readable(db: Path, live: bool) -> Path:
    """The file a read-only command reads: the store's snapshot of its last run, unless --live or there is none."""
    from cxmining.store.snapshot import latest_snapshot

    snapshot = None if live else latest_snapshot(db)
    if snapshot is None:  # the live store is read only with --live or before the first run published a snapshot
        return db
    typer.echo(f"reading {snapshot.path}, snapshot of {snapshot.taken_at:%Y-%m-%d %H:%M:%S} UTC "
               "(--live for the store itself)", err=True)
    return snapshot.path


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="A read-only SQL query, e.g. \"SELECT activity, count(*) FROM events GROUP BY 1\".")],
    db: Annotated[Path, typer.Option(help="DuckDB file of the store (its snapshot is read when there is one).")] = DEFAULT_DB,
    live: Annotated[bool, typer.Option("--live", help="Read the store itself, not its snapshot (neither blocks the nightly run).")] = False,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
    max_rows: Annotated[int, typer.Option(help="Rows shown in table output.")] = 40,
) -> None:
    """Run a query read-only and print the result: on the store's snapshot of the last run when there is one."""
    import duckdb

    from cxmining.errors import StoreBusy
    from cxmining.store import query_connection

    path = _readable(db, live)
    try:
        con = query_connection(path)
    except StoreBusy as exc:
        if path != db or live:
            raise
        raise CxminingError(f"{exc}, and it has no snapshot to read yet (the first run publishes one when it "
                            "ends)") from None
    try:
        relation = con.sql(query)
        if relation is None:
            raise CxminingError("the statement returned no rows (only queries are allowed)")
        if csv:
            relation.pl().write_csv(sys.stdout)
        else:
            relation.show(max_rows=max_rows, max_width=200)
    except duckdb.Error as exc:
        raise CxminingError(f"query failed: {first_line(exc)}") from None
    finally:
        con.close()


@app.command()
def check(
    db: Annotated[Path, typer.Option(help="DuckDB file of the store.")] = DEFAULT_DB,
) -> None:
    """Run the store's consistency checks (sql/checks/); print the rows breaking each, exit 1 if one does not pass."""
    from cxmining.store.checks import broken_rules, check_names

    broken = broken_rules(db)
    for name in check_names():
        rows = broken.get(name)
        typer.echo(f"{name}: {'pass' if rows is None else f'{rows.height} rows break it'}")
        for row in [] if rows is None else rows.iter_rows(named=True):
            typer.echo("  " + ", ".join(f"{key} {value}" for key, value in row.items()))
    if broken:
        raise typer.Exit(1)


@app.command()
def demand(
    db: Annotated[Path, typer.Option(help="DuckDB file of the store, with journeys built by `cxmining run`.")] = DEFAULT_DB,
    rules: Annotated[Path | None, typer.Option(help="Failure/value demand rules (YAML or TOML); default: the shipped rules.")] = None,
    top: Annotated[int, typer.Option(min=1, help="Rows shown per table.")] = 10,
) -> None:
    """Rebuild the failure-demand tables with these rules and print causes, flagged products and avoidable calls."""
    import polars as pl

    from cxmining.demand.rules import demand_rules as read_demand_rules
    from cxmining.demand.tables import demand_outputs, unknown_codes_line
    from cxmining.ingest.contact_noun import contact_noun
    from cxmining.store import opened
    from cxmining.store.night import store_change

    read_demand_rules(rules)  # a broken rules file is refused before the store is opened
    if not db.is_file():
        raise CxminingError(f"{db}: store not found (run `cxmining run` first)")
    with store_change(db) as work, opened(work) as con:
        outcome = demand_outputs(con, rules)
        counts, head, many = outcome.counts, outcome.headline, contact_noun(con).plural
        typer.echo(f"{counts['contact_demand']} contacts classified; failure demand in {head['failure_demand_journey_share']:.1%} "
                   f"of journeys; flagged causes would remove about {head['avoidable_calls_per_month']:.0f} {many} a month")
        if unknown := unknown_codes_line(outcome.unknown_codes):
            typer.echo(unknown)
        for title, query in (
            ("causes", (
                "SELECT demand, cause, contacts, calls, round(share_of_calls, 3) AS share_of_calls, "
                "round(calls_per_month, 1) AS calls_per_month, round(avoidable_calls_per_month, 1) AS avoidable_per_month "
                "FROM failure_demand_causes")),
            ("products (ranked by excess calls)", (
                "SELECT product_id, name, category, journeys, info_calls, returns_not_as_described AS returns_nad, "
                "round(rate, 3) AS rate, round(expected_rate, 3) AS expected_rate, round(excess_calls, 1) AS excess_calls, "
                "round(q_value, 4) AS q_value, flagged, description_chars FROM failure_demand_products")),
            (f"avoidable {many}", (
                "SELECT cause, target, round(calls_per_month, 1) AS calls_per_month, "
                "round(agent_hours_per_month, 1) AS agent_hours_per_month FROM avoidable_calls")),
        ):
            typer.echo(f"\n{title}:")
            with pl.Config(tbl_rows=top, tbl_cols=-1, tbl_width_chars=200, fmt_str_lengths=40, tbl_hide_dataframe_shape=True):
                typer.echo(con.sql(query + " LIMIT $top", params={"top": top}).pl())


@app.command()
def whatif(
    scenarios: Annotated[list[Path] | None, typer.Argument(help="Scenario files (YAML or TOML); none: only check today's regime.")] = None,
    db: Annotated[Path, typer.Option(help="DuckDB file of the store, built by `cxmining run`.")] = DEFAULT_DB,
    replications: Annotated[int | None, typer.Option(min=2, help="Replications per regime (default: the scenarios', auto: as many as the changes need, 10 to 40).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the first replication (default: the scenario's, else 1).")] = None,
) -> None:
    """Simulate today's customer process and each scenario, with intervals from replications (docs/whatif.md)."""
    import polars as pl

    from cxmining.store.night import store_change
    from cxmining.whatif.results import whatif_tables
    from cxmining.whatif.scenario import scenario

    chosen = [(scenario(path), path) for path in scenarios or []]
    if not db.is_file():
        raise CxminingError(f"{db}: store not found (run `cxmining run` first)")
    with store_change(db) as work:
        checked, results = whatif_tables(work, chosen, replications, seed)
    within = int(checked["within"].sum())
    unchecked = checked["within"].null_count()
    typer.echo(f"today's regime reproduced: {within} of {checked.height - unchecked} observed figures within tolerance "
               f"({checked['replications'][0]} replications, seed {checked['seed'][0]})"
               + (f"; {unchecked} not observed, nothing to check" if unchecked else ""))
    with pl.Config(tbl_rows=60, tbl_cols=-1, tbl_width_chars=200, tbl_hide_dataframe_shape=True, float_precision=1):
        typer.echo(checked.select("figure", "observed", "simulated", "simulated_low", "simulated_high", "tolerance", "within"))
        for (name,), table in results.group_by("scenario", maintain_order=True) if results.height else []:
            typer.echo(f"\n{name}: mean of the replications, 95% intervals (where a period like the observed one lands: "
                       "each replication recalibrated on a bootstrap resample); change = scenario - today (same seeds)")
            if table["note"][0]:
                typer.echo(f"note: the change {table['note'][0]}")
            typer.echo(table.select("figure", "today", "scenario_value", "change", "change_low", "change_high"))


@app.command("import-log")
def import_log_command(
    file: Annotated[Path, typer.Argument(help="Event log: .xes, .xes.gz, .csv (.csv.gz, .tsv) or .parquet; or an object-centric log (OCEL 2.0 .sqlite, .jsonocel/.json, .xmlocel/.xml) with --object-type.")],
    db: Annotated[Path, typer.Option(help="DuckDB file of the store (created if missing).")] = DEFAULT_DB,
    name: Annotated[str | None, typer.Option(help="Name of the log in the store (default: the file stem); re-importing a name replaces it.")] = None,
    case: Annotated[str, typer.Option(help="Case id column.")] = "case:concept:name",
    activity: Annotated[str, typer.Option(help="Activity column.")] = "concept:name",
    timestamp: Annotated[str, typer.Option(help="Timestamp column.")] = "time:timestamp",
    lifecycle_column: Annotated[str | None, typer.Option(help="Lifecycle column (default: lifecycle:transition if present).")] = None,
    lifecycle: Annotated[str | None, typer.Option(help="Keep only events with this lifecycle, e.g. complete (case-insensitive); default keeps all.")] = None,
    lane: Annotated[str | None, typer.Option(help="Column (for OCEL: event attribute) naming the part of the organisation, e.g. org:group; default none.")] = None,
    object_type: Annotated[str | None, typer.Option(help="OCEL only: the object type whose objects are the cases (pm4py's flattening), e.g. orders.")] = None,
    timestamp_format: Annotated[str | None, typer.Option(help="strptime format of text timestamps, e.g. '%d-%m-%Y %H:%M' (default: ISO-like).")] = None,
    timezone: Annotated[str, typer.Option(help="Time zone of naive CSV/Parquet timestamps, e.g. Europe/Amsterdam.")] = "UTC",
    delimiter: Annotated[str, typer.Option(help="CSV delimiter (\\t for tab).")] = ",",
    encoding: Annotated[str, typer.Option(help="CSV encoding, e.g. utf-8, latin-1.")] = "utf-8",
    out: Annotated[Path | None, typer.Option(help="Output folder for the process model and pictures (default: out/<name>).")] = None,
    noise: Annotated[float, typer.Option(min=0.0, max=1.0, help="Noise threshold of the inductive miner.")] = DiscoverySettings.noise,
) -> None:
    """Import an existing event log (XES, CSV, Parquet, or OCEL flattened on --object-type) into the store as
    imported_events and journey_events."""
    from cxmining.eventlog.imported import import_log
    from cxmining.eventlog.ocel import import_ocel, is_ocel_file
    from cxmining.eventlog.reader import CsvDialect, LogMapping
    from cxmining.pictures.outputs import process_outputs
    from cxmining.store.night import store_change

    mapping = LogMapping(case=case, activity=activity, timestamp=timestamp, lifecycle_column=lifecycle_column,
                         lifecycle=lifecycle, lane=lane, timestamp_format=timestamp_format, timezone=timezone)
    ocel = is_ocel_file(file)
    if not ocel and object_type is not None:
        raise MappingError(f"{file}: --object-type applies to object-centric logs (.sqlite, .jsonocel, .json, "
                           ".xmlocel, .xml) only")
    if ocel and mapping != LogMapping(lane=lane):
        raise MappingError(f"{file}: an object-centric log takes --object-type (and --lane, --name), not the column "
                           "and time options of flat logs")
    relations: dict[str, int] = {}
    with store_change(db) as work:
        if ocel:
            flattened = import_ocel(file, work, object_type, name=name, lane=lane)
            log, relations = flattened.log, flattened.tables
        else:
            log = import_log(file, work, mapping=mapping, dialect=CsvDialect(delimiter=delimiter, encoding=encoding),
                             name=name)
        outputs = process_outputs(work, out or DEFAULT_OUT / log.name, noise)
    flattening = f" flattened on {object_type!r}" if ocel else ""
    typer.echo(f"imported {log.name} from {file}{flattening} into {db} in {log.seconds:.1f}s ({log.reader}): "
               f"{log.cases} cases, {log.events} events, {log.activities} activities, {log.skipped} skipped rows")
    if relations:
        typer.echo("object-centric tables: " + ", ".join(f"{k} {v}" for k, v in relations.items()))
    for rows in log.skipped_rows:
        shown = "" if rows.first_value is None else f" {rows.first_value!r}"
        typer.echo(f"skipped {rows.rows} rows: {rows.problem} (first at row {rows.first_row}{shown})")
    if log.filtered:
        typer.echo(f"left out {log.filtered} events whose lifecycle is not {lifecycle!r}")
    typer.echo("tables: " + ", ".join(f"{k} {v}" for k, v in outputs["tables"].items()))
    for path in outputs["files"].values():
        typer.echo(f"wrote {path}")


@app.command()
def conformance(
    model: Annotated[Path, typer.Argument(help="Designed model: a BPMN 2.0 file (bpmn.io, Camunda, Signavio).")],
    db: Annotated[Path, typer.Option(help="DuckDB file of the store (after `run` or `import-log`).")] = DEFAULT_DB,
    labels: Annotated[Path | None, typer.Option(help="YAML/TOML file mapping model task labels to log activities.")] = None,
    process: Annotated[str | None, typer.Option(help="Process id or pool name, when the file holds several pools.")] = None,
    journey_type: Annotated[str | None, typer.Option(help="Only journeys of this type (e.g. order); default all.")] = None,
    method: Annotated[str, typer.Option(help="alignments (exact, typed deviations) or token_replay (fast).")] = ConformanceSettings.method,
    timeout: Annotated[float, typer.Option(help="Seconds one variant may take to align before it is skipped.")] = ConformanceSettings.variant_timeout_s,
    precision: Annotated[bool, typer.Option(help="Compute precision (replays the log prefixes not seen before with the model).")] = ConformanceSettings.precision,
    aligner: Annotated[str, typer.Option(help="r4pm (Rust, all cores; pm4py takes what it cannot) or pm4py (the reference).")] = ConformanceSettings.aligner,
    max_states: Annotated[int, typer.Option(min=1, help="States r4pm may search per variant before pm4py takes it over.")] = ConformanceSettings.max_states,
    top: Annotated[int, typer.Option(help="Deviations shown.")] = 10,
    out: Annotated[Path, typer.Option(help="Folder for the deviation map (SVG).")] = DEFAULT_OUT,
) -> None:
    """Compare the store's journeys with a designed BPMN model: fitness, precision, typed deviations, deviation map."""
    from cxmining.conformance.checking import ConformanceSettings, store_activities
    from cxmining.conformance.designed import designed_model, label_mapping
    from cxmining.conformance.outputs import model_outputs
    from cxmining.pictures.process_map import graphviz_missing
    from cxmining.store import opened

    mapping = label_mapping(labels) if labels else None
    designed = designed_model(model, mapping, store_activities(db), process=process)
    if designed.unmatched_labels:
        typer.echo(f"model tasks matching no activity of the log: {', '.join(sorted(designed.unmatched_labels))}")
    outcome = model_outputs(db, designed, journey_type, out, ConformanceSettings(method, timeout, precision, aligner, max_states))  # type: ignore[arg-type]
    report, diff = outcome.report, outcome.diff
    shown = "n/a" if report.precision is None else f"{report.precision:.3f}"
    typer.echo(f"{report.journeys} journeys, {report.variants} variants: fitness {report.fitness or 0:.4f} "
               f"(log fitness {report.log_fitness or 0:.4f}), {100 * (report.fitting_share or 0):.1f}% fitting, "
               f"precision {shown}; aligned {report.computed_variants}, from cache {report.cached_variants}, "
               f"by pm4py {report.pm4py_variants}, timed out {report.timed_out_variants}; {report.seconds:.1f}s")
    typer.echo(f"only in reality: {', '.join(map(str, diff.names('activity', 'reality'))) or 'nothing'}; "
               f"only in the design: {', '.join(map(str, diff.names('activity', 'design'))) or 'nothing'}")
    typer.echo(f"wrote {outcome.deviation_map}" if outcome.deviation_map else f"deviation map not drawn: {graphviz_missing()}")
    with opened(db, read_only=True) as con:
        con.sql(
            "SELECT deviation_type, activity, after_step, before_step, journeys, round(share, 3) AS share "
            "FROM deviations ORDER BY journeys DESC, deviation_type, activity LIMIT $top", params={"top": top}
        ).show(max_width=200)


@app.command()
def compare(
    before: Annotated[str | None, typer.Option(help="Before period START..END (ISO dates, UTC; START inclusive, END exclusive; either may be left out).")] = None,
    after: Annotated[str | None, typer.Option(help="After period START..END, as --before.")] = None,
    change_date: Annotated[str | None, typer.Option(help="Instead of --before/--after: compare before this day (YYYY-MM-DD) with from it on.")] = None,
    days: Annotated[int | None, typer.Option(min=1, help="With --change-date: this many days on each side (default: all the data).")] = None,
    segment: Annotated[str | None, typer.Option(help="Also compare per sales_channel, category, journey_type or a segment the mapping declared (age, office...).")] = None,
    db: Annotated[Path, typer.Option(help="DuckDB file of the store (after `run`).")] = DEFAULT_DB,
    out: Annotated[Path | None, typer.Option(help="Also write the result: .csv (every measure), .json or .md.")] = None,
    follow_up_days: Annotated[int, typer.Option(min=1, max=365, help="Days of each journey that are measured.")] = 14,
    lead_in_days: Annotated[int, typer.Option(min=0, max=365, help="Journeys starting this soon after the store's first event may have begun before it: not measured.")] = 14,
    repeat_days: Annotated[int, typer.Option(min=1, max=365, help="A call followed by another within this many days is repeated.")] = 7,
    alpha: Annotated[float, typer.Option(min=0.0001, max=0.5, help="False discovery rate (Benjamini-Hochberg).")] = 0.05,
    top: Annotated[int, typer.Option(min=1, help="Significant changes shown.")] = 20,
    live: Annotated[bool, typer.Option("--live", help="Read the store itself, not its snapshot (neither blocks the nightly run).")] = False,
) -> None:
    """Compare two periods of journeys: what changed significantly, largest effect first (docs/compare.md)."""
    from cxmining.compare.periods import (
        OUTPUT_SUFFIXES,
        change_periods,
        comparison_text,
        parsed_period,
        period_comparison,
        written_comparison,
    )

    if out is not None and out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise CxminingError(f"--out {out}: the output must end in {', '.join(OUTPUT_SUFFIXES)}")
    if change_date is not None:
        if before is not None or after is not None:
            raise CxminingError("give either --change-date or --before and --after, not both")
        try:
            periods = change_periods(date.fromisoformat(change_date), days)
        except ValueError:
            raise CxminingError(f"--change-date: {change_date!r} is not a date like 2026-10-07") from None
    elif before is not None and after is not None:
        if days is not None:
            raise CxminingError("--days goes with --change-date; --before and --after give their own days")
        periods = parsed_period(before, "before"), parsed_period(after, "after")
    else:
        raise CxminingError("give --before and --after (START..END), or --change-date")
    comparison = period_comparison(_readable(db, live), *periods, segment=segment, follow_up_days=follow_up_days,
                                   repeat_days=repeat_days, alpha=alpha, lead_in_days=lead_in_days)
    typer.echo(comparison_text(comparison, top), nl=False)
    if out is not None:
        typer.echo(f"wrote {written_comparison(comparison, out, top)}")


@app.command()
def report(
    db: Annotated[Path, typer.Option(help="DuckDB file of the store (after `run`).")] = DEFAULT_DB,
    out: Annotated[Path, typer.Option(help="Output folder of the run: its pictures are embedded, report.html is written there.")] = DEFAULT_OUT,
    run_id: Annotated[str | None, typer.Option(help="Run the report is of, for the change since the run before (default: the latest).")] = None,
) -> None:
    """Write the analyst report: one offline HTML file, report.html, in the run's output folder (docs/report.md)."""
    from cxmining.report.html import report_file

    typer.echo(f"wrote {report_file(db, out, run_id)}")


@app.command()
def explore(
    db: Annotated[Path, typer.Option(help="DuckDB file of the store (its snapshot is read when there is one).")] = DEFAULT_DB,
    host: Annotated[str, typer.Option(help="Address to serve on; the default keeps it on this machine.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8765,
    live: Annotated[bool, typer.Option("--live", help="Read the store itself, not its snapshot (neither blocks the nightly run).")] = False,
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="Open the explorer in the web browser.")] = True,
) -> None:
    """Explore the store in the browser, offline: process map, variants, drill-down to journeys (docs/explore.md)."""
    import threading
    import webbrowser

    import uvicorn

    from cxmining.explore.app import explorer_app

    path = _readable(db, live)
    if not path.is_file():
        raise CxminingError(f"{db}: store not found (run `cxmining run` first)")
    url = f"http://{host}:{port}/"
    typer.echo(f"cxmining explore on {url} (Ctrl+C to stop)", err=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, [url]).start()
    uvicorn.run(explorer_app(db, live), host=host, port=port, log_level="warning")


@app.command()
def export(
    out: Annotated[Path, typer.Option(help="File to write: .xes or .xes.gz (xes), .csv or .parquet (csv), .jsonocel or .sqlite (ocel).")],
    format: Annotated[str, typer.Option("--format", help="xes (ProM, Disco, pm4py), csv (one row per event; Celonis, Disco, pandas) or ocel (OCEL 2.0, object-centric).")],
    db: Annotated[Path, typer.Option(help="DuckDB file of the store (its snapshot is read when there is one).")] = DEFAULT_DB,
    journey_type: Annotated[str | None, typer.Option(help="Only journeys of this type (e.g. order); default all.")] = None,
    live: Annotated[bool, typer.Option("--live", help="Read the store itself, not its snapshot (neither blocks the nightly run).")] = False,
) -> None:
    """Write the journeys for other process-mining tools: XES, CSV/Parquet or OCEL 2.0 (docs/export.md)."""
    from cxmining.export.exported import checked_target, export_line, exported_file

    checked_target(out, format)  # a wrong option is refused before the store is opened
    typer.echo(export_line(exported_file(_readable(db, live), out, format, journey_type)))


benchmark_app = typer.Typer(no_args_is_help=True, help="Compare our journeys with other companies' (docs/benchmark.md).")
app.add_typer(benchmark_app, name="benchmark")


@benchmark_app.command("import")
def benchmark_import(
    file: Annotated[Path, typer.Argument(help="KPI table (.csv with metric and value columns, .yaml) or event log (.csv, .parquet).")],
    company: Annotated[str | None, typer.Option(help="Whose data this is; re-importing a company replaces all its rows. A KPI table may name companies in a column instead.")] = None,
    mapping: Annotated[Path | None, typer.Option(help="Event logs: YAML/TOML file naming the columns and which activities are orders, deliveries, calls, contacts.")] = None,
    db: Annotated[Path, typer.Option(help="DuckDB file of the store (created if missing).")] = DEFAULT_DB,
) -> None:
    """Import another company's published KPIs or journeys (mystery shopping) into benchmark_kpis / benchmark_events."""
    from cxmining.compare.competitors import import_benchmark
    from cxmining.store.night import store_change

    with store_change(db) as work:
        done = import_benchmark(file, work, company, mapping)
    what = (f"{done.rows} figures" if done.kind == "kpis" else
            f"{done.journeys} journeys ({done.order_journeys} with an order placed), {done.rows} events")
    typer.echo(f"imported {what} of {', '.join(done.companies)} from {file} into {db}; replaced {done.replaced} earlier rows")
    for pattern in done.unmatched:
        typer.echo(f"warning: {pattern} matches no activity of the log", err=True)


@benchmark_app.command("compare")
def benchmark_compare(
    db: Annotated[Path, typer.Option(help="DuckDB file of the store (after `run` and `benchmark import`).")] = DEFAULT_DB,
    out: Annotated[Path | None, typer.Option(help="Also write the comparison: .csv (side by side) or .md.")] = None,
) -> None:
    """Our KPIs next to every imported company's, with the difference; stored as benchmark_comparison."""
    from cxmining.compare.competitors import (
        comparison_markdown,
        comparison_rows,
        written_comparison,
    )
    from cxmining.store.night import store_change

    if not db.is_file():
        raise CxminingError(f"{db}: store not found (run `cxmining run` first)")
    with store_change(db) as work:
        rows = comparison_rows(work, store=True)
    typer.echo(comparison_markdown(rows), nl=False)
    if out is not None:
        typer.echo(f"wrote {written_comparison(rows, out)}")


EMBEDDED_STARTUP_SECONDS = "90"  # Prefect's 20 s is too short for a first start (a new database) on a busy machine


def main() -> None:
    """Console entry point: user errors are one line on stderr and exit code 1."""
    # before Prefect is imported (the commands import it when they need it); a value the user set stands
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", EMBEDDED_STARTUP_SECONDS)
    try:
        app()
    except CxminingError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    except Exception as exc:
        if os.environ.get("CXMINING_DEBUG"):
            raise
        typer.echo(f"error: {type(exc).__name__}: {first_line(exc)} "
                   "(set CXMINING_DEBUG=1 for the traceback)", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
