"""Files written whole or not at all: a run's output files and the store's snapshot."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from cxmining.errors import StoreError


def temporary_path(path: Path) -> Path:
    """Where `path` is written before it is renamed into place: a hidden file of the same folder (so the rename is
    atomic), named for this process. A `.{name}.*.tmp` left in the folder is a killed writer's."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextmanager
def whole_file(path: Path, binary: bool = False) -> Iterator[IO]:
    """A handle to write `path` through: it writes `temporary_path(path)`, which is synced to disk and renamed over
    `path` when the block ends, or removed if it fails. A reader (or a crash) never sees half a file."""
    with whole_path(path) as temporary, temporary.open("wb" if binary else "w",
                                                         **({} if binary else {"encoding": "utf-8"})) as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())  # on disk before it becomes visible under its name


@contextmanager
def whole_path(path: Path) -> Iterator[Path]:
    """A path to write `path` through, for writers that open the file themselves (DuckDB's COPY, sqlite3): it is
    `temporary_path(path)`, renamed over `path` when the block ends, or removed if it fails."""
    temporary = temporary_path(path)
    temporary.unlink(missing_ok=True)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)


def copied_whole(source: Path, target: Path) -> Path:
    """`target`, after copying `source` to it whole (`whole_file`), in 16 MiB chunks; OSError as the disk gives it."""
    with source.open("rb") as data, whole_file(target, binary=True) as copy:
        shutil.copyfileobj(data, copy, length=16 * 1024 * 1024)
    return target


def written_whole(path: Path, text: str) -> Path:
    """`path`, after writing `text` to it whole (`whole_file`; parent folders created). A disk that is full or
    read-only is a StoreError naming the file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with whole_file(path) as handle:
            handle.write(text)
    except OSError as exc:
        raise StoreError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    return path


def _running(pid: int) -> bool:
    """Whether process `pid` is running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, as another user
        return True
    return True


def stale_temporaries_removed(folder: Path) -> list[Path]:
    """Remove the temporary files (`temporary_path`) in `folder` whose writer is no longer running (a killed run's);
    the paths removed. A running writer's temporary file is left alone."""
    removed = []
    for path in sorted(folder.glob(".*.tmp")) if folder.is_dir() else ():
        writer = re.fullmatch(r"\..+\.(\d+)\.tmp", path.name)
        if writer and not _running(int(writer.group(1))):
            with suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed
