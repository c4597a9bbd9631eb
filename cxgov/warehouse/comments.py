"""Comments of table sources, read from their engines into cxgov's store, where tagging runs.

Where they are kept, and why: as `feedback` rows of the table source (its id as the row's
source), one per answer that carries a comment, with that answer's value (for the theme
effect), its segments and the pseudonymised customer key (the raw key never leaves this
module). Tagging (`voc.tagging.tag_untagged`), the theme counts from stored tags
(`store.theme_counts`), the examples, the coverage words (redacted where they are counted),
the drivers' theme mentions and the objectives' example comments then read them exactly as
they read a file source's: one code path, no copy of it for tables. Nothing counts them twice:
the store's KPI counts leave every point a table source serves to its engine
(`evaluate.aggregate` counts only the other points), and survey fatigue counts a table's
customers on the engine (`warehouse.surveys`), never these rows.

A row is keyed as a file's answer is, (program, source, response id, point), and merged as an
ingest merges (`store.feedback.Stager`): a run that reads the same row again leaves it alone,
a row whose comment, value, time, customer or segments changed is updated and moved to this
read's batch, which makes tagging tag it again. The days read are replaced whole: a stored
comment the table no longer holds there (its row deleted, or its comment emptied) is deleted.

Which days are read: the first run, and the first after the source's definition changed,
read every comment up to the as-of day; later runs only the days that can have changed
since: with `columns.updated_at` the days holding rows loaded after the newest load time read
(and the days after the last run's as-of day), without it the periods that were still open at
the last run.

How they are read: in pages of at most `PAGE` rows, each merged before the next is read, so
memory does not grow with the table. A page is a range of local days, not a slice of an order
over all of them: an engine without an index on the response id (DuckDB, Spark, BigQuery,
Snowflake) would scan and sort every comment row of the days read for each such slice, while
it skips the blocks (zone maps, partitions, clustering) outside a range of times. So one
statement first counts the comment rows per local day of the days read, the days are cut into
consecutive ranges of at most `PAGE` rows, and each range is read with bounds on the raw
timestamp. A day holding more than `PAGE` rows alone is read in keyset pages within it
(ordered by response id and question); every range is read that way, so a range that gained
rows between the count and its read is still read whole. A day that held no comment at the
count is not read in this run (with `updated_at`, a row loaded there since is newer than this
run's newest load time, so the next run reads its day).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    Double,
    Select,
    String,
    Table,
    and_,
    cast,
    delete,
    exists,
    func,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.sql.expression import Subquery

from cxgov.judgement.periods import Period, periods
from cxgov.model import Program, Source
from cxgov.store.answers import RESPONSE_ID_LENGTH, Answers, segments_text, stored_time
from cxgov.store.batches import open_batch
from cxgov.store.counting import day_of
from cxgov.store.feedback import MergeCounts, Stager, staging
from cxgov.store.tables import COMMENT_TAGS, FEEDBACK, INGEST_BATCHES, TABLE_SOURCE_STATE
from cxgov.warehouse.answers import (
    SLACK,
    answer_time,
    not_applicable_codes,
    point_scales,
    question_pieces,
    raw_bound,
    served_points,
)
from cxgov.warehouse.table_source import (
    TableSourceError,
    loaded_text,
    loaded_value,
    read_source_state,
    source_connection,
    source_definition,
    source_table,
    write_source_state,
)

PAGE = 5_000
"""Comment rows read from the engine per page: what Python holds at once."""

BATCH_KIND = "table_comments"
"""The kind of the batch a read's new and changed comments belong to: not `feedback`, so the
store's rollups (kept per feedback batch) take no notice of it."""

# a wall time is at most 14 hours from UTC: raw bounds a day wider let an engine skip blocks

Pseudonymiser = Callable[[str], str]


@dataclass(frozen=True)
class CommentRead:
    """What one run read of one table source's comments."""

    source: str
    rows: int
    """Comment rows read from the engine."""
    merged: MergeCounts
    deleted: int


