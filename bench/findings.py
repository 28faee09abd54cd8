"""Validation harness: do the findings hold on many samples, not one?

    python bench/findings.py products [--sizes 1500,6000,25000] [--seeds 20] [--variations default,none,...]
    python bench/findings.py products --quick            # 3 seeds at 1500 and 6000, every variation
    python bench/findings.py compare [--sizes ...]       # no change found where nothing changed; the IVR change found
    python bench/findings.py whatif [--sizes ...]        # do the what-if intervals cover the planted effects?
    python bench/findings.py causes [--sizes ...]        # the late-shipping window, the IVR path; website false alarms

For every variation of the generator (below), size and seed it writes a fresh 60-day landing folder, ingests it,
builds journeys and the failure-demand tables with the shipped code, and scores the product test against the planted
thin descriptions: recall (planted products flagged), false alarms (other products flagged) and the ranks of the
planted products by excess calls. Beside the shipped method it scores two simpler ones on the same counts, so the
choice of method can be judged: `poisson` (each product against its category without itself, Poisson test,
Benjamini-Hochberg, the same small-number guards) and `quasi-poisson, replaced` (the method cxmining shipped before:
Pearson dispersion over the reference, flagged rows left out of the reference and replaced on each pass).

Samples are cached under bench/results/findings/ (landing folders are deleted once ingested); per-sample scores are
appended to bench/results/findings/<command>.jsonl and the summary is printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
from scipy import stats

from cxmining.demand.rules import demand_rules
from cxmining.demand.tables import demand_tables
from cxmining.ingest.folder import landing_reports
from cxmining.journeys import journey_tables
from cxmining.synthetic import Effects, write_sample

ROOT = Path(__file__).resolve().parent / "results" / "findings"
FIRST_SEED = 1000  # seeds 1000, 1001, ...: none of them is used by the tests or the committed sample
# Generator variations the default sample does not make (cxmining.synthetic.Effects).
VARIATIONS: dict[str, dict] = {
    "default": {},
    "none": {"thin_products": 0},
    "one category": {"thin_products": 3, "thin_placement": "one category"},
    "popular": {"thin_placement": "popular"},
    "unpopular": {"thin_placement": "unpopular"},
    "weak": {"thin_product_info_multiplier": 3.0, "thin_not_as_described_multiplier": 3.0},
    "strong": {"thin_product_info_multiplier": 12.0, "thin_not_as_described_multiplier": 10.0},
    "multi-line": {"multi_line_share": 0.4, "max_lines": 4},
    "uneven products": {"product_rate_spread": 0.3},
    "flat popularity": {"popularity_exponent": 0.4},
    "failing help page": {"failing_help_page_calls": 0.15},
    # for compare: nothing changes during the period, or only the IVR; both begin while journeys are under way
    "nothing changes": {"ivr_change": False, "late_window_days": 0, "history_days": 30},
    "ivr change": {"late_window_days": 0, "history_days": 30},
    # for what-if: the same world (same seed) with a planted cause taken away, to measure the planted effect
    "no thin effect": {"thin_product_info_multiplier": 1.0, "thin_not_as_described_multiplier": 1.0},
    "no ivr change": {"ivr_change": False},
}


def sample_store(variation: str, customers: int, seed: int) -> Path:
    """A built store (ingest, journeys) of one generated sample; cached."""
    folder = ROOT / variation.replace(" ", "-") / f"c{customers}s{seed}"
    db = folder / "store.duckdb"
    if not (folder / "truth.json").exists():
        shutil.rmtree(folder, ignore_errors=True)
        options = dict(VARIATIONS[variation])
        history = options.pop("history_days", 0)
        effects = replace(Effects(), **options)
        write_sample(folder / "landing", customers=customers, seed=seed, days=60, effects=effects, history_days=history)
        landing_reports(db, folder / "landing", "bench")
        journey_tables(db)
        shutil.move(folder / "landing" / "truth.json", folder / "truth.json")
        shutil.rmtree(folder / "landing")
    return db


# --- the product test: the shipped method and two simpler ones on the same counts ---------------------------------

def _expected(rows: dict[str, np.ndarray], excluded: np.ndarray, min_reference: int) -> np.ndarray:
    """Expected failures: information calls per journey and returns per delivered order of the same category, the
    product itself and `excluded` rows left out (the catalogue when the category has too few journeys left)."""
    keep = ~excluded
    cats = rows["category"]
    out = np.zeros(len(cats))
    for part, exposure in (("info_calls", "journeys"), ("returns", "delivered")):
        y, n = rows[part].astype(float), rows[exposure].astype(float)
        cat_y = np.array([y[(cats == c) & keep].sum() for c in cats]) - np.where(keep, y, 0)
        cat_n = np.array([n[(cats == c) & keep].sum() for c in cats]) - np.where(keep, n, 0)
        all_y, all_n = y[keep].sum() - np.where(keep, y, 0), n[keep].sum() - np.where(keep, n, 0)
        rate = np.where(cat_n >= min_reference, cat_y / np.maximum(cat_n, 1), all_y / np.maximum(all_n, 1))
        out += n * rate
    return out


def _flags(y: np.ndarray, e: np.ndarray, p: np.ndarray, t) -> np.ndarray:
    q = stats.false_discovery_control(p, method="bh")
    return (q <= t.alpha) & (y - e >= t.min_excess) & (y >= t.min_ratio * e)


def poisson_flags(rows: dict[str, np.ndarray], t) -> np.ndarray:
    """Each product against its category without itself; Poisson; BH; guards. One pass."""
    y = rows["failures"].astype(float)
    e = _expected(rows, np.zeros(len(y), bool), t.min_reference)
    p = np.where(y > 0, stats.poisson.sf(y - 1, np.maximum(e, 1e-12)), 1.0)
    return _flags(y, e, p, t)


def replaced_flags(rows: dict[str, np.ndarray], t) -> np.ndarray:
    """cxmining's earlier method: Poisson first, then quasi-Poisson with Pearson dispersion over the rows not flagged in
    the previous pass, the flagged set replacing the excluded one on each pass (at most 5 passes)."""
    y = rows["failures"].astype(float)
    excluded, phi = np.zeros(len(y), bool), 1.0
    for n_pass in range(5):
        e = _expected(rows, excluded, t.min_reference)
        if n_pass:
            use = ~excluded & (e > 0)
            phi = max(1.0, float(((y[use] - e[use]) ** 2 / e[use]).sum()) / max(int(use.sum()) - 1, 1)) if use.sum() >= 5 else 1.0
        mean = np.maximum(e, 1e-12)
        p = stats.poisson.sf(y - 1, mean) if phi <= 1 else stats.nbinom.sf(y - 1, mean / (phi - 1), 1 / phi)
        flagged = _flags(y, e, np.where(y > 0, p, 1.0), t)
        if (flagged == excluded).all():
            break
        excluded = flagged
    return flagged


def oracle_reachable(rows: dict[str, np.ndarray], planted: np.ndarray, t) -> np.ndarray:
    """Which products an oracle could flag: tested against the rates of the ordinary products of the whole catalogue
    (known, since the generator planted the others and gave no category its own rate), Poisson, Bonferroni over the
    products at the false discovery rate, with the same small-number guards. A planted product it cannot flag is
    beyond what the sample can show, whatever the method."""
    ordinary = ~planted
    rate = rows["info_calls"][ordinary].sum() / max(rows["journeys"][ordinary].sum(), 1)
    return_rate = rows["returns"][ordinary].sum() / max(rows["delivered"][ordinary].sum(), 1)
    y = rows["failures"].astype(float)
    e = rows["journeys"] * rate + rows["delivered"] * return_rate
    p = np.where(y > 0, stats.poisson.sf(y - 1, np.maximum(e, 1e-12)), 1.0)
    return (p <= t.alpha / len(y)) & (y - e >= t.min_excess) & (y >= t.min_ratio * e)


def product_scores(variation: str, customers: int, seed: int) -> dict:
    """Recall, false alarms and ranks of the planted thin descriptions for every method on one sample."""
    db = sample_store(variation, customers, seed)
    truth = json.loads((db.parent / "truth.json").read_text())["planted"]["thin_description"]
    planted = set(truth["product_ids"])
    began = time.perf_counter()
    demand_tables(db)
    seconds = time.perf_counter() - began
    con = duckdb.connect(str(db), read_only=True)
    table = con.execute("""SELECT product_id, category, journeys, info_calls, delivered, returns_not_as_described,
                                  failures, expected_failures, excess_calls, flagged
                           FROM failure_demand_products ORDER BY excess_calls DESC, failures DESC, product_id""").fetchall()
    con.close()
    ids = np.array([r[0] for r in table])
    rows = {"category": np.array([r[1] or "" for r in table]), "journeys": np.array([r[2] for r in table]),
            "info_calls": np.array([r[3] for r in table]), "delivered": np.array([r[4] for r in table]),
            "returns": np.array([r[5] for r in table]), "failures": np.array([r[6] for r in table])}
    tests = demand_rules().tests
    methods = {"shipped": np.array([r[9] for r in table], bool),
               "poisson": poisson_flags(rows, tests), "quasi-poisson, replaced": replaced_flags(rows, tests)}
    rank = {p: i + 1 for i, p in enumerate(ids)}
    reachable = oracle_reachable(rows, np.isin(ids, sorted(planted)), tests)
    detail = {p: {"rank": rank.get(p), "failures": int(r[6]), "expected": round(float(r[7]), 2), "journeys": int(r[2]),
                  "reachable": bool(reachable[i])}
              for i, r in enumerate(table) for p in [r[0]] if p in planted}
    return {
        "variation": variation, "customers": customers, "seed": seed, "planted": sorted(planted),
        "seconds": round(seconds, 2), "planted_detail": detail,
        "methods": {m: {"found": sorted(set(ids[f].tolist()) & planted), "false": sorted(set(ids[f].tolist()) - planted)}
                    for m, f in methods.items()},
    }


def product_summary(scores: list[dict]) -> str:
    """One Markdown row per method, variation and size."""
    lines = ["| method | variation | customers | samples | recall | recall of the reachable | samples with all found "
             "| false alarms per sample | samples without false alarm | planted ranks (median, worst) |", "|" + "---|" * 10]
    groups: dict[tuple, list[dict]] = {}
    for s in scores:
        for method in s["methods"]:
            groups.setdefault((method, s["variation"], s["customers"]), []).append(s)
    for (method, variation, customers), group in sorted(groups.items(), key=lambda g: (g[0][0] != "shipped", *g[0])):
        planted = sum(len(s["planted"]) for s in group)
        found = sum(len(s["methods"][method]["found"]) for s in group)
        complete = sum(len(s["methods"][method]["found"]) == len(s["planted"]) for s in group)
        false = [len(s["methods"][method]["false"]) for s in group]
        ranks = [d["rank"] for s in group for d in s["planted_detail"].values() if d["rank"]]
        recall = f"{found}/{planted} ({found / planted:.0%})" if planted else "–"
        reach = [(p in s["methods"][method]["found"]) for s in group for p, d in s["planted_detail"].items() if d["reachable"]]
        reached = f"{sum(reach)}/{len(reach)} ({sum(reach) / len(reach):.0%})" if reach else "–"
        ranked = f"{int(np.median(ranks))}, {max(ranks)}" if ranks else "–"
        lines.append(f"| {method} | {variation} | {customers:,} | {len(group)} | {recall} | {reached} | {complete}/{len(group)} "
                     f"| {np.mean(false):.2f} | {sum(f == 0 for f in false)}/{len(group)} | {ranked} |")
    return "\n".join(lines)


# --- compare: no change where nothing changed, the IVR change where it did ----------------------------------------

IVR_FINDING = "transfer rate of order_status calls"


def compare_scores(variation: str, customers: int, seed: int) -> dict:
    """Significant changes before/after the day the IVR change comes (or would come), with and without the lead-in."""
    from cxmining.compare.periods import Period, change_periods, period_comparison
    from cxmining.mining.statistics import mining_tables
    from cxmining.store import relations

    db = sample_store(variation, customers, seed)
    con = duckdb.connect(str(db))
    if "variants" not in relations(con):
        mining_tables(con)
    con.close()
    parameters = json.loads((db.parent / "truth.json").read_text())["parameters"]
    start = date.fromisoformat(parameters["start"])
    change = start + timedelta(days=round(parameters["days"] * 0.6))
    comparisons = {  # all the data either side of the IVR change's day; and the first two weeks against the next two
        "either side of the change": change_periods(change),
        "weeks 1-2 vs 3-4": (Period(start, start + timedelta(days=14)), Period(start + timedelta(days=14), start + timedelta(days=28))),
    }
    found = {}
    for name, periods in comparisons.items():
        for lead_in in (14, 0):  # 0: every journey measured, as before the lead-in existed
            comparison = period_comparison(db, *periods, lead_in_days=lead_in)
            found[f"{name}, lead-in {lead_in}"] = [f"{f['measure']} ({f['segment']})" for f in comparison.findings]
    return {"variation": variation, "customers": customers, "seed": seed, "change": change.isoformat(), "found": found}


def compare_summary(scores: list[dict]) -> str:
    """Per variation, size and lead-in: samples without any significant change, and samples where the IVR's is found."""
    lines = ["| variation | customers | comparison | samples | without a significant change | IVR transfer change found "
             "| significant changes per sample |", "|" + "---|" * 7]
    groups: dict[tuple, list[dict]] = {}
    for s in scores:
        for lead_in in s["found"]:
            groups.setdefault((s["variation"], s["customers"], lead_in), []).append(s["found"][lead_in])
    for (variation, customers, lead_in), found in sorted(groups.items()):  # lead_in: the comparison and its lead-in
        quiet = sum(not f for f in found)
        ivr = sum(any(x.startswith(IVR_FINDING + " (") for x in f) for f in found)
        lines.append(f"| {variation} | {customers:,} | {lead_in} | {len(found)} | {quiet}/{len(found)} | {ivr}/{len(found)} "
                     f"| {np.mean([len(f) for f in found]):.2f} |")
    return "\n".join(lines)


