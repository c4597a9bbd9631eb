"""An action and its events as values: what they say about themselves (active, overdue, the
segment as verdicts name it) and their two serialisations, stored values and JSON."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from cxgov.judgement.actions import Action, ActionEvent, ActionHistory, json_value
from cxgov.judgement.lifecycle import ACTIVE, ActionStatus

OPENED = dt.datetime(2026, 7, 2, 6, 0, 0, 654321)

ACTION = Action(
    id=7,
    program="shop",
    fingerprint="f" * 24,
    open_key="f" * 24,
    objective="o-nps",
    measurement_point="mp-nps",
    journey="order",
    segment={"region": "south", "channel": "web"},
    trigger="miss",
    status="open",
    severity="high",
    assignee="cx",
    escalated_to=None,
    escalation_level=0,
    due=dt.date(2026, 7, 9),
    opened_at=OPENED,
    updated_at=OPENED,
    occurrences=1,
    last_period_end=dt.date(2026, 6, 30),
    resolved_on=None,
    closed_reason=None,
    evidence={"status": "fail"},
)
EVENT = ActionEvent(
    id=3,
    action_id=7,
    at=OPENED,
    actor="cxgov",
    kind="opened",
    from_status=None,
    to_status="open",
    note=None,
    data={"due": "2026-07-09"},
)


@pytest.mark.parametrize("status", list(ActionStatus))
def test_an_action_is_active_in_the_lifecycles_active_states_only(status: ActionStatus) -> None:
    assert replace(ACTION, status=status.value).active is (status in ACTIVE)


def test_an_active_action_is_overdue_from_the_day_after_it_is_due() -> None:
    assert not ACTION.overdue(dt.date(2026, 7, 9))
    assert ACTION.overdue(dt.date(2026, 7, 10))
    assert not replace(ACTION, status="resolved").overdue(dt.date(2026, 8, 1))


def test_the_segment_key_is_sorted_pairs_as_verdicts_name_theirs() -> None:
    assert ACTION.segment_key == (("channel", "web"), ("region", "south"))
    assert replace(ACTION, segment={}).segment_key == ()


def test_a_history_is_the_action_with_its_events() -> None:
    history = ActionHistory.of(ACTION, [EVENT])
    assert history.events == (EVENT,)
    assert {f: getattr(history, f) for f in Action.__dataclass_fields__} == ACTION.row()
    assert history.row() == {**ACTION.row(), "events": [EVENT.row()]}


def test_stored_values_keep_their_types_and_json_shows_them_to_the_second() -> None:
    history = ActionHistory.of(ACTION, [EVENT])
    assert history.row()["opened_at"] == OPENED
    shown = history.to_json()
    assert shown["opened_at"] == "2026-07-02T06:00:00"
    assert shown["due"] == "2026-07-09"
    assert shown["events"] == [EVENT.to_json()]
    assert EVENT.to_json()["at"] == "2026-07-02T06:00:00"
    assert json_value(None) is None and json_value({"a": 1}) == {"a": 1}
