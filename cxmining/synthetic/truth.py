"""Ground truth of a sample: its settings, the planted effects as designed and as realised, and
what each file holds (rows, defective rows with their lines, re-sent duplicates)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from cxmining.ingest.contract import REASON_CODES, RETURN_REASONS
from cxmining.synthetic.calls import PATHS, TRANSFERRED
from cxmining.synthetic.clickstream import E
from cxmining.synthetic.clock import epoch
from cxmining.synthetic.defects import DEFECT_KINDS
from cxmining.synthetic.intents import CART_ABANDONED, PHONE, STORE, WEB
from cxmining.synthetic.settings import SampleSettings

if TYPE_CHECKING:
    from cxmining.synthetic.landing import World

STATUS, INFO = REASON_CODES.index("order_status"), REASON_CODES.index("product_info")


def ground_truth(scn: SampleSettings, world: World, files: dict[str, dict]) -> dict:
    """The truth.json document."""
    products = world.products
    thin_ids = products.filter("thin").sort("rank")["product_id"].to_list()
    by_source: dict[str, dict[str, int]] = {}
    for f in files.values():
        tally = by_source.setdefault(f["source"], {"rows": 0, "defective": 0, "duplicates": 0, "files": 0})
        tally["rows"] += f["rows"]
        tally["defective"] += f["defective"]
        tally["duplicates"] += f["duplicates"]
        tally["files"] += 1
    for tally in by_source.values():
        tally["clean"] = tally["rows"] - tally["defective"] - tally["duplicates"]
    return {
        "generator": "cxmining.synthetic",
        "parameters": {
            "customers": scn.customers,
            "seed": scn.seed,
            "start": scn.start.isoformat(),
            "days": scn.days,
            "end": scn.end.isoformat(),
            "dirty_rate": scn.dirty_rate,
            "history_days": scn.history_days,
        },
        "effects": asdict(scn.effects),
        "customers": scn.customers,
        "rows": by_source,
        "planted": {
            "thin_description": {
                "product_ids": thin_ids,
                "most_popular_product": products.sort("rank")["product_id"][0],
                "popularity_rank": dict(zip(products["product_id"], products["rank"].cast(int))),
                "measured": _thin(world),
            },
            "late_shipping": {
                "first_day": scn.late_start.isoformat(),
                "last_day": (scn.late_end - timedelta(days=1)).isoformat(),
                "rule": "orders placed (UTC date) in the window ship late_extra_days later than normal",
                "measured": _late(world),
            } if scn.late_end > scn.late_start else None,
            "ivr_change": {
                "date": scn.ivr_change.isoformat(),
                "before": {"ivr_path": "main>orders>status", "queue": "orders"},
                "after": {"ivr_path": "main>general", "queue": "general"},
                "measured": _ivr(scn, world),
            } if scn.effects.ivr_change else None,
            "failing_help_page": {
                "page": "/help/account",
                "rule": "failing_help_page_calls extra account calls per customer, each 3-60 minutes after a session "
                        "that reads the page",
                "calls": int(world.log.filter(pl.col("after_help_page") & ~pl.col("repeat")).height),
            } if scn.effects.failing_help_page_calls > 0 else None,
            "repeat_calls": _repeats(world),
            "journeys": _journeys(scn, world),
        },
        "defect_kinds": DEFECT_KINDS,
        "duplicates": "whole clean rows of one day's file re-sent at the top of the next day's file",
        "lines": "1-based physical line where a record starts; the header is line 1",
        "files": files,
    }


def _share(hit: np.ndarray, group: np.ndarray) -> dict[str, float | int]:
    """Share of `hit` within `group` and outside it, with the sizes."""
    return {
        "in": float(hit[group].mean()) if group.any() else 0.0,
        "in_n": int(group.sum()),
        "out": float(hit[~group].mean()) if (~group).any() else 0.0,
        "out_n": int((~group).sum()),
    }


def _thin(world: World) -> dict:
    """Per customer who viewed a product page: did they call with product_info about it; per
    delivered order line: was it returned as not_as_described. `in` = thin products."""
    clicks, visits, log = world.clicks, world.sessions, world.log
    views = clicks.filter((pl.col("event") == E["page_view"]) & (pl.col("product") >= 0))
    views = (
        views.select(
            customer=pl.Series(visits["customer"].to_numpy()[views["session"].to_numpy()]), product="product"
        )
        .filter(pl.col("customer") >= 0)
        .unique(maintain_order=True)
    )
    called = (
        log.filter((pl.col("reason") == INFO) & ~pl.col("repeat"))
        .select("customer", "product")
        .unique(maintain_order=True)
        .with_columns(called=pl.lit(True))
    )
    viewers = views.join(called, on=["customer", "product"], how="left", maintain_order="left")
    thin = world.products["thin"].to_numpy()
    lines = world.book.lines.join(
        world.book.orders.select("order", "delivered"), on="order", how="left", maintain_order="left"
    ).filter(pl.col("delivered") >= 0)
    nad = RETURN_REASONS.index("not_as_described")
    return {
        "product_info_call_per_viewer": _share(
            viewers["called"].fill_null(False).to_numpy(), thin[viewers["product"].to_numpy()]
        ),
        "not_as_described_per_delivered_line": _share(
            (lines["reason"] == nad).to_numpy(), thin[lines["product"].to_numpy()]
        ),
    }


def _late(world: World) -> dict:
    """order_status calls (repeats included) per shipped order: `in` = placed in the window."""
    o = world.book.orders.filter((pl.col("channel") != STORE) & (pl.col("cancelled") < 0))
    per_order = world.log.filter(pl.col("reason") == STATUS).group_by("order").len()
    counts = o.join(per_order, on="order", how="left", maintain_order="left")["len"].fill_null(0).to_numpy()
    late = o["late"].to_numpy()
    return {
        "order_status_calls_per_order": {
            "in": float(counts[late].mean()) if late.any() else 0.0,
            "in_n": int(late.sum()),
            "out": float(counts[~late].mean()) if (~late).any() else 0.0,
            "out_n": int((~late).sum()),
        },
        "late_orders": int(late.sum()),
    }


def _ivr(scn: SampleSettings, world: World) -> dict:
    """Transfers among order_status calls: `in` = from the IVR change on."""
    status = world.log.filter(pl.col("reason") == STATUS)
    after = (status["started"] >= epoch(scn.ivr_change)).to_numpy()
    general = [i for i, (p, _) in enumerate(PATHS) if p == "main>general"][0]
    return {
        "transferred_share_of_order_status_calls": _share(
            (status["outcome"] == TRANSFERRED).to_numpy(), after
        ),
        "routed_main_general_share": _share((status["path"] == general).to_numpy(), after),
    }


def _repeats(world: World) -> dict:
    """Calls followed by another on the same matter: `in` = transferred calls."""
    log = world.log.sort("matter", "started", maintain_order=True)
    followed = (log["matter"].shift(-1) == log["matter"]).fill_null(False).to_numpy()
    return {
        "repeat_calls": int(log["repeat"].sum()),
        "rule": "a repeat call comes 0.15-3 days after the previous call on the same matter "
        "(after an abandoned call: within a day)",
        "followed_by_repeat": _share(followed, (log["outcome"] == TRANSFERRED).to_numpy()),
    }


def _journeys(scn: SampleSettings, world: World) -> dict:
    """How many of each kind of journey and event the period holds."""
    it, o, li = world.trips.intents, world.book.orders, world.book.lines
    t_end = epoch(scn.end)
    return {
        "journeys": it.height,
        "abandoned_carts": int((it["outcome"] == CART_ABANDONED).sum()),
        "orders": o.height,
        "orders_by_channel": {
            c: int((o["channel"] == k).sum()) for c, k in (("web", WEB), ("phone", PHONE), ("store", STORE))
        },
        "order_lines": li.height,
        "cancelled_orders": int(((o["cancelled"] >= 0) & (o["cancelled"] < t_end)).sum()),
        "return_requests": int(((li["requested"] >= 0) & (li["requested"] < t_end)).sum()),
        "exchanges": int(((li["resolved"] >= 0) & (li["resolved"] < t_end) & li["exchanged"]).sum()),
        "refunds": int(((li["resolved"] >= 0) & (li["resolved"] < t_end) & ~li["exchanged"]).sum()),
        "calls": world.log.height,
        "web_sessions": world.sessions.height,
        "product_info_calls": int((world.log["reason"] == INFO).sum()),
    }
