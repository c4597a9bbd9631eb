"""The voice-of-the-customer sections of a run, as typed values: `themes`, `drivers`, `links`
and `fatigue` (docs/voc.md describes every field).

cxgov.voc computes them, the run record keeps them, and the report, its Markdown and the site
read them. They live here, below all of those, so every reader can import them without loading
the store. `to_json`/`from_json` are the only translation to and from the JSON the report
publishes and the store keeps: a field is named as its key, and the JSON is the documented
contract, so a key is never renamed and a run recorded before these types existed still reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from cxgov.judgement.periods import Period
from cxgov.model import Direction, Expectation

Effect = Literal[
    "lowers_kpi",
    "raises_kpi",
    "no_clear_difference",
    "too_few_answers",
    "interval_includes_zero",
    "not_estimable",
]
"""How the KPI of comments that mention a theme compares with the rest's: `lowers_kpi` and
`raises_kpi` (mentioned with a lower or higher KPI: an association, not a cause) when the
difference is established at the program's error rate after adjusting for every comparison the
report makes; `no_clear_difference` when it is not; `too_few_answers` below the program's
`min_theme_group` on either side. Runs recorded before these decisions say
`interval_includes_zero` and `not_estimable` instead."""
ImpactTest = Literal["adjusted_wald", "agresti_caffo", "welch", "permutation"]
"""The two-sample test behind an impact's p-value."""
Label = Literal["positive", "negative", "interval_includes_zero", "not_estimable"]
"""A driver's reading: the sign of r where its interval excludes zero."""
LinkVerdict = Literal["supported", "contradicted", "inconclusive", "not_estimable"]
Basis = Literal["respondents", "periods"]
"""What a driver is related over: customers' pairs of answers, or the periods' KPIs."""
CxKind = Literal["objective", "measurement_point"]
"""What a link's `cx` names."""


# themes -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Difference:
    """A change or difference between two estimates, with its interval and p-value."""

    delta: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    significant: bool


@dataclass(frozen=True, slots=True)
class KpiAmong:
    """The KPI over one group of comments' answers."""

    value: float | None
    n: int


@dataclass(frozen=True, slots=True)
class Impact:
    """The KPI among comments that mention the theme against those that do not."""

    with_theme: KpiAmong
    without_theme: KpiAmong
    difference: Difference | None
    """With − without; None when either side has no answer."""
    effect: Effect
    test: ImpactTest | None = None
    """None when the groups were too small to test (and in runs recorded before tests were
    named)."""
    p_adjusted: float | None = None
    """The p-value adjusted for every theme × point × period comparison of the report."""


@dataclass(frozen=True, slots=True)
class CoOccurrence:
    """Another theme in the comments that mention this one."""

    theme: str
    name: str
    mentions: int
    share: float | None
    """Of this theme's mentions, 0..100."""


@dataclass(frozen=True, slots=True)
class Example:
    """A redacted comment that mentions the theme, and the pattern that tagged it."""

    text: str
    pattern: str


@dataclass(frozen=True, slots=True)
class ThemePeriod:
    """A theme at one measurement point in one period."""

    period: Period
    comments: int
    mentions: int
    share: float | None
    ci_low: float | None
    ci_high: float | None
    change: Difference | None
    """Of the share, from the period before; None for the first period read."""
    impact: Impact
    co_occurs: tuple[CoOccurrence, ...]
    examples: tuple[Example, ...]
    """Only in the newest period with mentions, newest comment first."""


@dataclass(frozen=True, slots=True)
class ThemePoint:
    measurement_point: str
    kpi: str
    periods: tuple[ThemePeriod, ...]
    """Oldest first."""


@dataclass(frozen=True, slots=True)
class ThemeReport:
    """One theme with every measurement point it is read from."""

    id: str
    name: str
    kpis: tuple[str, ...]
    points: tuple[ThemePoint, ...]


@dataclass(frozen=True, slots=True)
class PointCoverage:
    measurement_point: str
    comments: int
    untagged: int
    untagged_share: float | None


@dataclass(frozen=True, slots=True)
class FrequentWord:
    """A word of the comments no theme tags, and how many of them hold it."""

    word: str
    comments: int


