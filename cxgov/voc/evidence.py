"""The voice-of-the-customer evidence of one evaluation: read (and tag) what customers wrote
and who was surveyed, then build the report's `themes`, `fatigue`, `drivers` and `links`
sections from it.

`collect` is the only part that touches the store; everything after it is pure.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from cxgov.ingest.pseudonym import pseudonymiser
from cxgov.judgement.cells import Aggregates, Cell
from cxgov.judgement.periods import Period, periods
from cxgov.judgement.voc import Coverage, ThemeSection, VocSections
from cxgov.model import KpiType, Program, Statistic
from cxgov.stats import Counts
from cxgov.store.counting import first_values
from cxgov.store.pseudonym_key import pseudonym_key
from cxgov.store.respondents import RespondentScores, respondent_scores
from cxgov.store.surveys import SurveysInWindows
from cxgov.store.theme_counts import CountedPoint, ShareTarget, ThemeStore
from cxgov.voc import fatigue
from cxgov.voc.drivers import (
    MAX_RESPONDENTS,
    driver_window,
    drivers_section_of,
    models,
    scoring,
    theme_mentions,
)
from cxgov.voc.links import links_section
from cxgov.voc.matcher import ThemeMatcher, rule_hash
from cxgov.voc.records import Answer, Comment, distinct_comments
from cxgov.voc.tagging import TaggingSummary, answers, comments, tag_untagged
from cxgov.voc.themes import (
    EXAMPLES,
    PERIODS,
    SegmentKey,
    ThemeCounts,
    ThemeShare,
    allowed_points,
    count_words,
    coverage,
    coverage_of,
    theme_counts,
    theme_points,
    theme_section_of,
    theme_shares,
    wanted_examples,
    wanted_scored,
)
from cxgov.warehouse import respondents as table_respondents
from cxgov.warehouse import surveys as table_surveys
from cxgov.warehouse.table_source import table_points


@dataclass(frozen=True)
class Counted:
    """What the sections read of the comments, counted: in the store by `count`, or from
    comments in memory by `counted`."""

    themes: ThemeCounts
    shares: dict[tuple[str, str, Period, SegmentKey], ThemeShare]
    coverage: Coverage
    comments: int
    """Comments written, each once however many answers carry it."""
    mentioned: dict[str, dict[str, set[str]]]
    """Relationship point → theme → respondents mentioning it in the drivers' window (counted
    in the store: only those of the drivers' sample, the only ones the model reads)."""


@dataclass
class Evidence:
    rule_hash: str
    comments: list[Comment]
    """The comments themselves, when `collect` read them into memory; empty when `count`
    counted them in the store (`counted`)."""
    answers: list[Answer]
    """Only the answers the links' outcomes by respondent group read."""
    respondents: dict[str, RespondentScores] = field(default_factory=dict)
    """Relationship point → its respondents' scores, for the key drivers."""
    surveys: fatigue.SurveyCounts = field(default_factory=fatigue.SurveyCounts.none)
    tagging: TaggingSummary = field(default_factory=TaggingSummary)
    counted: Counted | None = None

    def counts(self, program: Program, as_of: dt.date, redact: Callable[[str], str]) -> Counted:
        if self.counted is not None:
            return self.counted
        return counted(program, self.comments, as_of, redact=redact)


def counted(
    program: Program, comments: list[Comment], as_of: dt.date, *, redact: Callable[[str], str]
) -> Counted:
    """The counts of comments in memory."""
    return Counted(
        theme_counts(program, comments, as_of),
        theme_shares(program, comments, as_of),
        coverage(program, comments, redact=redact),
        distinct_comments(comments),
        theme_mentions(program, comments, as_of),
    )


def _respondents(
    connection: Connection, program: Program, as_of: dt.date
) -> dict[str, RespondentScores]:
    zone = ZoneInfo(program.program.timezone)
    start, end = driver_window(as_of)
    bounds = Period(start, end, False).utc_bounds(zone)
    # a table source's points are joined on its engine (the store holds only their comments)
    in_tables = table_points(program)
    found = {}
    for model in models(program):
        anchor = (model.anchor.id, scoring(model.kpi))
        touchpoints = {point.id: scoring(kpi) for point, kpi in model.touchpoints}
        if model.anchor.id in in_tables:
            found[model.anchor.id] = table_respondents.respondent_scores(
                program,
                anchor,
                touchpoints,
                first=start,
                last=end,
                limit=MAX_RESPONDENTS,
                pseudonymise=lambda: pseudonymiser(pseudonym_key(connection)),
            )
            continue
        stored = respondent_scores(
            connection,
            program.program.id,
            anchor,
            {p: s for p, s in touchpoints.items() if p not in in_tables},
            start=bounds[0],
            before=bounds[1],
            limit=MAX_RESPONDENTS,
        )
        found[model.anchor.id] = RespondentScores(
            stored.respondents,
            stored.outcome,
            {**{p: {} for p in touchpoints}, **stored.touchpoints},
        )
    return found


