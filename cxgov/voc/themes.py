"""Theme statistics: per theme × measurement point × period the mentions, their share of the
comments and its change, the KPI among comments that mention the theme against those that do
not (the theme's impact, labelled only when established across the report's whole family of
such comparisons), the themes it co-occurs with, and redacted examples; and the coverage of the
theme rules (what no theme tags, and its most frequent redacted words).

Pure: takes tagged comments, returns numbers. A theme is read only from the comments of
measurement points whose KPI it lists in `kpis` (all survey points when it lists none).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from cxgov.judgement.kpi import change as kpi_change
from cxgov.judgement.kpi import counts_of, respondent_score, value_of
from cxgov.judgement.periods import Period, period_containing
from cxgov.judgement.shortfall import adjusted
from cxgov.judgement.voc import (
    CoOccurrence,
    Coverage,
    Difference,
    Effect,
    Example,
    FrequentWord,
    Impact,
    ImpactTest,
    KpiAmong,
    PointCoverage,
    ThemeDecisions,
    ThemePeriod,
    ThemePoint,
    ThemeReport,
)
from cxgov.model import Adjustment, Kpi, KpiType, MeasurementPoint, Program, Statistic, Theme
from cxgov.model.measurement import SURVEY_METHODS
from cxgov.redaction import REDACTED
from cxgov.stats import Change, exact_permutation_p, percent_change, percent_estimate
from cxgov.store.theme_counts import CoverageCounts, Mentions, PeriodComments, Scored, Written
from cxgov.voc.matcher import words
from cxgov.voc.records import Comment, CommentKey
from cxgov.voc.stopwords import STOP_WORDS

SegmentKey = tuple[tuple[str, str], ...]
EXAMPLES = 5
CO_OCCURRING = 5
COVERAGE_WORDS = 20
_REDACTED = frozenset(words(REDACTED))
"""The words of the mark redaction leaves: not something customers said."""
PERIODS = 6
"""Newest periods reported per theme × point (the change is still to the period before)."""


@dataclass(frozen=True, slots=True)
class ThemeShare:
    """Comments at one point × period × segment, and how many of them mention the theme."""

    mentions: int
    comments: int


def theme_points(program: Program, theme: Theme) -> list[MeasurementPoint]:
    """The survey points a theme is read from: those measuring a KPI in its `kpis`."""
    return [
        p
        for p in program.measurement_points
        if p.method in SURVEY_METHODS and (not theme.kpis or p.kpi in theme.kpis)
    ]


def allowed_points(program: Program) -> dict[str, frozenset[str]]:
    """Theme id → the points it is read from."""
    return {t.id: frozenset(p.id for p in theme_points(program, t)) for t in program.themes}


def applicable_tags(allowed: dict[str, frozenset[str]], comment: Comment) -> set[str]:
    """The comment's themes that apply at its measurement point."""
    return {t for t in comment.tags if comment.point in allowed.get(t, ())}


def _in_segment(comment: Comment, segment: SegmentKey) -> bool:
    return all(str(comment.segments.get(d)) == v for d, v in segment)


def theme_shares(
    program: Program, comments: Iterable[Comment], as_of: dt.date
) -> dict[tuple[str, str, Period, SegmentKey], ThemeShare]:
    """For each theme-share objective's theme × point × segment, the counts per period."""
    wanted: dict[str, set[tuple[str, SegmentKey]]] = defaultdict(set)
    for objective in program.objectives:
        if objective.theme is not None:
            segment = tuple(sorted(objective.segment.items()))
            wanted[objective.measurement_point].add((objective.theme, segment))
    points = {p.id: p for p in program.measurement_points}
    mentions: Counter[tuple[str, str, Period, SegmentKey]] = Counter()
    total: Counter[tuple[str, str, Period, SegmentKey]] = Counter()
    for comment in comments:
        targets = wanted.get(comment.point)
        if not targets:
            continue
        period = period_containing(comment.day, points[comment.point].window, as_of)
        for theme, segment in targets:
            if _in_segment(comment, segment):
                key = (theme, comment.point, period, segment)
                total[key] += 1
                if theme in comment.tags:
                    mentions[key] += 1
    return {key: ThemeShare(mentions[key], n) for key, n in total.items()}


