"""Detectability at design time: whether an objective's answers per period can tell its target
from its fail threshold within three periods."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cxgov.judgement.detectability import (
    Detectability,
    detectability,
    observed_volumes,
    recent_volume,
)
from cxgov.model import Kpi, MeasurementPoint, Objective

NPS = Kpi(id="nps", name="NPS", type="nps")
CSAT = Kpi(id="csat", name="CSAT", type="csat")
CSAT_MEAN = Kpi(id="csat-mean", name="CSAT mean", type="csat", statistic="mean")
CHURN = Kpi(id="churn", name="Churn", type="value", unit="%", direction="lower_is_better")
WAIT = Kpi(id="wait", name="Waiting", type="top_box", direction="lower_is_better")


def point(min_sample: int = 30) -> MeasurementPoint:
    return MeasurementPoint(
        id="mp", kpi="k", journey="j", method="transactional_survey", min_sample=min_sample
    )


def objective(*targets: dict[str, Any], **fields: Any) -> Objective:
    return Objective(id="o", name="O", measurement_point="mp", targets=list(targets), **fields)


def fixed(target: float, fail: float, on: str = "2025-01-01") -> dict[str, Any]:
    return {"effective_from": on, "target": target, "fail": fail}


def test_nps_65_failing_at_60_needs_528_answers_a_period() -> None:
    # 1,583 answers pooled over three periods (the SD at 60, where answers vary more than at 65)
    found = detectability(objective(fixed(65, 60)), NPS, point(100), 0.05)
    assert found == Detectability(
        objective="o",
        gap=5.0,
        needed_per_period=528,
        volume=100,
        mds_one_period=pytest.approx(19.892, abs=1e-3),  # 2.486475·80/√100
        mds_three_periods=pytest.approx(11.485, abs=1e-3),  # 2.486475·80/√300
        detectable=False,
        min_sample=100,
    )


@pytest.mark.parametrize(("min_sample", "detectable"), [(155, True), (154, False)])
def test_csat_80_failing_at_75_needs_155_answers_a_period(
    min_sample: int, detectable: bool
) -> None:
    found = detectability(objective(fixed(80, 75)), CSAT, point(min_sample), 0.05)
    assert found is not None
    assert (found.needed_per_period, found.detectable) == (155, detectable)  # ⌈464/3⌉
    assert (found.mds_three_periods <= found.gap) is detectable


def test_the_sd_is_taken_where_answers_vary_most_between_fail_and_target() -> None:
    # NPS 10 failing at −10 straddles 0: SD 100, ⌈(2.486475·100/20)²⌉ = 155 → 52 a period
    found = detectability(objective(fixed(10, -10)), NPS, point(), 0.05)
    assert found is not None and found.needed_per_period == 52


def test_the_program_error_rate_decides() -> None:
    strict = detectability(objective(fixed(80, 75)), CSAT, point(), 0.01)
    lenient = detectability(objective(fixed(80, 75)), CSAT, point(), 0.2)
    assert strict is not None and lenient is not None
    assert strict.needed_per_period > 155 > lenient.needed_per_period


def test_a_larger_observed_volume_counts_and_a_smaller_one_does_not() -> None:
    # periods below min_sample are never judged, so a judged period has at least min_sample
    larger = detectability(objective(fixed(80, 75)), CSAT, point(), 0.05, observed_volume=200)
    smaller = detectability(objective(fixed(80, 75)), CSAT, point(), 0.05, observed_volume=12)
    assert larger is not None and (larger.volume, larger.detectable) == (200, True)
    assert smaller is not None and (smaller.volume, smaller.observed_volume) == (30, 12)


def test_the_latest_revision_counts_wherever_it_is_listed() -> None:
    revisions = (fixed(80, 75, "2026-01-01"), fixed(80, 60, "2025-01-01"))
    found = detectability(objective(*revisions), CSAT, point(), 0.05)
    assert found is not None and found.gap == 5.0


def test_a_trajectory_counts_its_end_value_and_fail_margin() -> None:
    path = {
        "effective_from": "2025-01-01",
        "trajectory": {
            "start": {"date": "2025-01-01", "value": 18},
            "end": {"date": "2027-12-31", "value": 35},
        },
        "warn_margin": 5,
        "fail_margin": 10,
    }
    found = detectability(objective(path), NPS, point(60), 0.05)
    # gap 10 at NPS 25: ⌈(2.486475·√(1 − 0.25²)·100/10)²⌉ = 580 → 194 a period
    assert found is not None and (found.gap, found.needed_per_period) == (10.0, 194)


def test_lower_is_better_measures_the_gap_upwards() -> None:
    found = detectability(objective(fixed(10, 20), theme="delay"), WAIT, point(), 0.05)
    # the SD at 20 %: ⌈(2.486475·40/10)²⌉ = 99 → 33 a period
    assert found is not None and (found.gap, found.needed_per_period) == (10.0, 33)


def test_a_mean_assumes_a_quarter_of_its_scale() -> None:
    found = detectability(
        objective({"effective_from": "2025-01-01", "target": 4.2, "fail": 3.9}),
        CSAT_MEAN,
        point(),
        0.05,
    )
    # SD (5 − 1)/4 = 1: ⌈(2.486475/0.3)²⌉ = 69 → 23 a period
    assert found is not None and (found.needed_per_period, found.detectable) == (23, True)


@pytest.mark.parametrize(
    ("made", "kpi"),
    [
        (objective(fixed(65, 60), rule="point"), NPS),  # no test, no error rate
        (objective(fixed(5, 8)), CHURN),  # a business value, not answers
        (objective({"effective_from": "2025-01-01", "target": 65}), NPS),  # no fail level
        (objective(fixed(65, 70)), NPS),  # fail above target: CXG110's error
        (objective(fixed(65, 65)), NPS),  # no gap to detect
    ],
)
def test_questions_that_do_not_arise(made: Objective, kpi: Kpi) -> None:
    assert detectability(made, kpi, point(), 0.05) is None


def test_recent_volume_is_the_mean_of_the_last_three_periods_rounded_down() -> None:
    assert recent_volume([500, 10, 20, 31]) == 20
    assert recent_volume([7]) == 7
    assert recent_volume([]) is None


def test_observed_volumes_order_each_objectives_periods() -> None:
    month = dt.date(2026, 1, 1)
    periods = [
        ("a", month.replace(month=4), 40),
        ("a", month, 1000),
        ("a", month.replace(month=3), 30),
        ("a", month.replace(month=2), 20),
        ("b", month, 5),
    ]
    assert observed_volumes(periods) == {"a": 30, "b": 5}
