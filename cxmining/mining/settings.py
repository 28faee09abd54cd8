"""How the process is discovered: the defaults of the nightly flow, the CLI and the library, in one place.

A module of its own, light to import (no pm4py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DiscoverySettings:
    """How the process model is discovered from the variants."""

    noise: float = 0.2  # noise threshold of the inductive miner (0: every variant, up to 1)
