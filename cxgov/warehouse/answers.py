"""A table source's answers as the columns the counts query reads: question, local day, value
(NULL when not applicable), one column per segment dimension (real columns, no JSON), and the
load time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Double,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.expression import Subquery

from cxgov.model import KpiType, Program, Source
from cxgov.model.sources import Layout
from cxgov.warehouse.dialects import LocalDay

# a wall time is at most 14 hours from UTC: bounds on the raw timestamp widened by a day
# let an engine skip blocks or use an index, while the local day decides exactly
SLACK = dt.timedelta(days=1)


def served_points(source: Source) -> set[str]:
    """The measurement points whose answers this table source holds."""
    if source.layout is Layout.WIDE:
        return set(source.values.values())
    if source.measurement_point is not None:
        return {source.measurement_point}
    return set(source.measurement_points.values())


@dataclass(frozen=True)
class Window:
    """Which answers to read: local days up to `last`, loaded after `loaded_after`, and from
    about `first`: the raw times a day earlier, so that an index or block statistics skip the
    rest. The answers of the days just before `first` are the caller's to leave out (the
    counts' periods do): an exact bound on the local day of every answer would cost a
    conversion per answer and, on PostgreSQL, an estimate of the rows so low that it sorts
    them all instead of hashing."""

    first: dt.date | None = None
    last: dt.date | None = None
    loaded_after: Any = None


def point_scales(program: Program) -> dict[str, tuple[float, float] | None]:
    kpis = {k.id: k for k in program.kpis}
    found: dict[str, tuple[float, float] | None] = {}
    for point in program.measurement_points:
        kpi = kpis[point.kpi]
        found[point.id] = kpi.effective_scale if kpi.type is not KpiType.VALUE else None
    return found


@dataclass(frozen=True)
class Answers:
    """A table source's answers as a subquery with columns question, local_day, value, d0..
    (one per segment dimension) and loaded, and the measurement point each question is.

    `question` is the table's own value of a long table's measurement-point column, else the
    point's id: the answers are grouped by the table's own column and mapped to points once
    per group, which an engine does far faster than a CASE on every answer."""

    rows: Subquery
    points: dict[str, str]
    """Question → measurement point."""

    def point(self, question: ColumnElement[Any]) -> ColumnElement[Any]:
        """The measurement point of a question column of a query over `rows`."""
        if all(q == p for q, p in self.points.items()):
            return question
        return case(*((question == q, literal(p, String)) for q, p in sorted(self.points.items())))

    def questions(self, points: Iterable[str]) -> list[str]:
        """The questions that are any of `points`."""
        wanted = set(points)
        return sorted(q for q, p in self.points.items() if p in wanted)


def answers(
    source: Source,
    table: Table,
    program: Program,
    points: Sequence[str],
    dimensions: Sequence[str],
    window: Window = Window(),
) -> Answers:
    """The answers of `points`. Values off their KPI's scale and empty values are left out, as
    a file's rows with them are rejected; a not-applicable code is kept as an answer whose
    value is NULL (it counts towards a point's first day, not towards its counts)."""
    columns = source.columns
    timestamp, day, aware = answer_time(source, table, program)
    where: list[ColumnElement[bool]] = []
    # wall times in the program's own zone: the raw time's date is the local day, so the
    # bounds need no slack (a run then reads no answers of the day before); the local-day
    # bound stays even where it is implied, as PostgreSQL plans its two parallel workers
    # from the row estimate it lowers (without it, the first run's count took 1.0-1.5 s on
    # 1M answers instead of 0.6-0.8 s)
    slack = dt.timedelta(0) if day.same_zone else SLACK
    if window.first is not None:
        where.append(timestamp >= raw_bound(window.first - slack, aware))
    if window.last is not None:
        last = window.last + dt.timedelta(days=1)
        where += [timestamp < raw_bound(last + slack, aware), day <= window.last]
    loaded: ColumnElement[Any] = null()
    if columns.updated_at is not None:
        loaded = table.c[columns.updated_at]
        if window.loaded_after is not None:
            where.append(loaded > window.loaded_after)
    segments = [
        cast(table.c[columns.segments[d]], String) if d in columns.segments else null()
        for d in dimensions
    ]
    pieces: list[Select[Any]] = []
    mapped: dict[str, str] = {}
    for question, value_column, labels, condition in question_pieces(source, table, set(points)):
        mapped.update(labels)
        # DOUBLE: DuckDB's and Spark's FLOAT has 24 bits, which would round 7.3 to 7.3000002
        value = cast(value_column, Double)
        pieces.append(
            select(
                question.label("question"),
                day.label("local_day"),
                value.label("value"),
                *(s.label(f"d{i}") for i, s in enumerate(segments)),
                loaded.label("loaded"),
            ).where(*where, *condition)
        )
    rows = (pieces[0] if len(pieces) == 1 else union_all(*pieces)).subquery("answer_rows")
    na_codes = not_applicable_codes(source)
    na = rows.c.value.in_(na_codes) if na_codes else literal(False)
    on_scale = or_(*on_scale_conditions(rows.c.question, rows.c.value, mapped, program))
    relation = (
        select(
            rows.c.question,
            rows.c.local_day,
            case((na, None), else_=rows.c.value).label("value") if na_codes else rows.c.value,
            *(rows.c[f"d{i}"] for i in range(len(segments))),
            rows.c.loaded,
        )
        .where(or_(na, on_scale) if na_codes else on_scale)
        .subquery("answers")
    )
    return Answers(relation, mapped)


def not_applicable_codes(source: Source) -> list[float]:
    """The source's numeric not-applicable codes (a table holds numbers; text codes are for
    files)."""
    return sorted({float(v) for v in source.not_applicable if not isinstance(v, str)})


def on_scale_conditions(
    question: ColumnElement[Any],
    value: ColumnElement[Any],
    labels: Mapping[str, str],
    program: Program,
) -> list[ColumnElement[bool]]:
    """An answer is on its point's KPI scale: one condition per scale among the questions
    `labels` maps to points (question → point), each naming its questions only when the
    scales differ; any of them holds."""
    scales = point_scales(program)
    by_scale: dict[tuple[float, float] | None, list[str]] = {}
    for label, point in sorted(labels.items()):
        by_scale.setdefault(scales.get(point), []).append(label)
    return [
        and_(
            *([question.in_(members)] if len(by_scale) > 1 else []),
            value.between(*scale) if scale is not None else value.is_not(None),
        )
        for scale, members in by_scale.items()
    ]


def answer_time(
    source: Source, table: Table, program: Program
) -> tuple[ColumnElement[Any], LocalDay, bool]:
    """The table's answer-time column, the local day of it in the program's zone (as the
    engine computes it), and whether the column holds instants (times with a zone) or wall
    times, read in the source's zone (the program's when it names none)."""
    assert source.columns.collected_at is not None  # a table has no fixed collection time
    timestamp = table.c[source.columns.collected_at]
    aware = bool(getattr(timestamp.type, "timezone", False))
    zone = program.program.timezone
    return timestamp, LocalDay(timestamp, None if aware else (source.timezone or zone), zone), aware


def raw_bound(day: dt.date, aware: bool) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time())
    return moment.replace(tzinfo=ZoneInfo("UTC")) if aware else moment


def question_pieces(
    source: Source, table: Table, wanted: set[str]
) -> list[tuple[ColumnElement[Any], ColumnElement[Any], dict[str, str], list[ColumnElement[bool]]]]:
    """(question, value column, question → point, row condition) per part of the table: one
    per rating column of a wide table, one for a long table."""
    columns = source.columns
    if source.layout is Layout.WIDE:
        return [
            (literal(point, String), table.c[column], {point: point}, [])
            for column, point in sorted(source.values.items())
            if point in wanted
        ]
    assert columns.value is not None
    if source.measurement_point is not None:
        point = source.measurement_point
        return [(literal(point, String), table.c[columns.value], {point: point}, [])]
    assert columns.measurement_point is not None
    label = cast(table.c[columns.measurement_point], String)
    labels = {k: v for k, v in source.measurement_points.items() if v in wanted}
    return [(label, table.c[columns.value], labels, [label.in_(sorted(labels))])]
