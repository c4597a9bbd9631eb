"""The sink registry: one sink for every kind the program model accepts and none other, looked
up by kind, with the delivery keys the store already holds."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cxgov.actions.sinks import (
    SINKS,
    Delivery,
    EmailSink,
    GitHubSink,
    Outcome,
    UnknownSinkKind,
    sink_for,
    sink_key,
)
from cxgov.model import Owner
from cxgov.model.policies import Sink as SinkConfig
from cxgov.model.policies import SinkType
from tests.actions.test_webhook import ACTION as WEBHOOK_ACTION
from tests.actions.test_webhook import EVENT


def _delivery(
    kind: str, owners: dict[str, Owner] | None = None, earlier: str | None = None
) -> Delivery:
    event = replace(EVENT, id=9, action_id=3, kind=kind)
    return Delivery(
        action=replace(WEBHOOK_ACTION, id=3, assignee="anna", events=(event,)),
        event=event,
        owners=owners or {},
        language="en",
        env={"CXGOV_GITHUB_TOKEN": "t0ken"},
        earlier_ref=lambda: earlier,
    )


def test_every_kind_the_model_accepts_has_a_sink_and_no_sink_lacks_a_kind() -> None:
    assert set(SINKS) == {kind.value for kind in SinkType}
    for kind, sink in SINKS.items():
        assert sink.kind == kind


def test_a_sink_is_found_by_its_kind_as_text_or_model_value() -> None:
    assert sink_for("email") is sink_for(SinkType.EMAIL) is SINKS["email"]


def test_an_unknown_kind_is_a_clear_error() -> None:
    with pytest.raises(
        UnknownSinkKind,
        match=r"'pager'; the sink kinds are email, github, jira, slack, teams, webhook",
    ):
        sink_for("pager")


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        (
            {"type": "webhook", "url": "https://hooks.example/cx"},
            "webhook:https://hooks.example/cx",
        ),
        ({"type": "email"}, "email:owners"),
        (
            {"type": "email", "to": ["a@example.org", "b@example.org"]},
            "email:a@example.org,b@example.org",
        ),
        ({"type": "github", "repo": "acme/cx"}, "github:acme/cx"),
    ],
)
def test_delivery_keys_are_kind_and_target(entry: dict[str, Any], key: str) -> None:
    """Stored deliveries are matched by these keys: a changed key would deliver again."""
    assert sink_key(SinkConfig.model_validate(entry)) == key


def test_the_email_sink_skips_events_owners_need_not_hear_of_without_a_mail_server() -> None:
    config = SinkConfig.model_validate({"type": "email"})
    assert EmailSink().deliver(config, _delivery("comment")) == Outcome(
        "skipped", "no mail for comment events"
    )
    assert EmailSink().deliver(config, _delivery("opened")) == Outcome(
        "skipped", "no recipient has an e-mail address"
    )


def test_the_github_sink_waits_for_the_issue_before_commenting_on_it() -> None:
    config = SinkConfig.model_validate({"type": "github", "repo": "acme/cx"})
    assert GitHubSink().deliver(config, _delivery("escalated")) == Outcome(
        "failed", "waiting for the issue to be created (the opened event)"
    )
