"""Optimal alignments of distinct variants: r4pm's Rust search first, pm4py's for what r4pm cannot take.

Both search the same problem under pm4py's standard costs, so costs, worst costs and fitness are the same whichever
engine aligned a variant; where a variant has several equally good alignments, r4pm may choose another one than
pm4py (tested on the real logs, docs/conformance.md). pm4py is the reference and takes: every variant when `aligner="pm4py"`; a net whose tokens
r4pm cannot count (no place invariant bounds them below 256); traces beyond r4pm's limits (empty, longer than
65,535 events); and variants whose search visited `max_states` states without finishing, under the time limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cxmining.conformance.settings import Aligner, ConformanceSettings
from cxmining.mining import pm4py_bridge as pm
from cxmining.mining import r4pm_bridge as rust
from cxmining.progress import tracked

BATCH = 5_000  # variants per r4pm call: progress advances by one batch


@dataclass(frozen=True)
class AlignedVariant:
    """One variant's alignment and which engine found it."""

    alignment: pm.VariantAlignment
    aligner: Aligner
    states_visited: int | None  # states r4pm searched (its bound when it gave up); None where r4pm was not asked


def optimal_alignments(
    variants: Sequence[tuple[str, ...]], net: pm.PetriNet, im: pm.Marking, fm: pm.Marking,
    max_seconds: float = ConformanceSettings.variant_timeout_s, aligner: Aligner = ConformanceSettings.aligner,
    max_states: int = ConformanceSettings.max_states,
) -> list[AlignedVariant]:
    """The optimal alignment of each variant: by r4pm where it can, by pm4py (`max_seconds` per variant) for the rest."""
    ConformanceSettings(variant_timeout_s=max_seconds, aligner=aligner, max_states=max_states)  # refuses bad settings
    if not variants:
        return []
    pm.require_final_marking_reachable(net, im, fm)
    found: list[AlignedVariant | None] = [None] * len(variants)
    states: list[int | None] = [None] * len(variants)
    if aligner == "r4pm":
        rust_net = rust.rust_net(net, im, fm)
        with tracked("alignments", len(variants), "variants through r4pm") as progress:
            for start in range(0, len(variants), BATCH):
                batch = variants[start:start + BATCH]
                for i, (alignment, visited) in enumerate(rust.rust_alignments(batch, rust_net, max_states), start=start):
                    states[i] = visited
                    if alignment is not None:
                        found[i] = AlignedVariant(alignment, "r4pm", visited)
                progress.advance(len(batch))
    rest = [i for i, done in enumerate(found) if done is None]
    if rest:
        with tracked("alignments", len(rest), f"variants through pm4py ({max_seconds:.0f} s limit each)") as progress:
            for i, alignment in zip(rest, pm.variant_alignments([variants[i] for i in rest], net, im, fm, max_seconds),
                                    strict=True):
                found[i] = AlignedVariant(alignment, "pm4py", states[i])
                progress.advance()
    return found  # type: ignore[return-value]  # every slot is filled above

