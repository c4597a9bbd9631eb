"""The Microsoft Teams sink: an Adaptive Card per action event, posted to a Workflows webhook.

Teams takes messages from outside through a Workflows (Power Automate) flow, "Post to a
channel when a webhook request is received"; the Office 365 connectors that took MessageCards
are retired, and the flow accepts Adaptive Cards only, wrapped in a message with attachments.
"""

from __future__ import annotations

from typing import Any

from cxgov.actions.sinks.chat import ChatMessage, chat_message, post_chat
from cxgov.actions.sinks.common import Delivery, Outcome
from cxgov.model.policies import Sink as SinkConfig
from cxgov.model.policies import SinkType

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"
"""The newest version Teams renders on every client (desktop, web and mobile)."""


def adaptive_card(message: ChatMessage) -> dict[str, Any]:
    """The Adaptive Card of one message: headline, objective, facts, note, and a button that
    opens the objective's page (only when there is a page to open)."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": message.headline,
            "size": "Medium",
            "weight": "Bolder",
            "wrap": True,
        },
        {"type": "TextBlock", "text": message.title, "wrap": True, "spacing": "None"},
        {
            "type": "FactSet",
            "facts": [{"title": label, "value": value} for label, value in message.facts],
        },
    ]
    if message.note:
        body.append({"type": "TextBlock", "text": message.note, "wrap": True})
    body.append(
        {
            "type": "TextBlock",
            "text": message.footer,
            "wrap": True,
            "isSubtle": True,
            "size": "Small",
        }
    )
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "lang": message.language,
        "fallbackText": message.summary,
        "body": body,
    }
    if message.page:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": message.open_label, "url": message.page}
        ]
    return card


def teams_message(card: dict[str, Any]) -> dict[str, Any]:
    """The body a Workflows webhook takes: a message whose one attachment is the card."""
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": card}],
    }


class TeamsSink:
    """Every event of an action as an Adaptive Card in a Teams channel or chat, through the
    Workflows webhook at the sink's `url` (or the variable `url_env` names)."""

    kind = SinkType.TEAMS

    def target(self, config: SinkConfig) -> str:
        # the URL carries the flow's signature: one from the environment is known by its name
        return config.url or f"${config.url_env}"

    def deliver(self, config: SinkConfig, delivery: Delivery) -> Outcome:
        return post_chat(config, delivery, teams_message(adaptive_card(chat_message(delivery))))
