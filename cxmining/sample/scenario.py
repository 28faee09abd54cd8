"""The sample's settings: size, period, seed, and the rates behind the planted ground truth."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from cxmining.errors import CxminingError

DAY = 86_400


class SampleError(CxminingError):
    """The sample cannot be generated with these settings."""


@dataclass(frozen=True)
class Effects:
    """Rates of the simulated customer process; the planted effects are the pairs base vs. elevated."""

    intents_per_customer: float = 1.7  # product journeys a customer starts in the period
    thin_products: int = 4
    product_info_call: float = 0.04  # share of journeys researched by a product_info call
    thin_product_info_multiplier: float = 7.0
    phone_person_product_info: float = 0.3  # extra for customers who prefer the phone
    product_id_recorded: float = 0.9  # agent records the product on a product_info call
    thin_product_id_recorded: float = 0.5
    not_as_described: float = 0.012  # share of delivered order lines returned for this reason
    thin_not_as_described_multiplier: float = 6.0
    late_window_days: int = 10
    late_extra_days: tuple[float, float] = (3.0, 6.0)
    order_status_calls: float = 0.12  # where-is-my-order calls per order shipped normally
    late_order_status_calls: float = 1.0  # ... per order placed in the late-shipping window
    transfer_share: float = 0.05  # order_status calls ending `transferred`
    transfer_share_after_ivr: float = 0.5
    repeat_share: float = 0.06  # calls followed by a call on the same matter within 1-3 days
    repeat_share_after_transfer: float = 0.45
    repeat_share_late: float = 0.25  # order_status calls about a late order
    agent_fills_customer: float = 0.27  # customer_id filled in by the agent (new_order: 0.95)


@dataclass(frozen=True)
class Scenario:
    """Everything `write_sample` needs; dates are UTC calendar days, `end` is exclusive."""

    customers: int
    seed: int
    start: date
    days: int
    dirty_rate: float
    effects: Effects = field(default_factory=Effects)

    def __post_init__(self) -> None:
        if self.customers < 1:
            raise SampleError(f"customers must be at least 1, not {self.customers}")
        if self.days < 7:
            raise SampleError(f"days must be at least 7 (room for the planted windows), not {self.days}")
        if not 0 <= self.dirty_rate <= 0.2:
            raise SampleError(f"dirty_rate must lie between 0 and 0.2, not {self.dirty_rate}")

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
        return self.late_start + timedelta(days=length)

    @property
    def ivr_change(self) -> date:
        """Day from which order-status calls go through `main>general` (60% into the period)."""
        return self.start + timedelta(days=round(self.days * 0.6))

    def rng(self, part: str) -> np.random.Generator:
        """A generator of its own for each part, so parts do not shift each other's draws."""
        return np.random.default_rng([self.seed, zlib.crc32(part.encode())])
