"""The nightly deployment: `nightly` on a cron schedule, served by a long-running process.

    prefect server start                      # once, in its own terminal or as a service
    PREFECT_API_URL=http://127.0.0.1:4200/api python -m pipelines.schedule --landing /data/landing \\
        --db /data/cxmining.duckdb --out /data/out --cron "30 2 * * *" --timezone Europe/Amsterdam \\
        --set noise=0.3 --set conformance_method=token_replay          # any parameter of the nightly flow

Scheduling needs a Prefect server: the embedded (temporary) server used by `cxmining run` lives only
as long as one run. Without a server, a crontab line running `cxmining run` does the same job
(docs/scheduling.md).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from cxmining.cluster import cluster_setting
from cxmining.config import DEFAULT_DB, DEFAULT_LANDING, DEFAULT_OUT, known_time_zone
from cxmining.conformance.settings import BATCH_VARIANTS, checked_batch_size
from cxmining.errors import CxminingError, ScheduleError
from cxmining.mining.partitioned import BUCKETS, checked_buckets
from pipelines.nightly import nightly

DEFAULT_CRON = "30 2 * * *"  # 02:30 every night, after the day's drops have landed
DEFAULT_TIMEZONE = "Europe/Amsterdam"


def flow_parameters(settings: list[str]) -> dict[str, object]:
    """`NAME=VALUE` settings as parameters of the nightly flow, each value read as JSON when it is JSON (numbers,
    true/false, null) and as text otherwise; an unknown name or a value the flow refuses is a one-line ScheduleError."""
    known = set(nightly.parameters.properties)
    chosen: dict[str, object] = {}
    for setting in settings:
        name, sep, text = setting.partition("=")
        if not sep or name not in known:
            raise ScheduleError(f"--set {setting!r}: not NAME=VALUE with NAME one of {', '.join(sorted(known))}")
        try:
            chosen[name] = json.loads(text)
        except ValueError:
            chosen[name] = text
    try:
        nightly.validate_parameters(dict(chosen))
    except Exception as exc:  # noqa: BLE001 - Prefect's ParameterTypeError lists every problem over several lines
        raise ScheduleError(f"--set: {' '.join(str(exc).split())}") from None
    try:  # checked now, not at 02:30
        cluster_setting(chosen.get("cluster"))  # type: ignore[arg-type]
        checked_buckets(chosen.get("buckets", BUCKETS))  # type: ignore[arg-type]
        checked_batch_size(chosen.get("conformance_batch", BATCH_VARIANTS))  # type: ignore[arg-type]
    except CxminingError as exc:
        raise ScheduleError(f"--set: {exc}") from None
    return chosen


def nightly_deployment(
    landing: Path,
    db: Path,
    out: Path,
    mapping: Path | None = None,
    cron: str = DEFAULT_CRON,
    timezone: str = DEFAULT_TIMEZONE,
    settings: list[str] | None = None,
) -> RunnerDeployment:
    """The `nightly` flow as a deployment with its cron schedule and absolute-path parameters, and any other flow
    parameter as `settings` (`NAME=VALUE`, `flow_parameters`).

    A cron expression, time zone or setting that cannot be used is a ScheduleError saying which and what to write.
    """
    try:
        known_time_zone(timezone)
    except ValueError as exc:
        raise ScheduleError(f"--timezone: {exc}") from None
    try:
        schedule = Cron(cron, timezone=timezone)
    except ValueError:
        raise ScheduleError(f"--cron: {cron!r} is not a cron expression such as {DEFAULT_CRON!r}") from None
    parameters = flow_parameters(settings or []) | {
        "landing": str(landing.resolve()), "db": str(db.resolve()), "out": str(out.resolve())}
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
    parser.add_argument("--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="any other parameter of the nightly flow, e.g. noise=0.3 (repeatable)")
    args = parser.parse_args()
    try:
        deployment = nightly_deployment(args.landing, args.db, args.out, args.mapping, args.cron, args.timezone,
                                        args.settings)
    except CxminingError as exc:
        parser.error(str(exc))
    serve(deployment)


if __name__ == "__main__":
    main()
