"""Where the partitioned stages of a night run: in the flow's own process (the default), on a Dask LocalCluster of
this machine, or on an existing Dask scheduler, named by one setting (`--cluster`, the flow's `cluster` parameter).

The setting is read and checked here, before Prefect starts; `task_runner` turns it into the Prefect task runner
(prefect-dask's `DaskTaskRunner`) that the partitioned stages' subflow runs with (docs/scaling.md).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxmining.errors import CxminingError

_LOCAL = re.compile(r"local:(\d+)")
_ADDRESS = re.compile(r"(tcp|tls)://[A-Za-z0-9.\-\[\]:]+:\d+")
MAX_LOCAL_WORKERS = 256  # a typo guard: more worker processes than any one machine runs
BUCKETS = 8  # customer buckets of a night on a cluster: several per worker, so a slow bucket does not hold the rest


@dataclass(frozen=True)
class Cluster:
    """A Dask cluster: a LocalCluster of `workers` processes (one thread each), or the scheduler at `address`."""

    workers: int | None = None
    address: str | None = None


def cluster_setting(text: str | None) -> Cluster | None:
    """The cluster `text` names: None or '' (in-process), 'local:N' (a LocalCluster of N workers) or
    'tcp://HOST:PORT' (an existing scheduler); anything else is a one-line CxminingError saying what to write."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if local := _LOCAL.fullmatch(text):
        workers = int(local.group(1))
        if not 1 <= workers <= MAX_LOCAL_WORKERS:
            raise CxminingError(f"--cluster {text}: a LocalCluster needs 1 to {MAX_LOCAL_WORKERS} workers")
        return Cluster(workers=workers)
    if _ADDRESS.fullmatch(text):
        return Cluster(address=text)
    raise CxminingError(f"--cluster {text!r}: write local:N (a LocalCluster of N workers) or tcp://HOST:PORT "
                        "(a running Dask scheduler)")


def checked_buckets(buckets: int) -> int:
    """`buckets`, or a one-line CxminingError when it is not 1 or more."""
    if buckets < 1:
        raise CxminingError(f"--buckets {buckets}: the customers need 1 bucket or more")
    return buckets


def partitions_folder(db: str | Path) -> Path:
    """Where a store's partitions for the cluster's workers live: `<store>.parts/`, next to the store."""
    db = Path(db)
    return db.with_name(db.name + ".parts")


def task_runner(cluster: Cluster, prefect_api: str | None = None) -> Any:
    """The Prefect task runner of `cluster`: prefect-dask's DaskTaskRunner, starting a LocalCluster of single-threaded
    worker processes (only warnings logged) that report to the Prefect server at `prefect_api`, or
    connecting to the scheduler's address (whose workers have their own PREFECT_API_URL)."""
    import dask  # only a night on a cluster needs Dask
    from prefect_dask import DaskTaskRunner

    if cluster.address:
        return DaskTaskRunner(address=cluster.address)
    # Without the URL each worker process would start a temporary Prefect server of its own (seconds, and a port each).
    env = {"PREFECT_API_URL": prefect_api} if prefect_api else {}
    # The night's log has Dask's warnings, not its start-up lines: in this process, and in the workers before they
    # read Dask's settings (the `env` above is set too late for that).
    logging.getLogger("distributed").setLevel(logging.WARNING)
    dask.config.set({"distributed.nanny.pre-spawn-environ.DASK_LOGGING__DISTRIBUTED": "warning"})
    # The dashboard on a free port (None does not turn it off): never the 8787 of another cluster on this machine.
    return DaskTaskRunner(cluster_class="distributed.LocalCluster",
                          cluster_kwargs={"n_workers": cluster.workers, "threads_per_worker": 1, "processes": True,
                                          "dashboard_address": ":0", "silence_logs": logging.WARNING, "env": env})