def _group_answers(
    connection: Connection, program: Program, before: dt.datetime, zone: ZoneInfo
) -> list[Answer]:
    """The customer-keyed answers the links' outcomes by respondent group read
    (cxgov.voc.links.by_group): each link's business records and, only where there are any,
    the answers at its CX point. Nothing else is read: the other statistics count in SQL."""
    # a table source's points: the store holds only their comments (docs/warehouse.md)
    points = {p.id for p in program.measurement_points} - set(table_points(program))
    objectives = {o.id: o.measurement_point for o in program.objectives}
    pairs = [
        (objectives.get(link.cx, link.cx), business.id)
        for link in program.links
        for business in program.measurement_points
        if business.kpi == link.business
    ]
    pairs = [(cx, business) for cx, business in pairs if cx in points]
    if not pairs:
        return []
    read = partial(answers, connection, program.program.id, before=before, zone=zone)
    outcomes = read(points=sorted({business for _, business in pairs}))
    recorded = {a.point for a in outcomes}
    cx = sorted({cx for cx, business in pairs if business in recorded} - recorded)
    return outcomes + (read(points=cx) if cx else [])


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
    return _evidence(connection, program, as_of, hashed, found, summary)


def count(
    connection: Connection,
    program: Program,
    as_of: dt.date,
    *,
    first_days: Mapping[str, dt.date],
    persist: bool,
    redact: Callable[[str], str],
) -> Evidence:
    """As `collect`, but the comments are counted in the store, never read into memory: the
    comments without current tags are tagged and their tags stored (with `persist`, for the
    caller to commit; without, only for the counts, then rolled back), then every count is
    read from the stored tags (cxgov.store.theme_counts). `first_days`: each point's first
    day of answers, where its periods start."""
    zone = ZoneInfo(program.program.timezone)
    before = Period(as_of, as_of, False).utc_bounds(zone)[1]
    hashed = rule_hash(program.themes)
    summary = TaggingSummary()
    found: Counted | None = None
    # read first: the drivers' theme mentions are asked for only of their sample
    respondents = _respondents(connection, program, as_of)
    if program.themes:
        with connection.begin_nested() as tags_written:
            tag_untagged(
                connection,
                program.program.id,
                ThemeMatcher(program.themes),
                hashed,
                before=before,
                summary=summary,
            )
            found = _count_stored(
                ThemeStore(
                    connection, program.program.id, hashed, before, zone, allowed_points(program)
                ),
                program,
                as_of,
                first_days,
                redact,
                respondents,
            )
            summary.comments = sum(p.comments for p in found.coverage.points)
            if not persist:
                tags_written.rollback()
    return _evidence(connection, program, as_of, hashed, [], summary, found, respondents)


def _evidence(
    connection: Connection,
    program: Program,
    as_of: dt.date,
    hashed: str,
    comments: list[Comment],
    summary: TaggingSummary,
    counted: Counted | None = None,
    respondents: dict[str, RespondentScores] | None = None,
) -> Evidence:
    """The comments' evidence (read, or counted in the store) with what every evaluation reads
    beside it: the links' answers, the drivers' respondents (unless read already) and the
    survey counts."""
    zone = ZoneInfo(program.program.timezone)
    before = Period(as_of, as_of, False).utc_bounds(zone)[1]
    return Evidence(
        hashed,
        comments,
        _group_answers(connection, program, before, zone),
        respondents=(
            _respondents(connection, program, as_of) if respondents is None else respondents
        ),
        surveys=_surveys(connection, program, as_of),
        tagging=summary,
        counted=counted,
    )


def _surveys(connection: Connection, program: Program, as_of: dt.date) -> fatigue.SurveyCounts:
    """The store's survey counts with those of table sources' customers, counted on their
    engines in the same windows (cxgov.warehouse.surveys), added; the store's leave those
    sources' points out (it holds only their comments)."""
    in_tables = table_surveys.customer_points(program)
    if not in_tables:
        return fatigue.read(connection, program, as_of)
    kept = [p for p in program.measurement_points if p.id not in in_tables]
    stored = fatigue.read(
        connection, program.model_copy(update={"measurement_points": kept}), as_of
    )
    ends = [end for end, _ in stored.history]
    counted = table_surveys.for_fatigue(program, as_of, ends)
    policy = program.contact_policy is not None
    windows = (stored.window, *(h for _, h in stored.history)) if policy else ()
    both = table_surveys.add(
        SurveysInWindows(stored.customers, windows, stored.journeys), counted.windows
    )
    return fatigue.SurveyCounts(
        both.customers,
        both.histograms[0] if policy else Counter(),
        tuple(zip(ends, both.histograms[1:], strict=True)),
        both.journeys,
        {**stored.contact, **counted.contact},
    )