# --- the other causes: the late-shipping window, the IVR change, and nothing planted on the website -----------------

def cause_scores(variation: str, customers: int, seed: int) -> dict:
    """The flagged order days against the planted late-shipping window, the flagged routing rows against the IVR
    change's new path for order-status calls, and the flagged website triggers: a quarter of the customers who meet a
    checkout error call about the payment within 3 hours; customers read the help page on their call's topic before
    calling, so no help page draws calls of its own unless the variation plants a failing one (/help/account)."""
    db = sample_store(variation, customers, seed)
    demand_tables(db)
    planted = json.loads((db.parent / "truth.json").read_text())["planted"]
    late = planted["late_shipping"]
    first, last = date.fromisoformat(late["first_day"]), date.fromisoformat(late["last_day"])
    window = {(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)}
    con = duckdb.connect(str(db), read_only=True)
    days = {d.isoformat() for (d,) in con.execute("SELECT order_day FROM order_status_calls_by_day WHERE flagged").fetchall()}
    routes = {f"{p} / {r}" for p, r in con.execute(
        "SELECT ivr_path, reason_code FROM routing_failure WHERE flagged").fetchall()}
    triggers = sorted(t for (t,) in con.execute("SELECT trigger FROM website_failure_contacts WHERE flagged").fetchall())
    spans = [key.split("/") for (key,) in con.execute(
        "SELECT target_key FROM avoidable_calls WHERE cause = 'order communication'").fetchall()]
    con.close()
    target_days = {(date.fromisoformat(a) + timedelta(days=i)).isoformat()
                   for a, b in spans for i in range((date.fromisoformat(b) - date.fromisoformat(a)).days + 1)}
    failing = (planted.get("failing_help_page") or {}).get("page")
    ivr = f"{planted['ivr_change']['after']['ivr_path']} / order_status"
    return {"variation": variation, "customers": customers, "seed": seed, "window_days": len(window),
            "days_found": len(days & window), "days_false": len(days - window), "ivr_found": ivr in routes,
            "window_targets": len(spans), "target_days_in": len(target_days & window),
            "target_days_out": len(target_days - window),
            "routes_false": sorted(routes - {ivr}), "website_flags": triggers, "failing_page": failing,
            "failing_page_found": None if failing is None else f"View help page {failing}" in triggers,
            "pages_false": [t for t in triggers if t.startswith("View help page") and t != f"View help page {failing}"]}


