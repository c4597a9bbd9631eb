"""What time it is: the one place cxgov reads the wall clock.

"Now" enters at the command line's edge (the system clock, or a pinned instant from
`CXGOV_NOW` / the hidden `--now` option) and is passed down as a `Clock`; nothing below the
edge asks the system. That makes every date-dependent path (the ingest's future check, due
dates, escalation, digests, partial periods, the demo data) reproducible: tests pin "now", and
a past night can be replayed exactly. A test in tests/test_layers.py keeps every other module
from reading the clock itself.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

Clock = Callable[[], dt.datetime]
"""Returns the current instant, timezone-aware."""

NOW_ENV = "CXGOV_NOW"

# A date alone pins midday UTC, so that the local date is that day in every zone from
# UTC-11 to UTC+11: "now is 2026-06-30" means the same day on any machine.
_DATE_ONLY_HOUR = 12


class BadNow(ValueError):
    """A pinned "now" that is not an ISO 8601 date or a datetime with an offset."""


def system_now() -> dt.datetime:
    """The wall clock, in UTC: the `Clock` of a command when nothing pins "now"."""
    return dt.datetime.now(dt.UTC)


def pinned(instant: dt.datetime) -> Clock:
    """A clock that says `instant` when it is made and then runs on in real time.

    Running on matters: a run compares when its batches finished with when it started, and
    a stopped clock would make every event of a command simultaneous. The elapsed time comes
    from the monotonic clock, which no calendar shift moves.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise BadNow(f"{instant.isoformat()} has no UTC offset")
    started = time.monotonic()

    def clock() -> dt.datetime:
        return instant + dt.timedelta(seconds=time.monotonic() - started)

    return clock


def parse_now(text: str) -> dt.datetime:
    """`2026-06-30` (midday UTC that day), `2026-06-30T23:30:00+03:00` or `...Z`.

    A datetime without an offset is refused rather than guessed: the same text means hours
    apart on a runner in UTC and on a laptop in Helsinki, and a month's end moves with it.
    """
    value = text.strip()
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return dt.datetime.combine(day, dt.time(_DATE_ONLY_HOUR), tzinfo=dt.UTC)
        instant = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadNow(
            f"{text!r} is not a date (2026-06-30) or a datetime with an offset "
            "(2026-06-30T23:30:00+03:00)"
        ) from None
    if instant.tzinfo is None:
        raise BadNow(
            f"{text!r} has no UTC offset: write it as {value}Z or with +HH:MM, so that it means "
            "the same instant on every machine"
        )
    return instant


def local_date(clock: Clock) -> dt.date:
    """Today as this machine's calendar says it, at the clock's instant (the default `--as-of`)."""
    return clock().astimezone().date()
