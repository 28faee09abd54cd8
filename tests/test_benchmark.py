"""Competitor comparison: our KPIs against an independent count, benchmark imports, errors and the side-by-side table."""

from __future__ import annotations

import csv
import importlib.util
import itertools
import shutil
import statistics
from collections import defaultdict
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb
import pytest
from helpers import ROOT, SMALL_SAMPLE, run_cli

from cxmining.compare.competitors import (
    METRICS,
    OURS,
    BenchmarkMapping,
    LogColumns,
    comparison_rows,
    import_benchmark,
    import_benchmark_log,
    kpi_comparison,
)
from cxmining.demand.tables import demand_tables

SAMPLES = ROOT / "data" / "sample" / "benchmarks"
SHOPPING, SHOPPING_MAPPING = SAMPLES / "brightcart_mystery_shopping.csv", SAMPLES / "brightcart_mapping.yaml"
PUBLISHED = SAMPLES / "published_kpis.csv"
TINY_HEADER = "case,activity,timestamp,channel,failure"
# Three order journeys and one without an order. Times are UTC; 'system' is a channel of the company, not a touch.
TINY = [
    "A,View product,2026-01-01T10:00:00Z,web,",
    "A,Chat: question,2026-01-01T11:00:00Z,chat,yes",
    "A,View product,2026-01-01T11:30:00Z,web,",
    "A,Order placed,2026-01-01T12:00:00Z,web,",
    "A,Order shipped,2026-01-02T12:00:00Z,system,",
    "A,Call: where is it,2026-01-03T09:00:00Z,phone,yes",
    "A,Order delivered,2026-01-04T12:00:00Z,system,",
    "B,View product,2026-01-05T08:00:00Z,web,",
    "B,Order placed,2026-01-05T10:00:00Z,web,no",
    "B,Order delivered,2026-01-07T10:00:00Z,system,",
    "C,Call: new order,2026-01-06T09:00:00Z,phone,no",
    "C,Order placed,2026-01-06T09:00:00Z,phone,",     # same instant as the call: file order decides
    "C,View help page,2026-01-06T09:30:00Z,web,",
    "D,View product,2026-01-06T09:00:00Z,web,",       # no order: not an order journey
    "D,Call: question,2026-01-06T09:10:00Z,phone,yes",
]
TINY_MAPPING = """
columns: {case: case, activity: activity, timestamp: timestamp, channel: channel, failure_demand: failure}
system_channels: [system]
activities:
  calls: ["Call:*"]
  contacts: ["Chat:*", "View help page"]
"""


