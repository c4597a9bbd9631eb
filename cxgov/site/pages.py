"""The site's pages: Markdown and SVG text built from the program and the collected data.

Pure and deterministic: the same program and data give the same bytes (sorted, no build time),
which is what the golden-file tests pin. Every value from YAML or data is escaped by the template
environment (see `escape`); the only markup that bypasses it is built here from escaped parts.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property, partial
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from cxgov.judgement.actions import ActionHistory
from cxgov.judgement.detectability import detectability, recorded_volumes
from cxgov.judgement.lifecycle import ENDED
from cxgov.judgement.periods import Period
from cxgov.judgement.record import VerdictRecord
from cxgov.judgement.status import Current, current_status
from cxgov.judgement.verdicts import MISSES, SEVERITY, Verdict, number, thresholds_for
from cxgov.judgement.voc import (
    Difference,
    DriversOfJourney,
    Effect,
    KeyDriver,
    ThemePeriod,
    ThemePoint,
    ThemeReport,
)
from cxgov.model import (
    Category,
    Direction,
    Journey,
    Kpi,
    KpiType,
    Language,
    MeasurementPoint,
    Objective,
    Program,
    Statistic,
    Theme,
)
from cxgov.model.base import ID_PATTERN
from cxgov.model.objectives import DEFAULT_CONFIDENCE, theme_share_kpi
from cxgov.redaction import REDACTED
from cxgov.review.words import Words
from cxgov.site.badges import badges
from cxgov.site.charts import (
    NARROW,
    WIDE,
    Canvas,
    ChartText,
    IntervalRow,
    IntervalText,
    PriorityPoint,
    PriorityText,
    TrendPoint,
    interval_chart,
    priority_chart,
    trajectory_chart,
    trend_chart,
)
from cxgov.site.data import ChangeRecord, HistoryRecord, RewrittenTargets, SiteData
from cxgov.site.escape import Markup, html_text, md
from cxgov.site.feed import FEED_PATH, atom_feed
from cxgov.site.i18n import MESSAGES, Locale
from cxgov.site.options import Audience
from cxgov.site.sparkline import SparkPoint, sparkline
from cxgov.voc.links import MIN_PERIODS as MIN_LINK_PERIODS

NARROW_BELOW = 639
"""Screens up to this many CSS pixels wide get a chart's narrow drawing: from 640 px up the
wide one's 11-unit type shows at 9 px or more in the page column."""
STOPPED_AFTER_PERIODS = 2
_ATTENTION = frozenset(
    {Verdict.FAIL.value, Verdict.WARN.value, Verdict.BELOW_TARGET.value, Verdict.NO_DATA.value}
)
"""Current statuses the home page lists under "needs attention": an established shortfall, or
a whole period without data (the feed stopped, nobody can tell how the objective stands)."""
_ACTION_GROUPS = ("overdue", "open", "reopened", "acknowledged", "in_progress", "resolved", "ended")
_PERIOD_DAYS = {"week": 7, "month": 31, "quarter": 92, "year": 366}
STYLESHEET = "stylesheets/cxgov.css"
_ID = re.compile(ID_PATTERN)
_VALUE_CHARS = 80
_SHARE_KPIS = frozenset({KpiType.CSAT, KpiType.CES, KpiType.TOP_BOX})
"""KPIs that are the share (%) of answers in a range: 0…100."""
_NOT_MET_CAP = 0.99
"""The most progress a goal not yet met is shown with."""
_SPARK_PERIODS = 12
_MISSES = frozenset(v.value for v in MISSES)
_SINK_TARGETS = ("url", "url_env", "to", "repo", "site", "project")
"""The fields that say where a sink delivers, in the order a reader looks for them."""
_FIELDS = {
    "target": "target",
    "warn": "warn_level",
    "fail": "fail_level",
    "targets": "target",
    "owner": "owner",
    "sinks": "sinks",
    "name": "name",
    "escalates_to": "escalates_to",
    "measurement_point": "measurement_point",
    "segment": "segment",
}
"""Changed fields the changelog names in the site's words (others as written in YAML)."""
_P_FLOOR = 0.001
"""The smallest p-value written out; below it the site says `p < 0,001`."""


@dataclass(frozen=True, eq=False)
class Page:
    path: str
    """Relative to the generated docs folder, with `/` separators."""
    title: str
    source: str | Callable[[], str]
    """The text, or what draws it: a chart is drawn when it is written (`chart_pages`)."""

    @property
    def content(self) -> str:
        return self.source if isinstance(self.source, str) else self.source()

    def __eq__(self, other: object) -> bool:
        # pages are the same when they read the same, however their text is made
        if not isinstance(other, Page):
            return NotImplemented
        return (self.path, self.title, self.content) == (other.path, other.title, other.content)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Attention:
    """A row of the home page's "needs attention": an objective that misses, who owns it and
    the action on it."""

    objective: Objective
    verdict: VerdictRecord
    owner: str | None
    action: ActionHistory | None
    days_overdue: int | None
    gap: float | None


@dataclass(frozen=True)
class Headline:
    """A strategic objective in the home page's headline strip."""

    objective: Objective
    verdict: VerdictRecord | None
    goal: GoalRow | None
    sparkline: str
    """The sparkline's path in the generated docs."""


@dataclass(frozen=True)
class ThemeOverview:
    """A theme's row on the voice-of-the-customer overview."""

    theme: ThemeReport
    points: int
    mentions: int
    comments: int
    share: float | None
    lowers: list[tuple[str, ThemePeriod]]
    """(measurement point, the newest shown period where the theme lowered its KPI)"""
    raises: list[tuple[str, ThemePeriod]]


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("cxgov.site", "templates"),
        autoescape=False,
        finalize=md,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["h"] = html_text
    env.filters["id"] = _identifier
    return env


def _identifier(value: str) -> Markup:
    """An id from the program in a URL or an anchor. The model allows only letters, digits and
    `_.-` in ids, so it needs no escaping, and must not get Markdown's backslashes."""
    if not _ID.fullmatch(value):
        raise ValueError(f"not an id: {value!r}")
    return Markup(value)


_ENV = _environment()


