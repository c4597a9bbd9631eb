"""What a chat message about an action says, before Teams or Slack shape it.

One wording for both chats, in the program's language, from the texts the mail uses (event
phrases, labels, the facts of an action): a headline, the objective's name, the facts an owner
judges the action by, the note of the event, and the page to open. `teams` turns it into an
Adaptive Card, `slack` into Block Kit blocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cxgov.actions.sinks.common import (
    DELIVERED,
    USER_AGENT,
    Delivery,
    Outcome,
    delivery_id_for,
    payload,
)
from cxgov.actions.sinks.mail import _LABELS, _event_phrase, _facts, _language
from cxgov.actions.sinks.webhook import deliver_webhook, webhook_url
from cxgov.model.policies import Sink as SinkConfig

_TEXT = {
    "en": {
        "open": "Open the objective's page",
        "footer": "Sent by cxgov. Change the action with the cxgov actions command.",
    },
    "fi": {
        "open": "Avaa tavoitteen sivu",
        "footer": "Lähettäjä: cxgov. Muuta toimenpidettä komennolla cxgov actions.",
    },
}


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One event of one action in words, in one language."""

    language: str
    """`en` or `fi`."""
    headline: str
    """`Action 12: opened.` / `Toimenpide 12: avattu.`"""
    title: str
    """The objective's name (its id when the program has no name for it)."""
    facts: tuple[tuple[str, str], ...]
    """Label and value, in reading order."""
    note: str | None
    """The event's note, with who wrote it when a person did."""
    page: str | None
    """The objective page's absolute URL; None without a site URL (then no button)."""
    open_label: str
    """The button's label."""
    footer: str

    @property
    def summary(self) -> str:
        """One line for notifications and clients that cannot show the rich message."""
        return f"{self.headline} {self.title}"


def chat_message(delivery: Delivery) -> ChatMessage:
    """The message about `delivery`'s event in the program's language."""
    action, event = delivery.action, delivery.event
    language = _language(delivery.language)
    labels, text = _LABELS[language], _TEXT[language]
    owner = delivery.owners.get(action.assignee)
    assignee_label = labels["assignee"]
    facts = []
    for label, value in _facts(action, language):
        if label == assignee_label and owner is not None and owner.name != value:
            # people know each other by name; the id is what `cxgov actions` takes
            value = f"{owner.name} ({value})"
        facts.append((label, value))
    note = None
    if event.note:
        by = event.actor if event.actor and event.actor != USER_AGENT else None
        note = f"{labels['note']}: {event.note}" + (f" ({by})" if by else "")
    objective = action.objective or str(action.evidence.get("objective") or "?")
    return ChatMessage(
        language=language,
        headline=labels["headline"].format(id=action.id, what=_event_phrase(event.kind, language)),
        title=delivery.objective_name or objective,
        facts=tuple(facts),
        note=note,
        page=delivery.page,
        open_label=text["open"],
        footer=text["footer"],
    )


def post_chat(config: SinkConfig, delivery: Delivery, body: Mapping[str, Any]) -> Outcome:
    """POST a chat message (a Teams card, a Slack message) about one event to the sink's URL:
    unsigned, since the URL itself is the secret, with the event's delivery id so that a
    repeat can be told apart."""
    ids = payload(delivery.action, delivery.event)
    deliver_webhook(
        webhook_url(config, delivery.env),
        body,
        signer=None,
        delivery_id=delivery_id_for(ids["action"], ids["event"]),
        deadline=delivery.deadline,
        event_kind=delivery.event.kind,
    )
    return DELIVERED
