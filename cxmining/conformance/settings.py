"""How conformance is checked: the defaults of the nightly flow, the CLI and the library, in one place.

A module of its own, light to import (no pm4py), so the CLI can show the defaults without loading the aligners.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Method = Literal["alignments", "token_replay"]


@dataclass(frozen=True)
class ConformanceSettings:
    """How conformance is checked."""

    method: Method = "alignments"  # exact alignments with typed deviations, or token_replay (fast, no deviations)
    variant_timeout_s: float = 5.0  # seconds one variant may take to align before it is marked timed out
    precision: bool = True  # precision replays every variant on every run (it is not cached)