@dataclass(frozen=True, slots=True)
class Coverage:
    """What the theme rules miss: the comments no applicable theme tags."""

    comments: int
    untagged: int
    untagged_share: float | None
    points: tuple[PointCoverage, ...]
    frequent_words: tuple[FrequentWord, ...]


@dataclass(frozen=True, slots=True)
class ThemeDecisions:
    """The error rate the themes' effects were decided at, and over how many comparisons."""

    error_rate: float
    """Two-sided, for the family of every theme × point × period compared."""
    adjustment: str
    min_group: int
    comparisons: int
    """Theme × point × period pairs of groups large enough to compare: the family adjusted."""
    labelled: int
    """Of them, those labelled `lowers_kpi` or `raises_kpi`."""


@dataclass(frozen=True, slots=True)
class ThemeSection:
    rule_hash: str
    comments: int
    tagged_in_this_run: int
    themes: tuple[ThemeReport, ...]
    coverage: Coverage
    decisions: ThemeDecisions | None = None
    """None in runs recorded before theme effects were adjusted for their number."""


# drivers ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TouchpointDriver:
    """A touchpoint KPI against the relationship NPS."""

    measurement_point: str
    touchpoint: str | None
    kpi: str
    basis: Basis
    n: int
    r: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    label: Label

    @property
    def driver(self) -> str:
        return self.measurement_point

    @property
    def kind(self) -> Literal["touchpoint"]:
        return "touchpoint"


@dataclass(frozen=True, slots=True)
class ThemeDriver:
    """A theme's mention against the NPS score, over the NPS point's comments."""

    theme: str
    name: str
    basis: Basis
    n: int
    r: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    label: Label

    @property
    def driver(self) -> str:
        return self.theme

    @property
    def kind(self) -> Literal["theme"]:
        return "theme"


Driver = TouchpointDriver | ThemeDriver


@dataclass(frozen=True, slots=True)
class DriversOfJourney:
    """The drivers of one journey's relationship NPS, strongest first."""

    journey: str
    relationship_point: str
    kpi: str
    confidence: float
    drivers: tuple[Driver, ...]


# links ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupOutcome:
    """The business outcome of one respondent group: the mean over its customers."""

    group: str
    customers: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True, slots=True)
class GroupDifference:
    between: tuple[str, str]
    """The best group and the worst; `delta` is best − worst."""
    delta: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None


@dataclass(frozen=True, slots=True)
class GroupOutcomes:
    """A link's business outcome per respondent group, from customer-keyed records."""

    basis: Literal["customers"]
    measurement_point: str
    business_point: str
    groups: tuple[GroupOutcome, ...]
    """Best group first."""
    difference: GroupDifference

    @property
    def available(self) -> Literal[True]:
        return True


@dataclass(frozen=True, slots=True)
class GroupsUnavailable:
    """Why a link has no outcome per respondent group."""

    code: Literal["no_points", "no_groups", "no_customer_records", "no_records_after"]
    reason: str

    @property
    def available(self) -> Literal[False]:
        return False


ByGroup = GroupOutcomes | GroupsUnavailable


@dataclass(frozen=True, slots=True)
class CxSide:
    """What a link's CX side turned out to be."""

    kind: CxKind
    measurement_point: str
    direction: Direction


@dataclass(frozen=True, slots=True)
class LinkPair:
    """The CX side and the business KPI over one complete business period."""

    period: Period
    cx: float | None
    business: float | None


@dataclass(frozen=True, slots=True)
class Link:
    """A business outcome beside the CX measure it is linked to."""

    cx: str
    business: str
    expected: Expectation
    by_group: ByGroup
    side: CxSide | None
    """None when the link's CX side or business KPI is not in the program's points."""
    n: int
    r: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    verdict: LinkVerdict
    pairs: tuple[LinkPair, ...]
    reason: str | None = None
    """Why no correlation could be estimated, when the sides are known but pair too rarely."""
    method: Literal["changes", "levels"] = "levels"
    """What was correlated: the period-to-period changes, or (runs recorded before) the levels."""
    n_effective: float | None = None
    """Independent changes the autocorrelation of the two series leaves (Pyper–Peterman)."""
    p_adjusted: float | None = None
    """The p-value adjusted across the run's links."""


