"""Business outcomes beside the CX measures they are linked to (`links`).

For each link, the CX side (an objective's value, or a measurement point's KPI) and the business
`value` KPI are paired over the business KPI's complete periods; a finer CX window is added up
into the business period from its additive counts. Pearson's r of the two sides' changes from
period to period comes with the exact t p-value and a Fisher-z interval on the effective number
of independent changes, and n. The `expected` direction says how the business KPI should move
when the CX side improves, so for a lower-is-better CX measure the sign is turned before
comparing. A link whose correlation is established at the program's error rate, adjusted across
the run's links, is `supported` on the expected side and `contradicted` on the other; otherwise
`inconclusive`; below `MIN_PERIODS` paired periods, `not_estimable` ("not enough periods").

`by_group` is the business outcome by respondent group (retention of promoters against passives
and detractors) where customer keys allow it: when the business KPI's measurement point holds
records with customer keys (a per-customer export through a source, not the aggregated
`--kpi-values`). Each customer's newest answer at the CX point puts them in a group; their
outcome is the mean of their business records from that answer's day on, so the outcome follows
the experience. Per group the mean with a t interval, and the difference between the best and
the worst group with Welch's interval.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from cxgov.judgement.cells import Aggregates, Cell, SegmentKey
from cxgov.judgement.kpi import estimate
from cxgov.judgement.periods import Period
from cxgov.judgement.shortfall import adjusted
from cxgov.judgement.voc import (
    ByGroup,
    CxKind,
    CxSide,
    GroupDifference,
    GroupOutcome,
    GroupOutcomes,
    GroupsUnavailable,
    Link,
    LinkPair,
    LinkVerdict,
)
from cxgov.model import Direction, Expectation, Kpi, KpiType, MeasurementPoint, Program
from cxgov.model.objectives import theme_share_kpi
from cxgov.stats import (
    Correlation,
    Counts,
    correlation_test,
    effective_pairs,
    mean_change,
    mean_estimate,
)
from cxgov.voc.records import Answer, answered_by_point

MIN_PERIODS = 12
"""Fewest complete business periods paired with the CX side before a link is read: eleven
period-to-period changes, a year of months. With fewer, the effective number of independent
changes after the autocorrelation correction is too small for any interval to exclude zero but
a near-perfect one."""


def verdict(
    found: Correlation,
    p_adjusted: float | None,
    error_rate: float,
    expected: Expectation,
    cx_direction: Direction,
) -> LinkVerdict:
    """`supported` or `contradicted` when the correlation of the changes is established at the
    error rate after adjusting across the run's links, by the side of zero it lies on."""
    if found.r is None or p_adjusted is None:
        return "not_estimable"
    if p_adjusted > error_rate or found.r == 0:
        return "inconclusive"
    sign = 1 if cx_direction is Direction.HIGHER_IS_BETTER else -1
    moves_with = sign * found.r > 0
    return "supported" if moves_with == (expected is Expectation.POSITIVE) else "contradicted"


def changes(
    series: Sequence[Period], pairs: Sequence[tuple[Period, float, float]]
) -> tuple[list[float], list[float]]:
    """The period-to-period changes of both sides, only between periods next to each other in
    the business KPI's series (a gap is not one period's change)."""
    index = {period: i for i, period in enumerate(series)}
    xs: list[float] = []
    ys: list[float] = []
    for (before, x0, y0), (after, x1, y1) in pairwise(pairs):
        if index[after] - index[before] == 1:
            xs.append(x1 - x0)
            ys.append(y1 - y0)
    return xs, ys


@dataclass(frozen=True, slots=True)
class ChangeCorrelation:
    """The correlation of the two sides' changes and what it rests on."""

    found: Correlation
    n_effective: float | None


def change_correlation(
    series: Sequence[Period], pairs: Sequence[tuple[Period, float, float]], confidence: float
) -> ChangeCorrelation:
    """Monthly series of a KPI and a business figure drift and trend; two unrelated ones then
    correlate "significantly" half the time (Yule 1926; Granger & Newbold 1974). So the
    changes from period to period are correlated instead (a trend becomes a constant, a random
    walk its independent steps), tested with the effective number of independent changes left
    by their autocorrelation (Pyper & Peterman 1998) and Student's t exactly."""
    if len(pairs) < MIN_PERIODS:
        return ChangeCorrelation(Correlation(None, len(pairs), None, None, None), None)
    xs, ys = changes(series, pairs)
    if len(xs) < 4:
        return ChangeCorrelation(Correlation(None, len(pairs), None, None, None), None)
    n_effective = effective_pairs(xs, ys)
    found = correlation_test(xs, ys, n_effective, confidence)
    return ChangeCorrelation(
        replace(found, n=len(pairs)), n_effective if found.r is not None else None
    )


