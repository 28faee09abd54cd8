"""The sample's settings: size, period, seed, and the rates behind the planted ground truth."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import numpy as np

from cxmining.errors import CxminingError

DAY = 86_400


class SampleError(CxminingError):
    """The sample cannot be generated with these settings."""


@dataclass(frozen=True)
class Effects:
    """Rates of the simulated customer process; the planted effects are the pairs base vs. elevated."""

    intents_per_customer: float = 1.7  # product journeys a customer starts in the period
    thin_products: int = 4  # 0: a catalogue without thin descriptions (every flag is a false alarm)
    # where the thin products rank in popularity: `mixed` one among ranks 2-5 and the others mid-table; `popular` the
    # most popular ones (the top one included); `unpopular` the least popular; `one category` all in one category
    thin_placement: Literal["mixed", "popular", "unpopular", "one category"] = "mixed"
    popularity_exponent: float = 1.05  # Zipf exponent of product popularity (0: all equally popular)
    product_rate_spread: float = 0.0  # log-normal sd of each ordinary product's own call and return propensity
    product_info_call: float = 0.04  # share of journeys researched by a product_info call
    thin_product_info_multiplier: float = 7.0
    phone_person_product_info: float = 0.3  # extra for customers who prefer the phone
    product_id_recorded: float = 0.9  # agent records the product on a product_info call
    thin_product_id_recorded: float = 0.5
    not_as_described: float = 0.012  # share of delivered order lines returned for this reason
    thin_not_as_described_multiplier: float = 6.0
    late_window_days: int = 10  # 0: no late-shipping window
    late_extra_days: tuple[float, float] = (3.0, 6.0)
    order_status_calls: float = 0.12  # where-is-my-order calls per order shipped normally
    late_order_status_calls: float = 1.0  # ... per order placed in the late-shipping window
    transfer_share: float = 0.05  # order_status calls ending `transferred`
    transfer_share_after_ivr: float = 0.5
    ivr_change: bool = True  # False: order-status calls keep their IVR path all period (nothing changes)
    repeat_share: float = 0.06  # calls followed by a call on the same matter within 1-3 days
    repeat_share_after_transfer: float = 0.45
    repeat_share_late: float = 0.25  # order_status calls about a late order
    agent_fills_customer: float = 0.27  # customer_id filled in by the agent (new_order: 0.95)
    multi_line_share: float = 0.12  # web and phone orders with more than one line (other products of the category)
    max_lines: int = 2  # lines of such an order: 2 to max_lines, equally likely
    # a failing help page: extra account calls per customer, each made right after reading /help/account (0: none)
    failing_help_page_calls: float = 0.0

    def __post_init__(self) -> None:
        if self.thin_products < 0 or self.thin_products > 24:
            raise SampleError(f"thin_products must lie between 0 and 24, not {self.thin_products}")
        if self.thin_placement == "one category" and self.thin_products > 6:
            raise SampleError(f"a category has 6 products: {self.thin_products} thin products cannot share one")
        if not 0 <= self.multi_line_share <= 1 or not 2 <= self.max_lines <= 6:
            raise SampleError("multi_line_share must lie in [0, 1] and max_lines in [2, 6]")
        if self.thin_product_info_multiplier < 1 or self.thin_not_as_described_multiplier < 1:
            raise SampleError("thin multipliers must be at least 1 (1: no effect)")
        if self.failing_help_page_calls < 0:
            raise SampleError("failing_help_page_calls must not be negative")
        if self.product_rate_spread < 0 or self.popularity_exponent < 0:
            raise SampleError("product_rate_spread and popularity_exponent must not be negative")


@dataclass(frozen=True)
class SampleSettings:
    """Everything `write_sample` needs; dates are UTC calendar days, `end` is exclusive."""

    customers: int
    seed: int
    start: date
    days: int
    dirty_rate: float
    effects: Effects = field(default_factory=Effects)
    history_days: int = 0  # simulated before `start` but not written: journeys already under way when the export begins

    def __post_init__(self) -> None:
        if self.customers < 1:
            raise SampleError(f"customers must be at least 1, not {self.customers}")
        if self.days < 7:
            raise SampleError(f"days must be at least 7 (room for the planted windows), not {self.days}")
        if not 0 <= self.dirty_rate <= 0.2:
            raise SampleError(f"dirty_rate must lie between 0 and 0.2, not {self.dirty_rate}")
        if not 0 <= self.history_days <= 365:
            raise SampleError(f"history_days must lie between 0 and 365, not {self.history_days}")

    @property
    def sim_start(self) -> date:
        """First simulated day: `history_days` before the first written one."""
        return self.start - timedelta(days=self.history_days)

    @property
    def sim_days(self) -> int:
        """Simulated days, history included."""
        return self.days + self.history_days

    @property
    def end(self) -> date:
        """First day after the period."""
        return self.start + timedelta(days=self.days)

    @property
    def late_start(self) -> date:
        """First day of the late-shipping window (a quarter into the period)."""
        return self.start + timedelta(days=round(self.days * 0.25))

    @property
    def late_end(self) -> date:
        """First day after the late-shipping window."""
        length = min(self.effects.late_window_days, max(1, self.days // 6))
        return self.late_start + timedelta(days=max(length, 0))

    @property
    def ivr_change(self) -> date:
        """Day from which order-status calls go through `main>general` (60% into the period; long after the period
        when the sample has no IVR change)."""
        if not self.effects.ivr_change:
            return self.end + timedelta(days=36_500)
        return self.start + timedelta(days=round(self.days * 0.6))

    def rng(self, part: str) -> np.random.Generator:
        """A generator of its own for each part, so parts do not shift each other's draws."""
        return np.random.default_rng([self.seed, zlib.crc32(part.encode())])