def _found(outcomes: Iterable[bool | None]) -> str:
    """'found/planted' over the samples that planted it; '–' where none did."""
    planted = [o for o in outcomes if o is not None]
    return f"{sum(planted)}/{len(planted)}" if planted else "–"


def cause_summary(scores: list[dict]) -> str:
    """Per variation and size: window days found and false, the IVR path found, other routing flags, the checkout
    error found, help pages flagged."""
    lines = ["| variation | customers | samples | window days found | false days per sample | whole window found "
             "| IVR path found | other routing flags per sample | checkout error found | failing help page found "
             "| other help pages flagged per sample | late-window targets per sample | window days in them "
             "| their days outside the window per sample |", "|" + "---|" * 14]
    groups: dict[tuple, list[dict]] = {}
    for s in scores:
        groups.setdefault((s["variation"], s["customers"]), []).append(s)
    for (variation, customers), rows in sorted(groups.items()):
        found, days = sum(r["days_found"] for r in rows), sum(r["window_days"] for r in rows)
        whole = sum(r["days_found"] == r["window_days"] for r in rows)
        ivr = sum(r["ivr_found"] for r in rows)
        lines.append(f"| {variation} | {customers:,} | {len(rows)} | {found}/{days} ({found / days:.0%}) "
                     f"| {np.mean([r['days_false'] for r in rows]):.2f} | {whole}/{len(rows)} | {ivr}/{len(rows)} "
                     f"| {np.mean([len(r['routes_false']) for r in rows]):.2f} "
                     f"| {sum(any(t.startswith('Checkout error') for t in r['website_flags']) for r in rows)}/{len(rows)} "
                     f"| {_found(r['failing_page_found'] for r in rows)} "
                     f"| {np.mean([len(r['pages_false']) for r in rows]):.2f} "
                     f"| {np.mean([r['window_targets'] for r in rows]):.2f} "
                     f"| {sum(r['target_days_in'] for r in rows)}/{days} "
                     f"| {np.mean([r['target_days_out'] for r in rows]):.2f} |")
    return "\n".join(lines)


