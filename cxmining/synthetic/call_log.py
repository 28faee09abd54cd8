"""The call log as the telephony system and agents record it: numbers, ids filled in or not, notes."""

from __future__ import annotations

import numpy as np
import polars as pl

from cxmining.ingest.contract import CALL_OUTCOMES, REASON_CODES
from cxmining.synthetic.calls import ABANDONED, PATHS, TEAMS, R
from cxmining.synthetic.clock import day_index, epoch, iso_amsterdam
from cxmining.synthetic.codes import named
from cxmining.synthetic.customers import UNKNOWN_DIGITS, customer_id
from cxmining.synthetic.notes import note_templates, notes
from cxmining.synthetic.orders import order_id
from cxmining.synthetic.phones import CALLER_SHARES, NOTATIONS, phone_number
from cxmining.synthetic.settings import SampleSettings

# Share of answered calls in which the agent records the product / order concerned, per reason code.
RECORDED = {  # reason: (product, order)
    "product_info": (0.0, 0.0),  # product: Effects.product_id_recorded / thin_product_id_recorded
    "order_status": (0.1, 0.7),
    "delivery_problem": (0.3, 0.8),
    "return_request": (0.6, 0.85),
    "new_order": (1.0, 1.0),
    "payment": (0.0, 0.6),
    "account": (0.0, 0.0),
    "complaint": (0.4, 0.5),
    "other": (0.0, 0.0),
}
PRODUCT_RECORDED, ORDER_RECORDED = np.array([RECORDED[code] for code in REASON_CODES]).T


def call_rows(scn: SampleSettings, log: pl.DataFrame, people: pl.DataFrame, products: pl.DataFrame) -> pl.DataFrame:
    """Calls in contract columns (all text, times in Amsterdam clock time) plus their `day`."""
    rng, eff, n = scn.rng("call-rows"), scn.effects, log.height
    reason, outcome = log["reason"].to_numpy(), log["outcome"].to_numpy()
    customer, product, order = (log[c].to_numpy() for c in ("customer", "product", "order"))
    answered = outcome != ABANDONED
    caller = rng.random(n)  # below 0.06: number withheld; below 0.11: a number we do not know
    own = people["digits"].to_numpy()[customer]
    digits = np.where(
        caller < 0.11, UNKNOWN_DIGITS[0] + rng.integers(0, UNKNOWN_DIGITS[1] - UNKNOWN_DIGITS[0], n), own
    )
    known = np.maximum(product, 0)
    info_share = np.where(
        products["thin"].to_numpy()[known], eff.thin_product_id_recorded, eff.product_id_recorded
    )
    product_share = np.where(reason == R["product_info"], info_share, PRODUCT_RECORDED[reason])
    fills = np.where(reason == R["new_order"], 0.95, eff.agent_fills_customer)
    frame = log.with_columns(
        digits=pl.Series(digits),
        notation=pl.Series(rng.choice(len(NOTATIONS), size=n, p=CALLER_SHARES)),
        withheld=pl.Series(caller < 0.06),
        with_customer=pl.Series(answered & (rng.random(n) < fills)),
        with_product=pl.Series(answered & (product >= 0) & (rng.random(n) < product_share)),
        with_order=pl.Series(answered & (order >= 0) & (rng.random(n) < ORDER_RECORDED[reason])),
        with_end=pl.Series(rng.random(n) >= 0.005),  # the switch sometimes loses the hang-up time
        template=pl.when(pl.Series(answered)).then(note_templates(reason, rng)),
        days=pl.Series(rng.integers(1, 6, n)).cast(pl.String),
        email=people["email"].gather(customer),
        own_phone=phone_number(pl.Series(own), pl.lit(2)),
        product_id=pl.when(pl.Series(product >= 0)).then(products["product_id"].gather(known)),
        product_name=pl.when(pl.Series(product >= 0)).then(products["name"].gather(known)),
    )
    t0 = epoch(scn.start)  # days of the written period (history rows get negative days and are not written)
    queue = named(pl.col("path"), [q for _, q in PATHS])
    an_order = pl.when(pl.col("order") >= 0).then(order_id(pl.col("order")))
    return frame.select(
        call_id=pl.concat_str(pl.lit("CL"), (pl.col("call") + 1).cast(pl.String).str.zfill(8)),
        caller_number=pl.when(~pl.col("withheld")).then(phone_number(pl.col("digits"), pl.col("notation"))),
        customer_id=pl.when("with_customer").then(customer_id(pl.col("customer"))),
        started_at=iso_amsterdam(pl.col("started")),
        ended_at=pl.when("with_end").then(iso_amsterdam(pl.col("ended"))),
        ivr_path=named(pl.col("path"), [p for p, _ in PATHS]),
        queue=queue,
        agent_team=pl.when(pl.col("outcome") == ABANDONED)
        .then(None)
        .when("overflow")
        .then(pl.lit("Overflow Team"))
        .otherwise(queue.replace_strict(TEAMS, return_dtype=pl.String)),
        reason_code=named(pl.col("reason"), REASON_CODES),
        product_id=pl.when("with_product").then(pl.col("product_id")),
        order_id=pl.when("with_order").then(an_order),
        outcome=named(pl.col("outcome"), CALL_OUTCOMES),
        notes=notes(
            pl.col("template"),
            an_order,
            pl.col("product_name"),
            pl.col("email"),
            pl.col("own_phone"),
            pl.col("days"),
        ),
        day=day_index(pl.col("started"), t0),
    )
