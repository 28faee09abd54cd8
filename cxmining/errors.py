"""Errors a user can act on; the CLI prints their message as one line and exits non-zero."""

from __future__ import annotations


class CxminingError(Exception):
    """Base class: the message names the file, row or setting and what is wrong."""


class StoreError(CxminingError):
    """The DuckDB store cannot be opened or is not in the expected state."""


class StoreBusy(StoreError):
    """Another process holds the store's lock (one writer at a time; a writer blocks readers of the same file)."""


class MappingError(CxminingError):
    """The column/value mapping file is unreadable or invalid."""


class LandingError(CxminingError):
    """A landing folder or file cannot be used as a whole (missing columns, unreadable file...)."""


class FileGone(LandingError):
    """A landing file listed for the run was deleted or moved before it could be read."""


class RunFailed(CxminingError):
    """A run finished, but some landing files were refused; the message says which and why."""


class ModelError(CxminingError):
    """A designed model (BPMN file, label mapping or models config) cannot be used as it is."""


class ScheduleError(CxminingError):
    """The nightly deployment's cron expression or time zone cannot be used."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message ('' when it has none): DuckDB and pm4py messages run over many lines."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""
