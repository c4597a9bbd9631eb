"""The tests behind theme effects and business links, pinned against published values: the
exact permutation test, the t test of a correlation, and the effective number of pairs."""

from __future__ import annotations

import math
import random

import pytest

from cxgov.stats import (
    autocorrelation,
    correlation_p,
    correlation_test,
    effective_pairs,
    exact_permutation_p,
    pearson,
)


def test_the_permutation_test_counts_every_split() -> None:
    # pooled [1, 1, 0, 0] into two pairs: six splits, the observed one and its mirror are as
    # extreme, so p = 2/6
    assert exact_permutation_p([1, 1], [0, 0]) == pytest.approx(1 / 3, abs=1e-15)
    assert exact_permutation_p([1, 0], [1, 0]) == 1.0


def test_the_lady_tasting_tea() -> None:
    # Fisher (1935): 8 cups, 4 with milk first, all four named right; one-sided 1/70, and the
    # two-sided test counts the opposite extreme too
    assert exact_permutation_p([1, 1, 1, 1], [0, 0, 0, 0]) == pytest.approx(2 / 70, abs=1e-15)


def test_nps_scores_are_split_exactly() -> None:
    # NPS scores +100/0/−100: three promoters and a detractor against two passives and two
    # detractors; by hand over all C(8, 4) = 70 splits of the pooled scores
    with_theme = [100, 100, 100, -100]
    without = [0, 0, -100, -100]
    pooled = with_theme + without
    observed = abs(sum(with_theme) - 4 * sum(pooled) / 8)
    from itertools import combinations

    extreme = sum(
        abs(sum(pooled[i] for i in split) - 4 * sum(pooled) / 8) >= observed - 1e-9
        for split in combinations(range(8), 4)
    )
    assert exact_permutation_p(with_theme, without) == pytest.approx(extreme / 70, abs=1e-15)


def test_many_distinct_values_are_sampled_reproducibly() -> None:
    generator = random.Random(7)
    a = [generator.gauss(0.6, 1) for _ in range(25)]
    b = [generator.gauss(0, 1) for _ in range(200)]
    first = exact_permutation_p(a, b, seed="theme|point|2026-01-01")
    assert first == exact_permutation_p(a, b, seed="theme|point|2026-01-01")
    # a permutation test compares the groups as if one variance held for both: close to the
    # pooled two-sample test on these near-normal data (p = 0.036 there)
    mean_a, mean_b = sum(a) / 25, sum(b) / 200
    pooled = (sum((x - mean_a) ** 2 for x in a) + sum((x - mean_b) ** 2 for x in b)) / 223
    z = (mean_a - mean_b) / math.sqrt(pooled * (1 / 25 + 1 / 200))
    assert first == pytest.approx(math.erfc(abs(z) / math.sqrt(2)), abs=0.006)
    assert exact_permutation_p(a, b, seed="another") != first


@pytest.mark.parametrize(
    ("n", "critical"),
    # critical values of Pearson's r, two-sided 5 % (any table of r, e.g. Fisher & Yates)
    [(12, 0.576), (24, 0.404), (7, 0.754)],
)
def test_the_t_test_of_r_meets_the_published_critical_values(n: int, critical: float) -> None:
    assert correlation_p(critical, n) == pytest.approx(0.05, abs=0.0015)


def test_the_exact_p_value_not_the_normal_approximation() -> None:
    # n = 12, r = 0.916: t = 7.22 on 10 degrees of freedom gives 2.8e-5; Fisher's z with a
    # normal tail claims 2.6e-6, ten times too sure
    assert correlation_p(0.916, 12) == pytest.approx(2.8e-5, rel=0.03)
    xs = [float(i) for i in range(12)]
    ys = [x + 0.4 * ((-1) ** i) * (i % 5) for i, x in enumerate(xs)]
    found = correlation_test(xs, ys, 12)
    assert found.r is not None and found.p_value is not None
    assert found.p_value == pytest.approx(correlation_p(found.r, 12), rel=1e-12)
    # the same interval as Fisher's z on n pairs
    fisher = pearson(xs, ys)
    assert (found.ci_low, found.ci_high) == pytest.approx((fisher.ci_low, fisher.ci_high))


def test_autocorrelation_and_the_effective_number_of_pairs() -> None:
    alternating = [(-1.0) ** t for t in range(10)]
    # Σ(xₜ − x̄)(xₜ₊₁ − x̄) = −9 over Σ(xₜ − x̄)² = 10
    assert autocorrelation(alternating, 1) == pytest.approx(-0.9)
    assert autocorrelation(alternating, 2) == pytest.approx(0.8)
    trend = [float(t) for t in range(20)]
    # two trends: each lag's autocorrelations multiply to a large positive number, so 20 pairs
    # count as far fewer (Pyper & Peterman: 1/n* = 1/n + (2/n)·Σ (n − j)/n · ρₓ(j)ρᵧ(j))
    expected = 20 / (
        1 + 2 * sum((20 - j) / 20 * autocorrelation(trend, j) ** 2 for j in range(1, 5))
    )
    assert effective_pairs(trend, trend) == pytest.approx(expected)
    assert effective_pairs(trend, trend) < 8
    # autocorrelations of opposite signs would count more pairs than there are: never
    assert effective_pairs(alternating, [float(t) for t in range(10)]) == 10
