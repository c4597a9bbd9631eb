"""Counts computed where the data lives: one GROUP BY per window × positive range × set of
segment dimensions, bucketing answers into periods with a CASE over period boundaries.

Rows never come into Python; only one row of additive counts per measurement point × period ×
segment does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, and_, case, func, select

from cxgov.evaluate.periods import Period, periods, window_key
from cxgov.model import KpiType, MeasurementPoint, Program
from cxgov.stats import Counts
from cxgov.store.tables import FEEDBACK, KPI_VALUES

SegmentKey = tuple[tuple[str, str], ...]
"""Sorted (dimension, value) pairs; () is the whole measurement point."""


@dataclass(frozen=True, slots=True)
class Cell:
    point: str
    period: Period
    segment: SegmentKey


@dataclass(frozen=True, slots=True)
class PeriodValue:
    """A business KPI value delivered for a period."""

    value: float
    n: int | None


@dataclass
class Aggregates:
    counts: dict[Cell, Counts]
    values: dict[Cell, PeriodValue]
    first_data: dict[str, dt.date]
    """Local date of each measurement point's first record (or first KPI value)."""
    series: dict[str, list[Period]]
    """Periods evaluated per measurement point, oldest first."""


def segment_key(segment: dict[str, str]) -> SegmentKey:
    return tuple(sorted(segment.items()))


def _dimension_sets(program: Program, point: MeasurementPoint) -> set[tuple[str, ...]]:
    sets: set[tuple[str, ...]] = {()}
    sets |= {(dimension,) for dimension in point.segments}
    sets |= {
        tuple(sorted(o.segment)) for o in program.objectives if o.measurement_point == point.id
    }
    return sets


def _local_date(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    return moment.replace(tzinfo=dt.UTC).astimezone(zone).date()


def aggregate(
    connection: Connection, program: Program, as_of: dt.date, since: dt.date | None = None
) -> Aggregates:
    zone = ZoneInfo(program.program.timezone)
    kpis = {k.id: k for k in program.kpis}
    program_id = program.program.id
    end_of_as_of = Period(as_of, as_of, False).utc_bounds(zone)[1]
    f = FEEDBACK
    first_rows = connection.execute(
        select(f.c.measurement_point, func.min(f.c.collected_at))
        .where(f.c.program == program_id, f.c.collected_at < end_of_as_of)
        .group_by(f.c.measurement_point)
    ).all()
    first_data = {point: _local_date(moment, zone) for point, moment in first_rows}
    value_points = [p for p in program.measurement_points if kpis[p.kpi].type is KpiType.VALUE]
    values, value_first = _period_values(connection, program, value_points, as_of)
    first_data.update(value_first)
    series: dict[str, list[Period]] = {}
    for point in program.measurement_points:
        first = first_data.get(point.id)
        if first is None:
            continue
        start = max(first, since) if since else first
        series[point.id] = periods(point.window, start, as_of)

    groups: dict[tuple[str, tuple[float, float] | None, tuple[str, ...]], list[MeasurementPoint]]
    groups = defaultdict(list)
    for point in program.measurement_points:
        kpi = kpis[point.kpi]
        if kpi.type is KpiType.VALUE or point.id not in series:
            continue
        for dimensions in _dimension_sets(program, point):
            key = (window_key(point.window), kpi.effective_positive, dimensions)
            groups[key].append(point)
    counts: dict[Cell, Counts] = {}
    for (_, positive, dimensions), points in sorted(groups.items(), key=lambda g: repr(g[0])):
        counts.update(
            _group_counts(connection, program_id, points, positive, dimensions, series, zone)
        )
    return Aggregates(counts, values, first_data, series)


def _group_counts(
    connection: Connection,
    program_id: str,
    points: list[MeasurementPoint],
    positive: tuple[float, float] | None,
    dimensions: tuple[str, ...],
    series: dict[str, list[Period]],
    zone: ZoneInfo,
) -> dict[Cell, Counts]:
    f = FEEDBACK
    # all points in a group share a window; the longest series covers every point's periods
    timeline = max((series[p.id] for p in points), key=len)
    bounds = [p.utc_bounds(zone) for p in timeline]
    bucket = case(*((f.c.collected_at < end, i) for i, (_, end) in enumerate(bounds)), else_=-1)
    answered = f.c.not_applicable.is_(False)

    def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.sum(case((and_(answered, condition), 1), else_=0))

    value = f.c.value
    positives = count_if(value.between(*positive)) if positive else func.sum(0)
    dimension_columns = [
        f.c.segments[d].as_string().label(f"d{i}") for i, d in enumerate(dimensions)
    ]
    statement = (
        select(
            f.c.measurement_point,
            bucket.label("bucket"),
            *dimension_columns,
            count_if(value.is_not(None)),
            count_if(value >= 9),
            count_if(and_(value >= 7, value < 9)),
            count_if(value < 7),
            positives,
            func.sum(case((answered, value), else_=0.0)),
            func.sum(case((answered, value * value), else_=0.0)),
        )
        .where(
            f.c.program == program_id,
            f.c.measurement_point.in_([p.id for p in points]),
            f.c.collected_at >= bounds[0][0],
            f.c.collected_at < bounds[-1][1],
        )
        .group_by(f.c.measurement_point, bucket, *dimension_columns)
    )
    found: dict[Cell, Counts] = {}
    for row in connection.execute(statement):
        point, index = row[0], row[1]
        if index < 0:
            continue
        labels = row[2 : 2 + len(dimensions)]
        if any(label is None for label in labels):
            continue  # answers without this dimension belong to no segment of it
        n, promoters, passives, detractors, pos, total, sumsq = row[2 + len(dimensions) :]
        cell = Cell(point, timeline[index], tuple(zip(dimensions, labels, strict=True)))
        found[cell] = Counts(
            int(n or 0),
            int(promoters or 0),
            int(passives or 0),
            int(detractors or 0),
            int(pos or 0),
            float(total or 0.0),
            float(sumsq or 0.0),
        )
    return found


def _period_values(
    connection: Connection, program: Program, points: Iterable[MeasurementPoint], as_of: dt.date
) -> tuple[dict[Cell, PeriodValue], dict[str, dt.date]]:
    by_kpi: dict[str, list[MeasurementPoint]] = defaultdict(list)
    for point in points:
        by_kpi[point.kpi].append(point)
    if not by_kpi:
        return {}, {}
    k = KPI_VALUES
    rows = connection.execute(
        select(k.c.kpi, k.c.period_start, k.c.period_end, k.c.segment, k.c.value, k.c.n).where(
            k.c.program == program.program.id,
            k.c.kpi.in_(list(by_kpi)),
            k.c.period_start <= as_of,
        )
    ).all()
    values: dict[Cell, PeriodValue] = {}
    first: dict[str, dt.date] = {}
    for kpi, start, end, segment, value, n in rows:
        for point in by_kpi[kpi]:
            complete = end < as_of
            values[Cell(point.id, Period(start, end, complete), segment_key(segment or {}))] = (
                PeriodValue(float(value), n)
            )
            first[point.id] = min(first.get(point.id, start), start)
    return values, first
