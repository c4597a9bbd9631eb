"""The `program` section: identity, language, time zone, leadership and strategy."""

from __future__ import annotations

import datetime as dt

from pydantic import HttpUrl, field_validator

from cxgov.model.base import Id, Language, Model
from cxgov.model.decisions import DecisionSettings


class Baseline(Model):
    objective: Id
    """The objective whose KPI this baseline measured."""
    value: float
    as_of: dt.date


class CurrentState(Model):
    assessed_on: dt.date | None = None
    summary: str | None = None
    baselines: tuple[Baseline, ...] = ()


class Goal(Model):
    id: Id
    statement: str
    """The goal in words, as leadership committed to it."""
    objective: Id
    """The objective whose KPI shows progress toward the goal."""
    target: float
    by: dt.date


class Strategy(Model):
    vision: str | None = None
    current_state: CurrentState | None = None
    goals: tuple[Goal, ...] = ()


class ProgramSection(Model):
    id: Id
    name: str
    description: str | None = None
    language: Language = Language.EN
    """UI language of reports and the site: `en` or `fi`."""
    timezone: str = "UTC"
    """IANA time-zone name (for example Europe/Helsinki); periods are cut in this zone."""
    cx_owner: Id | None = None
    """Owner id of the person accountable for the customer experience as a whole."""
    sponsor: Id | None = None
    """Owner id of the leadership sponsor: the top of every escalation chain."""
    strategy: Strategy | None = None
    decisions: DecisionSettings = DecisionSettings()
    """Error rates of verdicts and alarms (docs/verdicts.md); the defaults suit most programs."""
    site_url: str | None = None
    """Public address of the published status site (for example https://cx.example.fi/cx/):
    every link a sink sends (mail, webhook, GitHub, Teams, Slack) is built from it. Without
    it, messages carry no link rather than one that cannot open."""

    @field_validator("site_url")
    @classmethod
    def _absolute_site_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        given = value.strip()
        if any(c.isspace() or c in '<>"`' for c in given):
            # the link goes into mails, Markdown and chat markup, where these end it early
            raise ValueError(f'site_url {value!r} has spaces or <>"` in it; percent-encode them')
        try:
            url = HttpUrl(given)
        except ValueError:
            raise ValueError(
                f"site_url {value!r} is not an absolute http(s) URL; give the address the "
                "site is published at, for example https://cx.example.fi/"
            ) from None
        if url.query or url.fragment or "?" in given or "#" in given:
            raise ValueError(f"site_url {value!r} has a query or fragment; give the site's base")
        # links are joined below the base, so it names a folder
        text = str(url)
        return text if text.endswith("/") else f"{text}/"