# fatigue ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SurveyLimit:
    """The program's contact policy."""

    max_surveys_per_customer: int
    days: int


@dataclass(frozen=True, slots=True)
class SurveyCount:
    """How many customers got `surveys` surveys in the window."""

    surveys: int
    customers: int


@dataclass(frozen=True, slots=True)
class FatigueWindow:
    """The policy's window ending on the section's `as_of`."""

    start: dt.date
    end: dt.date
    surveyed_customers: int
    surveys_per_customer: tuple[SurveyCount, ...]
    over_policy: int
    over_policy_share: float | None


@dataclass(frozen=True, slots=True)
class JourneyFatigue:
    journey: str
    surveyed_customers: int
    over_policy: int
    over_policy_share: float | None


@dataclass(frozen=True, slots=True)
class FatigueOn:
    """The over-surveyed share in the policy's window ending on a month end."""

    date: dt.date
    surveyed_customers: int
    over_policy: int
    over_policy_share: float | None


@dataclass(frozen=True, slots=True)
class ContactRule:
    """A measurement point's `contact` rule and how many customers it surveyed more often.
    Counts only: a customer's key would identify them to whoever holds the pseudonymisation key,
    and reports travel (CI artifacts, mail)."""

    measurement_point: str
    max_per_customer: int
    days: int
    surveyed_customers: int
    over_rule: int
    over_rule_share: float | None
    surveys_per_customer: tuple[SurveyCount, ...]
    """How many customers the point surveyed once, twice, ... in the rule's window."""


@dataclass(frozen=True, slots=True)
class Fatigue:
    policy: SurveyLimit | None
    as_of: dt.date
    """The last day counted: the day before the run's as-of date."""
    customers: int
    window: FatigueWindow | None
    """None without a contact policy, and so are `journeys` and `history` empty."""
    journeys: tuple[JourneyFatigue, ...]
    history: tuple[FatigueOn, ...]
    contact_rules: tuple[ContactRule, ...]


@dataclass(frozen=True, slots=True)
class VocSections:
    """Everything a run found in what customers wrote and how often they were asked."""

    themes: ThemeSection
    drivers: tuple[DriversOfJourney, ...]
    links: tuple[Link, ...]
    fatigue: Fatigue


# JSON ---------------------------------------------------------------------------------------
# Key order follows the report as it has always been written, so the files stay byte-for-byte
# the same.


def to_json(sections: VocSections) -> dict[str, Any]:
    """The sections as the report's `themes`, `drivers`, `links` and `fatigue` keys."""
    return {
        "themes": _themes_json(sections.themes),
        "drivers": [_drivers_json(d) for d in sections.drivers],
        "links": [_link_json(link) for link in sections.links],
        "fatigue": _fatigue_json(sections.fatigue),
    }


def from_json(body: dict[str, Any]) -> VocSections:
    """The sections from the report's keys, as `to_json` writes them."""
    return VocSections(
        themes=_themes(body["themes"]),
        drivers=tuple(_drivers(d) for d in body["drivers"]),
        links=tuple(_link(link) for link in body["links"]),
        fatigue=_fatigue(body["fatigue"]),
    )


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _difference_json(d: Difference | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "delta": d.delta,
        "ci_low": d.ci_low,
        "ci_high": d.ci_high,
        "p_value": d.p_value,
        "significant": d.significant,
    }


def _difference(body: dict[str, Any] | None) -> Difference | None:
    if body is None:
        return None
    return Difference(
        body["delta"], body["ci_low"], body["ci_high"], body["p_value"], body["significant"]
    )


def _theme_period_json(p: ThemePeriod) -> dict[str, Any]:
    impact = p.impact
    return {
        "period": {
            "start": p.period.start.isoformat(),
            "end": p.period.end.isoformat(),
            "complete": p.period.complete,
        },
        "comments": p.comments,
        "mentions": p.mentions,
        "share": p.share,
        "ci_low": p.ci_low,
        "ci_high": p.ci_high,
        "change": _difference_json(p.change),
        "impact": {
            "with_theme": {"value": impact.with_theme.value, "n": impact.with_theme.n},
            "without_theme": {"value": impact.without_theme.value, "n": impact.without_theme.n},
            "difference": _difference_json(impact.difference),
            "effect": impact.effect,
            "test": impact.test,
            "p_adjusted": impact.p_adjusted,
        },
        "co_occurs": [
            {"theme": c.theme, "name": c.name, "mentions": c.mentions, "share": c.share}
            for c in p.co_occurs
        ],
        "examples": [{"text": e.text, "pattern": e.pattern} for e in p.examples],
    }


