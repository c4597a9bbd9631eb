"""People working the actions: list, show and change them; deliveries; effectiveness."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cxgov.actions import ledger
from cxgov.actions.outbox import DeliveryState, retry_rejected, waiting_deliveries
from cxgov.api._store import opened_store
from cxgov.clock import Clock
from cxgov.errors import ActionError
from cxgov.judgement.actions import Action, ActionHistory, Effectiveness
from cxgov.judgement.lifecycle import ActionStatus, InvalidTransition

__all__ = [
    "ActionFilter",
    "Deliveries",
    "change_action",
    "deliveries",
    "effectiveness",
    "list_actions",
    "show_action",
]


@dataclass(frozen=True, slots=True)
class ActionFilter:
    program: str | None = None
    owner: str | None = None
    status: str | None = None
    journey: str | None = None
    overdue_on: dt.date | None = None
    """Only unfinished actions due before this day."""

    def keeps(self, action: Action) -> bool:
        if self.owner and self.owner not in (action.assignee, action.escalated_to):
            return False
        if self.status and action.status != self.status:
            return False
        if self.journey and action.journey != self.journey:
            return False
        return self.overdue_on is None or action.overdue(self.overdue_on)


def list_actions(db: str | None = None, where: ActionFilter = ActionFilter()) -> list[Action]:
    """Actions in the store, oldest first, narrowed by `where`."""
    with opened_store(db) as engine, engine.connect() as connection:
        found = ledger.actions(connection, where.program)
    return [action for action in found if where.keeps(action)]


def show_action(action_id: int, db: str | None = None) -> ActionHistory:
    """One action with its history of events."""
    try:
        with opened_store(db) as engine, engine.connect() as connection:
            return ledger.action(connection, action_id)
    except ledger.ActionNotFound as exc:
        raise ActionError(str(exc)) from exc


def change_action(
    action_id: int,
    change: str,
    *,
    actor: str,
    db: str | None = None,
    note: str | None = None,
    owner: str | None = None,
    clock: Clock,
) -> ActionHistory:
    """A person's change: a new status (ack, start, resolve, reopen, cancel), a comment or a
    new assignee. Returns the action as it is afterwards."""
    try:
        with opened_store(db) as engine, engine.begin() as connection:
            now = clock()
            if change == "comment":
                ledger.comment(connection, action_id, note or "", actor=actor, now=now)
            elif change == "assign":
                assert owner is not None
                ledger.assign(connection, action_id, owner, actor=actor, now=now)
            else:
                wanted = ActionStatus(change)
                ledger.transition(connection, action_id, wanted, actor=actor, now=now, note=note)
            return ledger.action(connection, action_id)
    except (ledger.ActionNotFound, InvalidTransition) as exc:
        raise ActionError(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class Deliveries:
    """Deliveries to sinks that have not got through yet."""

    waiting: list[DeliveryState]
    reset: int = 0
    """Rejected deliveries put back in the queue (with `retry`)."""


def deliveries(
    db: str | None = None, program: str | None = None, *, retry: bool = False
) -> Deliveries:
    """Deliveries to sinks that have not got through; with `retry`, rejected ones go back to
    pending first (the next run tries them)."""
    with opened_store(db) as engine, engine.begin() as connection:
        reset = retry_rejected(connection, program) if retry else 0
        return Deliveries(waiting_deliveries(connection, program), reset)


def effectiveness(db: str | None = None, program: str | None = None) -> list[Effectiveness]:
    """The share of resolved actions verified effective, per owner and per journey."""
    with opened_store(db) as engine, engine.connect() as connection:
        return ledger.effectiveness(connection, program)
