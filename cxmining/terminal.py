"""Progress bars in a terminal: the tracked tasks of a run (cxmining.progress) drawn with rich while it runs.

Prefect prints the run's log through rich consoles of its own; a second console drawing bars beside them would tear
the screen. So the bars are drawn on the console of Prefect's console handler, and every such handler prints through
that one console while the bars are up: log lines scroll above the bars.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.default_styles import DEFAULT_STYLES
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.theme import Theme

from cxmining.progress import Progress as Tracked
from cxmining.progress import listening

NO_BARS = "CXMINING_NO_PROGRESS"  # set (to anything) to keep bars off in a terminal


def _prefect_consoles() -> list[logging.Handler]:
    """The handlers printing the run's log to the terminal (Prefect's console handlers), on any logger."""
    from prefect.logging.handlers import PrefectConsoleHandler

    loggers = [logging.getLogger(), *(logger for logger in logging.Logger.manager.loggerDict.values()
                                      if isinstance(logger, logging.Logger))]
    return list({id(h): h for logger in loggers for h in logger.handlers if isinstance(h, PrefectConsoleHandler)}.values())


@contextmanager
def progress_bars() -> Iterator[None]:
    """Bars for the tracked tasks during the block, when standard error is a terminal (and CXMINING_NO_PROGRESS is
    not set); else nothing: the log's progress lines say it."""
    if not sys.stderr.isatty() or os.environ.get(NO_BARS):
        yield
        return
    handlers = _prefect_consoles()
    console = handlers[0].console if handlers else Console(stderr=True)  # type: ignore[attr-defined]
    kept = [(h, h.console) for h in handlers]  # type: ignore[attr-defined]
    # Prefect's console has only its own styles (no inheritance): the bars' styles go on top of them
    console.push_theme(Theme({k: v for k, v in DEFAULT_STYLES.items() if k.startswith(("bar.", "progress."))}))
    bars = Progress(TextColumn("{task.description}"), BarColumn(bar_width=24), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("{task.fields[note]}"), console=console, transient=True)
    shown: dict[str, TaskID] = {}

    def draw(tracked: Tracked) -> None:
        if tracked.task not in shown:
            shown[tracked.task] = bars.add_task(tracked.task, total=tracked.total, note="")
        task = shown[tracked.task]
        if tracked.finished and tracked.task != "night":
            bars.remove_task(shown.pop(tracked.task))
            return
        bars.update(task, completed=tracked.done, total=tracked.total, note=f"{tracked.unit}  {tracked.note}".strip())

    for handler, _ in kept:
        handler.console = console  # type: ignore[attr-defined]
    tasks, routine = logging.getLogger("prefect.task_runs"), RoutineTaskStates()
    tasks.addFilter(routine)  # the bars say what is done: no line per finished task beside them
    try:
        with bars, listening(draw):
            yield
    finally:
        tasks.removeFilter(routine)
        console.pop_theme()
        for handler, own in kept:
            handler.console = own  # type: ignore[attr-defined]


class RoutineTaskStates(logging.Filter):
    """Drops Prefect's line for each task run that finished as it should ("Finished in state Completed()"): under
    the bars it only pushes the tasks' own lines (what each loaded, built or found) off the screen. Other states
    (failed, crashed, retrying) and every task's own lines pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "Finished in state Completed()"


class _ExplainedFailures(logging.Filter):
    """Drops the traceback from log records of a failure cxmining explains itself (a `CxminingError`: a refused file,
    a broken check): its one-line message says what is wrong and where, the traceback only buries it."""

    def filter(self, record: logging.LogRecord) -> bool:
        from cxmining.errors import CxminingError

        if record.exc_info and isinstance(record.exc_info[1], CxminingError):
            record.exc_info, record.exc_text = None, None
        return True


@contextmanager
def explained_failures_without_traceback() -> Iterator[None]:
    """During the block, Prefect's flow and task run logs give an explained failure as its message alone (other
    errors keep their traceback; CXMINING_DEBUG=1 keeps them all)."""
    if os.environ.get("CXMINING_DEBUG"):
        yield
        return
    loggers = [logging.getLogger(name) for name in ("prefect.flow_runs", "prefect.task_runs")]
    quiet = _ExplainedFailures()
    for logger in loggers:
        logger.addFilter(quiet)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(quiet)
