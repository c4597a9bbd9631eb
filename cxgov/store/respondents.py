"""Answers joined per respondent in the database, for the key-driver model: a respondent is a
customer (by the pseudonymised customer key) or, without a key, one response (source and
response id). What leaves the database is one row per respondent and answered point, for a
bounded sample of respondents, never the answers themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, false, func, literal, or_, select

from cxgov.store.surveys import whole_table
from cxgov.store.tables import FEEDBACK


@dataclass(frozen=True)
class Scoring:
    """How one answer becomes a respondent's score: `nps` (+100 promoter, 0 passive, −100
    detractor), `range` (100 inside the positive range, else 0) or `value` (the answer)."""

    kind: str
    low: float = 0.0
    high: float = 0.0


def respondent_key() -> ColumnElement[str]:
    """'c:' and the customer key, or 'r:' and the response's source and id without one."""
    f = FEEDBACK
    return case(
        (f.c.customer_key.is_not(None), literal("c:") + f.c.customer_key),
        else_=literal("r:") + f.c.source + literal("/") + f.c.response_id,
    )


def score(scoring: Scoring, value: ColumnElement[Any] = FEEDBACK.c.value) -> ColumnElement[Any]:
    """A respondent's score of one answer `value` (the store's, or a table's value column on
    its engine: cxgov.warehouse.respondents)."""
    if scoring.kind == "nps":
        return case((value >= 9, 100.0), (value >= 7, 0.0), else_=-100.0)
    if scoring.kind == "range":
        return case((and_(value >= scoring.low, value <= scoring.high), 100.0), else_=0.0)
    return value


def _answered(
    program: str, points: list[str], start: dt.datetime, before: dt.datetime
) -> list[ColumnElement[bool]]:
    f = FEEDBACK
    return [
        f.c.program == program,
        f.c.measurement_point.in_(points)
        if len(points) > 1
        else f.c.measurement_point == points[0],
        f.c.collected_at >= start,
        f.c.collected_at < before,
        f.c.value.is_not(None),
        or_(f.c.not_applicable.is_(None), f.c.not_applicable.is_(False)),
    ]


def answers_of(respondents: Collection[str]) -> ColumnElement[bool]:
    """The answers of these respondents (keyed as `respondent_key` keys them), matched by
    their raw columns: cheaper per answer than building each one's key."""
    f = FEEDBACK
    customers = sorted(k[2:] for k in respondents if k.startswith("c:"))
    responses = sorted(k[2:] for k in respondents if k.startswith("r:"))
    sampled: list[ColumnElement[bool]] = []
    if customers:
        sampled.append(f.c.customer_key.in_(customers))
    if responses:
        sampled.append(
            and_(
                f.c.customer_key.is_(None),
                (f.c.source + literal("/") + f.c.response_id).in_(responses),
            )
        )
    return or_(*sampled) if sampled else false()


@dataclass(frozen=True)
class RespondentScores:
    """The relationship score and the touchpoint scores of a sample of respondents."""

    respondents: int
    """Every respondent with a relationship answer in the window (the sample is drawn from)."""
    outcome: dict[str, float]
    """Respondent → their mean relationship score, for the sampled respondents."""
    touchpoints: dict[str, dict[str, float]]
    """Measurement point → respondent → their mean score there (sampled respondents only)."""


def respondent_scores(
    connection: Connection,
    program: str,
    anchor: tuple[str, Scoring],
    touchpoints: Mapping[str, Scoring],
    *,
    start: dt.datetime,
    before: dt.datetime,
    limit: int,
) -> RespondentScores:
    """Per respondent with an answer at the `anchor` point in [start, before) (UTC): their
    mean score there and at each of the `touchpoints`, for the `limit` respondents with the
    lowest keys."""
    anchor_point, anchor_scoring = anchor
    key = respondent_key()
    counted = select(func.count()).select_from(
        select(key.label("respondent"))
        .where(*_answered(program, [anchor_point], start, before))
        .group_by(key)
        .subquery()
    )
    respondents = connection.execute(counted).scalar_one()
    outcome_rows = connection.execute(
        select(key, func.avg(score(anchor_scoring)))
        .where(*_answered(program, [anchor_point], start, before))
        .group_by(key)
        .order_by(key)
        .limit(limit)
    ).all()
    outcome = {row[0]: float(row[1]) for row in outcome_rows}
    found: dict[str, dict[str, float]] = {p: {} for p in touchpoints}
    if touchpoints and outcome:
        f = FEEDBACK
        point = f.c.measurement_point
        scored = case(
            *((point == pid, score(s)) for pid, s in touchpoints.items()),
            else_=None,
        )
        rows = connection.execute(
            select(point, key, func.avg(scored))
            .where(
                whole_table(connection, program),
                *_answered(program, sorted(touchpoints), start, before)[1:],
                answers_of(outcome),
            )
            .group_by(point, key)
        )
        # every touchpoint's scores keyed by the sample's own key objects, not by a new string
        # per row: a respondent answers more touchpoints the more answers the store holds,
        # and a key of 66 characters costs several times its score
        same = {k: k for k in outcome}
        for pid, respondent, value in rows:
            found[pid][same.get(respondent, respondent)] = float(value)
    return RespondentScores(respondents, outcome, found)
