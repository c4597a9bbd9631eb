"""The Slack sink: a message per action event through an incoming webhook, as `text` (for
notifications and clients without blocks) and Block Kit `blocks`."""

from __future__ import annotations

from typing import Any

from cxgov.actions.sinks.chat import ChatMessage, chat_message, post_chat
from cxgov.actions.sinks.common import Delivery, Outcome
from cxgov.model.policies import Sink as SinkConfig
from cxgov.model.policies import SinkType

HEADER_MAX = 150
"""Slack refuses a header block with longer text."""
FIELDS_MAX = 10
"""Slack refuses a section block with more fields."""
TEXT_MAX = 2000
"""Slack refuses a field or context text longer than this."""


def _mrkdwn(text: str) -> str:
    # Slack reads &, < and > as markup (links, mentions); names and notes must stay text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_message(message: ChatMessage) -> dict[str, Any]:
    """The incoming-webhook body: `text` and `blocks` (header, the objective, the facts in
    sections of at most ten fields, the note, a context footer and a button to the page)."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _cut(message.headline, HEADER_MAX)},
        },
        {"type": "section", "text": {"type": "plain_text", "text": _cut(message.title, 3000)}},
    ]
    fields = [
        {"type": "mrkdwn", "text": _cut(f"*{_mrkdwn(label)}*\n{_mrkdwn(value)}", TEXT_MAX)}
        for label, value in message.facts
    ]
    for start in range(0, len(fields), FIELDS_MAX):
        blocks.append({"type": "section", "fields": fields[start : start + FIELDS_MAX]})
    if message.note:
        blocks.append(
            {"type": "section", "text": {"type": "plain_text", "text": _cut(message.note, 3000)}}
        )
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _mrkdwn(message.footer)}]}
    )
    if message.page:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "open-page",
                        "text": {"type": "plain_text", "text": message.open_label},
                        "url": message.page,
                    }
                ],
            }
        )
    return {"text": _mrkdwn(message.summary), "blocks": blocks}


class SlackSink:
    """Every event of an action as a message in the channel of the Slack incoming webhook at
    the sink's `url` (or the variable `url_env` names)."""

    kind = SinkType.SLACK

    def target(self, config: SinkConfig) -> str:
        # the URL is the webhook's secret: one from the environment is known by its name
        return config.url or f"${config.url_env}"

    def deliver(self, config: SinkConfig, delivery: Delivery) -> Outcome:
        return post_chat(config, delivery, slack_message(chat_message(delivery)))
