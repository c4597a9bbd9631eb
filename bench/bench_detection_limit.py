"""How well can any monitor catch a shortfall of a given size within three periods, when
on-target objectives may open an action in 24 months at most so often?

`bench_decisions.py` measures cxgov's own decisions through the real pipeline. This script
asks what is possible at all, on the monthly standardized shortfall alone (z ~ N(0, 1) on
target, N(δ, 1) after a shortfall of δ standard deviations from month 13):

- the information limit: a detector that knows the window, the sum of the last three z over
  √3, with its limit set so that on-target objectives alarm in 24 months at exactly the
  null budget (default 10 %), and how often it catches δ within three periods;
- cxgov's monitor for comparison: the one-sided CUSUM (k = 1, the limit from the in-control
  run length) together with the per-period test at the family-adjusted level α/m, for several
  run lengths.

A 5-point CES top-box shortfall (75 → 70 %) at 300 answers a month is δ ≈ 1.89; CSAT 80 → 75 %
is δ ≈ 2.0. Standard library only; seeded, so the figures repeat.

    .venv/bin/python bench/bench_detection_limit.py [--delta 1.89] [--runs 200000]
"""

from __future__ import annotations

import argparse
import math
import random
from statistics import NormalDist

from cxgov.stats import cusum_threshold

MONTHS = 24
SHIFT_MONTH = 12  # 0-based: the 13th month is the first below target
WITHIN = 3
CUSUM_K = 1.0


def _window_sums(zs: list[float]) -> list[float]:
    """Per month from the third on, the sum of the last three z over √3."""
    return [(zs[t - 2] + zs[t - 1] + zs[t]) / math.sqrt(3) for t in range(2, len(zs))]


def information_limit(
    delta: float, budget: float, runs: int, rng: random.Random
) -> tuple[float, float]:
    """The window detector's limit for the null budget, and its detection within three
    periods of a δ shortfall (runs that alarmed before the shift are left out)."""
    maxima = sorted(
        max(_window_sums([rng.gauss(0, 1) for _ in range(MONTHS)])) for _ in range(runs)
    )
    limit = maxima[min(runs - 1, math.ceil((1 - budget) * runs))]
    caught = kept = 0
    for _ in range(runs):
        zs = [rng.gauss(delta if t >= SHIFT_MONTH else 0, 1) for t in range(SHIFT_MONTH + WITHIN)]
        sums = _window_sums(zs)
        before, after = sums[: SHIFT_MONTH - 2], sums[SHIFT_MONTH - 2 :]
        if before and max(before) >= limit:
            continue
        kept += 1
        caught += max(after) >= limit
    return limit, caught / kept


def cusum_figures(
    delta: float, run_length: float, per_period: float, runs: int, rng: random.Random
) -> tuple[float, float]:
    """CUSUM (k = 1) or the per-period test: the share of on-target objectives with an alarm
    in 24 months, and the detection of δ within three periods."""
    limit = cusum_threshold(run_length, CUSUM_K)
    false_alarms = 0
    for _ in range(runs):
        statistic = 0.0
        for _ in range(MONTHS):
            z = rng.gauss(0, 1)
            statistic = max(0.0, statistic + z - CUSUM_K)
            if statistic >= limit or z > per_period:
                false_alarms += 1
                break
    caught = kept = 0
    for _ in range(runs):
        statistic, early = 0.0, False
        for _ in range(SHIFT_MONTH):
            z = rng.gauss(0, 1)
            statistic = max(0.0, statistic + z - CUSUM_K)
            early |= statistic >= limit or z > per_period
        if early:
            continue
        kept += 1
        for _ in range(WITHIN):
            z = rng.gauss(delta, 1)
            statistic = max(0.0, statistic + z - CUSUM_K)
            if statistic >= limit or z > per_period:
                caught += 1
                break
    return false_alarms / runs, caught / kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delta", type=float, default=1.89, help="shortfall in SDs (1.89: CES)")
    parser.add_argument("--budget", type=float, default=0.10, help="null actions in 24 months")
    parser.add_argument("--runs", type=int, default=200_000)
    parser.add_argument("--objectives", type=int, default=32, help="family size (α/m per period)")
    parser.add_argument("--error-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    limit, detected = information_limit(args.delta, args.budget, args.runs, rng)
    print(
        f"δ = {args.delta:g} SD, null budget {args.budget:.0%} of on-target objectives with an "
        f"alarm in {MONTHS} months, {args.runs:,} runs a figure"
    )
    print(
        f"information limit (window of 3, limit {limit:.2f}): caught within {WITHIN} periods "
        f"{detected:.1%}"
    )
    per_period = NormalDist().inv_cdf(1 - args.error_rate / args.objectives)
    print(f"cxgov's monitor: CUSUM k = 1 and the per-period test at z > {per_period:.2f}")
    print("  run length   on target, alarm in 24 months   caught within 3 periods")
    for run_length in (400, 300, 250, 200):
        null, caught = cusum_figures(args.delta, run_length, per_period, args.runs // 4, rng)
        print(f"  {run_length:>10}   {null:>29.1%}   {caught:>23.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
