"""The plain pandas + pm4py pipeline an analyst would write without cxmining: the peer of the nightly flow.

    python bench/plain_pipeline.py LANDING [--noise 0.2] [--json]

Read every CSV of the landing folder with pandas (bad lines skipped, no validation, no quarantine), stitch calls to
customers by phone number (the last nine digits, numbers shared by several customers left out), one case per
customer (web events without a customer: per browser), the directly-follows graph and the variants with pm4py, the
inductive miner (IMf) and token-based replay fitness of the log on the discovered net. Each step's seconds, the
figures it found and the process's peak memory (VmHWM) are printed; with --json as one JSON line (bench/nightly.py).
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "false")  # before pm4py reads it

import pandas as pd  # noqa: E402 - after the environment pm4py reads at import
import pm4py  # noqa: E402


def _peak_mib() -> float:
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmHWM")).split()[1]) / 1024


def _read(landing: Path, source: str) -> pd.DataFrame:
    files = sorted((landing / source).glob("*.csv"))
    if not files:
        return pd.DataFrame()
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False, on_bad_lines="skip", engine="c")
                      for f in files], ignore_index=True)


def _phone_key(numbers: pd.Series) -> pd.Series:
    digits = numbers.str.replace(r"\D", "", regex=True)
    return digits.str[-9:].where(digits.str.len() >= 9)


def plain_pipeline(landing: Path, noise: float = 0.2) -> dict:
    """Run the plain pipeline on a landing folder; each step's seconds and what it found."""
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[step] = now - clock
        clock = now

    customers, calls, web, orders = (_read(landing, s) for s in ("customers", "calls", "web", "orders"))
    lap("read CSVs")
    phones = customers.assign(key=_phone_key(customers["phone"])).dropna(subset=["key"])
    phones = phones.drop_duplicates("customer_id").drop_duplicates("key", keep=False).set_index("key")["customer_id"]
    calls["case"] = calls["customer_id"].where(calls["customer_id"] != "", _phone_key(calls["caller_number"]).map(phones))
    web["case"] = web["customer_id"].where(web["customer_id"] != "", "visitor:" + web["visitor_id"])
    orders["case"] = orders["customer_id"]
    events = pd.concat([
        pd.DataFrame({"case": web["case"], "activity": "Web: " + web["event_type"], "ts": web["ts"]}),
        pd.DataFrame({"case": calls["case"], "activity": "Call: " + calls["reason_code"], "ts": calls["started_at"]}),
        pd.DataFrame({"case": orders["case"], "activity": "Order " + orders["status"], "ts": orders["ts"]}),
    ], ignore_index=True)
    events["ts"] = pd.to_datetime(events["ts"], utc=True, errors="coerce", format="ISO8601")
    events = events.dropna(subset=["case", "ts"])
    events = events[events["case"] != ""]
    log = pm4py.format_dataframe(events, case_id="case", activity_key="activity", timestamp_key="ts")
    lap("stitch by phone, event log")
    dfg, _, _ = pm4py.discover_dfg(log)
    lap("DFG")
    variants = pm4py.get_variants(log)
    lap("variants")
    net, im, fm = pm4py.discover_petri_net_inductive(log, noise_threshold=noise)
    lap("inductive miner")
    fitness = pm4py.fitness_token_based_replay(log, net, im, fm)
    lap("token replay")
    return {"seconds": seconds, "total_seconds": sum(seconds.values()), "rows": int(len(customers) + len(calls)
            + len(web) + len(orders)), "events": int(len(log)), "cases": int(log["case:concept:name"].nunique()),
            "arcs": len(dfg), "variants": len(variants), "fitness": fitness["log_fitness"], "peak_mib": _peak_mib()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("landing", type=Path)
    parser.add_argument("--noise", type=float, default=0.2)
    parser.add_argument("--json", action="store_true", help="one JSON line (for bench/nightly.py)")
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = plain_pipeline(args.landing, args.noise)
    if args.json:
        print(json.dumps(result))
        return
    for step, s in result["seconds"].items():
        print(f"{step:28s} {s:8.1f} s")
    print(f"{'total':28s} {result['total_seconds']:8.1f} s, peak {result['peak_mib']:.0f} MiB; {result['events']:,} "
          f"events, {result['cases']:,} cases, {result['variants']:,} variants, fitness {result['fitness']:.3f}")


if __name__ == "__main__":
    main()
