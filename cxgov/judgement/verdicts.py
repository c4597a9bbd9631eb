"""Verdicts: each objective × segment × period judged against the target revision in force.

Pure: takes counts and values already aggregated, returns verdicts. A verdict says where the
value stands against the target and whether the data can tell (docs/verdicts.md):

- `on_target`: the value reached the target;
- `within_noise`: short of the target, but no more than chance could explain at the program's
  error rate;
- `below_target`, `warn`, `fail`: short of the target, of the warn or of the fail threshold,
  established by a one-sided test at the program's error rate (adjusted across the period's
  objectives), or by the monitor of a shortfall sustained over several periods;
- `insufficient_sample` (a finished period with fewer answers than `min_sample`), `no_data`
  (a finished period with none) and `pending` (a period still collecting answers: not ended,
  or within its collection lag, with too few answers yet).

An objective with `rule: point` is judged on its value alone (no error rate).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum

from cxgov.judgement.cells import Aggregates, Cell, SegmentKey, segment_key
from cxgov.judgement.kpi import change, estimate, shortfall_p, shortfall_z
from cxgov.judgement.periods import Period, year_before
from cxgov.judgement.shortfall import (
    ThresholdTests,
    adjusted,
    clipped,
    monitor,
    one_sided_fall,
    standardized_shortfall,
)
from cxgov.model import (
    DecisionSettings,
    Direction,
    Kpi,
    KpiType,
    MeasurementPoint,
    Objective,
    Program,
    Rule,
)
from cxgov.model.objectives import (
    DEFAULT_CONFIDENCE,
    TargetRevision,
    interval_confidence,
    theme_share_kpi,
)
from cxgov.stats import (
    Change,
    Counts,
    Estimate,
    wilson_interval,
)


class Verdict(StrEnum):
    ON_TARGET = "on_target"
    WITHIN_NOISE = "within_noise"
    BELOW_TARGET = "below_target"
    WARN = "warn"
    FAIL = "fail"
    INSUFFICIENT_SAMPLE = "insufficient_sample"
    NO_DATA = "no_data"
    PENDING = "pending"


SEVERITY = {
    Verdict.ON_TARGET: 0,
    Verdict.PENDING: 1,
    Verdict.WITHIN_NOISE: 2,
    Verdict.INSUFFICIENT_SAMPLE: 3,
    Verdict.BELOW_TARGET: 4,
    Verdict.WARN: 5,
    Verdict.NO_DATA: 6,
    Verdict.FAIL: 7,
}
"""Order used by `--fail-on`: a status is "at or beyond" another when its rank is higher."""

WORDS: dict[Verdict, dict[str, str]] = {
    Verdict.ON_TARGET: {"en": "on target", "fi": "tavoitteessa"},
    Verdict.WITHIN_NOISE: {
        "en": "below target, within noise",
        "fi": "alle tavoitteen, vaihtelun rajoissa",
    },
    Verdict.BELOW_TARGET: {"en": "below target", "fi": "alle tavoitteen"},
    Verdict.WARN: {"en": "warn", "fi": "varoitus"},
    Verdict.FAIL: {"en": "fail", "fi": "hälytys"},
    Verdict.INSUFFICIENT_SAMPLE: {"en": "insufficient sample", "fi": "liian vähän vastauksia"},
    Verdict.NO_DATA: {"en": "no data", "fi": "ei dataa"},
    Verdict.PENDING: {"en": "pending", "fi": "odottaa vastauksia"},
}
"""A verdict in words: the site, the command's summary, the reports, the digests and the
pull-request comments all say a verdict this way."""

REWRITTEN_WORDS: dict[str, str] = {"en": "rewrites history", "fi": "muuttaa historiaa"}
"""A change to the target revision a period was judged against (`cxgov.review.rewrites`),
said this way by the review and by the site, which shows the earlier target beside it."""


def verdict_words(status: str, language: str = "en") -> str:
    """A stored status in the given language (an unknown one as it is)."""
    try:
        return WORDS[Verdict(status)][language]
    except (ValueError, KeyError):
        return status


MISSES = frozenset({Verdict.BELOW_TARGET, Verdict.WARN, Verdict.FAIL})
"""The established shortfalls, gravest last."""

JUDGED = MISSES | {Verdict.ON_TARGET, Verdict.WITHIN_NOISE}
"""Verdicts of a period with enough data to say where the value stands."""


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
    """A fall against the previous period or a year ago, established at the program's decline
    error rate (adjusted for the two comparisons and across the period's objectives)."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """What decided a verdict's miss."""

    p_value: float | None
    """One-sided p-value of a shortfall against the target, adjusted across the family; None
    when the period was not tested (too few answers, `rule: point`, a figure with no n)."""
    error_rate: float
    sustained: int = 0
    """Periods the monitor pooled when it found the shortfall sustained over several periods
    (this one included); 0 when this period's own test decided."""


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
    """`test` (a shortfall decided at the program's error rate) or `point` (the value alone)."""
    trend: Trend
    evidence: Evidence | None = None
    counts: Counts | None = None
    """The period's additive counts (None for a delivered business value)."""

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


def _percent_unit(kpi: Kpi) -> bool:
    return (kpi.unit or "").strip().lower() in ("%", "percent", "pct")


def _value_estimate(
    kpi: Kpi, value: float, n: int | None, confidence: float
) -> tuple[Estimate, Counts | None]:
    """A delivered value has an interval (and can be tested) only when its sample size is known
    and it is a %: it is then the share of n, and counts as n answers of which that share
    positive."""
    if n and _percent_unit(kpi) and 0 <= value <= 100:
        low, high = wilson_interval(round(value / 100 * n), n, confidence)
        return Estimate(value, n, 100 * low, 100 * high, None), Counts(
            n=n, positives=round(value / 100 * n)
        )
    return Estimate(value, n or 0, None, None, None), None


def _worse(kpi: Kpi, value: float, threshold: float) -> bool:
    higher = kpi.direction is Direction.HIGHER_IS_BETTER
    return value < threshold if higher else value > threshold


def _band(kpi: Kpi, value: float, thresholds: Thresholds) -> Verdict:
    """The verdict of a value taken as exact (`rule: point`)."""
    if thresholds.fail is not None and _worse(kpi, value, thresholds.fail):
        return Verdict.FAIL
    if thresholds.warn is not None and _worse(kpi, value, thresholds.warn):
        return Verdict.WARN
    if _worse(kpi, value, thresholds.target):
        return Verdict.BELOW_TARGET
    return Verdict.ON_TARGET


def _tests(kpi: Kpi, counts: Counts | None, found: Estimate, t: Thresholds) -> ThresholdTests:
    """One-sided p-values of a shortfall against each threshold (unadjusted)."""
    if counts is None:
        return ThresholdTests()

    def p(threshold: float | None) -> float | None:
        return None if threshold is None else shortfall_p(kpi, counts, found, threshold)

    return ThresholdTests(p(t.target), p(t.warn), p(t.fail))


def _established(tests: ThresholdTests, error_rate: float) -> Verdict | None:
    """The gravest threshold whose shortfall is established, or None."""

    def shown(p: float | None) -> bool:
        return p is not None and p <= error_rate

    if shown(tests.fail):
        return Verdict.FAIL
    if shown(tests.warn):
        return Verdict.WARN
    if shown(tests.target):
        return Verdict.BELOW_TARGET
    return None


@dataclass
class _Draft:
    """One objective × segment × period on its way to a verdict: the tests are taken first,
    then adjusted across the period's family, then the monitor reads the series."""

    objective: Objective
    point: MeasurementPoint
    kpi: Kpi
    segment: SegmentKey
    period: Period
    estimate: Estimate
    counts: Counts | None
    thresholds: Thresholds
    gate: Verdict | None
    """no_data, insufficient_sample or pending: nothing to test; None when tested."""
    tests: ThresholdTests = field(default_factory=ThresholdTests)
    adjusted: ThresholdTests = field(default_factory=ThresholdTests)
    previous: Change | None = None
    year_ago: Change | None = None
    decline_p: float | None = None
    decline_adjusted: float | None = None


def judge(program: Program, aggregates: Aggregates, as_of: dt.date) -> list[Result]:
    kpis = {k.id: k for k in program.kpis}
    points = {p.id: p for p in program.measurement_points}
    themes = {t.id: t for t in program.themes}
    settings = program.program.decisions
    drafts: list[_Draft] = []
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
            drafts.extend(
                _drafts(
                    objective,
                    point,
                    theme_share_kpi(objective, kpi, theme.name if theme else objective.theme),
                    replace(aggregates, counts=shares),
                    as_of,
                )
            )
            continue
        drafts.extend(_drafts(objective, point, kpi, aggregates, as_of))
    _adjust_families(drafts, settings)
    by_series: dict[tuple[str, SegmentKey], list[_Draft]] = defaultdict(list)
    for draft in drafts:
        by_series[(draft.objective.id, draft.segment)].append(draft)
    results: list[Result] = []
    for series in by_series.values():
        results.extend(_verdicts(series, settings))
    return results


def _drafts(
    objective: Objective, point: MeasurementPoint, kpi: Kpi, aggregates: Aggregates, as_of: dt.date
) -> Iterator[_Draft]:
    segment = segment_key(objective.segment)
    confidence = interval_confidence(objective)
    minimum = point.min_sample
    is_value = kpi.type is KpiType.VALUE
    seen_data = False
    for period in aggregates.series.get(point.id, []):
        cell = Cell(point.id, period, segment)
        counts: Counts | None
        if is_value:
            delivered = aggregates.values.get(cell)
            found, counts = (
                _value_estimate(kpi, delivered.value, delivered.n, confidence)
                if delivered
                else (Estimate(None, 0, None, None, None), None)
            )
        else:
            counts = aggregates.counts.get(cell, Counts())
            found = estimate(kpi, counts, confidence)
        thresholds = thresholds_for(objective, kpi, period)
        settled = period.complete and (as_of - period.end).days > point.collection_lag_days
        gate: Verdict | None = None
        if found.value is None:
            if not seen_data:
                continue  # before the first data there is nothing to judge
            gate = Verdict.NO_DATA if settled else Verdict.PENDING
        else:
            seen_data = True
            if (not is_value and found.n < minimum) or (is_value and found.n and found.n < minimum):
                gate = Verdict.INSUFFICIENT_SAMPLE if settled else Verdict.PENDING
        if thresholds is None:
            continue  # no target was in force yet
        draft = _Draft(objective, point, kpi, segment, period, found, counts, thresholds, gate)
        if gate is None:
            draft.tests = _tests(kpi, counts, found, thresholds)
        _trend(draft, aggregates, confidence, as_of)
        yield draft


def _trend(draft: _Draft, aggregates: Aggregates, confidence: float, as_of: dt.date) -> None:
    """The changes against the previous period and a year ago, and the one-sided p-value of a
    fall, shared by the two comparisons; a comparison needs `min_sample` on both sides."""
    point, kpi, period = draft.point, draft.kpi, draft.period
    series = aggregates.series.get(point.id, [])
    index = series.index(period)
    previous = series[index - 1] if index > 0 else None
    year_ago = year_before(period, point.window, as_of)

    def compare(earlier: Period | None) -> Change | None:
        if earlier is None:
            return None
        if kpi.type is KpiType.VALUE:
            before = aggregates.values.get(Cell(point.id, earlier, draft.segment))
            now = aggregates.values.get(Cell(point.id, period, draft.segment))
            if before is None or now is None:
                return None
            return Change(now.value - before.value, None, None, None, None)
        later_counts = aggregates.counts.get(Cell(point.id, period, draft.segment))
        earlier_counts = aggregates.counts.get(Cell(point.id, earlier, draft.segment))
        if later_counts is None or earlier_counts is None:
            return None
        return change(kpi, earlier_counts, later_counts, confidence)

    draft.previous = compare(previous)
    draft.year_ago = compare(year_ago if year_ago in series else None)
    if draft.gate is not None:
        return
    higher = kpi.direction is Direction.HIGHER_IS_BETTER
    falls = []
    for earlier, found in ((previous, draft.previous), (year_ago, draft.year_ago)):
        if found is None or found.p_value is None or earlier is None:
            continue
        earlier_counts = aggregates.counts.get(Cell(point.id, earlier, draft.segment))
        if earlier_counts is None or earlier_counts.n < point.min_sample:
            continue
        direction = found.z if found.z is not None else found.delta
        falls.append(one_sided_fall(found.p_value, direction < 0 if higher else direction > 0))
    if falls:
        draft.decline_p = min(1.0, len(falls) * min(falls))


def _adjust_families(drafts: list[_Draft], settings: DecisionSettings) -> None:
    """Adjust each test across the objectives × segments judged for the same period."""
    families: dict[tuple[dt.date, dt.date], list[_Draft]] = defaultdict(list)
    for draft in drafts:
        if draft.gate is None:
            families[(draft.period.start, draft.period.end)].append(draft)
    for family in families.values():
        target = _adjusted_column([d.tests.target for d in family], settings)
        warn = _adjusted_column([d.tests.warn for d in family], settings)
        fail = _adjusted_column([d.tests.fail for d in family], settings)
        decline = _adjusted_column([d.decline_p for d in family], settings)
        for i, draft in enumerate(family):
            draft.adjusted = ThresholdTests(target[i], warn[i], fail[i])
            draft.decline_adjusted = decline[i]


def _adjusted_column(values: list[float | None], settings: DecisionSettings) -> list[float | None]:
    """One test's p-values across a family adjusted together; None (not tested) stays None
    and does not count as a comparison."""
    present = [(i, p) for i, p in enumerate(values) if p is not None]
    column: list[float | None] = [None] * len(values)
    found = adjusted([p for _, p in present], settings.adjustment)
    for (i, _), q in zip(present, found, strict=True):
        column[i] = q
    return column


def _pooled_band(run: list[_Draft], settings: DecisionSettings) -> Verdict:
    """The gravest threshold a sustained shortfall established, from the excursion's periods
    pooled (counts add); below_target at least, which the monitor itself established."""
    latest = run[-1]
    pooled = Counts()
    for draft in run:
        if draft.counts is None:
            return Verdict.BELOW_TARGET
        pooled = pooled + draft.counts
    found = estimate(latest.kpi, pooled, DEFAULT_CONFIDENCE)
    tests = _tests(latest.kpi, pooled, found, latest.thresholds)
    return _established(tests, settings.error_rate) or Verdict.BELOW_TARGET


def _standardized(draft: _Draft) -> float | None:
    """How many standard errors short of the target a period is, for the monitor: a
    percentage's score statistic (the exact test's p-value is conservative, and read back as a
    z it would make the monitor slower than its calibration), otherwise the z of the period's
    one-sided p-value. None for a period that was not tested."""
    if draft.gate is not None or draft.tests.target is None or draft.objective.rule is Rule.POINT:
        return None
    if draft.counts is not None:
        z = shortfall_z(draft.kpi, draft.counts, draft.thresholds.target)
        if z is not None:
            return clipped(z)
    return standardized_shortfall(draft.tests.target)


def _sustained(series: list[_Draft], settings: DecisionSettings) -> dict[int, tuple[Verdict, int]]:
    """Where the monitor alarms, by draft: the band the excursion's periods establish pooled,
    and how many periods that is."""
    watched = [d for d in series if d.period.complete]
    shortfalls = [_standardized(d) for d in watched]
    tested: list[_Draft] = []
    alarms: dict[int, tuple[Verdict, int]] = {}
    for draft, z, step in zip(
        watched, shortfalls, monitor(shortfalls, settings.run_length), strict=True
    ):
        if z is not None:
            tested.append(draft)
        if step.alarm:
            alarms[id(draft)] = (_pooled_band(tested[-step.since :], settings), step.since)
    return alarms


def _verdicts(series: list[_Draft], settings: DecisionSettings) -> Iterator[Result]:
    series.sort(key=lambda d: d.period.start)
    alarms = _sustained(series, settings)
    for draft in series:
        kpi, found, t = draft.kpi, draft.estimate, draft.thresholds
        sustained = 0
        if draft.gate is not None:
            status, rule = draft.gate, "point"
        elif draft.objective.rule is Rule.POINT or draft.tests.target is None:
            assert found.value is not None
            status, rule = _band(kpi, found.value, t), "point"
        else:
            assert found.value is not None
            rule = "test"
            short = _worse(kpi, found.value, t.target)
            status = _established(draft.adjusted, settings.error_rate) or (
                Verdict.WITHIN_NOISE if short else Verdict.ON_TARGET
            )
            alarm = alarms.get(id(draft))
            # the monitor speaks only for a period that is itself short of the target
            if alarm is not None and short and SEVERITY[alarm[0]] > SEVERITY[status]:
                status, sustained = alarm
        decline = (
            draft.decline_adjusted is not None
            and draft.decline_adjusted <= settings.decline_error_rate
        )
        yield Result(
            draft.objective,
            draft.point,
            kpi,
            draft.segment,
            draft.period,
            found,
            status,
            t,
            rule,
            Trend(draft.previous, draft.year_ago, decline),
            Evidence(draft.adjusted.target, settings.error_rate, sustained),
            draft.counts,
        )


def number(value: float | None) -> float | None:
    """How published figures are rounded (reports, the run record)."""
    return None if value is None else round(value, 4)
