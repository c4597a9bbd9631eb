"""Whether a shortfall is beyond noise: one period's one-sided tests, the adjustment across a
period's many verdicts, and the monitor that finds a shortfall sustained over several periods.

Three error rates are in play, each stated in `program.decisions` (docs/verdicts.md):

- A period's miss is a one-sided test against each threshold (target, warn, fail). The
  objectives × segments judged for the same period are one family, adjusted together
  (Benjamini–Hochberg by default, or Holm), so a program of 200 objectives does not show ten
  false misses every month.
- A shortfall too small for one period to establish is found by a one-sided CUSUM of the
  periods' standardized shortfalls, Sₜ = max(0, Sₜ₋₁ + zₜ − k). k = 1 tunes it to shortfalls of
  about two standard errors a period (5 points of a CSAT at 300 answers a month); its limit h is
  set so an objective exactly on target raises a false alarm once in `run_length` periods on
  average. A CUSUM, not a fixed pooled window, because it finds a sustained shortfall after as
  many periods as its size needs and forgets a single bad month.
- A decline (against the previous period and a year ago) is tested with its own error rate,
  shared by its two comparisons (Bonferroni, the first step of Holm) and adjusted across the
  family like a miss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cxgov.model import Adjustment
from cxgov.stats import benjamini_hochberg, cusum_threshold, holm, normal_quantile

CUSUM_REFERENCE = 1.0
"""k: half the standardized shortfall per period the monitor is tuned to detect fastest."""

_Z_LIMIT = 8.0
"""A period's standardized shortfall is clipped here, so one extreme month (p ≈ 0) cannot
carry the monitor for years afterwards."""


@dataclass(frozen=True, slots=True)
class ThresholdTests:
    """One-sided p-values that a period's true value is worse than each threshold; None where
    the objective has no such threshold or the data cannot be tested."""

    target: float | None = None
    warn: float | None = None
    fail: float | None = None


def adjusted(p_values: Sequence[float], adjustment: Adjustment) -> list[float]:
    """The family's p-values adjusted for their number, in the same order."""
    if adjustment is Adjustment.BENJAMINI_HOCHBERG:
        return benjamini_hochberg(p_values)
    if adjustment is Adjustment.HOLM:
        return holm(p_values)
    return list(p_values)


def one_sided_fall(p_two_sided: float, fell: bool) -> float:
    """The one-sided p-value of a change in the worse direction, from a symmetric two-sided
    test: half the two-sided p when the change went the worse way, else one minus that."""
    return p_two_sided / 2 if fell else 1.0 - p_two_sided / 2


def clipped(z: float) -> float:
    return max(-_Z_LIMIT, min(_Z_LIMIT, z))


def standardized_shortfall(p_value: float) -> float:
    """z = Φ⁻¹(1 − p): how many standard errors short of the target a period is, read from its
    one-sided p-value, so NPS, percentages and means feed the monitor on one scale."""
    bounded = min(max(p_value, 1e-15), 1 - 1e-15)
    return clipped(normal_quantile(1.0 - bounded))


@dataclass(frozen=True, slots=True)
class MonitorStep:
    statistic: float
    """Sₜ after this period."""
    since: int
    """Periods in the current excursion (Sₜ > 0 since then), this one included; 0 at rest."""
    alarm: bool


def monitor(shortfalls: Sequence[float | None], run_length: int) -> list[MonitorStep]:
    """The CUSUM over one objective's complete periods, oldest first. A period that could not
    be tested (None) leaves the statistic where it was: missing data is not evidence."""
    limit = cusum_threshold(run_length, CUSUM_REFERENCE)
    statistic, since = 0.0, 0
    steps: list[MonitorStep] = []
    for z in shortfalls:
        if z is not None:
            statistic = max(0.0, statistic + z - CUSUM_REFERENCE)
            since = since + 1 if statistic > 0 else 0
        steps.append(MonitorStep(statistic, since, statistic >= limit))
    return steps
