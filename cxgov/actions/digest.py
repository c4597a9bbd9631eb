"""One owner's digest: their objectives with status and trend, their actions due or overdue,
escalations that reached them, and what changed since the last digest.

Feedback helps only when it reaches supervisors in their daily work at a pace they can follow:
one page per owner per day or week, not a mail per answer. `render` is pure; filling
`DigestData` from the run record and the ledger, and sending it, live in `digest_delivery`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from typing import Any

from cxgov.actions.sinks.mail import _event_phrase
from cxgov.judgement.actions import Action, ActionEvent
from cxgov.judgement.lifecycle import ActionStatus, action_words
from cxgov.judgement.status import Current
from cxgov.judgement.verdicts import verdict_words
from cxgov.model import Program
from cxgov.model.owners import DigestSchedule, Owner

DUE_SOON_DAYS = 7

_TEXT = {
    "en": {
        "subject": "[cxgov] Your digest for {day}",
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
    },
    "fi": {
        "subject": "[cxgov] Koosteesi {day}",
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
    },
}

_COLUMNS = {
    "en": ("objective", "segment", "period", "value", "n", "status", "change"),
    "fi": ("tavoite", "segmentti", "jakso", "arvo", "n", "tila", "muutos"),
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


@dataclass(frozen=True, slots=True)
class Section:
    """One part of a digest under its heading: a table, a list, or a sentence saying there is
    nothing to show. The Markdown and the HTML digest are both written from these."""

    heading: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    items: tuple[str, ...] = ()
    empty: str = ""


_NUMERIC = frozenset({3, 4, 6})
"""Columns of the objectives table aligned right: value, n, change."""
_STRONG = 5
"""The status column, in bold."""


def sections(data: DigestData) -> tuple[str, str, list[Section]]:
    """The digest's title, introduction and sections, every word in the program's language."""
    language = data.program.program.language.value
    text = _TEXT[language]
    title = text["title"].format(name=data.owner.name)
    intro = text["intro"].format(
        program=data.program.program.name,
        as_of=_fmt(data.as_of, language),
        since=_fmt(data.since, language),
    )
    found: list[Section] = []
    rows = []
    for now in data.current:
        v = now.verdict
        segment = ", ".join(f"{k}={x}" for k, x in v.segment) or "–"
        previous = v.trend.get("previous") or {}
        delta = previous.get("delta")
        change = "–" if delta is None else f"{'+' if delta >= 0 else ''}{_fmt(delta, language)}"
        period = f"{_fmt(v.start, language)}–{_fmt(v.end, language)}"
        if not v.complete:
            period += f" ({text['partial']})"
        status = verdict_words(v.status, language)
        rows.append(
            (v.objective, segment, period, _fmt(v.value, language), str(v.n), status, change)
        )
    empty = text["no_run"] if data.run_id is None else text["no_objectives"]
    found.append(
        Section(
            text["objectives"],
            columns=_COLUMNS[language] if data.run_id is not None else (),
            rows=tuple(rows) if data.run_id is not None else (),
            empty=empty,
        )
    )
    soon = data.as_of + dt.timedelta(days=DUE_SOON_DAYS)
    mine = [a for a in data.actions if a.assignee == data.owner.id]
    due = [a for a in mine if a.active and a.due <= soon]
    items = []
    for action in sorted(due, key=lambda a: (a.due, a.id)):
        when = text["overdue" if action.overdue(data.as_of) else "due"].format(
            due=_fmt(action.due, language)
        )
        trigger = action_words(action.trigger, language)
        severity = action_words(action.severity, language)
        items.append(f"#{action.id} {action.objective} ({trigger}, {severity}): {when}")
    found.append(
        Section(
            text["actions"], items=tuple(items), empty=text["no_actions"].format(days=DUE_SOON_DAYS)
        )
    )
    escalated = [a for a in data.actions if a.escalated_to == data.owner.id and a.active]
    if escalated:
        found.append(
            Section(
                text["escalations"],
                items=tuple(
                    f"#{a.id} {a.objective}: {a.assignee}, "
                    f"{text['overdue'].format(due=_fmt(a.due, language))}"
                    for a in escalated
                ),
            )
        )
    changes = []
    for event in data.events:
        change = _event_phrase(event.kind, language)
        if event.from_status != event.to_status and event.to_status:
            change += f" → {action_words(ActionStatus(event.to_status).value, language)}"
        note = f": {event.note}" if event.note else ""
        changes.append(
            f"{_fmt(event.at.date(), language)} #{event.action_id} {change} ({event.actor}){note}"
        )
    found.append(Section(text["changes"], items=tuple(changes), empty=text["no_changes"]))
    return title, intro, found


def subject(data: DigestData) -> str:
    """The digest mail's subject, its date written as the program's language writes dates."""
    language = data.program.program.language.value
    return _TEXT[language]["subject"].format(day=_fmt(data.as_of, language))


def render(data: DigestData) -> str:
    """The digest as Markdown in the program's language (the mail's plain-text part, and what
    `cxgov actions digest` prints)."""
    title, intro, parts = sections(data)
    lines = [f"# {title}", "", intro]
    for part in parts:
        lines += ["", f"## {part.heading}", ""]
        if part.rows:
            lines.append("| " + " | ".join(part.columns) + " |")
            aligns = ("---:" if i in _NUMERIC else "---" for i in range(len(part.columns)))
            lines.append("|" + "|".join(aligns) + "|")
            for row in part.rows:
                cells = [f"**{c}**" if i == _STRONG else c for i, c in enumerate(row)]
                lines.append("| " + " | ".join(cells) + " |")
        elif part.items:
            lines += [f"- {item}" for item in part.items]
        else:
            lines.append(part.empty)
    return "\n".join(lines) + "\n"


def render_html(data: DigestData) -> str:
    """The digest as an HTML document in the program's language: its tables as HTML tables,
    every text escaped (objective ids, notes and names come from programs and people)."""
    language = data.program.program.language.value
    title, intro, parts = sections(data)
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{language}"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title></head>",
        '<body style="font-family: sans-serif">',
        f"<h1>{escape(title)}</h1>",
        f"<p>{escape(intro)}</p>",
    ]
    for part in parts:
        out.append(f"<h2>{escape(part.heading)}</h2>")
        if part.rows:
            out.append('<table style="border-collapse: collapse" cellpadding="4" border="1">')
            out.append(
                "<thead><tr>"
                + "".join(f"<th>{escape(c)}</th>" for c in part.columns)
                + "</tr></thead>"
            )
            out.append("<tbody>")
            for row in part.rows:
                cells = []
                for i, cell in enumerate(row):
                    shown = f"<strong>{escape(cell)}</strong>" if i == _STRONG else escape(cell)
                    align = ' style="text-align: right"' if i in _NUMERIC else ""
                    cells.append(f"<td{align}>{shown}</td>")
                out.append("<tr>" + "".join(cells) + "</tr>")
            out.append("</tbody></table>")
        elif part.items:
            out.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in part.items) + "</ul>")
        else:
            out.append(f"<p>{escape(part.empty)}</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
