"""Counts computed where the data lives: one GROUP BY per window × positive range × set of
segment dimensions, bucketing answers into periods with a CASE over period boundaries.

Rows never come into Python; only one row of additive counts per measurement point × period ×
segment does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, and_, case, func, select

from cxgov.evaluate.periods import Period, periods, window_key
from cxgov.model import KpiType, MeasurementPoint, Program
from cxgov.stats import Counts
from cxgov.store import rollups
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
    connection: Connection,
    program: Program,
    as_of: dt.date,
    since: dt.date | None = None,
    *,
    persist: bool = False,
) -> Aggregates:
    """Counts for every measurement point × period × segment up to `as_of`. With `persist`,
    the counts of complete calendar periods are rolled up for later runs (the caller commits)."""
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
        if kpis[point.kpi].type is KpiType.VALUE:
            # a delivered value is judged for the period it was delivered for
            delivered = {c.period for c in values if c.point == point.id and c.period.end >= start}
            series[point.id] = sorted(delivered, key=lambda p: (p.start, p.end))
        else:
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
            _group_counts(
                connection, program_id, points, positive, dimensions, series, zone, persist
            )
        )
    return Aggregates(counts, values, first_data, series)


def _group_key(
    points: list[MeasurementPoint],
    positive: tuple[float, float] | None,
    dimensions: tuple[str, ...],
) -> str:
    text = json.dumps(
        [window_key(points[0].window), positive, dimensions, sorted(p.id for p in points)]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _group_counts(
    connection: Connection,
    program_id: str,
    points: list[MeasurementPoint],
    positive: tuple[float, float] | None,
    dimensions: tuple[str, ...],
    series: dict[str, list[Period]],
    zone: ZoneInfo,
    persist: bool,
) -> dict[Cell, Counts]:
    """Counts of one group: complete calendar periods come from rollups unless answers arrived
    for them since; the rest is counted in SQL (and rolled up when `persist`)."""
    # all points in a group share a window; the longest series covers every point's periods
    timeline = max((series[p.id] for p in points), key=len)
    every = set(range(len(timeline)))
    if points[0].window.calendar is None:  # rolling windows move with the as-of date
        return _count(connection, program_id, points, positive, dimensions, timeline, zone, every)
    group = _group_key(points, positive, dimensions)
    newest = rollups.latest_batch(connection, program_id)
    state = rollups.read_state(connection, program_id, group)
    complete = {i for i, p in enumerate(timeline) if p.complete}
    covered: set[int] = set()
    if state is not None and not rollups.answers_changed_since(
        connection, program_id, state.last_batch
    ):
        covered = {
            i
            for i in complete
            if state.covered_from <= timeline[i].start and timeline[i].end <= state.covered_until
        }
        if state.last_batch < newest:
            covered -= _touched(connection, program_id, points, timeline, zone, state.last_batch)
    found = _count(
        connection, program_id, points, positive, dimensions, timeline, zone, every - covered
    )
    if covered:
        first, last = min(covered), max(covered)
        for row in rollups.read_rollups(
            connection, program_id, group, timeline[first].start, timeline[last].end
        ):
            period = Period(row[1], row[2], True)
            if period in timeline and timeline.index(period) in covered:
                key = tuple((d, v) for d, v in row[3])
                found[Cell(row[0], period, key)] = Counts(*row[4:])
    if persist and complete:
        recounted = sorted(complete - covered)
        rows = [
            {
                "measurement_point": cell.point,
                "period_start": cell.period.start,
                "period_end": cell.period.end,
                "segment": [list(pair) for pair in cell.segment],
                "n": c.n,
                "promoters": c.promoters,
                "passives": c.passives,
                "detractors": c.detractors,
                "positives": c.positives,
                "total": c.total,
                "sumsq": c.sumsq,
            }
            for cell, c in found.items()
            if cell.period.complete and timeline.index(cell.period) in recounted
        ]
        spans = [(timeline[i].start, timeline[i].end) for i in recounted]
        bounds = [timeline[i] for i in sorted(complete)]
        rollups.write_rollups(
            connection,
            program_id,
            group,
            spans,
            rows,
            rollups.RollupState(newest, bounds[0].start, bounds[-1].end),
        )
    return found


def _bucket(timeline: list[Period], zone: ZoneInfo) -> ColumnElement[int]:
    bounds = [p.utc_bounds(zone) for p in timeline]
    return case(
        *((FEEDBACK.c.collected_at < end, i) for i, (_, end) in enumerate(bounds)), else_=-1
    )


def _touched(
    connection: Connection,
    program_id: str,
    points: list[MeasurementPoint],
    timeline: list[Period],
    zone: ZoneInfo,
    since_batch: int,
) -> set[int]:
    """Periods holding answers loaded after `since_batch`."""
    f = FEEDBACK
    bucket = _bucket(timeline, zone)
    rows = connection.execute(
        select(bucket)
        .distinct()
        .where(
            f.c.program == program_id,
            f.c.measurement_point.in_([p.id for p in points]),
            f.c.batch_id > since_batch,
        )
    )
    return {int(row[0]) for row in rows if row[0] is not None and row[0] >= 0}


def _count(
    connection: Connection,
    program_id: str,
    points: list[MeasurementPoint],
    positive: tuple[float, float] | None,
    dimensions: tuple[str, ...],
    timeline: list[Period],
    zone: ZoneInfo,
    indices: set[int],
) -> dict[Cell, Counts]:
    """One GROUP BY over the periods in `indices` (a CASE over the boundaries buckets rows)."""
    if not indices:
        return {}
    f = FEEDBACK
    bucket = _bucket(timeline, zone)
    answered = f.c.not_applicable.is_(False)

    def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.sum(case((and_(answered, condition), 1), else_=0))

    value = f.c.value
    positives = count_if(value.between(*positive)) if positive else func.sum(0)
    dimension_columns = [
        f.c.segments[d].as_string().label(f"d{i}") for i, d in enumerate(dimensions)
    ]
    first, last = timeline[min(indices)], timeline[max(indices)]
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
            f.c.collected_at >= first.utc_bounds(zone)[0],
            f.c.collected_at < last.utc_bounds(zone)[1],
        )
        .group_by(f.c.measurement_point, bucket, *dimension_columns)
    )
    found: dict[Cell, Counts] = {}
    for row in connection.execute(statement):
        point, index = row[0], row[1]
        if index not in indices:
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
