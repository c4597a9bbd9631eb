"""Statistics against published reference values, plus properties that must always hold."""

from __future__ import annotations

import math
import random
from statistics import NormalDist

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxgov.stats import (
    Counts,
    Estimate,
    agresti_caffo_change,
    benjamini_hochberg,
    binomial_cdf,
    cusum_run_length,
    cusum_threshold,
    holm,
    mean_change,
    mean_estimate,
    mean_shortfall_p,
    normal_quantile,
    nps_change,
    nps_change_adjusted,
    nps_estimate,
    nps_shortfall_p,
    nps_value,
    nps_variance,
    percent_change,
    percent_estimate,
    percent_shortfall_p,
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


# --- decisions: reference values computed once with scipy 1.16 / statsmodels 0.14 ----------


def test_the_exact_binomial_matches_scipy() -> None:
    # scipy.stats.binom.cdf(20, 35, 0.8), binom.cdf(148, 200, 0.8), binom.sf(11, 40, 0.2)
    assert binomial_cdf(20, 35, 0.8) == pytest.approx(0.0017518562222525198, rel=1e-9)
    assert percent_shortfall_p(148, 200, 80, higher=True) == pytest.approx(
        0.023572835515663085, rel=1e-9
    )
    assert percent_shortfall_p(12, 40, 20, higher=False) == pytest.approx(
        0.08750523592200611, rel=1e-9
    )
    # degenerate samples keep an exact, non-zero p: 0 of 30 against 80 %
    assert percent_shortfall_p(0, 30, 80, higher=True) == pytest.approx(1.0737418e-21, rel=1e-6)
    assert percent_shortfall_p(30, 30, 80, higher=True) == 1.0
    assert binomial_cdf(3, 10, 0.5) == pytest.approx(176 / 1024)


def test_agresti_caffo_matches_statsmodels_and_never_has_zero_variance() -> None:
    # statsmodels confint_proportions_2indep(later, n, earlier, n, method="agresti-caffo")
    found = agresti_caffo_change(3, 3, 0, 50)
    assert found is not None
    assert (found.ci_low, found.ci_high) == (
        pytest.approx(-113.3359672736782, rel=1e-9),
        pytest.approx(-42.81787888016794, rel=1e-9),
    )
    # 3/3 against 0/50 was p = 3e-13 under the plain Wald test; not so certain here
    assert found.p_value is not None and 1e-6 < found.p_value < 1e-3
    fell = agresti_caffo_change(180, 200, 160, 200)
    assert fell is not None
    assert (fell.ci_low, fell.ci_high) == (
        pytest.approx(-16.863718609491524, rel=1e-9),
        pytest.approx(-2.938261588528275, rel=1e-9),
    )


def test_the_two_sample_adjusted_wald_for_nps_is_sane_for_tiny_samples() -> None:
    # one promoter against one detractor: the plain Wald test said p = 0
    found = nps_change_adjusted(Counts(n=1, promoters=1), Counts(n=1, detractors=1))
    assert found is not None and found.delta == -200
    assert found.p_value is not None and found.p_value > 0.05


def test_one_sided_tests_of_a_mean_match_scipy() -> None:
    data = [2, 3, 3, 4, 5, 2, 3, 1, 2, 4, 3, 3]
    found = mean_estimate(
        Counts(n=len(data), shifted_sum=sum(data), shifted_sumsq=sum(x * x for x in data))
    )
    # scipy.stats.ttest_1samp(data, 3.5, alternative="less"): p = 0.04454678875243577
    assert mean_shortfall_p(found, 3.5, higher=True) == pytest.approx(0.04454678875243577, 1e-7)
    # lower is better: is the mean above 2.5? ttest_1samp(..., 2.5, "greater")
    assert mean_shortfall_p(found, 2.5, higher=False) == pytest.approx(0.10490176268627352, 1e-7)


def test_nps_shortfall_uses_the_adjusted_wald() -> None:
    c = Counts(n=100, promoters=50, passives=30, detractors=20)
    p, d = 50.75 / 103, 20.75 / 103
    z = ((p - d) - 0.40) / math.sqrt((p + d - (p - d) ** 2) / 103)
    assert nps_shortfall_p(c, 40) == pytest.approx(NormalDist().cdf(z))
    assert nps_shortfall_p(c, 40, higher=False) == pytest.approx(1 - NormalDist().cdf(z))


@pytest.mark.parametrize(
    ("p_values", "bh", "holm_adjusted"),
    [
        # statsmodels.stats.multitest.multipletests(p, method="fdr_bh" / "holm")
        ([0.01, 0.04, 0.03, 0.005], [0.02, 0.04, 0.04, 0.02], [0.03, 0.06, 0.06, 0.02]),
        (
            [0.2, 0.001, 0.049, 0.3, 0.02, 0.02],
            [0.24, 0.006, 0.0735, 0.3, 0.04, 0.04],
            [0.4, 0.006, 0.147, 0.4, 0.1, 0.1],
        ),
    ],
)
def test_many_comparisons_match_statsmodels(
    p_values: list[float], bh: list[float], holm_adjusted: list[float]
) -> None:
    assert benjamini_hochberg(p_values) == pytest.approx(bh)
    assert holm(p_values) == pytest.approx(holm_adjusted)
    assert benjamini_hochberg([]) == [] and holm([]) == []


def test_the_cusum_run_length_matches_the_published_table() -> None:
    # Montgomery, Introduction to Statistical Quality Control, table of the two-sided tabular
    # CUSUM with k = 0.5: h = 4 → ARL₀ 168, h = 5 → 465 (two one-sided schemes: ARL/2)
    assert cusum_run_length(4, 0.5) / 2 == pytest.approx(168, rel=0.01)
    assert cusum_run_length(5, 0.5) / 2 == pytest.approx(465, rel=0.01)
    h = cusum_threshold(400, 1.0)
    assert cusum_run_length(h, 1.0) == pytest.approx(400, rel=1e-6)
    assert cusum_run_length(h, 1.0, shift=2.0) < 3, "a 2-SE shortfall is found within 3 periods"
