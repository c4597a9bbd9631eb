"""Key drivers: per journey, how much each touchpoint's rating and each theme's mention
accounts for the journey's relationship KPI (its NPS measurement point), over respondents.

One base per ranking: respondents. A respondent is a customer (their answers joined by the
pseudonymised customer key) or, without a key, one response (the answers of one questionnaire,
joined by source and response id). Per respondent, over the `WINDOW_DAYS` days ending on the
as-of date: their mean relationship score (+100 promoter, 0 passive, −100 detractor), their
mean score at each touchpoint point (100/0 for a percent KPI, the answer for a mean KPI) and
whether any of their comments at the relationship point mentions each theme (1/0). The joins
run in the database (cxgov.store.respondents); one row per respondent leaves it.

One row per customer, not one per answer pair: a customer's repeated answers are averaged
into one row, so the bootstrap resamples customers and a frequent respondent is never counted
as many independent ones. At most `MAX_RESPONDENTS` respondents enter (those with the lowest
pseudonymised keys: a random sample), which bounds time and memory at any store size.

The model: Johnson's relative weights (cxgov.voc.relative_weights) of the predictors
answered together by at least `MIN_RESPONDENTS` respondents (complete cases; predictors are
taken in order of how many respondents answered them, while ten respondents per predictor
remain; a predictor that is constant or a linear combination of those before it, such as two
themes that always tag the same comments, is left out), with bootstrap percentile intervals
and R². A driver is `important` when its weight
exceeds a random predictor's with an interval at 1 − α/m, m every driver in the report's
models (Bonferroni); else `interval_includes_zero`. Below `MIN_RESPONDENTS` nothing is
ranked: the status says `not_enough_respondents`.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from cxgov.judgement.voc import (
    DriverKind,
    DriverLabel,
    DriversOfJourney,
    KeyDriver,
    RankingStatus,
)
from cxgov.model import Kpi, KpiType, MeasurementPoint, Program, Statistic
from cxgov.model.measurement import SURVEY_METHODS, Method
from cxgov.store.respondents import RespondentScores, Scoring
from cxgov.voc.records import Comment
from cxgov.voc.relative_weights import RESAMPLES, Collinear, Fit, correlations, fit
from cxgov.voc.themes import theme_points

WINDOW_DAYS = 365
"""The days, ending on the as-of date, whose answers the model reads."""
MIN_RESPONDENTS = 100
"""Fewest respondents, complete on every predictor, for a ranking."""
MAX_RESPONDENTS = 2000
"""Most respondents in a model: more narrow the intervals little and cost time."""
MAX_PREDICTORS = 30
RESPONDENTS_PER_PREDICTOR = 10
MIN_MENTIONS = 10
"""Fewest respondents mentioning a theme for it to enter the model."""


def driver_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    return as_of - dt.timedelta(days=WINDOW_DAYS - 1), as_of


def scoring(kpi: Kpi) -> Scoring:
    """How an answer of `kpi` becomes a respondent's score (judgement.kpi.respondent_score,
    in SQL)."""
    if kpi.type is KpiType.NPS:
        return Scoring("nps")
    if kpi.effective_statistic is Statistic.MEAN or kpi.type is KpiType.VALUE:
        return Scoring("value")
    low, high = kpi.effective_positive or (1.0, 0.0)  # no range: nothing is positive
    return Scoring("range", low, high)


@dataclass(frozen=True)
class Model:
    """What one journey's ranking reads: its relationship point and the predictors."""

    journey: str
    anchor: MeasurementPoint
    kpi: Kpi
    touchpoints: tuple[tuple[MeasurementPoint, Kpi], ...]
    themes: tuple[tuple[str, str], ...]
    """(id, name) of the themes read from the relationship point's comments."""


def relationship_points(program: Program, journey: str) -> list[MeasurementPoint]:
    kpis = {k.id: k for k in program.kpis}
    return [
        p
        for p in program.measurement_points
        if p.journey == journey
        and p.method in SURVEY_METHODS
        and p.kpi in kpis
        and kpis[p.kpi].type is KpiType.NPS
        and (p.method is Method.RELATIONSHIP_SURVEY or p.touchpoint is None)
    ]


