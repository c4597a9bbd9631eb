"""The voice-of-the-customer evidence of one evaluation: read (and tag) what customers wrote
and who was surveyed, then build the report's `themes`, `fatigue`, `drivers` and `links`
sections from it.

`collect` is the only part that touches the store; everything after it is pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from cxgov.judgement.cells import Aggregates, Cell
from cxgov.judgement.periods import Period
from cxgov.judgement.voc import ThemeSection, VocSections
from cxgov.model import Program
from cxgov.stats import Counts
from cxgov.voc.drivers import drivers_section
from cxgov.voc.fatigue import fatigue_section
from cxgov.voc.links import links_section
from cxgov.voc.matcher import ThemeMatcher, rule_hash
from cxgov.voc.records import Answer, Comment, distinct_comments
from cxgov.voc.tagging import TaggingSummary, answers, comments
from cxgov.voc.themes import coverage, theme_section, theme_shares


@dataclass
class Evidence:
    rule_hash: str
    comments: list[Comment]
    answers: list[Answer]
    tagging: TaggingSummary = field(default_factory=TaggingSummary)


def collect(connection: Connection, program: Program, as_of: dt.date, *, persist: bool) -> Evidence:
    """The program's comments up to `as_of` (tagging those without current tags; stored with
    `persist`, the caller commits) and the answers of known customers."""
    zone = ZoneInfo(program.program.timezone)
    before = Period(as_of, as_of, False).utc_bounds(zone)[1]
    matcher = ThemeMatcher(program.themes)
    hashed = rule_hash(program.themes)
    summary = TaggingSummary()
    found = (
        list(
            comments(
                connection,
                program.program.id,
                matcher,
                hashed,
                before=before,
                zone=zone,
                persist=persist,
                # only theme-share objectives for a segment need the comments' segments
                segments=any(o.theme is not None and o.segment for o in program.objectives),
                summary=summary,
            )
        )
        if program.themes
        else []
    )
    return Evidence(
        hashed, found, answers(connection, program.program.id, before=before, zone=zone), summary
    )


def add_theme_shares(
    program: Program, evidence: Evidence, aggregates: Aggregates, as_of: dt.date
) -> None:
    """Put the comment counts of theme-share objectives beside the KPI counts, for `judge`."""
    for (theme, point, period, segment), share in theme_shares(
        program, evidence.comments, as_of
    ).items():
        aggregates.theme_shares[(theme, Cell(point, period, segment))] = Counts(
            n=share.comments, positives=share.mentions
        )


def sections(
    program: Program,
    evidence: Evidence,
    aggregates: Aggregates,
    as_of: dt.date,
    *,
    redact: Callable[[str], str],
) -> VocSections:
    """The report's voice-of-the-customer sections."""
    themes, decisions = theme_section(program, evidence.comments, as_of, redact=redact)
    return VocSections(
        themes=ThemeSection(
            rule_hash=evidence.rule_hash,
            comments=distinct_comments(evidence.comments),
            tagged_in_this_run=evidence.tagging.tagged,
            themes=themes,
            coverage=coverage(program, evidence.comments, redact=redact),
            decisions=decisions,
        ),
        drivers=drivers_section(program, evidence.answers, evidence.comments, aggregates),
        links=links_section(program, aggregates, evidence.answers),
        fatigue=fatigue_section(program, evidence.answers, as_of),
    )


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _r(value: float | None) -> str:
    # a driver is listed here only with an interval that excludes zero, so it has r
    assert value is not None
    return f"{value:.2f}"


def _theme_rule(themes: ThemeSection) -> list[str]:
    decisions = themes.decisions
    if decisions is None:
        return ["Themes mentioned with a lower KPI:"]
    return [
        "Themes mentioned with a lower KPI: comments that mention the theme come with a lower "
        "KPI than the rest (an association, not a cause). Established at a "
        f"{decisions.error_rate:.0%} error rate after adjusting across the "
        f"{decisions.comparisons} theme × point × period comparisons with at least "
        f"{decisions.min_group} answers on each side ({decisions.labelled} labelled). The "
        "newest reported period where it holds; difference with − without the theme, and its "
        "interval:"
    ]


def markdown(voc: VocSections) -> str:
    """A short Markdown summary of the sections, for the report's .md beside the JSON: the
    themes mentioned with a lower KPI, the drivers whose interval excludes zero, contradicted
    links and the over-surveyed customers."""
    themes = voc.themes
    coverage_ = themes.coverage
    lines = [
        "## Voice of the customer",
        "",
        f"{themes.comments} comments; {_fmt(coverage_.untagged_share)} % tagged by no "
        "theme. Most frequent words there: "
        + (", ".join(w.word for w in coverage_.frequent_words[:10]) or "–")
        + ".",
        "",
        *_theme_rule(themes),
        "",
        "| theme | measurement point | period | share % | KPI with | KPI without | difference |",
        "|---|---|---|---|---|---|---|",
    ]
    for theme in themes.themes:
        for point in theme.points:
            lowering = [p for p in point.periods if p.impact.effect == "lowers_kpi"]
            if not lowering:
                continue
            newest = lowering[-1]
            impact = newest.impact
            # an effect is estimated only from a difference
            assert impact.difference is not None
            d = impact.difference
            name = theme.name.replace("|", "\\|")
            lines.append(
                f"| {name} | {point.measurement_point} | {newest.period.start}.."
                f"{newest.period.end} | {_fmt(newest.share)} | "
                f"{_fmt(impact.with_theme.value)} | {_fmt(impact.without_theme.value)}"
                f" | {_fmt(d.delta)} ({_fmt(d.ci_low)}..{_fmt(d.ci_high)}) |"
            )
    lines += ["", "Drivers of the relationship NPS whose interval excludes zero:", ""]
    for journey in voc.drivers:
        clear = [d for d in journey.drivers if d.label in ("positive", "negative")]
        described = "; ".join(
            f"{d.driver} r = {_r(d.r)} ({_r(d.ci_low)}..{_r(d.ci_high)}, n = {d.n}, {d.basis})"
            for d in clear
        )
        lines.append(f"- {journey.journey} ({journey.relationship_point}): {described or '–'}")
    contradicted = [link for link in voc.links if link.verdict == "contradicted"]
    lines += [
        "",
        "Links contradicted by the data (the period-to-period changes of both sides correlated "
        "against the expected direction, adjusted across the links): ",
    ]
    lines[-1] += (
        ", ".join(
            f"{link.cx} → {link.business} (r = {_r(link.r)} over {link.n} periods)"
            for link in contradicted
        )
        or "none"
    )
    short = [link.cx + " → " + link.business for link in voc.links if link.reason is not None]
    if short:
        lines += ["", "Not enough periods to read: " + ", ".join(short) + "."]
    window, policy = voc.fatigue.window, voc.fatigue.policy
    if window is not None and policy is not None:
        lines += [
            "",
            f"Survey fatigue: {window.over_policy} of {window.surveyed_customers} customers "
            f"surveyed in {window.start}..{window.end} got more than "
            f"{policy.max_surveys_per_customer} surveys in {policy.days} days.",
        ]
    return "\n".join(lines) + "\n"