class View:
    """Lookups shared by the page templates."""

    def __init__(self, program: Program, data: SiteData, audience: Audience) -> None:
        self.program = program
        self.data = data
        self.audience = audience
        self.locale = Locale(program.program.language)
        self.kpis = {k.id: k for k in program.kpis}
        self.points = {p.id: p for p in program.measurement_points}
        self.objectives = {o.id: o for o in program.objectives}
        self.journeys = {j.id: j for j in program.journeys}
        self.owners = {o.id: o for o in program.owners}
        self.as_of = data.run.as_of if data.run else None

    # words and numbers -------------------------------------------------------------------

    def t(self, key: str, **values: object) -> Markup:
        """A message with its values escaped for Markdown (the message itself is trusted)."""
        return Markup(self.locale.t(key, **{k: Markup(md(v)) for k, v in values.items()}))

    def th(self, key: str, **values: object) -> Markup:
        """A message for a raw HTML block."""
        return Markup(self.locale.t(key, **{k: html_text(v) for k, v in values.items()}))

    def num(self, value: float | None, digits: int = 1) -> str:
        return self.locale.number(value, digits)

    def n(self, count: int | None) -> str:
        """A sample size; a delivered business value has none (stored as 0)."""
        return self.locale.number(count, 0) if count else "–"

    def date(self, day: dt.date | dt.datetime | None) -> str:
        if isinstance(day, dt.datetime):
            day = day.date()
        return self.locale.date(day)

    def date_cell(self, day: dt.date | dt.datetime | None) -> Markup:
        """A date in a table cell, kept whole: a narrow column may wrap its words but must not
        break a date between its digits."""
        return Markup(f'<span class="cx-date">{html_text(self.date(day))}</span>')

    def period(self, v: VerdictRecord) -> str:
        text = self.locale.period(v.start, v.end)
        return text if v.complete else f"{text} ({self.locale.t('partial')})"

    def status(self, status: str) -> Markup:
        """A status as a coloured badge that also says it in words (colour is never the only
        cue)."""
        return Markup(
            f'<span class="cx-status cx-{html_text(status)}">{html_text(self.locale.t(status))}'
            "</span>"
        )

    def event(self, kind: str) -> str:
        """An action event in words; transitions are named by the status they moved to."""
        key = f"event_{kind}"
        if key in MESSAGES:
            return self.locale.t(key)
        return self.locale.t(kind) if kind in MESSAGES else kind

    def ordered_changes(self, changes: Iterable[ChangeRecord]) -> list[ChangeRecord]:
        """Loosened targets, removed objectives and rewritten history first: what leadership
        must not miss."""
        rank = {"loosened": 0, "removed": 1, "tightened": 2, "changed": 3, "added": 4}
        return sorted(
            changes,
            key=lambda c: (
                min(rank.get(c.effect, 5), 1 if c.rewrites_history else 5),
                c.kind,
                c.id,
                c.field or "",
            ),
        )

    def value(self, value: object) -> str:
        """A changed setting's old or new value, compactly: a whole item by its name."""
        if value is None:
            return "–"
        if isinstance(value, bool):
            return self.locale.t("yes" if value else "no")
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return self.num(value, 2).rstrip("0").rstrip(",.")
        if isinstance(value, str):
            return value
        return self._cut(self._readable(value))

    def _readable(self, value: object) -> str:
        """A list or mapping from the program in words, not JSON: a whole item by its name, a
        sink by its type and where it delivers, anything else as `field: value` pairs."""
        if isinstance(value, list | tuple):
            return "; ".join(self._readable(item) for item in value) or "–"
        if isinstance(value, dict):
            for key in ("name", "statement"):
                if isinstance(value.get(key), str):
                    return str(value[key])
            if isinstance(value.get("type"), str):
                where = [
                    str(value[key])
                    for key in _SINK_TARGETS
                    if value.get(key) not in (None, "", [], ())
                ]
                return f"{value['type']} → {', '.join(where)}" if where else str(value["type"])
            if isinstance(value.get("id"), str):
                return str(value["id"])
            return ", ".join(
                f"{key}: {self._readable(item)}" for key, item in sorted(value.items())
            )
        if value is None:
            return "–"
        if isinstance(value, bool | int | float):
            return self.value(value)
        return str(value)

    @staticmethod
    def _cut(text: str) -> str:
        return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 1] + "…"

    def kind(self, kind: str) -> str:
        """What a changelog entry changed (objective, owner…) in the site's language."""
        return Words(self.locale.code).kind(kind)

    def change_field(self, field: str) -> str:
        """A changed field in words where the site has them (thresholds, owner, sinks…)."""
        key = _FIELDS.get(field)
        if key is None:
            return field.replace("_", " ")
        text = self.locale.t(key)
        return text if text.isupper() else text[:1].lower() + text[1:]

    def rewrites_of(self, objective_id: str) -> list[tuple[HistoryRecord, RewrittenTargets]]:
        """The commits that changed the objective's revisions while they were in force,
        oldest first, each with the revisions it had before."""
        return [
            (entry, rewrite)
            for entry in self.data.history
            for rewrite in entry.rewritten
            if rewrite.objective == objective_id
        ]

    def field_name(self, field: str | None) -> str:
        """A target change's field as the objective page names thresholds."""
        names = {"target": "target", "warn": "warn_level", "fail": "fail_level"}
        return self.locale.t(names[field]) if field in names else field or ""

    def iso_date(self, text: str | None) -> str:
        """A change's ISO date in the site's date format."""
        return self.date(dt.date.fromisoformat(text)) if text else "–"

    def created(self, changes: Iterable[ChangeRecord]) -> list[tuple[str, int]]:
        """What a program's first commit added, counted by kind."""
        counts = Counter(c.kind for c in changes if c.effect == "added")
        return sorted(counts.items())

    def segment(self, segment: Iterable[tuple[str, str]]) -> str:
        return ", ".join(f"{k}={v}" for k, v in segment) or self.locale.t("all_customers")

    def owner_name(self, owner_id: str | None) -> str:
        if owner_id is None:
            return "–"
        owner = self.owners.get(owner_id)
        return owner.name if owner else owner_id

    def owner_link(self, owner_id: str | None, root: str = "") -> Markup:
        """An owner's name linked to their page ("my objectives and actions"); plain text for
        an owner no longer in the program."""
        if owner_id is None or owner_id not in self.owners:
            return Markup(md(self.owner_name(owner_id)))
        return Markup(f"[{md(self.owners[owner_id].name)}]({root}owners/{owner_id}.md)")

    def actor(self, actor: str, root: str = "") -> Markup:
        """Who recorded an action event: an owner by their linked name, anyone else (cxgov
        itself, a user name) as written."""
        return self.owner_link(actor, root) if actor in self.owners else Markup(md(actor))

    def journey_link(self, journey_id: str | None, root: str = "") -> Markup:
        if journey_id is None or journey_id not in self.journeys:
            return Markup(md(journey_id or "–"))
        return Markup(f"[{md(self.journeys[journey_id].name)}]({root}journeys/{journey_id}.md)")

    def measured_kpi(self, objective: Objective) -> Kpi:
        """What the objective is judged on: its point's KPI, or for a theme objective the
        share of comments that mention the theme (with the objective's direction)."""
        kpi = self.kpis[self.points[objective.measurement_point].kpi]
        if objective.theme is None:
            return kpi
        theme = self.theme_definition(objective.theme)
        return theme_share_kpi(objective, kpi, theme.name if theme else objective.theme)

    def higher_is_better(self, objective: Objective) -> bool:
        return self.measured_kpi(objective).direction is Direction.HIGHER_IS_BETTER

    def kpi_name(self, objective: Objective) -> str:
        return self.kpis[self.points[objective.measurement_point].kpi].name

    def unit(self, objective: Objective) -> str:
        kpi = self.kpis[self.points[objective.measurement_point].kpi]
        if kpi.type is KpiType.NPS:
            return "NPS"
        return kpi.unit or ("%" if kpi.type is not KpiType.MEAN else "")

    # verdicts ----------------------------------------------------------------------------

    @cached_property
    def series(self) -> dict[str, list[VerdictRecord]]:
        """Each objective's periods for its own segment, oldest first."""
        found: dict[str, list[VerdictRecord]] = {}
        for v in self.data.verdicts:
            objective = self.objectives.get(v.objective)
            if objective is not None and dict(v.segment) == objective.segment:
                found.setdefault(v.objective, []).append(v)
        return found

    @cached_property
    def current(self) -> dict[str, Current]:
        """Each objective's current status by the one rule (`cxgov.judgement.status`), worked
        out once for all the pages that show it."""
        return current_status(self.data.verdicts)

    def latest(self, objective_id: str) -> VerdictRecord | None:
        """The period the objective's current status is read from."""
        current = self.current.get(objective_id)
        return None if current is None else current.verdict

    def pending(self, objective_id: str) -> Markup | None:
        """The newer period still collecting answers while the status is read from an
        earlier one, in words; None when there is none."""
        current = self.current.get(objective_id)
        if current is None or current.pending is None:
            return None
        young = current.pending
        return self.t(
            "pending_period",
            period=self.locale.period(young.start, young.end),
            n=self.n(young.n) if young.n else "0",
        )

    @cached_property
    def _volumes(self) -> dict[str, int]:
        """Recent answers per period of every objective, read once for all the pages."""
        return recorded_volumes(self.data.verdicts)

    def detectable(self, objective: Objective) -> Markup | None:
        """The smallest shortfall the objective's recent volume can establish, in words; None
        where the question does not arise (`rule: point`, a business figure, no fail level, a
        theme share)."""
        if objective.theme is not None:
            return None
        point = self.points[objective.measurement_point]
        found = detectability(
            objective,
            self.kpis[point.kpi],
            point,
            self.program.program.decisions.error_rate,
            self._volumes.get(objective.id),
        )
        if found is None:
            return None
        return self.t(
            "detectable" if found.detectable else "undetectable",
            volume=self.n(found.volume),
            one=self.num(found.mds_one_period),
            three=self.num(found.mds_three_periods),
            gap=self.num(found.gap),
            needed=self.n(found.needed_per_period),
        )

    def worst_first(self) -> list[tuple[Objective, VerdictRecord | None]]:
        rows = [(o, self.latest(o.id)) for o in self.program.objectives]
        return sorted(
            rows,
            key=lambda r: (-SEVERITY[Verdict(r[1].status)] if r[1] else 1, r[0].id),
        )

    def status_counts(self) -> list[tuple[str, int]]:
        return self.count_statuses(self.worst_first())

    def count_statuses(
        self, rows: Iterable[tuple[Objective, VerdictRecord | None]]
    ) -> list[tuple[str, int]]:
        """How many objectives stand in each status, gravest first."""
        counts = Counter(v.status for _o, v in rows if v is not None)
        return [(s, counts[s]) for s in sorted(SEVERITY, key=lambda s: -SEVERITY[s]) if counts[s]]

    def change(self, found: dict[str, Any] | None, confidence: float | None) -> str:
        """A change with its significance, in words."""
        if not found:
            return self.locale.t("no_comparison")
        return self._change(found.get("delta"), found.get("p_value"), confidence)

    def voc_change(self, found: Difference | None) -> str:
        """A theme's change in share from the period before, in the words of `change`."""
        if found is None:
            return self.locale.t("no_comparison")
        return self._change(found.delta, found.p_value, None)

    def _change(self, delta: float | None, p_value: float | None, confidence: float | None) -> str:
        if delta is None:
            return self.locale.t("no_comparison")
        sign = "+" if delta > 0 else ""
        text = f"{sign}{self.num(delta)}"
        if p_value is None:
            return text
        alpha = 1 - (confidence or DEFAULT_CONFIDENCE)
        key = "significant" if p_value < alpha else "not_significant"
        return f"{text}, {self.locale.t(key, p=self.p(p_value))}"

    def progress(self, row: GoalRow) -> str:
        """A goal's progress from its baseline as a percentage, with "met" only when the
        current value reaches the target: 300,6 against at most 300 is 99 %, never a rounded
        100 %."""
        if row.progress is None:
            return "–"
        share = row.progress
        if not row.met:
            share = min(math.floor(share * 100) / 100, _NOT_MET_CAP)
        text = self.locale.percent(share)
        return f"{text} ({self.locale.t('goal_met')})" if row.met else text

    def p(self, p_value: float | None, name: str = "p") -> str:
        """A p-value as `p = 0,012`; one below what three decimals show as `p < 0,001`, never
        `p = 0,000`, which would claim a certainty no test gives (`name`: an adjusted one's)."""
        if p_value is None:
            return f"{name} = –"
        if p_value < _P_FLOOR:
            return f"{name} < {self.num(_P_FLOOR, 3)}"
        return f"{name} = {self.num(p_value, 3)}"

    def p_only(self, p_value: float | None) -> str:
        """A p-value in a column headed `p`: `0,012`, or `< 0,001`."""
        if p_value is None:
            return "–"
        return f"< {self.num(_P_FLOOR, 3)}" if p_value < _P_FLOOR else self.num(p_value, 3)

    def interval_of(self, v: VerdictRecord) -> str:
        """A period's confidence interval, clipped to the values the KPI can take (an NPS
        to −100…100, a share to 0…100); a clipped end is marked, and the page says why."""
        if v.ci_low is None or v.ci_high is None:
            return "–"
        low, high = v.ci_low, v.ci_high
        lowest, highest = self.possible_range(v.objective)
        clipped = False
        if lowest is not None and low < lowest:
            low, clipped = lowest, True
        if highest is not None and high > highest:
            high, clipped = highest, True
        text = f"{self.num(low)} … {self.num(high)}"
        return f"{text} ({self.locale.t('clipped')})" if clipped else text

    def possible_range(self, objective_id: str) -> tuple[float | None, float | None]:
        """The smallest and largest value the objective's KPI can take (None: unbounded)."""
        objective = self.objectives.get(objective_id)
        if objective is None:
            return None, None
        kpi = self.measured_kpi(objective)
        if kpi.type is KpiType.NPS:
            return -100.0, 100.0
        if kpi.type in _SHARE_KPIS:
            return 0.0, 100.0
        return None, None

    # actions -----------------------------------------------------------------------------

    def active(self) -> list[ActionHistory]:
        return [a for a in self.data.actions if a.active]

    def overdue(self) -> list[ActionHistory]:
        return [a for a in self.active() if self.as_of is not None and a.overdue(self.as_of)]

    def escalated(self) -> list[ActionHistory]:
        return [a for a in self.active() if a.escalated_to]

    def objective_link(self, objective_id: str, prefix: str = "") -> Markup:
        """A link to an objective's page; plain text for an objective no longer in the program
        (an old action's), since its page does not exist."""
        objective = self.objectives.get(objective_id)
        if objective is None:
            return Markup(md(objective_id))
        return Markup(f"[{md(objective.name)}]({prefix}objectives/{objective.id}.md)")

    def actions_of(self, objective_id: str) -> list[ActionHistory]:
        return [a for a in self.data.actions if a.objective == objective_id]

    def days_overdue(self, action: ActionHistory) -> int | None:
        """Days past due of an active action; None when it is not overdue."""
        if self.as_of is None or not action.overdue(self.as_of):
            return None
        return (self.as_of - action.due).days

    def due_text(self, action: ActionHistory) -> str:
        late = self.days_overdue(action)
        due = self.date(action.due)
        return due if late is None else f"{due} ({self.locale.t('days_late', days=late)})"

    def action_groups(self, actions: Iterable[ActionHistory]) -> list[tuple[str, list[Any]]]:
        """Actions grouped by state, each once: overdue ones first as a group of their own
        (whatever their state), then the other active ones by state, then resolved, then
        ended; the longest overdue and the earliest due first within a group."""
        groups: dict[str, list[ActionHistory]] = {key: [] for key in _ACTION_GROUPS}
        for action in actions:
            if self.days_overdue(action) is not None:
                groups["overdue"].append(action)
            elif action.status in ENDED:
                groups["ended"].append(action)
            else:
                groups.setdefault(action.status, []).append(action)
        return [
            (key, sorted(found, key=lambda a: (a.due, a.id)))
            for key, found in groups.items()
            if found
        ]

    def escalation(self, action: ActionHistory, root: str = "") -> Markup:
        """An action's escalation level and to whom, or a dash."""
        if not action.escalation_level and not action.escalated_to:
            return Markup("–")
        return Markup(
            self.t("escalation_level", level=action.escalation_level)
            + (f" → {self.owner_link(action.escalated_to, root)}" if action.escalated_to else "")
        )

    def attention(self) -> list[Attention]:
        """The objectives that need someone: an established shortfall or a feed that stopped,
        gravest first, then the longest overdue action, then the largest gap to target."""
        rows = []
        for objective in self.program.objectives:
            current = self.current.get(objective.id)
            if current is None or current.verdict.status not in _ATTENTION:
                continue
            verdict = current.verdict
            active = sorted(
                (a for a in self.actions_of(objective.id) if a.active),
                key=lambda a: (a.due, a.id),
            )
            action = active[0] if active else None
            gap = None
            if verdict.value is not None and verdict.target is not None:
                gap = abs(verdict.value - verdict.target)
            rows.append(
                Attention(
                    objective,
                    verdict,
                    self.objective_owner(objective),
                    action,
                    self.days_overdue(action) if action else None,
                    gap,
                )
            )
        return sorted(
            rows,
            key=lambda r: (
                -SEVERITY[Verdict(r.verdict.status)],
                -(r.days_overdue or 0),
                -(r.gap or 0.0),
                r.objective.id,
            ),
        )

    def headline_strip(self, headlines: list[Headline], goals: list[GoalRow]) -> Markup:
        """The home page's first lines as cards: each strategic objective (value, interval,
        status, goal, sparkline), the objectives counted per status, and the actions. Raw HTML,
        one block without blank lines (Markdown leaves it whole); every text is escaped."""
        h = html_text
        cards = []
        for item in headlines:
            v = item.verdict
            status = v.status if v else "not_judged"
            lines = [
                f'<a href="objectives/{h(item.objective.id)}.html">{h(item.objective.name)}</a>',
                f'<span class="cx-big">{h(self.num(v.value if v else None))}</span> '
                f"{h(self.unit(item.objective))}",
                str(self.status(status)),
            ]
            if v is not None and v.ci_low is not None:
                lines.append(
                    h(f"{self.locale.t('interval')} {self.interval_of(v)} · {self.period(v)}")
                )
            if item.goal is not None:
                lines.append(
                    h(
                        self.locale.t(
                            "headline_goal",
                            target=self.num(item.goal.target),
                            by=self.date(item.goal.by),
                            progress=self.progress(item.goal),
                        )
                    )
                )
            spark = (
                f'<img src="{h(item.sparkline)}" alt="'
                f'{h(self.locale.t("sparkline_title", name=item.objective.name))}">'
            )
            cards.append(
                '<div class="cx-card cx-card-kpi">'
                + "".join(f"<p>{line}</p>" for line in lines)
                + spark
                + "</div>"
            )
        counts = "".join(
            f"<li>{self.status(status)} <strong>{count}</strong></li>"
            for status, count in self.status_counts()
        )
        cards.append(
            '<div class="cx-card"><p><strong>'
            f"{h(self.locale.t('objectives_by_status'))}</strong></p>"
            f'<ul class="cx-counts">{counts}</ul></div>'
        )
        actions = (
            ("open_actions", len(self.active())),
            ("overdue_actions", len(self.overdue())),
            ("escalated_actions", len(self.escalated())),
        )
        cards.append(
            f'<div class="cx-card"><p><strong><a href="actions.html">'
            f"{h(self.locale.t('actions'))}</a></strong></p>"
            '<ul class="cx-counts">'
            + "".join(
                f"<li>{h(self.locale.t(key))} <strong>{count}</strong></li>"
                for key, count in actions
            )
            + "</ul></div>"
        )
        return Markup('<div class="cx-headline">\n' + "\n".join(cards) + "\n</div>")

    def owner_objectives(self, owner_id: str) -> list[tuple[Objective, VerdictRecord | None]]:
        """The objectives an owner answers for, worst first."""
        return [(o, v) for o, v in self.worst_first() if self.objective_owner(o) == owner_id]

    def owner_actions(self, owner_id: str) -> list[ActionHistory]:
        """Actions assigned to the owner or escalated to them."""
        return [a for a in self.data.actions if owner_id in (a.assignee, a.escalated_to)]

    def heat_map(self, journey: Journey) -> list[tuple[str, list[str | None]]]:
        """The journey's stage × channel map in brief: per channel, each stage's gravest
        current status among its touchpoints' measurements (None: no touchpoint there;
        `not_judged`: touchpoints without a verdict)."""
        rows = []
        for channel in journey.channels:
            cells: list[str | None] = []
            for stage in journey.stages:
                items = self.cell(journey, stage.id, channel.id)
                if not items:
                    cells.append(None)
                    continue
                statuses = [
                    m["verdict"].status for i in items for m in i["measures"] if m["verdict"]
                ]
                cells.append(
                    max(statuses, key=lambda s: SEVERITY[Verdict(s)]) if statuses else "not_judged"
                )
            if any(cell is not None for cell in cells):
                rows.append((channel.name, cells))
        return rows

    def headline(self, goals: list[GoalRow]) -> list[Headline]:
        """The strategic objectives the home page leads with: each strategy goal's objective
        (once), or without a strategy, the objectives of strategic KPIs."""
        objectives: list[tuple[Objective, GoalRow | None]] = []
        for row in goals:
            if all(o.id != row.objective.id for o, _g in objectives):
                objectives.append((row.objective, row))
        if not objectives:
            objectives = [
                (o, None)
                for o in self.program.objectives
                if self.measured_kpi(o).category is Category.STRATEGIC and not o.segment
            ]
        return [
            Headline(o, self.latest(o.id), goal, f"headline/{o.id}.svg") for o, goal in objectives
        ]

    # data --------------------------------------------------------------------------------

    def stopped(self, point: MeasurementPoint, last: dt.datetime | None) -> bool:
        """No data for two of the point's periods before the as-of date."""
        if self.as_of is None or last is None:
            return last is None
        window = point.window
        days = (
            window.rolling_days
            if window.rolling_days is not None
            else _PERIOD_DAYS[window.calendar.value if window.calendar else "month"]
        )
        return (self.as_of - last.date()).days > STOPPED_AFTER_PERIODS * days

    def stopped_count(self) -> int:
        last = {p.id: p.last for p in self.data.points}
        return sum(self.stopped(p, last.get(p.id)) for p in self.program.measurement_points)

    def newest_answer(self) -> dt.datetime | None:
        return max((p.last for p in self.data.points if p.last is not None), default=None)

    def thin_periods(self, point_id: str) -> int:
        return len(
            {
                (v.start, v.end)
                for v in self.data.verdicts
                if v.measurement_point == point_id and v.status == "insufficient_sample"
            }
        )

    # ownership ---------------------------------------------------------------------------

    def objective_owner(self, objective: Objective) -> str | None:
        return self.program.point_owner(self.points[objective.measurement_point])

    def owned(self, owner_id: str) -> dict[str, list[str]]:
        journeys = [j.name for j in self.program.journeys if j.owner == owner_id]
        touchpoints = [
            f"{t.name} ({j.name})"
            for j in self.program.journeys
            for t in j.touchpoints
            if t.owner == owner_id
        ]
        points = [
            p.id for p in self.program.measurement_points if self.program.point_owner(p) == owner_id
        ]
        objectives = [o.id for o in self.program.objectives if self.objective_owner(o) == owner_id]
        return {
            "journeys": journeys,
            "touchpoints": touchpoints,
            "measurement_points": points,
            "objectives": objectives,
        }

    # journeys ----------------------------------------------------------------------------

    def cell(self, journey: Journey, stage: str, channel: str) -> list[dict[str, Any]]:
        """What a journey-map cell shows: each touchpoint there and its measurements."""
        shown = []
        for touchpoint in journey.touchpoints:
            if touchpoint.stage != stage or touchpoint.channel != channel:
                continue
            measures = [
                self.measure(p)
                for p in self.program.measurement_points
                if p.journey == journey.id and p.touchpoint == touchpoint.id
            ]
            shown.append({"touchpoint": touchpoint, "measures": measures})
        return shown

    def measure(self, point: MeasurementPoint) -> dict[str, Any]:
        """A measurement point's headline: the latest verdict of its whole-population
        objective (or its first objective)."""
        candidates = [o for o in self.program.objectives if o.measurement_point == point.id]
        candidates.sort(key=lambda o: (bool(o.segment), o.id))
        for objective in candidates:
            latest = self.latest(objective.id)
            if latest is not None:
                return {"point": point, "objective": objective, "verdict": latest}
        return {"point": point, "objective": candidates[0] if candidates else None, "verdict": None}

    def journey_statuses(self, journey: Journey) -> list[tuple[str, int]]:
        """How the latest periods of the journey's objectives stand, worst first."""
        points = {p.id for p in self.program.measurement_points if p.journey == journey.id}
        counts = Counter(
            latest.status
            for o in self.program.objectives
            if o.measurement_point in points and (latest := self.latest(o.id)) is not None
        )
        return [(s, counts[s]) for s in sorted(SEVERITY, key=lambda s: -SEVERITY[s]) if counts[s]]

    def journey_map(self, journey: Journey) -> Markup:
        """The stage × channel matrix as an HTML table (Markdown tables cannot colour cells).
        One block with no blank lines, so Markdown leaves it whole; every text is escaped."""
        h = html_text
        head = "".join(
            f"<th>{h(s.name)}"
            + (
                f"<br><small>{h(self.locale.t('weight'))} {h(self.num(s.weight, 2))}</small>"
                if s.weight is not None
                else ""
            )
            + "</th>"
            for s in journey.stages
        )
        rows = []
        for channel in journey.channels:
            # data-label: the stage, which a phone shows beside the cell once the row is a card
            cells = "".join(
                f'<td data-label="{h(s.name)}">'
                + "".join(self._touchpoint_html(i) for i in self.cell(journey, s.id, channel.id))
                + "</td>"
                for s in journey.stages
            )
            rows.append(f"<tr><th>{h(channel.name)}</th>{cells}</tr>")
        corner = f"{h(self.locale.t('channel'))} \\ {h(self.locale.t('stage'))}"
        return Markup(
            '<div class="cx-journey-map"><table>\n'
            f"<thead><tr><th>{corner}</th>{head}</tr></thead>\n"
            "<tbody>\n" + "\n".join(rows) + "\n</tbody></table></div>"
        )

    def _touchpoint_html(self, item: dict[str, Any]) -> str:
        h = html_text
        parts = [f'<div class="cx-touchpoint"><strong>{h(item["touchpoint"].name)}</strong>']
        for m in item["measures"] or [None]:
            if m is None:
                parts.append(
                    '<div class="cx-measure cx-not_judged"><span class="cx-status-text">'
                    f"{h(self.locale.t('not_measured'))}</span></div>"
                )
                continue
            verdict = m["verdict"]
            status = verdict.status if verdict else "not_judged"
            name = h(self.kpis[m["point"].kpi].name)
            if m["objective"] is not None:
                name = Markup(f'<a href="../objectives/{h(m["objective"].id)}.html">{name}</a>')
            figures = (
                f" · {h(self.num(verdict.value))} · n={h(self.num(verdict.n, 0))}"
                if verdict
                else ""
            )
            parts.append(
                f'<div class="cx-measure cx-{h(status)}">{name}<br>'
                f'<span class="cx-status-text">{h(self.locale.t(status))}</span>{figures}</div>'
            )
        return "".join(parts) + "</div>"

    def journey_level(self, journey: Journey) -> list[dict[str, Any]]:
        return [
            self.measure(p)
            for p in self.program.measurement_points
            if p.journey == journey.id and p.touchpoint is None
        ]

    def children(self, journey: Journey) -> list[Journey]:
        return [j for j in self.program.journeys if j.parent == journey.id]

    # voice of the customer ---------------------------------------------------------------

    def pct(self, value: float | None) -> str:
        """A percentage given as 0..100, as the report's shares are."""
        if value is None:
            return "–"
        text = self.num(value)
        return f"{text}\u00a0%" if self.locale.language is Language.FI else f"{text}%"

    def interval(self, low: float | None, high: float | None, digits: int = 1) -> str:
        if low is None or high is None:
            return "–"
        return f"{self.num(low, digits)} … {self.num(high, digits)}"

    def voc_period(self, period: Period) -> str:
        text = self.locale.period(period.start, period.end)
        return text if period.complete else f"{text} ({self.locale.t('partial')})"

    @cached_property
    def themes(self) -> tuple[ThemeReport, ...]:
        return self.data.voc.themes.themes if self.data.voc else ()

    @cached_property
    def theme_overview(self) -> list[ThemeOverview]:
        """One row per theme: its mentions in each measurement point's newest period with
        comments, and where it lowered or raised the KPI (in the newest shown period where it
        did, with an interval that excludes zero). Themes that lower a KPI come first."""
        rows = []
        for theme in self.themes:
            newest = [point.periods[-1] for point in theme.points if point.periods]
            mentions = sum(p.mentions for p in newest)
            comments = sum(p.comments for p in newest)
            rows.append(
                ThemeOverview(
                    theme=theme,
                    points=len(newest),
                    mentions=mentions,
                    comments=comments,
                    share=100 * mentions / comments if comments else None,
                    lowers=self._effects(theme, "lowers_kpi"),
                    raises=self._effects(theme, "raises_kpi"),
                )
            )
        rows.sort(key=lambda r: (not r.lowers, -r.mentions, r.theme.id))
        return rows

    def _effects(self, theme: ThemeReport, effect: Effect) -> list[tuple[str, ThemePeriod]]:
        found = []
        for point in theme.points:
            hits = [p for p in point.periods if p.impact.effect == effect]
            if hits:
                found.append((point.measurement_point, hits[-1]))
        return found

    def theme_points(self, theme: ThemeReport) -> list[ThemePoint]:
        """A theme's measurement points, the most commented first."""
        return sorted(
            theme.points,
            key=lambda point: (-sum(p.comments for p in point.periods), point.measurement_point),
        )

    def theme_decisions(self) -> str:
        """How the themes' labels were decided, as one sentence (empty for a run recorded
        before they were adjusted for their number)."""
        decisions = self.data.voc.themes.decisions if self.data.voc else None
        if decisions is None:
            return ""
        t = self.locale.t
        return t(
            "theme_decisions",
            rate=self.pct(100 * decisions.error_rate),
            adjustment=t(f"adjustment_{decisions.adjustment}"),
            comparisons=self.num(decisions.comparisons, 0),
            min=self.num(decisions.min_group, 0),
            labelled=self.num(decisions.labelled, 0),
        )

    def impact_test(self, period: ThemePeriod) -> str:
        """The test behind a period's label and its adjusted p-value, or a dash."""
        impact = period.impact
        if impact.test is None:
            return "–"
        return (
            f"{self.locale.t('test_' + impact.test)}, "
            f"{self.p(impact.p_adjusted, self.locale.t('p_adjusted'))}"
        )

    def chart(self, src: str, alt: str) -> Markup:
        """A chart as a picture: the narrow drawing on a screen narrower than the wide one
        is legible at, the wide one elsewhere (and in print). Raw HTML, since Markdown's image
        syntax has no sources; the page's relative links hold as the site keeps its folders
        (`use_directory_urls: false`)."""
        stem = src.removesuffix(".svg")
        return Markup(
            f'<picture class="cx-chart"><source media="(max-width: {NARROW_BELOW}px)" '
            f'srcset="{html_text(stem + NARROW.suffix + ".svg")}">'
            f'<img src="{html_text(src)}" alt="{html_text(alt)}"></picture>'
        )

    def theme_chart(self, theme: ThemeReport, point: ThemePoint, kind: str) -> str:
        """The file name of a theme's chart at a point (`impact` or `share`), beside its page."""
        return f"{theme.id}.{point.measurement_point}.{kind}.svg"

    def link_min_periods(self) -> int:
        return MIN_LINK_PERIODS

    def theme_definition(self, theme_id: str) -> Theme | None:
        return next((t for t in self.program.themes if t.id == theme_id), None)

    def has_examples(self, theme: ThemeReport) -> bool:
        return any(period.examples for point in theme.points for period in point.periods)

    def touchpoint_name(self, point_id: str) -> str:
        """A measurement point by what it measures: its touchpoint (or journey) and KPI."""
        point = self.points.get(point_id)
        if point is None:
            return point_id
        journey = self.journeys.get(point.journey)
        where = journey.name if journey else point.journey
        if journey is not None and point.touchpoint is not None:
            where = next((t.name for t in journey.touchpoints if t.id == point.touchpoint), where)
        kpi = self.kpis.get(point.kpi)
        return f"{where} · {kpi.name if kpi else point.kpi}"

    def driver_name(self, driver: KeyDriver) -> Markup:
        if driver.kind == "theme":
            name = driver.name or driver.driver
            return Markup(f"[{md(name)}](themes/{_identifier(driver.driver)}.md)")
        return Markup(md(self.touchpoint_name(driver.measurement_point or driver.driver)))

    def driver_performance(self, driver: KeyDriver) -> str:
        """A driver's performance as its KPI shows it (a theme: % of respondents mentioning)."""
        if driver.performance is None:
            return "–"
        kpi = self.kpis.get(driver.kpi or "")
        if driver.kind == "theme" or kpi is None or kpi.type is KpiType.NPS:
            return self.num(driver.performance)
        return self.num(driver.performance, 2 if kpi.effective_statistic is Statistic.MEAN else 1)

    def performance_0_100(self, driver: KeyDriver) -> float | None:
        """A touchpoint's performance on a 0..100 view of its KPI's scale, higher better, so
        touchpoints of different KPIs share one axis."""
        kpi = self.kpis.get(driver.kpi or "")
        value = driver.performance
        if value is None or kpi is None or driver.kind != "touchpoint":
            return None
        if kpi.type is KpiType.NPS:
            found = (value + 100.0) / 2.0
        elif kpi.effective_statistic is Statistic.MEAN:
            scale = kpi.effective_scale
            if scale is None or scale[1] == scale[0]:
                return None
            found = 100.0 * (value - scale[0]) / (scale[1] - scale[0])
        else:
            found = value
        return 100.0 - found if kpi.direction is Direction.LOWER_IS_BETTER else found

    def priorities(self, journey: DriversOfJourney) -> list[KeyDriver]:
        """The touchpoints of the model with above-mean importance and below-mean performance
        (among the touchpoints in the model), most important first."""
        placed = [
            (d, d.share, self.performance_0_100(d))
            for d in journey.drivers
            if d.kind == "touchpoint" and d.share is not None
        ]
        shown = [(d, x, y) for d, x, y in placed if x is not None and y is not None]
        if not shown:
            return []
        mean_x = sum(x for _, x, _ in shown) / len(shown)
        mean_y = sum(y for _, _, y in shown) / len(shown)
        return [d for d, x, y in shown if x > mean_x and y < mean_y]

    def priority_names(self, journey: DriversOfJourney) -> str:
        return ", ".join(self.touchpoint_name(d.driver) for d in self.priorities(journey))

    def cx_name(self, cx: str, prefix: str = "../") -> Markup:
        """A link's CX side: an objective (linked to its page) or a measurement point."""
        if cx in self.objectives:
            return self.objective_link(cx, prefix)
        return Markup(md(self.touchpoint_name(cx)))

    def kpi_label(self, kpi_id: str) -> str:
        kpi = self.kpis.get(kpi_id)
        return kpi.name if kpi else kpi_id

    def voc_headline(self) -> str:
        """What the overview pages lead with: themes that lower a KPI, contradicted links and
        over-surveyed customers, each only when the program defines what it counts."""
        t = self.locale.t
        parts = []
        if self.program.themes:
            lowering = sum(bool(r.lowers) for r in self.theme_overview)
            parts.append(t("voc_home_themes", count=lowering))
        voc = self.data.voc
        links = voc.links if voc else ()
        if links:
            contradicted = sum(link.verdict == "contradicted" for link in links)
            parts.append(t("voc_home_links", count=contradicted, links=len(links)))
        window = voc.fatigue.window if voc else None
        if window:
            parts.append(t("voc_home_fatigue", count=window.over_policy))
        return "; ".join(parts) + "." if parts else t("voc_home_none")


