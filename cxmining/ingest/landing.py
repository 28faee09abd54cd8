"""The landing folder: which delivered files exist, of which source, and what else it holds that no step reads."""

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
    modified_ns: int | None = None  # the delivery's modification time: with its path and size, the quick check


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
    inside = landing.resolve()
    for path in sorted(folder.rglob("*")):
        if path.name.startswith(".") or not path.is_file() or not_a_delivery(path, inside):
            continue
        stat = path.stat()
        found.append(
            LandingFile(
                source=source,
                path=path,
                relative=path.relative_to(landing).as_posix(),
                format=SUFFIXES[path.suffix.lower()],
                size_bytes=stat.st_size,
                modified_ns=stat.st_mtime_ns,
            )
        )
    return found


def not_a_delivery(path: Path, inside: Path) -> str | None:
    """Why a file of a source folder is not taken (None: it is a delivery): a link out of the landing folder
    (`inside`, resolved), an upload in progress, or neither CSV nor Parquet."""
    suffix = path.suffix.lower()
    if not path.resolve().is_relative_to(inside):
        return "a link to outside the landing folder"
    if suffix in UPLOADING:
        return "still being uploaded (taken once it is renamed to its .csv or .parquet name)"
    if suffix not in SUFFIXES:
        packed = suffix in (".gz", ".zip", ".bz2", ".xz", ".zst")
        return "neither CSV nor Parquet" + (" (compressed files are not read: unpack it)" if packed else "")
    return None


SIDE_FOLDERS = ("models", "scenarios", "benchmarks")  # read by other steps: designed models, what-if, competitors
SIDE_FILES = ("truth.json",)  # the planted truth `cxmining sample` writes beside its files
# A file still being written is not taken: upload it under one of these suffixes (or a hidden name) and rename it
# when it is complete; the rename is atomic, so the run sees the whole file or none of it.
UPLOADING = (".part", ".partial", ".tmp", ".filepart", ".crdownload", ".uploading")


def untaken(landing: Path) -> list[str]:
    """What the landing folder holds that the run does not read, each with why: files at its root, folders that are
    no source, files of a source that are neither CSV nor Parquet (a `.csv.gz` is not unpacked), links that lead out
    of the folder. Hidden files (a leading dot) are left out."""
    if not landing.is_dir():
        return []
    inside, notes = landing.resolve(), []
    for path in sorted(landing.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_dir() and (path.name in SOURCES or path.name in SIDE_FOLDERS) or path.name in SIDE_FILES:
            continue
        if path.is_dir():
            like = next((s for s in SOURCES if s == path.name.lower()), None)
            known = f"did you mean {like}/?" if like else f"sources: {', '.join(SOURCES)}"
            notes.append(f"{path.name}/: not a source folder ({known})")
        else:
            notes.append(f"{path.name}: a file at the landing root (files go in their source's folder)")
    for source in SOURCES:
        folder = landing / source
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if not path.name.startswith(".") and not path.is_dir() and (why := not_a_delivery(path, inside)):
                notes.append(f"{path.relative_to(landing).as_posix()}: {why}")
    return notes
