"""The counts query pushed down to a table source's engine: the same additive counts per
measurement point × period × segment as the store's rollups, in one statement per window.

Its innermost GROUP BY reads every answer once, grouping by point, local day and every
segment dimension in use (the local day is the only engine-specific expression, see
`dialects`); the next stage maps those days onto periods, and one branch per set of segment
dimensions adds the day cells up to the group's own segments. Only those rows come back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
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

    segment_set: int
    point: str
    period: int
    """Index into the statement's timeline."""
    labels: tuple[str, ...]
    n: int
    promoters: int
    passives: int
    detractors: int
    positives: tuple[int, ...]
    """One per positive range, in the order given."""
    total: float
    sumsq: float


def _day_bucket(day: ColumnElement[Any], timeline: Sequence[Period]) -> ColumnElement[int]:
    """The index of the period holding `day`, else -1: a CASE nested as a binary search over
    the period ends, evaluated once per day cell rather than per answer."""
    ends = [p.end for p in timeline]

    def search(low: int, high: int) -> ColumnElement[int]:
        if low == high:
            return literal(low if low < len(ends) else -1)
        middle = (low + high) // 2
        return case((day <= ends[middle], search(low, middle)), else_=search(middle + 1, high))

    starts_at = timeline[0].start
    return case((day < starts_at, literal(-1)), else_=search(0, len(ends)))


def count_statement(
    answers: Subquery,
    timeline: Sequence[Period],
    dimensions: Sequence[str],
    sets: Sequence[tuple[str, ...]],
    members: Sequence[set[str] | None],
    ranges: Sequence[tuple[float, float]],
    shifts: dict[str, float],
) -> Select[Any] | CompoundSelect[Any]:
    """The counts of `answers` per point × period of `timeline` × each segment set in `sets`
    (dimensions among `dimensions`; `members[i]` the points set i is for, None for all)."""
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
    bucketed = select(
        fine.c.point,
        _day_bucket(fine.c.local_day, timeline).label("bucket"),
        *(fine.c[f"d{i}"] for i in range(len(dimensions))),
        *(fine.c[name] for name in counted),
    ).cte("period_cells")
    width = max((len(s) for s in sets), default=0)
    branches = []
    for number, segment_set in enumerate(sets):
        labels = [bucketed.c[f"d{dimensions.index(d)}"] for d in segment_set]
        padding = [null().cast(String).label(f"l{i}") for i in range(len(segment_set), width)]
        where = [bucketed.c.bucket >= 0, *(label.is_not(None) for label in labels)]
        chosen = members[number]
        if chosen is not None:
            where.append(bucketed.c.point.in_(sorted(chosen)))
        branches.append(
            select(
                literal(number).label("segment_set"),
                bucketed.c.point,
                bucketed.c.bucket,
                *(label.label(f"l{i}") for i, label in enumerate(labels)),
                *padding,
                *(func.sum(bucketed.c[name]).label(name) for name in counted),
            )
            .where(*where)
            .group_by(bucketed.c.point, bucketed.c.bucket, *labels)
        )
    return branches[0] if len(branches) == 1 else union_all(*branches)


def read_rows(
    rows: Sequence[Sequence[Any]], sets: Sequence[tuple[str, ...]], ranges: int
) -> list[CountRow]:
    width = max((len(s) for s in sets), default=0)
    found = []
    for row in rows:
        number = int(row[0])
        at = 3 + width
        found.append(
            CountRow(
                number,
                str(row[1]),
                int(row[2]),
                tuple(str(v) for v in row[3 : 3 + len(sets[number])]),
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


def first_days_statement(answers: Subquery) -> Select[Any]:
    """Each point's first local day and newest load time among `answers`."""
    return select(
        answers.c.point, func.min(answers.c.local_day), func.max(answers.c.loaded)
    ).group_by(answers.c.point)


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