def _render(template: str, view: View, path: str, **extra: Any) -> str:
    """A page from its template; `root` leads from the page's folder back to the site's root,
    for links to pages in other folders."""
    root = "../" * path.count("/")
    return _ENV.get_template(template).render(
        v=view, d=view.data, p=view.program, root=root, **extra
    )


def headline_chart(view: View, headline: Headline) -> str:
    """The headline's sparkline: the objective's recent periods and its goal's target path."""
    t = view.locale.t
    periods = view.series.get(headline.objective.id, [])[-_SPARK_PERIODS:]
    points = [
        SparkPoint(v.start, v.value, v.status in _MISSES)
        for v in periods
        if v.complete or v is headline.verdict
    ]
    path: list[tuple[dt.date, float]] = []
    goal = headline.goal
    if goal is not None and goal.baseline is not None and goal.baseline_date is not None:
        path = [(goal.baseline_date, goal.baseline), (goal.by, goal.target)]
        if points:
            # the path is cut to the periods shown: the line a reader compares them with
            path = _clip_path(path, points[0].day, max(points[-1].day, goal.by))
    latest = headline.verdict
    return sparkline(
        points,
        path,
        title=t("sparkline_title", name=headline.objective.name),
        desc=t(
            "sparkline_desc",
            count=len(points),
            value=view.num(latest.value if latest else None),
            misses=sum(p.breach for p in points),
        ),
        chart_id=f"spark-{headline.objective.id}",
    )


