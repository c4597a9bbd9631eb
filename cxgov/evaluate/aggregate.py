"""Counts computed where the data lives: one statement per window reads the answers once,
bucketing them into periods with a CASE over period boundaries and grouping them by every
segment dimension in use; its outer GROUP BYs add those cells up to each group (positive range ×
set of segment dimensions) of measurement points.

Rows never come into Python; only one row of additive counts per measurement point × period ×
segment does. Complete calendar periods are kept as rollups, so later runs recount only the
periods that received answers since.
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

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    and_,
    case,
    func,
    literal,
    null,
    select,
    union_all,
)

from cxgov.judgement.cells import Aggregates, Cell, PeriodValue, segment_key
from cxgov.judgement.periods import Period, periods, window_key
from cxgov.model import KpiType, MeasurementPoint, Program, Statistic
from cxgov.stats import Counts
from cxgov.store import counting, rollups
from cxgov.store.counting import (
    FIRST_CHUNK,
    byte_order,
    first_values,
    hashed_groups,
    period_bucket,
    summed,
)
from cxgov.store.tables import FEEDBACK, KPI_VALUES
from cxgov.warehouse.table_source import aggregate_tables, table_points

GroupKey = tuple[str, tuple[float, float] | None, tuple[str, ...]]
"""Window, positive range, segment dimensions: what a group's counts depend on."""


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
    the counts of complete calendar periods are rolled up for later runs, and rollups of
    groups the program no longer has are dropped (the caller commits)."""
    zone = ZoneInfo(program.program.timezone)
    kpis = {k.id: k for k in program.kpis}
    program_id = program.program.id
    end_of_as_of = Period(as_of, as_of, False).utc_bounds(zone)[1]
    if connection.dialect.name == "postgresql":
        # JIT compiling the period CASE and the sums costs seconds per statement and saves
        # less; set_config(..., true) lasts until the end of the caller's transaction
        connection.execute(select(func.set_config("jit", "off", True)))
    # the points of table sources are counted on their own engines (cxgov.warehouse)
    tables = aggregate_tables(connection, program, as_of, since, persist=persist)
    in_tables = table_points(program)
    stored_points = [p for p in program.measurement_points if p.id not in in_tables]
    first_rows = _first_answers(connection, program_id, [p.id for p in stored_points], end_of_as_of)
    first_data = {point: _local_date(moment, zone) for point, moment in first_rows.items()}
    value_points = [p for p in program.measurement_points if kpis[p.kpi].type is KpiType.VALUE]
    values, value_first = _period_values(connection, program, value_points, as_of)
    first_data.update(value_first)
    series: dict[str, list[Period]] = {}
    for point in stored_points:
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

    groups: dict[GroupKey, list[MeasurementPoint]] = defaultdict(list)
    for point in stored_points:
        kpi = kpis[point.kpi]
        if kpi.type is KpiType.VALUE or point.id not in series:
            continue
        for dimensions in _dimension_sets(program, point):
            key = (window_key(point.window), kpi.effective_positive, dimensions)
            groups[key].append(point)
    rollup_status = _RollupStatus(connection, program_id)
    plans = [
        _plan(connection, rollup_status, key, points, series, zone)
        for key, points in sorted(groups.items(), key=lambda g: repr(g[0]))
    ]
    if persist:
        kept = {p.rollup_key for p in plans if p.rollup_key is not None}
        rollups.drop_other_groups(connection, program_id, kept | tables.rollup_groups)
    by_window: dict[str, list[_Plan]] = defaultdict(list)
    for plan in plans:
        by_window[plan.key[0]].append(plan)
    mean_points = [
        point.id
        for point in stored_points
        if point.id in series and kpis[point.kpi].effective_statistic is Statistic.MEAN
    ]
    shifts = first_values(connection, program_id, mean_points, end_of_as_of)
    counts: dict[Cell, Counts] = {}
    for window_plans in by_window.values():
        found = _count(connection, program_id, window_plans, zone, end_of_as_of, shifts)
        for plan in window_plans:
            counts.update(_complete(connection, program_id, plan, found[plan.key], persist))
    counts.update(tables.counts)
    first_data.update(tables.first_data)
    series.update(tables.series)
    return Aggregates(counts, values, first_data, series)


def _first_answers(
    connection: Connection, program_id: str, points: list[str], before: dt.datetime
) -> dict[str, dt.datetime]:
    """Each measurement point's first answer time: one index seek per point (a GROUP BY would
    read the whole index)."""
    f = FEEDBACK
    found: dict[str, dt.datetime] = {}
    for start in range(0, len(points), FIRST_CHUNK):
        chunk = points[start : start + FIRST_CHUNK]
        firsts = [
            select(func.min(f.c.collected_at))
            .where(
                f.c.program == program_id,
                f.c.measurement_point == point,
                f.c.collected_at < before,
            )
            .scalar_subquery()
            for point in chunk
        ]
        row = connection.execute(select(*firsts)).one()
        found.update({point: moment for point, moment in zip(chunk, row, strict=True) if moment})
    return found


@dataclass
class _Plan:
    """One group's periods: those still to count in SQL, and those its rollups cover."""

    key: GroupKey
    points: list[MeasurementPoint]
    timeline: list[Period]
    needed: set[Period]
    covered: set[int]
    """Indices into `timeline` of complete periods read from rollups."""
    rollup_key: str | None
    """None for rolling windows, which move with the as-of date and are never rolled up."""
    newest: int = 0


