"""The run's own peak memory, step by step: Linux's high-water mark of the process's resident set, reset per step.

The flow's tasks run in the flow's process (DuckDB, pm4py and r4pm included), so the process's peak while a step
runs is that step's peak. Elsewhere than Linux, or where /proc cannot be read or reset, the peak is unknown (None).
"""

from __future__ import annotations

from pathlib import Path

STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


def peak_rss_mb() -> float | None:
    """The process's peak resident memory in MB since it started or since `peak_reset` (VmHWM); None: unknown."""
    try:
        for line in STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def peak_reset() -> bool:
    """Start a new peak from the memory in use now (Linux: `5` into /proc/self/clear_refs); whether it worked."""
    try:
        CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True
