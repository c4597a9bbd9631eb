"""Verdicts: each objective × segment × period judged against the target revision in force.

Pure: takes counts and values already aggregated, returns verdicts. The bands follow the
design: higher is better → value < fail is `fail`, fail ≤ value < warn is `warn`, otherwise
`pass` (mirrored when lower is better). With `confidence` set, warn and fail need the whole
interval past the threshold, so a small sample cannot raise a false alarm.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum

from cxgov.judgement.cells import Aggregates, Cell, SegmentKey, segment_key
from cxgov.judgement.kpi import change, estimate
from cxgov.judgement.periods import Period, year_before
from cxgov.model import Direction, Kpi, KpiType, MeasurementPoint, Objective, Program
from cxgov.model.objectives import TargetRevision, interval_confidence, theme_share_kpi
from cxgov.stats import Change, Counts, Estimate, wilson_interval


class Verdict(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    INSUFFICIENT_SAMPLE = "insufficient_sample"
    NO_DATA = "no_data"


SEVERITY = {
    Verdict.PASS: 0,
    Verdict.INSUFFICIENT_SAMPLE: 1,
    Verdict.WARN: 2,
    Verdict.NO_DATA: 3,
    Verdict.FAIL: 4,
}
"""Order used by `--fail-on`: a status is "at or beyond" another when its rank is higher."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    target: float
    warn: float | None
    fail: float | None
    revision: int
    """Index of the target revision in force (0-based)."""
    effective_from: dt.date


@dataclass(frozen=True, slots=True)
class Trend:
    previous: Change | None
    year_ago: Change | None
    decline: bool


@dataclass(frozen=True, slots=True)
class Result:
    objective: Objective
    point: MeasurementPoint
    kpi: Kpi
    segment: SegmentKey
    period: Period
    estimate: Estimate
    status: Verdict
    thresholds: Thresholds | None
    rule: str
    """`point` (the value decided) or `interval` (confidence set: the interval decided)."""
    trend: Trend

    @property
    def margin(self) -> float | None:
        if self.estimate.value is None or self.thresholds is None:
            return None
        return self.estimate.value - self.thresholds.target


def thresholds_for(objective: Objective, kpi: Kpi, period: Period) -> Thresholds | None:
    """The revision in force at the period's end; a trajectory is interpolated there."""
    chosen: tuple[int, TargetRevision] | None = None
    for index, revision in enumerate(objective.targets):
        if revision.effective_from <= period.end:
            chosen = (index, revision)
    if chosen is None:
        return None
    index, revision = chosen
    if revision.trajectory is None:
        assert revision.target is not None
        return Thresholds(
            revision.target, revision.warn, revision.fail, index, revision.effective_from
        )
    start, end = revision.trajectory.start, revision.trajectory.end
    span = (end.date - start.date).days
    share = 0.0 if span <= 0 else min(max((period.end - start.date).days / span, 0.0), 1.0)
    target = start.value + share * (end.value - start.value)
    sign = 1.0 if kpi.direction is Direction.HIGHER_IS_BETTER else -1.0
    warn = target - sign * revision.warn_margin if revision.warn_margin is not None else None
    fail = target - sign * revision.fail_margin if revision.fail_margin is not None else None
    return Thresholds(target, warn, fail, index, revision.effective_from)


def _value_estimate(kpi: Kpi, value: float, n: int | None, confidence: float) -> Estimate:
    """A delivered value has an interval only when its sample size is known and it is a %."""
    percent = (kpi.unit or "").strip().lower() in ("%", "percent", "pct")
    if n and percent and 0 <= value <= 100:
        low, high = wilson_interval(round(value / 100 * n), n, confidence)
        return Estimate(value, n, 100 * low, 100 * high, None)
    return Estimate(value, n or 0, None, None, None)


def _band(value: float, thresholds: Thresholds, higher: bool) -> Verdict:
    def worse(a: float, b: float) -> bool:
        return a < b if higher else a > b

    if thresholds.fail is not None and worse(value, thresholds.fail):
        return Verdict.FAIL
    if thresholds.warn is not None and worse(value, thresholds.warn):
        return Verdict.WARN
    return Verdict.PASS


def judge_estimate(
    found: Estimate, thresholds: Thresholds, kpi: Kpi, confidence: float | None
) -> tuple[Verdict, str]:
    """The band of one estimate. With a confidence, the interval's best end must be past a
    threshold for warn or fail; without, the point value decides."""
    higher = kpi.direction is Direction.HIGHER_IS_BETTER
    assert found.value is not None
    if confidence is None or found.ci_low is None or found.ci_high is None:
        return _band(found.value, thresholds, higher), "point"
    best = found.ci_high if higher else found.ci_low
    return _band(best, thresholds, higher), "interval"