def _count_stored(
    store: ThemeStore,
    program: Program,
    as_of: dt.date,
    first_days: Mapping[str, dt.date],
    redact: Callable[[str], str],
    respondents: Mapping[str, RespondentScores],
) -> Counted:
    kpis = {k.id: k for k in program.kpis}
    by_id = {p.id: p for p in program.measurement_points}
    read = {p.id for theme in program.themes for p in theme_points(program, theme)}
    read |= {o.measurement_point for o in program.objectives if o.theme is not None}
    mean_points = sorted(
        p for p in read if p in by_id and kpis[by_id[p].kpi].effective_statistic is Statistic.MEAN
    )
    shifts = first_values(store.connection, store.program, mean_points, store.before)
    points = [
        CountedPoint(
            point,
            tuple(periods(by_id[point].window, first_days[point], as_of)),
            kpis[by_id[point].kpi].effective_positive,
            shifts.get(point, 0.0),
        )
        for point in sorted(read)
        if point in by_id
        and point in first_days
        and kpis[by_id[point].kpi].type is not KpiType.VALUE
    ]
    per_period = store.period_comments(points, PERIODS + 1)
    themes = ThemeCounts(
        per_period,
        store.scored(sorted(wanted_scored(program, per_period))),
        store.newest(sorted(wanted_examples(program, per_period)), points, EXAMPLES),
    )
    targets: dict[ShareTarget, list[str]] = defaultdict(list)
    for objective in program.objectives:
        if objective.theme is not None:
            target = ShareTarget(
                objective.measurement_point, tuple(sorted(objective.segment.items()))
            )
            if objective.theme not in targets[target]:
                targets[target].append(objective.theme)
    timelines = {p.id: p.timeline for p in points}
    shares = {
        (theme, target.point, period, target.segment): ThemeShare(mentions, comments)
        for (theme, target, period), (mentions, comments) in store.shares(
            targets, timelines
        ).items()
    }
    frequent: Counter[str] = Counter()
    covered = store.coverage(partial(count_words, frequent, redact=redact))
    start, end = driver_window(as_of)
    bounds = Period(start, end, False).utc_bounds(store.zone)
    mentioned = {
        model.anchor.id: store.mentioned_by(
            model.anchor.id,
            [theme for theme, _ in model.themes],
            *bounds,
            among=respondents[model.anchor.id].outcome.keys()
            if model.anchor.id in respondents
            else (),
        )
        for model in models(program)
    }
    return Counted(
        themes,
        shares,
        coverage_of(covered, frequent),
        covered.comments,
        mentioned,
    )


def add_theme_shares(
    program: Program, evidence: Evidence, aggregates: Aggregates, as_of: dt.date
) -> None:
    """Put the comment counts of theme-share objectives beside the KPI counts, for `judge`."""
    shares = (
        evidence.counted.shares
        if evidence.counted is not None
        else theme_shares(program, evidence.comments, as_of)
    )
    for (theme, point, period, segment), share in shares.items():
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
    counts = evidence.counts(program, as_of, redact)
    themes, decisions = theme_section_of(program, counts.themes, redact=redact)
    return VocSections(
        themes=ThemeSection(
            rule_hash=evidence.rule_hash,
            comments=counts.comments,
            tagged_in_this_run=evidence.tagging.tagged,
            themes=themes,
            coverage=counts.coverage,
            decisions=decisions,
        ),
        drivers=drivers_section_of(program, evidence.respondents, counts.mentioned, as_of),
        links=links_section(program, aggregates, evidence.answers),
        fatigue=fatigue.fatigue_section(program, evidence.surveys, as_of),
    )


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _r(value: float | None) -> str:
    # a driver is listed here only with an interval that excludes zero, so it has r
    assert value is not None
    return f"{value:.2f}"


def _w(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


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
    themes mentioned with a lower KPI, the important key drivers, contradicted links and the
    over-surveyed customers."""
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
    lines += [
        "",
        "Key drivers of the relationship NPS (Johnson's relative weights over respondents; "
        "important: weight above a random predictor's, adjusted for every driver):",
        "",
    ]
    for journey in voc.drivers:
        where = f"- {journey.journey} ({journey.relationship_point}): "
        if journey.status != "ranked":
            lines.append(
                where + f"not ranked ({journey.status.replace('_', ' ')}; "
                f"{journey.respondents} respondents, at least {journey.min_respondents} needed)"
            )
            continue
        important = [d for d in journey.drivers if d.label == "important"]
        described = "; ".join(
            f"{d.driver} {_fmt(d.share)} % of R² (weight {_w(d.weight)}, "
            f"{_w(d.ci_low)}..{_w(d.ci_high)})"
            for d in important
        )
        lines.append(
            where
            + f"R² = {_w(journey.r_squared)}, n = {journey.n}: {described or 'none important'}"
        )
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
