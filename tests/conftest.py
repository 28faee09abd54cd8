"""Test set-up: a project-local Prefect home without analytics, and the fixtures shared by many test files."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import built_sample_store

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("PREFECT_HOME", str(ROOT / ".prefect" / "tests"))
Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")


@pytest.fixture(scope="session")
def harness():
    """Prefect's test harness (a temporary embedded server, started once) for the tests that run flows."""
    from prefect.logging.configuration import setup_logging
    from prefect.testing.utilities import prefect_test_harness

    setup_logging()  # bind Prefect's console handler to pytest's session-wide stream
    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """An empty landing folder."""
    folder = tmp_path / "landing"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """`sample_store(customers, seed, days, folder)`: a private copy, in `folder`, of a fresh sample store with journeys
    and mining tables. Each distinct sample is generated and loaded once per session; tests change only their copy."""
    built: dict[tuple[int, int, int], Path] = {}

    def copy(customers: int, seed: int, days: int, folder: Path) -> Path:
        key = (customers, seed, days)
        if key not in built:
            built[key] = built_sample_store(tmp_path_factory.mktemp(f"sample-{customers}-{seed}-{days}"), *key)
        return Path(shutil.copy(built[key], folder / "store.duckdb"))

    return copy
