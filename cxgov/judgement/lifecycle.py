"""An action's states and the transitions between them.

open → acknowledged → in_progress → resolved → verified_effective | reopened; an active action
may also end as closed_recovered (the KPI recovered by itself) or cancelled. A reopened action
is worked again like an open one. Pure: no clock, no store.
"""

from __future__ import annotations

from enum import StrEnum


class ActionStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    VERIFIED_EFFECTIVE = "verified_effective"
    REOPENED = "reopened"
    CLOSED_RECOVERED = "closed_recovered"
    CANCELLED = "cancelled"


ACTIVE = frozenset(
    {
        ActionStatus.OPEN,
        ActionStatus.ACKNOWLEDGED,
        ActionStatus.IN_PROGRESS,
        ActionStatus.REOPENED,
    }
)
"""Someone still has to work these: they escalate, and a repeated miss updates them."""

ENDED = frozenset(
    {ActionStatus.VERIFIED_EFFECTIVE, ActionStatus.CLOSED_RECOVERED, ActionStatus.CANCELLED}
)

_WORKABLE_TO = {
    ActionStatus.ACKNOWLEDGED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.RESOLVED,
    ActionStatus.CLOSED_RECOVERED,
    ActionStatus.CANCELLED,
}

TRANSITIONS: dict[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.OPEN: frozenset(_WORKABLE_TO),
    ActionStatus.REOPENED: frozenset(_WORKABLE_TO),
    ActionStatus.ACKNOWLEDGED: frozenset(_WORKABLE_TO - {ActionStatus.ACKNOWLEDGED}),
    ActionStatus.IN_PROGRESS: frozenset(
        {ActionStatus.RESOLVED, ActionStatus.CLOSED_RECOVERED, ActionStatus.CANCELLED}
    ),
    ActionStatus.RESOLVED: frozenset(
        {ActionStatus.VERIFIED_EFFECTIVE, ActionStatus.REOPENED, ActionStatus.CANCELLED}
    ),
    # A person may reopen an ended action when the evidence says it is not over.
    ActionStatus.VERIFIED_EFFECTIVE: frozenset({ActionStatus.REOPENED}),
    ActionStatus.CLOSED_RECOVERED: frozenset({ActionStatus.REOPENED}),
    ActionStatus.CANCELLED: frozenset({ActionStatus.REOPENED}),
}


class InvalidTransition(ValueError):
    """A change the lifecycle does not allow; the message says what is allowed instead."""


def check_transition(current: ActionStatus, wanted: ActionStatus) -> None:
    allowed = TRANSITIONS[current]
    if wanted not in allowed:
        choices = ", ".join(sorted(s.value for s in allowed)) or "nothing (it has ended)"
        raise InvalidTransition(
            f"an action that is {current.value} cannot become {wanted.value}; "
            f"from {current.value} it can become: {choices}"
        )
