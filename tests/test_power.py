"""Power and detectability statistics (the end of cxgov/stats.py): the issue's worked examples,
textbook figures computed once by hand from the normal quantiles, and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxgov.stats import (
    Counts,
    answers_needed,
    minimum_detectable_shortfall,
    nps_sd,
    nps_value,
    nps_variance,
    percent_sd,
    range_sd,
)


def test_nps_needs_1583_answers_to_call_a_5_point_shortfall_at_nps_60() -> None:
    # sd = 100·√(1 − 0.6²) = 80; ((1.644854 + 0.841621)·80/5)² = 1582.73, rounded up because
    # 1,582 answers fall just short of 80 % power. The "≈1,577" is the same figure
    # with rounded quantiles (1.645 + 0.84 gives 1,580.9; 1.64 + 0.84 gives 1,574.5).
    assert nps_sd(60) == pytest.approx(80.0)
    assert answers_needed(nps_sd(60), 5, 0.05) == 1583


def test_csat_needs_464_answers_to_call_a_5_point_shortfall_at_75_percent() -> None:
    # sd = 100·√(0.75·0.25) = 43.30; ((1.644854 + 0.841621)·43.30/5)² = 463.69 → 464
    assert percent_sd(75) == pytest.approx(43.30127, abs=1e-5)
    assert answers_needed(percent_sd(75), 5, 0.05) == 464


@pytest.mark.parametrize(
    ("effect", "error_rate", "power", "exact"),
    [
        # one-sample z test, one sided, α = 0.05, power 0.8: (2.486475/0.5)² = 24.730
        # (statsmodels NormalIndPower(ratio=0).solve_power(0.5, alpha=0.05, power=0.8,
        # alternative="larger") gives the same 24.73)
        (0.5, 0.05, 0.8, 24.730),
        # two sided at 0.05 is one sided at 0.025: ((1.959964 + 0.841621)/0.5)² = 31.396
        (0.5, 0.025, 0.8, 31.396),
        # Cohen's small effect: (2.486475/0.2)² = 154.566
        (0.2, 0.05, 0.8, 154.566),
        # α = 0.01, power 0.9: ((2.326348 + 1.281552)/0.5)² = 52.068
        (0.5, 0.01, 0.9, 52.068),
    ],
)
def test_answers_needed_match_hand_computed_normal_figures(
    effect: float, error_rate: float, power: float, exact: float
) -> None:
    assert answers_needed(1.0, effect, error_rate, power) == math.ceil(exact)
    n = answers_needed(10.0, 10.0 * effect, error_rate, power)
    assert n == math.ceil(exact), "only sd/gap matters, not the unit"


def test_minimum_detectable_shortfall_is_2_8_standard_errors_two_sided() -> None:
    # Bloom's (1995) minimum detectable effect: 2.80 standard errors at two-sided 0.05 and
    # 80 % power; 2.49 one sided
    assert minimum_detectable_shortfall(1.0, 1, 0.025) == pytest.approx(2.8016, abs=1e-4)
    assert minimum_detectable_shortfall(1.0, 1, 0.05) == pytest.approx(2.4865, abs=1e-4)
    assert minimum_detectable_shortfall(80.0, 100, 0.05) == pytest.approx(19.892, abs=1e-3)


def test_range_rule_of_thumb() -> None:
    assert range_sd(1, 5) == 1.0
    assert range_sd(1, 7) == 1.5


def test_the_sd_of_a_share_is_largest_in_the_middle_and_zero_at_the_ends() -> None:
    assert nps_sd(0) == 100.0 and nps_sd(100) == 0.0 and nps_sd(-100) == 0.0
    assert percent_sd(50) == 50.0 and percent_sd(0) == 0.0 and percent_sd(100) == 0.0
    assert nps_sd(-60) == nps_sd(60)


def test_a_shortfall_of_a_certain_kpi_needs_one_answer() -> None:
    assert answers_needed(0.0, 5, 0.05) == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: answers_needed(10, 0, 0.05), "gap"),
        (lambda: answers_needed(-1, 5, 0.05), "sd"),
        (lambda: answers_needed(10, 5, 0.0), "error_rate"),
        (lambda: answers_needed(10, 5, 0.05, power=1.0), "power"),
        (lambda: minimum_detectable_shortfall(10, 0, 0.05), "n"),
    ],
)
def test_impossible_questions_are_refused(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


@given(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500).filter(lambda n: n > 0))
def test_assuming_no_passives_never_understates_the_nps_variance(
    detractors: int, passives: int, promoters: int
) -> None:
    counts = Counts(detractors + passives + promoters, promoters, passives, detractors)
    value, variance = nps_value(counts), nps_variance(counts)
    assert value is not None and variance is not None
    assert variance <= (nps_sd(value) / 100.0) ** 2 + 1e-12


@given(
    st.floats(0.1, 100.0),
    st.floats(0.1, 50.0),
    st.sampled_from([0.01, 0.025, 0.05, 0.1, 0.2]),
    st.sampled_from([0.5, 0.8, 0.9]),
)
def test_the_answers_needed_are_the_fewest_that_show_the_gap(
    sd: float, gap: float, error_rate: float, power: float
) -> None:
    n = answers_needed(sd, gap, error_rate, power)
    assert minimum_detectable_shortfall(sd, n, error_rate, power) <= gap * (1 + 1e-9)
    if n > 1:
        assert minimum_detectable_shortfall(sd, n - 1, error_rate, power) > gap