@pytest.fixture(scope="module")
def stores(sample_store, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A fresh sample store with failure-demand tables, and a copy taken before they were built."""
    folder = tmp_path_factory.mktemp("benchmark")
    db = sample_store(*SMALL_SAMPLE, folder)
    plain = shutil.copy(db, folder / "without_demand.duckdb")
    demand_tables(db)
    return db, Path(plain)


@pytest.fixture
def db(stores: tuple[Path, Path], tmp_path: Path) -> Path:
    """A private copy of the sample store, for tests that import benchmarks into it."""
    return Path(shutil.copy(stores[0], tmp_path / "store.duckdb"))


def tiny_log(folder: Path, rows: list[str] = TINY) -> tuple[Path, Path]:
    (folder / "tiny.csv").write_text("\n".join([TINY_HEADER, *rows]) + "\n", encoding="utf-8")
    (folder / "tiny.yaml").write_text(TINY_MAPPING, encoding="utf-8")
    return folder / "tiny.csv", folder / "tiny.yaml"


def figures(frame, company: str) -> dict[str, tuple[float | None, int | None]]:
    """metric -> (value, n) of one company from the side-by-side frame."""
    return {r["metric"]: (r[company], r[f"{company}_n"]) for r in frame.iter_rows(named=True)}


def independent_kpis(db: Path) -> dict[str, tuple[float | None, int]]:
    """Our KPIs counted in plain Python from journey_events and contact_demand (docs/benchmark.md definitions)."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("""
            SELECT "case:concept:name", "concept:name", "time:timestamp", channel, source, sales_channel, event_id
            FROM journey_events
            WHERE "case:concept:name" IN (SELECT journey_id FROM journeys WHERE journey_type = 'order')
            ORDER BY "case:concept:name", event_order""").fetchall()
        failures = {e for (e,) in con.execute("SELECT contact_id FROM contact_demand WHERE demand = 'failure'").fetchall()}
    journeys = defaultdict(list)
    for journey, *event in rows:
        journeys[journey].append(event)
    steps, contacts, calls, switches, to_order, to_delivery, with_failure = [], [], [], [], [], [], []
    failure_contacts = 0
    for events in journeys.values():
        placed = [ts for activity, ts, *_ in events if activity == "Order placed"]
        if not placed:
            continue
        steps.append(len(events))
        is_contact = [source == "calls" or activity in ("View help page", "View contact page")
                      for activity, _, _, source, _, _ in events]
        contacts.append(sum(is_contact))
        calls.append(sum(source == "calls" for _, _, _, source, _, _ in events))
        failure_contacts += sum(c and e[-1] in failures for c, e in zip(is_contact, events, strict=True))
        with_failure.append(any(e[-1] in failures for e in events))
        touches = [(sales if activity == "Order placed" else None) if source == "orders" else channel
                   for activity, _, channel, source, sales, _ in events]
        touches = [t for t in touches if t is not None]
        switches.append(sum(a != b for a, b in itertools.pairwise(touches)))
        to_order.append((min(placed) - events[0][1]).total_seconds() / 3600)
        delivered = [ts for activity, ts, *_ in events if activity == "Order delivered" and ts >= min(placed)]
        if delivered:
            to_delivery.append((min(delivered) - min(placed)).total_seconds() / 86400)
    n = len(steps)
    return {
        "steps_per_order": (statistics.mean(steps), n),
        "steps_per_order_median": (statistics.median(steps), n),
        "contacts_per_order": (statistics.mean(contacts), n),
        "calls_per_order": (statistics.mean(calls), n),
        "channel_switches_per_journey": (statistics.mean(switches), n),
        "channel_switch_share": (sum(s > 0 for s in switches) / n, n),
        "hours_to_order": (statistics.mean(to_order), n),
        "hours_to_order_median": (statistics.median(to_order), n),
        "days_to_delivery": (statistics.mean(to_delivery), len(to_delivery)),
        "days_to_delivery_median": (statistics.median(to_delivery), len(to_delivery)),
        "failure_demand_journey_share": (sum(with_failure) / n, n),
        "failure_demand_contact_share": (failure_contacts / sum(contacts), sum(contacts)),
    }


def test_our_kpis_equal_an_independent_count_from_journey_events(stores: tuple[Path, Path]) -> None:
    db, _ = stores
    expected = independent_kpis(db)
    ours = figures(kpi_comparison(db), OURS)
    assert set(ours) == {m.name for m in METRICS} == set(expected)
    for metric, (value, n) in expected.items():
        assert ours[metric][0] == pytest.approx(value), metric
        assert ours[metric][1] == n, metric
    assert 0 < expected["calls_per_order"][0] < expected["contacts_per_order"][0]  # the sample has both kinds
    assert 0 < expected["channel_switch_share"][0] < 1
    assert 0 < expected["failure_demand_journey_share"][0] < 1


def test_without_demand_tables_the_failure_figures_are_missing_and_nothing_is_written(stores: tuple[Path, Path]) -> None:
    _, plain = stores
    ours = figures(kpi_comparison(plain), OURS)  # a path is opened read-only
    assert ours["failure_demand_journey_share"] == (None, 0)
    assert ours["calls_per_order"][0] > 0
    with duckdb.connect(str(plain), read_only=True) as con:
        names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert not {"benchmark_events", "benchmark_kpis", "benchmark_comparison"} & names


def test_a_tiny_hand_made_log_gives_the_hand_counted_figures(db: Path, tmp_path: Path) -> None:
    log, mapping = tiny_log(tmp_path)
    done = import_benchmark(log, db, "Tiny", mapping)
    assert (done.kind, done.journeys, done.order_journeys, done.rows) == ("events", 4, 3, len(TINY))
    tiny = figures(kpi_comparison(db), "Tiny")
    # A: web, chat, web, web (placed), phone -> 3 switches; B: web, web -> 0; C: phone, phone, web -> 1
    assert tiny["channel_switches_per_journey"] == (pytest.approx(4 / 3), 3)
    assert tiny["channel_switch_share"] == (pytest.approx(2 / 3), 3)
    assert tiny["steps_per_order"] == (pytest.approx((7 + 3 + 3) / 3), 3)
    assert tiny["steps_per_order_median"][0] == 3
    assert tiny["contacts_per_order"][0] == pytest.approx((2 + 0 + 2) / 3)  # chat + call; -; call + help page
    assert tiny["calls_per_order"][0] == pytest.approx((1 + 0 + 1) / 3)
    assert tiny["hours_to_order"][0] == pytest.approx((2 + 2 + 0) / 3)
    assert tiny["days_to_delivery"] == (pytest.approx((3 + 2) / 2), 2)  # C is not delivered
    assert tiny["failure_demand_journey_share"] == (pytest.approx(1 / 3), 3)
    assert tiny["failure_demand_contact_share"] == (pytest.approx(2 / 4), 4)
    with duckdb.connect(str(db), read_only=True) as con:
        order = con.execute("SELECT activity FROM benchmark_events WHERE case_id = 'C' ORDER BY event_order").fetchall()
        journeys = con.execute("SELECT count(*) FROM journeys WHERE journey_id IN ('A', 'B', 'C', 'D')").fetchone()[0]
    assert [a for (a,) in order] == ["Call: new order", "Order placed", "View help page"]
    assert journeys == 0  # benchmark journeys never enter our own tables


def test_our_own_journeys_imported_as_a_benchmark_give_our_figures(db: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute(f"""
            COPY (
                SELECT j."case:concept:name", j."concept:name", j."time:timestamp",
                       CASE WHEN j.source <> 'orders' THEN j.channel WHEN j."concept:name" = 'Order placed' THEN j.sales_channel
                            ELSE 'order' END AS channel,
                       CASE WHEN d.demand = 'failure' THEN 'yes' ELSE '' END AS failure
                FROM journey_events AS j LEFT JOIN contact_demand AS d ON d.contact_id = j.event_id
                WHERE j."case:concept:name" IN (SELECT journey_id FROM journeys WHERE journey_type = 'order')
                ORDER BY j."case:concept:name", j.event_order
            ) TO '{tmp_path / "ours.parquet"}' (FORMAT parquet)""")
    mapping = BenchmarkMapping(columns=LogColumns(failure_demand="failure"))  # otherwise the defaults: our vocabulary
    import_benchmark_log(tmp_path / "ours.parquet", db, "Mirror", mapping)
    for row in kpi_comparison(db).iter_rows(named=True):
        assert row["Mirror"] == pytest.approx(row[OURS]), row["metric"]
        assert row["Mirror_n"] == row["ours_n"], row["metric"]
        assert row["Mirror_diff"] == pytest.approx(0, abs=1e-9), row["metric"]


def test_kpi_tables_in_csv_and_yaml_import_and_sit_next_to_ours(db: Path, tmp_path: Path) -> None:
    with PUBLISHED.open(encoding="utf-8") as handle:
        published = list(csv.DictReader(handle))
    done = import_benchmark(PUBLISHED, db)
    assert done.kind == "kpis" and done.rows == len(published)
    assert set(done.companies) == {r["company"] for r in published}
    (tmp_path / "k.yaml").write_text(
        "company: Yonder\nsource: Yearbook\nperiod: '2025'\nkpis:\n"
        "  - {metric: calls_per_order, value: 0.3, n: 900}\n  - {metric: failure_demand_journey_share, value: 0.25}\n",
        encoding="utf-8")
    import_benchmark(tmp_path / "k.yaml", db)
    rows = comparison_rows(db, store=True)
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("SELECT company, metric, value, n, ours, difference, basis, source FROM benchmark_comparison "
                             "WHERE value IS NOT NULL AND company <> 'ours'").fetchall()
        ours = dict(con.execute("SELECT metric, value FROM benchmark_comparison WHERE company = 'ours'").fetchall())
    assert len(stored) == len(published) + 2 == rows.filter(rows["company"] != OURS)["value"].count()
    for r in published:
        n = int(r["n"]) if r["n"] else None
        match = [s for s in stored if s[:2] == (r["company"], r["metric"])]
        assert match and match[0][2:4] == (float(r["value"]), n) and match[0][6:] == ("published", r["source"])
        assert match[0][4] == ours[r["metric"]]
        assert match[0][5] == pytest.approx(float(r["value"]) - ours[r["metric"]])
    assert ("Yonder", "calls_per_order", 0.3, 900) in [s[:4] for s in stored]


def test_re_importing_a_company_replaces_its_rows_and_only_those(db: Path, tmp_path: Path) -> None:
    log, mapping = tiny_log(tmp_path)
    import_benchmark(PUBLISHED, db)
    query = ("SELECT * EXCLUDE (imported_at) FROM benchmark_events ORDER BY company, case_id, event_order",
             "SELECT * EXCLUDE (imported_at) FROM benchmark_kpis ORDER BY company, metric")

    def contents() -> list[list[tuple]]:
        with duckdb.connect(str(db), read_only=True) as con:
            return [con.execute(q).fetchall() for q in query]

    first = import_benchmark(log, db, "Tiny", mapping)
    once = contents()
    again = import_benchmark(log, db, "Tiny", mapping)
    assert contents() == once and again.replaced == first.rows
    smaller, _ = tiny_log(tmp_path, TINY[:7])  # journey A only
    import_benchmark(smaller, db, "Tiny", mapping)
    events, kpis = contents()
    assert {(e[0], e[1]) for e in events} == {("Tiny", "A")} and kpis == once[1]  # the KPI tables' companies stay
    import_benchmark(SHOPPING, db, "Northgate Direct", SHOPPING_MAPPING)  # a company's KPIs give way to its log
    events, kpis = contents()
    assert not [k for k in kpis if k[0] == "Northgate Direct"] and [k for k in kpis if k[0] == "Alder & Finch"]
    assert {e[0] for e in events} == {"Tiny", "Northgate Direct"}


@pytest.mark.parametrize(("rows", "args", "expected"), [
    (["case,activity,time,channel", "A,Order placed,2026-01-01,web"], [], "no column 'timestamp' for columns.timestamp"),
    ([TINY_HEADER, TINY[0], "A,Order placed,31/12/2026 10:00,web,"], [], "row 2: unparseable timestamp '31/12/2026 10:00'"),
    ([TINY_HEADER, TINY[0], "A,Order placed,2026-01-01T10:00:00Z,web,maybe"], [], "row 2: failure-demand value 'maybe'"),
    ([TINY_HEADER, ",Order placed,2026-01-01T10:00:00Z,web,"], [], "row 1: missing case id"),
    ([TINY_HEADER, TINY[0]], [], "no activity means an order placed"),
    ([TINY_HEADER, *TINY], ["--company", "Ours"], "reserved for our own figures"),
])
def test_bad_event_logs_stop_with_one_line_naming_file_and_row(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[str], args: list[str], expected: str) -> None:
    _, mapping = tiny_log(tmp_path)
    (tmp_path / "bad.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = run_cli(["benchmark", "import", str(tmp_path / "bad.csv"), "--mapping", str(mapping),
                              "--db", str(db), *(args or ["--company", "Bad"])], monkeypatch)
    assert code == 1 and out == ""
    assert err.startswith(f"error: {tmp_path / 'bad.csv'}") and expected in err and err.count("\n") == 1, err
    with duckdb.connect(str(db), read_only=True) as con:
        assert not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'benchmark_events'").fetchone()[0]


@pytest.mark.parametrize(("text", "args", "expected"), [
    ("company,metric,value\nX,contacts_per_order,0.4\nX,calls_per_ordr,0.2\n", [], "row 2: metric: unknown metric 'calls_per_ordr'"),
    ("company,metric,value\nX,failure_demand_journey_share,35\n", [], "row 1: failure_demand_journey_share is a share between 0 and 1"),
    ("company,metric,value\nX,calls_per_order,lots\n", [], "row 1: value: Input should be a valid number"),
    ("company,metric,value\nX,calls_per_order,0.2\nX,calls_per_order,0.3\n", [], "row 2: calls_per_order of X is given twice"),
    ("metric,value\ncalls_per_order,0.2\n", [], "row 1: no company"),
    ("company,metric,value\nX,calls_per_order,0.2\n", ["--company", "Y"], "row 1: company 'X' is not --company 'Y'"),
    ("company,metric,vaule\nX,calls_per_order,0.2\n", [], "unknown column 'vaule'"),
    ("company,metric\nX,calls_per_order\n", [], "required column 'value' is missing"),
])
def test_bad_kpi_tables_stop_with_one_line_naming_file_and_row(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, args: list[str], expected: str) -> None:
    path = tmp_path / "kpis.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli(["benchmark", "import", str(path), "--db", str(db), *args], monkeypatch)
    assert code == 1 and out == ""
    assert err.startswith(f"error: {path}") and expected in err and err.count("\n") == 1, err


@pytest.mark.parametrize(("mapping", "expected"), [
    ("timezone: Mars/Base\n", "timezone: unknown time zone 'Mars/Base'"),
    ("colums: {case: case}\n", "colums: Extra inputs are not permitted"),
    ("activities: {calls: Phone}\n", "activities.calls: Input should be a valid list"),
])
def test_a_broken_mapping_file_is_named_with_its_field(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mapping: str, expected: str) -> None:
    log, _ = tiny_log(tmp_path)
    (tmp_path / "broken.yaml").write_text(mapping, encoding="utf-8")
    code, _, err = run_cli(["benchmark", "import", str(log), "--company", "X", "--mapping", str(tmp_path / "broken.yaml"),
                            "--db", str(db)], monkeypatch)
    assert code == 1 and err.startswith(f"error: {tmp_path / 'broken.yaml'}: {expected}") and err.count("\n") == 1, err


def test_cli_imports_the_samples_and_writes_the_comparison(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run_cli(["benchmark", "import", str(SHOPPING), "--company", "Brightcart", "--mapping",
                              str(SHOPPING_MAPPING), "--db", str(db)], monkeypatch)
    assert code == 0 and "48 journeys" in out and err == "", err
    assert run_cli(["benchmark", "import", str(PUBLISHED), "--db", str(db)], monkeypatch)[0] == 0
    code, out, _ = run_cli(["benchmark", "compare", "--db", str(db), "--out", str(tmp_path / "c.csv")], monkeypatch)
    assert code == 0
    header = out.splitlines()[0]
    assert header.startswith("| KPI | unit | ours |") and all(c in header for c in ("Brightcart", "Northgate Direct"))
    assert "Mystery shopping" in out and "the journeys in this store" in out
    with (tmp_path / "c.csv").open(encoding="utf-8") as handle:
        wide = list(csv.DictReader(handle))
    assert [r["metric"] for r in wide] == [m.name for m in METRICS]
    for r in wide:
        if r["Brightcart"] and r["ours"]:
            assert float(r["Brightcart_diff"]) == pytest.approx(float(r["Brightcart"]) - float(r["ours"]))
    assert run_cli(["benchmark", "compare", "--db", str(db), "--out", str(tmp_path / "c.md")], monkeypatch)[0] == 0
    assert (tmp_path / "c.md").read_text(encoding="utf-8") == out.split("wrote ")[0]


def test_the_sample_log_is_what_its_script_writes() -> None:
    spec = importlib.util.spec_from_file_location("make_mystery_shopping", SAMPLES / "make_mystery_shopping.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)  # type: ignore[union-attr]
    with SHOPPING.open(newline="", encoding="utf-8") as handle:
        committed = [tuple(r) for r in csv.reader(handle)]
    assert committed == [script.COLUMNS, *script.mystery_shopping_rows(2026, 48)]


def test_a_benchmark_log_in_xes_reads_as_the_same_log_in_csv(db: Path, tmp_path: Path) -> None:
    log, mapping = tiny_log(tmp_path)
    traces: dict[str, list[str]] = {}
    for row in TINY:
        case, activity, ts, channel, failure = row.split(",")
        attributes = [f'<string key="concept:name" value="{escape(activity)}"/>',
                      f'<date key="time:timestamp" value="{ts.replace("Z", "+00:00")}"/>',
                      f'<string key="channel" value="{channel}"/>']
        attributes += [f'<string key="failure" value="{failure}"/>'] if failure else []
        traces.setdefault(case, []).append("<event>" + "".join(attributes) + "</event>")
    (tmp_path / "tiny.xes").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><log xes.version="1.0" xmlns="http://www.xes-standard.org/">'
        + "".join(f'<trace><string key="concept:name" value="{case}"/>{"".join(events)}</trace>'
                  for case, events in traces.items()) + "</log>", encoding="utf-8")
    (tmp_path / "xes.yaml").write_text(  # the XES names are the defaults; channel and failure as in the CSV
        TINY_MAPPING.replace("case: case, activity: activity, timestamp: timestamp, ", ""), encoding="utf-8")
    events = ("SELECT case_id, event_order, activity, ts, channel, is_failure_demand FROM benchmark_events "
              "WHERE company = $company ORDER BY case_id, event_order")
    import_benchmark(log, db, "From CSV", mapping)
    done = import_benchmark(tmp_path / "tiny.xes", db, "From XES", tmp_path / "xes.yaml")
    with duckdb.connect(str(db), read_only=True) as con:
        from_csv = con.execute(events, {"company": "From CSV"}).fetchall()
        from_xes = con.execute(events, {"company": "From XES"}).fetchall()
    assert done.rows == len(TINY) and from_xes == from_csv
    assert sum(1 for e in from_xes if e[5]) == sum(row.endswith(",yes") for row in TINY) > 0
