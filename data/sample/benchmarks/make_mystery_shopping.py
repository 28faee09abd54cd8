"""Write the illustrative mystery-shopping log of the fictional retailer Brightcart (data/sample/benchmarks/README.md).

Deterministic: the same seed writes the same file. Run from the repository root:
    python data/sample/benchmarks/make_mystery_shopping.py [--seed 2026] [--journeys 48] [--out FILE]
Standard library only, so it runs without the project's environment.
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = ("shopper_journey", "step", "time", "channel", "avoidable_contact")


def journey(rng: random.Random, number: int, start: datetime) -> list[tuple[str, str, str, datetime, str]]:
    """One mystery shopper trying to buy a product: rows of (journey, step, channel, time, avoidable contact)."""
    case = f"MS-{number:03d}"
    rows: list[tuple[str, str, str, datetime, str]] = []
    now = start

    def step(activity: str, channel: str, minutes: float, avoidable: str = "") -> None:
        nonlocal now
        now += timedelta(minutes=minutes)
        rows.append((case, activity, channel, now, avoidable))

    step("Homepage visit", "web", 0)
    step("Product search", "web", rng.uniform(0.5, 3))
    for _ in range(rng.randint(1, 3)):
        step("Product page", "web", rng.uniform(1, 6))
    if rng.random() < 0.25:  # the product page left a question open
        step("Live chat: product question", "chat", rng.uniform(2, 20), "yes" if rng.random() < 0.7 else "no")
    if rng.random() < 0.15:
        step("Phone: product question", "phone", rng.uniform(30, 60 * 24), "yes")
        step("Product page", "web", rng.uniform(10, 60 * 6))
    if rng.random() < 0.06:  # gave up: a journey without an order
        return rows
    if rng.random() < 0.15:
        step("Phone: place order", "phone", rng.uniform(60, 60 * 48), "no")
    else:
        step("Add to basket", "web", rng.uniform(60, 60 * 48))
        step("Checkout", "web", rng.uniform(1, 5))
    step("Order confirmed", "system", rng.uniform(0.1, 1))
    placed = now
    step("Dispatch e-mail", "email", rng.uniform(60 * 8, 60 * 40))
    if rng.random() < 0.18:  # no delivery date in the dispatch e-mail
        step("Phone: where is my order", "phone", rng.uniform(60 * 6, 60 * 30), "yes")
    if rng.random() < 0.08:
        step("Contact form: delivery question", "web", rng.uniform(60, 60 * 12), "yes")
    if rng.random() < 0.05:  # still on its way when the study closed
        return rows
    now = max(now + timedelta(hours=rng.uniform(4, 30)), placed + timedelta(days=rng.uniform(1.0, 4.5)))
    step("Parcel delivered", "carrier", 0)
    if rng.random() < 0.1:
        step("Phone: return request", "phone", rng.uniform(60 * 12, 60 * 72), "yes" if rng.random() < 0.5 else "no")
    return rows


def mystery_shopping_rows(seed: int, journeys: int) -> list[tuple[str, str, str, str, str]]:
    """Every row of the log in file order (journey by journey), times as naive Europe/Amsterdam clock time."""
    rng = random.Random(seed)
    rows = []
    for number in range(1, journeys + 1):
        start = datetime(2026, 5, 4, 9) + timedelta(days=rng.randint(0, 27), minutes=rng.randint(0, 60 * 12))
        rows += [(case, activity, ts.strftime("%Y-%m-%d %H:%M:%S"), channel, avoidable)
                 for case, activity, channel, ts, avoidable in journey(rng, number, start)]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--journeys", type=int, default=48)
    parser.add_argument("--out", type=Path, default=HERE / "brightcart_mystery_shopping.csv")
    args = parser.parse_args()
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(mystery_shopping_rows(args.seed, args.journeys))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
