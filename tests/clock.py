"""The tests' "now": the one instant every test that needs the current time or a date uses.

Tests never read the wall clock. The CLI gets this instant through CXGOV_NOW (set for every
test by tests/conftest.py), the api through `clock=clock`, and a date a test needs is written
relative to it (`TODAY - dt.timedelta(days=3)`, `NOW + dt.timedelta(days=1)`), so the suite
passes on any day: CI runs it again with the wall clock moved years back and forward
(CXGOV_TEST_WALL_CLOCK) to prove it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from cxgov.clock import pinned

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
"""After every fixed date in the tests' data (so none of it is "in the future")."""
TODAY = NOW.date()


_clock = pinned(NOW)


def clock() -> dt.datetime:
    """The `Clock` the tests hand to the api: it starts at NOW and runs on, as the CLI's does."""
    return _clock()


def later(hours: float) -> Callable[[], dt.datetime]:
    """`clock` moved on by `hours`: a later run, such as one past a failed delivery's backoff."""
    return lambda: clock() + dt.timedelta(hours=hours)
