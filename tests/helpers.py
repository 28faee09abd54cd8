"""What the tests share that is not a fixture: landing-file writers, store readers, the CLI in-process, sample
stores and the real public logs."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent

REAL = ROOT.parent / "shared" / "data" / "real"
SMALL_SAMPLE = (300, 3, 30)  # customers, seed, days of the small fresh sample the reading tests share

CALLS_HEADER = "call_id,caller_number,customer_id,started_at,ended_at,ivr_path,queue,agent_team,reason_code,product_id,order_id,outcome,notes"
WEB_HEADER = "event_id,session_id,visitor_id,customer_id,ts,event_type,page,product_id,order_id"
ORDERS_HEADER = "order_id,customer_id,product_id,quantity,status,ts,sales_channel,return_reason"
PRODUCTS_HEADER = "product_id,name,category,description,price"


def write_lines(path: Path, lines: list[str | bytes]) -> Path:
    """Write a landing file byte for byte: each item is one physical line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = b"".join((line if isinstance(line, bytes) else line.encode("utf-8")) + b"\n" for line in lines)
    path.write_bytes(raw)
    return path


def call_row(call_id: str, started: str = "2026-09-01T10:00:00+02:00", reason: str = "order_status", **kw: str) -> str:
    """A valid calls row with overridable fields."""
    f = {
        "caller_number": "0612345678", "customer_id": "", "started_at": started,
        "ended_at": kw.pop("ended_at", "2026-09-01T10:04:00+02:00"), "ivr_path": "main>orders>status",
        "queue": "orders", "agent_team": "team-a", "reason_code": reason, "product_id": "",
        "order_id": "O1", "outcome": "resolved", "notes": "",
    }
    f.update(kw)
    return ",".join([call_id] + [f[c] for c in CALLS_HEADER.split(",")[1:]])


def table_counts(db: Path | duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of every table of the store (views excluded)."""
    con = db if isinstance(db, duckdb.DuckDBPyConnection) else duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()]
        return {n: con.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in sorted(names)}
    finally:
        if con is not db:
            con.close()


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """Run the console entry point in-process; return exit code, stdout and stderr.

    Output is redirected by hand, not with capsys: Prefect's log handler keeps the stream it
    first saw, and capsys closes its streams after each test.
    """
    from cxmining.cli import main

    monkeypatch.setattr(sys, "argv", ["cxmining", *args])
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info, redirect_stdout(out), redirect_stderr(err):
        main()
    return exit_info.value.code or 0, out.getvalue(), err.getvalue()


def built_sample_store(folder: Path, customers: int, seed: int, days: int, **effects: object) -> Path:
    """A freshly generated sample under `folder` (`effects`: Effects fields to change), ingested, with journeys and
    mining tables; the store's path."""
    from cxmining.ingest.folder import landing_reports
    from cxmining.journeys import journey_tables
    from cxmining.mining.statistics import mining_tables
    from cxmining.synthetic import Effects, write_sample

    write_sample(folder / "landing", customers=customers, seed=seed, days=days, effects=Effects(**effects))
    db = folder / "store.duckdb"
    landing_reports(db, folder / "landing", "run")
    journey_tables(db)
    mining_tables(db)
    return db


def real(path: Path) -> Path:
    """`path`, a file or folder of the shared real public logs; the test is skipped when it is absent."""
    if not path.exists():
        pytest.skip(f"real log or model not found at {path} (see {REAL / 'README.md'})")
    return path
