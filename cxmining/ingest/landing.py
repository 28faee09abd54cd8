"""The landing folder: which delivered files exist, of which source, and their content hash."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cxmining.errors import LandingError
from cxmining.ingest.contract import SOURCES

FileFormat = Literal["csv", "parquet"]
SUFFIXES: dict[str, FileFormat] = {".csv": "csv", ".parquet": "parquet"}


@dataclass(frozen=True)
class LandingFile:
    """One delivered file of one source."""

    source: str
    path: Path
    relative: str  # path relative to the landing folder, with '/' separators
    format: FileFormat
    size_bytes: int


def landing_files(landing: Path, source: str) -> list[LandingFile]:
    """The files of `source` under `landing/<source>/`, sorted by name (daily drops sort by date)."""
    if source not in SOURCES:
        raise LandingError(f"{source!r} is not a landing source (sources: {', '.join(SOURCES)})")
    if not landing.is_dir():
        raise LandingError(f"{landing}: landing folder does not exist")
    folder = landing / source
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.rglob("*")):
        fmt = SUFFIXES.get(path.suffix.lower())
        if fmt is None or not path.is_file() or path.name.startswith("."):
            continue
        found.append(
            LandingFile(
                source=source,
                path=path,
                relative=path.relative_to(landing).as_posix(),
                format=fmt,
                size_bytes=path.stat().st_size,
            )
        )
    return found
