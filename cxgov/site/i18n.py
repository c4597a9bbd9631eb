"""The site's words and number and date formats, in English and Finnish.

The program's `language` picks the locale. Formatting is done here rather than with the `locale`
module because that depends on which locales the machine happens to have installed, and the
site must come out the same on every machine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cxgov.model import Language

_MONTHS_FI = (
    "tammi",
    "helmi",
    "maalis",
    "huhti",
    "touko",
    "kesä",
    "heinä",
    "elo",
    "syys",
    "loka",
    "marras",
    "joulu",
)
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

MESSAGES: dict[str, dict[str, str]] = {
    # navigation and page titles
    "home": {"en": "Overview", "fi": "Yleiskuva"},
    "strategy": {"en": "Strategy", "fi": "Strategia"},
    "journeys": {"en": "Journey maps", "fi": "Asiakaspolut"},
    "objectives": {"en": "Objectives", "fi": "Tavoitteet"},
    "actions": {"en": "Actions", "fi": "Toimenpiteet"},
    "owners": {"en": "Owners", "fi": "Omistajat"},
    "data_quality": {"en": "Data quality", "fi": "Datan laatu"},
    "changelog": {"en": "Changelog", "fi": "Muutoshistoria"},
    # the line every page starts with
    "shows_run": {"en": "Run {run}, as of {as_of}", "fi": "Ajo {run}, tilanne {as_of}"},
    "program_commit": {"en": "program commit {commit}", "fi": "ohjelman versio {commit}"},
    "program_content": {
        "en": "program content {hash} (not in git)",
        "fi": "ohjelman sisältö {hash} (ei gitissä)",
    },
    "no_run": {
        "en": "No evaluation has run yet: run `cxgov run` or `cxgov evaluate` first.",
        "fi": "Arviointia ei ole vielä ajettu: aja ensin `cxgov run` tai `cxgov evaluate`.",
    },
    # statuses
    "pass": {"en": "pass", "fi": "tavoitteessa"},
    "warn": {"en": "warn", "fi": "varoitus"},
    "fail": {"en": "fail", "fi": "hälytys"},
    "insufficient_sample": {"en": "insufficient sample", "fi": "liian vähän vastauksia"},
    "no_data": {"en": "no data", "fi": "ei dataa"},
    "not_judged": {"en": "not judged", "fi": "ei arvioitu"},
    # action statuses
    "open": {"en": "open", "fi": "avoin"},
    "acknowledged": {"en": "acknowledged", "fi": "kuitattu"},
    "in_progress": {"en": "in progress", "fi": "työn alla"},
    "resolved": {"en": "resolved", "fi": "ratkaistu"},
    "verified_effective": {"en": "verified effective", "fi": "todettu tehokkaaksi"},
    "reopened": {"en": "reopened", "fi": "avattu uudelleen"},
    "closed_recovered": {"en": "closed, recovered", "fi": "suljettu, palautunut"},
    "cancelled": {"en": "cancelled", "fi": "peruttu"},
    "overdue": {"en": "overdue", "fi": "myöhässä"},
    "escalated": {"en": "escalated", "fi": "eskaloitu"},
    # table headings and labels
    "status": {"en": "Status", "fi": "Tila"},
    "objective": {"en": "Objective", "fi": "Tavoite"},
    "segment": {"en": "Segment", "fi": "Segmentti"},
    "all_customers": {"en": "all", "fi": "kaikki"},
    "period": {"en": "Period", "fi": "Jakso"},
    "value": {"en": "Value", "fi": "Arvo"},
    "interval": {"en": "Interval", "fi": "Luottamusväli"},
    "target": {"en": "Target", "fi": "Tavoitetaso"},
    "warn_level": {"en": "Warn", "fi": "Varoitusraja"},
    "fail_level": {"en": "Fail", "fi": "Hälytysraja"},
    "margin": {"en": "Margin to target", "fi": "Ero tavoitteeseen"},
    "count_n": {"en": "n", "fi": "n"},
    "kpi": {"en": "KPI", "fi": "Mittari"},
    "measurement_point": {"en": "Measurement point", "fi": "Mittauspiste"},
    "journey": {"en": "Journey", "fi": "Asiakaspolku"},
    "touchpoint": {"en": "Touchpoint", "fi": "Kosketuspiste"},
    "stage": {"en": "Stage", "fi": "Vaihe"},
    "channel": {"en": "Channel", "fi": "Kanava"},
    "weight": {"en": "weight", "fi": "paino"},
    "owner": {"en": "Owner", "fi": "Omistaja"},
    "assignee": {"en": "Assignee", "fi": "Vastuuhenkilö"},
    "severity": {"en": "Severity", "fi": "Vakavuus"},
    "low": {"en": "low", "fi": "matala"},
    "medium": {"en": "medium", "fi": "keskitaso"},
    "high": {"en": "high", "fi": "korkea"},
    "due": {"en": "Due", "fi": "Määräpäivä"},
    "trigger": {"en": "Trigger", "fi": "Syy"},
    "miss": {"en": "missed target", "fi": "tavoite alittui"},
    "decline": {"en": "decline", "fi": "heikkeneminen"},
    "opened": {"en": "Opened", "fi": "Avattu"},
    "action": {"en": "Action", "fi": "Toimenpide"},
    "event": {"en": "Event", "fi": "Tapahtuma"},
    "date": {"en": "Date", "fi": "Päivä"},
    "note": {"en": "Note", "fi": "Huomautus"},
    "by_actor": {"en": "By", "fi": "Tekijä"},
    "none_yet": {"en": "None.", "fi": "Ei yhtään."},
    "yes": {"en": "yes", "fi": "kyllä"},
    "no": {"en": "no", "fi": "ei"},
    "partial": {"en": "partial", "fi": "kesken"},
    "partial_period": {"en": "partial period", "fi": "keskeneräinen jakso"},
    # home
    "health": {"en": "Objectives by status", "fi": "Tavoitteet tilan mukaan"},
    "health_intro": {
        "en": "The latest period of each objective, worst first.",
        "fi": "Kunkin tavoitteen viimeisin jakso, heikoin ensin.",
    },
    "open_actions": {"en": "Open actions", "fi": "Avoimet toimenpiteet"},
    "overdue_actions": {"en": "Overdue", "fi": "Myöhässä"},
    "escalated_actions": {"en": "Escalated", "fi": "Eskaloitu"},
    "goal_progress": {"en": "Strategy goals", "fi": "Strategiset tavoitteet"},
    "freshness": {"en": "Data freshness", "fi": "Datan tuoreus"},
    "freshness_line": {
        "en": "Newest answer {newest}; {stopped} measurement points without new data for "
        "longer than two periods.",
        "fi": "Uusin vastaus {newest}; {stopped} mittauspisteessä ei uutta dataa yli kahteen "
        "jaksoon.",
    },
    "goal": {"en": "Goal", "fi": "Tavoite"},
    "baseline": {"en": "Baseline", "fi": "Lähtötaso"},
    "current": {"en": "Now", "fi": "Nyt"},
    "by_date": {"en": "By", "fi": "Mennessä"},
    "progress": {"en": "Progress", "fi": "Edistyminen"},
    # strategy
    "vision": {"en": "Vision", "fi": "Visio"},
    "current_state": {"en": "Current state", "fi": "Nykytila"},
    "assessed_on": {"en": "Assessed on {date}.", "fi": "Arvioitu {date}."},
    "baselines": {"en": "Baselines", "fi": "Lähtötasot"},
    "goals": {"en": "Goals", "fi": "Tavoitteet"},
    "trajectory_title": {"en": "{goal}: path to target", "fi": "{goal}: polku tavoitteeseen"},
    "trajectory_desc": {
        "en": "Target path from the baseline {baseline} to {target} by {by}; the latest value "
        "is {current}.",
        "fi": "Tavoitepolku lähtötasosta {baseline} tasoon {target} {by} mennessä; viimeisin "
        "arvo on {current}.",
    },
    "target_path": {"en": "target path", "fi": "tavoitepolku"},
    "no_strategy": {
        "en": "The program has no strategy section.",
        "fi": "Ohjelmassa ei ole strategiaosiota.",
    },
    # journeys
    "journey_intro": {
        "en": "Stages across, channels down; each touchpoint shows its measurement's latest "
        "status, value and number of answers.",
        "fi": "Vaiheet vaakasuunnassa, kanavat pystysuunnassa; kosketuspisteessä näkyy sen "
        "mittauksen viimeisin tila, arvo ja vastausten määrä.",
    },
    "sub_journeys": {"en": "Sub-journeys", "fi": "Alipolut"},
    "parent_journey": {"en": "Part of", "fi": "Osa polkua"},
    "journey_level": {"en": "Journey and stage measures", "fi": "Polun ja vaiheiden mittarit"},
    "not_measured": {"en": "not measured", "fi": "ei mitattu"},
    # objectives
    "trend": {"en": "Trend", "fi": "Kehitys"},
    "periods": {"en": "Periods", "fi": "Jaksot"},
    "segments": {"en": "By segment", "fi": "Segmenteittäin"},
    "segments_intro": {
        "en": "The latest period ({period}) by each breakdown dimension.",
        "fi": "Viimeisin jakso ({period}) kunkin jaottelun mukaan.",
    },
    "no_segments": {
        "en": "The measurement point has no segment breakdown.",
        "fi": "Mittauspisteellä ei ole segmenttijaottelua.",
    },
    "changes": {"en": "Change", "fi": "Muutos"},
    "vs_previous": {"en": "vs previous period", "fi": "edelliseen jaksoon"},
    "vs_year_ago": {"en": "vs a year ago", "fi": "vuoden takaiseen"},
    "significant": {"en": "significant (p = {p})", "fi": "merkitsevä (p = {p})"},
    "not_significant": {"en": "not significant (p = {p})", "fi": "ei merkitsevä (p = {p})"},
    "no_comparison": {"en": "no comparison", "fi": "ei vertailukohtaa"},
    "action_history": {"en": "Action history", "fi": "Toimenpidehistoria"},
    "consequence": {"en": "If missed", "fi": "Jos tavoite jää saavuttamatta"},
    "revision_from": {"en": "revision {date}", "fi": "muutos {date}"},
    "trend_title": {"en": "{name}: {kpi} by period", "fi": "{name}: {kpi} jaksoittain"},
    "trend_desc": {
        "en": "{count} periods from {first} to {last}; the latest value is {value} "
        "(status {status}) against a target of {target}.",
        "fi": "{count} jaksoa {first}–{last}; viimeisin arvo on {value} (tila {status}), "
        "tavoitetaso {target}.",
    },
    "trend_empty": {"en": "No periods judged yet.", "fi": "Yhtään jaksoa ei ole vielä arvioitu."},
    "confidence_interval": {"en": "confidence interval", "fi": "luottamusväli"},
    # actions
    "actions_intro": {
        "en": "Actions open when an objective misses; each is followed until the KPI has "
        "verifiably recovered.",
        "fi": "Toimenpide avataan, kun tavoite jää saavuttamatta, ja sitä seurataan, kunnes "
        "mittari on todennetusti palautunut.",
    },
    "effectiveness": {"en": "Effectiveness", "fi": "Vaikuttavuus"},
    "effectiveness_intro": {
        "en": "Resolutions the following periods judged, and the share verified effective.",
        "fi": "Ratkaisut, jotka seuraavat jaksot ovat arvioineet, ja tehokkaiksi todettujen osuus.",
    },
    "judged": {"en": "Judged", "fi": "Arvioitu"},
    "effective_share": {"en": "Effective", "fi": "Tehokkaita"},
    "by_owner": {"en": "By owner", "fi": "Omistajittain"},
    "by_journey": {"en": "By journey", "fi": "Asiakaspoluittain"},
    "resolved_actions": {"en": "Resolved and verified", "fi": "Ratkaistut ja todennetut"},
    "ended_actions": {"en": "Ended", "fi": "Päättyneet"},
    "recent_comments": {"en": "Recent comments", "fi": "Tuoreita kommentteja"},
    # action events (the status an event moved to is shown with the status words above)
    "event_opened": {"en": "opened", "fi": "avattu"},
    "event_repeat": {"en": "missed again", "fi": "toistui"},
    "event_escalate": {"en": "escalated", "fi": "eskaloitu"},
    "event_close_recovered": {"en": "closed: recovered", "fi": "suljettu: palautui"},
    "event_verify_effective": {"en": "verified effective", "fi": "todettu tehokkaaksi"},
    "event_reopen_ineffective": {"en": "reopened: not effective", "fi": "avattu: ei tehonnut"},
    "event_comment": {"en": "comment", "fi": "kommentti"},
    "event_assigned": {"en": "assigned", "fi": "vastuu siirretty"},
    # owners
    "owns": {"en": "Owns", "fi": "Vastuulla"},
    "escalates_to": {"en": "Escalates to", "fi": "Eskalointi"},
    "cx_owner": {"en": "CX owner", "fi": "Asiakaskokemuksen omistaja"},
    "sponsor": {"en": "Sponsor", "fi": "Sponsori"},
    "touchpoints": {"en": "Touchpoints", "fi": "Kosketuspisteet"},
    "measurement_points": {"en": "Measurement points", "fi": "Mittauspisteet"},
    # data quality
    "records": {"en": "Answers", "fi": "Vastauksia"},
    "not_applicable": {"en": "Not applicable", "fi": "Ei koske"},
    "last_data": {"en": "Last data", "fi": "Viimeisin data"},
    "insufficient_periods": {"en": "Thin periods", "fi": "Ohuita jaksoja"},
    "feed": {"en": "Feed", "fi": "Syöte"},
    "stopped": {"en": "stopped", "fi": "pysähtynyt"},
    "flowing": {"en": "flowing", "fi": "kulkee"},
    "rejected_rows": {"en": "Rejected rows by source", "fi": "Hylätyt rivit lähteittäin"},
    "source": {"en": "Source", "fi": "Lähde"},
    "rejected": {"en": "Rejected", "fi": "Hylättyjä"},
    "data_quality_intro": {
        "en": "Thin periods are judged periods below the measurement point's minimum sample. "
        "A feed has stopped when nothing arrived for two of its periods.",
        "fi": "Ohuet jaksot ovat arvioituja jaksoja, joissa vastauksia oli alle mittauspisteen "
        "vähimmäismäärän. Syöte on pysähtynyt, kun dataa ei ole tullut kahteen jaksoon.",
    },
    # changelog
    "changelog_intro": {
        "en": "How targets, thresholds and owners changed in the program's git history, "
        "newest first. A loosened target is marked.",
        "fi": "Miten tavoitetasot, raja-arvot ja omistajat ovat muuttuneet ohjelman "
        "git-historiassa, uusin ensin. Löysennetty tavoite on merkitty.",
    },
    "no_history": {
        "en": "No git history was found for the program's files.",
        "fi": "Ohjelman tiedostoille ei löytynyt git-historiaa.",
    },
    "commit": {"en": "Commit", "fi": "Versio"},
    "program_created": {"en": "The program was created", "fi": "Ohjelma luotiin"},
    "old": {"en": "Before", "fi": "Ennen"},
    "new": {"en": "After", "fi": "Jälkeen"},
    "author": {"en": "Author", "fi": "Tekijä"},
    "change": {"en": "Change", "fi": "Muutos"},
    "effect": {"en": "Effect", "fi": "Vaikutus"},
    "added": {"en": "added", "fi": "lisätty"},
    "removed": {"en": "removed", "fi": "poistettu"},
    "tightened": {"en": "tightened", "fi": "kiristetty"},
    "loosened": {"en": "loosened", "fi": "löysennetty"},
    "changed": {"en": "changed", "fi": "muutettu"},
    # charts
    "chart_period": {"en": "Period start", "fi": "Jakson alku"},
    "chart_value": {"en": "value", "fi": "arvo"},
    "chart_revision": {"en": "target revision", "fi": "tavoitteen muutos"},
}


@dataclass(frozen=True)
class Locale:
    language: Language

    @property
    def code(self) -> str:
        return self.language.value

    def t(self, key: str, **values: object) -> str:
        """The message `key` in this language, with `{name}` placeholders filled."""
        text = MESSAGES[key][self.code]
        return text.format(**values) if values else text

    def number(self, value: float | None, digits: int = 1) -> str:
        """1,234.5 in English; 1 234,5 in Finnish (a no-break space groups thousands)."""
        if value is None:
            return "–"
        text = f"{value:,.{digits}f}"
        if self.language is Language.FI:
            text = text.replace(",", "\u00a0").replace(".", ",").replace("-", "−")
        return text

    def integer(self, value: int) -> str:
        return self.number(value, 0)

    def percent(self, share: float | None) -> str:
        """A share 0..1 as a percentage."""
        if share is None:
            return "–"
        text = self.number(100 * share, 0)
        return f"{text}\u00a0%" if self.language is Language.FI else f"{text}%"

    def date(self, day: dt.date | None) -> str:
        """22.11.2026 in Finnish; 2026-11-22 in English."""
        if day is None:
            return "–"
        if self.language is Language.FI:
            return f"{day.day}.{day.month}.{day.year}"
        return day.isoformat()

    def month(self, day: dt.date) -> str:
        """A short month label for chart axes."""
        names = _MONTHS_FI if self.language is Language.FI else _MONTHS_EN
        return f"{names[day.month - 1]} {day.year % 100:02d}"

    def period(self, start: dt.date, end: dt.date) -> str:
        if self.language is Language.FI:
            return f"{self.date(start)}–{self.date(end)}"
        return f"{start.isoformat()} – {end.isoformat()}"