def judge(program: Program, aggregates: Aggregates, as_of: dt.date) -> list[Result]:
    kpis = {k.id: k for k in program.kpis}
    points = {p.id: p for p in program.measurement_points}
    results: list[Result] = []
    themes = {t.id: t for t in program.themes}
    for objective in program.objectives:
        point = points[objective.measurement_point]
        kpi = kpis[point.kpi]
        if objective.theme is not None:
            # a theme-share objective: the % of the point's comments mentioning the theme
            theme = themes.get(objective.theme)
            shares = {
                cell: counts
                for (theme_id, cell), counts in aggregates.theme_shares.items()
                if theme_id == objective.theme
            }
            results.extend(
                _objective_results(
                    objective,
                    point,
                    theme_share_kpi(objective, kpi, theme.name if theme else objective.theme),
                    replace(aggregates, counts=shares),
                    as_of,
                )
            )
            continue
        results.extend(_objective_results(objective, point, kpi, aggregates, as_of))
    return results


def _objective_results(
    objective: Objective, point: MeasurementPoint, kpi: Kpi, aggregates: Aggregates, as_of: dt.date
) -> Iterator[Result]:
    segment = segment_key(objective.segment)
    confidence = interval_confidence(objective)
    minimum = point.min_sample
    is_value = kpi.type is KpiType.VALUE
    seen_data = False
    estimates: dict[Period, Estimate] = {}
    for period in aggregates.series.get(point.id, []):
        cell = Cell(point.id, period, segment)
        counts = aggregates.counts.get(cell, Counts())
        if is_value:
            delivered = aggregates.values.get(cell)
            found = (
                _value_estimate(kpi, delivered.value, delivered.n, confidence)
                if delivered
                else Estimate(None, 0, None, None, None)
            )
        else:
            found = estimate(kpi, counts, confidence)
        estimates[period] = found
        thresholds = thresholds_for(objective, kpi, period)
        if found.value is None:
            if not seen_data:
                continue  # before the first data there is nothing to judge
            status, rule = Verdict.NO_DATA, "point"
        else:
            seen_data = True
            if (not is_value and found.n < minimum) or (is_value and found.n and found.n < minimum):
                status, rule = Verdict.INSUFFICIENT_SAMPLE, "point"
            elif thresholds is None:
                continue  # no target was in force yet
            else:
                status, rule = judge_estimate(found, thresholds, kpi, objective.confidence)
        trend = _trend(
            objective, point, kpi, aggregates, period, segment, confidence, as_of, estimates
        )
        yield Result(objective, point, kpi, segment, period, found, status, thresholds, rule, trend)


def _trend(
    objective: Objective,
    point: MeasurementPoint,
    kpi: Kpi,
    aggregates: Aggregates,
    period: Period,
    segment: SegmentKey,
    confidence: float,
    as_of: dt.date,
    estimates: dict[Period, Estimate],
) -> Trend:
    series = aggregates.series.get(point.id, [])
    index = series.index(period)
    previous = series[index - 1] if index > 0 else None
    year_ago = year_before(period, point.window, as_of)

    def compare(earlier: Period | None) -> Change | None:
        if earlier is None:
            return None
        if kpi.type is KpiType.VALUE:
            before = aggregates.values.get(Cell(point.id, earlier, segment))
            now = aggregates.values.get(Cell(point.id, period, segment))
            if before is None or now is None:
                return None
            return Change(now.value - before.value, None, None, None, None)
        later_counts = aggregates.counts.get(Cell(point.id, period, segment))
        earlier_counts = aggregates.counts.get(Cell(point.id, earlier, segment))
        if later_counts is None or earlier_counts is None:
            return None
        return change(kpi, earlier_counts, later_counts, confidence)

    to_previous = compare(previous)
    to_year = compare(year_ago if year_ago in series else None)
    higher = kpi.direction is Direction.HIGHER_IS_BETTER
    decline = any(
        c is not None
        and c.p_value is not None
        and c.p_value < 1 - confidence
        and (c.delta < 0 if higher else c.delta > 0)
        for c in (to_previous, to_year)
    )
    return Trend(to_previous, to_year, decline)


def number(value: float | None) -> float | None:
    """How published figures are rounded (reports, the run record)."""
    return None if value is None else round(value, 4)
