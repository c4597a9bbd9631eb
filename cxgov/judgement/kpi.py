"""A KPI's arithmetic: what an answer counts as, the additive counts of a group of answers,
and the KPI's value, estimate and two-sample change from counts.

One home for the "NPS / % positive / mean" dispatch, so verdicts, breakdowns and the voice of
the customer compute a KPI the same way. Formulas in `cxgov.stats`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from cxgov.model import Direction, Kpi, KpiType, Statistic
from cxgov.stats import (
    Change,
    Counts,
    Estimate,
    agresti_caffo_change,
    mean_change,
    mean_estimate,
    mean_shortfall_p,
    nps_change_adjusted,
    nps_estimate,
    nps_shortfall_p,
    percent_estimate,
    percent_shortfall_p,
    percent_shortfall_z,
)


def estimate(kpi: Kpi, counts: Counts, confidence: float) -> Estimate:
    """The KPI of a group of answers with its interval."""
    if kpi.type is KpiType.NPS:
        return nps_estimate(counts, confidence)
    if kpi.effective_statistic is Statistic.MEAN:
        return mean_estimate(counts, confidence)
    return percent_estimate(counts.positives, counts.n, confidence)


def change(kpi: Kpi, earlier: Counts, later: Counts, confidence: float) -> Change | None:
    """`later` minus `earlier` with the KPI's two-sample test: the two-sample adjusted Wald for
    an NPS, Agresti–Caffo for a percentage, Welch's t test for a mean. None for a business KPI,
    whose values are delivered, not counted."""
    if kpi.type is KpiType.VALUE:
        return None
    if kpi.type is KpiType.NPS:
        return nps_change_adjusted(earlier, later, confidence)
    if kpi.effective_statistic is Statistic.MEAN:
        return mean_change(earlier, later, confidence)
    return agresti_caffo_change(earlier.positives, earlier.n, later.positives, later.n, confidence)


def shortfall_p(kpi: Kpi, counts: Counts, found: Estimate, threshold: float) -> float | None:
    """One-sided p-value that the KPI's true value is worse than `threshold` (in the KPI's
    direction): the adjusted Wald for an NPS, the exact binomial for a percentage, the t test
    for a mean. None when the data cannot be tested (no answers, a mean of one answer)."""
    higher = kpi.direction is Direction.HIGHER_IS_BETTER
    if counts.n == 0:
        return None
    if kpi.type is KpiType.NPS:
        return nps_shortfall_p(counts, threshold, higher)
    if not _is_percentage(kpi):
        return mean_shortfall_p(found, threshold, higher)
    return percent_shortfall_p(counts.positives, counts.n, threshold, higher)


def shortfall_z(kpi: Kpi, counts: Counts, threshold: float) -> float | None:
    """A percentage's shortfall against `threshold` as its score statistic (standard normal
    when the true share is the threshold); None for an NPS or a mean, and at 0 or 100 %."""
    if not _is_percentage(kpi):
        return None
    higher = kpi.direction is Direction.HIGHER_IS_BETTER
    return percent_shortfall_z(counts.positives, counts.n, threshold, higher)


def _is_percentage(kpi: Kpi) -> bool:
    """Counted as a share of answers: a top box, or a business % delivered with its n (whose
    counts are that share of n)."""
    if kpi.type is KpiType.VALUE:
        return True
    return kpi.type is not KpiType.NPS and kpi.effective_statistic is not Statistic.MEAN


def counts_of(kpi: Kpi, values: Iterable[float]) -> Counts:
    """Additive counts of answers (not-applicable answers already left out), as the SQL
    aggregation counts them: NPS groups 9–10 / 7–8 / 0–6, positives in the KPI's positive
    range, sum and sum of squares of the deviations from the first answer (see `Counts`)."""
    low, high = kpi.effective_positive or (math.inf, -math.inf)
    n = promoters = passives = detractors = positives = 0
    total = sumsq = 0.0
    shift: float | None = None
    for v in values:
        if shift is None:
            shift = v
        n += 1
        if v >= 9:
            promoters += 1
        elif v >= 7:
            passives += 1
        else:
            detractors += 1
        if low <= v <= high:
            positives += 1
        deviation = v - shift
        total += deviation
        sumsq += deviation * deviation
    return Counts(n, promoters, passives, detractors, positives, total, sumsq, shift or 0.0)


def value_of(kpi: Kpi, counts: Counts) -> float | None:
    """The KPI of a group of answers: NPS on −100..100, % positive, or the mean."""
    if counts.n == 0:
        return None
    if kpi.type is KpiType.NPS:
        return 100 * (counts.promoters - counts.detractors) / counts.n
    if kpi.effective_statistic is Statistic.MEAN:
        return counts.mean
    return 100 * counts.positives / counts.n


def respondent_score(kpi: Kpi, value: float) -> float:
    """One answer on the KPI's own scale for correlating respondents: NPS as +100 (promoter),
    0 (passive) or −100 (detractor), so the mean of the scores is the NPS; a percent KPI as
    100 or 0, so the mean is the % positive; a mean KPI as the answer itself."""
    if kpi.type is KpiType.NPS:
        return 100.0 if value >= 9 else 0.0 if value >= 7 else -100.0
    if kpi.effective_statistic is Statistic.MEAN or kpi.type is KpiType.VALUE:
        return value
    low, high = kpi.effective_positive or (math.inf, -math.inf)
    return 100.0 if low <= value <= high else 0.0
