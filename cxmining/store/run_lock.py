"""One run at a time: a lock the nightly run holds on its store for the whole run."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cxmining.errors import StoreBusy
from cxmining.store import utc_now


def run_lock_path(db: str | Path) -> Path:
    """The lock file beside the store: `<db>.run-lock`."""
    db = Path(db)
    return db.with_name(db.name + ".run-lock")


@contextmanager
def run_lock(db: str | Path) -> Iterator[None]:
    """Hold the store's run lock while the block runs. A second run does not start: StoreBusy names the run that holds
    the lock (its PID and start). The operating system releases the lock when its process ends, even by `kill -9`,
    so a killed run never leaves a stale lock."""
    path = run_lock_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "a run"
            raise StoreBusy(f"{db}: another run ({holder}) is under way; this one did not start") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"PID {os.getpid()}, started {utc_now():%Y-%m-%d %H:%M:%S} UTC")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
