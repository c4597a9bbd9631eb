"""A table source's respondents for the key-driver model, joined on its engine.

The same rows as `cxgov.store.respondents` reads from the store: a respondent is a customer
(the customer column) or, without one, a response id; per respondent with a relationship
answer in the drivers' window, the mean relationship score, and the mean score at each
touchpoint the same table holds, for a bounded sample of respondents. The sample is chosen
and joined with the touchpoint answers on the engine; what comes back is one row per
respondent and point, read a page at a time, and the customer ids in it are pseudonymised
here, before anything else sees them, so that the keys are those of the comments in the
store (the drivers' theme mentions).

A touchpoint of the journey held by another source (a file, another table) is not joined:
the engine cannot see its answers, nor the store the table's raw customers
(docs/warehouse.md, Limits).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
    union_all,
)

from cxgov.model import Program, Source
from cxgov.store.respondents import RespondentScores, Scoring, score
from cxgov.warehouse.answers import (
    SLACK,
    answer_time,
    not_applicable_codes,
    point_scales,
    question_pieces,
    raw_bound,
    served_points,
)
from cxgov.warehouse.table_source import per_customer, source_table

PAGE = 5_000
"""Rows read back per fetch."""


def source_of(program: Program, point: str) -> Source | None:
    """The table source holding `point`'s answers, if a table holds them."""
    for source in program.sources:
        if source.is_table and point in served_points(source):
            return source
    return None


def _rows(
    source: Source,
    table: Table,
    program: Program,
    points: set[str],
    first: dt.date,
    last: dt.date,
) -> tuple[Any, dict[str, str]]:
    """The answered (not not-applicable, on the scale) answers of `points` in [first, last]
    (local days): respondent, question, value."""
    columns = source.columns
    assert columns.collected_at is not None and columns.response_id is not None
    timestamp, day, aware = answer_time(source, table, program)
    response = cast(table.c[columns.response_id], String)
    respondent: ColumnElement[Any] = literal("r:") + response
    if columns.customer is not None:
        customer = cast(table.c[columns.customer], String)
        respondent = case(
            (and_(customer.is_not(None), customer != ""), literal("c:") + customer),
            else_=respondent,
        )
    scales = point_scales(program)
    na = not_applicable_codes(source)
    pieces: list[Select[Any]] = []
    mapped: dict[str, str] = {}
    for question, value_column, labels, condition in question_pieces(source, table, points):
        mapped.update(labels)
        value = cast(value_column, Double)
        on_scale = [
            and_(question == label, value.between(*scale))
            for label, point in sorted(labels.items())
            if (scale := scales.get(point)) is not None
        ]
        pieces.append(
            select(
                respondent.label("respondent"),
                question.label("question"),
                value.label("value"),
            ).where(
                timestamp >= raw_bound(first - SLACK, aware),
                timestamp < raw_bound(last + dt.timedelta(days=1) + SLACK, aware),
                day >= first,
                day <= last,
                value.is_not(None),
                *([value.not_in(na)] if na else []),
                or_(*on_scale) if on_scale else value.is_not(None),
                *condition,
            )
        )
    rows = (pieces[0] if len(pieces) == 1 else union_all(*pieces)).subquery("driver_answers")
    return rows, mapped


def _scored(rows: Any, mapped: dict[str, str], scorings: Mapping[str, Scoring]) -> Any:
    by_question = [
        (rows.c.question == question, score(scorings[point], rows.c.value))
        for question, point in sorted(mapped.items())
        if point in scorings
    ]
    return case(*by_question, else_=None)


@dataclass(frozen=True)
class RespondentStatements:
    """The statements of one driver model on the engine."""

    sample: Select[Any]
    """The sampled respondents, their mean relationship score, and how many respondents
    answered at the anchor (on every row)."""
    touchpoints: Select[Any] | None
    """Per touchpoint and sampled respondent, the mean score there (joined on the engine)."""
    questions: dict[str, str]
    """Question → measurement point."""


def respondent_statements(
    source: Source,
    table: Table,
    program: Program,
    anchor: tuple[str, Scoring],
    touchpoints: Mapping[str, Scoring],
    first: dt.date,
    last: dt.date,
    limit: int,
) -> RespondentStatements:
    anchor_point, anchor_scoring = anchor
    rows, mapped = _rows(source, table, program, {anchor_point, *touchpoints}, first, last)
    questions = sorted(q for q, p in mapped.items() if p == anchor_point)
    outcome_rows = (
        select(
            rows.c.respondent,
            func.avg(_scored(rows, mapped, {anchor_point: anchor_scoring})).label("score"),
        )
        .where(rows.c.question.in_(questions))
        .group_by(rows.c.respondent)
    )
    # every respondent counted in the same pass that samples them (a window over the groups);
    # the sample is the lowest MD5s of the respondents, not the lowest ids: raw ids are often
    # sequential (the oldest customers first), a hash of them is a pseudo-random draw, as the
    # store's keyed pseudonyms are, and every engine has md5 (a text or bytes value, ordered)
    sample = (
        outcome_rows.add_columns(func.count().over().label("respondents"))
        .order_by(func.md5(rows.c.respondent), rows.c.respondent)
        .limit(limit)
        .subquery("sample")
    )
    joined = None
    if touchpoints:
        joined = (
            select(rows.c.question, rows.c.respondent, func.avg(_scored(rows, mapped, touchpoints)))
            .select_from(rows.join(sample, sample.c.respondent == rows.c.respondent))
            .where(rows.c.question.in_(sorted(q for q, p in mapped.items() if p in touchpoints)))
            .group_by(rows.c.question, rows.c.respondent)
        )
    return RespondentStatements(
        select(sample.c.respondent, sample.c.score, sample.c.respondents), joined, mapped
    )


def respondent_scores(
    program: Program,
    anchor: tuple[str, Scoring],
    touchpoints: Mapping[str, Scoring],
    *,
    first: dt.date,
    last: dt.date,
    limit: int,
    pseudonymise: Callable[[], Callable[[str], str]],
) -> RespondentScores:
    """`cxgov.store.respondents.respondent_scores` for an anchor point a table source holds,
    over the local days [first, last]: the touchpoints the same table holds are joined there,
    the others are left out (their answers are elsewhere)."""
    source = source_of(program, anchor[0])
    assert source is not None
    if source.columns.response_id is None:
        # no response id (and so no customer column): no respondent to join answers by
        return RespondentScores(0, {}, {p: {} for p in touchpoints})
    here = {p: s for p, s in touchpoints.items() if p in served_points(source)}
    keyed = pseudonymise() if source.columns.customer is not None else None

    def key(raw: str) -> str:
        if raw.startswith("c:") and keyed is not None:
            return "c:" + keyed(raw[2:])
        return f"r:{source.id}/{raw[2:]}"

    def read(engine: Connection) -> RespondentScores:
        table = source_table(engine, source)
        statements = respondent_statements(source, table, program, anchor, here, first, last, limit)
        respondents = 0
        outcome: dict[str, float] = {}
        found: dict[str, dict[str, float]] = {p: {} for p in touchpoints}
        for page in engine.execute(statements.sample).partitions(PAGE):
            for respondent, mean, every in page:
                outcome[key(str(respondent))] = float(mean)
                respondents = int(every)
        if statements.touchpoints is not None and outcome:
            mapped = statements.questions
            for chunk in engine.execute(statements.touchpoints).partitions(PAGE):
                for question, respondent, mean in chunk:
                    found[mapped[str(question)]][key(str(respondent))] = float(mean)
        return RespondentScores(respondents, outcome, found)

    return per_customer(source, read)
