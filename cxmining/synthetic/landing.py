"""`write_sample`: simulate the customer process and write it as a landing folder with its truth."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from cxmining.ingest.contract import SOURCES, Source
from cxmining.synthetic.call_log import call_rows
from cxmining.synthetic.calls import calls, first_calls
from cxmining.synthetic.catalogue import catalogue
from cxmining.synthetic.clickstream import clickstream
from cxmining.synthetic.clock import day_index, epoch, iso_utc
from cxmining.synthetic.csvtext import csv_records, physical_lines, write_csv_text
from cxmining.synthetic.customers import customers
from cxmining.synthetic.defects import with_defects
from cxmining.synthetic.intents import Journeys, journeys
from cxmining.synthetic.orders import OrderBook, order_book, order_rows
from cxmining.synthetic.sessions import sessions
from cxmining.synthetic.settings import Effects, SampleSettings
from cxmining.synthetic.truth import ground_truth
from cxmining.synthetic.web import web_rows

FACTS = ("orders", "calls", "web")


@dataclass(frozen=True)
class World:
    """Everything simulated, as internal (numeric) tables."""

    products: pl.DataFrame
    people: pl.DataFrame
    trips: Journeys
    book: OrderBook
    log: pl.DataFrame
    sessions: pl.DataFrame
    clicks: pl.DataFrame


def write_sample(
    out: Path,
    customers: int = 400,
    seed: int = 7,
    start: date = date(2026, 9, 1),
    days: int = 60,
    dirty_rate: float = 0.002,
    progress: Callable[[str], None] | None = None,
    effects: Effects | None = None,
    history_days: int = 0,
    designed: bool = False,
) -> dict:
    """Write a landing folder under `out` and return the ground truth (also written to out/truth.json).

    `effects` changes the simulated rates and the planted effects (thin descriptions: how many, where in popularity,
    how strong; multi-line orders; products' own call propensities), see `Effects`. `history_days` simulates that
    many days before `start` without writing them, as a real export that begins while journeys are under way.
    `designed` also writes the designed order model (models/) and the what-if scenarios (scenarios/), as
    `cxmining sample` does: a landing folder that shows every section of the report.
    """
    say = progress or (lambda _: None)
    scn = SampleSettings(customers=customers, seed=seed, start=start, days=days, dirty_rate=dirty_rate,
                   effects=effects or Effects(), history_days=history_days)
    out = Path(out)
    _clear(out)
    world = simulate(scn, say)
    files = {
        "products/products.csv": _write_whole(
            out / "products" / "products.csv", world.products, SOURCES["products"]
        )
    }
    for name in ("customers", *FACTS):
        say(f"writing {name}")
        source = SOURCES[name]
        rate = 0.0 if source.kind == "dimension" else scn.dirty_rate
        # Damaged right away, so the undamaged text is freed before the files are written.
        damaged = with_defects(_rows(scn, world, name), source, rate, scn.rng(f"defects-{name}"))
        files |= _write_daily(out, scn, source, damaged)
        del damaged
    truth = ground_truth(scn, world, files) | {"designed": _write_designed(out) if designed else []}
    text = json.dumps(truth, indent=1, ensure_ascii=False)
    (out / "truth.json").write_text(text + "\n", encoding="utf-8")
    say(f"wrote {sum(f['rows'] for f in files.values())} rows in {len(files)} files under {out}")
    return json.loads(text)  # exactly what the file says (tuples become lists)


def simulate(scn: SampleSettings, say: Callable[[str], None] = lambda _: None) -> World:
    """The simulated customer process of `scn`."""
    say("simulating customers and journeys")
    products, people = catalogue(scn), customers(scn)
    trips = journeys(scn, people, products)
    book = order_book(scn, trips.intents, products)
    say("simulating calls")
    log = calls(scn, first_calls(scn, people, trips, book))
    say("simulating web sessions")
    visits = sessions(scn, people, trips, book, log)
    return World(products, people, trips, book, log, visits, clickstream(scn, visits, products))


def _rows(scn: SampleSettings, world: World, name: str) -> pl.DataFrame:
    """Rows of a daily source in contract columns (text) plus their `day`."""
    if name == "customers":
        return _customer_rows(scn, world.people)
    if name == "orders":
        rows = order_rows(
            world.book, world.people["customer_id"], world.products["product_id"], epoch(scn.end)
        )
        return rows.with_columns(day=day_index(pl.col("ts"), epoch(scn.start)), ts=iso_utc(pl.col("ts")))
    if name == "calls":
        return call_rows(scn, world.log, world.people, world.products)
    return web_rows(scn, world.clicks, world.sessions, world.products)


def _customer_rows(scn: SampleSettings, people: pl.DataFrame) -> pl.DataFrame:
    """Customers created before the period go into the first day's file, later sign-ups into their day's."""
    day = day_index(pl.col("created"), epoch(scn.start)).clip(lower_bound=0)
    return people.select(
        "customer_id", "phone", "email", created_at=iso_utc(pl.col("created")), day=day
    ).sort("day", "customer_id")


def _write_whole(path: Path, frame: pl.DataFrame, source: Source) -> dict:
    records = csv_records(frame, source.column_names)
    write_csv_text(path, source.column_names, records)
    return _file_truth(
        source, None, records, 0, pl.Series([], dtype=pl.String), pl.Series([], dtype=pl.String)
    )


def _write_daily(out: Path, scn: SampleSettings, source: Source, damaged: pl.DataFrame) -> dict[str, dict]:
    """One file per day; returns what each file holds (rows, defects with their lines, duplicates)."""
    bounds = np.searchsorted(damaged["day"].to_numpy(), np.arange(scn.days + 1))
    keep = [*source.column_names, "defect", "defect_column", "fields"]
    resent = damaged.select(keep).clear()
    files = {}
    for d in range(scn.days):
        today = damaged.slice(int(bounds[d]), int(bounds[d + 1] - bounds[d]))
        batch = pl.concat([resent, today.select(keep)])
        records = csv_records(batch, source.column_names)
        short = np.flatnonzero(batch["fields"].is_not_null().to_numpy())
        if short.size:
            cut = csv_records(batch[short], source.column_names, pl.col("fields"))
            records = records.scatter(short, cut)
        day = scn.start + timedelta(days=d)
        name = f"{source.name}/{source.name}_{day.isoformat()}.csv"
        write_csv_text(out / name, source.column_names, records)
        files[name] = _file_truth(
            source, day, records, resent.height, batch["defect"], batch["defect_column"]
        )
        resent = today.filter("resend").select(keep)
    return files


def _file_truth(
    source: Source,
    day: date | None,
    records: pl.Series,
    duplicates: int,
    defect: pl.Series,
    column: pl.Series,
) -> dict:
    """Rows, physical lines, and the 1-based line (header = line 1) of each defective and duplicate row."""
    lines = physical_lines(records).to_numpy()
    start = 2 + np.cumsum(lines) - lines
    bad = np.flatnonzero(defect.is_not_null().to_numpy()) if defect.len() else np.zeros(0, np.int64)
    return {
        "source": source.name,
        "date": day.isoformat() if day else None,
        "rows": int(records.len()),
        "lines": int(1 + lines.sum()),
        "defective": int(bad.size),
        "duplicates": duplicates,
        "defects": [{"line": int(start[i]), "kind": defect[int(i)], "column": column[int(i)]} for i in bad],
        "duplicate_lines": [int(x) for x in start[:duplicates]],
    }


DESIGNED = ("models", "scenarios")  # folders of cxmining/synthetic/designed/ a sample carries, as a landing folder's


def _write_designed(out: Path) -> list[str]:
    """Write the sample's designed model (models/) and what-if scenarios (scenarios/) beside its data, so a run on it
    shows every section of the report; return their paths relative to `out`."""
    written = []
    for folder in DESIGNED:
        for item in sorted((resources.files("cxmining.synthetic") / "designed" / folder).iterdir(), key=lambda i: i.name):
            if item.name.endswith((".yaml", ".bpmn")):
                target = out / folder / item.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(item.read_bytes())
                written.append(f"{folder}/{item.name}")
    return written


def _clear(out: Path) -> None:
    """Remove files an earlier sample wrote here (only those), so no stale daily file survives."""
    for source in SOURCES:
        for old in (out / source).glob(f"{source}*.csv"):
            old.unlink()
    (out / "truth.json").unlink(missing_ok=True)
