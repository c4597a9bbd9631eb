"""The counts query pushed down to a table source's engine: the same additive counts per
measurement point × period × segment as the store's rollups, in one statement per source.

Its innermost GROUP BY reads every answer once, grouping by point, local day and every
segment dimension in use (the local day is the only engine-specific expression, see
`dialects`); each window maps those day cells onto its periods, and one branch per window and
set of segment dimensions adds them up to the group's own segments. Only those rows come back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    Select,
    String,
    and_,
    case,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.sql.expression import Subquery

from cxgov.judgement.periods import Period


@dataclass(frozen=True)
class CountRow:
    """One row read back: a point's counts in one period and segment."""

    branch: int
    """Index into the statement's branches (one per window × set of segment dimensions)."""
    point: str
    period: Any
    """The first day of the cell's period (as the engine returns a date)."""
    labels: tuple[str, ...]
    first_day: Any
    """The earliest local day among the cell's answers (not-applicable ones too)."""
    n: int
    promoters: int
    passives: int
    detractors: int
    positives: tuple[int, ...]
    """One per positive range, in the order given."""
    total: float
    sumsq: float


@dataclass(frozen=True)
class Branch:
    """One set of segment dimensions of one window's points."""

    window: int
    dimensions: tuple[str, ...]
    points: frozenset[str] | None
    """The points this branch counts; None for every point of its window."""


@dataclass(frozen=True)
class WindowCells:
    """One window's periods and the points counted in them; `daily` when its periods are
    single days (a rolling window's days, added up into windows by cxgov)."""

    timeline: Sequence[Period]
    points: frozenset[str]
    daily: bool = False


def _period_start(day: ColumnElement[Any], window: WindowCells) -> ColumnElement[Any]:
    """The first day of the period holding `day`, else NULL: a CASE nested as a binary search
    over the period ends, evaluated once per day cell rather than per answer; a daily
    timeline's period is the day itself."""
    timeline = window.timeline
    if window.daily:
        return case((and_(day >= timeline[0].start, day <= timeline[-1].end), day), else_=null())
    ends = [p.end for p in timeline]

    def search(low: int, high: int) -> ColumnElement[Any]:
        if low == high:
            return literal(timeline[low].start, Date) if low < len(ends) else null()
        middle = (low + high) // 2
        return case((day <= ends[middle], search(low, middle)), else_=search(middle + 1, high))

    return case((day < timeline[0].start, null()), else_=search(0, len(ends)))


def count_statement(
    answers: Subquery,
    windows: Sequence[WindowCells],
    branches: Sequence[Branch],
    dimensions: Sequence[str],
    ranges: Sequence[tuple[float, float]],
    shifts: dict[str, float],
) -> Select[Any] | CompoundSelect[Any]:
    """The counts of `answers` per point × period × segment of every branch, in one
    statement: the answers are read once, into day cells shared by every window."""
    a = answers
    answered = a.c.na == 0
    value = a.c.value
    by_shift: dict[float, list[str]] = {}
    for point, shift in sorted(shifts.items()):
        if shift:
            by_shift.setdefault(shift, []).append(point)
    deviation: ColumnElement[Any] = value
    if by_shift:
        deviation = value - case(
            *((a.c.point.in_(points), shift) for shift, points in by_shift.items()), else_=0.0
        )

    def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.sum(case((and_(answered, condition), 1), else_=0))

    segment_columns = [a.c[f"d{i}"] for i in range(len(dimensions))]
    fine = (
        select(
            a.c.point,
            a.c.local_day,
            *segment_columns,
            count_if(value.is_not(None)).label("n"),
            count_if(value >= 9).label("promoters"),
            count_if(and_(value >= 7, value < 9)).label("passives"),
            count_if(value < 7).label("detractors"),
            *(count_if(value.between(*r)).label(f"p{i}") for i, r in enumerate(ranges)),
            func.sum(case((answered, deviation), else_=0.0)).label("total"),
            func.sum(case((answered, deviation * deviation), else_=0.0)).label("sumsq"),
        )
        .group_by(a.c.point, a.c.local_day, *segment_columns)
        .cte("day_cells")
    )
    counted = ["n", "promoters", "passives", "detractors"]
    counted += [f"p{i}" for i in range(len(ranges))] + ["total", "sumsq"]
    bucketed = []
    for number, window in enumerate(windows):
        only = [] if len(windows) == 1 else [fine.c.point.in_(sorted(window.points))]
        bucketed.append(
            select(
                fine.c.point,
                _period_start(fine.c.local_day, window).label("bucket"),
                fine.c.local_day,
                *(fine.c[f"d{i}"] for i in range(len(dimensions))),
                *(fine.c[name] for name in counted),
            )
            .where(*only)
            .cte(f"period_cells_{number}")
        )
    width = max((len(b.dimensions) for b in branches), default=0)
    selects = []
    for number, branch in enumerate(branches):
        cells = bucketed[branch.window]
        labels = [cells.c[f"d{dimensions.index(d)}"] for d in branch.dimensions]
        padding = [null().cast(String).label(f"l{i}") for i in range(len(labels), width)]
        where = [cells.c.bucket.is_not(None), *(label.is_not(None) for label in labels)]
        if branch.points is not None:
            where.append(cells.c.point.in_(sorted(branch.points)))
        selects.append(
            select(
                literal(number).label("branch"),
                cells.c.point,
                cells.c.bucket,
                *(label.label(f"l{i}") for i, label in enumerate(labels)),
                *padding,
                func.min(cells.c.local_day).label("first_day"),
                *(func.sum(cells.c[name]).label(name) for name in counted),
            )
            .where(*where)
            .group_by(cells.c.point, cells.c.bucket, *labels)
        )
    return selects[0] if len(selects) == 1 else union_all(*selects)


def read_rows(
    rows: Sequence[Sequence[Any]], branches: Sequence[Branch], ranges: int
) -> list[CountRow]:
    width = max((len(b.dimensions) for b in branches), default=0)
    found = []
    for row in rows:
        number = int(row[0])
        at = 4 + width
        found.append(
            CountRow(
                number,
                str(row[1]),
                row[2],
                tuple(str(v) for v in row[3 : 3 + len(branches[number].dimensions)]),
                row[3 + width],
                int(row[at] or 0),
                int(row[at + 1] or 0),
                int(row[at + 2] or 0),
                int(row[at + 3] or 0),
                tuple(int(v or 0) for v in row[at + 4 : at + 4 + ranges]),
                float(row[at + 4 + ranges] or 0.0),
                float(row[at + 5 + ranges] or 0.0),
            )
        )
    return found


def bounds_statement(timestamp: ColumnElement[Any], loaded: ColumnElement[Any]) -> Select[Any]:
    """The earliest answer time and the newest load time in the table: where a first run
    starts counting, and the watermark it leaves (an index or a block's statistics answer
    both without reading the answers)."""
    return select(func.min(timestamp), func.max(loaded))


def touched_statement(answers: Subquery) -> Select[Any]:
    """The (point, local day) pairs holding `answers` (those loaded since the watermark), with
    the newest load time of each."""
    return select(answers.c.point, answers.c.local_day, func.max(answers.c.loaded)).group_by(
        answers.c.point, answers.c.local_day
    )


def shift_statement(answers: Subquery, point: str) -> Select[Any]:
    """Any one answered value of `point`: the constant its sums are taken from."""
    return (
        select(answers.c.value)
        .where(answers.c.point == point, answers.c.value.is_not(None))
        .limit(1)
    )


def day_of(value: Any) -> dt.date:
    """A day as the engine returns it (a date, a datetime, or ISO text)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
