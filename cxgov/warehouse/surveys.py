"""Surveys per customer of a table source, counted on its engine for survey fatigue.

The same counts as `cxgov.store.surveys` (one survey = one response id of one source, on
the local day of its first answer), computed where the answers are: the raw customer column
is grouped on the engine and only histograms come back (customers per number of surveys),
never a customer. A table's customers are not the store's: the store keeps pseudonymised
keys, the table raw ones, so a customer surveyed both through a file source and through a
table source counts once on each side (docs/warehouse.md, Limits).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Double,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)

from cxgov.judgement.periods import Period
from cxgov.model import Program, Source
from cxgov.model.measurement import SURVEY_METHODS
from cxgov.store.surveys import SurveysInWindows
from cxgov.warehouse.answers import (
    SLACK,
    answer_time,
    not_applicable_codes,
    on_scale_conditions,
    question_pieces,
    raw_bound,
    served_points,
)
from cxgov.warehouse.table_source import per_customer, source_table


@dataclass(frozen=True)
class TableSurveys:
    """What the table sources' engines counted for survey fatigue."""

    windows: SurveysInWindows
    contact: dict[str, Counter[int]] = field(default_factory=dict)
    """Point with a contact rule → surveys per customer in the rule's window → customers."""
    points: frozenset[str] = frozenset()
    """The points counted here (the store's counts leave them out)."""


def customer_points(program: Program) -> frozenset[str]:
    """The points whose surveys a table source with a customer column counts."""
    return frozenset(
        p for s in program.sources if s.is_table and s.columns.customer for p in served_points(s)
    )


def customer_sources(program: Program) -> list[Source]:
    return [s for s in program.sources if s.is_table and s.columns.customer is not None]


def add(first: SurveysInWindows, second: SurveysInWindows) -> SurveysInWindows:
    """Two sides' counts together: their customers are counted apart (see the module)."""
    if not first.histograms:
        histograms = second.histograms
    elif not second.histograms:
        histograms = first.histograms
    else:
        histograms = tuple(a + b for a, b in zip(first.histograms, second.histograms, strict=True))
    journeys = dict(first.journeys)
    for name, (found, above) in second.journeys.items():
        before = journeys.get(name, (0, 0))
        journeys[name] = (before[0] + found, before[1] + above)
    return SurveysInWindows(first.customers + second.customers, histograms, journeys)


@dataclass(frozen=True)
class _Relation:
    """A table source's answers of customers: customer, response, question, local day."""

    rows: Any
    questions: dict[str, str]
    """Question → measurement point."""

    def of(self, points: Sequence[str]) -> list[str]:
        wanted = set(points)
        return sorted(q for q, p in self.questions.items() if p in wanted)


def _relation(
    source: Source, table: Table, program: Program, points: Sequence[str], last: dt.date
) -> _Relation:
    """The answers at `points` with a customer, up to the local day `last`: those a file's
    rows would store (a value on the KPI's scale, or a not-applicable code)."""
    columns = source.columns
    assert columns.customer is not None and columns.collected_at is not None
    assert columns.response_id is not None
    timestamp, day, aware = answer_time(source, table, program)
    customer = cast(table.c[columns.customer], String)
    na = not_applicable_codes(source)
    pieces: list[Select[Any]] = []
    mapped: dict[str, str] = {}
    for question, value_column, labels, condition in question_pieces(source, table, set(points)):
        mapped.update(labels)
        value = cast(value_column, Double)
        kept = or_(
            *([value.in_(na)] if na else []),
            *on_scale_conditions(question, value, labels, program),
        )
        pieces.append(
            select(
                customer.label("customer"),
                cast(table.c[columns.response_id], String).label("response"),
                question.label("question"),
                day.label("local_day"),
            ).where(
                customer.is_not(None),
                customer != "",
                timestamp < raw_bound(last + dt.timedelta(days=1) + SLACK, aware),
                day <= last,
                kept,
                *condition,
            )
        )
    rows = (pieces[0] if len(pieces) == 1 else union_all(*pieces)).subquery("customer_answers")
    return _Relation(rows, mapped)


def windows_statement(
    relation: _Relation,
    windows: Sequence[Period],
    journeys: Mapping[str, Sequence[str]],
) -> Select[Any]:
    """One GROUP BY on the engine: per window, customers by their number of surveys starting
    in it (GROUPING SETS, one per window), with per journey those of them who answered at its
    points in the first window."""
    a = relation.rows
    names = sorted(journeys) if windows else []
    flags = []
    if windows:
        first = windows[0]
        every = set(relation.questions.values())
        for index, name in enumerate(names):
            at_points = (
                []
                if every <= set(journeys[name])
                else [a.c.question.in_(relation.of(journeys[name]))]
            )
            flags.append(
                func.max(
                    case(
                        (
                            and_(
                                *at_points, a.c.local_day >= first.start, a.c.local_day <= first.end
                            ),
                            1,
                        ),
                        else_=0,
                    )
                ).label(f"j{index}")
            )
    surveys = (
        select(a.c.customer, func.min(a.c.local_day).label("first"), *flags)
        .group_by(a.c.customer, a.c.response)
        .subquery("surveys")
    )
    per_window = [
        func.sum(
            case((and_(surveys.c.first >= w.start, surveys.c.first <= w.end), 1), else_=0)
        ).label(f"c{i}")
        for i, w in enumerate(windows)
    ]
    customers = (
        select(
            surveys.c.customer,
            *per_window,
            *(func.max(surveys.c[f"j{i}"]).label(f"j{i}") for i in range(len(flags))),
        )
        .group_by(surveys.c.customer)
        .subquery("customers")
    )
    if not windows:
        # one row: the customers
        columns: list[ColumnElement[Any]] = [literal(0).label("ungrouped"), func.count()]
        return select(*columns).select_from(customers)
    counts = [customers.c[f"c{i}"] for i in range(len(windows))]
    grouping: ColumnElement[Any] = literal(0)
    for i, column in enumerate(counts):
        bit = func.grouping(column) * (1 << i) if i else func.grouping(column)
        grouping = bit if i == 0 else grouping + bit
    return select(
        grouping.label("ungrouped"),
        *counts,
        func.count().label("customers"),
        *(func.sum(customers.c[f"j{i}"]).label(f"j{i}") for i in range(len(flags))),
    ).group_by(func.grouping_sets(*(tuple_(c) for c in counts)))


