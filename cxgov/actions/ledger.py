"""Actions in the store: the run's decisions applied, people's changes checked, every change an
event. Functions take an open connection; the caller's transaction decides what commits.

Reading gives the values of `cxgov.judgement.actions` (`Action`, `ActionHistory`,
`ActionEvent`, `Effectiveness`): this is the one place the store's rows become them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from cxgov.judgement.actions import Action, ActionEvent, ActionHistory, Effectiveness
from cxgov.judgement.decisions import ActionState, Decision, Kind, decide
from cxgov.judgement.lifecycle import ENDED, ActionStatus, check_transition
from cxgov.judgement.verdicts import Result
from cxgov.model import Program
from cxgov.store.tables import ACTION_EVENTS, ACTIONS

SYSTEM_ACTOR = "cxgov"


class ActionNotFound(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class Applied:
    """What one run did to the actions, by decision kind."""

    counts: dict[str, int]
    action_ids: list[int]


def latest_states(connection: Connection, program: str) -> dict[str, ActionState]:
    """The newest action of every fingerprint of the program."""
    newest = (
        select(func.max(ACTIONS.c.id))
        .where(ACTIONS.c.program == program)
        .group_by(ACTIONS.c.fingerprint)
        .scalar_subquery()
    )
    rows = connection.execute(select(ACTIONS).where(ACTIONS.c.id.in_(newest))).mappings()
    return {
        row["fingerprint"]: ActionState(
            id=row["id"],
            fingerprint=row["fingerprint"],
            status=ActionStatus(row["status"]),
            severity=row["severity"],
            assignee=row["assignee"],
            due=row["due"],
            escalation_level=row["escalation_level"],
            escalated_to=row["escalated_to"],
            last_period_end=row["last_period_end"],
            resolved_on=row["resolved_on"],
        )
        for row in rows
    }


def _event(
    connection: Connection,
    action_id: int,
    *,
    at: dt.datetime,
    actor: str,
    kind: str,
    before: str | None,
    after: str | None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    connection.execute(
        insert(ACTION_EVENTS).values(
            action_id=action_id,
            at=at.replace(tzinfo=None),
            actor=actor,
            kind=kind,
            from_status=before,
            to_status=after,
            note=note,
            data=data or {},
        )
    )


def _status_values(status: ActionStatus, fingerprint: str) -> dict[str, Any]:
    return {"status": status.value, "open_key": None if status in ENDED else fingerprint}


def apply(
    connection: Connection, program: Program, decisions: list[Decision], now: dt.datetime
) -> Applied:
    """Write the decisions of one run, each with its event."""
    points = {p.id: p for p in program.measurement_points}
    objectives = {o.id: o for o in program.objectives}
    stamp = now.replace(tzinfo=None)
    counts: dict[str, int] = {}
    touched: list[int] = []
    for d in decisions:
        counts[d.kind.value] = counts.get(d.kind.value, 0) + 1
        if d.kind is Kind.OPEN:
            assert d.trigger and d.severity and d.assignee and d.due and d.period_end
            point = points[objectives[d.objective].measurement_point]
            action_id = connection.execute(
                insert(ACTIONS)
                .values(
                    program=program.program.id,
                    fingerprint=d.fingerprint,
                    open_key=d.fingerprint,
                    objective=d.objective,
                    measurement_point=point.id,
                    journey=point.journey,
                    segment=d.segment,
                    trigger=d.trigger.value,
                    status=ActionStatus.OPEN.value,
                    severity=d.severity,
                    assignee=d.assignee,
                    escalation_level=0,
                    due=d.due,
                    opened_at=stamp,
                    updated_at=stamp,
                    occurrences=1,
                    last_period_end=d.period_end,
                    evidence=d.evidence or {},
                )
                .returning(ACTIONS.c.id)
            ).scalar_one()
            _event(
                connection,
                action_id,
                at=now,
                actor=SYSTEM_ACTOR,
                kind="opened",
                before=None,
                after=ActionStatus.OPEN.value,
                data={"evidence": d.evidence, "severity": d.severity, "due": d.due.isoformat()},
            )
            touched.append(action_id)
            continue
        assert d.action_id is not None
        touched.append(d.action_id)
        _apply_to_existing(connection, d, d.action_id, now)
    return Applied(counts, touched)


def _apply_to_existing(
    connection: Connection, d: Decision, action_id: int, now: dt.datetime
) -> None:
    stamp = now.replace(tzinfo=None)
    current = _current(connection, action_id).status
    values: dict[str, Any] = {"updated_at": stamp}
    after = current
    if d.kind is Kind.REPEAT:
        values |= {
            "occurrences": ACTIONS.c.occurrences + 1,
            "severity": d.severity,
            "last_period_end": d.period_end,
            "evidence": d.evidence or {},
        }
        kind = "severity_raised" if d.reason == "severity raised" else "repeated"
    elif d.kind is Kind.ESCALATE:
        values |= {"escalated_to": d.escalated_to, "escalation_level": d.escalation_level}
        kind = "escalated"
    else:
        after = {
            Kind.CLOSE_RECOVERED: ActionStatus.CLOSED_RECOVERED,
            Kind.VERIFY_EFFECTIVE: ActionStatus.VERIFIED_EFFECTIVE,
            Kind.REOPEN_INEFFECTIVE: ActionStatus.REOPENED,
        }[d.kind]
        check_transition(current, after)
        values |= _status_values(after, d.fingerprint)
        if d.kind is Kind.CLOSE_RECOVERED:
            values["closed_reason"] = "recovered"
        elif d.kind is Kind.VERIFY_EFFECTIVE:
            values["closed_reason"] = "verified_effective"
        else:
            values |= {
                "closed_reason": None,
                "resolved_on": None,
                "due": d.due,
                "escalation_level": 0,
                "escalated_to": None,
                "last_period_end": d.period_end,
                "evidence": d.evidence or {},
                "occurrences": ACTIONS.c.occurrences + 1,
            }
        kind = d.kind.value
    connection.execute(update(ACTIONS).where(ACTIONS.c.id == action_id).values(**values))
    _event(
        connection,
        action_id,
        at=now,
        actor=SYSTEM_ACTOR,
        kind=kind,
        before=current.value,
        after=after.value,
        note=d.reason or None,
        data={
            k: v
            for k, v in {
                "severity": d.severity,
                "escalated_to": d.escalated_to,
                "escalation_level": d.escalation_level,
                "period_end": d.period_end.isoformat() if d.period_end else None,
            }.items()
            if v is not None
        },
    )


@dataclass(frozen=True, slots=True)
class _Current:
    status: ActionStatus
    fingerprint: str
    assignee: str


def _current(connection: Connection, action_id: int) -> _Current:
    found = connection.execute(
        select(ACTIONS.c.status, ACTIONS.c.fingerprint, ACTIONS.c.assignee).where(
            ACTIONS.c.id == action_id
        )
    ).first()
    if found is None:
        raise ActionNotFound(f"there is no action {action_id}")
    return _Current(ActionStatus(found.status), found.fingerprint, found.assignee)


def transition(
    connection: Connection,
    action_id: int,
    wanted: ActionStatus,
    *,
    actor: str,
    now: dt.datetime,
    note: str | None = None,
) -> None:
    """A person moves an action on; the lifecycle decides whether that is allowed."""
    found = _current(connection, action_id)
    current = found.status
    check_transition(current, wanted)
    values: dict[str, Any] = {"updated_at": now.replace(tzinfo=None)}
    values |= _status_values(wanted, found.fingerprint)
    if wanted is ActionStatus.RESOLVED:
        values["resolved_on"] = now.date()
    elif wanted is ActionStatus.CANCELLED:
        values["closed_reason"] = "cancelled"
    elif wanted is ActionStatus.REOPENED:
        values |= {"closed_reason": None, "resolved_on": None}
    connection.execute(update(ACTIONS).where(ACTIONS.c.id == action_id).values(**values))
    _event(
        connection,
        action_id,
        at=now,
        actor=actor,
        kind=wanted.value,
        before=current.value,
        after=wanted.value,
        note=note,
    )


def comment(
    connection: Connection, action_id: int, text: str, *, actor: str, now: dt.datetime
) -> None:
    current = _current(connection, action_id).status
    _event(
        connection,
        action_id,
        at=now,
        actor=actor,
        kind="comment",
        before=current.value,
        after=current.value,
        note=text,
    )


def assign(
    connection: Connection, action_id: int, owner: str, *, actor: str, now: dt.datetime
) -> None:
    found = _current(connection, action_id)
    current, previous = found.status, found.assignee
    connection.execute(
        update(ACTIONS)
        .where(ACTIONS.c.id == action_id)
        .values(assignee=owner, updated_at=now.replace(tzinfo=None))
    )
    _event(
        connection,
        action_id,
        at=now,
        actor=actor,
        kind="assigned",
        before=current.value,
        after=current.value,
        data={"from": previous, "to": owner},
    )


def actions(connection: Connection, program: str | None = None) -> list[Action]:
    """The actions, of one program or all, oldest first."""
    query = select(ACTIONS).order_by(ACTIONS.c.id)
    if program is not None:
        query = query.where(ACTIONS.c.program == program)
    return [Action(**row) for row in connection.execute(query).mappings()]


def action(connection: Connection, action_id: int) -> ActionHistory:
    """One action with its events, oldest first."""
    row = connection.execute(select(ACTIONS).where(ACTIONS.c.id == action_id)).mappings().first()
    if row is None:
        raise ActionNotFound(f"there is no action {action_id}")
    events = connection.execute(
        select(ACTION_EVENTS)
        .where(ACTION_EVENTS.c.action_id == action_id)
        .order_by(ACTION_EVENTS.c.id)
    ).mappings()
    return ActionHistory.of(Action(**row), (ActionEvent(**e) for e in events))


def histories(connection: Connection, program: str) -> list[ActionHistory]:
    """Every action of the program with its events, both oldest first."""
    events: dict[int, list[ActionEvent]] = {}
    for event in program_events(connection, program):
        events.setdefault(event.action_id, []).append(event)
    return [ActionHistory.of(a, events.get(a.id, ())) for a in actions(connection, program)]


def follow_up(
    connection: Connection,
    program: Program,
    results: list[Result],
    today: dt.date,
    now: dt.datetime,
) -> Applied:
    """One run's effect on the actions: decide from the latest states, then apply."""
    states = latest_states(connection, program.program.id)
    return apply(connection, program, decide(program, results, states, today), now)


