"""Reading what customers wrote and did from the store, tagging comments on the way.

Tags are computed once per comment and stored (`comment_tags`) with the hash of the theme rules
and the answer's batch: a later run reuses every current row and tags only comments that are
new, were updated by an ingest, or were tagged under other theme rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, delete, insert, null, or_, select

from cxgov.store.tables import COMMENT_TAGS, FEEDBACK
from cxgov.voc.matcher import ThemeMatcher
from cxgov.voc.records import Answer, Comment, CommentKey

_PAGE = 5_000
_NO_SEGMENTS: dict[str, Any] = {}


@dataclass
class TaggingSummary:
    comments: int = 0
    """Answers with a comment read (a wide-layout row's comment is on each of its answers)."""
    fresh: set[CommentKey] = field(default_factory=set)
    """The comments tagged in this run (the others reused stored tags)."""

    @property
    def tagged(self) -> int:
        """How many comments were tagged in this run, each once however many answers carry it."""
        return len(self.fresh)


def _local(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    return moment.replace(tzinfo=dt.UTC).astimezone(zone).date()


def _written(
    connection: Connection, program: str, *, after: int, before: dt.datetime
) -> list[ColumnElement[bool]]:
    """The answers of `program` with a comment, collected before `before` (UTC), with ids
    after `after`: one keyset page's conditions."""
    f = FEEDBACK
    # SQLite would read each page through the (program, point, time) index and sort it by id,
    # rereading the table per page; an expression over the program column keeps it on the
    # primary key, which already is in id order
    same_program = (
        f.c.program.concat("") == program
        if connection.dialect.name == "sqlite"
        else f.c.program == program
    )
    return [
        same_program,
        f.c.id > after,
        f.c.collected_at < before,
        f.c.comment.is_not(None),
        f.c.comment != "",
    ]


def comments(
    connection: Connection,
    program: str,
    matcher: ThemeMatcher,
    rule_hash: str,
    *,
    before: dt.datetime,
    zone: ZoneInfo,
    persist: bool,
    segments: bool = True,
    summary: TaggingSummary | None = None,
) -> Iterator[Comment]:
    """Every comment of the program collected before `before` (UTC), with its current tags.

    Pages through the answers by id (keyset), so memory stays flat and a page's tags can be
    written between reads; comments without current tags are tagged and, with `persist`,
    stored (the caller commits). Without `segments` the comments' segments are not read
    (decoding them is a good part of the cost) and come back empty.
    """
    f, t = FEEDBACK, COMMENT_TAGS
    local = _LocalDates(zone)
    last = 0
    sources: dict[str, str] = {}  # one string per source, not one per answer
    # a store holds millions of comments but few points and distinct tag sets: one object per
    # distinct value, not one per comment (nothing downstream changes them)
    shared: dict[Any, Any] = {}
    one = shared.setdefault
    while True:
        # the page is chosen first and its tags joined after: joined before the LIMIT,
        # PostgreSQL hashes every stored tag and reads every later answer for each page
        page = (
            select(
                f.c.id,
                f.c.batch_id,
                f.c.measurement_point,
                f.c.collected_at,
                f.c.value,
                f.c.not_applicable,
                f.c.customer_key,
                (f.c.segments if segments else null()).label("segments"),
                f.c.comment,
                f.c.source,
                f.c.response_id,
            )
            .where(*_written(connection, program, after=last, before=before))
            .order_by(f.c.id)
            .limit(_PAGE)
            .subquery("page")
        )
        rows = connection.execute(
            select(
                page.c.id,
                page.c.batch_id,
                page.c.measurement_point,
                page.c.collected_at,
                page.c.value,
                page.c.not_applicable,
                page.c.customer_key,
                page.c.segments,
                page.c.comment,
                t.c.tags,
                t.c.rule_hash,
                t.c.batch_id,
                page.c.source,
                page.c.response_id,
            )
            .select_from(page.outerjoin(t, t.c.feedback_id == page.c.id))
            .order_by(page.c.id)
        ).all()
        if not rows:
            return
        last = rows[-1][0]
        fresh: list[dict[str, Any]] = []
        stale: list[int] = []
        # a wide row's comment is on each of its answers: its text is matched once
        tagged_texts: dict[str, dict[str, str]] = {}
        for row in rows:
            tags = row[9]
            response = (sources.setdefault(row[12], row[12]), row[13])
            if tags is None or row[10] != rule_hash or row[11] != row[1]:
                if tags is not None:
                    stale.append(row[0])
                tags = tagged_texts.get(row[8])
                if tags is None:
                    tags = tagged_texts[row[8]] = matcher.tag(row[8])
                if summary is not None:
                    summary.fresh.add((response, row[8]))
                fresh.append(
                    {
                        "feedback_id": row[0],
                        "program": program,
                        "batch_id": row[1],
                        "rule_hash": rule_hash,
                        "tags": tags,
                    }
                )
            yield Comment(
                row[0],
                one(row[2], row[2]),
                row[3],
                local(row[3]),
                row[4],
                bool(row[5]),
                row[6],
                row[7] or _NO_SEGMENTS,
                row[8],
                one(("tags", *sorted(tags.items())), tags),
                response,
            )
        if summary is not None:
            summary.comments += len(rows)
        if fresh and persist:
            store_tags(connection, fresh, stale)


def tag_untagged(
    connection: Connection,
    program: str,
    matcher: ThemeMatcher,
    rule_hash: str,
    *,
    before: dt.datetime,
    summary: TaggingSummary,
) -> None:
    """Tag and store every comment of the program collected before `before` (UTC) that has no
    current tags (new, updated by an ingest, or tagged under other theme rules); the caller
    commits. Only those comments are read, a page at a time by id (keyset): on the nightly
    store, where an earlier run tagged the rest, no comment comes into Python."""
    f, t = FEEDBACK, COMMENT_TAGS
    last = 0
    while True:
        rows = connection.execute(
            select(f.c.id, f.c.batch_id, f.c.comment, f.c.source, f.c.response_id, t.c.feedback_id)
            .select_from(f.outerjoin(t, t.c.feedback_id == f.c.id))
            .where(
                *_written(connection, program, after=last, before=before),
                or_(
                    t.c.feedback_id.is_(None),
                    t.c.rule_hash != rule_hash,
                    t.c.batch_id != f.c.batch_id,
                ),
            )
            .order_by(f.c.id)
            .limit(_PAGE)
        ).all()
        if not rows:
            return
        last = rows[-1][0]
        # a wide row's comment is on each of its answers: its text is matched once
        tagged_texts: dict[str, dict[str, str]] = {}
        fresh: list[dict[str, Any]] = []
        for feedback_id, batch_id, text, source, response, _ in rows:
            tags = tagged_texts.get(text)
            if tags is None:
                tags = tagged_texts[text] = matcher.tag(text)
            summary.fresh.add(((source, response), text))
            fresh.append(
                {
                    "feedback_id": feedback_id,
                    "program": program,
                    "batch_id": batch_id,
                    "rule_hash": rule_hash,
                    "tags": tags,
                }
            )
        store_tags(connection, fresh, [row[0] for row in rows if row[5] is not None])


def store_tags(connection: Connection, rows: list[dict[str, Any]], stale: list[int]) -> None:
    """Store new tags; the `stale` comments' rows (other rules or batches) are replaced."""
    t = COMMENT_TAGS
    if stale:
        connection.execute(delete(t).where(t.c.feedback_id.in_(stale)))
    connection.execute(insert(t), rows)


class _LocalDates:
    """UTC instants to local dates, converted once per UTC quarter hour: every zone's offset
    is a whole number of quarter hours, so a local midnight never falls inside one."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._known: dict[tuple[dt.date, int, int], dt.date] = {}

    def __call__(self, moment: dt.datetime) -> dt.date:
        key = (moment.date(), moment.hour, moment.minute // 15)
        found = self._known.get(key)
        if found is None:
            found = _local(moment, self.zone)
            self._known[key] = found
        return found


def answers(
    connection: Connection,
    program: str,
    *,
    before: dt.datetime,
    zone: ZoneInfo,
    points: list[str] | None = None,
) -> list[Answer]:
    """Every answer of a known customer collected before `before` (UTC), at `points` if
    given."""
    f = FEEDBACK
    at_points = [f.c.measurement_point.in_(points)] if points is not None else []
    local = _LocalDates(zone)
    rows = connection.execute(
        select(
            f.c.customer_key,
            f.c.source,
            f.c.response_id,
            f.c.measurement_point,
            f.c.collected_at,
            f.c.value,
            f.c.not_applicable,
        ).where(
            f.c.program == program,
            f.c.customer_key.is_not(None),
            f.c.collected_at < before,
            *at_points,
        )
    )
    # a store holds millions of answers but few customers, sources and points: one string
    # object per distinct value (and one tuple per survey) instead of one per answer roughly
    # halves what the list holds
    shared: dict[Any, Any] = {}
    one = shared.setdefault
    return [
        Answer(
            one(row[0], row[0]),
            one((row[1], row[2]), (one(row[1], row[1]), row[2])),
            one(row[3], row[3]),
            local(row[4]),
            row[5],
            bool(row[6]),
        )
        for row in rows
    ]
