"""People working the actions: list, show and change them; deliveries; effectiveness."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cxgov.actions import ledger
from cxgov.actions.outbox import DeliveryState, retry_rejected, waiting_deliveries
from cxgov.api._program import load_program
from cxgov.api._program_ref import PROGRAMS_FOLDER, owner_named, program_ref, programs_in
from cxgov.api._store import opened_store
from cxgov.clock import Clock
from cxgov.errors import ActionError, UsageError
from cxgov.judgement.actions import Action, ActionHistory, Effectiveness
from cxgov.judgement.lifecycle import ActionStatus, InvalidTransition
from cxgov.program_files.fields import did_you_mean

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


def list_actions(
    db: str | None = None, where: ActionFilter = ActionFilter(), *, root: str = PROGRAMS_FOLDER
) -> list[Action]:
    """Actions in the store, oldest first, narrowed by `where`.

    An owner or journey that neither the actions nor the programs under `root` know is a
    usage error with the valid ids, not an empty list that looks like "nothing to do".
    """
    with opened_store(db) as engine, engine.connect() as connection:
        found = ledger.actions(connection, where.program)
    if where.owner or where.journey:
        programs = [
            loaded.program
            for ident, loaded in programs_in(root).items()
            if where.program in (None, ident)
        ]
        owners = {o.id for p in programs for o in p.owners}
        owners |= {a.assignee for a in found} | {a.escalated_to for a in found if a.escalated_to}
        _known("--owner", where.owner, owners)
        journeys = {j.id for p in programs for j in p.journeys} | {a.journey for a in found}
        _known("--journey", where.journey, journeys)
    return [action for action in found if where.keeps(action)]


def _known(option: str, value: str | None, valid: set[str]) -> None:
    # with no actions and no program files there is nothing to tell a typo by
    if value is None or value in valid or not valid:
        return
    hint = did_you_mean(value, sorted(valid))
    raise UsageError(
        f"{option} {value}: no program or action knows it"
        + (f"; {hint}" if hint else "")
        + f" (valid: {', '.join(sorted(valid))})"
    )


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
    program_dir: str | None = None,
    clock: Clock,
) -> ActionHistory:
    """A person's change: a new status (ack, start, resolve, reopen, cancel), a comment or a
    new assignee, who must be an owner of the action's program (read from `program_dir`, a
    directory or id, else from the program folder by the action's program id). Returns the
    action as it is afterwards."""
    if change == "assign":
        assert owner is not None
        _check_owner(owner, show_action(action_id, db), program_dir)
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


def _check_owner(owner: str, action: Action, program_dir: str | None) -> None:
    """A usage error unless `owner` is an owner id of the action's program: an unknown id
    would take the action out of everyone's sight (no mail, straight escalation)."""
    try:
        found = program_ref(program_dir or action.program)
    except UsageError:
        if program_dir is not None:
            raise
        raise UsageError(
            f"cannot check that '{owner}' is an owner of program {action.program} (action "
            f"{action.id}): its files are not under {PROGRAMS_FOLDER}/; name them with "
            "--program DIR"
        ) from None
    if found.id != action.program:
        raise UsageError(
            f"--program {program_dir} is program {found.id}, but action {action.id} belongs to "
            f"program {action.program}"
        )
    assert found.directory is not None, "without the store every program found has files"
    owner_named(load_program(found.directory), owner)


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
