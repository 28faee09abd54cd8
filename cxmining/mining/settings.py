"""How the process is discovered: the defaults of the nightly flow, the CLI and the library, in one place.

A module of its own, light to import (no pm4py).
"""

from __future__ import annotations

from dataclasses import dataclass

from cxmining.errors import CxminingError


@dataclass(frozen=True)
class DiscoverySettings:
    """How the process model is discovered from the variants."""

    noise: float = 0.2  # noise threshold of the inductive miner (0: every variant, up to 1)
    # the model is discovered again when the variants moved this far since (total variation distance, 0 to 1; 0:
    # every run): the inductive miner takes minutes on hundreds of thousands of variants, a night moves them ~2%
    rediscover_drift: float = 0.05

    def __post_init__(self) -> None:
        if not 0.0 <= self.rediscover_drift <= 1.0:
            raise CxminingError(f"rediscover_drift must be between 0 and 1, got {self.rediscover_drift!r}")