def _clip_path(
    path: list[tuple[dt.date, float]], start: dt.date, end: dt.date
) -> list[tuple[dt.date, float]]:
    (d0, v0), (d1, v1) = path
    span = (d1 - d0).days or 1

    def at(day: dt.date) -> float:
        return v0 + (v1 - v0) * (day - d0).days / span

    first = max(start, d0)
    last = min(end, d1)
    return [(first, at(first)), (last, at(last))] if first < last else path


def _trend_words(view: View, objective: Objective) -> ChartText:
    t = view.locale.t
    periods = view.series.get(objective.id, [])
    latest = view.latest(objective.id)
    if periods and latest is not None:
        desc = t(
            "trend_desc",
            count=len(periods),
            first=view.date(periods[0].start),
            last=view.date(latest.end),
            value=view.num(latest.value),
            status=t(latest.status),
            target=view.num(latest.target),
        )
    else:
        desc = t("trend_empty")
    return _chart_words(
        view,
        title=t("trend_title", name=objective.name, kpi=view.kpi_name(objective)),
        desc=desc,
        y_label=f"{view.kpi_name(objective)} ({view.unit(objective)})".replace(" ()", ""),
        target="target",
    )


def _chart_words(view: View, *, title: str, desc: str, y_label: str, target: str) -> ChartText:
    """A chart's title, description, axis labels and legend in the program's language."""
    t = view.locale.t
    return ChartText(
        title=title,
        desc=desc,
        x_label=t("chart_period"),
        y_label=y_label,
        legend_value=t("chart_value"),
        legend_interval=t("confidence_interval"),
        legend_target=t(target),
        legend_warn=t("warn_level"),
        legend_fail=t("fail_level"),
        legend_revision=t("chart_revision"),
        legend_partial=t("partial_period"),
    )


