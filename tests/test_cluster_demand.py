"""The per-journey demand tables of a full build over customer buckets (`--cluster`, docs/scaling.md) give the demand
tables of the one-process path: every table, row for row as sets, with the same schemas, from any number of buckets;
the workers are given Parquet paths and never the store, and an incremental night stays in the coordinator."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from cxmining.demand.partitioned import (
    PARTITIONED,
    bucket_per_journey_tables,
    bucketed_tables,
    demand_partitions_folder,
    per_journey_partitions,
)
from cxmining.demand.per_journey import PER_JOURNEY
from cxmining.demand.rules import demand_rules
from cxmining.demand.tables import TABLES, demand_tables
from cxmining.errors import CxminingError
from cxmining.ingest.folder import landing_reports
from cxmining.journeys import journey_tables
from cxmining.synthetic import write_sample

PER_JOURNEY_TABLES = tuple(table for table, _, _ in PER_JOURNEY)
COMPARED = (*dict.fromkeys((*TABLES, *PER_JOURNEY_TABLES)), "demand_build")


def demand_rows(db: Path) -> dict[str, tuple[list, list]]:
    """Each demand table's schema and rows (as a sorted list: the tables define no order of their own)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: (con.execute(f"DESCRIBE {name}").fetchall(),
                       sorted(con.execute(f"SELECT * FROM {name}").fetchall(), key=repr)) for name in COMPARED}


def assert_same_demand(expected: Path, actual: Path) -> None:
    """The demand tables of two stores are equal: schemas and rows; the per-journey ones hold rows."""
    one, other = demand_rows(expected), demand_rows(actual)
    for name in COMPARED:
        assert other[name][0] == one[name][0], f"{name}: schema"
        assert other[name][1] == one[name][1], f"{name}: rows"
    assert all(one[name][1] for name in PER_JOURNEY_TABLES)


def demand_over_buckets(db: Path, buckets: int) -> tuple[int, ...]:
    """The bucketed path of the library, with the workers' calls made here in turn; the buckets that held journeys."""
    partitions = per_journey_partitions(db, None, buckets)
    assert partitions is not None  # the store's first demand build is a full one
    demand_tables(db, None, bucketed_tables(partitions, [bucket_per_journey_tables(partitions, k)
                                                         for k in partitions.buckets]))
    return partitions.buckets


