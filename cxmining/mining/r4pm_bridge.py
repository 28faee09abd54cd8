"""Everything cxmining asks of r4pm (Rust process mining), behind one module: optimal alignments, with the limits
r4pm does not check itself.

r4pm's alignments (`align_variants`) run the same search problem as pm4py's under pm4py's standard costs, on
every core, many times faster. It has limits it does not report: at most 255 tokens per place and 65,535 events
per trace (beyond them counters wrap and costs are silently wrong), costs in 32 bits, one final marking, and a bound
on the states searched per trace rather than a time limit. `net_refusal` checks the net once (a place-invariant
bound on its tokens) and `rust_alignments` each trace; whatever r4pm cannot take, or gives up on, comes back as None
for the caller to hand to pm4py (docs/conformance.md).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import r4pm
from r4pm import bindings
from scipy.optimize import linprog

from cxmining.mining.pm4py_bridge import (
    LOG_MOVE_COST,
    MODEL_MOVE_COST,
    SILENT_MOVE_COST,
    Marking,
    PetriNet,
    VariantAlignment,
    alignment_fitness,
    canonical_order,
)

TOKEN_LIMIT = 255  # r4pm's TokenCount::MAX: more tokens in one place wrap
EVENT_LIMIT = 65_535  # r4pm's trace index: longer traces wrap
COST_LIMIT = 2**32 - 1  # r4pm's costs are u32
COSTS = {"log_move_cost": LOG_MOVE_COST, "model_move_cost": MODEL_MOVE_COST,
         "silent_move_cost": SILENT_MOVE_COST, "sync_move_cost": 0}
CASE, ACTIVITY, TIMESTAMP = "case:concept:name", "concept:name", "time:timestamp"


@dataclass(frozen=True)
class RustNet:
    """A pm4py net as r4pm takes it, with what is needed to read r4pm's answers back."""

    net: dict  # r4pm's JSON-like Petri net, nodes in cxmining's canonical order (ids that sort in that order)
    labels: dict[str, str | None]  # transition id -> label (None: silent)
    token_bound: int | None  # most tokens any place can hold (a place-invariant bound); None: no bound found
    worst_model_cost: int  # cost of aligning the empty trace: the model's part of every trace's worst cost


def _node_id(kind: int, index: int) -> str:
    """A UUID (r4pm wants UUIDs) whose text sorts like `index`: r4pm then meets the nodes in canonical order."""
    return f"{kind:08x}-0000-4000-8000-{index:012x}"


def token_bound(net: PetriNet, im: Marking) -> int | None:
    """An upper bound on the tokens any place of the net holds in any marking reachable from `im`, or None.

    A place invariant y >= 1 (y . C = 0 for the incidence matrix C) keeps y . M equal to y . im in every reachable
    marking M, so no place p holds more than (y . im) / y_p. The invariant is found by a linear program; a net no
    such invariant covers (it may be unbounded) gets None.
    """
    places, transitions = list(net.places), list(net.transitions)
    row = {p: i for i, p in enumerate(places)}
    column = {t: j for j, t in enumerate(transitions)}
    incidence = np.zeros((len(places), len(transitions)))
    for arc in net.arcs:
        if arc.source in row:
            incidence[row[arc.source], column[arc.target]] -= arc.weight
        else:
            incidence[row[arc.target], column[arc.source]] += arc.weight
    if not places:
        return 0
    found = linprog(np.ones(len(places)), A_eq=incidence.T, b_eq=np.zeros(len(transitions)),
                    bounds=[(1, None)] * len(places), method="highs")
    if not found.success:
        return None
    y = found.x
    weighted = sum(y[row[p]] * n for p, n in im.items())
    return int(np.floor(max(weighted / y[i] for i in range(len(places))) + 1e-6))


def rust_net(net: PetriNet, im: Marking, fm: Marking) -> RustNet:
    """`net` with its markings as r4pm's Petri net; places and transitions in `canonical_order`, so r4pm breaks ties
    between equally good alignments the way cxmining's pm4py search does."""
    ordered = canonical_order(net)
    place = {p: _node_id(0, i) for i, p in enumerate(ordered.places)}
    transition = {t: _node_id(1, i) for i, t in enumerate(ordered.transitions)}
    arcs = [
        {"from_to": {"type": "PlaceTransition", "nodes": [place[a.source], transition[a.target]]}, "weight": a.weight}
        if a.source in place else
        {"from_to": {"type": "TransitionPlace", "nodes": [transition[a.source], place[a.target]]}, "weight": a.weight}
        for a in sorted(ordered.arcs, key=lambda a: (place.get(a.source) or transition[a.source],
                                                     place.get(a.target) or transition[a.target]))
    ]
    labels = {transition[t]: t.label for t in ordered.transitions}
    as_r4pm = {
        "places": {i: {"id": i} for i in place.values()},
        "transitions": {i: {"id": i, "label": label} for i, label in labels.items()},
        "arcs": arcs,
        "initial_marking": {place[p]: int(n) for p, n in im.items()},
        "final_markings": [{place[p]: int(n) for p, n in fm.items()}],
    }
    empty = bindings.align_empty_trace(as_r4pm, {"cost_fn": COSTS})
    return RustNet(as_r4pm, labels, token_bound(net, im), int(empty["cost"]))