def _read_windows(
    rows: Sequence[Sequence[Any]],
    windows: int,
    names: list[str],
    limit: int | None,
) -> SurveysInWindows:
    histograms: list[Counter[int]] = [Counter() for _ in range(windows)]
    journeys = {name: [0, 0] for name in names}
    customers = 0
    for row in rows:
        ungrouped = int(row[0])
        if not windows:
            customers += int(row[1])
            continue
        index = next(i for i in range(windows) if not ungrouped >> i & 1)
        surveys, count = int(row[1 + index] or 0), int(row[1 + windows])
        if index == 0:
            customers += count
            for name, flagged in zip(names, row[2 + windows :], strict=True):
                journeys[name][0] += int(flagged or 0)
                if limit is not None and surveys > limit:
                    journeys[name][1] += int(flagged or 0)
        if surveys:
            histograms[index][surveys] += count
    return SurveysInWindows(
        customers,
        tuple(histograms),
        {name: (found, above) for name, (found, above) in journeys.items() if found},
    )


def contact_statement(relation: _Relation, windows: Mapping[str, Period]) -> Select[Any]:
    """Per point with a contact rule: customers by their number of surveys with answers there
    in the rule's window."""
    a = relation.rows
    answered = (
        select(
            a.c.question,
            a.c.customer,
        )
        .where(
            or_(
                *(
                    and_(
                        a.c.question.in_(relation.of([point])),
                        a.c.local_day >= period.start,
                        a.c.local_day <= period.end,
                    )
                    for point, period in sorted(windows.items())
                )
            )
        )
        .group_by(a.c.question, a.c.customer, a.c.response)
        .subquery("answered")
    )
    per_customer = (
        select(answered.c.question, func.count().label("surveys"))
        .group_by(answered.c.question, answered.c.customer)
        .subquery("per_customer")
    )
    return select(per_customer.c.question, per_customer.c.surveys, func.count()).group_by(
        per_customer.c.question, per_customer.c.surveys
    )


def read(
    program: Program,
    points: Sequence[str],
    last: dt.date,
    windows: Sequence[Period],
    journeys: Mapping[str, Sequence[str]],
    limit: int | None,
    contact: Mapping[str, Period],
) -> TableSurveys:
    """The surveys of the table sources' customers at `points` (first answered up to the
    local day `last`) per window, per journey and per contact rule, each source counted on its
    own engine: the arguments of `cxgov.store.surveys` as local days."""
    total = SurveysInWindows(0, tuple(Counter() for _ in windows), {})
    per_point: dict[str, Counter[int]] = {}
    counted: set[str] = set()
    for source in customer_sources(program):
        mine = sorted(set(points) & served_points(source))
        counted |= served_points(source)
        if not mine:
            continue

        def read_source(
            engine: Connection, source: Source = source, mine: list[str] = mine
        ) -> tuple[SurveysInWindows, list[tuple[str, int, int]]]:
            table = source_table(engine, source)
            relation = _relation(source, table, program, mine, last)
            names = sorted(journeys) if windows else []
            own = {n: [p for p in journeys[n] if p in mine] for n in names}
            found = _read_windows(
                engine.execute(windows_statement(relation, windows, own)).all(),
                len(windows),
                names,
                limit,
            )
            rules = {p: w for p, w in contact.items() if p in mine}
            histograms = []
            if rules:
                for question, surveys, customers in engine.execute(
                    contact_statement(relation, rules)
                ):
                    histograms.append(
                        (relation.questions[str(question)], int(surveys), int(customers))
                    )
            return found, histograms

        found, histograms = per_customer(source, read_source)
        total = add(total, found)
        for point, surveys, customers in histograms:
            per_point.setdefault(point, Counter())[surveys] += customers
    for point in contact:
        if point in counted:
            per_point.setdefault(point, Counter())
    return TableSurveys(total, per_point, frozenset(counted))


def for_fatigue(program: Program, as_of: dt.date, history: Sequence[dt.date]) -> TableSurveys:
    """The counts `cxgov.voc.fatigue` asks the store for, of the table sources' customers:
    the contact policy's days ending the day before `as_of` and ending at each of the
    `history` month ends, and each contact rule's days ending the day before `as_of`."""
    day = as_of - dt.timedelta(days=1)
    surveyed = [p for p in program.measurement_points if p.method in SURVEY_METHODS]
    policy = program.contact_policy
    windows = []
    if policy is not None:
        length = dt.timedelta(days=policy.days - 1)
        windows = [Period(end - length, end, True) for end in [day, *history]]
    journeys: dict[str, list[str]] = {}
    for point in surveyed:
        if point.journey is not None:
            journeys.setdefault(point.journey, []).append(point.id)
    contact = {
        p.id: Period(day - dt.timedelta(days=p.contact.days - 1), day, True)
        for p in surveyed
        if p.contact is not None
    }
    return read(
        program,
        [p.id for p in surveyed],
        as_of,
        windows,
        journeys,
        policy.max_surveys_per_customer if policy else None,
        contact,
    )