def journey_count(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT count(*) FROM journeys").fetchone()[0]


@pytest.mark.parametrize(("customers", "days", "buckets"), [(120, 30, 1), (120, 30, 3), (15, 10, None)],
                         ids=["1 bucket", "3 buckets", "more buckets than journeys"])
def test_any_number_of_buckets_gives_the_one_process_demand_tables(sample_store, tmp_path: Path, customers: int,
                                                                    days: int, buckets: int | None) -> None:
    alone = sample_store(customers, 8, days, tmp_path)
    spread = Path(shutil.copy(alone, tmp_path / "spread.duckdb"))
    demand_tables(alone)
    buckets = buckets or journey_count(spread) + 5
    held = demand_over_buckets(spread, buckets)
    assert_same_demand(alone, spread)
    assert (len(held) == buckets) if buckets <= 3 else (1 < len(held) <= buckets)  # buckets without journeys: no task
    assert not demand_partitions_folder(spread).exists() and not any(tmp_path.glob("*.parts"))  # removed once published


def test_a_worker_reads_only_its_bucket_and_the_columns_the_macros_need_never_the_store(sample_store,
                                                                                      tmp_path: Path) -> None:
    alone = sample_store(120, 8, 30, tmp_path)
    spread = Path(shutil.copy(alone, tmp_path / "spread.duckdb"))
    demand_tables(alone)
    partitions = per_journey_partitions(spread, None, 3)
    assert partitions is not None and partitions.folder == demand_partitions_folder(spread)
    with duckdb.connect() as con:  # what the coordinator wrote: no customer, visitor, phone or note anywhere
        columns = {relation: [c for (c,) in con.execute(
            "SELECT name FROM parquet_schema($f) WHERE num_children IS NULL",
            {"f": str(partitions.folder / "columns" / f"{relation}.parquet")}).fetchall()] for relation, _, _ in PARTITIONED}
        journeys_per_bucket = con.execute(
            "SELECT count(*), count(DISTINCT journey_id) FROM read_parquet($f, hive_partitioning = true)",
            {"f": str(partitions.folder / "journeys" / "*" / "*.parquet")}).fetchone()
    assert columns["raw_orders"] == ["order_id", "product_id"]
    assert columns["journeys"] == ["journey_id", "order_id", "product_id"]
    assert not {"customer_id", "visitor_id", "stitched_customer_id", "caller_number", "notes", "phone", "email"} & {
        c for names in columns.values() for c in names}
    assert journeys_per_bucket[0] == journeys_per_bucket[1] == journey_count(spread)  # each journey in one bucket

    elsewhere = tmp_path / "elsewhere.duckdb"
    shutil.move(spread, elsewhere)  # the worker's machine has no store at all
    tables = [bucket_per_journey_tables(partitions, k) for k in partitions.buckets]
    assert {p.name for p in tables[0].iterdir()} == {f"{table}.parquet" for table in PER_JOURNEY_TABLES}
    shutil.move(elsewhere, spread)
    demand_tables(spread, None, bucketed_tables(partitions, tables))
    assert_same_demand(alone, spread)


def test_buckets_made_for_other_rules_are_refused_in_one_line(sample_store, tmp_path: Path) -> None:
    db = sample_store(120, 8, 30, tmp_path)
    partitions = per_journey_partitions(db, None, 2)
    tables = [bucket_per_journey_tables(partitions, k) for k in partitions.buckets]
    rules = demand_rules()
    other = rules.model_copy(update={"windows": rules.windows.model_copy(update={"repeat_days": 2})})
    with pytest.raises(CxminingError, match="^the per-journey demand tables computed per bucket") as raised:
        demand_tables(db, other, bucketed_tables(partitions, tables))
    assert "\n" not in str(raised.value)
    with duckdb.connect(str(db), read_only=True) as con:  # nothing was published
        assert not {"contact_demand", *PER_JOURNEY_TABLES} & {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def test_a_night_after_the_bucketed_build_stays_in_the_coordinator_and_equals_one_process(tmp_path: Path) -> None:
    source, landing = tmp_path / "all", tmp_path / "landing"
    write_sample(source, customers=150, seed=31, days=20)
    shutil.copytree(source, landing)
    last = max(p.stem.rsplit("_", 1)[-1] for p in landing.glob("calls/*.csv"))
    held = [p for p in landing.glob("*/*") if p.stem.endswith(last)]
    for path in held:
        path.unlink()
    alone = tmp_path / "alone.duckdb"
    landing_reports(alone, landing, "first")
    journey_tables(alone)
    spread = Path(shutil.copy(alone, tmp_path / "spread.duckdb"))
    demand_tables(alone)
    demand_over_buckets(spread, 3)
    assert_same_demand(alone, spread)

    for path in held:  # the last day arrives: an incremental night
        shutil.copy(source / path.parent.name / path.name, path)
    for db in (alone, spread):
        landing_reports(db, landing, "night")
        assert journey_tables(db)["changed_journeys"] > 0
    assert per_journey_partitions(spread, None, 3) is None  # it costs what the night changed: no partitions
    assert not demand_partitions_folder(spread).exists()
    demand_tables(alone)
    demand_tables(spread)
    assert_same_demand(alone, spread)
    with duckdb.connect(str(spread), read_only=True) as con:
        assert con.execute("SELECT mode FROM journey_build ORDER BY generation DESC LIMIT 1").fetchone()[0] == "incremental"
