"""The night's own copy of the store: changes are built in a private copy and published over the store in one rename.

The store file is never written in place. A change (the nightly run, `cxmining demand`, `import-log`...) takes the
store's run lock, copies the store to a hidden file beside it, changes the copy, and renames the copy over the store.
Readers of the store or of its snapshot never block the change (they hold the file they opened; POSIX rename leaves
it intact, so they keep their view until they reopen) and never see half of it. A change that is killed leaves the
store as it was; its copy is removed by the next change. The copy needs the store's size in free disk space.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from cxmining.errors import StoreError
from cxmining.store import opened
from cxmining.store.outputs import copied_whole, temporary_path
from cxmining.store.run_lock import run_lock
from cxmining.store.snapshot import (
    Snapshot,
    snapshot_path,
    snapshot_published,
    staged_snapshot,
)


def working_path(db: str | Path) -> Path:
    """Where a change of the store `db` is built: `.<db name>.night` beside it (same folder: the rename is atomic)."""
    db = Path(db)
    return db.with_name(f".{db.name}.night")


def store_of(path: str | Path) -> Path:
    """The store a path stands for: `db` for its working copy `.<db name>.night` (`working_path`), else the path."""
    path = Path(path)
    if path.name.startswith(".") and path.name.endswith(".night") and len(path.name) > len("..night"):
        return path.with_name(path.name[1:-len(".night")])
    return path


def _wal(db: Path) -> Path:
    """DuckDB's write-ahead log of the database file `db`."""
    return db.with_name(db.name + ".wal")


def leftovers_removed(db: str | Path) -> list[Path]:
    """Remove what a killed change of `db` left beside it (its copy, its log, half-written snapshots and copies);
    the paths removed. Only call it under the store's run lock."""
    working, snapshot = working_path(db), snapshot_path(db)
    left = [p for p in (working, _wal(working)) if p.exists()]
    left += [*working.parent.glob(f".*{working.name}.*.tmp"), *snapshot.parent.glob(f".*{snapshot.name}.*.tmp")]
    for path in left:
        path.unlink(missing_ok=True)
    return left


def working_copy(db: str | Path) -> Path:
    """A private copy of the store `db` to change (`working_path`; no file yet when the store does not exist).

    The store is opened read-only while it is copied: other readers may hold it too, but no writer can change it
    mid-copy (one that holds it is StoreBusy). A store left with a write-ahead log by a killed writer is first
    recovered in place by DuckDB. A full disk is a StoreError naming the copy; the store is untouched.
    """
    db = Path(db)
    working = working_path(db)
    leftovers_removed(db)
    if not db.exists():
        return working
    if _wal(db).exists():  # a writer died before its checkpoint: DuckDB replays its log into the file
        with opened(db) as con:
            con.execute("CHECKPOINT")
    try:
        with opened(db, read_only=True):
            copied_whole(db, working)
    except OSError as exc:
        raise StoreError(f"{temporary_path(working)}: cannot copy the store to change it ({exc.strerror or exc}); "
                         "the store is unchanged") from None
    return working


def published_store(working: str | Path, db: str | Path) -> Path:
    """The store `db`, replaced by its changed copy `working` in one rename (after a checkpoint, so the file alone
    is complete, and a sync, so it is on disk before it is visible)."""
    working, db = Path(working), Path(db)
    with opened(working) as con:
        con.execute("CHECKPOINT")
    with working.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(working, db)
    with suppress(OSError):  # the rename itself on disk
        folder = os.open(db.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return db


def published_change(working: str | Path, db: str | Path, staged: Path | None) -> Snapshot | None:
    """The changed copy `working` published as the store `db` (`published_store`), then the `staged` snapshot, if
    any, as its snapshot (store first: a crash between the two leaves readers the previous snapshot, never a snapshot
    newer than the store); the snapshot published, or None."""
    published_store(working, db)
    return None if staged is None else snapshot_published(staged, db)


@contextmanager
def store_change(db: str | Path) -> Iterator[Path]:
    """The store `db` changed as one, by the block, in the copy it is given: under the store's run lock (a change
    or run under way is StoreBusy), published with its snapshot when the block ends, discarded when it fails."""
    with run_lock(db):
        working = working_copy(db)
        try:
            yield working
            if working.exists():
                published_change(working, db, staged_snapshot(working, db))
        finally:
            leftovers_removed(db)
