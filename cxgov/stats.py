"""Statistics of CX KPIs: pure functions on additive counts, formulas in the docstrings.

Everything here takes counts and returns numbers: no I/O, no third-party imports. NPS values
and intervals are on the −100..100 scale, percentages on 0..100.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import NormalDist

_STANDARD_NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class Counts:
    """Additive counts of answers in one cell (measurement point × period × segment).

    Windows and segments combine by adding Counts, never by averaging ratios.

    The values are summed as deviations from `shift`, a constant near them (the cell's first
    answer, say): the variance from plain sums, (Σx² − (Σx)²/n)/(n − 1), cancels
    catastrophically when the values are large against their spread (1e8 ± 1 gives 0), while
    deviations from a nearby constant are small and keep their digits. Shifted sums rather than
    Chan–Golub–LeVeque's (n, mean, M₂): a database sums deviations from a constant in one pass
    with a plain SUM, where M₂ needs the mean first. Cells with different shifts add by moving
    one onto the other's shift, exactly in algebra: Σ(x−c₂) = Σ(x−c₁) + n(c₁−c₂) and
    Σ(x−c₂)² = Σ(x−c₁)² + 2(c₁−c₂)Σ(x−c₁) + n(c₁−c₂)².
    """

    n: int = 0
    """Answers with a value (not-applicable answers never count)."""
    promoters: int = 0
    """NPS 9–10."""
    passives: int = 0
    """NPS 7–8."""
    detractors: int = 0
    """NPS 0–6."""
    positives: int = 0
    """Answers inside the KPI's positive (top-box) range."""
    shifted_sum: float = 0.0
    """Σ(x − shift) over the values."""
    shifted_sumsq: float = 0.0
    """Σ(x − shift)² over the values."""
    shift: float = 0.0
    """Any constant, best one near the values; with 0 the sums are the plain sums."""

    def __add__(self, other: Counts) -> Counts:
        # an empty side has no sums to move: the other side's shift is kept as it is
        base = other if self.n == 0 else self
        moved_self, moved_other = self.shifted_to(base.shift), other.shifted_to(base.shift)
        return Counts(
            self.n + other.n,
            self.promoters + other.promoters,
            self.passives + other.passives,
            self.detractors + other.detractors,
            self.positives + other.positives,
            moved_self[0] + moved_other[0],
            moved_self[1] + moved_other[1],
            base.shift,
        )

    def shifted_to(self, shift: float) -> tuple[float, float]:
        """Σ(x − shift) and Σ(x − shift)² of these values."""
        if self.n == 0:
            return 0.0, 0.0
        if shift == self.shift:
            return self.shifted_sum, self.shifted_sumsq
        d = self.shift - shift
        return (
            self.shifted_sum + self.n * d,
            self.shifted_sumsq + 2 * d * self.shifted_sum + self.n * d * d,
        )

    @property
    def mean(self) -> float | None:
        """The mean of the values; None without answers."""
        return None if self.n == 0 else self.shift + self.shifted_sum / self.n


@dataclass(frozen=True, slots=True)
class Estimate:
    value: float | None
    """None when there are no answers."""
    n: int
    ci_low: float | None
    ci_high: float | None
    se: float | None


@dataclass(frozen=True, slots=True)
class Change:
    delta: float
    """Later minus earlier."""
    se: float | None
    p_value: float | None
    """Two-sided."""
    ci_low: float | None
    ci_high: float | None
    z: float | None = None
    """The test statistic of later − earlier (normal scale): a one-sided p of a fall is Φ(z)."""


NO_ESTIMATE = Estimate(None, 0, None, None, None)


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")


def normal_quantile(p: float) -> float:
    """Inverse CDF of the standard normal distribution."""
    return _STANDARD_NORMAL.inv_cdf(p)


@functools.cache
def _z(confidence: float) -> float:
    # one confidence per report, asked for by every interval (tens of thousands per report)
    _check_confidence(confidence)
    return normal_quantile(0.5 + confidence / 2)


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Lentz's continued fraction for the regularised incomplete beta (Numerical Recipes 6.4)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularised incomplete beta function."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_cdf(x: float, df: float) -> float:
    """CDF of Student's t: 1 − ½·I_{df/(df+x²)}(df/2, ½) for x ≥ 0, mirrored for x < 0."""
    tail = 0.5 * regularized_beta(df / 2.0, 0.5, df / (df + x * x))
    return 1.0 - tail if x >= 0 else tail


