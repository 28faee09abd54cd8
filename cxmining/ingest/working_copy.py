"""A landing file read once: its bytes copied into a private file as they are hashed, CSV text in UTF-8.

A file the sender overwrites while the run reads it must not be stored under one content's hash with another
content's rows, so the run hashes exactly the bytes it loads: the copy it makes while hashing. CSV text arrives in
UTF-8 (with or without a byte-order mark), Latin-1 or UTF-16 (little- or big-endian, with or without a mark); the text
the run reads is UTF-8 whatever the delivery, so that every later step (DuckDB's reader, physical line numbers) reads
one encoding.
"""

from __future__ import annotations

import codecs
import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from cxmining.errors import FileGone, LandingError
from cxmining.ingest.landing import LandingFile

BLOCK = 1 << 20
BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def _blocks(file: LandingFile) -> Iterator[bytes]:
    """The delivered file's bytes in blocks; FileGone when it was deleted or moved after the run listed it."""
    try:
        with file.path.open("rb") as source:
            while block := source.read(BLOCK):
                yield block
    except FileNotFoundError:
        raise FileGone(f"{file.relative}: no longer there (deleted or moved while the run read the folder)") from None


def delivered_sha256(file: LandingFile) -> str:
    """SHA-256 of the delivered file's bytes, read without a copy (to skip a content loaded before)."""
    digest = hashlib.sha256()
    for block in _blocks(file):
        digest.update(block)
    return digest.hexdigest()


@contextmanager
def copied(file: LandingFile) -> Iterator[tuple[LandingFile, str]]:
    """The delivered file copied once into a private folder (removed afterwards) and the SHA-256 of the bytes copied:
    the file to read (`relative` still names the delivery) and its hash."""
    with tempfile.TemporaryDirectory(prefix="cxmining-") as folder:
        copy = Path(folder) / file.path.name
        digest = hashlib.sha256()
        with copy.open("wb") as target:
            for block in _blocks(file):
                digest.update(block)
                target.write(block)
        yield replace(file, path=copy, size_bytes=copy.stat().st_size), digest.hexdigest()


def delivered_encoding(start: bytes, declared: str) -> str:
    """The codec of CSV text from its first bytes: a byte-order mark wins over the mapping's `declared` encoding;
    UTF-16 without a mark is told little- from big-endian by where the zero byte of its first (ASCII) character is."""
    for bom, codec in BOMS:
        if start.startswith(bom):
            return codec
    if declared == "utf-16":
        return "utf-16-be" if start[:1] == b"\x00" else "utf-16-le"
    return declared


def utf8_text(file: LandingFile, declared: str) -> tuple[LandingFile, str]:
    """The CSV file as UTF-8 text (a sibling of the private copy when it had to be transcoded) and the codec the
    delivery was read with; a file that is not valid text in that codec is refused, naming the byte."""
    with file.path.open("rb") as source:
        start = source.read(4)
        codec = delivered_encoding(start, declared)
        if codec == "utf-8":  # as delivered: rows that are not valid UTF-8 are quarantined one by one
            return file, codec
        source.seek(len(next((bom for bom, name in BOMS if name == codec and start.startswith(bom)), b"")))
        target_path = file.path.with_name(file.path.name + ".utf-8")
        decoder = codecs.getincrementaldecoder(codec)(errors="strict")
        read = source.tell()
        try:
            with target_path.open("wb") as target:
                while block := source.read(BLOCK):
                    target.write(decoder.decode(block).encode("utf-8"))
                    read += len(block)
                target.write(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError as exc:
            raise LandingError(f"{file.relative}: not valid {codec} text near byte {read + exc.start + 1}") from None
    return replace(file, path=target_path), codec  # size_bytes stays the delivery's

