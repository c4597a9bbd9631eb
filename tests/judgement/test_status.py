"""The one rule for an objective's current status."""

from __future__ import annotations

import datetime as dt

import pytest

from cxgov.judgement.record import VerdictRecord
from cxgov.judgement.status import current_of, current_status, worst_first
from cxgov.judgement.verdicts import Verdict


def _period(
    month: int, status: Verdict, n: int, *, complete: bool = True, objective: str = "o"
) -> VerdictRecord:
    start = dt.date(2026, month, 1)
    end = dt.date(2026 + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return VerdictRecord(
        objective=objective,
        measurement_point="mp",
        segment=(),
        start=start,
        end=end,
        complete=complete,
        status=status.value,
        value=None if status is Verdict.NO_DATA else 50.0,
        n=n,
        ci_low=None,
        ci_high=None,
        target=60.0,
        warn=55.0,
        fail=50.0,
        revision=None,
        trend={},
    )


@pytest.mark.parametrize("young", [Verdict.NO_DATA, Verdict.INSUFFICIENT_SAMPLE])
def test_a_running_period_with_too_little_data_is_pending_and_the_last_whole_one_decides(
    young: Verdict,
) -> None:
    october = _period(10, Verdict.FAIL, 120)
    november = _period(11, young, 0 if young is Verdict.NO_DATA else 4, complete=False)
    found = current_of([_period(9, Verdict.ON_TARGET, 100), october, november])
    assert found is not None
    assert found.verdict == october and found.status is Verdict.FAIL
    assert found.pending == november


def test_a_running_period_with_enough_answers_is_the_current_one() -> None:
    november = _period(11, Verdict.WARN, 80, complete=False)
    found = current_of([_period(10, Verdict.FAIL, 120), november])
    assert found is not None and found.verdict == november and found.pending is None


def test_a_whole_period_without_data_is_a_status_of_its_own() -> None:
    october = _period(10, Verdict.NO_DATA, 0)
    found = current_of([_period(9, Verdict.ON_TARGET, 100), october])
    assert found is not None and found.verdict == october and found.pending is None


def test_the_only_period_decides_even_when_young() -> None:
    only = _period(11, Verdict.INSUFFICIENT_SAMPLE, 3, complete=False)
    found = current_of([only])
    assert found is not None and found.verdict == only and found.pending is None
    assert current_of([]) is None


def test_every_objective_gets_one_status_and_the_worst_come_first() -> None:
    verdicts = [
        _period(10, Verdict.ON_TARGET, 100, objective="b"),
        _period(10, Verdict.FAIL, 100, objective="a"),
        _period(11, Verdict.NO_DATA, 0, complete=False, objective="a"),
        _period(10, Verdict.WARN, 100, objective="c"),
    ]
    current = current_status(reversed(verdicts))
    assert list(current) == ["a", "b", "c"]
    assert [c.verdict.objective for c in worst_first(current.values())] == ["a", "c", "b"]
