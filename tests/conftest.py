from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import settings

from cxgov.clock import NOW_ENV
from tests.clock import NOW

pytest_plugins = ["tests.local_servers"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"

# CI tries the same generated examples on every run, so that a submission is judged on its
# own change and not on the day's draw; developers' runs keep exploring new examples (and a
# failure they find becomes an @example).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

WALL_CLOCK_ENV = "CXGOV_TEST_WALL_CLOCK"
"""An ISO datetime: the whole run sees the wall clock moved there (ticking), to prove that no
test and no code path under test depends on the day the suite runs (`.ci/run` uses it)."""
_traveller = pytest.StashKey[object]()


def pytest_configure(config: pytest.Config) -> None:
    shifted = os.environ.get(WALL_CLOCK_ENV)
    if not shifted:
        return
    import time_machine

    destination = dt.datetime.fromisoformat(shifted)
    if destination.tzinfo is None:
        raise pytest.UsageError(f"{WALL_CLOCK_ENV}={shifted}: give a UTC offset")
    traveller = time_machine.travel(destination, tick=True)
    traveller.start()
    config.stash[_traveller] = traveller


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_traveller, None)
    if traveller is not None:
        traveller.stop()  # type: ignore[attr-defined]


def pytest_report_header(config: pytest.Config) -> str:
    shifted = os.environ.get(WALL_CLOCK_ENV)
    wall = f"; the wall clock is moved to {shifted}" if shifted else ""
    return f"cxgov: tests pin now at {NOW.isoformat()} ({NOW_ENV}){wall}"


@pytest.fixture(autouse=True)
def pinned_now(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """Every command a test runs, in process or as a subprocess, sees the tests' "now"."""
    monkeypatch.setenv(NOW_ENV, NOW.isoformat())
    return NOW


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, so relative paths are as a user types them."""
    monkeypatch.chdir(ROOT)
    return ROOT