def models(program: Program) -> list[Model]:
    kpis = {k.id: k for k in program.kpis}
    found = []
    for journey in sorted(program.journeys, key=lambda j: j.id):
        for anchor in relationship_points(program, journey.id):
            touchpoints = tuple(
                (point, kpis[point.kpi])
                for point in program.measurement_points
                if point.journey == journey.id
                and point.id != anchor.id
                and point.method in SURVEY_METHODS
                and point.kpi in kpis
                and kpis[point.kpi].type is not KpiType.VALUE
            )
            themes = tuple(
                (theme.id, theme.name)
                for theme in program.themes
                if anchor.id in {p.id for p in theme_points(program, theme)}
            )
            found.append(Model(journey.id, anchor, kpis[anchor.kpi], touchpoints, themes))
    return found


def respondent_of(comment: Comment) -> str:
    """The respondent key cxgov.store.respondents gives the comment's answer."""
    if comment.customer is not None:
        return "c:" + comment.customer
    source, response = comment.response
    return f"r:{source}/{response}"


@dataclass
class _Column:
    driver: str
    kind: DriverKind
    values: dict[str, float]
    point: MeasurementPoint | None = None
    kpi: Kpi | None = None
    name: str | None = None


@dataclass
class _Ranked:
    model: Model
    status: RankingStatus
    scores: RespondentScores
    columns: list[_Column]
    rows: list[str]
    fit: Fit | None


def drivers_section(
    program: Program,
    scores: Mapping[str, RespondentScores],
    comments: Sequence[Comment],
    as_of: dt.date,
    confidence: float = 0.95,
) -> tuple[DriversOfJourney, ...]:
    """`drivers_section_of` the comments in memory."""
    return drivers_section_of(
        program, scores, theme_mentions(program, comments, as_of), as_of, confidence
    )


def theme_mentions(
    program: Program, comments: Sequence[Comment], as_of: dt.date
) -> dict[str, dict[str, set[str]]]:
    """Relationship point → theme → the respondents whose comments in the drivers' window
    mention it, of comments in memory (the store counts the same in `store.theme_counts`)."""
    start, end = driver_window(as_of)
    mentioned: dict[str, dict[str, set[str]]] = {}
    for model in models(program):
        found = mentioned.setdefault(model.anchor.id, {theme: set() for theme, _ in model.themes})
        for c in comments:
            if c.point == model.anchor.id and start <= c.day <= end:
                for theme in c.tags.keys() & found.keys():
                    found[theme].add(respondent_of(c))
    return mentioned


def drivers_section_of(
    program: Program,
    scores: Mapping[str, RespondentScores],
    mentioned: Mapping[str, Mapping[str, set[str]]],
    as_of: dt.date,
    confidence: float = 0.95,
) -> tuple[DriversOfJourney, ...]:
    """The `drivers` section from the respondents' scores of each relationship point (read by
    cxgov.store.respondents over `driver_window(as_of)`) and, per relationship point, the
    respondents whose comments there in that window mention each of its themes."""
    start, end = driver_window(as_of)
    ranked = [
        _rank(
            model,
            scores.get(model.anchor.id, RespondentScores(0, {}, {})),
            mentioned.get(model.anchor.id, {}),
        )
        for model in models(program)
    ]
    comparisons = sum(len(r.fit.weights) for r in ranked if r.fit is not None)
    level = 1.0 - (1.0 - confidence) / max(comparisons, 1)
    return tuple(_section(r, confidence, level, comparisons, start, end) for r in ranked)


def _rank(model: Model, scores: RespondentScores, mentioned: Mapping[str, set[str]]) -> _Ranked:
    sampled = set(scores.outcome)
    candidates = [
        _Column(point.id, "touchpoint", scores.touchpoints.get(point.id, {}), point, kpi)
        for point, kpi in model.touchpoints
    ]
    candidates.sort(key=lambda c: (-len(sampled & c.values.keys()), c.driver))
    rows = sampled
    chosen: list[_Column] = []
    for column in candidates:
        together = rows & column.values.keys()
        needed = max(MIN_RESPONDENTS, RESPONDENTS_PER_PREDICTOR * (len(chosen) + 1))
        if len(chosen) < MAX_PREDICTORS and len(together) >= needed:
            chosen.append(column)
            rows = together
    themes = [
        _Column(theme, "theme", {r: 1.0 for r in mentioned.get(theme, set()) & sampled}, name=name)
        for theme, name in model.themes
    ]
    for column in themes:
        mentions = len(rows & column.values.keys())
        enough = len(rows) >= RESPONDENTS_PER_PREDICTOR * (len(chosen) + 1)
        if len(chosen) < MAX_PREDICTORS and enough and MIN_MENTIONS <= mentions < len(rows):
            chosen.append(column)
    # rows in the order of their values, not of their keys: a store's pseudonymisation key is
    # its own, and the seeded resamples must draw the same respondents from the same data
    order = sorted(
        rows, key=lambda r: (scores.outcome[r], *(c.values.get(r, 0.0) for c in chosen), r)
    )
    chosen = _independent(chosen, order)
    left_out = [c for c in candidates + themes if c not in chosen]
    if not chosen or len(rows) < MIN_RESPONDENTS:
        return _Ranked(model, "not_enough_respondents", scores, candidates + themes, [], None)
    x = _matrix(chosen, order)
    y = np.array([scores.outcome[r] for r in order], dtype=float)
    seed = zlib.crc32(f"{model.journey}/{model.anchor.id}".encode())
    try:
        found = fit(x, y, seed=seed)
    except Collinear:
        return _Ranked(model, "collinear", scores, chosen + left_out, order, None)
    return _Ranked(model, "ranked", scores, chosen + left_out, order, found)


