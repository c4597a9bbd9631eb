"""Statistics against published reference values, plus properties that must always hold."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxgov.stats import (
    Counts,
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
    ca = Counts(len(a), total=sum(a), sumsq=sum(x * x for x in a))
    cb = Counts(len(b), total=sum(b), sumsq=sum(x * x for x in b))
    change = mean_change(ca, cb)
    assert change is not None
    va, vb = 0.5714285714, 0.5666666667  # sample variances
    se = math.sqrt(va / 8 + vb / 6)
    assert change.delta == pytest.approx(5.8333333 - 4.0)
    assert change.se == pytest.approx(se, rel=1e-6)
    df = (va / 8 + vb / 6) ** 2 / ((va / 8) ** 2 / 7 + (vb / 6) ** 2 / 5)
    assert change.p_value == pytest.approx(2 * (1 - t_cdf(change.delta / se, df)), rel=1e-9)
    assert change.p_value < 0.001


def test_nps_change_uses_both_variances() -> None:
    a, b = nps_counts(20, 30, 50), nps_counts(30, 30, 40)
    change = nps_change(a, b)
    assert change is not None and change.delta == -20
    expected_se = 100 * math.sqrt(nps_variance(a) / 100 + nps_variance(b) / 100)  # type: ignore[operator]
    assert change.se == pytest.approx(expected_se)


def test_empty_counts_give_no_value_and_bad_confidence_is_refused() -> None:
    assert nps_estimate(Counts()).value is None
    assert percent_estimate(0, 0).value is None
    assert mean_estimate(0, 0, 0).value is None
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
        mean_estimate(c.n, c.total, c.sumsq),
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
    ma, mb = mean_estimate(a.n, a.total, a.sumsq), mean_estimate(b.n, b.total, b.sumsq)
    assert ma.value == pytest.approx(mb.value)
