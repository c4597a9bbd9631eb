"""The pure action decisions: what a run's verdicts mean for open, repeated, escalated,
recovered and verified actions."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from cxgov import api
from cxgov.judgement.decisions import (
    ActionState,
    Decision,
    Kind,
    Trigger,
    decide,
    escalation_chain,
    fingerprint,
)
from cxgov.judgement.lifecycle import ActionStatus, InvalidTransition, check_transition
from cxgov.judgement.periods import Period
from cxgov.judgement.verdicts import Result, Thresholds, Trend, Verdict
from cxgov.model import Program
from cxgov.model.owners import Owner
from cxgov.model.policies import ActionPolicy
from cxgov.stats import Counts, Estimate
from tests.conftest import FIXTURES

TODAY = dt.date(2026, 7, 2)


def _program(**policy: object) -> Program:
    base = api.load_program(str(FIXTURES / "shop"))
    settings = {"id": "p", "open_on": ["fail", "warn"], "due_days": {"fail": 7, "warn": 21}}
    settings.update(policy)
    owners = (
        Owner(id="ceo", name="Chief Executive"),
        Owner(id="cx", name="CX Lead", escalates_to="vp"),
        Owner(id="vp", name="VP Sales", escalates_to="ceo"),
    )
    objectives = tuple(
        o.model_copy(update={"action_policy": "p", "consequence": "Checkout loses sales"})
        for o in base.objectives
    )
    return base.model_copy(
        update={
            "owners": owners,
            "objectives": objectives,
            "action_policies": (ActionPolicy.model_validate(settings),),
        }
    )


def _month(month: int, complete: bool = True) -> Period:
    start = dt.date(2026, month, 1)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return Period(start, end, complete)


def _results(program: Program, plan: list[tuple[int, float | None, Verdict]]) -> list[Result]:
    objective = next(o for o in program.objectives if o.id == "o-checkout")
    point = next(p for p in program.measurement_points if p.id == objective.measurement_point)
    kpi = next(k for k in program.kpis if k.id == point.kpi)
    out = []
    for month, value, status in plan:
        n = 0 if value is None else 120
        estimate = Estimate(value, n, None, None, None)
        counts = None if value is None else Counts(n=n, positives=round(value / 100 * n))
        thresholds = Thresholds(80, 70, 60, 0, dt.date(2025, 1, 1))
        out.append(
            Result(
                objective,
                point,
                kpi,
                (),
                _month(month),
                estimate,
                status,
                thresholds,
                "test",
                Trend(None, None, False),
                counts=counts,
            )
        )
    return out


def _state(d: Decision, **changes: object) -> ActionState:
    fields: dict[str, object] = {
        "id": 1,
        "fingerprint": d.fingerprint,
        "status": ActionStatus.OPEN,
        "severity": d.severity,
        "assignee": d.assignee,
        "due": d.due,
        "escalation_level": 0,
        "escalated_to": None,
        "last_period_end": d.period_end,
        "resolved_on": None,
    }
    fields.update(changes)
    return ActionState(**fields)  # type: ignore[arg-type]


def _key(program: Program) -> str:
    return fingerprint(program.program.id, "o-checkout", {}, Trigger.MISS)


def test_a_fail_in_the_latest_complete_period_opens_one_action_with_its_evidence() -> None:
    program = _program()
    results = _results(program, [(5, 85, Verdict.ON_TARGET), (6, 55, Verdict.FAIL)])
    [opened] = decide(program, results, {}, TODAY)
    assert opened.kind is Kind.OPEN and opened.trigger is Trigger.MISS
    assert (opened.severity, opened.assignee, opened.due) == ("high", "cx", dt.date(2026, 7, 9))
    assert opened.evidence is not None
    assert opened.evidence["value"] == 55 and opened.evidence["target"] == 80
    assert opened.evidence["consequence"] == "Checkout loses sales"
    # the page's address depends on where the site is published: sinks add it, not the ledger
    assert "page" not in opened.evidence


def test_the_partial_period_opens_nothing_unless_the_policy_says_so() -> None:
    program = _program()
    results = _results(program, [(6, 85, Verdict.ON_TARGET)])
    [july] = _results(program, [(7, 50, Verdict.FAIL)])
    partial = [*results, dataclasses.replace(july, period=_month(7, complete=False))]
    assert decide(program, partial, {}, TODAY) == []
    [opened] = decide(_program(include_partial=True), partial, {}, TODAY)
    assert opened.period_end == dt.date(2026, 7, 31)


def test_a_status_the_policy_does_not_list_opens_nothing() -> None:
    program = _program(open_on=["fail"])
    assert decide(program, _results(program, [(6, 65, Verdict.WARN)]), {}, TODAY) == []


def test_a_rerun_of_the_same_period_decides_nothing_more() -> None:
    program = _program()
    results = _results(program, [(6, 55, Verdict.FAIL)])
    [opened] = decide(program, results, {}, TODAY)
    assert decide(program, results, {opened.fingerprint: _state(opened)}, TODAY) == []


def test_a_repeated_miss_updates_the_open_action_and_a_warn_turning_fail_raises_severity() -> None:
    program = _program()
    [opened] = decide(program, _results(program, [(5, 65, Verdict.WARN)]), {}, TODAY)
    assert opened.severity == "medium"
    state = {opened.fingerprint: _state(opened)}
    [again] = decide(
        program, _results(program, [(5, 65, Verdict.WARN), (6, 66, Verdict.WARN)]), state, TODAY
    )
    assert (again.kind, again.severity, again.reason) == (Kind.REPEAT, "medium", "missed again")
    [raised] = decide(
        program, _results(program, [(5, 65, Verdict.WARN), (6, 50, Verdict.FAIL)]), state, TODAY
    )
    assert (raised.kind, raised.severity, raised.reason) == (Kind.REPEAT, "high", "severity raised")
    assert raised.action_id == 1 and raised.fingerprint == opened.fingerprint


def test_overdue_actions_escalate_up_the_chain_and_stop_at_the_sponsor() -> None:
    program = _program(escalate_after_days=3)
    assert escalation_chain(program, "cx") == ["vp", "ceo"]
    results = _results(program, [(6, 55, Verdict.FAIL)])
    [opened] = decide(program, results, {}, TODAY)
    state = _state(opened, due=dt.date(2026, 7, 1))
    assert decide(program, results, {opened.fingerprint: state}, dt.date(2026, 7, 3)) == []
    [first] = decide(program, results, {opened.fingerprint: state}, dt.date(2026, 7, 4))
    assert (first.kind, first.escalated_to, first.escalation_level) == (Kind.ESCALATE, "vp", 1)
    much_later = decide(program, results, {opened.fingerprint: state}, dt.date(2026, 9, 1))
    assert [(d.escalated_to, d.escalation_level) for d in much_later] == [("vp", 1), ("ceo", 2)]
    at_top = _state(opened, due=dt.date(2026, 7, 1), escalation_level=2, escalated_to="ceo")
    assert decide(program, results, {opened.fingerprint: at_top}, dt.date(2026, 12, 1)) == []


def test_a_chain_without_escalates_to_ends_at_the_sponsor_and_cycles_stop() -> None:
    program = _program()
    assert escalation_chain(program, "ceo") == []
    looped = program.model_copy(
        update={
            "owners": (
                Owner(id="a", name="A", escalates_to="b"),
                Owner(id="b", name="B", escalates_to="a"),
                Owner(id="ceo", name="CEO"),
            )
        }
    )
    assert escalation_chain(looped, "a") == ["b"]
    assert escalation_chain(looped, "x") == ["ceo"]


def test_an_action_closes_as_recovered_after_enough_passing_periods() -> None:
    program = _program(close_after_passing_periods=2)
    [opened] = decide(program, _results(program, [(4, 55, Verdict.FAIL)]), {}, TODAY)
    state = {opened.fingerprint: _state(opened, status=ActionStatus.ACKNOWLEDGED)}
    one = _results(program, [(4, 55, Verdict.FAIL), (5, 85, Verdict.ON_TARGET)])
    assert decide(program, one, state, TODAY) == []
    two = _results(
        program, [(4, 55, Verdict.FAIL), (5, 85, Verdict.ON_TARGET), (6, 81, Verdict.ON_TARGET)]
    )
    [closed] = decide(program, two, state, TODAY)
    assert closed.kind is Kind.CLOSE_RECOVERED and closed.action_id == 1


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # 166 of 240 after against 66 of 120 before: the rise is established, no shortfall
        ([(5, 82, Verdict.ON_TARGET), (6, 84, Verdict.ON_TARGET)], Kind.VERIFY_EFFECTIVE),
        # 68 of 240 after: still short of 80 % beyond doubt, and no rise
        ([(5, 58, Verdict.FAIL), (6, 56, Verdict.FAIL)], Kind.REOPEN_INEFFECTIVE),
        # one period after the fix is not yet a verdict on it
        ([(5, 82, Verdict.ON_TARGET)], None),
        # risen beyond doubt, but still short of the target beyond doubt: inconclusive
        ([(5, 70, Verdict.BELOW_TARGET), (6, 72, Verdict.BELOW_TARGET)], None),
        # a rise too small to establish, and still short beyond doubt: ineffective
        ([(5, 60, Verdict.FAIL), (6, 62, Verdict.WARN)], Kind.REOPEN_INEFFECTIVE),
        (
            [
                (5, None, Verdict.INSUFFICIENT_SAMPLE),
                (6, 81, Verdict.ON_TARGET),
                (7, 83, Verdict.ON_TARGET),
            ],
            Kind.VERIFY_EFFECTIVE,
        ),
    ],
    ids=[
        "back-at-target",
        "still-below",
        "too-early",
        "partly-recovered",
        "small-rise-still-short",
        "thin-data-is-no-evidence",
    ],
)
def test_a_resolved_action_is_verified_by_the_periods_after_it(
    after: list[tuple[int, float | None, Verdict]], expected: Kind | None
) -> None:
    program = _program(verify_within_periods=2)
    [opened] = decide(program, _results(program, [(4, 55, Verdict.FAIL)]), {}, TODAY)
    resolved = _state(opened, status=ActionStatus.RESOLVED, resolved_on=dt.date(2026, 5, 1))
    decided = decide(
        program,
        _results(program, [(4, 55, Verdict.FAIL), *after]),
        {opened.fingerprint: resolved},
        TODAY,
    )
    assert [d.kind for d in decided] == ([expected] if expected else [])


def test_a_miss_after_an_ended_action_opens_a_new_one_but_not_for_the_same_period() -> None:
    program = _program()
    results = _results(program, [(6, 55, Verdict.FAIL)])
    [opened] = decide(program, results, {}, TODAY)
    cancelled = _state(opened, status=ActionStatus.CANCELLED)
    assert decide(program, results, {opened.fingerprint: cancelled}, TODAY) == []
    later = _results(program, [(6, 55, Verdict.FAIL), (7, 50, Verdict.FAIL)])
    [again] = decide(program, later, {opened.fingerprint: cancelled}, dt.date(2026, 8, 2))
    assert again.kind is Kind.OPEN


def test_invalid_transitions_are_clear_errors() -> None:
    check_transition(ActionStatus.OPEN, ActionStatus.ACKNOWLEDGED)
    check_transition(ActionStatus.RESOLVED, ActionStatus.REOPENED)
    with pytest.raises(InvalidTransition, match="cannot become acknowledged; from resolved"):
        check_transition(ActionStatus.RESOLVED, ActionStatus.ACKNOWLEDGED)
    with pytest.raises(InvalidTransition, match="in_progress cannot become open"):
        check_transition(ActionStatus.IN_PROGRESS, ActionStatus.OPEN)