def _theme_period(body: dict[str, Any]) -> ThemePeriod:
    period, impact = body["period"], body["impact"]
    return ThemePeriod(
        period=Period(_date(period["start"]), _date(period["end"]), period["complete"]),
        comments=body["comments"],
        mentions=body["mentions"],
        share=body["share"],
        ci_low=body["ci_low"],
        ci_high=body["ci_high"],
        change=_difference(body["change"]),
        impact=Impact(
            KpiAmong(impact["with_theme"]["value"], impact["with_theme"]["n"]),
            KpiAmong(impact["without_theme"]["value"], impact["without_theme"]["n"]),
            _difference(impact["difference"]),
            impact["effect"],
            impact.get("test"),
            impact.get("p_adjusted"),
        ),
        co_occurs=tuple(
            CoOccurrence(c["theme"], c["name"], c["mentions"], c["share"])
            for c in body["co_occurs"]
        ),
        examples=tuple(Example(e["text"], e["pattern"]) for e in body["examples"]),
    )


def _themes_json(section: ThemeSection) -> dict[str, Any]:
    coverage = section.coverage
    decisions = section.decisions
    return {
        "rule_hash": section.rule_hash,
        "comments": section.comments,
        "tagged_in_this_run": section.tagged_in_this_run,
        "decisions": None
        if decisions is None
        else {
            "error_rate": decisions.error_rate,
            "adjustment": decisions.adjustment,
            "min_group": decisions.min_group,
            "comparisons": decisions.comparisons,
            "labelled": decisions.labelled,
        },
        "themes": [
            {
                "id": theme.id,
                "name": theme.name,
                "kpis": list(theme.kpis),
                "points": [
                    {
                        "measurement_point": point.measurement_point,
                        "kpi": point.kpi,
                        "periods": [_theme_period_json(p) for p in point.periods],
                    }
                    for point in theme.points
                ],
            }
            for theme in section.themes
        ],
        "coverage": {
            "comments": coverage.comments,
            "untagged": coverage.untagged,
            "untagged_share": coverage.untagged_share,
            "points": [
                {
                    "measurement_point": p.measurement_point,
                    "comments": p.comments,
                    "untagged": p.untagged,
                    "untagged_share": p.untagged_share,
                }
                for p in coverage.points
            ],
            "frequent_words": [
                {"word": w.word, "comments": w.comments} for w in coverage.frequent_words
            ],
        },
    }


def _themes(body: dict[str, Any]) -> ThemeSection:
    coverage = body["coverage"]
    decisions = body.get("decisions")
    return ThemeSection(
        decisions=None
        if decisions is None
        else ThemeDecisions(
            decisions["error_rate"],
            decisions["adjustment"],
            decisions["min_group"],
            decisions["comparisons"],
            decisions["labelled"],
        ),
        rule_hash=body["rule_hash"],
        comments=body["comments"],
        tagged_in_this_run=body["tagged_in_this_run"],
        themes=tuple(
            ThemeReport(
                theme["id"],
                theme["name"],
                tuple(theme["kpis"]),
                tuple(
                    ThemePoint(
                        point["measurement_point"],
                        point["kpi"],
                        tuple(_theme_period(p) for p in point["periods"]),
                    )
                    for point in theme["points"]
                ),
            )
            for theme in body["themes"]
        ),
        coverage=Coverage(
            coverage["comments"],
            coverage["untagged"],
            coverage["untagged_share"],
            tuple(
                PointCoverage(
                    p["measurement_point"], p["comments"], p["untagged"], p["untagged_share"]
                )
                for p in coverage["points"]
            ),
            tuple(FrequentWord(w["word"], w["comments"]) for w in coverage["frequent_words"]),
        ),
    )