# --- what-if: do the intervals cover the planted effects? ---------------------------------------------------------

ABOUT = "product-information calls about rewritten products"


def _counts(db: Path, products: list[str]) -> dict[str, float]:
    """Calls in journeys by what the planted effects change: product-information calls (all of them, and those the
    store ties to `products`: recorded on the call or the journey's product), transfers."""
    con = duckdb.connect(str(db), read_only=True)
    info, about, transfers = con.execute(
        "SELECT count(*) FILTER (WHERE reason_code = 'product_info'), "
        "count(*) FILTER (WHERE reason_code = 'product_info' AND list_contains($products, product_id)), "
        "count(*) FILTER (WHERE outcome = 'transferred') FROM contact_demand WHERE channel = 'phone'",
        {"products": products}).fetchall()[0]
    con.close()
    return {"calls: product_info": float(info), ABOUT: float(about), "transfers": float(transfers)}


def whatif_scores(variation: str, customers: int, seed: int, replications: int | None = None) -> dict:
    """The what-if estimate and its 95% interval for two planted causes taken away, against the planted effect: the
    same sample generated again (same seed) without the cause, through the same pipeline.

    Rewriting the planted thin descriptions to ordinary ones (`share: excess`) against the world where they never
    drew extra calls (product-information calls); undoing the IVR change against the world without it (transfers).
    `replications`: None scores the shipped default (`auto`: as many as the changes need).
    """
    from cxmining.whatif.results import whatif_tables
    from cxmining.whatif.scenario import Scenario

    stores = {v: sample_store(v, customers, seed) for v in (variation, "no thin effect", "no ivr change")}
    for db in stores.values():
        demand_tables(db)
    truth = json.loads((stores[variation].parent / "truth.json").read_text())["planted"]
    # the rewrite is scored on the calls the store ties to the rewritten products (the figure the what-if reports for
    # them); the planted effect on all product-information calls is kept beside it: a rewrite also takes away calls
    # the store cannot tie to the product (no product recorded, the journey about another one), which no model of
    # these data can count
    planted = {"rewrite the thin descriptions": (ABOUT, "no thin effect"),
               "undo the IVR change": ("transfers", "no ivr change")}
    scenarios = [
        (Scenario(name="rewrite the thin descriptions", replications=replications or "auto",
                  changes={"fix_descriptions": {"share": "excess", "products": truth["thin_description"]["product_ids"]}}), None),
        (Scenario(name="undo the IVR change", replications=replications or "auto",
                  changes={"ivr": {"order_status": truth["ivr_change"]["before"]["ivr_path"]}}), None),
    ]
    copy = stores[variation].parent / "whatif.duckdb"
    shutil.copy(stores[variation], copy)
    began = time.perf_counter()
    _, results = whatif_tables(copy, scenarios, replications=replications, seed=seed)
    seconds = time.perf_counter() - began
    copy.unlink()
    thin = truth["thin_description"]["product_ids"]
    factual = _counts(stores[variation], thin)
    out = {"variation": variation, "customers": customers, "seed": seed, "seconds": round(seconds, 1),
           "replications": int(results["replications"].max()), "scenarios": {}}
    for name, (figure, counterfactual) in planted.items():
        row = results.filter((results["scenario"] == name) & (results["figure"] == figure)).to_dicts()[0]
        other = _counts(stores[counterfactual], thin)
        out["scenarios"][name] = {"figure": figure, "planted": other[figure] - factual[figure], "estimate": row["change"],
                                  "low": row["change_low"], "high": row["change_high"], "note": row["note"],
                                  "planted_all_info_calls": (other["calls: product_info"] - factual["calls: product_info"]
                                                             if figure == ABOUT else None)}
    return out


