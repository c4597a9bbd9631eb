"""One owner's digest as a Slack message: `text` for notifications and Block Kit `blocks` with
the same sections as the Markdown digest (`digest.sections`), in the program's language, each
objective linked to its page on the published site."""

from __future__ import annotations

from typing import Any

from cxgov.actions.digest import DigestData, sections
from cxgov.actions.sinks.common import page_url
from cxgov.actions.sinks.slack import HEADER_MAX, _cut, _mrkdwn

SECTION_MAX = 3000
"""Slack refuses a section whose text is longer."""
BLOCKS_MAX = 50
"""Slack refuses a message with more blocks."""


def _link(url: str, label: str) -> str:
    # `|` and `>` would end the link early; the label is already escaped by `_mrkdwn`
    return f"<{url}|{label.replace('|', '¦')}>"


def _sections_of(lines: list[str]) -> list[dict[str, Any]]:
    """Lines as few section blocks as Slack's text limit allows, never splitting a line."""
    blocks: list[dict[str, Any]] = []
    chunk = ""
    for line in lines:
        line = _cut(line, SECTION_MAX)
        if chunk and len(chunk) + 1 + len(line) > SECTION_MAX:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
    return blocks


def digest_blocks(data: DigestData) -> dict[str, Any]:
    """The incoming-webhook body of the digest of `data`: a header, the introduction, then per
    section its heading and its rows or items (an objective row: name, status, value, n,
    period and change, the name linked when the program has a `site_url`)."""
    title, intro, parts = sections(data)
    site_url = data.program.program.site_url
    names = {o.id: o.name for o in data.program.objectives}
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(title, HEADER_MAX)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _mrkdwn(intro)}]},
    ]
    for part in parts:
        lines = [f"*{_mrkdwn(part.heading)}*"]
        if part.rows:
            for objective, segment, period, value, n, status, change in part.rows:
                name = _mrkdwn(names.get(objective, objective))
                page = page_url(site_url, objective)
                shown = _link(page, name) if page else name
                if segment != "–":
                    shown += f" ({_mrkdwn(segment)})"
                figures = " · ".join(
                    _mrkdwn(x) for x in (value, f"n = {n}", period, change) if x != "–"
                )
                lines.append(f"• {shown}: *{_mrkdwn(status)}* · {figures}")
        elif part.items:
            lines += [f"• {_mrkdwn(item)}" for item in part.items]
        else:
            lines.append(_mrkdwn(part.empty))
        blocks += _sections_of(lines)
    if len(blocks) > BLOCKS_MAX:
        # a long digest keeps its beginning; the rest is in the mail and on the site
        more = {"type": "context", "elements": [{"type": "mrkdwn", "text": "…"}]}
        blocks = [*blocks[: BLOCKS_MAX - 1], more]
    return {"text": _mrkdwn(title), "blocks": blocks}
