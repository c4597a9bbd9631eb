"""The theme statistics' counts, read from the stored tags (cxgov.voc.tagging keeps them
current): per measurement point × period the comments and the KPI counts of their answers, per
theme its mentions, their answers' counts and the themes mentioned with it; the comment counts
of theme-share objectives; what the coverage of the theme rules counts; and the respondents who
mention a key driver's theme.

Only aggregated rows leave the database. Row by row come only what cannot be added up: the
answers of the small groups the exact permutation test reads, the few newest comments shown as
examples, and the texts of untagged comments whose words are counted (streamed in pages).

A theme's tags are the keys of a comment's stored `tags` (a JSON object), unnested with
`json_each` (SQLite) or `jsonb_object_keys` (PostgreSQL); a tag row is current while its rule
hash is the program's and its batch the answer's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CTE,
    ColumnElement,
    CompoundSelect,
    Connection,
    FromClause,
    String,
    and_,
    case,
    column,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)

from cxgov.judgement.periods import Period
from cxgov.stats import Counts
from cxgov.store.counting import byte_order, deviation, period_bucket
from cxgov.store.respondents import answers_of
from cxgov.store.tables import COMMENT_TAGS, FEEDBACK

PAGE = 5_000
"""Rows fetched at a time where rows must come into Python."""


@dataclass(frozen=True, slots=True)
class Mentions:
    """The comments of one point × period that mention one theme."""

    comments: int
    answered: Counts
    """KPI counts of their answers with a value."""
    without: Counts
    """KPI counts of the other comments' answers with a value."""
    together: dict[str, int]
    """Another theme that applies at the point → the comments that mention both."""


@dataclass(frozen=True, slots=True)
class PeriodComments:
    """The comments at one measurement point in one period."""

    comments: int
    answered: Counts
    """KPI counts of their answers with a value."""
    themes: dict[str, Mentions]
    """Only the themes that apply at the point and are mentioned."""


@dataclass(frozen=True, slots=True)
class Scored:
    """One comment's answer with a value, and the comment's themes: what the exact
    permutation test of a small group reads."""

    value: float
    themes: frozenset[str]


@dataclass(frozen=True, slots=True)
class Written:
    """A comment shown as an example of a theme (not yet redacted), and the tagging pattern."""

    text: str
    pattern: str


@dataclass(frozen=True, slots=True)
class CountedPoint:
    """A measurement point as the theme counts read it."""

    id: str
    timeline: tuple[Period, ...]
    """Every period from the point's first answer up to the as-of date, oldest first."""
    positive: tuple[float, float] | None
    shift: float
    """The constant its sums are taken from (see `Counts`)."""


@dataclass(frozen=True, slots=True)
class ShareTarget:
    """A theme-share objective's comments: those at `point` in `segment`."""

    point: str
    segment: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class CoverageCounts:
    """What the coverage of the theme rules counts, the words aside."""

    points: dict[str, tuple[int, int]]
    """Point → comments on its answers, and those no theme applicable there tags."""
    comments: int
    """Comments written: a response's comment once, however many answers carry it."""
    untagged: int
    """Those no applicable theme tags at any of their answers."""


