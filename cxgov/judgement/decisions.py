"""What a run's verdicts mean for the program's actions: open, repeat, escalate, close, verify.

Pure: takes the program, one run's results, the latest action of every fingerprint and the
date, and returns decisions for the store to apply. Running it again on the same inputs after
the decisions were applied returns nothing, which is what makes a rerun idempotent.

Choices worth knowing:
- `below_target`, `warn` and `fail` are one trigger, `miss`, so a warn that becomes a fail
  raises the severity of the action already open instead of opening a second one. Each is an
  established shortfall (docs/verdicts.md): a value merely short of target (`within_noise`)
  opens nothing.
- An active action closes as recovered after `close_after_passing_periods` complete periods in
  a row without the shortfall that opened it.
- Verification reads only periods that start on or after the day the action was resolved (a
  period that was half over when the fix landed says little about the fix), pooled, against
  the periods before it: *effective* when the recovery is established (a one-sided two-sample
  test shows the KPI rose, and the post-fix periods no longer establish a shortfall),
  *ineffective* when the shortfall persists with evidence (established below target and no
  established rise), and otherwise *inconclusive*: the action waits for more periods. Before
  `verify_within_periods` periods have passed nothing is decided; the first look is held to
  half the program's error rate and every further one to half the one before, so the looks
  together stay within it.
- Escalation walks the assignee's `escalates_to` chain one level every `escalate_after_days`
  (at least one day) past due, falling back to the sponsor where a chain ends, and stops at
  the sponsor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cxgov.judgement.kpi import change, estimate, shortfall_p
from cxgov.judgement.lifecycle import ACTIVE, ActionStatus
from cxgov.judgement.record import verdict_json, verdict_record
from cxgov.judgement.shortfall import one_sided_fall
from cxgov.judgement.verdicts import JUDGED, MISSES, Result, Verdict
from cxgov.model import Direction, Program
from cxgov.model.base import Status
from cxgov.model.objectives import DEFAULT_CONFIDENCE
from cxgov.model.policies import DEFAULT_DUE_DAYS, ActionPolicy, AssigneeRule
from cxgov.stats import Counts

SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3}
_SEVERITY = {
    Status.INSUFFICIENT_SAMPLE: "low",
    Status.BELOW_TARGET: "medium",
    Status.WARN: "medium",
    Status.DECLINE: "medium",
    Status.NO_DATA: "high",
    Status.FAIL: "high",
}


class Trigger(StrEnum):
    MISS = "miss"
    NO_DATA = "no_data"
    INSUFFICIENT_SAMPLE = "insufficient_sample"
    DECLINE = "decline"


class Kind(StrEnum):
    OPEN = "open"
    REPEAT = "repeat"
    ESCALATE = "escalate"
    CLOSE_RECOVERED = "close_recovered"
    VERIFY_EFFECTIVE = "verify_effective"
    REOPEN_INEFFECTIVE = "reopen_ineffective"


@dataclass(frozen=True, slots=True)
class ActionState:
    """What the store knows of the latest action of one fingerprint."""

    id: int
    fingerprint: str
    status: ActionStatus
    severity: str
    assignee: str
    due: dt.date
    escalation_level: int
    escalated_to: str | None
    last_period_end: dt.date
    resolved_on: dt.date | None


@dataclass(frozen=True, slots=True)
class Decision:
    kind: Kind
    fingerprint: str
    action_id: int | None = None
    objective: str = ""
    segment: dict[str, str] = field(default_factory=dict)
    trigger: Trigger | None = None
    severity: str | None = None
    assignee: str | None = None
    due: dt.date | None = None
    escalated_to: str | None = None
    escalation_level: int | None = None
    period_end: dt.date | None = None
    evidence: dict[str, Any] | None = None
    reason: str = ""


def fingerprint(program: str, objective: str, segment: dict[str, str], trigger: Trigger) -> str:
    """Stable across runs and program edits that leave the objective's identity alone."""
    key = json.dumps([program, objective, sorted(segment.items()), trigger.value])
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def triggers_of(result: Result) -> list[tuple[Trigger, Status]]:
    found: list[tuple[Trigger, Status]] = []
    if result.status in MISSES:
        found.append((Trigger.MISS, Status(result.status.value)))
    elif result.status is Verdict.NO_DATA:
        found.append((Trigger.NO_DATA, Status.NO_DATA))
    elif result.status is Verdict.INSUFFICIENT_SAMPLE:
        found.append((Trigger.INSUFFICIENT_SAMPLE, Status.INSUFFICIENT_SAMPLE))
    if result.trend.decline:
        found.append((Trigger.DECLINE, Status.DECLINE))
    return found


def cleared(trigger: Trigger, result: Result) -> bool:
    """This period no longer shows what opened the action."""
    if trigger is Trigger.MISS:
        return result.status in (Verdict.ON_TARGET, Verdict.WITHIN_NOISE)
    if trigger is Trigger.DECLINE:
        return result.status in JUDGED and not result.trend.decline
    if trigger is Trigger.NO_DATA:
        return result.status is not Verdict.NO_DATA
    return result.status not in (Verdict.NO_DATA, Verdict.INSUFFICIENT_SAMPLE)


