"""Periods: calendar weeks, months, quarters and years in the program's time zone, or rolling
windows of N days ending at the as-of date. Pure: the as-of date is an argument."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from cxgov.model import Window
from cxgov.model.measurement import CalendarPeriod


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """Days `start` .. `end` inclusive, in the program's zone."""

    start: dt.date
    end: dt.date
    complete: bool
    """A period is complete only once it has ended (its last day is before the as-of date)."""

    def utc_bounds(self, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as naive UTC instants, the form the store keeps times in."""
        return _utc(self.start, zone), _utc(self.end + dt.timedelta(days=1), zone)

    def key(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def _utc(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def window_key(window: Window) -> str:
    return window.calendar.value if window.calendar else f"rolling_{window.rolling_days}d"


def _calendar_start(day: dt.date, calendar: CalendarPeriod) -> dt.date:
    if calendar is CalendarPeriod.WEEK:
        return day - dt.timedelta(days=day.weekday())  # ISO weeks start on Monday
    if calendar is CalendarPeriod.MONTH:
        return day.replace(day=1)
    if calendar is CalendarPeriod.QUARTER:
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return dt.date(day.year, 1, 1)


def _next_start(start: dt.date, calendar: CalendarPeriod) -> dt.date:
    if calendar is CalendarPeriod.WEEK:
        return start + dt.timedelta(days=7)
    months = {CalendarPeriod.MONTH: 1, CalendarPeriod.QUARTER: 3, CalendarPeriod.YEAR: 12}[calendar]
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_containing(day: dt.date, window: Window, as_of: dt.date) -> Period:
    if window.calendar is not None:
        start = _calendar_start(day, window.calendar)
        end = _next_start(start, window.calendar) - dt.timedelta(days=1)
        return Period(start, end, end < as_of)
    assert window.rolling_days is not None
    length = window.rolling_days
    back = (as_of - day).days // length
    end = as_of - dt.timedelta(days=back * length)
    return Period(end - dt.timedelta(days=length - 1), end, end < as_of)


def periods(window: Window, first: dt.date, as_of: dt.date) -> list[Period]:
    """Every period from the one holding `first` up to the one holding `as_of`, oldest first.
    The last is partial unless it ended before the as-of date."""
    found: list[Period] = []
    current = period_containing(min(first, as_of), window, as_of)
    while current.start <= as_of:
        found.append(current)
        current = period_containing(current.end + dt.timedelta(days=1), window, as_of)
    return found


def year_before(period: Period, window: Window, as_of: dt.date) -> Period:
    start = period.start
    try:
        earlier = start.replace(year=start.year - 1)
    except ValueError:  # 29 February
        earlier = start.replace(year=start.year - 1, day=28)
    return period_containing(earlier, window, as_of)
