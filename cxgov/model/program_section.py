"""The `program` section: identity, language, time zone, leadership and strategy."""

from __future__ import annotations

import datetime as dt

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
