"""The sinks by kind: what the outbox asks of a sink, and the one table it finds them in.

A policy's sink entry (`cxgov.model.policies.Sink`, here `SinkConfig`) says where and with
which secrets; a `Sink` here is the code that delivers to that kind of place. The table's keys
are the kinds the program model accepts (`SinkType`), so a new kind is a model value and an
entry here; tests/actions/test_sink_registry.py checks the two agree.
"""

from __future__ import annotations

from typing import Protocol

from cxgov.actions.sinks.common import Delivery, Outcome, _where
from cxgov.actions.sinks.github import GitHubSink
from cxgov.actions.sinks.jira import JiraSink
from cxgov.actions.sinks.mail import EmailSink
from cxgov.actions.sinks.slack import SlackSink
from cxgov.actions.sinks.teams import TeamsSink
from cxgov.actions.sinks.webhook import WebhookSink
from cxgov.model.policies import Sink as SinkConfig
from cxgov.model.policies import SinkType


class Sink(Protocol):
    """One kind of place actions are mirrored to."""

    @property
    def kind(self) -> SinkType:
        """The `type` a policy's sink entry names this sink by."""
        ...

    def target(self, config: SinkConfig) -> str:
        """Where this entry delivers (a URL, recipients, a repository): with the kind, the key
        a delivery is stored and listed under, so two entries of one kind stay apart."""
        ...

    def deliver(self, config: SinkConfig, delivery: Delivery) -> Outcome:
        """Deliver one event of one action. Raises `DeliveryError` when it did not get through
        (its `retryable` deciding between `failed` and `rejected`)."""
        ...


class UnknownSinkKind(LookupError):
    """A sink kind no sink is registered for: a model value without its code."""

    def __init__(self, kind: str) -> None:
        known = ", ".join(sorted(SINKS))
        super().__init__(f"no sink delivers to {kind!r}; the sink kinds are {known}")
        self.kind = kind


def _registry(*sinks: Sink) -> dict[str, Sink]:
    table: dict[str, Sink] = {}
    for sink in sinks:
        if sink.kind in table:
            raise ValueError(f"sink kind {sink.kind} registered twice")
        table[sink.kind] = sink
    return table


SINKS: dict[str, Sink] = _registry(
    WebhookSink(), EmailSink(), GitHubSink(), JiraSink(), TeamsSink(), SlackSink()
)
"""Every sink by its kind (`webhook`, `email`, `github`, `jira`, `teams`, `slack`)."""


def sink_for(kind: str) -> Sink:
    """The sink that delivers to `kind`; `UnknownSinkKind` when none does."""
    try:
        return SINKS[kind]
    except KeyError:
        raise UnknownSinkKind(kind) from None


def sink_key(config: SinkConfig) -> str:
    """The key a policy's sink entry is stored under in deliveries: `kind:target`."""
    return f"{config.type.value}:{sink_for(config.type).target(config)}"[:300]


def shown_sink(key: str) -> str:
    """A stored sink key as every output shows it: a URL by its scheme and host only, then `…`,
    since webhook URLs often carry their token in the path or query (Slack, Teams)."""
    kind, _, target = key.partition(":")
    if "://" in target:
        return f"{kind}:{_where(target)}"
    return key
