"""The `cxmining` command: generate a sample, run the nightly flow once, query the store."""

from __future__ import annotations

import os
import re
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cxmining.errors import CxminingError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Customer-process mining: land call-centre, web and order logs in DuckDB and mine the customer process.",
)

DEFAULT_LANDING = Path("data/sample")
DEFAULT_DB = Path("cxmining.duckdb")
DEFAULT_OUT = Path("out")


@app.command()
def sample(
    out: Annotated[Path, typer.Option(help="Folder to write the landing folder into.")] = Path("sample-landing"),
    customers: Annotated[int, typer.Option(min=1, help="Number of customers to simulate.")] = 400,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 7,
    start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")] = "2026-09-01",
    days: Annotated[int, typer.Option(min=1, help="Number of days of daily drops.")] = 60,
    dirty_rate: Annotated[float, typer.Option(min=0.0, max=0.5, help="Share of fact rows made defective.")] = 0.002,
) -> None:
    """Generate a landing folder with planted, documented ground truth (truth.json beside the data)."""
    from cxmining.sample import write_sample

    try:
        first = date.fromisoformat(start)
    except ValueError:
        raise CxminingError(f"--start: {start!r} is not a date like 2026-09-01") from None
    began = time.perf_counter()
    truth = write_sample(out, customers=customers, seed=seed, start=first, days=days, dirty_rate=dirty_rate,
                         progress=lambda msg: typer.echo(msg, err=True))
    rows = truth.get("rows", {})
    typer.echo(f"wrote {out} in {time.perf_counter() - began:.1f}s: "
               + ", ".join(f"{source} {t['rows']} rows" for source, t in rows.items()) + "; truth in truth.json")


