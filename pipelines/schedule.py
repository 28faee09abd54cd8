"""The nightly deployment: `nightly` on a cron schedule, served by a long-running process.

    prefect server start                      # once, in its own terminal or as a service
    PREFECT_API_URL=http://127.0.0.1:4200/api python -m pipelines.schedule --landing /data/landing \\
        --db /data/cxmining.duckdb --out /data/out --cron "30 2 * * *" --timezone Europe/Amsterdam

Scheduling needs a Prefect server: the embedded (temporary) server used by `cxmining run` lives only
as long as one run. Without a server, a crontab line running `cxmining run` does the same job
(docs/scheduling.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from cxmining.config import DEFAULT_DB, DEFAULT_LANDING, DEFAULT_OUT, known_time_zone
from cxmining.errors import CxminingError, ScheduleError
from pipelines.nightly import nightly

DEFAULT_CRON = "30 2 * * *"  # 02:30 every night, after the day's drops have landed
DEFAULT_TIMEZONE = "Europe/Amsterdam"


def nightly_deployment(
    landing: Path,
    db: Path,
    out: Path,
    mapping: Path | None = None,
    cron: str = DEFAULT_CRON,
    timezone: str = DEFAULT_TIMEZONE,
) -> RunnerDeployment:
    """The `nightly` flow as a deployment with its cron schedule and absolute-path parameters.

    A cron expression or time zone that cannot be used is a ScheduleError saying which and what to write.
    """
    try:
        known_time_zone(timezone)
    except ValueError as exc:
        raise ScheduleError(f"--timezone: {exc}") from None
    try:
        schedule = Cron(cron, timezone=timezone)
    except ValueError:
        raise ScheduleError(f"--cron: {cron!r} is not a cron expression such as {DEFAULT_CRON!r}") from None
    parameters = {"landing": str(landing.resolve()), "db": str(db.resolve()), "out": str(out.resolve())}
    if mapping is not None:
        parameters["mapping"] = str(mapping.resolve())
    return nightly.to_deployment(
        name="nightly",
        schedules=[schedule],
        parameters=parameters,
        description="Land new call, web and order files in DuckDB; rebuild journeys, statistics, model and pictures.",
        tags=["cxmining"],
    )


def main() -> None:
    """Serve the nightly deployment until stopped (needs PREFECT_API_URL pointing at a Prefect server)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, default=DEFAULT_LANDING)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--mapping", type=Path)
    parser.add_argument("--cron", default=DEFAULT_CRON)
    parser.add_argument("--timezone", default=DEFAULT_TIMEZONE)
    args = parser.parse_args()
    try:
        deployment = nightly_deployment(args.landing, args.db, args.out, args.mapping, args.cron, args.timezone)
    except CxminingError as exc:
        parser.error(str(exc))
    serve(deployment)


if __name__ == "__main__":
    main()
