"""Fuzzing landing files: damaged deliveries never crash the load, never lose a row in silence, never break the store.

Each case mutates a valid calls file (bytes flipped, inserted or cut, quotes, delimiters, NUL bytes, encodings, huge
fields, truncation, other files' rows) and loads it into one store with the next case's file beside it. Whatever the
damage, every file ends loaded (every record read is loaded, quarantined or a duplicate) or refused with a one-line
error naming it; the store keeps its consistency checks; and the valid file loaded after each damaged one loads in
full. The cases and their outcome are counted (docs/reliability.md).
"""

from __future__ import annotations

import os
import random
from collections import Counter
from pathlib import Path

from helpers import CALLS_HEADER, call_row

from cxmining.ingest.folder import landing_reports
from cxmining.store import connect
from cxmining.store.checks import broken_rules

KINDS = ("flip", "insert", "delete", "quote", "delimiter", "nul", "newline", "truncate", "utf16", "latin1",
         "huge field", "binary", "empty", "header only", "crlf", "bom")
# each kind of damage three times, at random places; CXMINING_FUZZ_CASES=960 for the sweep in docs/reliability.md
CASES = int(os.environ.get("CXMINING_FUZZ_CASES", 3 * len(KINDS)))


def _valid(n: int, tag: str) -> bytes:
    rows = [call_row(f"{tag}-{i}", notes='"a note, with a comma"' if i % 3 == 0 else "") for i in range(n)]
    return ("\n".join([CALLS_HEADER, *rows]) + "\n").encode("utf-8")


def _mutated(data: bytes, kind: str, rng: random.Random) -> bytes:
    """`data` damaged in the way `kind` names, at a random place."""
    b = bytearray(data)
    at = rng.randrange(len(b))
    if kind == "flip":
        b[at] = rng.randrange(256)
    elif kind == "insert":
        b[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
    elif kind == "delete":
        del b[at:at + rng.randrange(1, 40)]
    elif kind == "quote":
        b[at:at] = b'"'
    elif kind == "delimiter":
        b[at:at] = rng.choice([b",", b";", b"\t", b",,,"])
    elif kind == "nul":
        b[at:at] = b"\x00"
    elif kind == "newline":
        b[at:at] = rng.choice([b"\n", b"\r", b"\r\n", b"\n\n"])
    elif kind == "truncate":
        del b[at:]
    elif kind == "utf16":
        return data.decode("utf-8").encode(rng.choice(["utf-16", "utf-16-le", "utf-16-be"]))
    elif kind == "latin1":
        return data.decode("utf-8").replace("note", "not\u00e9").encode("latin-1")
    elif kind == "huge field":
        b[at:at] = b"x" * rng.choice([70_000, 140_000])
    elif kind == "binary":
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 2000)))
    elif kind == "empty":
        return b""
    elif kind == "header only":
        return (CALLS_HEADER + "\n").encode()
    elif kind == "crlf":
        return data.replace(b"\n", b"\r\n")
    elif kind == "bom":
        return b"\xef\xbb\xbf" + data
    return bytes(b)


def test_damaged_files_are_loaded_or_refused_never_lost_and_never_break_the_store(tmp_path: Path) -> None:
    rng = random.Random(20261202)
    db = connect(tmp_path / "store.duckdb")  # one connection for every case, as one night loads many files
    outcomes: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for case in range(CASES):
        landing = tmp_path / f"landing-{case}"
        (landing / "calls").mkdir(parents=True)
        kind = KINDS[case % len(KINDS)]
        damaged = _mutated(_valid(rng.randrange(1, 30), f"C{case}"), kind, rng)
        kinds[kind] += 1
        (landing / "calls" / "a_damaged.csv").write_bytes(damaged)
        (landing / "calls" / "b_valid.csv").write_bytes(_valid(5, f"V{case}"))
        reports = {r.path: r for r in landing_reports(db, landing, f"run-{case}")}
        bad, good = reports["calls/a_damaged.csv"], reports["calls/b_valid.csv"]
        if bad.status == "rejected":
            assert bad.error.startswith("calls/a_damaged.csv") and "\n" not in bad.error, (kind, bad.error)
        else:
            assert bad.rows_read == bad.rows_loaded + bad.rows_quarantined + bad.rows_duplicate, kind
        outcomes[bad.status] += 1
        assert good.status == "loaded" and good.rows_loaded == 5, (kind, good)  # the next file is not harmed
    assert broken_rules(db) == {}  # every loaded file reconciles with the raw table and the quarantine
    db.close()
    assert outcomes["loaded"] > CASES / 3 and outcomes["rejected"] > 0  # both paths were exercised
    assert len(kinds) == len(KINDS)
    print(f"\nfuzz: {CASES} damaged files ({dict(kinds)}): {dict(outcomes)}; rows lost 0, store consistent")
