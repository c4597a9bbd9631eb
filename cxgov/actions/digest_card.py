"""One owner's digest as an Adaptive Card, for Microsoft Teams: the same content as the
Markdown digest (`digest.render`), in the program's language, each objective a tap away from
its page on the published site."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cxgov.actions.digest import _TEXT, DUE_SOON_DAYS, DigestData, _fmt
from cxgov.actions.sinks.common import page_url
from cxgov.actions.sinks.mail import _event_phrase
from cxgov.actions.sinks.teams import CARD_SCHEMA, CARD_VERSION
from cxgov.judgement.verdicts import verdict_words

_MORE = {
    "en": {"open": "Open {name}", "n": "n"},
    "fi": {"open": "Avaa {name}", "n": "n"},
}


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _heading(text: str) -> dict[str, Any]:
    return _text(text, weight="Bolder", spacing="Medium")


def digest_card(data: DigestData) -> dict[str, Any]:
    """The digest of `data` as an Adaptive Card. An objective links to its page when the
    program has a `site_url` (`page_url`); without one it is plain text."""
    program = data.program.program
    language = program.language.value
    text, more = _TEXT[language], _MORE[language]
    names = {o.id: o.name for o in data.program.objectives}
    body: list[dict[str, Any]] = [
        _text(text["title"].format(name=data.owner.name), size="Medium", weight="Bolder"),
        _text(
            text["intro"].format(
                program=program.name,
                as_of=_fmt(data.as_of, language),
                since=_fmt(data.since, language),
            ),
            isSubtle=True,
            spacing="None",
        ),
        _heading(text["objectives"]),
    ]
    if data.run_id is None:
        body.append(_text(text["no_run"]))
    elif not data.current:
        body.append(_text(text["no_objectives"]))
    for now in data.current if data.run_id is not None else ():
        v = now.verdict
        name = names.get(v.objective, v.objective)
        segment = ", ".join(f"{k}={x}" for k, x in v.segment)
        period = f"{_fmt(v.start, language)}–{_fmt(v.end, language)}"
        if not v.complete:
            period += f" ({text['partial']})"
        delta = (v.trend.get("previous") or {}).get("delta")
        figures = [
            f"**{verdict_words(v.status, language)}**",
            _fmt(v.value, language),
            f"{more['n']} = {v.n}",
            period,
        ]
        if delta is not None:
            figures.append(f"{'+' if delta >= 0 else ''}{_fmt(delta, language)}")
        item: dict[str, Any] = {
            "type": "Container",
            "items": [
                _text(f"{name} ({segment})" if segment else name, weight="Bolder"),
                _text(" · ".join(figures), spacing="None"),
            ],
        }
        page = page_url(program.site_url, v.objective)
        if page:
            item["selectAction"] = {
                "type": "Action.OpenUrl",
                "title": more["open"].format(name=name),
                "url": page,
            }
        body.append(item)
    body.append(_heading(text["actions"]))
    soon = data.as_of + dt.timedelta(days=DUE_SOON_DAYS)
    due = sorted(
        (a for a in data.actions if a.assignee == data.owner.id and a.active and a.due <= soon),
        key=lambda a: (a.due, a.id),
    )
    for action in due:
        when = text["overdue" if action.overdue(data.as_of) else "due"].format(
            due=_fmt(action.due, language)
        )
        objective = names.get(action.objective or "", action.objective or "?")
        body.append(_text(f"#{action.id} {objective}: {when}"))
    if not due:
        body.append(_text(text["no_actions"].format(days=DUE_SOON_DAYS)))
    escalated = [a for a in data.actions if a.escalated_to == data.owner.id and a.active]
    if escalated:
        body.append(_heading(text["escalations"]))
        for action in escalated:
            objective = names.get(action.objective or "", action.objective or "?")
            overdue = text["overdue"].format(due=_fmt(action.due, language))
            body.append(_text(f"#{action.id} {objective}: {action.assignee}, {overdue}"))
    body.append(_heading(text["changes"]))
    for event in data.events:
        what = _event_phrase(event.kind, language)
        note = f": {event.note}" if event.note else ""
        body.append(_text(f"{_fmt(event.at.date(), language)} #{event.action_id} {what}{note}"))
    if not data.events:
        body.append(_text(text["no_changes"]))
    return {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "lang": language,
        "fallbackText": text["title"].format(name=data.owner.name),
        "body": body,
    }