def objective_chart(view: View, objective: Objective, canvas: Canvas = WIDE) -> str:
    periods = view.series.get(objective.id, [])
    earlier, rewrite = earlier_targets(view, objective, periods)
    points = [
        TrendPoint(
            v.start,
            v.end,
            v.value,
            v.ci_low,
            v.ci_high,
            v.n,
            v.target,
            v.warn,
            v.fail,
            v.status,
            v.complete,
            earlier_target,
        )
        for v, earlier_target in zip(periods, earlier, strict=True)
    ]
    revisions = sorted({r.effective_from for r in objective.targets[1:]})
    first = periods[0].start if periods else None
    shown = [d for d in revisions if first is None or d >= first]
    kpi = view.kpis[view.points[objective.measurement_point].kpi]
    y_range = (-100.0, 100.0) if kpi.type is KpiType.NPS else None
    words = _trend_words(view, objective)
    if rewrite is not None:
        words = replace(
            words,
            legend_earlier_target=view.locale.t(
                "chart_earlier_target", date=view.date(rewrite.date), commit=rewrite.commit[:12]
            ),
        )
    return trend_chart(
        points,
        words,
        revisions=shown,
        number=lambda value: view.num(value),
        month=view.locale.month,
        y_range=y_range if y_range and _wide_spread(points) else None,
        chart_id=f"trend-{objective.id}",
        canvas=canvas,
    )


