"""Correlations and KPI differences against hand computations."""

from __future__ import annotations

import math

import pytest

from cxgov.judgement.kpi import change, counts_of, estimate, respondent_score, value_of
from cxgov.model import Kpi
from cxgov.stats import pearson

NPS = Kpi.model_validate({"id": "nps", "name": "NPS", "type": "nps"})
CSAT = Kpi.model_validate({"id": "csat", "name": "CSAT", "type": "csat"})


def test_pearson_r_and_its_fisher_interval_match_a_hand_computation() -> None:
    # x̄ = 3, ȳ = 4; Σdxdy = 6, Σdx² = 10, Σdy² = 6 → r = 6/√60
    found = pearson([1, 2, 3, 4, 5], [2, 4, 5, 4, 5])
    r = 6 / math.sqrt(60)
    z, se = 0.5 * math.log((1 + r) / (1 - r)), 1 / math.sqrt(5 - 3)
    assert found.r == pytest.approx(0.774597, abs=1e-6)
    assert found.ci_low == pytest.approx(math.tanh(z - 1.959964 * se), abs=1e-5)
    assert found.ci_high == pytest.approx(math.tanh(z + 1.959964 * se), abs=1e-5)
    assert found.ci_low == pytest.approx(-0.3401, abs=1e-3)
    assert found.includes_zero


def test_pearson_needs_four_pairs_and_variation() -> None:
    assert pearson([1, 2, 3], [1, 2, 3]).r is None
    assert pearson([1, 1, 1, 1], [1, 2, 3, 4]).r is None


def test_the_nps_impact_of_a_theme_matches_a_hand_computation() -> None:
    # mentioning: 2 promoters, 4 passives, 14 detractors → NPS −60, V = .1 + .7 − .6² = .44
    mentioning = counts_of(NPS, [10, 9] + [8] * 4 + [3] * 14)
    # not mentioning: 24 promoters, 10 passives, 6 detractors → NPS 45, V = .75 − .45² = .5475
    others = counts_of(NPS, [9] * 24 + [7] * 10 + [0] * 6)
    assert value_of(NPS, mentioning) == pytest.approx(-60)
    assert value_of(NPS, others) == pytest.approx(45)
    found = change(NPS, others, mentioning, 0.95)
    assert found is not None
    # two-sample adjusted Wald: 0.75 promoter, 1.5 passive and 0.75 detractor added to each
    p1, d1 = 2.75 / 23, 14.75 / 23
    p2, d2 = 24.75 / 43, 6.75 / 43
    v1, v2 = p1 + d1 - (p1 - d1) ** 2, p2 + d2 - (p2 - d2) ** 2
    se = math.sqrt(v1 / 23 + v2 / 43)
    diff = (p1 - d1) - (p2 - d2)
    assert found.delta == pytest.approx(-105), "the observed difference is reported"
    assert found.se == pytest.approx(100 * se)
    assert found.ci_low == pytest.approx(100 * (diff - 1.959964 * se), abs=1e-4)
    assert found.ci_high == pytest.approx(100 * (diff + 1.959964 * se), abs=1e-4)
    assert found.z == pytest.approx(diff / se)
    assert found.ci_low == pytest.approx(-130.28, abs=0.01)


def test_percent_kpis_count_the_positive_range() -> None:
    counts = counts_of(CSAT, [5, 4, 3, 1])
    assert (counts.n, counts.positives) == (4, 2)
    assert value_of(CSAT, counts) == 50
    assert [respondent_score(NPS, v) for v in (10, 7, 6)] == [100, 0, -100]
    assert [respondent_score(CSAT, v) for v in (4, 3)] == [100, 0]


def _kpi(**fields: object) -> Kpi:
    return Kpi.model_validate({"id": "k", "name": "K", **fields})


def test_the_top_box_defaults_to_the_top_two_answers_of_the_declared_scale() -> None:
    ten = _kpi(type="csat", scale=[1, 10])
    assert ten.effective_positive == (9, 10)
    # 4 of 5 answers in 9–10; the 1–5 default box (4–5) counted only the 5: 20 %, a fail
    assert value_of(ten, counts_of(ten, [10, 9, 9, 10, 5])) == 80
    assert _kpi(type="ces", scale=[1, 5]).effective_positive == (4, 5)
    assert _kpi(type="csat", scale=[0, 10]).effective_positive == (9, 10)


def test_the_types_own_boxes_stay_on_their_default_scales() -> None:
    assert _kpi(type="csat").effective_positive == (4, 5)
    assert _kpi(type="csat", scale=[1, 5]).effective_positive == (4, 5)
    assert _kpi(type="ces").effective_positive == (5, 7)
    assert _kpi(type="ces", scale=[1, 7]).effective_positive == (5, 7)
    # direction reads the share in the box, so the box is not mirrored
    lower = _kpi(type="ces", scale=[1, 5], direction="lower_is_better")
    assert lower.effective_positive == (4, 5)
    assert _kpi(type="csat", scale=[1, 10], positive=[8, 10]).effective_positive == (8, 10)
    assert _kpi(type="mean", scale=[1, 10]).effective_positive is None


def test_a_mean_of_large_values_counted_from_answers_keeps_its_interval() -> None:
    # 1e8 − 1, 1e8, 1e8 + 1, a hundred times: the half-width from statistics.stdev (exact)
    # and cxgov.stats.t_quantile(0.975, 299), as in tests/test_stats.py; plain sums gave 0
    amount = _kpi(type="mean", scale=[0, 1e9])
    found = estimate(amount, counts_of(amount, [1e8 - 1, 1e8, 1e8 + 1] * 100), 0.95)
    assert found.value == 1e8
    # the bounds lie near 1e8, where one float step is 1.5e-8
    assert found.ci_low == pytest.approx(1e8 - 0.09292409703179441, abs=1e-7)
    assert found.ci_high == pytest.approx(1e8 + 0.09292409703179441, abs=1e-7)