def net_refusal(net: RustNet) -> str | None:
    """Why r4pm cannot align on this net at all (None: it can): a net whose places may hold more than 255 tokens."""
    if net.token_bound is None:
        return "no place invariant bounds the net's tokens (r4pm counts at most 255 per place)"
    if net.token_bound > TOKEN_LIMIT:
        return f"a place may hold up to {net.token_bound} tokens (r4pm counts at most {TOKEN_LIMIT})"
    return None


def trace_fits_limits(activities: Sequence[str], net: RustNet) -> bool:
    """Whether r4pm can align this trace exactly: at most 65,535 events and a worst cost within 32 bits."""
    return len(activities) <= EVENT_LIMIT and LOG_MOVE_COST * len(activities) + net.worst_model_cost <= COST_LIMIT


def _moves(found: dict, trace: Sequence[str], labels: dict[str, str | None]) -> list[tuple[str | None, str | None]]:
    """r4pm's moves as cxmining's (log activity, model label) pairs, silent model moves left out."""
    moves = []
    for move in found["moves"]:
        ((kind, body),) = move.items()
        if kind == "SyncMove":
            moves.append((trace[body["trace_event_index"]], labels[body["transition"]]))
        elif kind == "LogMove":
            moves.append((trace[body["trace_event_index"]], None))
        elif labels[body["transition"]] is not None:
            moves.append((None, labels[body["transition"]]))
    return moves


def _projection(variants: Sequence[tuple[str, ...]]) -> str:
    """r4pm's activity projection of a log with one case per variant (a registry id; remove it when done)."""
    lengths = [len(v) for v in variants]
    frame = pl.DataFrame({
        CASE: np.repeat(np.arange(len(variants)), lengths).astype(str),
        ACTIVITY: [a for v in variants for a in v],
        TIMESTAMP: pl.Series(np.arange(sum(lengths)), dtype=pl.Int64).cast(pl.Datetime("ms", "UTC")),
    })
    log = r4pm.import_item_from_df("EventLog", frame)
    try:
        return bindings.log_to_activity_projection(log)
    finally:
        r4pm.remove_item(log)


def rust_alignments(
    variants: Sequence[tuple[str, ...]], net: RustNet, max_states: int
) -> list[tuple[VariantAlignment | None, int | None]]:
    """r4pm's optimal alignment of each (non-empty, distinct) variant under pm4py's standard costs, with the states it
    visited; (None, None) where the variant is beyond r4pm's limits and (None, states) where it visited `max_states`
    states without finishing: those are for pm4py.

    Costs, worst costs and fitness are computed the way pm4py computes them (`pm4py_bridge.variant_alignments`). r4pm
    aligns the variants on all cores at once, so each variant's seconds are its share of the call's time.
    """
    if net_refusal(net):
        return [(None, None)] * len(variants)
    taken = [v for v in variants if v and trace_fits_limits(v, net)]
    results: dict[tuple[str, ...], dict] = {}
    began = time.perf_counter()
    if taken:
        projection = _projection(taken)
        try:
            for found in bindings.align_variants(net.net, projection, {"cost_fn": COSTS, "max_states": max_states}):
                results[tuple(found["activities"])] = found["result"]
        finally:
            r4pm.remove_item(projection)
    each = (time.perf_counter() - began) / max(len(taken), 1)
    out: list[tuple[VariantAlignment | None, int | None]] = []
    for variant in variants:
        result = results.get(tuple(variant))
        if result is None:
            out.append((None, None))
            continue
        if "Err" in result:
            if result["Err"] != {"SearchError": "LimitReached"}:
                raise RuntimeError(f"r4pm could not align a variant: {result['Err']}")
            out.append((None, max_states))
            continue
        found = result["Ok"]
        worst_cost = LOG_MOVE_COST * len(variant) + net.worst_model_cost
        alignment = VariantAlignment(alignment_fitness(found["cost"], worst_cost), int(found["cost"]), int(worst_cost),
                                     _moves(found, variant, net.labels), False, each)
        out.append((alignment, int(found["states_visited"])))
    return out