def _business_point(program: Program, kpi: str) -> MeasurementPoint | None:
    return next((p for p in program.measurement_points if p.kpi == kpi), None)


def _cx_series(
    program: Program, cx: str, aggregates: Aggregates
) -> tuple[CxKind, MeasurementPoint, Kpi, SegmentKey, dict[Cell, Counts]] | None:
    """What the CX side is: its point, KPI (as judged), segment and counts per cell."""
    kpis = {k.id: k for k in program.kpis}
    points = {p.id: p for p in program.measurement_points}
    objective = next((o for o in program.objectives if o.id == cx), None)
    if objective is not None:
        point = points.get(objective.measurement_point)
        if point is None:
            return None
        kpi = kpis.get(point.kpi)
        if kpi is None:
            return None
        segment = tuple(sorted(objective.segment.items()))
        if objective.theme is not None:
            theme = next((t.name for t in program.themes if t.id == objective.theme), None)
            judged = theme_share_kpi(objective, kpi, theme or objective.theme)
            counts = {c: n for (t, c), n in aggregates.theme_shares.items() if t == objective.theme}
            return "objective", point, judged, segment, counts
        return "objective", point, kpi, segment, aggregates.counts
    point = points.get(cx)
    if point is None or point.kpi not in kpis:
        return None
    return "measurement_point", point, kpis[point.kpi], (), aggregates.counts


def links_section(
    program: Program,
    aggregates: Aggregates,
    answers: Sequence[Answer] = (),
    confidence: float = 0.95,
) -> tuple[Link, ...]:
    """Every link of the program, its changes correlated; the verdicts adjusted across the
    links by the program's `decisions.adjustment` at its `error_rate`."""
    settings = program.program.decisions
    kpis = {k.id: k for k in program.kpis}
    by_point = answered_by_point(answers)
    out: list[Link] = []
    found_of: dict[int, ChangeCorrelation] = {}
    for link in program.links:
        cx = _cx_series(program, link.cx, aggregates)
        business = _business_point(program, link.business)
        kpi = kpis.get(link.business)
        groups = by_group(
            cx[1] if cx else None, cx[2] if cx else None, business, by_point, confidence
        )
        if cx is None or business is None or kpi is None or kpi.type is not KpiType.VALUE:
            out.append(
                Link(
                    cx=link.cx,
                    business=link.business,
                    expected=link.expected,
                    by_group=groups,
                    side=None,
                    n=0,
                    r=None,
                    ci_low=None,
                    ci_high=None,
                    p_value=None,
                    verdict="not_estimable",
                    pairs=(),
                )
            )
            continue
        kind, point, cx_kpi, segment, counts = cx
        pairs = _pairs(point, cx_kpi, segment, counts, business, aggregates, confidence)
        correlated = change_correlation(aggregates.series.get(business.id, []), pairs, confidence)
        found = correlated.found
        if found.r is not None:
            found_of[len(out)] = correlated
        out.append(
            Link(
                cx=link.cx,
                business=link.business,
                expected=link.expected,
                by_group=groups,
                side=CxSide(kind, point.id, cx_kpi.direction),
                n=found.n,
                r=_rounded(found.r),
                ci_low=_rounded(found.ci_low),
                ci_high=_rounded(found.ci_high),
                p_value=_rounded(found.p_value),
                verdict="not_estimable",  # decided below, across the links
                pairs=tuple(LinkPair(p, _rounded(x), _rounded(y)) for p, x, y in pairs),
                reason=None if found.r is not None else _why_not(len(pairs)),
                method="changes",
                n_effective=_rounded(correlated.n_effective),
            )
        )
    family = sorted(found_of)
    q = dict(
        zip(
            family,
            adjusted([_p(found_of[i].found) for i in family], settings.adjustment),
            strict=True,
        )
    )
    return tuple(
        replace(
            link,
            verdict=verdict(
                found_of[i].found,
                q[i],
                settings.error_rate,
                link.expected,
                link.side.direction,
            ),
            p_adjusted=_rounded(q[i]),
        )
        if i in found_of and link.side is not None
        else link
        for i, link in enumerate(out)
    )


def _why_not(paired: int) -> str:
    if paired >= MIN_PERIODS:
        return f"{paired} periods pair up, but one side does not change from period to period"
    return (
        f"not enough periods: {paired} complete business period(s) pair up and a link needs "
        f"{MIN_PERIODS} (a CX window coarser than the business KPI's never pairs)"
    )


def _p(found: Correlation) -> float:
    # an estimated correlation always has its p-value
    assert found.p_value is not None
    return found.p_value


