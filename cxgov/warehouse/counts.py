"""The counts query pushed down to a table source's engine: the same additive counts per
measurement point × period × segment as the store's rollups, in one statement per source.

Its innermost GROUP BY reads every answer once, grouping by the table's own question column,
local day and every segment dimension in use (the local day is the only engine-specific
expression, see `dialects`); those day cells are mapped onto their points and their window's
periods, and one GROUP BY GROUPING SETS adds them up to every set of segment dimensions a
branch (window × set of dimensions) asks for. Only those rows come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    case,
    func,
    literal,
    null,
    select,
    tuple_,
)

from cxgov.judgement.periods import Period
from cxgov.store.counting import summed
from cxgov.warehouse.answers import Answers


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
    answers: Answers,
    windows: Sequence[WindowCells],
    branches: Sequence[Branch],
    dimensions: Sequence[str],
    ranges: Sequence[tuple[float, float]],
    shifts: dict[str, float],
) -> Select[Any]:
    """The counts of `answers` per point × period × segment of every branch, in one
    statement: the answers are read once, into day cells shared by every window."""
    a = answers.rows
    value = a.c.value  # NULL for a not-applicable answer: no condition holds, no sum takes it
    by_shift: dict[float, list[str]] = {}
    for point, shift in sorted(shifts.items()):
        if shift:
            by_shift.setdefault(shift, []).append(point)
    deviation: ColumnElement[Any] = value
    if by_shift:
        deviation = value - case(
            *(
                (a.c.question.in_(answers.questions(points)), shift)
                for shift, points in by_shift.items()
            ),
            else_=0.0,
        )

    def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        # COUNT of a CASE without ELSE, not SUM of ones and zeros: a count is a 64-bit
        # integer on every engine, where a SUM of integers is DuckDB's 128-bit HUGEINT
        return func.count(case((condition, 1)))

    segment_columns = [a.c[f"d{i}"] for i in range(len(dimensions))]
    fine = (
        select(
            a.c.question,
            a.c.local_day,
            *segment_columns,
            func.count(value).label("n"),
            count_if(value >= 9).label("promoters"),
            count_if(and_(value >= 7, value < 9)).label("passives"),
            count_if(value < 7).label("detractors"),
            *(count_if(value.between(*r)).label(f"p{i}") for i, r in enumerate(ranges)),
            func.sum(deviation).label("total"),
            func.sum(deviation * deviation).label("sumsq"),
        )
        .group_by(a.c.question, a.c.local_day, *segment_columns)
        .cte("day_cells")
    )
    counted = ["n", "promoters", "passives", "detractors"]
    counted += [f"p{i}" for i in range(len(ranges))] + ["total", "sumsq"]
    # every point belongs to one window: its periods are its window's
    bucket = (
        _period_start(fine.c.local_day, windows[0])
        if len(windows) == 1
        else case(
            *(
                (
                    fine.c.question.in_(answers.questions(w.points)),
                    _period_start(fine.c.local_day, w),
                )
                for w in windows
            ),
            else_=null(),
        )
    )
    cells = select(
        answers.point(fine.c.question).label("point"),
        bucket.label("bucket"),
        fine.c.local_day,
        *(fine.c[f"d{i}"] for i in range(len(dimensions))),
        *(fine.c[name] for name in counted),
    ).subquery("period_cells")
    labels = [cells.c[f"d{i}"] for i in range(len(dimensions))]
    # one pass over the period cells for every set of segment dimensions: GROUPING SETS
    # rather than a UNION ALL branch per set, which an engine that inlines the common table
    # expression (Spark) would answer with one scan of the table per branch
    segment_sets = sorted({branch.dimensions for branch in branches})
    # bit i set: the set leaves dimension i out (GROUPING(d_i) is 1)
    grouping: ColumnElement[Any] = literal(0)
    for i, label in enumerate(labels):
        bit = func.grouping(label) * (1 << i) if i else func.grouping(label)
        grouping = bit if i == 0 else grouping + bit
    # no WHERE: an engine may push a condition on the point or the period down through both
    # GROUP BYs to every answer (DuckDB does), where it costs a CASE per answer; read_rows
    # drops the few rows no branch asked for
    return select(
        grouping.label("ungrouped"),
        cells.c.point,
        cells.c.bucket,
        *labels,
        func.min(cells.c.local_day).label("first_day"),
        *(summed(cells.c[name], name).label(name) for name in counted),
    ).group_by(
        func.grouping_sets(
            *(
                tuple_(cells.c.point, cells.c.bucket, *(labels[dimensions.index(d)] for d in s))
                for s in segment_sets
            )
        )
    )


def read_rows(
    rows: Sequence[Sequence[Any]],
    windows: Sequence[WindowCells],
    branches: Sequence[Branch],
    dimensions: Sequence[str],
    ranges: int,
) -> list[CountRow]:
    """The rows of `count_statement` that a branch asked for: a period of its window, one of
    its points, every label of its segment dimensions present."""
    numbers = {(b.window, frozenset(b.dimensions)): i for i, b in enumerate(branches)}
    window_of = {point: i for i, w in enumerate(windows) for point in w.points}
    label_columns = [tuple(3 + dimensions.index(d) for d in b.dimensions) for b in branches]
    used_of: dict[int, frozenset[str]] = {}
    width = len(dimensions)
    at = 4 + width
    found = []
    for row in rows:
        ungrouped, point, period = int(row[0]), str(row[1]), row[2]
        used = used_of.get(ungrouped)
        if used is None:
            used = frozenset(d for i, d in enumerate(dimensions) if not ungrouped >> i & 1)
            used_of[ungrouped] = used
        number = numbers.get((window_of.get(point, -1), used))
        if period is None or number is None:
            continue
        branch = branches[number]
        labels = tuple(row[i] for i in label_columns[number])
        if (branch.points is not None and point not in branch.points) or None in labels:
            continue
        found.append(
            CountRow(
                number,
                point,
                period,
                tuple(str(label) for label in labels),
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


def touched_statement(answers: Answers) -> Select[Any]:
    """The (question, local day) pairs holding `answers` (those loaded since the watermark),
    with the newest load time of each."""
    a = answers.rows
    return select(a.c.question, a.c.local_day, func.max(a.c.loaded)).group_by(
        a.c.question, a.c.local_day
    )


def shift_statement(answers: Answers, point: str) -> Select[Any]:
    """Any one answered value of `point`: the constant its sums are taken from."""
    a = answers.rows
    return (
        select(a.c.value)
        .where(a.c.question.in_(answers.questions([point])), a.c.value.is_not(None))
        .limit(1)
    )