@dataclass(frozen=True)
class Days:
    """Local days to read: ranges of them (either end open), as few as the days allow."""

    ranges: tuple[tuple[dt.date | None, dt.date], ...]

    @staticmethod
    def of(days: set[dt.date]) -> Days:
        found: list[tuple[dt.date | None, dt.date]] = []
        for day in sorted(days):
            last = found[-1] if found else None
            if last is not None and last[1] + dt.timedelta(days=1) == day:
                found[-1] = (last[0], day)
            else:
                found.append((day, day))
        return Days(tuple(found))

    @property
    def empty(self) -> bool:
        return not self.ranges

    def within(self, first: dt.date, last: dt.date) -> Days:
        """The days of these ranges from `first` to `last`."""
        found = []
        for low, high in self.ranges:
            start = first if low is None else max(low, first)
            end = min(high, last)
            if start <= end:
                found.append((start, end))
        return Days(tuple(found))

    def utc_bounds(self, zone: ZoneInfo) -> list[tuple[dt.datetime | None, dt.datetime]]:
        """The ranges as [start, end) in naive UTC, as the store keeps times."""
        found: list[tuple[dt.datetime | None, dt.datetime]] = []
        for first, last in self.ranges:
            start, end = Period(first or last, last, False).utc_bounds(zone)
            found.append((start if first is not None else None, end))
        return found


@dataclass(frozen=True)
class _State:
    read_until: dt.date
    """The as-of day of the last read: the days after it were not read."""
    open_from: dt.date
    """The first day of the periods open at the last read (re-read without `updated_at`)."""
    watermark: str | None


def comment_sources(program: Program) -> list[Source]:
    return [s for s in program.sources if s.is_table and s.columns.comment is not None]


@contextmanager
def table_comments(
    store: Connection,
    program: Program,
    as_of: dt.date,
    *,
    persist: bool,
    started: dt.datetime,
    pseudonymiser: Callable[[], Pseudonymiser],
) -> Iterator[list[CommentRead]]:
    """The comments of the program's table sources in the store while the block runs; kept
    (for the caller to commit) with `persist`, else rolled back after the block.
    `pseudonymiser` gives the store's customer-key function, asked for only when a source
    reads customer keys."""
    with store.begin_nested() as read:
        found = read_comments(store, program, as_of, started=started, pseudonymiser=pseudonymiser)
        yield found
        if not persist:
            read.rollback()


def read_comments(
    store: Connection,
    program: Program,
    as_of: dt.date,
    *,
    started: dt.datetime,
    pseudonymiser: Callable[[], Pseudonymiser],
    page: int = PAGE,
) -> list[CommentRead]:
    """Bring each table source's comments in the store up to date (the caller commits),
    reading at most `page` rows at a time."""
    program_id = program.program.id
    for source in program.sources:
        if source.is_table and source.columns.comment is None:
            _forget(store, program_id, source.id)
    found = []
    for source in comment_sources(program):
        customer = pseudonymiser() if source.columns.customer is not None else None
        found.append(_read_source(store, program, source, as_of, started, customer, page))
    return found


def _state_key(source: str) -> str:
    # ':' is in no id: the key cannot be a source's own state
    key = f"{source}:comments"
    return key if len(key) <= 80 else "comments:" + hashlib.sha256(source.encode()).hexdigest()


def _read_state(store: Connection, program: str, source: str, definition: str) -> _State | None:
    found = read_source_state(store, program, _state_key(source), definition)
    if found is None:
        return None
    days, watermark = found
    read_until, open_from = days["read_until"], days["open_from"]
    return _State(dt.date.fromisoformat(read_until), dt.date.fromisoformat(open_from), watermark)


def _write_state(
    store: Connection, program: str, source: str, definition: str, state: _State
) -> None:
    days = {"read_until": state.read_until.isoformat(), "open_from": state.open_from.isoformat()}
    write_source_state(store, program, _state_key(source), definition, days, state.watermark)


def _forget(store: Connection, program: str, source: str) -> None:
    """A table source that reads no comments (any more) keeps none in the store."""
    f, t, s = FEEDBACK, COMMENT_TAGS, TABLE_SOURCE_STATE
    held = select(f.c.id).where(f.c.program == program, f.c.source == source)
    if store.execute(held.limit(1)).first() is None:
        return
    store.execute(delete(t).where(t.c.feedback_id.in_(held)))
    store.execute(delete(f).where(f.c.program == program, f.c.source == source))
    store.execute(delete(s).where(s.c.program == program, s.c.source == _state_key(source)))


