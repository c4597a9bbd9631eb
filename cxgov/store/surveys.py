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

from cxgov.store.counting import byte_order, planner_setting
from cxgov.store.tables import FEEDBACK

Bounds = tuple[dt.datetime, dt.datetime]
"""[start, end) in UTC, naive, as the store keeps times."""


def whole_table(connection: Connection, program: str) -> ColumnElement[bool]:
    """`program` matched so that SQLite scans the table: reading most answers through the
    (program, point, time) index costs a lookup per answer, several times a scan (measured on
    the benchmark store); PostgreSQL's planner chooses by itself."""
    f = FEEDBACK
    if connection.dialect.name == "sqlite":
        return f.c.program.concat("") == program
    return f.c.program == program


def _known(
    connection: Connection, program: str, points: Sequence[str], before: dt.datetime
) -> list[ColumnElement[bool]]:
    f = FEEDBACK
    return [
        whole_table(connection, program),
        f.c.customer_key.is_not(None),
        f.c.measurement_point.in_(sorted(points)),
        f.c.collected_at < before,
    ]


@dataclass(frozen=True)
class SurveysInWindows:
    customers: int
    """Customers with any survey before the end."""
    histograms: tuple[Counter[int], ...]
    """Per window: surveys in it → how many customers got that many (customers with none
    are left out)."""
    journeys: dict[str, tuple[int, int]]
    """Per journey: customers answering at its points in the first window, and how many of
    them got more than the limit of surveys there (at any of the points)."""


def surveys_in_windows(
    connection: Connection,
    program: str,
    points: Sequence[str],
    before: dt.datetime,
    windows: Sequence[Bounds],
    journeys: Mapping[str, Sequence[str]] | None = None,
    limit: int | None = None,
) -> SurveysInWindows:
    """Per customer, the surveys (at `points`, first answered before `before`) starting in
    each window, added up into one histogram per window; and per journey (its points), the
    customers answering there in the first window and those of them over `limit` there.

    One pass over the answers: surveys grouped with a flag per journey, then customers."""
    journeys = journeys or {}
    if not points:
        return SurveysInWindows(0, tuple(Counter() for _ in windows), {})
    f = FEEDBACK
    names = sorted(journeys) if windows else []
    flags = []
    if windows:
        start, end = windows[0]
        every = set(points)
        flags = [
            func.max(
                case(
                    (
                        and_(
                            # a journey with every surveyed point needs no test of the point
                            *(
                                []
                                if every <= set(journeys[name])
                                else [f.c.measurement_point.in_(sorted(journeys[name]))]
                            ),
                            f.c.collected_at >= start,
                            f.c.collected_at < end,
                        ),
                        1,
                    ),
                    else_=0,
                )
            ).label(f"j{index}")
            for index, name in enumerate(names)
        ]
    customer = byte_order(connection, f.c.customer_key)
    s = (
        select(customer.label("customer"), func.min(f.c.collected_at).label("first"), *flags)
        .where(*_known(connection, program, points, before))
        .group_by(
            customer, byte_order(connection, f.c.source), byte_order(connection, f.c.response_id)
        )
        .subquery("surveys")
    )
    columns = [
        func.sum(case((and_(s.c.first >= start, s.c.first < end), 1), else_=0))
        for start, end in windows
    ]
    journey_columns = [func.max(s.c[f"j{index}"]) for index in range(len(flags))]
    histograms: list[Counter[int]] = [Counter() for _ in windows]
    per_journey = {name: [0, 0] for name in names}
    customers = 0
    width = len(columns)
    # nearly every survey is a group of its own: PostgreSQL's hash aggregate of a million
    # of them spills to disk in dozens of batches, where sorting (in parallel workers, byte
    # order) groups the surveys and hands them on already ordered by customer: about a
    # third less time on the benchmark store
    with planner_setting(connection, "enable_hashagg", "off"):
        rows = connection.execute(
            select(s.c.customer, *columns, *journey_columns).group_by(s.c.customer)
        )
        for row in rows:
            customers += 1
            counts = row[1 : 1 + width]
            for index, n in enumerate(counts):
                if n:
                    histograms[index][int(n)] += 1
            over = limit is not None and width > 0 and int(counts[0] or 0) > limit
            for name, flag in zip(names, row[1 + width :], strict=True):
                if flag:
                    per_journey[name][0] += 1
                    per_journey[name][1] += int(over)
    return SurveysInWindows(
        customers,
        tuple(histograms),
        {name: (found, above) for name, (found, above) in per_journey.items() if found},
    )


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