def earlier_targets(
    view: View, objective: Objective, periods: list[VerdictRecord]
) -> tuple[list[float | None], HistoryRecord | None]:
    """Per period, the target it was held to before a commit rewrote the revision in force
    (None where no rewrite changed it), and the first such commit shown. Only periods already
    under way when the commit was made count: later ones were never judged against the
    earlier target. The first rewrite wins: it shows what was first promised."""
    kpi = view.kpis[view.points[objective.measurement_point].kpi]
    earlier: list[float | None] = [None] * len(periods)
    first: HistoryRecord | None = None
    for entry, rewrite in view.rewrites_of(objective.id):
        since = min(
            (dt.date.fromisoformat(c.at) for c in rewrite.changes if c.at), default=entry.date
        )
        before = objective.model_copy(update={"targets": rewrite.before})
        until = entry.committed or entry.date
        for index, v in enumerate(periods):
            if earlier[index] is not None or v.end < since or v.start > until:
                continue
            found = thresholds_for(before, kpi, Period(v.start, v.end, v.complete))
            old = number(found.target) if found else None
            if old is not None and (v.target is None or abs(old - v.target) > 1e-9):
                earlier[index] = old
                first = first or entry
    return earlier, first


def _wide_spread(points: list[TrendPoint]) -> bool:
    """NPS charts use the whole −100..100 scale only when the data itself spans most of it."""
    values = [p.value for p in points if p.value is not None]
    return bool(values) and max(values) - min(values) > 100