def _pairs(
    point: MeasurementPoint,
    kpi: Kpi,
    segment: SegmentKey,
    counts: dict[Cell, Counts],
    business: MeasurementPoint,
    aggregates: Aggregates,
    confidence: float,
) -> list[tuple[Period, float, float]]:
    inner = aggregates.series.get(point.id, [])
    found = []
    for period in aggregates.series.get(business.id, []):
        delivered = aggregates.values.get(Cell(business.id, period, ()))
        if delivered is None or not period.complete:
            continue
        parts = [p for p in inner if period.start <= p.start and p.end <= period.end]
        if not parts:
            continue
        total = Counts()
        for part in parts:
            total = total + counts.get(Cell(point.id, part, segment), Counts())
        value = estimate(kpi, total, confidence).value
        if value is not None:
            found.append((period, value, delivered.value))
    return found


NPS_GROUPS = ("promoters", "passives", "detractors")
TOP_BOX_GROUPS = ("positive", "other")
"""Respondent groups, best first: NPS's, and a percent-positive KPI's."""


def groups_of(kpi: Kpi) -> tuple[str, ...] | None:
    if kpi.type is KpiType.NPS:
        return NPS_GROUPS
    if kpi.type in (KpiType.CSAT, KpiType.CES, KpiType.TOP_BOX) and kpi.effective_positive:
        return TOP_BOX_GROUPS
    return None


def respondent_group(kpi: Kpi, value: float) -> str | None:
    """The group of one answer: NPS's promoter (9–10), passive (7–8) or detractor (0–6); for a
    top-box KPI, inside the positive range or not; none for a mean KPI."""
    if kpi.type is KpiType.NPS:
        return "promoters" if value >= 9 else "passives" if value >= 7 else "detractors"
    if groups_of(kpi) == TOP_BOX_GROUPS and kpi.effective_positive is not None:
        low, high = kpi.effective_positive
        return "positive" if low <= value <= high else "other"
    return None


def by_group(
    cx_point: MeasurementPoint | None,
    cx_kpi: Kpi | None,
    business: MeasurementPoint | None,
    by_point: dict[str, list[Answer]],
    confidence: float,
) -> ByGroup:
    """The business outcome per respondent group, from customer-keyed records on both sides."""
    if cx_point is None or cx_kpi is None or business is None:
        return GroupsUnavailable(
            "no_points", "the link's CX side or business KPI has no measurement point"
        )
    names = groups_of(cx_kpi)
    if names is None:
        return GroupsUnavailable(
            "no_groups", f"answers of a {cx_kpi.type.value} KPI form no respondent groups"
        )
    outcomes = by_point.get(business.id, [])
    if not outcomes:
        return GroupsUnavailable(
            "no_customer_records",
            "no business records with customer keys: business KPI values delivered per period "
            "(--kpi-values) carry none",
        )
    newest: dict[str, Answer] = {}
    for a in by_point.get(cx_point.id, []):
        known = newest.get(a.customer)
        if known is None or (a.day, a.survey) > (known.day, known.survey):
            newest[a.customer] = a
    later: dict[str, list[float]] = defaultdict(list)
    for record in outcomes:
        answer = newest.get(record.customer)
        if answer is not None and record.day >= answer.day and record.value is not None:
            later[record.customer].append(record.value)
    totals: dict[str, Counts] = {g: Counts() for g in names}
    for customer, values in sorted(later.items()):
        answered = newest[customer].value
        assert answered is not None
        group = respondent_group(cx_kpi, answered)
        if group is None:
            continue
        mean = sum(values) / len(values)
        totals[group] = totals[group] + Counts(n=1, shift=mean)  # one value: no deviation
    if not any(c.n for c in totals.values()):
        return GroupsUnavailable(
            "no_records_after",
            f"no customer has business records on or after their newest answer at {cx_point.id}",
        )
    difference = mean_change(totals[names[-1]], totals[names[0]], confidence)
    return GroupOutcomes(
        basis="customers",
        measurement_point=cx_point.id,
        business_point=business.id,
        groups=tuple(_group(name, totals[name], confidence) for name in names),
        difference=GroupDifference(
            between=(names[0], names[-1]),
            delta=_rounded(difference.delta if difference else None),
            ci_low=_rounded(difference.ci_low if difference else None),
            ci_high=_rounded(difference.ci_high if difference else None),
            p_value=_rounded(difference.p_value if difference else None),
        ),
    )


def _group(name: str, counts: Counts, confidence: float) -> GroupOutcome:
    found = mean_estimate(counts, confidence)
    return GroupOutcome(
        group=name,
        customers=counts.n,
        mean=_rounded(found.value),
        ci_low=_rounded(found.ci_low),
        ci_high=_rounded(found.ci_high),
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
