"""How far a long step is: a line in the run's log now and then, and a bar in a terminal for whoever listens.

A step that takes long (the night itself, loading files, aligning variants, replaying prefixes, simulating) opens a
`tracked` task and advances it. Each advance is passed to the listeners (`listening`: the CLI draws rich progress
bars with it) and, at most every LINE_SECONDS and once at the end, written as one line to the logger
`cxmining.progress`, which the nightly flow shows in its Prefect log: "alignments: 5,000 of 25,214 variants (2 s)".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

log = logging.getLogger(__name__)
LINE_SECONDS = 10.0  # at most one log line per task this often (and one at its end)


@dataclass
class Progress:
    """One task's progress: `done` of `total` (None: not known ahead) `unit`s, and what it is at (`note`)."""

    task: str
    total: int | None
    unit: str
    done: int = 0
    note: str = ""
    finished: bool = False
    began: float = field(default_factory=time.perf_counter)
    _last_line: float = field(default_factory=time.perf_counter)
    _logged: int = 0  # `done` when the last line was written

    def advance(self, n: int = 1, note: str | None = None) -> None:
        """`n` more units done; `note` says what is under way (shown beside the bar and in the line)."""
        self.done += n
        if note is not None:
            self.note = note
        self._told(time.perf_counter() - self._last_line >= LINE_SECONDS)

    def line(self) -> str:
        """The progress as one log line."""
        counted = f"{self.done:,}" + ("" if self.total is None else f" of {self.total:,}")
        note = f", {self.note}" if self.note else ""
        return f"{self.task}: {counted} {self.unit}{note} ({time.perf_counter() - self.began:.0f} s)"

    def _told(self, line: bool) -> None:
        for listener in tuple(_listeners):
            listener(self)
        if line:
            self._last_line, self._logged = time.perf_counter(), self.done
            log.info(self.line())


_listeners: list[Callable[[Progress], None]] = []


@contextmanager
def tracked(task: str, total: int | None, unit: str) -> Iterator[Progress]:
    """A task's progress for the block; its last line is written when the block ends (not when it fails)."""
    progress = Progress(task, total, unit)
    progress._told(False)
    yield progress
    progress.finished = True
    progress._told(progress.done != progress._logged)


@contextmanager
def listening(listener: Callable[[Progress], None]) -> Iterator[None]:
    """Pass every advance of every task in this process to `listener` for the block."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)