def _matrix(columns: list[_Column], rows: list[str]) -> np.ndarray:
    return np.array([[c.values.get(r, 0.0) for c in columns] for r in rows], dtype=float).reshape(
        len(rows), len(columns)
    )


def _independent(columns: list[_Column], rows: list[str]) -> list[_Column]:
    """The columns in order, leaving out each that is constant or a linear combination of
    those before it over `rows` (two themes matched by the same comments, say): its weight
    could not be told from theirs."""
    kept: list[_Column] = []
    for column in columns:
        trial = _matrix([*kept, column], rows)
        rxx, _ = correlations(trial, np.zeros(len(rows)))
        constant = np.ptp(trial[:, -1]) == 0.0 if len(rows) else True
        if not constant and np.linalg.eigvalsh(rxx).min() > 1e-6:
            kept.append(column)
    return kept


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


def _section(
    ranked: _Ranked,
    confidence: float,
    level: float,
    comparisons: int,
    start: dt.date,
    end: dt.date,
) -> DriversOfJourney:
    model, found = ranked.model, ranked.fit
    rows = set(ranked.rows)
    drivers: list[KeyDriver] = []
    if found is not None:
        low, high = found.interval(confidence)
        excess_low, excess_high = found.excess_interval(level)
        r2_low, r2_high = found.r_squared_interval(confidence)
    for index, column in enumerate(ranked.columns):
        in_model = found is not None and index < len(found.weights)
        among = [v for r, v in column.values.items() if r in rows] if in_model else []
        if column.kind == "theme":
            base = len(rows) if in_model else len(ranked.scores.outcome)
            performance = 100.0 * len(among if in_model else column.values) / base if base else None
        else:
            values = among if in_model else list(column.values.values())
            performance = sum(values) / len(values) if values else None
        weight = share = None
        interval: tuple[float | None, float | None] = (None, None)
        excess: tuple[float | None, float | None] = (None, None)
        label: DriverLabel = "not_in_model"
        if found is not None and in_model:
            weight = float(found.weights[index])
            share = 100.0 * weight / found.r_squared if found.r_squared > 0 else None
            interval = (float(low[index]), float(high[index]))
            excess = (float(excess_low[index]), float(excess_high[index]))
            label = "important" if excess_low[index] > 0 else "interval_includes_zero"
        point, kpi = column.point, column.kpi
        drivers.append(
            KeyDriver(
                driver=column.driver,
                kind=column.kind,
                measurement_point=point.id if point else None,
                touchpoint=point.touchpoint if point else None,
                kpi=kpi.id if kpi else None,
                theme=column.driver if column.kind == "theme" else None,
                name=column.name,
                respondents=len(among) if in_model else len(column.values),
                performance=_round(performance),
                weight=_round(weight),
                share=_round(share, 2),
                ci_low=_round(interval[0]),
                ci_high=_round(interval[1]),
                excess_low=_round(excess[0]),
                excess_high=_round(excess[1]),
                label=label,
            )
        )
    drivers.sort(key=lambda d: (d.weight is None, -(d.weight or 0.0), d.driver))
    return DriversOfJourney(
        journey=model.journey,
        relationship_point=model.anchor.id,
        kpi=model.kpi.id,
        confidence=confidence,
        status=ranked.status,
        respondents=ranked.scores.respondents,
        n=len(ranked.rows) if found is not None else 0,
        min_respondents=MIN_RESPONDENTS,
        window_start=start,
        window_end=end,
        r_squared=_round(found.r_squared) if found else None,
        r_squared_low=_round(r2_low) if found else None,
        r_squared_high=_round(r2_high) if found else None,
        resamples=RESAMPLES if found else 0,
        comparisons=comparisons if found else 0,
        drivers=tuple(drivers),
    )