class _RollupStatus:
    """Per-program facts about ingest batches, asked once per evaluation rather than per group."""

    def __init__(self, connection: Connection, program_id: str) -> None:
        self.connection = connection
        self.program_id = program_id
        self.newest = rollups.latest_batch(connection, program_id)
        self._changed: dict[int, bool] = {}
        self._touched: dict[tuple[tuple[str, ...], tuple[Period, ...], int], set[int]] = {}

    def changed_since(self, batch: int) -> bool:
        if batch not in self._changed:
            self._changed[batch] = rollups.answers_changed_since(
                self.connection, self.program_id, batch
            )
        return self._changed[batch]

    def touched(
        self,
        points: list[MeasurementPoint],
        timeline: list[Period],
        zone: ZoneInfo,
        since_batch: int,
    ) -> set[int]:
        key = (tuple(p.id for p in points), tuple(timeline), since_batch)
        if key not in self._touched:
            self._touched[key] = _touched(
                self.connection, self.program_id, points, timeline, zone, since_batch
            )
        return self._touched[key]


def _group_key(
    points: list[MeasurementPoint],
    positive: tuple[float, float] | None,
    dimensions: tuple[str, ...],
    zone: ZoneInfo,
) -> str:
    """What a group's rollups depend on. The time zone is part of it: a period's UTC bounds
    move with the zone, so rollups counted in another zone must not be read (a changed
    `timezone` starts new rollups; the old ones stay, as those of a changed window do)."""
    text = json.dumps(
        [
            window_key(points[0].window),
            zone.key,
            positive,
            dimensions,
            sorted(p.id for p in points),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _plan(
    connection: Connection,
    status: _RollupStatus,
    key: GroupKey,
    points: list[MeasurementPoint],
    series: dict[str, list[Period]],
    zone: ZoneInfo,
) -> _Plan:
    """Complete calendar periods come from rollups unless answers arrived for them since the
    rollups were written; every other period is counted in SQL."""
    _, positive, dimensions = key
    # all points in a group share a window; the longest series covers every point's periods
    timeline = max((series[p.id] for p in points), key=len)
    if points[0].window.calendar is None:  # rolling windows move with the as-of date
        return _Plan(key, points, timeline, set(timeline), set(), None)
    group = _group_key(points, positive, dimensions, zone)
    state = rollups.read_state(connection, status.program_id, group)
    complete = {i for i, p in enumerate(timeline) if p.complete}
    covered: set[int] = set()
    if state is not None and not status.changed_since(state.last_batch):
        covered = {
            i
            for i in complete
            if state.covered_from <= timeline[i].start and timeline[i].end <= state.covered_until
        }
        if state.last_batch < status.newest:
            covered -= status.touched(points, timeline, zone, state.last_batch)
    needed = {p for i, p in enumerate(timeline) if i not in covered}
    return _Plan(key, points, timeline, needed, covered, group, status.newest)


def _complete(
    connection: Connection,
    program_id: str,
    plan: _Plan,
    found: dict[Cell, Counts],
    persist: bool,
) -> dict[Cell, Counts]:
    """A group's counts: those counted in SQL plus its rollups; with `persist`, the complete
    periods just counted are rolled up for later runs."""
    if plan.rollup_key is None:
        return found
    timeline, covered, group = plan.timeline, plan.covered, plan.rollup_key
    if covered:
        first, last = min(covered), max(covered)
        covered_periods = {timeline[i] for i in covered}
        for row in rollups.read_rollups(
            connection, program_id, group, timeline[first].start, timeline[last].end
        ):
            period = Period(row[1], row[2], True)
            if period in covered_periods:
                key = tuple((d, v) for d, v in row[3])
                found[Cell(row[0], period, key)] = Counts(*row[4:])
    complete = {i for i, p in enumerate(timeline) if p.complete}
    if persist and complete:
        recounted = sorted(complete - covered)
        recounted_periods = {timeline[i] for i in recounted}
        rows = [
            rollups.rollup_row(cell, c)
            for cell, c in found.items()
            if cell.period.complete and cell.period in recounted_periods
        ]
        spans = [(timeline[i].start, timeline[i].end) for i in recounted]
        bounds = [timeline[i] for i in sorted(complete)]
        rollups.write_rollups(
            connection,
            program_id,
            group,
            spans,
            rows,
            rollups.RollupState(plan.newest, bounds[0].start, bounds[-1].end),
        )
    return found


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
    bucket = period_bucket(timeline, zone)
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


_SUMS = ("n", "promoters", "passives", "detractors")
# SQLite reads rows through an index one random lookup at a time; when at least this share of
# the table is to be counted, reading the whole table in order is faster.
_SCAN_SHARE = 0.25


def _scan_whole_table(connection: Connection, where: list[ColumnElement[bool]]) -> bool:
    """Whether SQLite should read the table in order rather than through the answers' index
    (it has no statistics to choose by itself). The count is answered from the index alone."""
    if connection.dialect.name != "sqlite":
        return False
    f = FEEDBACK
    selected = connection.execute(select(func.count()).where(*where)).scalar() or 0
    table = connection.execute(select(func.max(f.c.id))).scalar() or 0
    return selected > 0 and selected >= _SCAN_SHARE * table


def _count(
    connection: Connection,
    program_id: str,
    plans: list[_Plan],
    zone: ZoneInfo,
    end_of_as_of: dt.datetime,
    shifts: dict[str, float],
) -> dict[GroupKey, dict[Cell, Counts]]:
    """The counts of every group of one window in one statement, so the answers are read once.
    Answers after the as-of day never count, not even in the partial period that holds it.

    The inner GROUP BY buckets answers into periods and groups them by point, period and every
    segment dimension any group uses, with one positives column per positive range; the outer
    GROUP BYs add those fine cells up to each group's own segment dimensions.
    """
    found: dict[GroupKey, dict[Cell, Counts]] = {plan.key: {} for plan in plans}
    plans = [plan for plan in plans if plan.needed]
    if not plans:
        return found
    f = FEEDBACK
    timeline = sorted({period for plan in plans for period in plan.timeline})
    needed = sorted({period for plan in plans for period in plan.needed})
    ranges = sorted({plan.key[1] for plan in plans if plan.key[1] is not None})
    dimensions = sorted({d for plan in plans for d in plan.key[2]})
    all_points = {p.id for plan in plans for p in plan.points}
    where = [
        f.c.program == program_id,
        f.c.measurement_point.in_(sorted(all_points)),
        f.c.collected_at >= needed[0].utc_bounds(zone)[0],
        # the partial period ends after the as-of day: a run as of a past date must see the
        # data as it stood then
        f.c.collected_at < min(needed[-1].utc_bounds(zone)[1], end_of_as_of),
    ]
    if _scan_whole_table(connection, where):
        # an expression over the program column keeps SQLite from choosing the index
        where[0] = f.c.program.concat("") == program_id
    # SQLite compares JSON text cheaply but extracts from it slowly: it groups the answers by
    # their whole segment text and extracts the dimensions once per cell. PostgreSQL sorts
    # jsonb slowly: it groups by the extracted dimensions.
    whole_segments = connection.dialect.name == "sqlite"
    # the text keys are sorted in byte order (`byte_order`)
    extracted = [
        byte_order(connection, f.c.segments[d].as_string()).label(f"d{i}")
        for i, d in enumerate(dimensions)
    ]
    # computed once per row in a subquery: repeated in a GROUP BY with their own bound
    # parameters, the CASE and the JSON lookups would be evaluated twice
    answers = (
        select(
            byte_order(connection, f.c.measurement_point).label("point"),
            period_bucket(timeline, zone).label("bucket"),
            *([f.c.segments] if whole_segments else extracted),
            f.c.value,
            counting.deviation(shifts, all_points).label("deviation"),
            f.c.not_applicable,
        )
        .where(*where)
        .subquery("answers")
    )
    answered = answers.c.not_applicable.is_(False)

    def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.sum(case((and_(answered, condition), 1), else_=0))

    value, deviation = answers.c.value, answers.c.deviation
    keys = [answers.c.point, answers.c.bucket]
    if whole_segments:
        keys.append(answers.c.segments)
    else:
        keys += [answers.c[f"d{i}"] for i in range(len(dimensions))]
    grouped = (
        select(
            *keys,
            count_if(value.is_not(None)).label("n"),
            count_if(value >= 9).label("promoters"),
            count_if(and_(value >= 7, value < 9)).label("passives"),
            count_if(value < 7).label("detractors"),
            *(count_if(value.between(*r)).label(f"p{i}") for i, r in enumerate(ranges)),
            func.sum(case((answered, deviation), else_=0.0)).label("total"),
            func.sum(case((answered, deviation * deviation), else_=0.0)).label("sumsq"),
        )
        .group_by(*keys)
        .cte("grouped")
    )
    fine = grouped
    if whole_segments:
        fine = select(
            grouped.c.point,
            grouped.c.bucket,
            *(grouped.c.segments[d].as_string().label(f"d{i}") for i, d in enumerate(dimensions)),
            *(c for c in grouped.c if c.name not in ("point", "bucket", "segments")),
        ).cte("fine")
    counted = [*_SUMS, *(f"p{i}" for i in range(len(ranges))), "total", "sumsq"]
    sets = sorted({plan.key[2] for plan in plans})
    width = max(len(segment_set) for segment_set in sets)
    branches = []
    for number, segment_set in enumerate(sets):
        labels = [fine.c[f"d{dimensions.index(d)}"] for d in segment_set]
        padding = (null().cast(String).label(f"l{i}") for i in range(len(segment_set), width))
        members = {p.id for plan in plans if plan.key[2] == segment_set for p in plan.points}
        where_set = [label.is_not(None) for label in labels]
        if members != all_points:
            where_set.append(fine.c.point.in_(sorted(members)))
        branches.append(
            select(
                literal(number).label("segment_set"),
                fine.c.point,
                fine.c.bucket,
                *labels,
                *padding,
                *(summed(fine.c[name], name) for name in counted),
            )
            .where(*where_set)
            .group_by(fine.c.point, fine.c.bucket, *labels)
        )
    # where each result row goes: per segment set and point, the group's counts, the periods
    # it needs (as indices into `timeline`) and the column of its positive range
    position = {period: i for i, period in enumerate(timeline)}
    totals = 7 + width + len(ranges)
    targets: dict[tuple[int, str], tuple[dict[Cell, Counts], frozenset[int], int | None]] = {}
    for plan in plans:
        wanted = frozenset(position[period] for period in plan.needed)
        positive = plan.key[1]
        column = None if positive is None else 7 + width + ranges.index(positive)
        for point in plan.points:
            targets[(sets.index(plan.key[2]), point.id)] = (found[plan.key], wanted, column)
    with hashed_groups(connection):
        rows = connection.execute(union_all(*branches)).all()
    for row in rows:
        number, point, index = row[0], row[1], row[2]
        cells, wanted, column = targets[(number, point)]
        if index not in wanted:  # also drops answers outside every period (-1)
            continue
        segment_set = sets[number]
        segment = tuple(zip(segment_set, row[3 : 3 + len(segment_set)], strict=True))
        cells[Cell(point, timeline[index], segment)] = Counts(
            int(row[3 + width] or 0),
            int(row[4 + width] or 0),
            int(row[5 + width] or 0),
            int(row[6 + width] or 0),
            0 if column is None else int(row[column] or 0),
            float(row[totals] or 0.0),
            float(row[totals + 1] or 0.0),
            shifts.get(point, 0.0),
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
