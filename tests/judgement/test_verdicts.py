"""Verdict bands, revisions, trajectories and the confidence rule, as pure functions."""

from __future__ import annotations

import datetime as dt

import pytest

from cxgov.judgement.periods import Period
from cxgov.judgement.verdicts import Thresholds, Verdict, judge_estimate, thresholds_for
from cxgov.model import Kpi, Objective
from cxgov.stats import Estimate

NPS = Kpi(id="nps", name="NPS", type="nps")
EFFORT = Kpi(id="effort", name="Effort", type="mean", scale=(1, 7), direction="lower_is_better")


def period(end: dt.date) -> Period:
    return Period(end.replace(day=1), end, True)


def objective(*targets: dict[str, object], confidence: float | None = None) -> Objective:
    return Objective.model_validate(
        {
            "id": "o",
            "name": "O",
            "measurement_point": "m",
            "targets": list(targets),
            "confidence": confidence,
        }
    )


def test_the_revision_in_force_at_the_period_end_applies() -> None:
    o = objective(
        {"effective_from": dt.date(2025, 1, 1), "target": 20, "warn": 10, "fail": 0},
        {"effective_from": dt.date(2026, 3, 15), "target": 30, "warn": 20, "fail": 10},
    )
    assert thresholds_for(o, NPS, period(dt.date(2026, 2, 28))) == Thresholds(
        20, 10, 0, 0, dt.date(2025, 1, 1)
    )
    assert thresholds_for(o, NPS, period(dt.date(2026, 3, 31))).target == 30  # type: ignore[union-attr]
    assert thresholds_for(o, NPS, period(dt.date(2024, 12, 31))) is None


def test_a_trajectory_is_interpolated_at_the_period_end_with_margins() -> None:
    o = objective(
        {
            "effective_from": dt.date(2025, 1, 1),
            "trajectory": {
                "start": {"date": dt.date(2025, 1, 1), "value": 18},
                "end": {"date": dt.date(2027, 12, 31), "value": 35},
            },
            "warn_margin": 3,
            "fail_margin": 8,
        }
    )
    found = thresholds_for(o, NPS, period(dt.date(2026, 6, 30)))
    assert found is not None
    share = (dt.date(2026, 6, 30) - dt.date(2025, 1, 1)).days / (
        dt.date(2027, 12, 31) - dt.date(2025, 1, 1)
    ).days
    assert found.target == pytest.approx(18 + share * 17)
    assert (found.warn, found.fail) == (
        pytest.approx(found.target - 3),
        pytest.approx(found.target - 8),
    )
    late = thresholds_for(o, NPS, period(dt.date(2028, 6, 30)))
    assert late is not None and late.target == 35, "the line stays at its end value"


def test_lower_is_better_mirrors_the_margins_and_bands() -> None:
    o = objective(
        {
            "effective_from": dt.date(2025, 1, 1),
            "trajectory": {
                "start": {"date": dt.date(2025, 1, 1), "value": 3},
                "end": {"date": dt.date(2025, 12, 31), "value": 2},
            },
            "warn_margin": 0.5,
            "fail_margin": 1,
        }
    )
    t = thresholds_for(o, EFFORT, period(dt.date(2025, 12, 31)))
    assert t is not None and (t.target, t.warn, t.fail) == (2, 2.5, 3)
    assert judge_estimate(Estimate(2.4, 100, None, None, None), t, EFFORT, None) == (
        Verdict.PASS,
        "point",
    )
    assert judge_estimate(Estimate(2.7, 100, None, None, None), t, EFFORT, None)[0] is Verdict.WARN
    assert judge_estimate(Estimate(3.2, 100, None, None, None), t, EFFORT, None)[0] is Verdict.FAIL


@pytest.mark.parametrize(
    ("value", "expected"),
    # value < fail is fail; fail <= value < warn is warn; otherwise pass (DESIGN.md)
    [
        (35, Verdict.PASS),
        (20, Verdict.PASS),
        (19.9, Verdict.WARN),
        (10, Verdict.WARN),
        (9.9, Verdict.FAIL),
    ],
)
def test_bands_for_higher_is_better(value: float, expected: Verdict) -> None:
    t = Thresholds(30, 20, 10, 0, dt.date(2025, 1, 1))
    assert judge_estimate(Estimate(value, 100, None, None, None), t, NPS, None)[0] is expected


def test_with_confidence_the_whole_interval_must_be_past_the_threshold() -> None:
    t = Thresholds(30, 20, 10, 0, dt.date(2025, 1, 1))
    wide = Estimate(5, 40, -15, 24, None)  # point below fail, but the interval reaches above warn
    assert judge_estimate(wide, t, NPS, None) == (Verdict.FAIL, "point")
    assert judge_estimate(wide, t, NPS, 0.95) == (Verdict.PASS, "interval")
    narrow = Estimate(5, 4000, 3, 8, None)
    assert judge_estimate(narrow, t, NPS, 0.95) == (Verdict.FAIL, "interval")
    between = Estimate(12, 400, 8, 16, None)
    assert judge_estimate(between, t, NPS, 0.95) == (Verdict.WARN, "interval")
