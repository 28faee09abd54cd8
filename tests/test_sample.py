"""The synthetic landing folder: contract, determinism, planted effects and recorded defects."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cxmining.ingest.contract import SOURCES
from cxmining.synthetic import SampleError, write_sample

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FACTS = ("orders", "web", "calls")


def records(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (first physical line, fields) of each record, read with the csv module."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header, out, line = next(reader), [], reader.line_num
        for fields in reader:
            out.append((line + 1, fields))
            line = reader.line_num
    return header, out


def problem(source: str, header: list[str], fields: list[str]) -> str | None:
    """Why a record breaks the contract (None when it is clean)."""
    if len(fields) != len(header):
        return "short_row"
    if any("\x00" in v for v in fields):
        return "nul_byte"
    for col, value in zip(SOURCES[source].columns, fields):
        if col.type == "timestamp" and value and not _timestamp(value):
            return "bad_timestamp"
        if col.required and not value:
            return "missing_id"
        if col.allowed and value and value not in col.allowed:
            return "bad_value"
    return None


def _timestamp(value: str) -> datetime | None:
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("sample")
    return out, write_sample(out, customers=3000, seed=11, dirty_rate=0.004)


@pytest.fixture(scope="module")
def clean(sample: tuple[Path, dict]) -> dict[str, list[dict[str, str]]]:
    """Clean rows per source (defective rows and re-sent duplicates left out), as dicts."""
    out, truth = sample
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    for name, info in truth["files"].items():
        header, recs = records(out / name)
        bad = {d["line"] for d in info["defects"]} | set(info["duplicate_lines"])
        rows[info["source"]] += [dict(zip(header, f)) for line, f in recs if line not in bad]
    return rows


def test_layout_and_truth_file(sample: tuple[Path, dict]) -> None:
    out, truth = sample
    assert json.loads((out / "truth.json").read_text(encoding="utf-8")) == truth
    days = [date(2026, 9, 1) + timedelta(days=d) for d in range(60)]
    for source in ("customers", *FACTS):
        assert sorted(p.name for p in (out / source).iterdir()) == [f"{source}_{d}.csv" for d in days]
    assert (out / "products" / "products.csv").is_file()
    assert set(truth["files"]) == {str(p.relative_to(out)) for p in out.rglob("*.csv")}
    assert truth["customers"] == 3000 and truth["parameters"]["seed"] == 11
    assert sum(r["rows"] for s, r in truth["rows"].items() if s in FACTS) > 3000 * 15


def test_a_sample_carries_its_designed_model_and_scenarios_and_they_read(tmp_path: Path) -> None:
    from cxmining.conformance.designed import designed_models
    from cxmining.whatif.scenario import folder_scenarios

    out = tmp_path / "with"
    truth = write_sample(out, customers=60, seed=3, days=7, designed=True)
    assert write_sample(tmp_path / "without", customers=60, seed=3, days=7)["designed"] == []
    assert not (tmp_path / "without" / "models").exists() and not (tmp_path / "without" / "scenarios").exists()
    assert sorted(truth["designed"]) == sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.suffix in (".yaml", ".bpmn"))
    models = designed_models(out / "models" / "models.yaml")
    assert set(models) == {"order"}
    scenarios = folder_scenarios(out / "scenarios")
    assert len(scenarios) == 3 and all(path.parent == out / "scenarios" for _, path in scenarios)


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    a, b, c = (
        write_sample(tmp_path / n, customers=200, seed=s, days=20) for n, s in (("a", 5), ("b", 5), ("c", 6))
    )
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    assert a == b and a["files"] != c["files"]
    assert (tmp_path / "a/web/web_2026-09-05.csv").read_bytes() != (
        tmp_path / "c/web/web_2026-09-05.csv"
    ).read_bytes()


def test_clean_rows_follow_the_contract(sample: tuple[Path, dict], clean: dict) -> None:
    out, truth = sample
    for source, spec in SOURCES.items():
        for name in (n for n, f in truth["files"].items() if f["source"] == source):
            assert records(out / name)[0] == list(spec.column_names)
        for row in clean[source]:
            assert problem(source, list(row), list(row.values())) is None, row
    for row in clean["web"] + clean["orders"]:
        assert row["ts"].endswith("Z")
    for row in clean["calls"]:
        for col in ("started_at", "ended_at"):
            if row[col]:
                t = _timestamp(row[col])
                assert t.utcoffset() == t.astimezone(AMSTERDAM).utcoffset(), row[col]
    offsets = {r["started_at"][-6:] for r in clean["calls"]}
    assert offsets == {"+02:00", "+01:00"}  # summer time ends on 25 October 2026


def test_defects_and_duplicates_are_where_truth_says(sample: tuple[Path, dict]) -> None:
    out, truth = sample
    totals = Counter()
    for name, info in truth["files"].items():
        header, recs = records(out / name)
        assert info["rows"] == len(recs)
        assert info["lines"] == len((out / name).read_bytes().split(b"\n")) - 1
        found = {line: problem(info["source"], header, f) for line, f in recs}
        found = {line: kind for line, kind in found.items() if kind}
        assert found == {d["line"]: d["kind"] for d in info["defects"]}, name
        assert info["defective"] == len(found)
        if info["duplicates"]:
            previous = name.rsplit("_", 1)[0] + f"_{date.fromisoformat(info['date']) - timedelta(days=1)}.csv"
            before = {tuple(f) for _, f in records(out / previous)[1]}
            by_line = dict(recs)
            assert all(tuple(by_line[line]) in before for line in info["duplicate_lines"])
            assert sum(tuple(f) in before for _, f in recs) == info["duplicates"]
        totals.update({info["source"]: info["defective"]})
        totals.update(d["kind"] for d in info["defects"])
    assert all(totals[s] >= 5 for s in FACTS)
    assert all(totals[k] >= 3 for k in truth["defect_kinds"])


def _customer_of_number(clean: dict) -> dict[str, str]:
    return {_digits(r["phone"]): r["customer_id"] for r in clean["customers"] if r["phone"]}


def _digits(number: str) -> str:
    """Last nine digits: the same mobile number in any notation."""
    return re.sub(r"\D", "", number.replace("(0)", ""))[-9:]


def test_thin_descriptions_drive_product_info_calls_and_returns(
    sample: tuple[Path, dict], clean: dict
) -> None:
    _, truth = sample
    thin = set(truth["planted"]["thin_description"]["product_ids"])
    ranks = truth["planted"]["thin_description"]["popularity_rank"]
    assert 3 <= len(thin) <= 4 and min(ranks[p] for p in thin) in range(1, 5)
    for p in clean["products"]:
        assert ("Specifications" in p["description"]) == (p["product_id"] not in thin)

    owner = {r["visitor_id"]: r["customer_id"] for r in clean["web"] if r["customer_id"]}
    by_number = _customer_of_number(clean)
    views = defaultdict(list)  # customer -> [(ts, product)]
    for r in clean["web"]:
        if r["event_type"] == "page_view" and r["product_id"] and r["visitor_id"] in owner:
            views[owner[r["visitor_id"]]].append((_timestamp(r["ts"]), r["product_id"]))
    asked = set()
    for c in clean["calls"]:
        who = c["customer_id"] or (by_number.get(_digits(c["caller_number"])) if c["caller_number"] else None)
        if c["reason_code"] != "product_info" or not who:
            continue
        seen = [p for t, p in sorted(views[who]) if t < _timestamp(c["started_at"])]
        product = c["product_id"] or (seen[-1] if seen else None)
        asked.add((who, product))
    viewers = {(who, p) for who, vs in views.items() for _, p in vs}
    rate = {
        g: sum(v in asked for v in viewers if (v[1] in thin) == g) / sum((v[1] in thin) == g for v in viewers)
        for g in (True, False)
    }
    assert rate[True] > 2.5 * rate[False], rate
    missing = Counter((c["product_id"] == "") for c in clean["calls"] if c["reason_code"] == "product_info")
    assert missing[True] > 0.15 * sum(missing.values())

    delivered = {(r["order_id"], r["product_id"]) for r in clean["orders"] if r["status"] == "delivered"}
    nad = {
        (r["order_id"], r["product_id"]) for r in clean["orders"] if r["return_reason"] == "not_as_described"
    }
    share = {
        g: len({x for x in delivered & nad if (x[1] in thin) == g})
        / len({x for x in delivered if (x[1] in thin) == g})
        for g in (True, False)
    }
    assert share[True] > 3 * share[False] > 0, share


def test_late_shipping_window_brings_where_is_my_order_calls(sample: tuple[Path, dict], clean: dict) -> None:
    _, truth = sample
    window = truth["planted"]["late_shipping"]
    first, last = date.fromisoformat(window["first_day"]), date.fromisoformat(window["last_day"])
    placed = {r["order_id"]: _timestamp(r["ts"]) for r in clean["orders"] if r["status"] == "placed"}
    shipped = {r["order_id"]: _timestamp(r["ts"]) for r in clean["orders"] if r["status"] == "shipped"}
    late = {o for o, t in placed.items() if first <= t.date() <= last}
    delay = {
        g: [(shipped[o] - placed[o]).days for o in shipped if o in placed and (o in late) == g]
        for g in (True, False)
    }
    assert sum(delay[True]) / len(delay[True]) > sum(delay[False]) / len(delay[False]) + 2.5
    calls = Counter(
        c["order_id"] for c in clean["calls"] if c["reason_code"] == "order_status" and c["order_id"]
    )
    per_order = {
        g: sum(calls[o] for o in shipped if (o in late) == g) / sum((o in late) == g for o in shipped)
        for g in (True, False)
    }
    assert per_order[True] > 3 * per_order[False], per_order


def test_ivr_change_routes_order_status_to_general_and_transfers(
    sample: tuple[Path, dict], clean: dict
) -> None:
    _, truth = sample
    change = date.fromisoformat(truth["planted"]["ivr_change"]["date"])
    status = [c for c in clean["calls"] if c["reason_code"] == "order_status"]
    after = [c for c in status if _timestamp(c["started_at"]).date() >= change]
    before = [c for c in status if _timestamp(c["started_at"]).date() < change]
    assert not any(c["ivr_path"] == "main>orders>status" for c in after)
    assert sum(c["ivr_path"] == "main>general" and c["queue"] == "general" for c in after) > 0.85 * len(after)
    transferred = {
        g: sum(c["outcome"] == "transferred" for c in cs) / len(cs)
        for g, cs in (("after", after), ("before", before))
    }
    assert transferred["after"] > 0.3 and transferred["before"] < 0.12, transferred


def test_transferred_calls_are_often_repeated(sample: tuple[Path, dict], clean: dict) -> None:
    calls = sorted(clean["calls"], key=lambda c: _timestamp(c["started_at"]))
    by_caller = defaultdict(list)
    for c in calls:
        if c["caller_number"]:
            by_caller[(_digits(c["caller_number"]), c["reason_code"])].append(_timestamp(c["started_at"]))
    followed = Counter()
    for c in calls:
        if c["caller_number"] and c["outcome"] != "abandoned":
            t = _timestamp(c["started_at"])
            again = any(
                t < u <= t + timedelta(days=3)
                for u in by_caller[(_digits(c["caller_number"]), c["reason_code"])]
            )
            followed[(c["outcome"] == "transferred", again)] += 1
    share = {g: followed[(g, True)] / (followed[(g, True)] + followed[(g, False)]) for g in (True, False)}
    assert share[True] > 2 * share[False], share


def test_identities_need_stitching(clean: dict) -> None:
    notations = Counter(re.sub(r"\d", "9", r["phone"]) for r in clean["customers"] if r["phone"])
    assert len(notations) >= 4
    master = {r["customer_id"]: r["phone"] for r in clean["customers"] if r["phone"]}
    by_number = _customer_of_number(clean)
    known = [c for c in clean["calls"] if c["caller_number"] and c["customer_id"] in master]
    assert any(c["caller_number"] != master[c["customer_id"]] for c in known)
    assert any(_digits(c["caller_number"]) not in by_number for c in clean["calls"] if c["caller_number"])
    assert 0.2 < sum(bool(c["customer_id"]) for c in clean["calls"]) / len(clean["calls"]) < 0.45
    notes = " ".join(c["notes"] for c in clean["calls"])
    assert all(s in notes for s in ("<b>", "&", '"', ",", "\n", "@"))


def test_customer_id_appears_from_login_on(clean: dict) -> None:
    sessions = defaultdict(list)
    for r in clean["web"]:
        sessions[r["session_id"]].append(r)
    anonymous_then_login = 0
    for events in sessions.values():
        events.sort(key=lambda r: (r["ts"], r["event_id"]))
        known = [bool(r["customer_id"]) for r in events]
        assert known == sorted(known), events  # never forgotten within a session
        logins = [i for i, r in enumerate(events) if r["event_type"] == "login"]
        if logins:
            assert known.index(True) == logins[0]
            anonymous_then_login += logins[0] > 0
    assert anonymous_then_login > 100
    assert {r["event_type"] for r in clean["web"]} == set(SOURCES["web"].column("event_type").allowed)


def test_journey_variety(clean: dict) -> None:
    statuses = Counter(r["status"] for r in clean["orders"])
    assert all(statuses[s] > 0 for s in SOURCES["orders"].column("status").allowed)
    channels = Counter(r["sales_channel"] for r in clean["orders"] if r["status"] == "placed")
    assert channels["web"] > channels["phone"] > channels["store"] > 0
    assert {c["reason_code"] for c in clean["calls"]} == set(SOURCES["calls"].column("reason_code").allowed)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"customers": 0}, "customers must be at least 1, not 0"),
    ({"days": 3}, "days must be at least 7"),
    ({"dirty_rate": 0.9}, "dirty_rate must lie between 0 and 0.2, not 0.9"),
    ({"history_days": 400}, "history_days must lie between 0 and 365"),
])
def test_bad_settings_are_refused(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(SampleError, match=message):
        write_sample(tmp_path, **kwargs)
    assert not any(tmp_path.iterdir())  # nothing half-written


def _products(out: Path) -> dict[str, dict[str, str]]:
    return {r["product_id"]: r for r in csv.DictReader((out / "products" / "products.csv").open(encoding="utf-8"))}


@pytest.mark.parametrize(("placement", "thin"), [("one category", 3), ("popular", 4), ("unpopular", 4), ("mixed", 0)])
def test_thin_descriptions_go_where_the_option_puts_them(tmp_path: Path, placement: str, thin: int) -> None:
    from cxmining.synthetic import Effects

    truth = write_sample(tmp_path, customers=200, seed=3, effects=Effects(thin_products=thin, thin_placement=placement))
    planted = truth["planted"]["thin_description"]
    ids, rank = planted["product_ids"], planted["popularity_rank"]
    assert len(ids) == thin
    products = _products(tmp_path)
    short = {p for p, r in products.items() if "Specifications" not in r["description"]}
    assert short == set(ids)  # what is planted is what the catalogue says
    if placement == "one category":
        assert len({products[p]["category"] for p in ids}) == 1
    elif placement == "popular":
        assert sorted(rank[p] for p in ids) == list(range(thin))
    elif placement == "unpopular":
        assert sorted(rank[p] for p in ids) == list(range(48 - thin, 48))


def test_orders_can_have_several_lines_of_one_category(tmp_path: Path) -> None:
    from cxmining.synthetic import Effects

    write_sample(tmp_path, customers=400, seed=3, effects=Effects(multi_line_share=0.5, max_lines=4))
    products = _products(tmp_path)
    lines: dict[str, set[str]] = defaultdict(set)
    for path in (tmp_path / "orders").glob("*.csv"):
        for r in csv.DictReader(path.open(encoding="utf-8")):
            if r["status"] == "placed" and r["product_id"] in products:
                lines[r["order_id"]].add(r["product_id"])
    sizes = Counter(len(v) for v in lines.values())
    assert set(sizes) <= {1, 2, 3, 4} and sizes[3] > 0 and sizes[4] > 0
    assert all(len({products[p]["category"] for p in v}) == 1 for v in lines.values())


def test_a_failing_help_page_brings_account_calls_after_reading_it(tmp_path: Path) -> None:
    from cxmining.synthetic import Effects

    def counts(folder: Path, **effects: float) -> tuple[int, int, dict]:
        truth = write_sample(folder, customers=400, seed=3, effects=Effects(**effects))
        calls = sum(r["reason_code"] == "account" for path in (folder / "calls").glob("*.csv")
                    for r in csv.DictReader(path.open(encoding="utf-8")))
        views = sum(r["page"] == "/help/account" for path in (folder / "web").glob("*.csv")
                    for r in csv.DictReader(path.open(encoding="utf-8")))
        return calls, views, truth["planted"]

    calls, views, planted = counts(tmp_path / "plain")
    more_calls, more_views, failing = counts(tmp_path / "failing", failing_help_page_calls=0.3)
    assert planted["failing_help_page"] is None and failing["failing_help_page"]["page"] == "/help/account"
    extra = failing["failing_help_page"]["calls"]
    assert extra > 60  # about 0.3 per customer within the period
    assert more_calls - calls >= 0.8 * extra and more_views - views >= 0.8 * extra  # each call after a view of the page


def test_history_before_the_start_is_simulated_but_not_written(tmp_path: Path) -> None:
    from cxmining.synthetic import Effects

    truth = write_sample(tmp_path, customers=600, seed=3, history_days=30,
                         effects=Effects(ivr_change=False, late_window_days=0))
    assert truth["planted"]["ivr_change"] is None and truth["planted"]["late_shipping"] is None
    start = datetime(2026, 9, 1, tzinfo=ZoneInfo("UTC"))
    placed, other = set(), set()
    for path in (tmp_path / "orders").glob("*.csv"):
        for r in csv.DictReader(path.open(encoding="utf-8")):
            stamp = _timestamp(r.get("ts") or "")
            assert stamp is None or stamp >= start  # nothing before the first day is written
            (placed if r["status"] == "placed" else other).add(r["order_id"])
    assert other - placed  # orders placed before the export began still ship, arrive and come back in it
    status = [r["ivr_path"] for p in (tmp_path / "calls").glob("*.csv") for r in csv.DictReader(p.open(encoding="utf-8"))
              if r["reason_code"] == "order_status"]
    assert status and status.count("main>general") < 0.05 * len(status)  # only wrong turns: no IVR change