@app.command()
def run(
    landing: Annotated[Path, typer.Option(help="Landing folder with calls/, web/, orders/, products/, customers/.")] = DEFAULT_LANDING,
    db: Annotated[Path, typer.Option(help="DuckDB file of the store (created if missing).")] = DEFAULT_DB,
    out: Annotated[Path, typer.Option(help="Output folder of the run.")] = DEFAULT_OUT,
    mapping: Annotated[Path | None, typer.Option(help="YAML or TOML file mapping an export onto the contract.")] = None,
    lookback_days: Annotated[int, typer.Option(min=0, max=365, help="Days of research counted towards a later order.")] = 14,
    quiet_days: Annotated[int, typer.Option(min=0, max=365, help="Days after an order's last event that contacts still belong to it.")] = 14,
    noise: Annotated[float, typer.Option(min=0.0, max=1.0, help="Noise threshold of the inductive miner.")] = 0.2,
) -> None:
    """Run the nightly flow once, locally (Prefect's embedded mode: no server to start)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from pipelines.nightly import nightly

    if mapping is not None and not mapping.is_file():
        raise CxminingError(f"{mapping}: mapping file not found")
    if not landing.is_dir():
        raise CxminingError(f"{landing}: landing folder not found")
    result = nightly(landing=landing, db=db, out=out, mapping=mapping, lookback_days=lookback_days,
                     quiet_days=quiet_days, noise=noise)
    typer.echo(f"run {result['run_id']}: " + ", ".join(f"{k} {v}" for k, v in result["store"].items()))
    typer.echo(f"summary: {result['summary']}")
    for path in result["files"].values():
        typer.echo(f"wrote {path}")


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="A read-only SQL query, e.g. \"SELECT activity, count(*) FROM events GROUP BY 1\".")],
    db: Annotated[Path, typer.Option(help="DuckDB file of the store.")] = DEFAULT_DB,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
    max_rows: Annotated[int, typer.Option(help="Rows shown in table output.")] = 40,
) -> None:
    """Run a query against the store, read-only, and print the result."""
    import duckdb

    from cxmining.store import connect

    con = connect(db, read_only=True)
    try:
        relation = con.sql(query)
        if relation is None:
            raise CxminingError("the statement returned no rows (only queries are allowed)")
        if csv:
            relation.pl().write_csv(sys.stdout)
        else:
            relation.show(max_rows=max_rows, max_width=200)
    except duckdb.Error as exc:
        raise CxminingError(f"query failed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()


@app.command("import-log")
def import_log_command(
    file: Annotated[Path, typer.Argument(help="Event log: .xes, .xes.gz, .csv (.csv.gz, .tsv) or .parquet.")],
    db: Annotated[Path, typer.Option(help="DuckDB file of the store (created if missing).")] = DEFAULT_DB,
    name: Annotated[str | None, typer.Option(help="Name of the log in the store (default: the file stem); re-importing a name replaces it.")] = None,
    case: Annotated[str, typer.Option(help="Case id column.")] = "case:concept:name",
    activity: Annotated[str, typer.Option(help="Activity column.")] = "concept:name",
    timestamp: Annotated[str, typer.Option(help="Timestamp column.")] = "time:timestamp",
    lifecycle_column: Annotated[str | None, typer.Option(help="Lifecycle column (default: lifecycle:transition if present).")] = None,
    lifecycle: Annotated[str | None, typer.Option(help="Keep only events with this lifecycle, e.g. complete (case-insensitive); default keeps all.")] = None,
    lane: Annotated[str | None, typer.Option(help="Column naming the part of the organisation, e.g. org:group; default none.")] = None,
    timestamp_format: Annotated[str | None, typer.Option(help="strptime format of text timestamps, e.g. '%d-%m-%Y %H:%M' (default: ISO-like).")] = None,
    timezone: Annotated[str, typer.Option(help="Time zone of naive CSV/Parquet timestamps, e.g. Europe/Amsterdam.")] = "UTC",
    delimiter: Annotated[str, typer.Option(help="CSV delimiter (\\t for tab).")] = ",",
    encoding: Annotated[str, typer.Option(help="CSV encoding, e.g. utf-8, latin-1.")] = "utf-8",
    out: Annotated[Path | None, typer.Option(help="Output folder for the process model and pictures (default: out/<name>).")] = None,
    noise: Annotated[float, typer.Option(min=0.0, max=1.0, help="Noise threshold of the inductive miner.")] = 0.2,
) -> None:
    """Import an existing event log (XES, CSV, Parquet) into the store as imported_events and journey_events."""
    from cxmining.eventlog import CsvDialect, LogMapping
    from cxmining.imported import import_log

    mapping = LogMapping(case=case, activity=activity, timestamp=timestamp, lifecycle_column=lifecycle_column,
                         lifecycle=lifecycle, lane=lane, timestamp_format=timestamp_format, timezone=timezone)
    log = import_log(file, db, mapping=mapping, dialect=CsvDialect(delimiter=delimiter, encoding=encoding), name=name)
    typer.echo(f"imported {log.name} from {file} into {db} in {log.seconds:.1f}s ({log.reader}): {log.cases} cases, "
               f"{log.events} events, {log.activities} activities, {log.skipped} skipped rows")
    for rows in log.skipped_rows:
        shown = "" if rows.first_value is None else f" {rows.first_value!r}"
        typer.echo(f"skipped {rows.rows} rows: {rows.problem} (first at row {rows.first_row}{shown})")
    if log.filtered:
        typer.echo(f"left out {log.filtered} events whose lifecycle is not {lifecycle!r}")
    from cxmining.analysis import process_outputs

    outputs = process_outputs(db, out or DEFAULT_OUT / log.name, noise)
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
    method: Annotated[str, typer.Option(help="alignments (exact, typed deviations) or token_replay (fast).")] = "alignments",
    timeout: Annotated[float, typer.Option(help="Seconds one variant may take to align before it is skipped.")] = 5.0,
    precision: Annotated[bool, typer.Option(help="Compute precision (replays every variant, not cached).")] = True,
    top: Annotated[int, typer.Option(help="Deviations shown.")] = 10,
    out: Annotated[Path, typer.Option(help="Folder for the deviation map (SVG).")] = DEFAULT_OUT,
) -> None:
    """Compare the store's journeys with a designed BPMN model: fitness, precision, typed deviations, deviation map."""
    from cxmining.conformance import model_conformance, store_activities
    from cxmining.designed import designed_model, label_mapping
    from cxmining.deviation_map import deviation_map_svg
    from cxmining.model_diff import model_diff
    from cxmining.store import opened

    mapping = label_mapping(labels) if labels else None
    designed = designed_model(model, mapping, store_activities(db), process=process)
    if designed.unmatched_labels:
        typer.echo(f"model tasks matching no activity of the log: {', '.join(sorted(designed.unmatched_labels))}")
    report = model_conformance(db, designed, journey_type, method, timeout, precision)  # type: ignore[arg-type]
    precision = "n/a" if report.precision is None else f"{report.precision:.3f}"
    typer.echo(f"{report.journeys} journeys, {report.variants} variants: fitness {report.fitness or 0:.4f} "
               f"(log fitness {report.log_fitness or 0:.4f}), {100 * (report.fitting_share or 0):.1f}% fitting, "
               f"precision {precision}; aligned {report.computed_variants}, from cache {report.cached_variants}, "
               f"timed out {report.timed_out_variants}; {report.seconds:.1f}s")
    diff = model_diff(db, designed, journey_type)
    typer.echo(f"only in reality: {', '.join(map(str, diff.names('activity', 'reality'))) or 'nothing'}; "
               f"only in the design: {', '.join(map(str, diff.names('activity', 'design'))) or 'nothing'}")
    out.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", designed.name).strip("_") or "model"
    typer.echo(f"wrote {deviation_map_svg(db, designed, out / f'deviation_map_{slug}.svg')}")
    with opened(db, read_only=True) as con:
        con.sql(
            "SELECT deviation_type, activity, after_step, before_step, journeys, round(share, 3) AS share "
            "FROM deviations ORDER BY journeys DESC, deviation_type, activity LIMIT $top", params={"top": top}
        ).show(max_width=200)


def main() -> None:
    """Console entry point: user errors are one line on stderr and exit code 1."""
    try:
        app()
    except CxminingError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    except Exception as exc:  # noqa: BLE001 - never show a bare traceback to a user
        if os.environ.get("CXMINING_DEBUG"):
            raise
        typer.echo(f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''} "
                   "(set CXMINING_DEBUG=1 for the traceback)", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
