"""cxmining export: every format read back by pm4py holds the store's cases, events and variants; --journey-type
filters; no personal data reaches the files; XML special characters survive; bad options are one-line errors."""

from __future__ import annotations

import gzip
import sqlite3
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pm4py
import pytest
from helpers import SMALL_SAMPLE, run_cli, write_lines

from cxmining.eventlog.imported import import_log
from cxmining.eventlog.reader import LogMapping
from cxmining.store.snapshot import published_snapshot

CASE, ACTIVITY, TIMESTAMP = "case:concept:name", "concept:name", "time:timestamp"
FILES = {"xes": ["log.xes", "log.xes.gz"], "csv": ["log.csv", "log.parquet"], "ocel": ["log.jsonocel", "log.sqlite"]}


@pytest.fixture(scope="module")
def store(sample_store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the small sample store (journeys and mining tables), shared by the tests that only read it."""
    return sample_store(*SMALL_SAMPLE, tmp_path_factory.mktemp("export-store"))


def exported(args: list[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """The line `cxmining export` printed (it must succeed)."""
    code, out, err = run_cli(["export", *args], monkeypatch)
    assert code == 0, err
    return out


def variants(log: pd.DataFrame, case: str = CASE) -> Counter:
    """The variant multiset of a pm4py event frame: each case's activities in time order (ties kept in row order)."""
    ordered = log.sort_values([case, TIMESTAMP], kind="stable")
    return Counter(tuple(trace) for trace in ordered.groupby(case, sort=False)[ACTIVITY].agg(list))


def read_back(path: Path) -> pd.DataFrame:
    """The events of an exported file as pm4py reads them, one row per event with case, activity and time; an OCEL
    log flattened on its journey objects."""
    name = path.name
    if name.endswith((".xes", ".xes.gz")):
        return pm4py.read_xes(str(path))
    if name.endswith(".csv"):
        return pm4py.format_dataframe(pd.read_csv(path))
    if name.endswith(".parquet"):
        return pm4py.format_dataframe(pd.read_parquet(path))
    ocel = pm4py.read_ocel2_json(str(path)) if name.endswith(".jsonocel") else pm4py.read_ocel2_sqlite(str(path))
    flat = pm4py.ocel_flattening(ocel, "journey")
    flat[CASE] = flat[CASE].str.removeprefix("journey:")
    return flat


def tie_blind_variants(log: pd.DataFrame) -> Counter:
    """The variant multiset with the activities of a case that share one time as a set: OCEL has no order among
    events at the same time, and pm4py's SQLite reader puts them in the order of their types' tables."""
    moments = log.groupby([CASE, TIMESTAMP])[ACTIVITY].agg(lambda a: tuple(sorted(a))).reset_index()
    return Counter(tuple(t) for t in moments.sort_values([CASE, TIMESTAMP]).groupby(CASE)[ACTIVITY].agg(list))


def journey_events(db: Path, journey_type: str | None = None) -> pd.DataFrame:
    """The store's journey_events (of one journey type when given), with UTC-aware times like pm4py's."""
    with duckdb.connect(str(db), read_only=True) as con:
        log = con.execute(f'SELECT "{CASE}", "{ACTIVITY}", "{TIMESTAMP}" FROM journey_events AS e JOIN journeys AS j '
                          f'ON j.journey_id = e."{CASE}" WHERE $t IS NULL OR j.journey_type = $t',
                          {"t": journey_type}).df()
    log[TIMESTAMP] = log[TIMESTAMP].dt.tz_localize("UTC")
    return log


def store_variants(db: Path, journey_type: str | None = None) -> Counter:
    """The variants of the store's journeys (variants, case_variants), of one journey type when given."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT v.activities, count(*) FROM case_variants AS c JOIN variants AS v USING (variant_id) "
            "JOIN journeys AS j ON j.journey_id = c.case_id WHERE $t IS NULL OR j.journey_type = $t GROUP BY ALL",
            {"t": journey_type}).fetchall()
    return Counter({tuple(activities): count for activities, count in rows})


def file_bytes(path: Path) -> bytes:
    """The bytes of an exported file, unpacked when it is gzip."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


@pytest.mark.parametrize("format,name", [(f, n) for f, names in FILES.items() for n in names])
def test_every_format_reads_back_as_the_stores_journeys(store: Path, tmp_path: Path, format: str, name: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / name
    line = exported(["--db", str(store), "--format", format, "--out", str(out)], monkeypatch)
    log = read_back(out)
    with duckdb.connect(str(store), read_only=True) as con:
        cases, events = con.execute(f'SELECT count(DISTINCT "{CASE}"), count(*) FROM journey_events').fetchone()
        (variant_frequencies,) = con.execute("SELECT sum(frequency) FROM variants").fetchone()
    assert variant_frequencies == cases
    assert (log[CASE].nunique(), len(log)) == (cases, events)
    if name.endswith(".sqlite"):
        assert tie_blind_variants(log) == tie_blind_variants(journey_events(store))
    else:
        assert variants(log) == store_variants(store)
    assert f"{cases:,} cases, {events:,} events" in line and str(out) in line
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temporary file, renamed into place


def test_times_are_utc_with_their_offset(store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exported(["--db", str(store), "--format", "xes", "--out", str(tmp_path / "log.xes")], monkeypatch)
    log = pm4py.read_xes(str(tmp_path / "log.xes"))
    with duckdb.connect(str(store), read_only=True) as con:
        first, last = con.execute(f'SELECT min("{TIMESTAMP}"), max("{TIMESTAMP}") FROM journey_events').fetchone()
    assert str(log[TIMESTAMP].dt.tz) == "UTC"
    assert (log[TIMESTAMP].min().tz_localize(None), log[TIMESTAMP].max().tz_localize(None)) == (first, last)
    assert b'+00:00"/>' in (tmp_path / "log.xes").read_bytes()


def test_ocel_objects_relations_and_product_attributes(store: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    line = exported(["--db", str(store), "--format", "ocel", "--out", str(tmp_path / "log.jsonocel")], monkeypatch)
    ocel = pm4py.read_ocel2_json(str(tmp_path / "log.jsonocel"))
    with duckdb.connect(str(store), read_only=True) as con:
        expected = dict(con.execute(
            "SELECT 'customer', count(DISTINCT customer_id) FROM journey_events UNION ALL "
            "SELECT 'order', count(DISTINCT order_id) FROM journey_events UNION ALL "
            "SELECT 'call', count(DISTINCT call_id) FROM journey_events UNION ALL "
            "SELECT 'session', count(DISTINCT session_id) FROM journey_events UNION ALL "
            "SELECT 'journey', count(DISTINCT \"case:concept:name\") FROM journey_events").fetchall())
        catalogue = {f"product:{p}": (n, c, float(x)) for p, n, c, x in
                     con.execute("SELECT product_id, name, category, price FROM raw_products").fetchall()}
        product_ids = {f"product:{p}" for (p,) in con.execute(
            "SELECT DISTINCT unnest(coalesce(s.product_ids, [e.product_id])) FROM journey_events AS e "
            "JOIN stitched_events AS s USING (event_id)").fetchall() if p is not None}
    counts = ocel.objects["ocel:type"].value_counts().to_dict()
    assert {t: counts.get(t, 0) for t in expected} == expected
    products = ocel.objects[ocel.objects["ocel:type"] == "product"].set_index("ocel:oid")
    assert set(products.index) == product_ids
    assert {oid: (r["name"], r["category"], r["price"]) for oid, r in products.iterrows()} == \
        {oid: catalogue[oid] for oid in product_ids}
    assert set(ocel.relations["ocel:qualifier"]) == set(expected) | {"product"}
    assert f"{len(ocel.objects):,} objects" in line
    # the SQLite layout holds the same log
    exported(["--db", str(store), "--format", "ocel", "--out", str(tmp_path / "log.sqlite")], monkeypatch)
    other = pm4py.read_ocel2_sqlite(str(tmp_path / "log.sqlite"))
    assert (len(other.events), len(other.objects), len(other.relations)) == \
        (len(ocel.events), len(ocel.objects), len(ocel.relations))


@pytest.mark.parametrize("format,name", [("xes", "log.xes.gz"), ("csv", "log.csv"), ("ocel", "log.sqlite")])
def test_journey_type_keeps_the_journeys_of_that_type(store: Path, tmp_path: Path, format: str, name: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with duckdb.connect(str(store), read_only=True) as con:
        types = dict(con.execute("SELECT journey_type, count(*) FROM journeys GROUP BY 1").fetchall())
    assert len(types) > 1
    for journey_type, journeys in types.items():
        out = tmp_path / name
        exported(["--db", str(store), "--format", format, "--out", str(out), "--journey-type", journey_type],
                 monkeypatch)
        log = read_back(out)
        assert log[CASE].nunique() == journeys
        if name.endswith(".sqlite"):
            assert tie_blind_variants(log) == tie_blind_variants(journey_events(store, journey_type))
        else:
            assert variants(log) == store_variants(store, journey_type)


def test_an_unknown_journey_type_is_one_line_listing_the_valid_ones(store: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_cli(["export", "--db", str(store), "--format", "csv", "--out", str(tmp_path / "x.csv"),
                            "--journey-type", "orders"], monkeypatch)
    with duckdb.connect(str(store), read_only=True) as con:
        valid = [t for (t,) in con.execute("SELECT DISTINCT journey_type FROM journeys").fetchall()]
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "'orders'" in err and all(repr(t) in err for t in valid)
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("args,message", [
    (["--format", "xml", "--out", "log.xml"], "--format 'xml'"),
    (["--format", "csv", "--out", "log.xes"], "ends in .csv or .parquet"),
    (["--format", "xes", "--out", "missing/log.xes"], "does not exist"),
])
def test_bad_options_are_one_line(store: Path, tmp_path: Path, args: list[str], message: str,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(["export", "--db", str(store), *args], monkeypatch)
    assert code == 1 and len(err.strip().splitlines()) == 1 and message in err


def test_no_personal_data_reaches_any_file(store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with duckdb.connect(str(store), read_only=True) as con:
        personal = {v for (v,) in con.execute(
            "SELECT phone FROM raw_customers UNION SELECT email FROM raw_customers "
            "UNION SELECT caller_number FROM raw_calls UNION SELECT notes FROM raw_calls").fetchall() if v}
    assert len(personal) > 100
    for format, names in FILES.items():
        for name in names:
            out = tmp_path / name
            exported(["--db", str(store), "--format", format, "--out", str(out)], monkeypatch)
            data = file_bytes(out)
            if name.endswith(".parquet"):  # compressed columns: look at the values
                data = pd.read_parquet(out).to_csv().encode()
            found = [v for v in personal if v.encode() in data]
            assert not found, f"{name}: {found[:3]}"


def test_the_snapshot_is_read_unless_live(store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "store.duckdb"
    db.write_bytes(store.read_bytes())
    published_snapshot(db)
    with duckdb.connect(str(db)) as con:  # the live store moves on after the snapshot
        (journey,) = con.execute("SELECT min(journey_id) FROM journeys").fetchone()
        con.execute("DELETE FROM journey_assignment WHERE journey_id = ?", [journey])
        con.execute("DELETE FROM journeys WHERE journey_id = ?", [journey])
    snapshot = read_back_cases(db, tmp_path / "snapshot.csv", [], monkeypatch)
    live = read_back_cases(db, tmp_path / "live.csv", ["--live"], monkeypatch)
    assert journey in snapshot and journey not in live and len(live) == len(snapshot) - 1


def read_back_cases(db: Path, out: Path, options: list[str], monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The case ids of a CSV export of `db` with these options."""
    exported(["--db", str(db), "--format", "csv", "--out", str(out), *options], monkeypatch)
    return set(pd.read_csv(out)[CASE])


@pytest.fixture
def imported_log(tmp_path: Path) -> Path:
    """A store holding an imported log whose case ids and activities carry XML's special characters."""
    log = write_lines(tmp_path / "special.csv", [
        "case,activity,time",
        'c<1>,"Check <A&B> ""now""",2026-01-01T10:00:00Z',
        "c<1>,Pay 'cash' & go,2026-01-01T11:00:00+01:00",
        'c&2,"Check <A&B> ""now""",2026-01-02T09:00:00Z',
        "c&2,Ship\u00e9 \u2192 >,2026-01-02T09:00:00Z",
    ])
    db = tmp_path / "imported.duckdb"
    import_log(log, db, mapping=LogMapping(case="case", activity="activity", timestamp="time"))
    return db


@pytest.mark.parametrize("name", ["log.xes", "log.xes.gz", "log.csv", "log.parquet"])
def test_an_imported_logs_special_characters_survive(imported_log: Path, tmp_path: Path, name: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    format = "xes" if ".xes" in name else "csv"
    out = tmp_path / name
    line = exported(["--db", str(imported_log), "--format", format, "--out", str(out)], monkeypatch)
    log = read_back(out)
    with duckdb.connect(str(imported_log), read_only=True) as con:
        expected = Counter(tuple(a) for (a,) in con.execute(
            f'SELECT list("{ACTIVITY}" ORDER BY event_order) FROM journey_events GROUP BY "{CASE}"').fetchall())
    assert set(log[CASE]) == {"c<1>", "c&2"}
    assert variants(log) == expected
    assert 'Check <A&B> "now"' in set(log[ACTIVITY])
    assert "2 cases, 4 events" in line
    if format == "xes":
        data = file_bytes(out)
        assert b"Check &lt;A&amp;B&gt;" in data and b"<A&B>" not in data and b'value="c&amp;2"' in data


def test_an_imported_log_has_no_journey_types_and_no_objects(imported_log: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_cli(["export", "--db", str(imported_log), "--format", "ocel", "--out",
                            str(tmp_path / "log.jsonocel")], monkeypatch)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "imported log" in err
    code, _, err = run_cli(["export", "--db", str(imported_log), "--format", "xes", "--out",
                            str(tmp_path / "log.xes"), "--journey-type", "order"], monkeypatch)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "no journey types" in err


def test_xml_special_characters_in_product_names_survive_ocel(store: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "store.duckdb"
    db.write_bytes(store.read_bytes())
    special = 'Cable <5m> & "plug" \u2013 <![CDATA[x]]>'
    with duckdb.connect(str(db)) as con:
        (product,) = con.execute("SELECT product_id FROM journey_events WHERE product_id IS NOT NULL LIMIT 1").fetchone()
        con.execute("UPDATE raw_products SET name = ? WHERE product_id = ?", [special, product])
    for name, reader in (("log.jsonocel", pm4py.read_ocel2_json), ("log.sqlite", pm4py.read_ocel2_sqlite)):
        exported(["--db", str(db), "--format", "ocel", "--out", str(tmp_path / name)], monkeypatch)
        objects = reader(str(tmp_path / name)).objects.set_index("ocel:oid")
        assert objects.loc[f"product:{product}", "name"] == special
    with sqlite3.connect(tmp_path / "log.sqlite") as con:
        assert {t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} >= {
            "event", "object", "event_object", "object_object", "event_map_type", "object_map_type", "object_Product"}