def _read_source(
    store: Connection,
    program: Program,
    source: Source,
    as_of: dt.date,
    started: dt.datetime,
    pseudonymise: Pseudonymiser | None,
    page: int,
) -> CommentRead:
    program_id = program.program.id
    zone = ZoneInfo(program.program.timezone)
    served = served_points(source)
    points = [p for p in program.measurement_points if p.id in served]
    ids = sorted(p.id for p in points)
    definition = source_definition(source, ids, program.program.timezone)
    state = _read_state(store, program_id, source.id, definition)
    open_from = min((periods(p.window, as_of, as_of)[0].start for p in points), default=as_of)
    with source_connection(source) as engine:
        table = source_table(engine, source)
        _check_columns(source, table)
        watermark = state.watermark if state is not None else None
        days: Days
        if source.columns.updated_at is not None:
            after = loaded_value(watermark) if watermark is not None else None
            touched, newest = _touched(engine, source, table, program, as_of, after)
            if state is None:
                days = Days(((None, as_of),))
            else:
                later = state.read_until + dt.timedelta(days=1)
                fresh = {later + dt.timedelta(days=i) for i in range((as_of - later).days + 1)}
                days = Days.of(touched | fresh)
            if newest is not None and (watermark is None or newest > watermark):
                watermark = newest
        elif state is None:
            days = Days(((None, as_of),))
        else:
            first = min(state.open_from, state.read_until + dt.timedelta(days=1))
            days = Days(((first, as_of),)) if first <= as_of else Days(())
        read = _merge(
            store, engine, program, source, table, ids, days, zone, started, pseudonymise, page
        )
    _write_state(store, program_id, source.id, definition, _State(as_of, open_from, watermark))
    return read


def _check_columns(source: Source, table: Table) -> None:
    c = source.columns
    named = [c.response_id, c.comment, c.customer]
    missing = [n for n in named if n is not None and n not in table.c]
    if missing:
        raise TableSourceError(
            f"source '{source.id}': the table {table.fullname} has no column "
            f"{', '.join(repr(n) for n in missing)} (it has {', '.join(table.c.keys())})"
        )


def _touched(
    engine: Connection,
    source: Source,
    table: Table,
    program: Program,
    as_of: dt.date,
    after: Any,
) -> tuple[set[dt.date], str | None]:
    """The local days up to `as_of` holding rows loaded after `after` (any row: one whose
    comment was emptied counts too), and the newest load time among them."""
    columns = source.columns
    assert columns.updated_at is not None and columns.collected_at is not None
    timestamp, day, aware = answer_time(source, table, program)
    loaded = table.c[columns.updated_at]
    where = [timestamp < raw_bound(as_of + dt.timedelta(days=1) + SLACK, aware), day <= as_of]
    if after is not None:
        where.append(loaded > after)
    # grouped by the column of a subquery: a local day's zones are bound parameters, and
    # PostgreSQL takes the same expression twice with its own parameters for two expressions
    loads = select(day.label("local_day"), loaded.label("loaded")).where(*where).subquery()
    rows = engine.execute(
        select(loads.c.local_day, func.max(loads.c.loaded)).group_by(loads.c.local_day)
    ).all()
    newest = max((t for t in (loaded_text(r[1]) for r in rows) if t is not None), default=None)
    return {day_of(r[0]) for r in rows if r[0] is not None}, newest


def day_pages(counts: Mapping[dt.date, int], days: Days, page: int) -> list[Days]:
    """The local days holding comment rows (`counts`, each day's rows) cut, in order, into
    consecutive ranges of at most `page` rows, a day holding more alone; each as the days of
    `days` it spans (a gap in `days` stays a gap)."""
    found: list[Days] = []
    first: dt.date | None = None
    last = dt.date.min
    held = 0
    for day in sorted(counts):
        rows = counts[day]
        if first is not None and held + rows > page:
            found.append(days.within(first, last))
            first = None
        if first is None:
            first, held = day, 0
        last = day
        held += rows
    if first is not None:
        found.append(days.within(first, last))
    return found


