"""The read-only snapshot of the store: a complete copy published at the end of each run, for ad-hoc queries.

The nightly run builds its changes in a copy of the store (`cxmining.store.night`) and publishes the copy as the
store and as the snapshot: the two names are one file (a hard link; a copy where the file system has none), staged
under a temporary name and renamed over the old snapshot in one step, so a reader opens the previous snapshot or the
new one, never a part. A reader that already has the old snapshot open keeps reading it (POSIX rename leaves open
files intact). `published_snapshot` copies a store that is written in place (the library used on its own).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cxmining.errors import StoreError
from cxmining.store import opened
from cxmining.store.outputs import copied_whole, temporary_path

SUFFIX = ".snapshot.duckdb"


@dataclass(frozen=True)
class Snapshot:
    """A published snapshot file and when it was taken."""

    path: Path
    taken_at: datetime  # UTC, aware


def snapshot_path(db: str | Path) -> Path:
    """Where the snapshot of the store `db` is published: `cxmining.duckdb` -> `cxmining.store.snapshot.duckdb` beside it."""
    db = Path(db)
    return db.with_name(db.stem + SUFFIX)


def latest_snapshot(db: str | Path) -> Snapshot | None:
    """The published snapshot of the store `db` (or `db` itself when it is a snapshot file); None when none exists."""
    db = Path(db)
    path = db if db.name.endswith(SUFFIX) else snapshot_path(db)
    try:
        taken = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return Snapshot(path, datetime.fromtimestamp(taken, UTC))


def published_snapshot(db: str | Path) -> Snapshot:
    """Publish a copy of the store `db` as its snapshot, atomically replacing the previous one; the new snapshot."""
    db = Path(db)
    if not db.is_file():
        raise StoreError(f"{db}: no such database to snapshot")
    target = snapshot_path(db)
    try:
        # The read-write connection holds the store's lock: no other process can write while the file is copied.
        with opened(db) as con:
            con.execute("CHECKPOINT")  # move the write-ahead log into the file, so the file alone is complete
            for stale in target.parent.glob(f".{target.name}.*.tmp"):  # left by a killed run: we hold the lock
                stale.unlink(missing_ok=True)
            copied_whole(db, target)
    except OSError as exc:  # a full or read-only disk: say which file, the store itself is untouched
        raise StoreError(f"{temporary_path(target)}: cannot write the snapshot ({exc.strerror or exc}); the store is "
                         "unchanged, the previous snapshot stays") from None
    return Snapshot(target, datetime.fromtimestamp(target.stat().st_mtime, UTC))


def staged_snapshot(source: str | Path, db: str | Path) -> Path:
    """The next snapshot of the store `db`, made from `source` (the store's changed copy, which nothing else has
    open) under a temporary name beside the snapshot, for `snapshot_published` to rename into place: a hard link to
    `source` (no copy: the store is never written in place, so the two stay the same), else a copy. A full disk is
    a StoreError naming the file; the previous snapshot stays."""
    source, target = Path(source), snapshot_path(db)
    staged = temporary_path(target)
    if target.exists() and not target.is_file():  # found now, while the run can still record why
        raise StoreError(f"{target}: cannot write the snapshot (not a file); the previous snapshot stays")
    with opened(source) as con:
        con.execute("CHECKPOINT")  # the file alone is complete
    staged.unlink(missing_ok=True)
    try:
        os.link(source, staged)
    except OSError:  # a file system without hard links: copy
        try:
            copied_whole(source, staged)
        except OSError as exc:
            raise StoreError(f"{staged}: cannot write the snapshot ({exc.strerror or exc}); the previous snapshot "
                             "stays") from None
    return staged


def snapshot_published(staged: str | Path, db: str | Path) -> Snapshot:
    """The snapshot of `db`, replaced by the `staged` one in one rename."""
    target = snapshot_path(db)
    try:
        os.replace(staged, target)
    except OSError as exc:
        raise StoreError(f"{target}: cannot write the snapshot ({exc.strerror or exc}); the previous snapshot "
                         "stays") from None
    return Snapshot(target, datetime.fromtimestamp(target.stat().st_mtime, UTC))