def _judged(trigger: Trigger, result: Result) -> bool:
    """Whether a period is evidence about the action at all (thin data is not)."""
    if trigger in (Trigger.MISS, Trigger.DECLINE):
        return result.status in JUDGED
    return True


def assignee_for(program: Program, result: Result, policy: ActionPolicy) -> str:
    rule = policy.assignee
    journey = next((j for j in program.journeys if j.id == result.point.journey), None)
    if rule == AssigneeRule.CX_OWNER.value:
        chosen = program.program.cx_owner
    elif rule == AssigneeRule.JOURNEY_OWNER.value:
        chosen = journey.owner if journey else None
    elif rule == AssigneeRule.MEASUREMENT_POINT_OWNER.value:
        chosen = program.point_owner(result.point)
    else:
        chosen = rule
    return chosen or program.program.cx_owner or program.program.sponsor or "unassigned"


def escalation_chain(program: Program, assignee: str) -> list[str]:
    """Who an overdue action reaches, level by level, ending at the sponsor."""
    escalates = {o.id: o.escalates_to for o in program.owners}
    sponsor = program.program.sponsor
    chain: list[str] = []
    current = assignee
    while current != sponsor:
        following = escalates.get(current) or sponsor
        if following is None or following in chain or following == assignee:
            break
        chain.append(following)
        current = following
    return chain


def evidence(result: Result, program_id: str) -> dict[str, Any]:
    data = verdict_json(verdict_record(result))
    data["consequence"] = result.objective.consequence
    data["program"] = program_id
    return data


def _due(policy: ActionPolicy, status: Status, today: dt.date) -> dt.date:
    return today + dt.timedelta(days=policy.due_days.get(status, DEFAULT_DUE_DAYS))


def decide(
    program: Program,
    results: Iterable[Result],
    actions: dict[str, ActionState],
    today: dt.date,
) -> list[Decision]:
    """Every change the results call for, given the latest action of each fingerprint."""
    policies = {p.id: p for p in program.action_policies}
    series: dict[tuple[str, tuple[tuple[str, str], ...]], list[Result]] = defaultdict(list)
    for result in results:
        series[(result.objective.id, result.segment)].append(result)
    decisions: list[Decision] = []
    for (_, _segment), group in sorted(series.items()):
        group.sort(key=lambda r: r.period.start)
        objective = group[0].objective
        policy = policies.get(objective.action_policy or "")
        if policy is None:
            continue
        decisions.extend(_decide_series(program, policy, group, actions, today))
    return decisions


def _decide_series(
    program: Program,
    policy: ActionPolicy,
    group: list[Result],
    actions: dict[str, ActionState],
    today: dt.date,
) -> list[Decision]:
    complete = [r for r in group if r.period.complete]
    judged = group if policy.include_partial else complete
    if not judged:
        return []
    latest = judged[-1]
    program_id = program.program.id
    segment = dict(latest.segment)
    decisions: list[Decision] = []
    present = {t: status for t, status in triggers_of(latest) if status in policy.open_on}
    for trigger in Trigger:
        key = fingerprint(program_id, latest.objective.id, segment, trigger)
        state = actions.get(key)
        if state is not None and state.status is ActionStatus.RESOLVED:
            decisions.extend(_verify(policy, trigger, state, complete, today, program))
            continue
        if state is not None and state.status in ACTIVE:
            decisions.extend(_follow(program, policy, trigger, state, complete, today))
            if trigger in present and latest.period.end > state.last_period_end:
                decisions.append(_repeat(state, present[trigger], latest, program_id))
            continue
        fresh = state is None or latest.period.end > state.last_period_end
        if trigger in present and fresh:
            status = present[trigger]
            decisions.append(
                Decision(
                    Kind.OPEN,
                    key,
                    objective=latest.objective.id,
                    segment=segment,
                    trigger=trigger,
                    severity=_SEVERITY[status],
                    assignee=assignee_for(program, latest, policy),
                    due=_due(policy, status, today),
                    escalation_level=0,
                    period_end=latest.period.end,
                    evidence=evidence(latest, program_id),
                )
            )
    return decisions


def _repeat(state: ActionState, status: Status, latest: Result, program_id: str) -> Decision:
    severity = _SEVERITY[status]
    if SEVERITY_RANK[severity] < SEVERITY_RANK[state.severity]:
        severity = state.severity
    return Decision(
        Kind.REPEAT,
        state.fingerprint,
        action_id=state.id,
        severity=severity,
        period_end=latest.period.end,
        evidence=evidence(latest, program_id),
        reason="severity raised" if severity != state.severity else "missed again",
    )


