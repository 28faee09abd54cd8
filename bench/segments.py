"""Validation sweep of the segment test (failure_demand_segments): does a planted concentration of a topic or cause in a
customer segment get flagged, and does nothing get flagged where nothing was planted?

    python bench/segments.py [--sizes 300,1500,6000] [--seeds 10] [--variations none,one,...] [--first-seed 5000]

Each sample is a complaints export like UWV's: contacting customers with three segments (age: 4 uneven values, gender:
2, office: 12 of Dirichlet sizes), 70 topics of Zipf popularity under 12 causes (10 topics are value demand), 1 + Poisson
contacts per customer. Variations plant concentrations (a topic or a whole cause `ratio` times as likely for the
customers of one segment value) or make the null harder (a segment that contacts three times as often, customers who
repeat their topic). The shipped SQL and statistics (cxmining.demand.tables.segment_concentration, shipped test
settings) run on the sample's contact_demand, journeys and customer_segments. A flag is a true find when it is the
planted topic or cause in the planted value, or what it implies there (the cause of a planted topic, a topic of a
planted cause, failure demand); any other flag is a false alarm. Per-sample scores are appended to
bench/results/findings/segments.jsonl and the summary is printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from cxmining.demand.rules import demand_rules
from cxmining.demand.tables import rule_parameters, segment_concentration
from cxmining.store import registered

ROOT = Path(__file__).resolve().parent / "results" / "findings"
TOPICS, CAUSES, VALUE_TOPICS = 70, 12, 10
SEGMENTS = {"age": [0.18, 0.29, 0.21, 0.32], "gender": [0.47, 0.53], "office": None}
# variation -> plants [(segment, value index, "topic"/"cause", popularity rank or cause index, ratio)] and settings
VARIATIONS: dict[str, dict] = {
    "none": {"plants": []},
    "busy segment": {"plants": [], "busy": ("age", 3, 3.0)},
    "repeats": {"plants": [], "repeat": 0.6},
    "topic x2": {"plants": [("age", 1, "topic", 4, 2.0)]},
    "topic x3": {"plants": [("age", 1, "topic", 4, 3.0)]},
    "topic x5": {"plants": [("age", 1, "topic", 4, 5.0)]},
    "rare topic x5": {"plants": [("office", 2, "topic", 30, 5.0)]},
    "cause x2": {"plants": [("gender", 0, "cause", 3, 2.0)]},
    "three plants": {"plants": [("age", 0, "topic", 2, 3.0), ("office", 5, "topic", 10, 4.0),
                                ("gender", 1, "cause", 6, 2.0)]},
    "plant + busy + repeats": {"plants": [("age", 1, "topic", 4, 3.0)], "busy": ("age", 3, 3.0), "repeat": 0.6},
}


def sample(variation: str, customers: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame, list[tuple], dict]:
    """Contacts (customer, topic) and segments (customer, segment, value) of one generated export; the plants as
    (segment, value, kind, label) and the topic -> cause and demand of the sample."""
    rng = np.random.default_rng(seed)
    spec = VARIATIONS[variation]
    popularity = 1.0 / np.arange(1, TOPICS + 1)
    order = rng.permutation(TOPICS)  # topic order[r] has popularity rank r
    weights = np.empty(TOPICS)
    weights[order] = popularity
    cause_of = rng.integers(0, CAUSES, TOPICS)
    value_demand = set(rng.choice(TOPICS, VALUE_TOPICS, replace=False).tolist())
    values = {}
    for name, shares in SEGMENTS.items():
        shares = np.asarray(shares) if shares is not None else rng.dirichlet(np.full(12, 3.0))
        values[name] = rng.choice(len(shares), customers, p=shares)
    contacts_of = 1 + rng.poisson(0.4, customers)
    if "busy" in spec:
        segment, value, factor = spec["busy"]
        busy = values[segment] == value
        contacts_of[busy] = 1 + rng.poisson(0.4 * factor + (factor - 1), busy.sum())
    plants = []
    topic_weights = np.tile(weights, (customers, 1))
    for segment, value, kind, which, ratio in spec["plants"]:
        members = values[segment] == value
        if kind == "topic":
            topic = int(order[which])
            topic_weights[np.ix_(members, [topic])] *= ratio
            plants.append((segment, str(value), "reason", f"T{topic:02d}"))
        else:
            topic_weights[np.ix_(members, np.flatnonzero(cause_of == which))] *= ratio
            plants.append((segment, str(value), "cause", f"C{which:02d}"))
    probability = topic_weights / topic_weights.sum(axis=1, keepdims=True)
    rows_customer, rows_topic = [], []
    for c in range(customers):  # a few thousand customers: the sample is small, the loop is the generator's only
        topic = rng.choice(TOPICS, p=probability[c])
        for k in range(contacts_of[c]):
            if k and rng.random() >= spec.get("repeat", 0.0):
                topic = rng.choice(TOPICS, p=probability[c])
            rows_customer.append(c)
            rows_topic.append(int(topic))
    contacts = pl.DataFrame({"customer": rows_customer, "topic": rows_topic})
    segments = pl.concat([pl.DataFrame({"customer": np.arange(customers), "segment": name,
                                        "value": values[name].astype(str)}) for name in SEGMENTS])
    codes = {f"T{t:02d}": (f"C{int(cause_of[t]):02d}", "value" if t in value_demand else "failure") for t in range(TOPICS)}
    return contacts, segments, plants, codes


def flagged_rows(contacts: pl.DataFrame, segments: pl.DataFrame, codes: dict) -> list[tuple]:
    """The (segment, value, measure, label) rows the shipped test flags on a sample."""
    con = duckdb.connect()
    demand = contacts.with_row_index("n").select(
        pl.format("J{}", pl.col("n")).alias("journey_id"),
        pl.format("C{}", pl.col("customer")).alias("customer_id"),
        pl.format("T{}", pl.col("topic").cast(pl.String).str.zfill(2)).alias("reason_code"))
    demand = demand.with_columns(
        pl.col("reason_code").replace_strict({k: v[0] for k, v in codes.items()}).alias("cause"),
        pl.col("reason_code").replace_strict({k: v[1] for k, v in codes.items()}).alias("demand"))
    with registered(con, "_demand", demand.to_arrow()), registered(con, "_segments", segments.to_arrow()):
        con.execute("CREATE TABLE contact_demand AS SELECT journey_id, demand, cause, reason_code FROM _demand")
        con.execute("CREATE TABLE journeys AS SELECT journey_id, customer_id FROM _demand")
        con.execute("CREATE TABLE customer_segments AS SELECT 'C' || customer AS customer_id, segment, value FROM _segments")
    segment_concentration(con, rule_parameters(demand_rules()))
    return con.execute("SELECT segment, value, measure, label FROM failure_demand_segments WHERE flagged").fetchall()


def scores(variation: str, customers: int, seed: int) -> dict:
    """One sample's plants found and false alarms."""
    contacts, segments, plants, codes = sample(variation, customers, seed)
    flags = set(flagged_rows(contacts, segments, codes))
    implied = set()
    for segment, value, kind, label in plants:
        implied.add((segment, value, "failure demand", "failure demand"))
        if kind == "reason":
            implied.add((segment, value, "cause", codes[label][0]))
        else:
            implied |= {(segment, value, "reason", t) for t, (c, _) in codes.items() if c == label}
    found = [p in flags for p in plants]
    false = sorted(f for f in flags if f not in set(plants) | implied)
    return {"variation": variation, "customers": customers, "seed": seed, "plants": len(plants),
            "found": sum(found), "flags": len(flags), "false_alarms": len(false), "false": [list(f) for f in false[:5]]}