@dataclass(frozen=True)
class ThemeStore:
    """One program's comments before `before` (UTC) with their current tags."""

    connection: Connection
    program: str
    rule_hash: str
    before: dt.datetime
    zone: ZoneInfo
    allowed: Mapping[str, frozenset[str]]
    """Theme → the points it is read from."""

    # --- the pieces every statement shares ----------------------------------------------------

    def _comments_at(self, points: Sequence[str], start: dt.datetime) -> list[ColumnElement[bool]]:
        f = FEEDBACK
        return [
            self._same_program(),
            f.c.measurement_point.in_(sorted(points)),
            f.c.collected_at >= start,
            f.c.collected_at < self.before,
            f.c.comment.is_not(None),
            f.c.comment != "",
        ]

    def _same_program(self) -> ColumnElement[bool]:
        f = FEEDBACK
        # SQLite would read the comments through the (program, point, time) index one random
        # lookup per answer; an expression over the program column keeps it on the table,
        # read in order (the comments are most of the program's rows to look at)
        if self.connection.dialect.name == "sqlite":
            return f.c.program.concat("") == self.program
        return f.c.program == self.program

    def _current(self, feedback_id: Any, batch_id: Any) -> ColumnElement[bool]:
        t = COMMENT_TAGS
        return and_(
            t.c.feedback_id == feedback_id,
            t.c.rule_hash == self.rule_hash,
            t.c.batch_id == batch_id,
        )

    def _keys(self, name: str) -> FromClause:
        """The theme ids a comment's tags hold, one row each (column `key`)."""
        tags = COMMENT_TAGS.c.tags
        if self.connection.dialect.name == "postgresql":
            return (
                func.jsonb_object_keys(tags)
                .table_valued(column("key", String))
                .render_derived(name=name)
            )
        return func.json_each(tags).table_valued(column("key", String), name=name)

    def _applicable(
        self, key: ColumnElement[Any], point: ColumnElement[Any]
    ) -> ColumnElement[bool]:
        """Whether the theme `key` is read from the comments at `point`."""
        by_points: dict[frozenset[str], list[str]] = defaultdict(list)
        for theme, points in sorted(self.allowed.items()):
            if points:
                by_points[points].append(theme)
        if not by_points:
            return false()
        return or_(
            *(
                and_(key.in_(themes), point.in_(sorted(points)))
                for points, themes in by_points.items()
            )
        )

    # --- per point × period --------------------------------------------------------------------

    def period_comments(
        self, points: Sequence[CountedPoint], newest: int
    ) -> dict[str, dict[Period, PeriodComments]]:
        """Point → period → its comments' counts, for the `newest` periods that have comments
        (older ones may be there too), the themes' counts only in those `newest`. Per window
        (the points of one timeline) one statement counts the comments of the newest periods
        (a second one every period of the points with too few of them there), and one joins
        the tags of the periods read."""
        found: dict[str, dict[Period, PeriodComments]] = {}
        by_timeline: dict[tuple[Period, ...], list[CountedPoint]] = defaultdict(list)
        for point in points:
            if point.timeline:
                by_timeline[point.timeline].append(point)
        for timeline, members in by_timeline.items():
            found.update(self._period_comments(list(timeline), members, newest))
        return found

    def _rows(
        self, timeline: list[Period], members: Sequence[CountedPoint], start: dt.datetime
    ) -> tuple[CTE, list[tuple[float, float]]]:
        """The comments at `members` collected from `start`: id, batch, point, period index
        and what their answer adds to the counts; and the positive ranges counted."""
        f = FEEDBACK
        ranges = sorted({p.positive for p in members if p.positive is not None})
        answered = and_(f.c.not_applicable.is_(False), f.c.value.is_not(None))
        shifts = {p.id: p.shift for p in members if p.shift}
        value = f.c.value

        def answered_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
            return case((and_(answered, condition), 1), else_=0)

        spread = deviation(shifts, {p.id for p in members})
        rows = (
            select(
                f.c.id,
                f.c.batch_id,
                byte_order(self.connection, f.c.measurement_point).label("point"),
                period_bucket(timeline, self.zone).label("bucket"),
                answered_if(true()).label("n"),
                answered_if(value >= 9).label("promoters"),
                answered_if(and_(value >= 7, value < 9)).label("passives"),
                answered_if(value < 7).label("detractors"),
                *(answered_if(value.between(*r)).label(f"p{i}") for i, r in enumerate(ranges)),
                case((answered, spread), else_=0.0).label("total"),
                case((answered, spread * spread), else_=0.0).label("sumsq"),
            )
            .where(*self._comments_at([p.id for p in members], start))
            .cte("comments")
        )
        return rows, ranges

    def _totals(
        self, timeline: list[Period], members: Sequence[CountedPoint], first: int
    ) -> tuple[dict[tuple[str, int], tuple[int, Counts]], list[tuple[float, float]]]:
        """(point, period index) → the comments and their answers' counts, in the periods
        from `timeline[first]` that have comments; and the positive ranges counted."""
        by_id = {p.id: p for p in members}
        rows, ranges = self._rows(timeline, members, timeline[first].utc_bounds(self.zone)[0])
        sums = ["n", "promoters", "passives", "detractors", *(f"p{i}" for i in range(len(ranges)))]
        totals: dict[tuple[str, int], tuple[int, Counts]] = {}
        for row in self.connection.execute(
            select(
                rows.c.point,
                rows.c.bucket,
                func.count(),
                *(func.sum(rows.c[name]) for name in [*sums, "total", "sumsq"]),
            ).group_by(rows.c.point, rows.c.bucket)
        ):
            if row[1] is not None and row[1] >= first:
                totals[(row[0], row[1])] = (int(row[2]), _counts(row[3:], by_id[row[0]], ranges))
        return totals, ranges

    def _period_comments(
        self, timeline: list[Period], members: Sequence[CountedPoint], newest: int
    ) -> dict[str, dict[Period, PeriodComments]]:
        by_id = {p.id: p for p in members}
        # only the newest periods are read: their comments are counted first, and a point
        # with fewer than `newest` periods of comments among them (comments stopped for a
        # while) is counted again over its whole timeline. One period more than is read: the
        # current one may have none yet (a run on the first day of a month)
        oldest = max(0, len(timeline) - newest - 1)
        totals, _ = self._totals(timeline, members, oldest)
        if oldest:
            found_at: dict[str, int] = defaultdict(int)
            for point, _ in totals:
                found_at[point] += 1
            short = [p for p in members if found_at[p.id] < newest]
            if short:
                totals.update(self._totals(timeline, short, 0)[0])
        buckets: dict[str, list[int]] = defaultdict(list)
        for point, bucket in sorted(totals):
            buckets[point].append(bucket)
        read = {point: set(found[-newest:]) for point, found in buckets.items()}
        mentioned: dict[tuple[str, int], dict[str, tuple[int, Counts]]] = defaultdict(dict)
        together: dict[tuple[str, int, str], dict[str, int]] = defaultdict(dict)
        if read:
            # the themes are counted only in the periods read: joining the tags of every
            # comment of every period would cost several times as much for nothing
            first = min(min(found) for found in read.values())
            # the positive ranges of the points read: the columns of `recent`
            recent, ranges = self._rows(
                timeline,
                [by_id[point] for point in sorted(read)],
                timeline[first].utc_bounds(self.zone)[0],
            )
            sums = ["n", "promoters", "passives", "detractors"]
            sums += [*(f"p{i}" for i in range(len(ranges))), "total", "sumsq"]
            for kind, point, bucket, theme, second, count, *counted in self.connection.execute(
                self._theme_counts(recent, sums)
            ):
                if bucket not in read[point]:
                    continue
                if kind == 2:
                    together[(point, bucket, theme)][second] = int(count)
                else:
                    mentioned[(point, bucket)][theme] = (
                        int(count),
                        _counts(counted, by_id[point], ranges),
                    )
        found: dict[str, dict[Period, PeriodComments]] = defaultdict(dict)
        for (point, bucket), (comments, all_answered) in totals.items():
            themes = {
                theme: Mentions(
                    n,
                    answered,
                    _less(all_answered, answered),
                    together.get((point, bucket, theme), {}),
                )
                for theme, (n, answered) in sorted(mentioned.get((point, bucket), {}).items())
            }
            found[point][timeline[bucket]] = PeriodComments(comments, all_answered, themes)
        return found

    def _theme_counts(self, rows: CTE, sums: list[str]) -> CompoundSelect[Any]:
        """Per point × period × applicable theme its mentions and their counts (kind 1), and
        per pair of applicable themes the comments mentioning both (kind 2)."""
        t = COMMENT_TAGS
        one, other = self._keys("k1"), self._keys("k2")
        # grouped in byte order, as the points are (`byte_order`)
        theme = byte_order(self.connection, one.c.key)
        second = byte_order(self.connection, other.c.key)
        tagged = rows.join(t, self._current(rows.c.id, rows.c.batch_id))
        mentions = (
            select(
                literal(1).label("kind"),
                rows.c.point,
                rows.c.bucket,
                theme.label("theme"),
                null().cast(String).label("other"),
                func.count().label("comments"),
                *(func.sum(rows.c[name]) for name in sums),
            )
            .select_from(tagged.join(one, true()))
            .where(self._applicable(one.c.key, rows.c.point))
            .group_by(rows.c.point, rows.c.bucket, theme)
        )
        pairs = (
            select(
                literal(2),
                rows.c.point,
                rows.c.bucket,
                theme,
                second,
                func.count(),
                *(null() for _ in sums),
            )
            .select_from(tagged.join(one, true()).join(other, true()))
            .where(
                one.c.key != other.c.key,
                self._applicable(one.c.key, rows.c.point),
                self._applicable(other.c.key, rows.c.point),
            )
            .group_by(rows.c.point, rows.c.bucket, theme, second)
        )
        return union_all(mentions, pairs)

    def scored(
        self, groups: Sequence[tuple[str, Period]]
    ) -> dict[tuple[str, Period], list[Scored]]:
        """The answers with a value of each point × period's comments, in the order they were
        stored, with the comments' themes: the small groups the exact permutation test reads."""
        f, t = FEEDBACK, COMMENT_TAGS
        found: dict[tuple[str, Period], list[Scored]] = {group: [] for group in groups}
        by_point: dict[str, list[Period]] = defaultdict(list)
        for point, period in groups:
            by_point[point].append(period)
        # a group's answers are few distinct values with few distinct sets of themes: one
        # object per distinct value and set, not one per answer (at 5M answers the small
        # groups hold a few hundred thousand answers)
        shared: dict[Any, Any] = {}
        one = shared.setdefault
        for point, periods in sorted(by_point.items()):
            spans = [period.utc_bounds(self.zone) for period in periods]
            rows = self.connection.execute(
                select(f.c.collected_at, f.c.value, t.c.tags)
                .select_from(f.outerjoin(t, self._current(f.c.id, f.c.batch_id)))
                .where(
                    f.c.program == self.program,
                    f.c.measurement_point == point,
                    or_(*(and_(f.c.collected_at >= s, f.c.collected_at < e) for s, e in spans)),
                    f.c.collected_at < self.before,
                    f.c.comment.is_not(None),
                    f.c.comment != "",
                    f.c.not_applicable.is_(False),
                    f.c.value.is_not(None),
                )
                .order_by(f.c.id)
            )
            for at, value, tags in rows:
                for period, (start, end) in zip(periods, spans, strict=True):
                    if start <= at < end:
                        themes = frozenset(tags or ())
                        found[(point, period)].append(
                            one((value, themes), Scored(float(value), one(themes, themes)))
                        )
        return found

    def newest(
        self, wanted: Sequence[tuple[str, str, Period]], points: Sequence[CountedPoint], limit: int
    ) -> dict[tuple[str, str, Period], list[Written]]:
        """Theme × point × period → its newest `limit` comments that mention the theme, newest
        first: one statement per window, ranking the mentions from the oldest period wanted."""
        f, t = FEEDBACK, COMMENT_TAGS
        found: dict[tuple[str, str, Period], list[Written]] = {key: [] for key in wanted}
        timelines = {p.id: p.timeline for p in points}
        by_timeline: dict[tuple[Period, ...], list[tuple[str, str, Period]]] = defaultdict(list)
        for wanted_key in wanted:
            by_timeline[timelines[wanted_key[1]]].append(wanted_key)
        for timeline, keys in by_timeline.items():
            themes = sorted({theme for theme, _, _ in keys})
            # mostly every theme's newest period: one condition per period wanted, with its
            # points, so only those periods' comments are read
            by_period: dict[Period, set[str]] = defaultdict(set)
            for _, point, period in keys:
                by_period[period].add(point)
            spans = [
                and_(
                    f.c.measurement_point.in_(sorted(at)),
                    f.c.collected_at >= period.utc_bounds(self.zone)[0],
                    f.c.collected_at < period.utc_bounds(self.zone)[1],
                )
                for period, at in sorted(by_period.items())
            ]
            start = min(by_period).utc_bounds(self.zone)[0]
            every = sorted({point for _, point, _ in keys})
            tag = self._keys("k")
            bucket = period_bucket(list(timeline), self.zone).label("bucket")
            ranked = (
                select(
                    f.c.measurement_point.label("point"),
                    tag.c.key.label("theme"),
                    bucket,
                    f.c.comment,
                    t.c.tags,
                    func.row_number()
                    .over(
                        partition_by=[f.c.measurement_point, tag.c.key, bucket],
                        order_by=[f.c.collected_at.desc(), f.c.id.desc()],
                    )
                    .label("rank"),
                )
                .select_from(f.join(t, self._current(f.c.id, f.c.batch_id)).join(tag, true()))
                .where(
                    *self._comments_at(every, start),
                    or_(*spans),
                    tag.c.key.in_(themes),
                )
                .subquery("ranked")
            )
            position = {period: i for i, period in enumerate(timeline)}
            wanted_keys = {
                (theme, point, position[period]): period for theme, point, period in keys
            }
            rows = self.connection.execute(
                select(
                    ranked.c.point, ranked.c.theme, ranked.c.bucket, ranked.c.comment, ranked.c.tags
                )
                .where(ranked.c.rank <= limit)
                .order_by(ranked.c.point, ranked.c.theme, ranked.c.bucket, ranked.c.rank)
            )
            for point, theme, index, text, tags in rows:
                chosen = wanted_keys.get((theme, point, index))
                if chosen is not None:
                    found[(theme, point, chosen)].append(Written(text, tags[theme]))
        return found

    # --- theme-share objectives ----------------------------------------------------------------

    def shares(
        self,
        targets: Mapping[ShareTarget, Sequence[str]],
        timelines: Mapping[str, tuple[Period, ...]],
    ) -> dict[tuple[str, ShareTarget, Period], tuple[int, int]]:
        """(theme, target, period) → (mentions, comments) of each target's themes, for the
        periods with comments in the target's segment."""
        f, t = FEEDBACK, COMMENT_TAGS
        found: dict[tuple[str, ShareTarget, Period], tuple[int, int]] = {}
        for target, themes in sorted(targets.items(), key=lambda x: (x[0].point, x[0].segment)):
            timeline = list(timelines.get(target.point, ()))
            if not timeline:
                continue
            bucket = period_bucket(timeline, self.zone).label("bucket")
            rows = (
                select(
                    bucket,
                    *(
                        case((t.c.tags[theme].as_string().is_not(None), 1), else_=0).label(f"t{i}")
                        for i, theme in enumerate(themes)
                    ),
                )
                .select_from(f.outerjoin(t, self._current(f.c.id, f.c.batch_id)))
                .where(
                    *self._comments_at([target.point], timeline[0].utc_bounds(self.zone)[0]),
                    *(f.c.segments[d].as_string() == v for d, v in target.segment),
                )
                .subquery("rows")
            )
            counted = select(
                rows.c.bucket,
                func.count(),
                *(func.sum(rows.c[f"t{i}"]) for i in range(len(themes))),
            ).group_by(rows.c.bucket)
            for row in self.connection.execute(counted):
                if row[0] is None or row[0] < 0:
                    continue
                period = timeline[row[0]]
                for i, theme in enumerate(themes):
                    found[(theme, target, period)] = (int(row[2 + i] or 0), int(row[1]))
        return found

    # --- coverage ------------------------------------------------------------------------------

    def _coverage_rows(self) -> Any:
        """Every comment with whether a theme that applies at its point tags it."""
        f, t = FEEDBACK, COMMENT_TAGS
        key = self._keys("k")
        tagged = exists(
            select(literal(1))
            .select_from(key)
            .where(self._applicable(key.c.key, f.c.measurement_point))
        )
        return (
            select(
                f.c.measurement_point.label("point"),
                f.c.source,
                f.c.response_id,
                f.c.comment,
                case((tagged, 1), else_=0).label("tagged"),
            )
            .select_from(f.outerjoin(t, self._current(f.c.id, f.c.batch_id)))
            .where(
                self._same_program(),
                f.c.collected_at < self.before,
                f.c.comment.is_not(None),
                f.c.comment != "",
            )
            .cte("covered")
        )

    def coverage(self, untagged: Callable[[str], None]) -> CoverageCounts:
        """The coverage counts; `untagged` is given the text of every comment no applicable
        theme tags at any of its answers, once per comment, as the rows stream in (a page at
        a time: never all in memory). One statement: the comments are read and their tags
        tested once for both the points' counts and the written comments'. Of the written
        comments only the untagged ones come back as rows, the rest as one row of counts (on a
        store whose comments are tagged, 200,000 rows fewer per million answers)."""
        rows = self._coverage_rows()
        per_point = select(
            literal(0).label("kind"),
            rows.c.point,
            func.count().label("comments"),
            func.sum(1 - rows.c.tagged).label("untagged"),
        ).group_by(rows.c.point)
        written = (
            select(rows.c.comment, func.max(rows.c.tagged).label("tagged"))
            .group_by(rows.c.source, rows.c.response_id, rows.c.comment)
            .cte("written")
        )
        totals = select(literal(1), null(), func.count(), func.sum(1 - written.c.tagged))
        texts = select(literal(2), written.c.comment, literal(1), literal(1)).where(
            written.c.tagged == 0
        )
        points: dict[str, tuple[int, int]] = {}
        comments = not_tagged = 0
        # a server-side cursor on PostgreSQL; SQLite's steps through the rows as they are read
        for kind, text, n, u in self.connection.execute(
            union_all(per_point, totals, texts).execution_options(yield_per=PAGE)
        ):
            if kind == 0:
                points[text] = (int(n), int(u or 0))
            elif kind == 1:
                comments, not_tagged = int(n), int(u or 0)
            else:
                untagged(text)
        return CoverageCounts(dict(sorted(points.items())), comments, not_tagged)

    # --- key drivers ---------------------------------------------------------------------------

    def mentioned_by(
        self,
        point: str,
        themes: Sequence[str],
        start: dt.datetime,
        end: dt.datetime,
        among: Collection[str],
    ) -> dict[str, set[str]]:
        """Theme → the respondents of `among` (keyed as cxgov.store.respondents keys them)
        whose comments at `point` collected in [start, end) mention it. Only the drivers'
        sample is asked for: every respondent mentioning a theme grows with the store."""
        f, t = FEEDBACK, COMMENT_TAGS
        found: dict[str, set[str]] = {theme: set() for theme in themes}
        if not themes or not among:
            return found
        key = self._keys("k")
        rows = self.connection.execute(
            select(key.c.key, f.c.customer_key, f.c.source, f.c.response_id)
            .distinct()
            .select_from(f.join(t, self._current(f.c.id, f.c.batch_id)).join(key, true()))
            .where(
                f.c.program == self.program,
                f.c.measurement_point == point,
                f.c.collected_at >= start,
                f.c.collected_at < min(end, self.before),
                f.c.comment.is_not(None),
                f.c.comment != "",
                key.c.key.in_(sorted(themes)),
                answers_of(among),
            )
        )
        for theme, customer, source, response in rows:
            found[theme].add("c:" + customer if customer is not None else f"r:{source}/{response}")
        return found


def _counts(row: Sequence[Any], point: CountedPoint, ranges: list[tuple[float, float]]) -> Counts:
    width = len(ranges)
    positives = 0 if point.positive is None else int(row[4 + ranges.index(point.positive)] or 0)
    return Counts(
        int(row[0] or 0),
        int(row[1] or 0),
        int(row[2] or 0),
        int(row[3] or 0),
        positives,
        float(row[4 + width] or 0.0),
        float(row[5 + width] or 0.0),
        point.shift,
    )


def _less(whole: Counts, part: Counts) -> Counts:
    """The counts of `whole` outside `part` (a subset counted from the same shift)."""
    return Counts(
        whole.n - part.n,
        whole.promoters - part.promoters,
        whole.passives - part.passives,
        whole.detractors - part.detractors,
        whole.positives - part.positives,
        whole.shifted_sum - part.shifted_sum,
        whole.shifted_sumsq - part.shifted_sumsq,
        whole.shift,
    )