def _number(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _difference(found: Change | None, confidence: float) -> Difference | None:
    if found is None:
        return None
    return Difference(
        delta=_number(found.delta),
        ci_low=_number(found.ci_low),
        ci_high=_number(found.ci_high),
        p_value=_number(found.p_value),
        significant=found.p_value is not None and found.p_value < 1 - confidence,
    )


EXACT_BELOW = 30
"""Below this many answers on the smaller side, an impact's p-value comes from the exact
permutation test rather than the two-sample normal approximation, which gives several times its
nominal rate of false labels there."""


def _test_of(kpi: Kpi) -> ImpactTest:
    if kpi.type is KpiType.NPS:
        return "adjusted_wald"
    if kpi.effective_statistic is Statistic.MEAN:
        return "welch"
    return "agresti_caffo"


@dataclass(frozen=True, slots=True)
class _Tested:
    """One impact's p-value before the family's adjustment."""

    p_value: float
    test: ImpactTest
    delta: float


def _impact_test(
    kpi: Kpi,
    sizes: tuple[int, int],
    values: Callable[[], tuple[list[float], list[float]]],
    found: Change | None,
    min_group: int,
    seed: str,
) -> _Tested | None:
    """The impact's p-value: the exact permutation test of the groups' respondent scores when
    the smaller side has fewer than `EXACT_BELOW` answers, else the KPI's two-sample test. None
    below `min_group` on either side. `sizes` are the answers with and without the theme;
    `values` gives their values, read only for the permutation test."""
    if found is None or found.p_value is None or min(sizes) < min_group:
        return None
    if needs_values(sizes, min_group):
        answered, rest = values()
        p = exact_permutation_p(
            [respondent_score(kpi, v) for v in answered],
            [respondent_score(kpi, v) for v in rest],
            seed=seed,
        )
        return _Tested(p, "permutation", found.delta)
    return _Tested(found.p_value, _test_of(kpi), found.delta)


def needs_values(sizes: tuple[int, int], min_group: int) -> bool:
    """Whether an impact with these answers with and without the theme is tested from the
    answers' own values (the exact permutation test)."""
    return min_group <= min(sizes) < EXACT_BELOW


def _decided(
    impact: Impact, tested: _Tested | None, p_adjusted: float | None, error_rate: float
) -> Impact:
    if tested is None or p_adjusted is None:
        # shown, but not a decision: nothing is significant below the minimum group
        difference = impact.difference
        if difference is not None:
            difference = replace(difference, significant=False)
        return replace(impact, difference=difference, effect="too_few_answers")
    established = p_adjusted <= error_rate
    effect: Effect = (
        "no_clear_difference"
        if not established
        else "lowers_kpi"
        if tested.delta < 0
        else "raises_kpi"
    )
    difference = impact.difference
    if difference is not None:
        difference = replace(difference, p_value=_number(tested.p_value), significant=established)
    return replace(
        impact,
        difference=difference,
        effect=effect,
        test=tested.test,
        p_adjusted=_number(p_adjusted),
    )


@dataclass(frozen=True)
class ThemeCounts:
    """What the theme statistics read of the comments: counted in the store
    (cxgov.store.theme_counts) or, from comments in memory, by `theme_counts`."""

    periods: Mapping[str, Mapping[Period, PeriodComments]]
    """Point → period with comments → their counts."""
    scored: Mapping[tuple[str, Period], Sequence[Scored]]
    """The answers of the point × periods in `wanted_scored`, in the comments' order."""
    examples: Mapping[tuple[str, str, Period], Sequence[Written]]
    """Theme × point × period in `wanted_examples` → its newest mentions, newest first."""


def _measured(program: Program) -> list[tuple[Theme, MeasurementPoint, Kpi]]:
    """Every theme × point its statistics are reported for, in the report's order."""
    kpis = {k.id: k for k in program.kpis}
    found = []
    for theme in sorted(program.themes, key=lambda t: t.id):
        for point in sorted(theme_points(program, theme), key=lambda p: p.id):
            kpi = kpis.get(point.kpi)
            if kpi is not None and kpi.type is not KpiType.VALUE:
                found.append((theme, point, kpi))
    return found


def _read(periods: Mapping[Period, PeriodComments]) -> list[Period]:
    """The periods read: the newest reported ones and the one before them (for the change)."""
    return sorted(periods)[-(PERIODS + 1) :]


def _sizes(counts: PeriodComments, theme: str) -> tuple[int, int]:
    mentions = counts.themes.get(theme)
    if mentions is None:
        return 0, counts.answered.n
    return mentions.answered.n, mentions.without.n


def _read_by_point(
    periods: Mapping[str, Mapping[Period, PeriodComments]],
) -> dict[str, list[Period]]:
    return {point: _read(found) for point, found in periods.items()}


def wanted_scored(
    program: Program, periods: Mapping[str, Mapping[Period, PeriodComments]]
) -> set[tuple[str, Period]]:
    """The point × periods whose answers' values some theme's permutation test reads."""
    min_group = program.program.decisions.min_theme_group
    read = _read_by_point(periods)
    return {
        (point.id, period)
        for theme, point, _ in _measured(program)
        for period in read.get(point.id, [])
        if needs_values(_sizes(periods[point.id][period], theme.id), min_group)
    }


def wanted_examples(
    program: Program, periods: Mapping[str, Mapping[Period, PeriodComments]]
) -> set[tuple[str, str, Period]]:
    """Theme × point × the newest reported period where the theme is mentioned: where its
    examples come from."""
    found = set()
    read = _read_by_point(periods)
    for theme, point, _ in _measured(program):
        for period in reversed(read.get(point.id, [])[-PERIODS:]):
            if theme.id in periods[point.id][period].themes:
                found.add((theme.id, point.id, period))
                break
    return found


def theme_counts(program: Program, comments: Iterable[Comment], as_of: dt.date) -> ThemeCounts:
    """The theme statistics' counts of comments in memory, as the store counts them."""
    kpis = {k.id: k for k in program.kpis}
    allowed = allowed_points(program)
    points = {p.id: p for p in program.measurement_points}
    grouped: dict[str, dict[Period, list[Comment]]] = defaultdict(lambda: defaultdict(list))
    for comment in comments:
        at = points.get(comment.point)
        if at is None:
            continue
        grouped[at.id][period_containing(comment.day, at.window, as_of)].append(comment)
    periods: dict[str, dict[Period, PeriodComments]] = {}
    for point_id, by_period in grouped.items():
        kpi = kpis.get(points[point_id].kpi)
        if kpi is None:
            continue
        periods[point_id] = {
            period: _period_comments(kpi, point_id, allowed, group)
            for period, group in by_period.items()
        }
    scored = {
        (point, period): [
            Scored(c.value, frozenset(c.tags))
            for c in grouped[point][period]
            if c.value is not None and not c.not_applicable
        ]
        for point, period in wanted_scored(program, periods)
    }
    examples: dict[tuple[str, str, Period], list[Written]] = {}
    for theme, point, period in wanted_examples(program, periods):
        mentioning = [c for c in grouped[point][period] if theme in c.tags]
        mentioning.sort(key=lambda c: (c.at, c.id), reverse=True)
        examples[(theme, point, period)] = [
            Written(c.text, c.tags[theme]) for c in mentioning[:EXAMPLES]
        ]
    return ThemeCounts(periods, scored, examples)


def _period_comments(
    kpi: Kpi, point: str, allowed: dict[str, frozenset[str]], group: list[Comment]
) -> PeriodComments:
    def answered(of: Iterable[Comment]) -> list[float]:
        return [c.value for c in of if c.value is not None and not c.not_applicable]

    themes: dict[str, Mentions] = {}
    for theme in sorted({t for c in group for t in c.tags if point in allowed.get(t, ())}):
        mentioning = [c for c in group if theme in c.tags]
        others = [c for c in group if theme not in c.tags]
        together: Counter[str] = Counter(
            other
            for c in mentioning
            for other in c.tags
            if other != theme and point in allowed.get(other, ())
        )
        themes[theme] = Mentions(
            len(mentioning),
            counts_of(kpi, answered(mentioning)),
            counts_of(kpi, answered(others)),
            dict(together),
        )
    return PeriodComments(len(group), counts_of(kpi, answered(group)), themes)


def theme_section(
    program: Program,
    comments: list[Comment],
    as_of: dt.date,
    *,
    redact: Callable[[str], str],
    confidence: float = 0.95,
) -> tuple[tuple[ThemeReport, ...], ThemeDecisions]:
    """`theme_section_of` the comments in memory."""
    return theme_section_of(
        program, theme_counts(program, comments, as_of), redact=redact, confidence=confidence
    )


def theme_section_of(
    program: Program,
    counts: ThemeCounts,
    *,
    redact: Callable[[str], str],
    confidence: float = 0.95,
) -> tuple[tuple[ThemeReport, ...], ThemeDecisions]:
    """The `themes` list of the report: one entry per theme, with its points and periods; and
    how their effects were decided.

    Every theme × point × period whose groups both reach the program's `min_theme_group` is one
    comparison of one family: their p-values are adjusted together by the program's
    `decisions.adjustment`, and a label says "mentioned with a lower (higher) KPI" only when the
    adjusted p-value is within `decisions.error_rate`. So a report of twenty themes over six
    periods shows about as many false labels as one comparison would, and none most of the
    time (bench/bench_voc_decisions.py)."""
    settings = program.program.decisions
    tested: dict[tuple[str, str, Period], _Tested | None] = {}
    names = {t.id: t.name for t in program.themes}
    entries: dict[str, list[ThemePoint]] = defaultdict(list)
    read = _read_by_point(counts.periods)
    for theme, point, kpi in _measured(program):
        periods = counts.periods.get(point.id)
        if not periods:
            continue
        rows: list[ThemePeriod] = []
        previous: tuple[int, int] | None = None
        ordered = read[point.id]
        for period in ordered:
            group = periods[period]
            mentions = group.themes.get(theme.id)
            n = group.comments
            m = 0 if mentions is None else mentions.comments
            share = percent_estimate(m, n, confidence)
            change = (
                percent_change(previous[0], previous[1], m, n, confidence)
                if previous is not None
                else None
            )
            previous = (m, n)
            if mentions is None:
                with_counts, without_counts = counts_of(kpi, []), group.answered
            else:
                with_counts, without_counts = mentions.answered, mentions.without
            difference = kpi_change(kpi, without_counts, with_counts, confidence)

            def values(
                key: tuple[str, Period] = (point.id, period), theme_id: str = theme.id
            ) -> tuple[list[float], list[float]]:
                scored = counts.scored[key]
                return (
                    [s.value for s in scored if theme_id in s.themes],
                    [s.value for s in scored if theme_id not in s.themes],
                )

            tested[(theme.id, point.id, period)] = _impact_test(
                kpi,
                (with_counts.n, without_counts.n),
                values,
                difference,
                settings.min_theme_group,
                f"{theme.id}|{point.id}|{period.start.isoformat()}",
            )
            together = {} if mentions is None else mentions.together
            rows.append(
                ThemePeriod(
                    period=period,
                    comments=n,
                    mentions=m,
                    share=_number(share.value),
                    ci_low=_number(share.ci_low),
                    ci_high=_number(share.ci_high),
                    change=_difference(change, confidence),
                    impact=Impact(
                        with_theme=KpiAmong(_number(value_of(kpi, with_counts)), with_counts.n),
                        without_theme=KpiAmong(
                            _number(value_of(kpi, without_counts)), without_counts.n
                        ),
                        difference=_difference(difference, confidence),
                        effect="too_few_answers",  # decided below, with the whole family
                    ),
                    co_occurs=tuple(
                        CoOccurrence(
                            other, names.get(other, other), count, _number(100 * count / m)
                        )
                        for other, count in sorted(together.items(), key=lambda x: (-x[1], x[0]))[
                            :CO_OCCURRING
                        ]
                    ),
                    examples=(),
                )
            )
        if len(ordered) > PERIODS:  # the oldest was read only for the first change
            ordered, rows = ordered[1:], rows[1:]
        # examples come from the newest period that has mentions, newest comment first
        for index in reversed(range(len(rows))):
            if rows[index].mentions:
                written = counts.examples[(theme.id, point.id, ordered[index])]
                rows[index] = replace(
                    rows[index],
                    examples=tuple(Example(redact(w.text), w.pattern) for w in written),
                )
                break
        entries[theme.id].append(ThemePoint(point.id, kpi.id, tuple(rows)))
    out = [
        ThemeReport(theme.id, theme.name, tuple(theme.kpis), tuple(entries[theme.id]))
        for theme in sorted(program.themes, key=lambda t: t.id)
    ]
    return _decide(out, tested, settings.error_rate, settings.adjustment, settings.min_theme_group)


def _decide(
    reports: list[ThemeReport],
    tested: dict[tuple[str, str, Period], _Tested | None],
    error_rate: float,
    adjustment: Adjustment,
    min_group: int,
) -> tuple[tuple[ThemeReport, ...], ThemeDecisions]:
    """Label every reported impact from its p-value adjusted across the report's family."""
    shown = [
        (r.id, point.measurement_point, row.period)
        for r in reports
        for point in r.points
        for row in point.periods
    ]
    family = [(key, found) for key in shown if (found := tested.get(key)) is not None]
    q = dict(
        zip(
            (key for key, _ in family),
            adjusted([found.p_value for _, found in family], adjustment),
            strict=True,
        )
    )
    decided = tuple(
        replace(
            r,
            points=tuple(
                replace(
                    point,
                    periods=tuple(
                        replace(
                            row,
                            impact=_decided(
                                row.impact,
                                tested.get(key := (r.id, point.measurement_point, row.period)),
                                q.get(key),
                                error_rate,
                            ),
                        )
                        for row in point.periods
                    ),
                )
                for point in r.points
            ),
        )
        for r in reports
    )
    labelled = sum(
        row.impact.effect in ("lowers_kpi", "raises_kpi")
        for r in decided
        for point in r.points
        for row in point.periods
    )
    return decided, ThemeDecisions(error_rate, adjustment.value, min_group, len(family), labelled)


def coverage(
    program: Program,
    comments: list[Comment],
    *,
    redact: Callable[[str], str],
    top: int = COVERAGE_WORDS,
) -> Coverage:
    """`coverage_of` the comments in memory."""
    total: Counter[str] = Counter()
    untagged: Counter[str] = Counter()
    tagged_anywhere: dict[CommentKey, bool] = {}
    allowed = allowed_points(program)
    for comment in comments:
        total[comment.point] += 1
        tagged = bool(applicable_tags(allowed, comment))
        if not tagged:
            untagged[comment.point] += 1
        key = comment.key
        tagged_anywhere[key] = tagged_anywhere.get(key, False) or tagged
    counts = CoverageCounts(
        {point: (total[point], untagged[point]) for point in sorted(total)},
        len(tagged_anywhere),
        len(tagged_anywhere) - sum(tagged_anywhere.values()),
    )
    frequent: Counter[str] = Counter()
    for (_, text), tagged in tagged_anywhere.items():
        if not tagged:
            count_words(frequent, text, redact)
    return coverage_of(counts, frequent, top=top)


def count_words(frequent: Counter[str], text: str, redact: Callable[[str], str]) -> None:
    """Add an untagged comment's words to `frequent`, each once, from its redacted text (stop
    words, numbers and one-letter words left out).

    Redacted first: a word of an e-mail address or an identity code (`meikalainen`, `308t`)
    is personal data, and the frequent words are published."""
    frequent.update(
        w
        for w in set(words(redact(text)))
        if len(w) > 1 and not w.isdigit() and w not in STOP_WORDS and w not in _REDACTED
    )


def coverage_of(
    counts: CoverageCounts, frequent: Counter[str], *, top: int = COVERAGE_WORDS
) -> Coverage:
    """The share of comments no applicable theme tags, per point and overall, and the most
    frequent words of the untagged comments (`count_words`), so the next rule can be written
    from what customers actually say.

    A point counts the comments on its answers; overall, and in the frequent words, a comment
    counts once however many answers carry it (a wide row's comment is on each of them), and
    is untagged when no theme that applies at any of those answers' points tags it."""
    n, u = counts.comments, counts.untagged
    return Coverage(
        comments=n,
        untagged=u,
        untagged_share=_number(100 * u / n) if n else None,
        points=tuple(
            PointCoverage(point, total, untagged, _number(100 * untagged / total))
            for point, (total, untagged) in sorted(counts.points.items())
        ),
        frequent_words=tuple(
            FrequentWord(w, c)
            for w, c in sorted(frequent.items(), key=lambda x: (-x[1], x[0]))[:top]
        ),
    )
