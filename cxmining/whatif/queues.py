"""The contact centre's queues: calls served first come, first served by each queue's agents, in time order.

A queue of c agents is a heap of the times its agents are next free: a call arriving at t starts at the earliest of
them or at t, whichever is later, and frees that agent when its handling ends. Taking the calls in the order they
arrive makes this exactly the first-come-first-served multi-server queue a simpy Resource models, at a heap push
per call. A repeat call joins the arrivals when the call before it ends (after its gap), so the chains of repeats
follow the waiting they meet.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from cxmining.whatif.calls import CallFates, FirstCalls


@dataclass(frozen=True)
class Served:
    """Every call that took place, in the order it arrived."""

    number: np.ndarray  # the first call of its chain
    depth: np.ndarray  # 0: a first call, d: its d-th repeat
    wait: np.ndarray  # seconds queued (0 for an abandoned call, which takes no agent)
    unresolved: np.ndarray  # bool: the last call of its chain, and abandoned


def served_calls(first: FirstCalls, fates: CallFates, agents: list[int], horizon: float) -> Served:
    """Serve the kept first calls and the repeats they bring, `agents[q]` agents on queue `fates.queues[q]`; a
    repeat that would come at or after `horizon` does not happen."""
    kept = np.flatnonzero(first.kept)
    order = kept[np.argsort(first.at[kept], kind="stable")]
    arrivals, numbers_in_order = first.at[order].tolist(), order.tolist()
    free = [[0.0] * max(1, c) for c in agents]
    levels: list[dict[int, tuple[int, bool, float, bool, float]]] = []

    def level(d: int) -> dict[int, tuple[int, bool, float, bool, float]]:
        """Call number -> (queue, abandoned, handling seconds, repeats, gap) at depth d."""
        while len(levels) <= d:
            depth = fates.depth(len(levels))
            at = depth.numbers
            levels.append(dict(zip(at.tolist(), zip(depth.queue[at].tolist(), depth.abandoned[at].tolist(),
                                                     np.nan_to_num(depth.seconds[at], nan=0.0).tolist(),
                                                     depth.repeats[at].tolist(), depth.gap[at].tolist(), strict=True),
                                   strict=True)))
        return levels[d]

    numbers, depths, waits, unresolved = [], [], [], []
    repeats: list[tuple[float, int, int, int]] = []  # (time, sequence, number, depth), a heap
    sequence, i, count = 0, 0, len(arrivals)
    push, pop, replace = heapq.heappush, heapq.heappop, heapq.heapreplace
    while i < count or repeats:
        if i < count and (not repeats or arrivals[i] <= repeats[0][0]):
            at, number, d = arrivals[i], numbers_in_order[i], 0
            i += 1
        else:
            at, _, number, d = pop(repeats)
        queue, abandoned, seconds, repeating, gap = level(d)[number]
        if abandoned:
            end, wait = at, 0.0
        else:
            agents_free = free[queue]
            start = agents_free[0] if agents_free[0] > at else at
            end = start + seconds
            replace(agents_free, end)
            wait = start - at
        numbers.append(number)
        depths.append(d)
        waits.append(wait)
        if repeating and end + gap < horizon:
            sequence += 1
            push(repeats, (end + gap, sequence, number, d + 1))
            unresolved.append(False)
        else:
            unresolved.append(abandoned)
    return Served(number=np.array(numbers, dtype=np.int64), depth=np.array(depths, dtype=np.int64),
                  wait=np.array(waits, dtype=float), unresolved=np.array(unresolved, dtype=bool))
