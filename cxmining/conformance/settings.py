"""How conformance is checked: the defaults of the nightly flow, the CLI and the library, in one place.

A module of its own, light to import (no pm4py), so the CLI can show the defaults without loading the aligners.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from cxmining.errors import CxminingError

Method = Literal["alignments", "token_replay"]
Aligner = Literal["r4pm", "pm4py"]
# Variants a cluster's worker aligns in one task (`--cluster`, docs/scaling.md): a night's few thousand new variants
# make several batches a worker, so a slow batch does not hold up the rest, and each batch outlasts its task's overhead.
BATCH_VARIANTS = 200


@dataclass(frozen=True)
class ConformanceSettings:
    """How conformance is checked."""

    method: Method = "alignments"  # exact alignments with typed deviations, or token_replay (fast, no deviations)
    variant_timeout_s: float = 5.0  # seconds one variant may take in pm4py's search before it is marked timed out
    precision: bool = True  # precision replays only log prefixes not seen before with the model (precision_cache)
    aligner: Aligner = "r4pm"  # r4pm's Rust alignments (pm4py takes what r4pm cannot), or pm4py's alone (the reference)
    max_states: int = 1_000_000  # states r4pm may search for one variant before pm4py takes it over: bounds its memory
    # (about 50 bytes a state: some 60 MB per variant under search, one per core; docs/conformance.md)

    def __post_init__(self) -> None:
        """Refuse a setting the checks could not use, before the run loads anything."""
        if self.method not in get_args(Method):
            raise CxminingError(f"conformance method must be one of {', '.join(get_args(Method))}, got {self.method!r}")
        if not self.variant_timeout_s > 0:
            raise CxminingError(f"variant_timeout_s must be a positive number of seconds, got {self.variant_timeout_s!r}")
        if self.aligner not in get_args(Aligner):
            raise CxminingError(f"aligner must be one of {', '.join(get_args(Aligner))}, got {self.aligner!r}")
        if not self.max_states >= 1:
            raise CxminingError(f"max_states must be a positive number of states, got {self.max_states!r}")


def checked_batch_size(size: int) -> int:
    """`size`, or a one-line CxminingError when a batch of variants would be empty."""
    if size < 1:
        raise CxminingError(f"--conformance-batch {size}: a batch needs 1 variant or more")
    return size
