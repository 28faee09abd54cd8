"""The machine's cores for CPU-bound Python work (the what-if simulation): worker processes.

Workers are spawned, not forked: the nightly run's process holds DuckDB's and Prefect's threads, which a fork would
copy in whatever state they are. Each worker is given the shared argument (a model) once, then the items one by one;
results come back in the order of the items, so a split changes nothing but the time.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
_SHARED: Any = None  # the shared argument, in a worker process


def usable_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _keep(shared: Any) -> None:
    global _SHARED
    _SHARED = shared


def _call(work: tuple[Callable[[Any, Any], Any], Any]) -> Any:
    function, item = work
    return function(_SHARED, item)


class Workers:
    """Worker processes holding `shared`, started on entering and stopped on leaving (`with Workers(model) as w`);
    with fewer than two workers, the work is done in this process."""

    def __init__(self, shared: Any, workers: int | None = None) -> None:
        self.shared, self.count = shared, workers or usable_cores()
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        if self.count >= 2:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.count, mp_context=context, initializer=_keep, initargs=(self.shared,))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def map(self, function: Callable[[Any, Item], Result], items: Iterable[Item]) -> list[Result]:
        """`[function(shared, item) for item in items]`, in order; `function` must be a module-level function (it is
        pickled by name)."""
        if self._pool is None:
            return [function(self.shared, item) for item in items]
        return list(self._pool.map(_call, [(function, item) for item in items]))