def _solve_increasing(f: Callable[[float], float], target: float, low: float, high: float) -> float:
    """x in [low, high] with f(x) = target for an increasing f, by bisection to 1e-10."""
    for _ in range(200):
        middle = (low + high) / 2.0
        if f(middle) < target:
            low = middle
        else:
            high = middle
        if high - low < 1e-10:
            break
    return (low + high) / 2.0


def t_quantile(p: float, df: float) -> float:
    """Inverse CDF of Student's t with `df` degrees of freedom (df may be fractional, as in
    Welch's test): bisection on `t_cdf` to 1e-10, started from bounds that always hold."""
    if not 0 < p < 1:
        raise ValueError(f"p must lie strictly between 0 and 1, got {p}")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1 - p, df)
    low, high = 0.0, max(1.0, normal_quantile(p))
    while t_cdf(high, df) < p:
        high *= 2.0
    return _solve_increasing(lambda x: t_cdf(x, df), p, low, high)


def _p_value(delta: float, se: float) -> float:
    if se == 0:
        return 1.0 if delta == 0 else 0.0
    return 2.0 * (1.0 - _STANDARD_NORMAL.cdf(abs(delta) / se))


# --- NPS ---------------------------------------------------------------------------------


def nps_value(c: Counts) -> float | None:
    """NPS = 100·(P − D)/n on −100..100."""
    if c.n == 0:
        return None
    return 100.0 * (c.promoters - c.detractors) / c.n


def nps_variance(c: Counts) -> float | None:
    """Per-respondent variance of the NPS on the proportion scale: V = p + d − (p − d)²,
    with p = P/n and d = D/n (each answer scores +1, 0 or −1)."""
    if c.n == 0:
        return None
    p, d = c.promoters / c.n, c.detractors / c.n
    return p + d - (p - d) ** 2


def nps_estimate(c: Counts, confidence: float = 0.95, method: str = "adjusted_wald") -> Estimate:
    """The observed NPS with an interval on −100..100.

    adjusted Wald (default): add 0.75 detractor, 1.5 passive and 0.75 promoter pseudo-answers
    (n + 3), and centre the interval on the adjusted NPS with SE = √(V_adj/(n+3)); this keeps
    intervals sensible for small samples and extreme scores.
    wald: NPS ± z·√(V/n) on the observed counts.
    The reported `se` is the plain √(V/n), ×100.
    """
    z = _z(confidence)
    if method not in ("adjusted_wald", "wald"):
        raise ValueError(f"unknown NPS interval method {method!r} (adjusted_wald or wald)")
    value = nps_value(c)
    variance = nps_variance(c)
    if value is None or variance is None:
        return NO_ESTIMATE
    se = math.sqrt(variance / c.n)
    if method == "wald":
        centre, half = value / 100.0, z * se
    else:
        n_adj = c.n + 3.0
        p = (c.promoters + 0.75) / n_adj
        d = (c.detractors + 0.75) / n_adj
        centre = p - d
        half = z * math.sqrt((p + d - (p - d) ** 2) / n_adj)
    low = max(-100.0, 100.0 * (centre - half))
    high = min(100.0, 100.0 * (centre + half))
    return Estimate(value, c.n, low, high, 100.0 * se)


def nps_change(earlier: Counts, later: Counts, confidence: float = 0.95) -> Change | None:
    """Δ = NPS₂ − NPS₁ in points with SE = 100·√(V₁/n₁ + V₂/n₂), a z test and a Wald interval."""
    z = _z(confidence)
    v1, v2 = nps_variance(earlier), nps_variance(later)
    n1, n2 = nps_value(earlier), nps_value(later)
    if v1 is None or v2 is None or n1 is None or n2 is None:
        return None
    delta = n2 - n1
    se = 100.0 * math.sqrt(v1 / earlier.n + v2 / later.n)
    return Change(delta, se, _p_value(delta, se), delta - z * se, delta + z * se)


# --- percentages ---------------------------------------------------------------------------


