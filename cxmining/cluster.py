"""Where the partitioned stages of a night run: in the flow's own process (the default), on a Dask LocalCluster of
this machine, or on an existing Dask scheduler, named by one setting (`--cluster`, the flow's `cluster` parameter).

The setting is read and checked here, before Prefect starts. `night_cluster` starts a LocalCluster once for the whole
night, so every partitioned stage's subflow joins the same workers; `task_runner` turns a cluster into the Prefect
task runner (prefect-dask's `DaskTaskRunner`) that those subflows run with (docs/scaling.md).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cxmining.cores import usable_cores
from cxmining.errors import CxminingError
from cxmining.store import MEMORY_CAP, MEMORY_LIMIT, THREADS, machine_memory_bytes

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


def partitions_removed(folder: Path) -> None:
    """A stage's partitions `folder` removed once published, and the folders above it this leaves empty, up to the
    store's partitions folder (`partitions_folder`): another stage's partitions keep theirs."""
    shutil.rmtree(folder, ignore_errors=True)
    above = list(folder.parents)
    top = next((i for i, parent in enumerate(above) if parent.name.endswith(".parts")), -1)
    for parent in above[:top + 1]:  # nothing above the partitions folder, nor anything outside one
        try:
            parent.rmdir()
        except OSError:  # not empty: another stage's partitions, or the kept statistics
            return


def worker_environment(workers: int, prefect_api: str | None = None) -> dict[str, str]:
    """The environment of a LocalCluster's worker processes: the Prefect server they report to (without it each
    worker would start a temporary server of its own: seconds, and a port each), and their share of this machine: its
    cores divided among the `workers` for DuckDB, r4pm and polars (`CXMINING_THREADS`, `RAYON_NUM_THREADS`,
    `POLARS_MAX_THREADS`) and DuckDB's memory (`CXMINING_MEMORY_LIMIT`), so N workers do not each take every core.
    A memory limit set for the night is kept."""
    env = {"PREFECT_API_URL": prefect_api} if prefect_api else {}
    threads = str(max(1, usable_cores() // workers))
    # DuckDB's, r4pm's (Rust's rayon) and polars' thread pools: each sized to the worker's share of the cores
    env |= {THREADS: threads, "RAYON_NUM_THREADS": threads, "POLARS_MAX_THREADS": threads}
    total = machine_memory_bytes()
    if MEMORY_LIMIT not in os.environ and total:
        env[MEMORY_LIMIT] = f"{max(min(total // 2, MEMORY_CAP) // workers // 2**20, 256)}MiB"
    return env


def _local_cluster_kwargs(workers: int, prefect_api: str | None) -> dict[str, Any]:
    """LocalCluster's settings for `workers` single-threaded worker processes that log only warnings."""
    import dask  # only a night on a cluster needs Dask

    # The night's log has Dask's warnings, not its start-up lines: in this process, and in the workers before they
    # read Dask's settings (the `env` below is set too late for that).
    logging.getLogger("distributed").setLevel(logging.WARNING)
    dask.config.set({"distributed.nanny.pre-spawn-environ.DASK_LOGGING__DISTRIBUTED": "warning"})
    # The dashboard on a free port (None does not turn it off): never the 8787 of another cluster on this machine.
    return {"n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": ":0",
            "silence_logs": logging.WARNING, "env": worker_environment(workers, prefect_api)}


def answering(address: str, timeout: float = 10.0) -> str:
    """`address`, once something accepts a connection there; else a one-line CxminingError, so that a night whose
    scheduler is down stops before it loads anything (Dask itself would wait 30 s at the first stage, mid-night)."""
    parts = urlsplit(address)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=timeout):
            return address
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise CxminingError(f"--cluster {address}: no Dask scheduler answers there ({why})") from exc


@contextmanager
def night_cluster(cluster: Cluster | None, prefect_api: str | None = None) -> Iterator[Cluster | None]:
    """The cluster every partitioned stage of a night joins: for `local:N`, a LocalCluster started here once (its
    workers reporting to the Prefect server at `prefect_api`) and stopped on leaving, given as its scheduler's
    address; an existing scheduler (once it answers: `answering`), or None (in-process), as it is."""
    if cluster is None or cluster.address:
        if cluster is not None:
            answering(cluster.address)
        yield cluster
        return
    from distributed import LocalCluster

    with LocalCluster(**_local_cluster_kwargs(cluster.workers or 1, prefect_api)) as local:
        yield replace(cluster, address=local.scheduler_address)


def task_runner(cluster: Cluster, prefect_api: str | None = None) -> Any:
    """The Prefect task runner of `cluster`: prefect-dask's DaskTaskRunner, joining the scheduler at its address
    (a night's LocalCluster, or a cluster whose workers have their own PREFECT_API_URL), or else starting a
    LocalCluster of single-threaded worker processes for the one subflow, reporting to `prefect_api`."""
    from prefect_dask import DaskTaskRunner

    if cluster.address:
        return DaskTaskRunner(address=cluster.address)
    return DaskTaskRunner(cluster_class="distributed.LocalCluster",
                          cluster_kwargs=_local_cluster_kwargs(cluster.workers or 1, prefect_api))
