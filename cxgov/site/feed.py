"""The site's Atom feed (`feed.xml`, RFC 4287): objectives whose status changed from one whole
period to the next, and actions opened, escalated, resolved, closed or reopened, newest first.

Built with ElementTree, which escapes every name. An entry's id is a UUID derived from what the
entry is about (program, objective and period, or action and event), so a reader that polls the
feed sees each change once however often the site is rebuilt. Times come from the data and the
run, never the clock: a status change is dated by the day after its period ended (the first day
a run could judge it), at the latest the run's as-of day; an action's change by the moment the
store recorded it; the feed's own `updated` is the newest of them and the run's as-of day.
"""

from __future__ import annotations

import datetime as dt
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from itertools import pairwise
from zoneinfo import ZoneInfo

from cxgov.judgement.actions import ActionHistory
from cxgov.judgement.record import VerdictRecord
from cxgov.judgement.status import series
from cxgov.model import Program
from cxgov.site.data import SiteData
from cxgov.site.i18n import MESSAGES, Locale

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_PATH = "feed.xml"
MAX_ENTRIES = 100
"""Feed readers keep what they have seen; the newest hundred changes are plenty."""

ACTION_EVENTS = (
    "opened",
    "escalate",
    "resolved",
    "close_recovered",
    "verify_effective",
    "reopen_ineffective",
    "cancelled",
)
"""The action events a subscriber hears of: new, escalated and ended actions (and those that
came back); comments, reassignments and repeats stay on the actions page."""

WORDS: dict[str, dict[str, str]] = {
    "feed_title": {
        "en": "{program}: status changes and actions",
        "fi": "{program}: tilamuutokset ja toimenpiteet",
    },
    "status_changed": {
        "en": "{objective}: {old} → {new} ({period})",
        "fi": "{objective}: {old} → {new} ({period})",
    },
    "status_summary": {
        "en": "{objective} is {new} in {period} (value {value}, n {n}); the period before it "
        "was {old}.",
        "fi": "{objective} on {period} tilassa {new} (arvo {value}, n {n}); edellisellä "
        "jaksolla tila oli {old}.",
    },
    "action_changed": {
        "en": "Action #{id} {event}: {objective}",
        "fi": "Toimenpide #{id} {event}: {objective}",
    },
    "action_summary": {
        "en": "Assignee {assignee}, due {due}, escalation level {level}.",
        "fi": "Vastuuhenkilö {assignee}, määräpäivä {due}, eskalaatiotaso {level}.",
    },
}


def _t(locale: Locale, key: str, **values: object) -> str:
    return WORDS[key][locale.code].format(**values)


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    summary: str
    link: str
    updated: dt.datetime


def _uuid(*parts: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, "cxgov:" + "/".join(parts)).urn


def _day_start(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


def _status_entries(
    program: Program, verdicts: list[VerdictRecord], as_of: dt.datetime, locale: Locale
) -> list[Entry]:
    """One entry per whole period whose status differs from the whole period before it."""
    zone = ZoneInfo(program.program.timezone)
    objectives = {o.id: o for o in program.objectives}
    found: list[Entry] = []
    for objective_id, periods in series(verdicts).items():
        objective = objectives.get(objective_id)
        if objective is None:
            continue
        whole = [p for p in periods if p.complete and dict(p.segment) == objective.segment]
        for before, after in pairwise(whole):
            if before.status == after.status:
                continue
            period = locale.period(after.start, after.end)
            old, new = locale.t(before.status), locale.t(after.status)
            found.append(
                Entry(
                    id=_uuid(program.program.id, "status", objective_id, after.start.isoformat()),
                    title=_t(
                        locale,
                        "status_changed",
                        objective=objective.name,
                        old=old,
                        new=new,
                        period=period,
                    ),
                    summary=_t(
                        locale,
                        "status_summary",
                        objective=objective.name,
                        old=old,
                        new=new,
                        period=period,
                        value=locale.number(after.value),
                        n=locale.integer(after.n),
                    ),
                    link=f"objectives/{objective_id}.html",
                    # known once the period had ended, and at the latest by this run
                    updated=min(_day_start(after.end + dt.timedelta(days=1), zone), as_of),
                )
            )
    return found


def _action_entries(program: Program, actions: list[ActionHistory], locale: Locale) -> list[Entry]:
    objectives = {o.id: o for o in program.objectives}
    owners = {o.id: o.name for o in program.owners}
    found: list[Entry] = []
    for action in actions:
        objective = objectives.get(action.objective)
        name = objective.name if objective else action.objective
        for event in action.events:
            if event.kind not in ACTION_EVENTS:
                continue
            key = f"event_{event.kind}"
            said = locale.t(key) if key in MESSAGES else locale.t(event.kind)
            found.append(
                Entry(
                    id=_uuid(program.program.id, "action", str(action.id), str(event.id)),
                    title=_t(locale, "action_changed", id=action.id, event=said, objective=name),
                    summary=_t(
                        locale,
                        "action_summary",
                        assignee=owners.get(action.assignee, action.assignee),
                        due=locale.date(action.due),
                        level=action.escalation_level,
                    ),
                    link="actions.html",
                    updated=event.at if event.at.tzinfo else event.at.replace(tzinfo=dt.UTC),
                )
            )
    return found


def _stamp(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def atom_feed(program: Program, data: SiteData) -> str | None:
    """The feed as an XML document; None before the first run (nothing has happened yet)."""
    if data.run is None:
        return None
    locale = Locale(program.program.language)
    as_of = _day_start(data.run.as_of, ZoneInfo(program.program.timezone))
    entries = _status_entries(program, data.verdicts, as_of, locale)
    entries += _action_entries(program, data.actions, locale)
    entries.sort(key=lambda e: (e.updated, e.id), reverse=True)
    entries = entries[:MAX_ENTRIES]
    ET.register_namespace("", ATOM_NS)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        element.text = text
        return element

    feed = ET.Element(
        f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": locale.code}
    )
    add(feed, "id", _uuid(program.program.id, "feed"))
    add(feed, "title", _t(locale, "feed_title", program=program.program.name))
    add(feed, "updated", _stamp(max([as_of, *(e.updated for e in entries)])))
    add(feed, "link", rel="self", href=FEED_PATH)
    add(feed, "link", rel="alternate", href="index.html")
    author = add(feed, "author")
    add(author, "name", "cxgov")
    for item in entries:
        entry = add(feed, "entry")
        add(entry, "id", item.id)
        add(entry, "title", item.title)
        add(entry, "updated", _stamp(item.updated))
        add(entry, "link", rel="alternate", href=item.link)
        add(entry, "summary", item.summary)
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"
