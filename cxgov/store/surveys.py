"""Surveys per customer, counted in the database for survey fatigue: a survey is one
questionnaire (one response id of one source) of a known customer, on the instant of its
first answer. What leaves the database is one row per customer or a histogram, never the
answers."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, and_, case, func, or_, select

from cxgov.store.tables import FEEDBACK

Bounds = tuple[dt.datetime, dt.datetime]
"""[start, end) in UTC, naive, as the store keeps times."""


def _known(program: str, points: Sequence[str], before: dt.datetime) -> list[ColumnElement[bool]]:
    f = FEEDBACK
    return [
        f.c.program == program,
        f.c.customer_key.is_not(None),
        f.c.measurement_point.in_(sorted(points)),
        f.c.collected_at < before,
    ]


def _surveys(program: str, points: Sequence[str], before: dt.datetime):  # type: ignore[no-untyped-def]
    f = FEEDBACK
    return (
        select(f.c.customer_key.label("customer"), func.min(f.c.collected_at).label("first"))
        .where(*_known(program, points, before))
        .group_by(f.c.customer_key, f.c.source, f.c.response_id)
        .subquery("surveys")
    )


@dataclass(frozen=True)
class SurveysInWindows:
    customers: int
    """Customers with any survey before the end."""
    histograms: tuple[Counter[int], ...]
    """Per window: surveys in it → how many customers got that many (customers with none
    are left out)."""


def surveys_in_windows(
    connection: Connection,
    program: str,
    points: Sequence[str],
    before: dt.datetime,
    windows: Sequence[Bounds],
) -> SurveysInWindows:
    """Per customer, the surveys (at `points`, first answered before `before`) starting in
    each window, added up into one histogram per window."""
    if not points:
        return SurveysInWindows(0, tuple(Counter() for _ in windows))
    s = _surveys(program, points, before)
    columns = [
        func.sum(case((and_(s.c.first >= start, s.c.first < end), 1), else_=0))
        for start, end in windows
    ]
    histograms: list[Counter[int]] = [Counter() for _ in windows]
    customers = 0
    for row in connection.execute(select(s.c.customer, *columns).group_by(s.c.customer)):
        customers += 1
        for index, n in enumerate(row[1:]):
            if n:
                histograms[index][int(n)] += 1
    return SurveysInWindows(customers, tuple(histograms))


def journeys_over(
    connection: Connection,
    program: str,
    points: Sequence[str],
    journey_of: Mapping[str, str],
    before: dt.datetime,
    window: Bounds,
    limit: int,
) -> dict[str, tuple[int, int]]:
    """Per journey: the customers answering at its points in `window`, and how many of them
    got more than `limit` surveys (at any of `points`, starting in the window)."""
    if not journey_of:
        return {}
    f = FEEDBACK
    start, end = window
    s = _surveys(program, points, before)
    over = (
        select(s.c.customer)
        .where(s.c.first >= start, s.c.first < end)
        .group_by(s.c.customer)
        .having(func.count() > limit)
        .subquery("over")
    )
    journey = case(
        *((f.c.measurement_point == point, j) for point, j in sorted(journey_of.items())),
        else_=None,
    ).label("journey")
    surveyed = (
        select(journey, f.c.customer_key.label("customer"))
        .where(*_known(program, list(journey_of), end), f.c.collected_at >= start)
        .group_by(journey, f.c.customer_key)
        .subquery("surveyed")
    )
    rows = connection.execute(
        select(surveyed.c.journey, func.count(), func.count(over.c.customer))
        .select_from(surveyed.outerjoin(over, over.c.customer == surveyed.c.customer))
        .group_by(surveyed.c.journey)
    )
    return {row[0]: (int(row[1]), int(row[2])) for row in rows}


def surveys_per_point(
    connection: Connection, program: str, windows: Mapping[str, Bounds]
) -> dict[str, Counter[int]]:
    """Per measurement point: how many customers it surveyed once, twice, ... with answers
    in its own window."""
    if not windows:
        return {}
    f = FEEDBACK
    answered = (
        select(f.c.measurement_point.label("point"), f.c.customer_key.label("customer"))
        .where(
            f.c.program == program,
            f.c.customer_key.is_not(None),
            or_(
                *(
                    and_(
                        f.c.measurement_point == point,
                        f.c.collected_at >= start,
                        f.c.collected_at < end,
                    )
                    for point, (start, end) in sorted(windows.items())
                )
            ),
        )
        .group_by(f.c.measurement_point, f.c.customer_key, f.c.source, f.c.response_id)
        .subquery("answered")
    )
    per_customer = (
        select(answered.c.point, func.count().label("surveys"))
        .group_by(answered.c.point, answered.c.customer)
        .subquery("per_customer")
    )
    found: dict[str, Counter[int]] = {point: Counter() for point in windows}
    for point, surveys, customers in connection.execute(
        select(per_customer.c.point, per_customer.c.surveys, func.count()).group_by(
            per_customer.c.point, per_customer.c.surveys
        )
    ):
        found[point][int(surveys)] = int(customers)
    return found