def events_since(
    connection: Connection, action_ids: list[int], since: dt.datetime
) -> list[ActionEvent]:
    """The events of these actions at or after `since`, oldest first."""
    if not action_ids:
        return []
    query = (
        select(ACTION_EVENTS)
        .where(ACTION_EVENTS.c.action_id.in_(action_ids), ACTION_EVENTS.c.at >= since)
        .order_by(ACTION_EVENTS.c.id)
    )
    return [ActionEvent(**row) for row in connection.execute(query).mappings()]


def program_events(connection: Connection, program: str) -> list[ActionEvent]:
    """Every event of the program's actions, oldest first."""
    query = (
        select(ACTION_EVENTS)
        .join(ACTIONS, ACTIONS.c.id == ACTION_EVENTS.c.action_id)
        .where(ACTIONS.c.program == program)
        .order_by(ACTION_EVENTS.c.id)
    )
    return [ActionEvent(**row) for row in connection.execute(query).mappings()]


def effectiveness(connection: Connection, program: str | None = None) -> list[Effectiveness]:
    """Per owner and per journey: how many resolutions the following periods judged, and the
    share verified effective. Each verification or ineffective reopening counts once, so an
    action resolved twice, first in vain, counts one of each."""
    query = (
        select(ACTIONS.c.assignee, ACTIONS.c.journey, ACTION_EVENTS.c.kind)
        .join(ACTION_EVENTS, ACTION_EVENTS.c.action_id == ACTIONS.c.id)
        .where(ACTION_EVENTS.c.kind.in_(("verify_effective", "reopen_ineffective")))
    )
    if program is not None:
        query = query.where(ACTIONS.c.program == program)
    tally: dict[tuple[str, str], list[int]] = {}
    for assignee, journey, kind in connection.execute(query):
        for key in (("owner", assignee), ("journey", journey)):
            counts = tally.setdefault(key, [0, 0])
            counts[0 if kind == "verify_effective" else 1] += 1
    return [
        Effectiveness(
            by=by,
            id=ident,
            judged=effective + ineffective,
            verified_effective=effective,
            ineffective=ineffective,
            share_effective=round(effective / (effective + ineffective), 4),
        )
        for (by, ident), (effective, ineffective) in sorted(tally.items())
    ]