def _driver_json(d: Driver) -> dict[str, Any]:
    if isinstance(d, TouchpointDriver):
        found: dict[str, Any] = {
            "driver": d.driver,
            "kind": d.kind,
            "measurement_point": d.measurement_point,
            "touchpoint": d.touchpoint,
            "kpi": d.kpi,
        }
    else:
        found = {"driver": d.driver, "kind": d.kind, "theme": d.theme, "name": d.name}
    return {
        **found,
        "basis": d.basis,
        "n": d.n,
        "r": d.r,
        "ci_low": d.ci_low,
        "ci_high": d.ci_high,
        "p_value": d.p_value,
        "label": d.label,
    }


def _driver(body: dict[str, Any]) -> Driver:
    measured = (body["basis"], body["n"], body["r"], body["ci_low"], body["ci_high"])
    if body["kind"] == "theme":
        return ThemeDriver(body["theme"], body["name"], *measured, body["p_value"], body["label"])
    return TouchpointDriver(
        body["measurement_point"],
        body["touchpoint"],
        body["kpi"],
        *measured,
        body["p_value"],
        body["label"],
    )


def _drivers_json(journey: DriversOfJourney) -> dict[str, Any]:
    return {
        "journey": journey.journey,
        "relationship_point": journey.relationship_point,
        "kpi": journey.kpi,
        "confidence": journey.confidence,
        "drivers": [_driver_json(d) for d in journey.drivers],
    }


def _drivers(body: dict[str, Any]) -> DriversOfJourney:
    return DriversOfJourney(
        body["journey"],
        body["relationship_point"],
        body["kpi"],
        body["confidence"],
        tuple(_driver(d) for d in body["drivers"]),
    )


def _by_group_json(found: ByGroup) -> dict[str, Any]:
    if isinstance(found, GroupsUnavailable):
        return {"available": False, "code": found.code, "reason": found.reason}
    difference = found.difference
    return {
        "available": True,
        "basis": found.basis,
        "measurement_point": found.measurement_point,
        "business_point": found.business_point,
        "groups": [
            {
                "group": g.group,
                "customers": g.customers,
                "mean": g.mean,
                "ci_low": g.ci_low,
                "ci_high": g.ci_high,
            }
            for g in found.groups
        ],
        "difference": {
            "between": list(difference.between),
            "delta": difference.delta,
            "ci_low": difference.ci_low,
            "ci_high": difference.ci_high,
            "p_value": difference.p_value,
        },
    }


def _by_group(body: dict[str, Any]) -> ByGroup:
    if not body["available"]:
        return GroupsUnavailable(body["code"], body["reason"])
    difference = body["difference"]
    best, worst = difference["between"]
    return GroupOutcomes(
        basis=body["basis"],
        measurement_point=body["measurement_point"],
        business_point=body["business_point"],
        groups=tuple(
            GroupOutcome(g["group"], g["customers"], g["mean"], g["ci_low"], g["ci_high"])
            for g in body["groups"]
        ),
        difference=GroupDifference(
            (best, worst),
            difference["delta"],
            difference["ci_low"],
            difference["ci_high"],
            difference["p_value"],
        ),
    )


def _link_json(link: Link) -> dict[str, Any]:
    found: dict[str, Any] = {
        "cx": link.cx,
        "business": link.business,
        "expected": link.expected.value,
        "by_group": _by_group_json(link.by_group),
    }
    if link.reason is not None:
        found["reason"] = link.reason
    if link.side is not None:
        found["cx_kind"] = link.side.kind
        found["measurement_point"] = link.side.measurement_point
        found["cx_direction"] = link.side.direction.value
    return {
        **found,
        "n": link.n,
        "r": link.r,
        "ci_low": link.ci_low,
        "ci_high": link.ci_high,
        "p_value": link.p_value,
        "method": link.method,
        "n_effective": link.n_effective,
        "p_adjusted": link.p_adjusted,
        "verdict": link.verdict,
        "pairs": [
            {
                "start": p.period.start.isoformat(),
                "end": p.period.end.isoformat(),
                "cx": p.cx,
                "business": p.business,
            }
            for p in link.pairs
        ],
    }