@dataclass(frozen=True)
class GoalRow:
    goal_id: str
    statement: str
    objective: Objective
    baseline: float | None
    baseline_date: dt.date | None
    current: float | None
    """The objective's current value by the one rule (`View.latest`), as every page shows it."""
    target: float
    by: dt.date
    progress: float | None
    met: bool
    """The current value reaches the goal's target in the KPI's direction."""


def goal_rows(view: View) -> list[GoalRow]:
    strategy = view.program.program.strategy
    if strategy is None:
        return []
    baselines = {}
    if strategy.current_state is not None:
        baselines = {b.objective: b for b in strategy.current_state.baselines}
    rows = []
    for goal in strategy.goals:
        objective = view.objectives[goal.objective]
        complete = [
            v for v in view.series.get(objective.id, []) if v.value is not None and v.complete
        ]
        latest = view.latest(objective.id)
        # one current value everywhere: the period the objective's status is read from
        current = latest.value if latest is not None else None
        baseline = baselines.get(objective.id)
        start = baseline.value if baseline else (complete[0].value if complete else None)
        progress = None
        if start is not None and current is not None and goal.target != start:
            progress = (current - start) / (goal.target - start)
        met = current is not None and (
            current >= goal.target if view.higher_is_better(objective) else current <= goal.target
        )
        rows.append(
            GoalRow(
                goal.id,
                goal.statement,
                objective,
                start,
                baseline.as_of if baseline else (complete[0].start if complete else None),
                current,
                goal.target,
                goal.by,
                progress,
                met,
            )
        )
    return rows


def goal_chart(view: View, row: GoalRow, canvas: Canvas = WIDE) -> str:
    t = view.locale.t
    actual = [(v.start, v.value) for v in view.series.get(row.objective.id, [])]
    path: list[tuple[dt.date, float]] = []
    if row.baseline is not None and row.baseline_date is not None:
        path = [(row.baseline_date, row.baseline), (row.by, row.target)]
    title = t("trajectory_title", goal=row.objective.name)
    return trajectory_chart(
        actual,
        path,
        _chart_words(
            view,
            title=title,
            desc=t(
                "trajectory_desc",
                baseline=view.num(row.baseline),
                target=view.num(row.target),
                by=view.date(row.by),
                current=view.num(row.current),
            ),
            y_label=view.kpi_name(row.objective),
            target="target_path",
        ),
        goal=(row.by, row.target),
        number=lambda value: view.num(value),
        month=view.locale.month,
        chart_id=f"goal-{row.goal_id}",
        canvas=canvas,
    )


def theme_impact_chart(
    view: View, theme: ThemeReport, point: ThemePoint, canvas: Canvas = WIDE
) -> str:
    """The difference with − without the theme per period, with its interval: filled where
    the difference was established after the report's adjustment."""
    t = view.locale.t
    where = view.touchpoint_name(point.measurement_point)
    rows = [
        IntervalRow(
            view.voc_period(p.period),
            p.impact.difference.delta if p.impact.difference else None,
            p.impact.difference.ci_low if p.impact.difference else None,
            p.impact.difference.ci_high if p.impact.difference else None,
            p.impact.effect in ("lowers_kpi", "raises_kpi"),
        )
        for p in reversed(point.periods)
    ]
    drawn = sum(r.value is not None for r in rows)
    return interval_chart(
        rows,
        IntervalText(
            title=t("impact_chart_title", theme=theme.name, point=where),
            desc=t("impact_chart_desc", count=drawn) if drawn else t("impact_chart_empty"),
            x_label=f"{t('difference')} ({view.kpi_label(point.kpi)})",
            legend_established=t("established"),
            legend_not_established=t("not_established"),
            legend_interval=t("confidence_interval"),
        ),
        number=lambda value: view.num(value, 0),
        chart_id=f"impact-{theme.id}-{point.measurement_point}",
        canvas=canvas,
    )


def theme_share_chart(
    view: View, theme: ThemeReport, point: ThemePoint, canvas: Canvas = WIDE
) -> str:
    """The theme's share of the point's comments per period, with its interval: the trend
    chart without thresholds."""
    t = view.locale.t
    where = view.touchpoint_name(point.measurement_point)
    points = [
        TrendPoint(
            p.period.start,
            p.period.end,
            p.share,
            p.ci_low,
            p.ci_high,
            p.comments,
            None,
            None,
            None,
            "on_target",  # no verdict here: the marker the chart's legend shows for a value
            p.period.complete,
        )
        for p in point.periods
    ]
    words = _chart_words(
        view,
        title=t("share_chart_title", theme=theme.name, point=where),
        desc=t("share_chart_desc", count=len(points)),
        y_label=f"{t('share')} (%)",
        target="target",
    )
    return trend_chart(
        points,
        replace(words, legend_value=t("share")),
        number=lambda value: view.num(value, 0),
        month=view.locale.month,
        chart_id=f"share-{theme.id}-{point.measurement_point}",
        canvas=canvas,
    )


def build_pages(
    program: Program,
    data: SiteData,
    audience: Audience = Audience.TEAM,
    *,
    progress: Callable[[str], None] | None = None,
) -> list[Page]:
    """Every generated page and chart, in navigation order."""
    view = View(program, localised(data, Locale(program.program.language)), audience)
    t = view.locale.t
    goals = goal_rows(view)
    headlines = view.headline(goals)
    pages = [
        Page(
            "index.md",
            t("home"),
            _render("home.md.j2", view, "index.md", goals=goals, headlines=headlines),
        ),
        Page(
            "strategy.md",
            t("strategy"),
            _render("strategy.md.j2", view, "strategy.md", goals=goals),
        ),
    ]
    pages += [Page(h.sparkline, h.objective.id, headline_chart(view, h)) for h in headlines]
    for row in goals:
        pages += chart_pages(
            f"strategy/{row.goal_id}.svg", row.goal_id, partial(goal_chart, view, row)
        )
    pages.append(
        Page(
            "journeys/index.md", t("journeys"), _render("journeys.md.j2", view, "journeys/index.md")
        )
    )
    for journey in program.journeys:
        path = f"journeys/{journey.id}.md"
        pages.append(
            Page(path, journey.name, _render("journey.md.j2", view, path, journey=journey))
        )
    pages.append(
        Page(
            "objectives/index.md",
            t("objectives"),
            _render("objectives.md.j2", view, "objectives/index.md"),
        )
    )
    for count, objective in enumerate(program.objectives, 1):
        if progress and count % 50 == 0:
            progress(f"{count}/{len(program.objectives)} objective pages")
        path = f"objectives/{objective.id}.md"
        pages.append(
            Page(
                path,
                objective.name,
                _render("objective.md.j2", view, path, objective=objective),
            )
        )
        pages += chart_pages(
            f"objectives/{objective.id}.svg",
            objective.id,
            partial(objective_chart, view, objective),
        )
    pages += voc_pages(view)
    pages += [
        Page("actions.md", t("actions"), _render("actions.md.j2", view, "actions.md")),
        Page("owners/index.md", t("owners"), _render("owners.md.j2", view, "owners/index.md")),
    ]
    for owner in sorted(program.owners, key=lambda o: o.id):
        path = f"owners/{owner.id}.md"
        pages.append(Page(path, owner.name, _render("owner.md.j2", view, path, owner=owner)))
    pages += [
        Page(
            "data-quality.md",
            t("data_quality"),
            _render("data_quality.md.j2", view, "data-quality.md"),
        ),
        Page("changelog.md", t("changelog"), _render("changelog.md.j2", view, "changelog.md")),
    ]
    pages += subscription_pages(view)
    return pages


