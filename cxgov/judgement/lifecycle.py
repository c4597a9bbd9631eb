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


ACTION_WORDS: dict[str, dict[str, str]] = {
    # statuses
    "open": {"en": "open", "fi": "avoin"},
    "acknowledged": {"en": "acknowledged", "fi": "kuitattu"},
    "in_progress": {"en": "in progress", "fi": "työn alla"},
    "resolved": {"en": "resolved", "fi": "ratkaistu"},
    "verified_effective": {"en": "verified effective", "fi": "todettu tehokkaaksi"},
    "reopened": {"en": "reopened", "fi": "avattu uudelleen"},
    "closed_recovered": {"en": "closed, recovered", "fi": "suljettu, palautunut"},
    "cancelled": {"en": "cancelled", "fi": "peruttu"},
    # severities
    "low": {"en": "low", "fi": "matala"},
    "medium": {"en": "medium", "fi": "keskitaso"},
    "high": {"en": "high", "fi": "korkea"},
    # triggers
    "miss": {"en": "missed target", "fi": "tavoite alittui"},
    "decline": {"en": "decline", "fi": "heikkeneminen"},
}
"""An action's status, severity and trigger as people read them, in English and Finnish; the
site and the mails word them alike."""


def action_words(value: str, language: str = "en") -> str:
    """A stored status, severity or trigger in the given language (an unknown one as it is)."""
    return ACTION_WORDS.get(value, {}).get(language, value)


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