def wilson_interval(positives: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion, on 0..1:
    (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)."""
    z = _z(confidence)
    if n == 0:
        raise ValueError("a Wilson interval needs n > 0")
    p = positives / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def percent_estimate(positives: int, n: int, confidence: float = 0.95) -> Estimate:
    """100·positives/n with a Wilson score interval on 0..100 (CSAT, CES % agree, top box)."""
    _check_confidence(confidence)
    if n == 0:
        return NO_ESTIMATE
    p = positives / n
    low, high = wilson_interval(positives, n, confidence)
    return Estimate(100.0 * p, n, 100.0 * low, 100.0 * high, 100.0 * math.sqrt(p * (1 - p) / n))


def percent_change(
    earlier_pos: int, earlier_n: int, later_pos: int, later_n: int, confidence: float = 0.95
) -> Change | None:
    """Two-proportion z test in percentage points: the p-value uses the pooled proportion,
    SE₀ = √(p̄(1−p̄)(1/n₁ + 1/n₂)); the interval uses the unpooled SE = √(p₁q₁/n₁ + p₂q₂/n₂)."""
    z = _z(confidence)
    if earlier_n == 0 or later_n == 0:
        return None
    p1, p2 = earlier_pos / earlier_n, later_pos / later_n
    pooled = (earlier_pos + later_pos) / (earlier_n + later_n)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / earlier_n + 1 / later_n))
    se = math.sqrt(p1 * (1 - p1) / earlier_n + p2 * (1 - p2) / later_n)
    delta = 100.0 * (p2 - p1)
    return Change(
        delta, 100.0 * se, _p_value(p2 - p1, se0), delta - 100.0 * z * se, delta + 100.0 * z * se
    )


# --- decisions: one-sided tests, two-sample changes, many comparisons, repeated looks ----


def normal_cdf(x: float) -> float:
    """Φ(x), the standard normal CDF."""
    return _STANDARD_NORMAL.cdf(x)


def binomial_cdf(successes: int, n: int, p: float) -> float:
    """P(X ≤ x) for X ~ Binomial(n, p), exactly: I_{1−p}(n − x, x + 1)."""
    if successes < 0:
        return 0.0
    if successes >= n:
        return 1.0
    if p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    return regularized_beta(n - successes, successes + 1, 1.0 - p)


def percent_shortfall_p(positives: int, n: int, threshold: float, higher: bool) -> float:
    """One-sided exact binomial p-value that the true % is worse than `threshold` (0..100):
    P(X ≤ x | p₀) when higher is better, P(X ≥ x | p₀) when lower is. Exact, so a small or
    extreme sample (0 of 30, 30 of 30) never gets the zero-variance certainty of a Wald test."""
    p0 = min(max(threshold / 100.0, 0.0), 1.0)
    if higher:
        return binomial_cdf(positives, n, p0)
    return 1.0 - binomial_cdf(positives - 1, n, p0)


def percent_shortfall_z(positives: int, n: int, threshold: float, higher: bool) -> float | None:
    """The score statistic of a shortfall of a %: z = (p₀ − p̂)/√(p₀(1 − p₀)/n) when higher is
    better (mirrored when lower is), standard normal at p = p₀. None at p₀ = 0 or 100 %, where
    it has no spread."""
    p0 = threshold / 100.0
    if n == 0 or not 0.0 < p0 < 1.0:
        return None
    z = (p0 - positives / n) / math.sqrt(p0 * (1.0 - p0) / n)
    return z if higher else -z


def _adjusted_nps(c: Counts) -> tuple[float, float]:
    """The adjusted-Wald NPS (0.75 detractor, 1.5 passive, 0.75 promoter added) and its
    variance on the proportion scale, for n + 3 answers."""
    n_adj = c.n + 3.0
    p = (c.promoters + 0.75) / n_adj
    d = (c.detractors + 0.75) / n_adj
    return p - d, (p + d - (p - d) ** 2) / n_adj


def nps_shortfall_p(c: Counts, threshold: float, higher: bool = True) -> float:
    """One-sided p-value that the true NPS is worse than `threshold` (−100..100):
    z = (NPS_adj − T/100)/√(V_adj/(n+3)), p = Φ(z) (1 − Φ(z) when lower is better)."""
    centre, variance = _adjusted_nps(c)
    z = (centre - threshold / 100.0) / math.sqrt(variance)
    return _STANDARD_NORMAL.cdf(z) if higher else 1.0 - _STANDARD_NORMAL.cdf(z)


def mean_shortfall_p(found: Estimate, threshold: float, higher: bool = True) -> float | None:
    """One-sided t test that the true mean is worse than `threshold`: t = (x̄ − T)/SE with
    n − 1 degrees of freedom. None without a standard error (fewer than two answers)."""
    if found.value is None or found.se is None or found.n < 2:
        return None
    if found.se == 0:
        worse = found.value < threshold if higher else found.value > threshold
        return 0.0 if worse else 1.0
    t = (found.value - threshold) / found.se
    below = t_cdf(t, found.n - 1)
    return below if higher else 1.0 - below


def _adjusted_change(delta: float, diff: float, se: float, z_level: float) -> Change:
    """A change whose test and interval use adjusted proportions (`diff`, `se` on 0..1) while
    the reported `delta` is the observed one, in points."""
    z = diff / se
    return Change(
        delta,
        100.0 * se,
        2.0 * (1.0 - _STANDARD_NORMAL.cdf(abs(z))),
        100.0 * (diff - z_level * se),
        100.0 * (diff + z_level * se),
        z,
    )


def nps_change_adjusted(earlier: Counts, later: Counts, confidence: float = 0.95) -> Change | None:
    """Two-sample adjusted Wald for an NPS difference: each sample gets the 0.75/1.5/0.75
    pseudo-answers, Δ_adj = NPS₂,adj − NPS₁,adj with SE = √(V₁,adj/(n₁+3) + V₂,adj/(n₂+3)).
    The reported delta is the observed one; the interval and test use the adjusted values, so
    1 promoter against 1 detractor is not "p = 0"."""
    z_level = _z(confidence)
    if earlier.n == 0 or later.n == 0:
        return None
    c1, v1 = _adjusted_nps(earlier)
    c2, v2 = _adjusted_nps(later)
    se = math.sqrt(v1 + v2)
    diff = c2 - c1
    delta = (
        100.0 * (later.promoters - later.detractors) / later.n
        - 100.0 * (earlier.promoters - earlier.detractors) / earlier.n
    )
    return _adjusted_change(delta, diff, se, z_level)


def agresti_caffo_change(
    earlier_pos: int, earlier_n: int, later_pos: int, later_n: int, confidence: float = 0.95
) -> Change | None:
    """Agresti–Caffo difference of two proportions, in percentage points: one success and one
    failure added to each sample, p̃ᵢ = (xᵢ + 1)/(nᵢ + 2), SE = √(p̃₁q̃₁/(n₁+2) + p̃₂q̃₂/(n₂+2)),
    interval p̃₂ − p̃₁ ± z·SE and z = (p̃₂ − p̃₁)/SE. Never zero variance (3/3 against 0/50)."""
    z_level = _z(confidence)
    if earlier_n == 0 or later_n == 0:
        return None
    p1 = (earlier_pos + 1) / (earlier_n + 2)
    p2 = (later_pos + 1) / (later_n + 2)
    se = math.sqrt(p1 * (1 - p1) / (earlier_n + 2) + p2 * (1 - p2) / (later_n + 2))
    diff = p2 - p1
    delta = 100.0 * (later_pos / later_n - earlier_pos / earlier_n)
    return _adjusted_change(delta, diff, se, z_level)


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """BH-adjusted p-values (step-up): q₍ᵢ₎ = min over j ≥ i of m·p₍ⱼ₎/j, capped at 1, in the
    input order. Rejecting q ≤ α keeps the expected share of false discoveries at α."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, m * p_values[i] / rank)
        adjusted[i] = min(running, 1.0)
    return adjusted


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values (step-down): q₍ᵢ₎ = max over j ≤ i of (m − j + 1)·p₍ⱼ₎, capped
    at 1, in the input order. Rejecting q ≤ α keeps the chance of any false rejection at α."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order, start=1):
        running = max(running, (m - rank + 1) * p_values[i])
        adjusted[i] = min(running, 1.0)
    return adjusted


def cusum_run_length(h: float, k: float, shift: float = 0.0) -> float:
    """Siegmund's approximation of the average run length of the one-sided CUSUM
    Sₜ = max(0, Sₜ₋₁ + zₜ − k), alarm at Sₜ ≥ h, for zₜ ~ N(shift, 1):
    ARL ≈ (e^{−2Δb} + 2Δb − 1)/(2Δ²) with Δ = shift − k and b = h + 1.166; b² when Δ = 0."""
    delta = shift - k
    b = h + 1.166
    if abs(delta) < 1e-9:
        return b * b
    return (math.exp(-2 * delta * b) + 2 * delta * b - 1) / (2 * delta * delta)


def cusum_threshold(run_length: float, k: float) -> float:
    """The alarm limit h whose in-control (shift 0) average run length is `run_length`:
    bisection on `cusum_run_length`, which grows with h."""
    return _solve_increasing(lambda h: cusum_run_length(h, k), run_length, 0.0, 50.0)


# --- means ---------------------------------------------------------------------------------


def _mean_and_variance(c: Counts) -> tuple[float, float | None]:
    """x̄ = c + Σ(x−c)/n and s² = (Σ(x−c)² − (Σ(x−c))²/n)/(n − 1) from the shifted sums."""
    mean = c.shift + c.shifted_sum / c.n
    if c.n < 2:
        return mean, None
    spread = c.shifted_sumsq - c.shifted_sum * c.shifted_sum / c.n
    return mean, max(spread / (c.n - 1), 0.0)  # guards rounding below zero


def mean_estimate(c: Counts, confidence: float = 0.95) -> Estimate:
    """The sample mean with a t interval: x̄ ± t_{(1+c)/2, n−1}·s/√n, s the sample SD (n − 1)."""
    _check_confidence(confidence)
    if c.n == 0:
        return NO_ESTIMATE
    mean, variance = _mean_and_variance(c)
    if variance is None:
        return Estimate(mean, c.n, None, None, None)
    se = math.sqrt(variance / c.n)
    half = t_quantile(0.5 + confidence / 2, c.n - 1) * se
    return Estimate(mean, c.n, mean - half, mean + half, se)


def mean_change(earlier: Counts, later: Counts, confidence: float = 0.95) -> Change | None:
    """Welch's t test: SE = √(s₁²/n₁ + s₂²/n₂), df by Welch–Satterthwaite."""
    _check_confidence(confidence)
    if earlier.n < 2 or later.n < 2:
        return None
    m1, v1 = _mean_and_variance(earlier)
    m2, v2 = _mean_and_variance(later)
    assert v1 is not None and v2 is not None
    a, b = v1 / earlier.n, v2 / later.n
    se = math.sqrt(a + b)
    delta = m2 - m1
    if se == 0:
        return Change(delta, 0.0, 1.0 if delta == 0 else 0.0, delta, delta)
    df = (a + b) ** 2 / (a * a / (earlier.n - 1) + b * b / (later.n - 1))
    p_value = 2.0 * (1.0 - t_cdf(abs(delta) / se, df))
    half = t_quantile(0.5 + confidence / 2, df) * se
    return Change(delta, se, p_value, delta - half, delta + half)


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
    q = _STANDARD_NORMAL.inv_cdf(0.5 + confidence / 2)
    p = 2 * (1 - _STANDARD_NORMAL.cdf(abs(z) / se))
    return Correlation(r, n, math.tanh(z - q * se), math.tanh(z + q * se), p)


def exact_permutation_p(
    with_values: Sequence[float], without_values: Sequence[float], *, seed: str = ""
) -> float:
    """Two-sided permutation p-value of the difference of two groups' means: the share of all
    ways to split the pooled values into groups of these sizes whose difference is at least as
    far from zero as the observed one (`with` − `without`; Fisher–Pitman).

    Exact when the values are few distinct numbers (NPS scores, top-box 0/100, a 1–5 scale):
    the sum of the first group then has a distribution over (taken, sum) states built with one
    binomial coefficient per value and count, in integers (a multivariate hypergeometric), so
    there is no sampling error and nothing to seed. Otherwise (many distinct values, a long
    free-text scale) 9,999 random splits drawn from a generator seeded by `seed`, so a report is
    the same every time it is built: p = (1 + splits at least as extreme) / (1 + 9,999).
    Written here rather than taken from scipy, which is not among the locked dependencies."""
    n_with, n_without = len(with_values), len(without_values)
    if n_with == 0 or n_without == 0:
        raise ValueError("a permutation test needs answers on both sides")
    pooled = [*with_values, *without_values]
    total, n = sum(pooled), len(pooled)
    # |mean_w − mean_o| grows with |S_w − n_w·T/n|: compare sums, with room for rounding
    centre = n_with * total / n
    observed = abs(sum(with_values) - centre) - 1e-9 * (1 + abs(total))
    counts: dict[float, int] = {}
    for value in pooled:
        counts[value] = counts.get(value, 0) + 1
    if len(counts) > EXACT_VALUES:
        return _sampled_permutation_p(pooled, n_with, centre, observed, seed)
    states: dict[tuple[int, float], int] = {(0, 0.0): 1}
    for value, available in counts.items():
        grown: dict[tuple[int, float], int] = {}
        for (taken, partial), ways in states.items():
            for k in range(min(available, n_with - taken) + 1):
                key = (taken + k, partial + k * value)
                grown[key] = grown.get(key, 0) + ways * math.comb(available, k)
        states = grown
        if len(states) > EXACT_STATES:
            return _sampled_permutation_p(pooled, n_with, centre, observed, seed)
    extreme = sum(
        ways
        for (taken, partial), ways in states.items()
        if taken == n_with and abs(partial - centre) >= observed
    )
    return min(1.0, extreme / math.comb(n, n_with))


EXACT_VALUES = 21
"""Most distinct values the exact permutation test enumerates (a 0–10 scale, halves of a 1–10
one); more, and it samples."""
EXACT_STATES = 200_000
"""Most (taken, sum) states the exact permutation test keeps before it samples instead."""
PERMUTATIONS = 9_999
"""Random splits of a sampled permutation test: p is never below 1/10,000."""


def _sampled_permutation_p(
    pooled: list[float], n_with: int, centre: float, observed: float, seed: str
) -> float:
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    generator = random.Random(int.from_bytes(digest[:8], "big"))
    extreme = 0
    for _ in range(PERMUTATIONS):
        if abs(sum(generator.sample(pooled, n_with)) - centre) >= observed:
            extreme += 1
    return (1 + extreme) / (1 + PERMUTATIONS)


def autocorrelation(values: Sequence[float], lag: int) -> float:
    """The sample autocorrelation at `lag`: Σ(xₜ − x̄)(xₜ₊ₗ − x̄) / Σ(xₜ − x̄)² (0 for a constant
    series)."""
    n = len(values)
    mean = sum(values) / n
    denominator = sum((v - mean) ** 2 for v in values)
    if denominator == 0 or lag >= n:
        return 0.0
    numerator = sum((values[t] - mean) * (values[t + lag] - mean) for t in range(n - lag))
    return numerator / denominator


def effective_pairs(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Pyper & Peterman's (1998) effective number of independent pairs for correlating two
    autocorrelated series: 1/n* = 1/n + (2/n)·Σⱼ ((n − j)/n)·ρₓ(j)·ρᵧ(j) over lags j = 1..n/5,
    capped at n (the correction only ever widens: chance agreement of the two series'
    autocorrelations does not make n pairs worth more than n)."""
    n = len(xs)
    if n != len(ys):
        raise ValueError("effective_pairs needs pairs: xs and ys differ in length")
    inflation = 1.0 + 2.0 * sum(
        (n - j) / n * autocorrelation(xs, j) * autocorrelation(ys, j)
        for j in range(1, max(1, n // 5) + 1)
    )
    return n if inflation <= 1.0 else n / inflation


def correlation_test(
    xs: Sequence[float], ys: Sequence[float], n_effective: float, confidence: float = 0.95
) -> Correlation:
    """Pearson's r of the pairs, tested with `n_effective` independent pairs: the exact
    t test t = r·√(n* − 2)/√(1 − r²) on n* − 2 degrees of freedom (Student's t CDF through the
    regularised incomplete beta), and the Fisher-z interval tanh(atanh r ± z·/√(n* − 3)). Needs
    n* > 3 and variation on both sides; `n` of the result is the pairs, not n*."""
    found = pearson(xs, ys, confidence)
    if found.r is None or n_effective <= 3:
        return Correlation(None, len(xs), None, None, None)
    r = found.r
    if abs(r) == 1.0:
        return Correlation(r, len(xs), r, r, 0.0)
    z, se = math.atanh(r), 1 / math.sqrt(n_effective - 3)
    q = _z(confidence)
    return Correlation(
        r, len(xs), math.tanh(z - q * se), math.tanh(z + q * se), correlation_p(r, n_effective)
    )


def correlation_p(r: float, n: float) -> float:
    """Two-sided p-value of Pearson's r from n independent pairs under no correlation, exactly:
    t = r·√(n − 2)/√(1 − r²) has Student's t distribution on n − 2 degrees of freedom."""
    if n <= 2:
        raise ValueError(f"a correlation's t test needs more than 2 pairs, got {n}")
    if abs(r) >= 1.0:
        return 0.0
    df = n - 2
    t_squared = df * r * r / (1 - r * r)
    # both tails at once, I_{df/(df+t²)}(df/2, ½): no 1 − (1 − p) cancellation for tiny p
    return regularized_beta(df / 2.0, 0.5, df / (df + t_squared))


# --- power and detectability ---------------------------------------------------------------
#
# How many answers a one-sided test needs to tell a KPI on target from one at a lower level,
# and the smallest shortfall a given number of answers can tell. The standard deviations are
# per respondent, on the KPI's own scale (NPS points, percentage points, the mean's scale).

DEFAULT_POWER = 0.8
"""Chance of calling a shortfall that is really there: the usual 80 %."""


def nps_sd(level: float) -> float:
    """Per-respondent SD of the NPS at NPS `level` (−100..100), in NPS points, assuming no
    passives: every answer scores +1 or −1, so V = 1 − (t/100)² on the proportion scale and
    SD = 100·√V. Passives only lower the variance (V = p + d − (p − d)²), so this never
    understates the answers needed."""
    share = min(abs(level) / 100.0, 1.0)
    return 100.0 * math.sqrt(1.0 - share * share)


def percent_sd(level: float) -> float:
    """Per-respondent SD of a percentage at `level` (0..100), in percentage points:
    100·√(p(1−p)) with p = level/100."""
    p = min(max(level / 100.0, 0.0), 1.0)
    return 100.0 * math.sqrt(p * (1.0 - p))


def range_sd(low: float, high: float) -> float:
    """The SD assumed for a mean on the answer scale low..high before any answers are seen:
    (high − low)/4, the range rule of thumb (1.0 on a 1–5 scale, 1.5 on 1–7)."""
    return abs(high - low) / 4.0


def _power_z(error_rate: float, power: float) -> float:
    """z_{1−α} + z_{power}: how many standard errors apart the target and the shortfall must
    be for a one-sided test at error rate α to call the shortfall with that power."""
    if not 0 < error_rate < 1:
        raise ValueError(f"error_rate must lie strictly between 0 and 1, got {error_rate}")
    if not 0 < power < 1:
        raise ValueError(f"power must lie strictly between 0 and 1, got {power}")
    return normal_quantile(1.0 - error_rate) + normal_quantile(power)


def answers_needed(sd: float, gap: float, error_rate: float, power: float = DEFAULT_POWER) -> int:
    """Answers a one-sided z test at `error_rate` (α) needs to call a shortfall of `gap` with
    chance `power`: n = ⌈((z_{1−α} + z_{power})·sd/gap)²⌉, at least one.

    NPS at 60 (sd = 80), gap 5, α = 0.05, power 0.8: ⌈1582.7⌉ = 1,583. CSAT 75 %
    (sd = 43.3), gap 5: ⌈463.7⌉ = 464.
    """
    if gap <= 0:
        raise ValueError(f"gap must be positive, got {gap}")
    if sd < 0:
        raise ValueError(f"sd must not be negative, got {sd}")
    exact = (_power_z(error_rate, power) * sd / gap) ** 2
    # a figure whole up to float rounding (25.000000000004) must not cost an extra answer
    return max(1, math.ceil(exact - 1e-9))


def minimum_detectable_shortfall(
    sd: float, n: int, error_rate: float, power: float = DEFAULT_POWER
) -> float:
    """The smallest shortfall below target that `n` answers call at `error_rate` (α, one
    sided) with chance `power`: (z_{1−α} + z_{power})·sd/√n, on the KPI's scale. The inverse
    of `answers_needed`."""
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}")
    if sd < 0:
        raise ValueError(f"sd must not be negative, got {sd}")
    return _power_z(error_rate, power) * sd / math.sqrt(n)