def summary(rows: list[dict]) -> str:
    """Markdown: per variation and size, recall of the plants and samples with any false alarm."""
    lines = ["| variation | customers | samples | plants found | samples with a false alarm | false alarms per sample |",
             "|---|---:|---:|---:|---:|---:|"]
    keys = sorted({(r["variation"], r["customers"]) for r in rows}, key=lambda k: (list(VARIATIONS).index(k[0]), k[1]))
    for variation, customers in keys:
        group = [r for r in rows if r["variation"] == variation and r["customers"] == customers]
        planted = sum(r["plants"] for r in group)
        recall = f"{sum(r['found'] for r in group)}/{planted}" if planted else "–"
        lines.append(f"| {variation} | {customers:,} | {len(group)} | {recall} | "
                     f"{sum(r['false_alarms'] > 0 for r in group)}/{len(group)} | "
                     f"{np.mean([r['false_alarms'] for r in group]):.2f} |")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="300,1500,6000")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=5000)
    parser.add_argument("--variations", default=";".join(VARIATIONS), help="separated by ;")
    args = parser.parse_args(argv)
    variations = [v.strip() for v in args.variations.split(";")]
    if unknown := set(variations) - set(VARIATIONS):
        parser.error(f"unknown variations: {', '.join(sorted(unknown))}; known: {', '.join(VARIATIONS)}")
    ROOT.mkdir(parents=True, exist_ok=True)
    rows = []
    with (ROOT / "segments.jsonl").open("a") as log:
        for variation in variations:
            for customers in (int(x) for x in args.sizes.split(",")):
                for seed in range(args.first_seed, args.first_seed + args.seeds):
                    rows.append(scores(variation, customers, seed))
                    log.write(json.dumps(rows[-1]) + "\n")
                    print(f"segments: {variation} {customers} seed {seed}: {rows[-1]['found']}/{rows[-1]['plants']} found, "
                          f"{rows[-1]['false_alarms']} false", file=sys.stderr, flush=True)
    print(summary(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
