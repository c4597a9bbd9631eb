"""Statistics of the voice of the customer: correlations with Fisher-z intervals, and KPI counts
of groups of answers (so the two-group differences reuse `cxgov.stats`' two-sample tests).

Pure functions; formulas in the docstrings.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import NormalDist

from cxgov.model import Kpi, KpiType, Statistic
from cxgov.stats import Change, Counts, mean_change, nps_change, percent_change

_NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class Correlation:
    r: float | None
    """Pearson's r; None when fewer than 4 pairs or either side does not vary."""
    n: int
    ci_low: float | None
    ci_high: float | None
    p_value: float | None

    @property
    def includes_zero(self) -> bool:
        return self.ci_low is None or self.ci_high is None or self.ci_low <= 0 <= self.ci_high


def pearson(xs: Sequence[float], ys: Sequence[float], confidence: float = 0.95) -> Correlation:
    """Pearson's r = Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² · Σ(y−ȳ)²) with a Fisher-z interval:
    z = atanh(r), SE = 1/√(n−3), interval tanh(z ± z_{(1+c)/2}·SE); p = 2·(1 − Φ(|z|/SE)).
    Needs n ≥ 4 pairs (n − 3 > 0) and variation on both sides."""
    if len(xs) != len(ys):
        raise ValueError("pearson needs pairs: xs and ys differ in length")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    n = len(xs)
    if n < 4:
        return Correlation(None, n, None, None, None)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return Correlation(None, n, None, None, None)
    r = max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))
    if abs(r) == 1.0:
        return Correlation(r, n, r, r, 0.0)
    z, se = math.atanh(r), 1 / math.sqrt(n - 3)
    q = _NORMAL.inv_cdf(0.5 + confidence / 2)
    p = 2 * (1 - _NORMAL.cdf(abs(z) / se))
    return Correlation(r, n, math.tanh(z - q * se), math.tanh(z + q * se), p)


def counts_of(kpi: Kpi, values: Iterable[float]) -> Counts:
    """Additive counts of answers (not-applicable answers already left out), as the SQL
    aggregation counts them: NPS groups 9–10 / 7–8 / 0–6, positives in the KPI's positive
    range, sum and sum of squares."""
    low, high = kpi.effective_positive or (math.inf, -math.inf)
    n = promoters = passives = detractors = positives = 0
    total = sumsq = 0.0
    for v in values:
        n += 1
        if v >= 9:
            promoters += 1
        elif v >= 7:
            passives += 1
        else:
            detractors += 1
        if low <= v <= high:
            positives += 1
        total += v
        sumsq += v * v
    return Counts(n, promoters, passives, detractors, positives, total, sumsq)


def kpi_difference(kpi: Kpi, first: Counts, second: Counts, confidence: float) -> Change | None:
    """The KPI of group `second` minus that of group `first`, with the KPI's two-sample test:
    NPS Δ with SE = 100·√(V₁/n₁ + V₂/n₂); percentages by the two-proportion z test; means by
    Welch's t test (see `cxgov.stats`)."""
    if kpi.type is KpiType.NPS:
        return nps_change(first, second, confidence)
    if kpi.effective_statistic is Statistic.MEAN:
        return mean_change(first, second, confidence)
    if kpi.type is KpiType.VALUE:
        return None
    return percent_change(first.positives, first.n, second.positives, second.n, confidence)


def kpi_value(kpi: Kpi, counts: Counts) -> float | None:
    """The KPI of a group of answers: NPS on −100..100, % positive, or the mean."""
    if counts.n == 0:
        return None
    if kpi.type is KpiType.NPS:
        return 100 * (counts.promoters - counts.detractors) / counts.n
    if kpi.effective_statistic is Statistic.MEAN:
        return counts.total / counts.n
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
