"""Periods are cut in the program's time zone; the one holding the as-of date is partial."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from cxgov.judgement.periods import Period, periods, year_before
from cxgov.model import Window

AS_OF = dt.date(2026, 11, 22)


def test_months_run_from_the_first_data_to_the_partial_current_month() -> None:
    found = periods(Window(calendar="month"), dt.date(2026, 1, 15), AS_OF)
    assert [p.start.month for p in found] == list(range(1, 12))
    assert found[0] == Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31), True)
    assert found[-1] == Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30), False)


def test_quarters_weeks_and_years() -> None:
    quarters = periods(Window(calendar="quarter"), dt.date(2026, 2, 1), AS_OF)
    assert next((p.start, p.end) for p in quarters) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert len(quarters) == 4 and not quarters[-1].complete
    weeks = periods(Window(calendar="week"), dt.date(2026, 11, 4), AS_OF)
    assert weeks[0].start == dt.date(2026, 11, 2) and weeks[0].start.weekday() == 0
    assert weeks[-1].end == dt.date(2026, 11, 22) and not weeks[-1].complete
    years = periods(Window(calendar="year"), dt.date(2025, 6, 1), AS_OF)
    assert [p.start.year for p in years] == [2025, 2026]


def test_rolling_windows_end_at_the_as_of_date() -> None:
    found = periods(Window(rolling_days=28), dt.date(2026, 9, 1), AS_OF)
    assert found[-1].end == AS_OF and (found[-1].end - found[-1].start).days == 27
    assert all(b.start - a.end == dt.timedelta(days=1) for a, b in itertools.pairwise(found))
    assert found[0].start <= dt.date(2026, 9, 1) <= found[0].end


def test_period_bounds_follow_the_zone_across_daylight_saving() -> None:
    zone = ZoneInfo("Europe/Helsinki")
    march = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31), True)
    start, end = march.utc_bounds(zone)
    assert start == dt.datetime(2026, 2, 28, 22, 0)  # UTC+2 in winter
    assert end == dt.datetime(2026, 3, 31, 21, 0)  # UTC+3 after the change on 29 March


def test_the_same_period_a_year_earlier() -> None:
    window = Window(calendar="month")
    current = periods(window, dt.date(2026, 11, 1), AS_OF)[-1]
    assert year_before(current, window, AS_OF) == Period(
        dt.date(2025, 11, 1), dt.date(2025, 11, 30), True
    )
