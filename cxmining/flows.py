"""The Prefect flows, wherever cxmining runs from: `pipelines/` in a checkout, bundled as `cxmining._pipelines` in a wheel.

The flows stay thin and outside the library (pipelines/: each task one library call); the wheel carries them so that
`cxmining run` works after `pip install`, while the wheel keeps a single top-level package.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import Any


def flows_module(name: str) -> ModuleType:
    """The module `name` of the flows (e.g. `nightly`): the wheel's bundled copy, else the checkout's."""
    bundled = f"cxmining._pipelines.{name}"
    return import_module(bundled if find_spec("cxmining._pipelines") else f"pipelines.{name}")


def nightly_flow() -> Any:
    """The nightly flow (pipelines/nightly.py)."""
    return flows_module("nightly").nightly
