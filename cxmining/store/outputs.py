"""Files of a run's output folder, written whole or not at all."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

from cxmining.errors import StoreError


def written_whole(path: Path, text: str) -> Path:
    """`path`, after writing `text` to it through a temporary file in the same folder and an atomic rename: a reader
    (or a crash) never sees half a file. A disk that is full or read-only is a StoreError naming the file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        raise StoreError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    finally:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)
    return path