def _comment_rows(
    source: Source,
    table: Table,
    program: Program,
    points: Sequence[str],
    days: Days,
    *,
    counting: bool,
) -> tuple[Subquery, dict[str, str]]:
    """The comment rows of `points` on `days` (with `counting`, only their local days), and
    question → point."""
    columns = source.columns
    assert columns.response_id is not None and columns.comment is not None
    timestamp, day, aware = answer_time(source, table, program)
    comment = cast(table.c[columns.comment], String)
    where: list[ColumnElement[bool]] = [comment.is_not(None), comment != ""]
    lows = [first for first, _ in days.ranges]
    if None not in lows:
        low = min(d for d in lows if d is not None)
        where.append(timestamp >= raw_bound(low - SLACK, aware))
    high = max(last for _, last in days.ranges) + dt.timedelta(days=1)
    where.append(timestamp < raw_bound(high + SLACK, aware))
    where.append(
        or_(
            *(
                and_(*([day >= first] if first is not None else []), day <= last)
                for first, last in days.ranges
            )
        )
    )
    customer = cast(table.c[columns.customer], String) if columns.customer is not None else null()
    dimensions = sorted(columns.segments)
    segments = [cast(table.c[columns.segments[d]], String) for d in dimensions]
    pieces: list[Select[Any]] = []
    mapped: dict[str, str] = {}
    for question, value_column, labels, condition in question_pieces(source, table, set(points)):
        mapped.update(labels)
        selected = (
            [day.label("local_day")]
            if counting
            else [
                cast(table.c[columns.response_id], String).label("response_id"),
                question.label("question"),
                timestamp.label("collected_at"),
                cast(value_column, Double).label("value"),
                customer.label("customer"),
                comment.label("comment"),
                *(s.label(f"d{i}") for i, s in enumerate(segments)),
            ]
        )
        pieces.append(select(*selected).where(*where, *condition))
    rows = (pieces[0] if len(pieces) == 1 else union_all(*pieces)).subquery("comment_rows")
    return rows, mapped


def comment_days_statement(
    source: Source, table: Table, program: Program, points: Sequence[str], days: Days
) -> Select[Any]:
    """The comment rows of `points` on `days` per local day: (local day, rows)."""
    rows, _ = _comment_rows(source, table, program, points, days, counting=True)
    # grouped by the column of a subquery: PostgreSQL takes a local day's expression twice
    # with its own bound zones for two expressions
    return select(rows.c.local_day, func.count().label("day_rows")).group_by(rows.c.local_day)


def comment_statement(
    source: Source,
    table: Table,
    program: Program,
    points: Sequence[str],
    days: Days,
    after: tuple[str, str] | None,
    page: int = PAGE,
) -> tuple[Select[Any], dict[str, str]]:
    """One keyset page of `page` comment rows of `points` on `days`: response id, question,
    time, value, customer, comment and one column per segment dimension, ordered by response
    id and question, after `after` (the last page's last pair); and question → point."""
    rows, mapped = _comment_rows(source, table, program, points, days, counting=False)
    statement = select(rows).order_by(rows.c.response_id, rows.c.question).limit(page)
    if after is not None:
        statement = statement.where(
            or_(
                rows.c.response_id > after[0],
                and_(rows.c.response_id == after[0], rows.c.question > after[1]),
            )
        )
    return statement, mapped


def _merge(
    store: Connection,
    engine: Connection,
    program: Program,
    source: Source,
    table: Table,
    points: list[str],
    days: Days,
    zone: ZoneInfo,
    started: dt.datetime,
    pseudonymise: Pseudonymiser | None,
    page: int,
) -> CommentRead:
    """Read the comment rows of `days` page by page into the store (the days with comments
    counted first, then read in ranges of at most `page` rows), and delete the stored ones of
    those days the table no longer holds."""
    program_id = program.program.id
    if days.empty or not points:
        return CommentRead(source.id, 0, MergeCounts(), 0)
    batch = open_batch(
        store, program=program_id, source=source.id, kind=BATCH_KIND, started=started
    )
    stager = Stager(store, program=program_id, source=source.id, batch_id=batch)
    records = _Page(source, program, pseudonymise)
    counted = engine.execute(comment_days_statement(source, table, program, points, days))
    per_day = {day_of(r[0]): int(r[1]) for r in counted if r[0] is not None}
    rows = 0
    for part in day_pages(per_day, days, page):
        after: tuple[str, str] | None = None
        while True:
            statement, mapped = comment_statement(source, table, program, points, part, after, page)
            result = engine.execute(statement).all()
            if result:
                rows += len(result)
                stager.add(records.answers(result, mapped))
            if len(result) < page:
                break
            last = result[-1]
            after = (str(last[0]), str(last[1]))
    deleted = _delete_unread(store, program_id, source.id, days.utc_bounds(zone))
    merged = stager.finish()
    b = INGEST_BATCHES
    if merged.inserted or merged.updated:
        counts = {"rows_read": rows, "accepted": stager.answers}
        counts |= {"inserted": merged.inserted, "updated": merged.updated}
        store.execute(
            update(b)
            .where(b.c.id == batch)
            .values(finished_at=started, status="read", unchanged=merged.unchanged, **counts)
        )
    else:
        # nothing of it is stored: no batch for a read that changed nothing
        store.execute(delete(b).where(b.c.id == batch))
    return CommentRead(source.id, rows, merged, deleted)