def _mean_or_dash(values: list) -> str:
    known = [v for v in values if v is not None]
    return f"{np.mean(known):.1f}" if known else "–"


def whatif_summary(scores: list[dict]) -> str:
    """Per scenario and size: how often the 95% interval covers the planted effect, the mean of both, the mean width."""
    lines = ["| scenario (figure) | customers | samples | interval covers the planted effect | mean planted effect "
             "| mean estimate | mean interval width | planted effect on all product-information calls |", "|" + "---|" * 8]
    groups: dict[tuple, list[dict]] = {}
    for s in scores:
        for name, r in s["scenarios"].items():
            groups.setdefault((name, s["customers"]), []).append(r)
    for (name, customers), rows in sorted(groups.items()):
        given = [r for r in rows if r["low"] is not None]
        covered = sum(r["low"] <= r["planted"] <= r["high"] for r in given)
        lines.append(f"| {name} ({rows[0]['figure']}) | {customers:,} | {len(rows)} | {covered}/{len(given)} "
                     f"({covered / max(len(given), 1):.0%}) | {np.mean([r['planted'] for r in rows]):.1f} "
                     f"| {np.mean([r['estimate'] for r in rows]):.1f} | {np.mean([r['high'] - r['low'] for r in given]):.1f} "
                     f"| {_mean_or_dash([r['planted_all_info_calls'] for r in rows])} |")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("--sizes", default="1500,6000,25000")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--variations", default=None, help="default: every variation the command uses")
    parser.add_argument("--quick", action="store_true", help="3 seeds at 1,500 and 6,000 customers")
    parser.add_argument("--first-seed", type=int, default=FIRST_SEED,
                        help=f"seeds first-seed, first-seed+1, ... (default {FIRST_SEED}; the method was tuned on "
                             f"{FIRST_SEED}-{FIRST_SEED + 19}: use another range to validate)")
    args = parser.parse_args(argv)
    sizes = [1500, 6000] if args.quick else [int(x) for x in args.sizes.split(",")]
    seeds = range(args.first_seed, args.first_seed + (3 if args.quick else args.seeds))
    variations = ([v.strip() for v in args.variations.split(",")] if args.variations
                  else list(COMMANDS[args.command][2]))
    unknown = set(variations) - set(VARIATIONS)
    if unknown:
        parser.error(f"unknown variations: {', '.join(sorted(unknown))}; known: {', '.join(VARIATIONS)}")
    ROOT.mkdir(parents=True, exist_ok=True)
    score, summary, _ = COMMANDS[args.command]
    scores = []
    with (ROOT / f"{args.command}.jsonl").open("a") as log:
        for variation in variations:
            for customers in sizes:
                for seed in seeds:
                    scores.append(score(variation, customers, seed))
                    log.write(json.dumps(scores[-1]) + "\n")
                    log.flush()
                    print(f"{args.command}: {variation} {customers} seed {seed} done", file=sys.stderr, flush=True)
    print(summary(scores))


COMMANDS = {  # what each command scores, how it sums up, and the variations it runs by default
    "products": (product_scores, product_summary, ["default", "none", "one category", "popular", "unpopular", "weak",
                                                   "strong", "multi-line", "uneven products", "flat popularity"]),
    "compare": (compare_scores, compare_summary, ["nothing changes", "ivr change"]),
    "whatif": (whatif_scores, whatif_summary, ["default"]),
    "causes": (cause_scores, cause_summary, ["default", "none", "multi-line", "flat popularity", "failing help page"]),
}


if __name__ == "__main__":
    main(sys.argv[1:])
