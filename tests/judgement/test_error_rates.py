"""The error rates a run states: what the program's settings mean in false alarms a year."""

from __future__ import annotations

import pytest

from cxgov.judgement.error_rates import error_rates, expected_false_alarms
from cxgov.model import Adjustment, DecisionSettings, Program
from tests.judgement.test_verdicts import program


def _many(count: int, window: dict[str, object], **settings: object) -> Program:
    base = program()
    point = base.measurement_points[0].model_validate(
        {**base.measurement_points[0].model_dump(), "window": window}
    )
    objectives = tuple(base.objectives[0].model_copy(update={"id": f"o{i}"}) for i in range(count))
    decisions = DecisionSettings.model_validate(settings)
    return base.model_copy(
        update={
            "measurement_points": (point,),
            "objectives": objectives,
            "program": base.program.model_copy(update={"decisions": decisions}),
        }
    )


def test_thirty_monthly_objectives_with_the_defaults() -> None:
    # monitors: 30 × 12 / 400 = 0.9; one monthly family: 12 × (0.05 + 0.01) = 0.72
    assert expected_false_alarms(_many(30, {"calendar": "month"})) == pytest.approx(1.62)
    stated = error_rates(_many(30, {"calendar": "month"}))
    assert (stated.error_rate, stated.adjustment, stated.run_length) == (
        0.05,
        "benjamini_hochberg",
        400,
    )
    assert (stated.decline_error_rate, stated.false_alarms_per_year) == (0.01, 1.62)


def test_without_adjustment_every_objective_spends_the_error_rates() -> None:
    found = expected_false_alarms(_many(30, {"calendar": "month"}, adjustment=Adjustment.NONE))
    assert found == pytest.approx(0.9 + 30 * 12 * 0.06)


def test_quarterly_and_rolling_windows_count_their_periods_a_year() -> None:
    # 4 quarters: monitors 10 × 4 / 400 = 0.1, family 4 × 0.06 = 0.24
    assert expected_false_alarms(_many(10, {"calendar": "quarter"})) == pytest.approx(0.34)
    # 73-day rolling windows: 5 a year
    assert expected_false_alarms(_many(1, {"rolling_days": 73})) == pytest.approx(
        5 / 400 + 5 * 0.06
    )