def _delete_unread(
    store: Connection,
    program: str,
    source: str,
    bounds: list[tuple[dt.datetime | None, dt.datetime]],
) -> int:
    """Delete the stored comments of `source` in `bounds` that this read did not stage."""
    f, t = FEEDBACK, COMMENT_TAGS
    staged = exists().where(
        staging.c.response_id == f.c.response_id,
        staging.c.measurement_point == f.c.measurement_point,
    )
    within = or_(
        *(
            and_(
                *([f.c.collected_at >= start] if start is not None else []), f.c.collected_at < end
            )
            for start, end in bounds
        )
    )
    gone = [f.c.program == program, f.c.source == source, within, ~staged]
    store.execute(delete(t).where(t.c.feedback_id.in_(select(f.c.id).where(*gone))))
    return int(store.execute(delete(f).where(*gone)).rowcount or 0)


class _Page:
    """Comment rows as the store's answer records: each as a file's row with it would load
    (values off their scale left out, as the counts leave them out; not-applicable codes as
    not applicable), its time in naive UTC, the customer pseudonymised."""

    def __init__(self, source: Source, program: Program, pseudonymise: Pseudonymiser | None):
        self.source = source
        self.scales = point_scales(program)
        self.na = set(not_applicable_codes(source))
        self.written_in = ZoneInfo(source.timezone or program.program.timezone)
        self.dimensions = sorted(source.columns.segments)
        self.pseudonymise = pseudonymise

    def _utc(self, moment: Any) -> dt.datetime:
        found = (
            moment if isinstance(moment, dt.datetime) else dt.datetime.fromisoformat(str(moment))
        )
        if found.tzinfo is None:
            found = found.replace(tzinfo=self.written_in)
        return found.astimezone(dt.UTC).replace(tzinfo=None)

    def answers(self, rows: Sequence[Any], mapped: dict[str, str]) -> Answers:
        found = Answers.empty()
        for row in rows:
            response = str(row[0]).strip() if row[0] is not None else ""
            point = mapped.get(str(row[1]))
            comment = str(row[5]).strip()
            if not response or len(response) > RESPONSE_ID_LENGTH or not comment or point is None:
                continue
            value = None if row[3] is None else float(row[3])
            not_applicable = value is not None and value in self.na
            scale = self.scales.get(point)
            if not_applicable:
                value = None
            elif value is None or (scale is not None and not scale[0] <= value <= scale[1]):
                continue
            customer = str(row[4]).strip() if row[4] is not None else ""
            segments = {
                d: str(v).strip()
                for d, v in zip(self.dimensions, row[6:], strict=True)
                if v is not None and str(v).strip()
            }
            found.response_id.append(response)
            found.measurement_point.append(point)
            found.collected_at.append(stored_time(self._utc(row[2])))
            found.value.append(value)
            found.not_applicable.append(not_applicable)
            found.customer_key.append(
                self.pseudonymise(customer) if customer and self.pseudonymise else None
            )
            found.segments.append(segments_text(segments))
            found.comment.append(comment)
        return found


def stored_comments(store: Connection, program: str, source: str) -> int:
    """How many comments of `source` the store holds (for the run's summary and tests)."""
    f = FEEDBACK
    return int(
        store.execute(
            select(func.count()).where(f.c.program == program, f.c.source == source)
        ).scalar_one()
    )
