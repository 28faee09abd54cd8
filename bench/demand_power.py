"""How well failure demand finds the generator's planted causes, over sample sizes and seeds.

    python bench/demand_power.py 2000:11 6000:3 10000:13

For each CUSTOMERS:SEED it generates a fresh 60-day sample (cached under bench/results/power/), builds journeys and
the demand tables, and prints: thin-description products flagged (of 4), the ones missed, products flagged wrongly,
flagged order days against the late-shipping window, and flagged IVR paths.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

from cxmining.demand import demand_tables
from cxmining.ingest import landing_reports
from cxmining.journeys import journey_tables
from cxmining.sample import write_sample

ROOT = Path(__file__).resolve().parent / "results" / "power"


def store(customers: int, seed: int) -> Path:
    folder = ROOT / f"c{customers}s{seed}"
    db = folder / "store.duckdb"
    if not db.exists():
        write_sample(folder / "landing", customers=customers, seed=seed, days=60)
        landing_reports(db, folder / "landing", "bench")
        journey_tables(db)
    return db


def main(args: list[str]) -> None:
    for arg in args or ["2000:11", "6000:3"]:
        customers, seed = map(int, arg.split(":"))
        db = store(customers, seed)
        began = time.perf_counter()
        demand_tables(db)
        seconds = time.perf_counter() - began
        planted = json.loads((db.parent / "landing" / "truth.json").read_text())["planted"]
        thin = set(planted["thin_description"]["product_ids"])
        first = date.fromisoformat(planted["late_shipping"]["first_day"])
        last = date.fromisoformat(planted["late_shipping"]["last_day"])
        window = {first + timedelta(days=i) for i in range((last - first).days + 1)}
        con = duckdb.connect(str(db), read_only=True)
        flagged = {p for (p,) in con.execute("SELECT product_id FROM failure_demand_products WHERE flagged").fetchall()}
        days = {d for (d,) in con.execute("SELECT order_day FROM order_status_calls_by_day WHERE flagged").fetchall()}
        routes = [f"{p} {r}" for p, r in con.execute("SELECT ivr_path, reason_code FROM routing_failure WHERE flagged").fetchall()]
        con.close()
        print(f"{customers:>6} customers seed {seed:<3} demand tables {seconds:4.1f} s | thin flagged {len(thin & flagged)}/4, "
              f"wrongly flagged {sorted(flagged - thin) or 'none'} | late days {len(days & window)}/{len(window)} "
              f"found, {len(days - window)} outside | routing {routes}")


if __name__ == "__main__":
    main(sys.argv[1:])
