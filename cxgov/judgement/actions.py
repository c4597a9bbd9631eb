"""An action and its history as values: what the ledger reads back from the store, and what
the outbox hands the sinks, the digests list, the site shows and the api returns.

One shape per concept, field for field the rows of `actions` and `action_events`; the store's
rows become these in one place, `cxgov.actions.ledger`. Pure (dataclasses and the standard
library), so the page builders can take them without loading a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cxgov.judgement.cells import SegmentKey, stored_segment
from cxgov.judgement.lifecycle import ACTIVE


def json_value(value: Any) -> Any:
    """A stored value as JSON shows it: days and instants (to the second) in ISO 8601."""
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class ActionEvent:
    """One recorded change of an action (a row of `action_events`)."""

    id: int
    action_id: int
    at: dt.datetime
    actor: str
    kind: str
    from_status: str | None
    to_status: str | None
    note: str | None
    data: dict[str, Any]

    def row(self) -> dict[str, Any]:
        """The values as stored, by column: what the sinks' payload carries."""
        return {f: getattr(self, f) for f in _EVENT_FIELDS}

    def to_json(self) -> dict[str, Any]:
        return {f: json_value(getattr(self, f)) for f in _EVENT_FIELDS}


_EVENT_FIELDS = tuple(ActionEvent.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class Action:
    """An action as stored (a row of `actions`), field for field."""

    id: int
    program: str
    fingerprint: str
    open_key: str | None
    objective: str
    measurement_point: str
    journey: str
    segment: dict[str, str]
    trigger: str
    status: str
    severity: str
    assignee: str
    escalated_to: str | None
    escalation_level: int
    due: dt.date
    opened_at: dt.datetime
    updated_at: dt.datetime
    occurrences: int
    last_period_end: dt.date
    resolved_on: dt.date | None
    closed_reason: str | None
    evidence: dict[str, Any]

    @property
    def active(self) -> bool:
        """Someone still has work to do on it (`cxgov.judgement.lifecycle.ACTIVE`)."""
        return self.status in ACTIVE

    def overdue(self, today: dt.date) -> bool:
        """Active and due before `today`."""
        return self.active and self.due < today

    @property
    def segment_key(self) -> SegmentKey:
        """The segment as sorted (dimension, value) pairs, as verdicts name theirs."""
        return stored_segment(self.segment)

    def row(self) -> dict[str, Any]:
        """The values as stored, by column: what the sinks' payload carries."""
        return {f: getattr(self, f) for f in _ACTION_FIELDS}

    def to_json(self) -> dict[str, Any]:
        return {f: json_value(getattr(self, f)) for f in _ACTION_FIELDS}


_ACTION_FIELDS = tuple(Action.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class ActionHistory(Action):
    """An action with every event of its history, oldest first."""

    events: tuple[ActionEvent, ...] = ()

    @classmethod
    def of(cls, action: Action, events: Iterable[ActionEvent]) -> ActionHistory:
        return cls(**{f: getattr(action, f) for f in _ACTION_FIELDS}, events=tuple(events))

    def row(self) -> dict[str, Any]:
        """The action's values as stored, with its events' under `events`."""
        return {
            **{f: getattr(self, f) for f in _ACTION_FIELDS},
            "events": [e.row() for e in self.events],
        }

    def to_json(self) -> dict[str, Any]:
        return {
            **{f: json_value(getattr(self, f)) for f in _ACTION_FIELDS},
            "events": [e.to_json() for e in self.events],
        }


@dataclass(frozen=True, slots=True)
class Effectiveness:
    """Of one owner's or journey's resolved actions, those the following periods judged."""

    by: str
    """`owner` or `journey`."""
    id: str
    judged: int
    verified_effective: int
    ineffective: int
    share_effective: float

    def to_json(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}
