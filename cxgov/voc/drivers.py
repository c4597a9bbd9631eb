"""Drivers: per journey, how strongly each touchpoint KPI and each theme relates to the
journey's relationship KPI (its NPS measurement point).

A touchpoint is related over respondents when customer keys join its answers to the NPS
answers: per customer and NPS period, the customer's mean NPS score (+100 promoter, 0 passive,
−100 detractor) against their mean touchpoint score (100/0 for a percent KPI, the answer for a
mean KPI). With fewer than `MIN_PAIRS` such pairs it is related over periods instead: the NPS
of each period against the touchpoint KPI over the same days (its finer periods' counts
added). A theme is related over the NPS comments: mention (1/0) against the NPS score.

Every driver carries its basis, n, Pearson's r and a Fisher-z interval, and a label; one whose
interval includes zero is labelled `interval_includes_zero`. They are listed strongest first,
never as a bare ranking.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from cxgov.judgement.cells import Aggregates, Cell
from cxgov.judgement.kpi import estimate, respondent_score
from cxgov.judgement.periods import Period, period_containing
from cxgov.judgement.voc import (
    Basis,
    Driver,
    DriversOfJourney,
    Label,
    ThemeDriver,
    TouchpointDriver,
)
from cxgov.model import Kpi, KpiType, MeasurementPoint, Program
from cxgov.model.measurement import SURVEY_METHODS, Method
from cxgov.stats import Correlation, Counts, pearson
from cxgov.voc.records import Answer, Comment, answered_by_point
from cxgov.voc.themes import theme_points

MIN_PAIRS = 10
"""Fewest respondent pairs for a respondent-level driver; below it periods are used."""


def label(found: Correlation) -> Label:
    if found.r is None:
        return "not_estimable"
    if found.includes_zero:
        return "interval_includes_zero"
    return "positive" if found.r > 0 else "negative"


def _rounded(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


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


def drivers_section(
    program: Program,
    answers: Sequence[Answer],
    comments: Sequence[Comment],
    aggregates: Aggregates,
    confidence: float = 0.95,
) -> tuple[DriversOfJourney, ...]:
    kpis = {k.id: k for k in program.kpis}
    by_point = answered_by_point(answers)
    out = []
    for journey in sorted(program.journeys, key=lambda j: j.id):
        for anchor in relationship_points(program, journey.id):
            nps = kpis[anchor.kpi]
            found: list[Driver] = [
                _touchpoint(anchor, nps, point, kpis[point.kpi], by_point, aggregates, confidence)
                for point in program.measurement_points
                if point.journey == journey.id
                and point.id != anchor.id
                and point.method in SURVEY_METHODS
                and point.kpi in kpis
                and kpis[point.kpi].type is not KpiType.VALUE
            ]
            answered = [
                (c.tags, respondent_score(nps, c.value))
                for c in comments
                if c.point == anchor.id and c.value is not None and not c.not_applicable
            ]
            found += [
                _theme(theme.id, theme.name, answered, confidence)
                for theme in program.themes
                if anchor.id in {p.id for p in theme_points(program, theme)}
            ]
            found.sort(key=lambda d: (d.r is None, -abs(d.r or 0.0), d.driver))
            out.append(DriversOfJourney(journey.id, anchor.id, nps.id, confidence, tuple(found)))
    return tuple(out)


def _touchpoint(
    anchor: MeasurementPoint,
    nps: Kpi,
    point: MeasurementPoint,
    kpi: Kpi,
    by_point: dict[str, list[Answer]],
    aggregates: Aggregates,
    confidence: float,
) -> TouchpointDriver:
    as_of = max((p.end for p in aggregates.series.get(anchor.id, [])), default=None)
    pairs: dict[tuple[str, Period], tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    if as_of is not None:
        for a in by_point.get(anchor.id, []) + by_point.get(point.id, []):
            assert a.value is not None
            period = period_containing(a.day, anchor.window, as_of)
            side = 0 if a.point == anchor.id else 1
            score = respondent_score(nps if side == 0 else kpi, a.value)
            pairs[(a.customer, period)][side].append(score)
    joined = [(sum(x) / len(x), sum(y) / len(y)) for x, y in pairs.values() if x and y]
    basis: Basis
    if len(joined) >= MIN_PAIRS:
        basis = "respondents"
        found = pearson([x for x, _ in joined], [y for _, y in joined], confidence)
    else:
        basis = "periods"
        found = pearson(*_period_pairs(anchor, nps, point, kpi, aggregates, confidence), confidence)
    return TouchpointDriver(
        measurement_point=point.id,
        touchpoint=point.touchpoint,
        kpi=kpi.id,
        basis=basis,
        n=found.n,
        r=_rounded(found.r),
        ci_low=_rounded(found.ci_low),
        ci_high=_rounded(found.ci_high),
        p_value=_rounded(found.p_value),
        label=label(found),
    )


def _period_pairs(
    anchor: MeasurementPoint,
    nps: Kpi,
    point: MeasurementPoint,
    kpi: Kpi,
    aggregates: Aggregates,
    confidence: float,
) -> tuple[list[float], list[float]]:
    """Per NPS period: the NPS and the touchpoint KPI over the touchpoint periods inside it."""
    xs: list[float] = []
    ys: list[float] = []
    inner = aggregates.series.get(point.id, [])
    for period in aggregates.series.get(anchor.id, []):
        outer = aggregates.counts.get(Cell(anchor.id, period, ()))
        parts = [p for p in inner if period.start <= p.start and p.end <= period.end]
        if outer is None or not parts:
            continue
        total = Counts()
        for part in parts:
            total = total + aggregates.counts.get(Cell(point.id, part, ()), Counts())
        x, y = estimate(nps, outer, confidence).value, estimate(kpi, total, confidence).value
        if x is not None and y is not None:
            xs.append(x)
            ys.append(y)
    return xs, ys


def _theme(
    theme: str, name: str, answered: list[tuple[dict[str, str], float]], confidence: float
) -> ThemeDriver:
    """Mention (1/0) against the NPS score over the NPS point's comments."""
    found = pearson(
        [1.0 if theme in tags else 0.0 for tags, _ in answered],
        [score for _, score in answered],
        confidence,
    )
    return ThemeDriver(
        theme=theme,
        name=name,
        basis="respondents",
        n=found.n,
        r=_rounded(found.r),
        ci_low=_rounded(found.ci_low),
        ci_high=_rounded(found.ci_high),
        p_value=_rounded(found.p_value),
        label=label(found),
    )