def _follow(
    program: Program,
    policy: ActionPolicy,
    trigger: Trigger,
    state: ActionState,
    complete: list[Result],
    today: dt.date,
) -> list[Decision]:
    """An active action closes once the KPI recovered on its own, or escalates when overdue."""
    after = [r for r in complete if r.period.end > state.last_period_end]
    needed = policy.close_after_passing_periods
    if len(after) >= needed and all(cleared(trigger, r) for r in after[-needed:]):
        return [
            Decision(
                Kind.CLOSE_RECOVERED,
                state.fingerprint,
                action_id=state.id,
                reason=f"recovered: {needed} passing period(s) in a row",
            )
        ]
    if policy.escalate_after_days is None or today <= state.due:
        return []
    step = max(policy.escalate_after_days, 1)
    wanted = (today - state.due).days // step
    chain = escalation_chain(program, state.assignee)
    wanted = min(wanted, len(chain))
    return [
        Decision(
            Kind.ESCALATE,
            state.fingerprint,
            action_id=state.id,
            escalated_to=chain[level - 1],
            escalation_level=level,
            reason=f"{(today - state.due).days} day(s) overdue",
        )
        for level in range(state.escalation_level + 1, wanted + 1)
    ]


def _verify(
    policy: ActionPolicy,
    trigger: Trigger,
    state: ActionState,
    complete: list[Result],
    today: dt.date,
    program: Program,
) -> list[Decision]:
    assert state.resolved_on is not None
    program_id = program.program.id
    after = [r for r in complete if r.period.start >= state.resolved_on and _judged(trigger, r)]
    if len(after) < policy.verify_within_periods:
        return []
    before = _shortfall_run(
        [r for r in complete if r.period.end <= state.last_period_end and _judged(trigger, r)],
        policy.verify_within_periods,
    )
    # Every further period is another look at the same action: each look is held to half
    # the error rate of the one before, so all of them together stay within it.
    look = len(after) - policy.verify_within_periods + 1
    level = program.program.decisions.error_rate / 2**look
    outcome = _recovery(trigger, before, after, level)
    last = after[-1]
    if outcome is True:
        return [
            Decision(
                Kind.VERIFY_EFFECTIVE,
                state.fingerprint,
                action_id=state.id,
                period_end=last.period.end,
                reason=f"recovery established over {len(after)} period(s) to {last.period.key()}",
            )
        ]
    if outcome is None:
        return []  # inconclusive: the action waits for more periods
    status = next((s for t, s in triggers_of(last) if t is trigger), Status.FAIL)
    return [
        Decision(
            Kind.REOPEN_INEFFECTIVE,
            state.fingerprint,
            action_id=state.id,
            due=_due(policy, status, today),
            period_end=last.period.end,
            evidence=evidence(last, program_id),
            reason=f"ineffective: the shortfall persists over {len(after)} period(s)",
        )
    ]


def _shortfall_run(results: list[Result], most: int) -> list[Result]:
    """The periods the action was about: the newest ones in a row short of target (an
    established miss or within noise), at most `most`; an on-target period before the miss
    would water down the comparison, so the run stops there."""
    run: list[Result] = []
    for result in reversed(results):
        if result.status not in MISSES and result.status is not Verdict.WITHIN_NOISE:
            break
        run.append(result)
        if len(run) == most:
            break
    return run[::-1] or results[-1:]


def _recovery(
    trigger: Trigger, before: list[Result], after: list[Result], error_rate: float
) -> bool | None:
    """True when the periods after the fix establish recovery, False when they establish that
    the shortfall persists, None when they cannot tell yet.

    For a miss or a decline the periods are pooled on each side (counts add): recovery is a
    rise established by the KPI's one-sided two-sample test with no shortfall against the
    target established after; persistence is a shortfall established after with no rise.
    Missing data or thin samples recover once a period has them again."""
    if trigger not in (Trigger.MISS, Trigger.DECLINE):
        return any(cleared(trigger, r) for r in after)
    counts_after = [r.counts for r in after]
    counts_before = [r.counts for r in before]
    latest = after[-1]
    if not before or None in counts_after or None in counts_before or latest.thresholds is None:
        # a delivered figure without counts: the value alone can tell
        if all(cleared(trigger, r) for r in after[-2:]):
            return True
        return False if all(r.status in MISSES for r in after) else None
    pooled_after = sum((c for c in counts_after if c is not None), Counts())
    pooled_before = sum((c for c in counts_before if c is not None), Counts())
    kpi = latest.kpi
    found = estimate(kpi, pooled_after, DEFAULT_CONFIDENCE)
    short = shortfall_p(kpi, pooled_after, found, latest.thresholds.target)
    moved = change(kpi, pooled_before, pooled_after, DEFAULT_CONFIDENCE)
    higher = kpi.direction is Direction.HIGHER_IS_BETTER
    rose = None
    if moved is not None and moved.p_value is not None:
        direction = moved.z if moved.z is not None else moved.delta
        rose = one_sided_fall(moved.p_value, direction > 0 if higher else direction < 0)
    rise_shown = rose is not None and rose <= error_rate
    short_shown = short is not None and short <= error_rate
    if rise_shown and not short_shown:
        return True
    if short_shown and not rise_shown:
        return False
    return None
