"""One change at a time: a lock the nightly run (or any change of the store) holds on its store while it runs.

The lock file also says who holds it: the holder writes a note (its PID, start and run id) when it takes the lock
and clears it when it lets go. A note found when the lock is taken was left by a holder that was killed.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from cxmining.errors import StoreBusy
from cxmining.store import utc_now


def run_lock_path(db: str | Path) -> Path:
    """The lock file beside the store: `<db>.run-lock`."""
    db = Path(db)
    return db.with_name(db.name + ".run-lock")


def _holder(text: str) -> dict:
    """The note in a lock file (an older plain-text note is kept as `text`)."""
    try:
        note = json.loads(text)
    except ValueError:
        return {"text": text}
    return note if isinstance(note, dict) else {"text": text}


def _described(note: Mapping) -> str:
    """'run R, PID P, started S UTC' from a holder's note."""
    parts = [f"run {note['run_id']}"] if note.get("run_id") else []
    parts += [f"PID {note['pid']}"] if note.get("pid") else []
    parts += [f"started {note['started_at']} UTC"] if note.get("started_at") else []
    return ", ".join(parts) or note.get("text") or "a run"


@contextmanager
def run_lock(db: str | Path, note: Mapping[str, object] | None = None) -> Iterator[dict | None]:
    """Hold the store's run lock while the block runs; the block gets the note a killed holder left (None if the
    last holder let go). A second run does not start: StoreBusy names the run that holds the lock (its PID and
    start). The operating system releases the lock when its process ends, even by `kill -9`, so a killed run never
    leaves a stale lock; it leaves its note, which the next holder is given."""
    path = run_lock_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = _described(_holder(handle.read().strip()))
            raise StoreBusy(f"{db}: another run ({holder}) is under way; this one did not start") from None
        handle.seek(0)
        left = handle.read().strip()
        handle.seek(0)
        handle.truncate()
        mine = {"pid": os.getpid(), "started_at": f"{utc_now():%Y-%m-%d %H:%M:%S}"} | dict(note or {})
        handle.write(json.dumps(mine, default=str, sort_keys=True))
        handle.flush()
        try:
            yield _holder(left) if left else None
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