def subscription_pages(view: View) -> list[Page]:
    """The Atom feed and the status badges (files beside the pages, not in the navigation)."""
    found = [Page(b.path, b.path, b.svg) for b in badges(view.program, view.current)]
    feed = atom_feed(view.program, view.data)
    if feed is not None:
        found.append(Page(FEED_PATH, FEED_PATH, feed))
    return found


def localised(data: SiteData, locale: Locale) -> SiteData:
    """The data with the redaction marker in the site's language: a comment is redacted once,
    in the store, with one marker (`cxgov.redaction.REDACTED`), and each site says it in its
    own words."""
    said = locale.t("redacted")
    if said == REDACTED:
        return data

    def say(text: str) -> str:
        return text.replace(REDACTED, said)

    voc = data.voc
    if voc is not None:
        themes = voc.themes
        voc = replace(
            voc,
            themes=replace(
                themes,
                themes=tuple(
                    replace(
                        theme,
                        points=tuple(
                            replace(
                                point,
                                periods=tuple(
                                    replace(
                                        period,
                                        examples=tuple(
                                            replace(e, text=say(e.text)) for e in period.examples
                                        ),
                                    )
                                    for period in point.periods
                                ),
                            )
                            for point in theme.points
                        ),
                    )
                    for theme in themes.themes
                ),
            ),
        )
    return replace(
        data,
        comments={key: [say(c) for c in found] for key, found in data.comments.items()},
        voc=voc,
    )


def drivers_chart(view: View, journey: DriversOfJourney, canvas: Canvas = WIDE) -> str:
    """The importance × performance chart of one journey's key-driver model."""
    t = view.locale.t
    points = [
        PriorityPoint(view.touchpoint_name(d.driver), d.share, y, d.label == "important")
        for d in journey.drivers
        if d.kind == "touchpoint"
        and d.share is not None
        and (y := view.performance_0_100(d)) is not None
    ]
    name = (
        view.journeys[journey.journey].name if journey.journey in view.journeys else journey.journey
    )
    priorities = view.priority_names(journey)
    words = PriorityText(
        title=t("priority_title", journey=name),
        desc=t("priority_desc", count=len(points), priorities=priorities or "–")
        if points
        else t("priority_empty"),
        x_label=t("priority_x"),
        y_label=t("priority_y"),
        priorities=t("priorities"),
        legend_important=t("priority_important"),
        legend_chance=t("priority_chance"),
    )
    return priority_chart(
        points,
        words,
        chart_id=f"drivers-{journey.journey}-{journey.relationship_point}",
        canvas=canvas,
        number=lambda value: view.num(value, 0),
    )


def chart_pages(path: str, title: str, draw: Callable[[Canvas], str]) -> list[Page]:
    """A chart drawn for a page column (`x.svg`) and for a phone (`x.narrow.svg`): scaled down
    to a phone's width the wide drawing's type would be half its size (`View.chart` picks).
    Each is drawn when it is written, not here: a program of 200 points and ten themes has
    over 4,000 charts, which held together were the largest part of a site build's memory
    (33 of 43 MB of the pages)."""
    stem = path.removesuffix(".svg")
    return [
        Page(f"{stem}{canvas.suffix}.svg", title, partial(draw, canvas))
        for canvas in (WIDE, NARROW)
    ]


def voc_pages(view: View) -> list[Page]:
    """The Voice of the customer section: overview, a page per theme, drivers, business
    outcomes and survey fatigue."""
    t = view.locale.t
    pages = [Page("voc/index.md", t("voc"), _render("voc.md.j2", view, "voc/index.md"))]
    for theme in view.themes:
        path = f"voc/themes/{theme.id}.md"
        pages.append(Page(path, theme.name, _render("theme.md.j2", view, path, theme=theme)))
        for point in theme.points:
            for kind, chart in (("share", theme_share_chart), ("impact", theme_impact_chart)):
                pages += chart_pages(
                    f"voc/themes/{view.theme_chart(theme, point, kind)}",
                    theme.id,
                    partial(chart, view, theme, point),
                )
    for journey in view.data.voc.drivers if view.data.voc else ():
        if journey.status == "ranked":
            pages += chart_pages(
                f"voc/drivers-{journey.journey}-{journey.relationship_point}.svg",
                journey.journey,
                partial(drivers_chart, view, journey),
            )
    pages += [
        Page("voc/drivers.md", t("drivers"), _render("drivers.md.j2", view, "voc/drivers.md")),
        Page("voc/links.md", t("links"), _render("links.md.j2", view, "voc/links.md")),
        Page("voc/fatigue.md", t("fatigue"), _render("fatigue.md.j2", view, "voc/fatigue.md")),
    ]
    return pages


def not_found_page(program: Program) -> str:
    """The theme template of the site's 404 page in the program's language (the themes' own
    says "404 - Not found" in English whatever the site's language). A Jinja template the
    builder renders, so the link home follows the page's depth."""
    locale = Locale(program.program.language)
    title = html_text(locale.t("not_found_title"))
    text = html_text(locale.t("not_found_text"))
    home = html_text(locale.t("home"))
    return (
        '{% extends "main.html" %}\n'
        "{% block content %}\n"
        f"  <h1>404 – {title}</h1>\n"
        f'  <p>{text} <a href="{{{{ nav.homepage.url | url }}}}">{home}</a></p>\n'
        "{% endblock %}\n"
    )


def nav_title(text: str) -> str:
    """A name from YAML as a nav title or site name. The builders write those into the page
    as HTML without escaping, and the theme's `<title>` runs them through Jinja's `striptags`,
    which unescapes entities again; so beyond escaping, angle brackets become the look-alike
    ‹ › that no unescaping turns back into a tag."""
    return str(html_text(text.replace("<", "‹").replace(">", "›")))


def navigation(program: Program, pages: list[Page]) -> list[Any]:
    """The mkdocs `nav`: top-level pages, with journeys and objectives as sections."""
    locale = Locale(program.program.language)
    titles = {p.path: nav_title(p.title) for p in pages if p.path.endswith(".md")}
    journeys = [{titles[f"journeys/{j.id}.md"]: f"journeys/{j.id}.md"} for j in program.journeys]
    objectives = [
        {titles[f"objectives/{o.id}.md"]: f"objectives/{o.id}.md"} for o in program.objectives
    ]
    return [
        {locale.t("home"): "index.md"},
        {locale.t("strategy"): "strategy.md"},
        {locale.t("journeys"): ["journeys/index.md", *journeys]},
        {locale.t("objectives"): ["objectives/index.md", *objectives]},
        {
            locale.t("voc"): [
                "voc/index.md",
                *({titles[path]: path} for path in titles if path.startswith("voc/themes/")),
                {locale.t("drivers"): "voc/drivers.md"},
                {locale.t("links"): "voc/links.md"},
                {locale.t("fatigue"): "voc/fatigue.md"},
            ]
        },
        {locale.t("actions"): "actions.md"},
        {
            locale.t("owners"): [
                "owners/index.md",
                *(
                    {titles[path]: path}
                    for path in titles
                    if path.startswith("owners/") and path != "owners/index.md"
                ),
            ]
        },
        {locale.t("data_quality"): "data-quality.md"},
        {locale.t("changelog"): "changelog.md"},
    ]