def _link(body: dict[str, Any]) -> Link:
    side = (
        CxSide(body["cx_kind"], body["measurement_point"], Direction(body["cx_direction"]))
        if "cx_kind" in body
        else None
    )
    return Link(
        cx=body["cx"],
        business=body["business"],
        expected=Expectation(body["expected"]),
        by_group=_by_group(body["by_group"]),
        side=side,
        n=body["n"],
        r=body["r"],
        ci_low=body["ci_low"],
        ci_high=body["ci_high"],
        p_value=body["p_value"],
        verdict=body["verdict"],
        # only complete business periods are paired
        pairs=tuple(
            LinkPair(Period(_date(p["start"]), _date(p["end"]), True), p["cx"], p["business"])
            for p in body["pairs"]
        ),
        reason=body.get("reason"),
        method=body.get("method", "levels"),
        n_effective=body.get("n_effective"),
        p_adjusted=body.get("p_adjusted"),
    )


def _counts_json(counts: tuple[SurveyCount, ...]) -> list[dict[str, Any]]:
    return [{"surveys": s.surveys, "customers": s.customers} for s in counts]


def _counts(body: list[dict[str, Any]]) -> tuple[SurveyCount, ...]:
    return tuple(SurveyCount(s["surveys"], s["customers"]) for s in body)


def _fatigue_json(fatigue: Fatigue) -> dict[str, Any]:
    policy = fatigue.policy
    found: dict[str, Any] = {
        "policy": None
        if policy is None
        else {"max_surveys_per_customer": policy.max_surveys_per_customer, "days": policy.days},
        "as_of": fatigue.as_of.isoformat(),
        "customers": fatigue.customers,
    }
    window = fatigue.window
    if window is not None:
        found["window"] = {
            "start": window.start.isoformat(),
            "end": window.end.isoformat(),
            "surveyed_customers": window.surveyed_customers,
            "surveys_per_customer": _counts_json(window.surveys_per_customer),
            "over_policy": window.over_policy,
            "over_policy_share": window.over_policy_share,
        }
        found["journeys"] = [
            {
                "journey": j.journey,
                "surveyed_customers": j.surveyed_customers,
                "over_policy": j.over_policy,
                "over_policy_share": j.over_policy_share,
            }
            for j in fatigue.journeys
        ]
        found["history"] = [
            {
                "date": h.date.isoformat(),
                "surveyed_customers": h.surveyed_customers,
                "over_policy": h.over_policy,
                "over_policy_share": h.over_policy_share,
            }
            for h in fatigue.history
        ]
    found["contact_rules"] = [
        {
            "measurement_point": rule.measurement_point,
            "max_per_customer": rule.max_per_customer,
            "days": rule.days,
            "surveyed_customers": rule.surveyed_customers,
            "over_rule": rule.over_rule,
            "over_rule_share": rule.over_rule_share,
            "surveys_per_customer": _counts_json(rule.surveys_per_customer),
        }
        for rule in fatigue.contact_rules
    ]
    return found


def _fatigue(body: dict[str, Any]) -> Fatigue:
    policy, window = body["policy"], body.get("window")
    return Fatigue(
        policy=None
        if policy is None
        else SurveyLimit(policy["max_surveys_per_customer"], policy["days"]),
        as_of=_date(body["as_of"]),
        customers=body["customers"],
        window=None
        if window is None
        else FatigueWindow(
            _date(window["start"]),
            _date(window["end"]),
            window["surveyed_customers"],
            _counts(window["surveys_per_customer"]),
            window["over_policy"],
            window["over_policy_share"],
        ),
        journeys=tuple(
            JourneyFatigue(
                j["journey"], j["surveyed_customers"], j["over_policy"], j["over_policy_share"]
            )
            for j in body.get("journeys", [])
        ),
        history=tuple(
            FatigueOn(
                _date(h["date"]), h["surveyed_customers"], h["over_policy"], h["over_policy_share"]
            )
            for h in body.get("history", [])
        ),
        contact_rules=tuple(
            ContactRule(
                r["measurement_point"],
                r["max_per_customer"],
                r["days"],
                r["surveyed_customers"],
                r["over_rule"],
                r["over_rule_share"],
                # runs recorded before the counts listed customer keys instead: not read
                _counts(r.get("surveys_per_customer", [])),
            )
            for r in body["contact_rules"]
        ),
    )
