"""Statistics against published reference values, plus properties that must always hold."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxgov.stats import (
    Counts,
    Estimate,
    mean_change,
    mean_estimate,
    normal_quantile,
    nps_change,
    nps_estimate,
    nps_value,
    nps_variance,
    percent_change,
    percent_estimate,
    t_cdf,
    t_quantile,
    wilson_interval,
)


def nps_counts(detractors: int, passives: int, promoters: int) -> Counts:
    return Counts(detractors + passives + promoters, promoters, passives, detractors)


def test_nps_of_20_detractors_30_passives_50_promoters_is_30() -> None:
    assert nps_value(nps_counts(20, 30, 50)) == 30


def test_nps_variance_and_se_match_the_nps_r_package() -> None:
    # brendan-r/NPS tests: nps_var_(c(1, 2, 3)) == 5/9 and nps_se_ == 0.304 (proportion scale)
    counts = nps_counts(1, 2, 3)
    assert nps_variance(counts) == pytest.approx(5 / 9)
    assert nps_estimate(counts, method="wald").se == pytest.approx(30.4, abs=0.05)


def test_wilson_5_of_10_at_90_percent() -> None:
    low, high = wilson_interval(5, 10, 0.90)
    assert (round(low, 4), round(high, 4)) == (0.2693, 0.7307)


@pytest.mark.parametrize(
    ("p", "df", "expected"),
    [
        (0.975, 1, 12.7062),
        (0.975, 10, 2.2281),
        (0.995, 30, 2.7500),
        (0.95, 5, 2.0150),
        (0.975, 1000, 1.9623),
    ],
)
def test_t_quantiles_match_tables(p: float, df: float, expected: float) -> None:
    assert t_quantile(p, df) == pytest.approx(expected, abs=5e-5)
    assert t_cdf(t_quantile(p, df), df) == pytest.approx(p, abs=1e-9)


def test_normal_quantile() -> None:
    assert normal_quantile(0.975) == pytest.approx(1.959964, abs=1e-6)


def test_adjusted_wald_interval_by_hand() -> None:
    # 10 answers: 2 detractors, 3 passives, 5 promoters; add 0.75 / 1.5 / 0.75 -> n = 13
    p, d = 5.75 / 13, 2.75 / 13
    half = 1.959964 * math.sqrt((p + d - (p - d) ** 2) / 13)
    found = nps_estimate(nps_counts(2, 3, 5))
    assert found.value == 30
    assert found.ci_low == pytest.approx(100 * (p - d - half), abs=1e-4)
    assert found.ci_high == pytest.approx(100 * (p - d + half), abs=1e-4)


def test_two_proportion_test_by_hand() -> None:
    # 45/100 vs 60/100: pooled 0.525, SE0 = sqrt(.525*.475*(2/100)) = 0.070622, z = 2.1240
    change = percent_change(45, 100, 60, 100)
    assert change is not None
    assert change.delta == pytest.approx(15.0)
    assert change.p_value == pytest.approx(0.03367, abs=2e-4)


def test_welch_test_by_hand() -> None:
    a = [3.0, 4.0, 5.0, 4.0, 3.0, 5.0, 4.0, 4.0]
    b = [5.0, 6.0, 5.0, 7.0, 6.0, 6.0]
    ca = Counts(len(a), shifted_sum=sum(a), shifted_sumsq=sum(x * x for x in a))
    cb = Counts(len(b), shifted_sum=sum(b), shifted_sumsq=sum(x * x for x in b))
    change = mean_change(ca, cb)
    assert change is not None
    va, vb = 0.5714285714, 0.5666666667  # sample variances
    se = math.sqrt(va / 8 + vb / 6)
    assert change.delta == pytest.approx(5.8333333 - 4.0)
    assert change.se == pytest.approx(se, rel=1e-6)
    df = (va / 8 + vb / 6) ** 2 / ((va / 8) ** 2 / 7 + (vb / 6) ** 2 / 5)
    assert change.p_value == pytest.approx(2 * (1 - t_cdf(change.delta / se, df)), rel=1e-9)
    assert change.p_value < 0.001


# 1e8 − 1, 1e8, 1e8 + 1, a hundred times: statistics.stdev (exact, on fractions) gives
# s = 0.8178608201095307, and with t_quantile(0.975, 299) the half-width 0.09292409703179441;
# (Σx² − (Σx)²/n)/(n − 1) on plain sums gives a variance of 0 and a half-width of 0
LARGE = [1e8 - 1, 1e8, 1e8 + 1] * 100
LARGE_SD = 0.8178608201095307
LARGE_HALF_WIDTH = 0.09292409703179441


def shifted_counts(values: list[float], shift: float) -> Counts:
    deviations = [v - shift for v in values]
    return Counts(
        len(values),
        shifted_sum=sum(deviations),
        shifted_sumsq=sum(d * d for d in deviations),
        shift=shift,
    )


def assert_large_interval(found: Estimate) -> None:
    # the bounds lie near 1e8, where one float step is 1.5e-8
    assert found.ci_low == pytest.approx(1e8 - LARGE_HALF_WIDTH, abs=1e-7)
    assert found.ci_high == pytest.approx(1e8 + LARGE_HALF_WIDTH, abs=1e-7)


def test_a_mean_of_large_values_keeps_its_interval() -> None:
    found = mean_estimate(shifted_counts(LARGE, LARGE[0]))
    assert found.value == 1e8
    assert found.se == pytest.approx(LARGE_SD / math.sqrt(300), rel=1e-12)
    assert_large_interval(found)


def test_cells_with_different_shifts_add_exactly() -> None:
    # cells shifted by their own first values, and by the minimum, add to the same counts
    parts = [shifted_counts(LARGE[i : i + 60], LARGE[i]) for i in range(0, 300, 60)]
    total = sum(parts, Counts())
    assert (total.n, total.shift) == (300, LARGE[0])
    assert total.mean == 1e8
    assert_large_interval(mean_estimate(total))
    # small numbers, exactly: mean 6 and variance 27.5 (statistics.mean / variance)
    mixed = shifted_counts([1.0, 2.0, 4.0], 1.0) + shifted_counts([10.0, 13.0], 10.0)
    assert (mixed.shifted_sum, mixed.shifted_sumsq) == (25.0, 235.0)
    assert mixed.mean == 6.0
    assert mean_estimate(mixed).se == pytest.approx(math.sqrt(27.5 / 5), rel=1e-15)
    assert Counts() + mixed == mixed, "an empty cell keeps the other's shift"
    assert mixed + Counts() == mixed


def test_nps_change_uses_both_variances() -> None:
    a, b = nps_counts(20, 30, 50), nps_counts(30, 30, 40)
    change = nps_change(a, b)
    assert change is not None and change.delta == -20
    expected_se = 100 * math.sqrt(nps_variance(a) / 100 + nps_variance(b) / 100)  # type: ignore[operator]
    assert change.se == pytest.approx(expected_se)


def test_empty_counts_give_no_value_and_bad_confidence_is_refused() -> None:
    assert nps_estimate(Counts()).value is None
    assert percent_estimate(0, 0).value is None
    assert mean_estimate(Counts()).value is None
    assert nps_change(Counts(), nps_counts(1, 1, 1)) is None
    with pytest.raises(ValueError):
        percent_estimate(1, 2, confidence=1.5)


answers = st.lists(st.integers(min_value=0, max_value=10), min_size=10, max_size=300)


def _counts(scores: list[int]) -> Counts:
    total = Counts()
    for s in scores:
        total = total + Counts(1, int(s >= 9), int(7 <= s <= 8), int(s <= 6), int(s >= 7), s, s * s)
    return total


@settings(max_examples=200, deadline=None)
@given(scores=answers)
def test_values_lie_inside_their_intervals(scores: list[int]) -> None:
    # adjusted Wald is centred on the adjusted NPS; for n >= 10 the observed value stays inside
    c = _counts(scores)
    for found in (
        nps_estimate(c),
        percent_estimate(c.positives, c.n),
        mean_estimate(c),
    ):
        assert found.value is not None and found.ci_low is not None and found.ci_high is not None
        assert found.ci_low - 1e-9 <= found.value <= found.ci_high + 1e-9


@settings(max_examples=100, deadline=None)
@given(scores=answers)
def test_intervals_shrink_as_n_grows_and_widen_with_confidence(scores: list[int]) -> None:
    small, large = _counts(scores), _counts(scores * 4)
    for estimate in (
        lambda c, conf: nps_estimate(c, conf),
        lambda c, conf: percent_estimate(c.positives, c.n, conf),
    ):
        a, b = estimate(small, 0.95), estimate(large, 0.95)
        assert b.ci_high - b.ci_low <= a.ci_high - a.ci_low + 1e-9
        wide = estimate(small, 0.99)
        assert wide.ci_high - wide.ci_low >= a.ci_high - a.ci_low - 1e-9


@settings(max_examples=100, deadline=None)
@given(scores=answers, seed=st.integers())
def test_results_do_not_depend_on_answer_order(scores: list[int], seed: int) -> None:
    shuffled = list(scores)
    random.Random(seed).shuffle(shuffled)
    a, b = _counts(scores), _counts(shuffled)
    assert nps_estimate(a) == nps_estimate(b)
    assert percent_estimate(a.positives, a.n) == percent_estimate(b.positives, b.n)
    ma, mb = mean_estimate(a), mean_estimate(b)
    assert ma.value == pytest.approx(mb.value)
