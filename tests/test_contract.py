"""The written contract, the raw tables, the events view and the mapping file agree with each other."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from helpers import ROOT

from cxmining.errors import MappingError
from cxmining.ingest.contract import SOURCES
from cxmining.ingest.mapping import load_mapping
from cxmining.ingest.validation import SQL_TYPES
from cxmining.store import connect, ensure_schema


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    c = connect(":memory:")
    ensure_schema(c)
    return c


def test_raw_tables_have_the_contract_columns_and_types(con: duckdb.DuckDBPyConnection) -> None:
    for source in SOURCES.values():
        described = con.execute(f"DESCRIBE {source.table}").fetchall()
        got = [(r[0], r[1]) for r in described]
        want = [(c.name, SQL_TYPES[c.type].replace(" ", "")) for c in source.columns] + [("_file_sha256", "VARCHAR")]
        assert got == want, source.name


def test_contract_document_names_every_column_and_allowed_value() -> None:
    doc = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    for source in SOURCES.values():
        assert f"`{source.name}/`" in doc
        for column in source.columns:
            assert f"`{column.name}`" in doc, (source.name, column.name)
            for value in column.allowed or ():
                assert f"`{value}`" in doc, (source.name, column.name, value)


def test_events_view_keeps_personal_data_out(con: duckdb.DuckDBPyConnection) -> None:
    columns = {r[0] for r in con.execute("DESCRIBE events").fetchall()}
    personal = {c.name for s in SOURCES.values() for c in s.columns if c.personal}
    assert personal == {"phone", "email", "caller_number", "notes"}
    assert not columns & personal
    assert {"event_id", "ts", "activity", "channel", "lane", "customer_id", "order_id", "product_id",
            "session_id", "call_id"} <= columns


def test_every_allowed_code_has_an_activity_and_the_vocabulary_is_documented(con: duckdb.DuckDBPyConnection) -> None:
    vocab = {(s, c): a for s, c, a in con.execute("SELECT source, code, activity FROM activity_vocabulary").fetchall()}
    codes = {"web": SOURCES["web"].column("event_type").allowed, "calls": SOURCES["calls"].column("reason_code").allowed,
             "orders": SOURCES["orders"].column("status").allowed}
    for source, allowed in codes.items():
        for code in allowed:
            assert (source, code) in vocab, (source, code)
    doc = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    for activity in vocab.values():
        assert f"`{activity}`" in doc, activity


@pytest.mark.parametrize(
    ("text", "suffix", "message"),
    [
        ("calls:\n  columns: {start: started_at}\n", ".yaml", "calls: 'start' is not a column of calls"),
        ("phone_calls:\n  columns: {}\n", ".yaml", "unknown source 'phone_calls'"),
        ("web:\n  timezone: Mars/Olympus\n", ".yaml", "web: timezone: unknown time zone 'Mars/Olympus'"),
        ("web:\n  delimiter: ';;'\n", ".yaml", "web: delimiter: delimiter must be one character"),
        ("[web\n", ".toml", "not valid TOML"),
        ("web: [unclosed\n", ".yaml", "not valid YAML"),
    ],
)
def test_invalid_mapping_files_give_one_clear_line(tmp_path: Path, text: str, suffix: str, message: str) -> None:
    path = tmp_path / f"mapping{suffix}"
    path.write_text(text)
    with pytest.raises(MappingError) as err:
        load_mapping(path)
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_memory_limit_is_an_argument_or_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxmining.errors import StoreError

    setting = "SELECT current_setting('memory_limit')"
    monkeypatch.delenv("CXMINING_MEMORY_LIMIT", raising=False)
    half = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2  # by default: half of the machine, to 2.5GB
    shown = connect(":memory:").execute("SELECT current_setting('memory_limit')").fetchone()[0]
    number, unit = shown.split()
    assert abs(float(number) * {"MiB": 2**20, "GiB": 2**30}[unit] / min(half, 2.5e9) - 1) < 0.05  # shown to 0.1 GiB
    assert connect(":memory:", memory_limit="1GB").execute(setting).fetchone()[0] in ("953.6 MiB", "1.0 GiB", "1GB")
    monkeypatch.setenv("CXMINING_MEMORY_LIMIT", "2GB")
    assert connect(":memory:").execute(setting).fetchone()[0] in ("1.8 GiB", "1.9 GiB", "2GB")
    assert connect(":memory:", memory_limit="1GB").execute(setting).fetchone()[0] in ("953.6 MiB", "1.0 GiB", "1GB")
    monkeypatch.setenv("CXMINING_MEMORY_LIMIT", "plenty")
    with pytest.raises(StoreError, match="memory limit 'plenty' is not a memory size"):
        connect(":memory:")
