"""One owner's digest: their objectives with status and trend, their actions due or overdue,
escalations that reached them, and what changed since the last digest.

Feedback helps only when it reaches supervisors in their daily work at a pace they can follow:
one page per owner per day or week, not a mail per answer. `render` is pure; filling
`DigestData` from the run record and the ledger, and mailing it, live in `digest_mail`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from cxgov.judgement.actions import Action, ActionEvent
from cxgov.judgement.lifecycle import ActionStatus
from cxgov.judgement.status import Current
from cxgov.judgement.verdicts import verdict_words
from cxgov.model import Program
from cxgov.model.owners import DigestSchedule, Owner

DUE_SOON_DAYS = 7

_TEXT = {
    "en": {
        "title": "Digest for {name}",
        "intro": "{program}, as of {as_of}; changes since {since}.",
        "objectives": "Your objectives",
        "no_objectives": "You own no objectives.",
        "no_run": "No evaluation has been recorded yet.",
        "actions": "Your actions due or overdue",
        "no_actions": "Nothing due within {days} days.",
        "overdue": "overdue since {due}",
        "due": "due {due}",
        "escalations": "Escalated to you",
        "changes": "What changed",
        "no_changes": "No changes.",
        "partial": "partial",
        "header": "| objective | segment | period | value | n | status | change |",
    },
    "fi": {
        "title": "Kooste: {name}",
        "intro": "{program}, tilanne {as_of}; muutokset {since} alkaen.",
        "objectives": "Tavoitteesi",
        "no_objectives": "Sinulla ei ole omia tavoitteita.",
        "no_run": "Arviointia ei ole vielä tehty.",
        "actions": "Erääntyvät ja myöhässä olevat toimenpiteesi",
        "no_actions": "Ei mitään erääntymässä {days} päivän sisällä.",
        "overdue": "myöhässä, eräpäivä {due}",
        "due": "erääntyy {due}",
        "escalations": "Sinulle eskaloidut",
        "changes": "Mitä muuttui",
        "no_changes": "Ei muutoksia.",
        "partial": "kesken",
        "header": "| tavoite | segmentti | jakso | arvo | n | tila | muutos |",
    },
}


@dataclass(frozen=True, slots=True)
class DigestData:
    program: Program
    owner: Owner
    as_of: dt.date
    since: dt.date
    run_id: int | None
    current: list[Current]
    """The current status of the owner's objectives in the latest run."""
    actions: list[Action]
    """Actions assigned or escalated to the owner."""
    events: list[ActionEvent]
    """Events of those actions since `since`."""


def default_since(owner: Owner, as_of: dt.date) -> dt.date:
    days = 1 if owner.digest is DigestSchedule.DAILY else 7
    return as_of - dt.timedelta(days=days)


def owned_objectives(program: Program, owner: str) -> set[str]:
    """Objectives whose measurement point or journey the owner answers for."""
    points = {p.id: p for p in program.measurement_points}
    journeys = {j.id: j.owner for j in program.journeys}
    owned = set()
    for objective in program.objectives:
        point = points.get(objective.measurement_point)
        if point is None:
            continue
        if owner in (program.point_owner(point), journeys.get(point.journey)):
            owned.add(objective.id)
    return owned


def _fmt(value: Any, language: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if language == "fi" else text
    if isinstance(value, dt.date):
        # Finnish writes dates without leading zeros: 9.12.2026.
        return f"{value.day}.{value.month}.{value.year}" if language == "fi" else value.isoformat()
    return str(value)


def render(data: DigestData) -> str:
    """The digest as Markdown in the program's language."""
    language = data.program.program.language.value
    text = _TEXT[language]
    lines = [
        f"# {text['title'].format(name=data.owner.name)}",
        "",
        text["intro"].format(
            program=data.program.program.name,
            as_of=_fmt(data.as_of, language),
            since=_fmt(data.since, language),
        ),
        "",
        f"## {text['objectives']}",
        "",
    ]
    if data.run_id is None:
        lines.append(text["no_run"])
    elif not data.current:
        lines.append(text["no_objectives"])
    else:
        lines += [text["header"], "|---|---|---|---:|---:|---|---:|"]
        for now in data.current:
            v = now.verdict
            segment = ", ".join(f"{k}={x}" for k, x in v.segment) or "–"
            previous = v.trend.get("previous") or {}
            delta = previous.get("delta")
            change = "–" if delta is None else f"{'+' if delta >= 0 else ''}{_fmt(delta, language)}"
            period = f"{_fmt(v.start, language)}–{_fmt(v.end, language)}"
            if not v.complete:
                period += f" ({text['partial']})"
            lines.append(
                f"| {v.objective} | {segment} | {period} | {_fmt(v.value, language)} "
                f"| {v.n} | **{verdict_words(v.status, language)}** | {change} |"
            )
    lines += ["", f"## {text['actions']}", ""]
    soon = data.as_of + dt.timedelta(days=DUE_SOON_DAYS)
    mine = [a for a in data.actions if a.assignee == data.owner.id]
    due = [a for a in mine if a.active and a.due <= soon]
    for action in sorted(due, key=lambda a: (a.due, a.id)):
        when = text["overdue" if action.overdue(data.as_of) else "due"].format(
            due=_fmt(action.due, language)
        )
        lines.append(
            f"- #{action.id} {action.objective} ({action.trigger}, {action.severity}): {when}"
        )
    if not due:
        lines.append(text["no_actions"].format(days=DUE_SOON_DAYS))
    escalated = [a for a in data.actions if a.escalated_to == data.owner.id and a.active]
    if escalated:
        lines += ["", f"## {text['escalations']}", ""]
        for action in escalated:
            lines.append(
                f"- #{action.id} {action.objective}: {action.assignee}, "
                f"{text['overdue'].format(due=_fmt(action.due, language))}"
            )
    lines += ["", f"## {text['changes']}", ""]
    for event in data.events:
        change = event.kind
        if event.from_status != event.to_status and event.to_status:
            change += f" → {ActionStatus(event.to_status).value}"
        note = f": {event.note}" if event.note else ""
        lines.append(
            f"- {_fmt(event.at.date(), language)} #{event.action_id} {change} ({event.actor}){note}"
        )
    if not data.events:
        lines.append(text["no_changes"])
    return "\n".join(lines) + "\n"
