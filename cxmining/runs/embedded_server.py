"""Prefect's temporary server, started so that it dies with the run that started it.

Without a Prefect server (PREFECT_API_URL unset), Prefect starts a temporary one in a child process and stops it when
the run exits. A run killed with `kill -9` has no exit, and the child would be left running for good, holding a port
and its memory. Started here, from the main thread, the child asks the kernel to end it when its parent ends
(Linux's parent-death signal); elsewhere Prefect starts it as usual.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import subprocess
import sys
import types

PR_SET_PDEATHSIG = 1  # prctl(2)


def _ends_with_parent(parent: int) -> None:
    """Run in the child between fork and exec: the kernel sends it SIGTERM when the parent ends (even by kill -9)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the parent ended before the signal was asked for
        os._exit(0)


def embedded_server_url() -> str | None:
    """Start Prefect's temporary server tied to this process; its API URL, or None when a server is configured or
    this system has no parent-death signal (then Prefect starts its own as usual)."""
    from prefect.server.api import server as prefect_server
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value() or not sys.platform.startswith("linux"):
        return None
    # Prefect's server class calls `subprocess.Popen` of its own module: give it one that ties the child to us.
    tied = types.ModuleType("subprocess")
    tied.__dict__.update(vars(subprocess))
    tied.Popen = functools.partial(subprocess.Popen, preexec_fn=functools.partial(_ends_with_parent, os.getpid()))
    prefect_server.subprocess = tied
    server = prefect_server.SubprocessASGIServer()  # the instance every Prefect client of this process then uses
    server.start()
    return server.api_url
