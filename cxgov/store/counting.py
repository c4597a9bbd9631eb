"""What counting answers in SQL needs beside the sums: the period each answer falls in, and the
constant each point's sums are taken from (see `cxgov.stats.Counts`). Shared by the KPI counts
(cxgov.evaluate.aggregate) and the theme counts (cxgov.store.theme_counts)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    case,
    cast,
    collate,
    func,
    literal,
    select,
)

from cxgov.judgement.periods import Period
from cxgov.store.tables import FEEDBACK

FIRST_CHUNK = 200
"""Points asked about in one statement of per-point index seeks."""


def byte_order(connection: Connection, key: ColumnElement[str]) -> ColumnElement[str]:
    """A text grouping key compared byte by byte. PostgreSQL sorts text of a libc collation
    (the store's default, e.g. C.UTF-8) with strcoll and without abbreviated keys; in the
    collation "C" a sort of a million answers by point and segments takes about a fifth less
    (measured on the benchmark store). The groups are the same: a deterministic collation's
    equality is byte equality; only their order differs, and no caller reads it. SQLite
    already compares bytes (and knows no collation "C")."""
    if connection.dialect.name == "postgresql":
        return collate(key, "C")
    return key


def day_of(value: Any) -> dt.date:
    """A day as a database returns it: a date, a datetime, or ISO text (SQLite keeps dates as
    text; an engine's local day may come back as any of the three)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def summed(column: ColumnElement[Any], name: str) -> ColumnElement[Any]:
    """The SUM of a cell column named `name`: the deviations' sums (`total`, `sumsq`) as they
    are, a count's as a 64-bit integer. The SUM of a BIGINT is wider on some engines
    (PostgreSQL's numeric, DuckDB's 128-bit HUGEINT), which their drivers turn into Python
    objects several times slower: 80,000 rows of six such columns took psycopg 255 ms as
    numeric and 90 ms as BIGINT. Counts of answers fit in 64 bits."""
    total = func.sum(column)
    return total if name in ("total", "sumsq") else cast(total, BigInteger)


@contextmanager
def planner_setting(connection: Connection, name: str, value: str) -> Iterator[None]:
    """A PostgreSQL planner setting for the statements run inside, then the one before again
    (both local to the caller's transaction, so a failed statement's rollback undoes it too);
    nothing on SQLite."""
    if connection.dialect.name != "postgresql":
        yield
        return
    before = connection.execute(select(func.current_setting(name))).scalar_one()
    connection.execute(select(func.set_config(name, value, True)))
    yield
    connection.execute(select(func.set_config(name, before, True)))


HASH_WORK_MEM = "32MB"
"""PostgreSQL's memory per hash table (twice this, by its `hash_mem_multiplier`) for the
statements that group by hashing (`hashed_groups`)."""


@contextmanager
def hashed_groups(connection: Connection) -> Iterator[None]:
    """PostgreSQL groups by hashing in the statements run inside, with `HASH_WORK_MEM` for each
    hash table; nothing on SQLite.

    The KPI counts' fine cells are keyed by the period CASE over the answer's time, and
    PostgreSQL estimates a key over a column by that column's distinct values: as many groups
    as answers (984,733 for a real 276,818 on the benchmark store). On that estimate it sorts
    every answer by point, period and segments, then sorts the cells again for each segment
    set; hashing reads the answers once into a table of the real groups (spilling in batches
    when they do not fit) and adds the cells up in small tables: about a third less time on
    the benchmark store (bench/README.md)."""
    with (
        planner_setting(connection, "work_mem", HASH_WORK_MEM),
        planner_setting(connection, "enable_sort", "off"),
    ):
        yield


def period_bucket(timeline: list[Period], zone: ZoneInfo) -> ColumnElement[int]:
    """The index of the period holding `collected_at`, else -1: a CASE nested as a binary
    search over the period ends, so a row costs a handful of comparisons, not one per period."""
    ends = [p.utc_bounds(zone)[1] for p in timeline]

    def search(low: int, high: int) -> ColumnElement[int]:
        # the number of ends at or before collected_at, known to lie in low..high
        if low == high:
            return literal(low if low < len(ends) else -1)
        middle = (low + high) // 2
        return case(
            (FEEDBACK.c.collected_at < ends[middle], search(low, middle)),
            else_=search(middle + 1, high),
        )

    return search(0, len(ends))


def first_values(
    connection: Connection, program_id: str, points: list[str], before: dt.datetime
) -> dict[str, float]:
    """Each point's first answered value: the shift its sums are taken from (see `Counts`).

    One shift per point, not per cell: a cell's own first value would need a second pass over
    the answers. Any of the point's answers serves: the deviations are then as large as the
    point's spread over time, not as the values themselves, which is what cancelled (1e8 ± 1).
    Only points read as a mean need one: NPS and percentages never read the sums. One index
    seek per point, as for the first answers' times."""
    f = FEEDBACK
    found: dict[str, float] = {}
    for start in range(0, len(points), FIRST_CHUNK):
        chunk = points[start : start + FIRST_CHUNK]
        firsts = [
            select(f.c.value)
            .where(
                f.c.program == program_id,
                f.c.measurement_point == point,
                f.c.collected_at < before,
                f.c.not_applicable.is_(False),
                f.c.value.is_not(None),
            )
            .order_by(f.c.collected_at, f.c.id)
            .limit(1)
            .scalar_subquery()
            for point in chunk
        ]
        row = connection.execute(select(*firsts)).one()
        # a zero shift is no shift: those points need no branch in the count's CASE
        found.update(
            {point: float(value) for point, value in zip(chunk, row, strict=True) if value}
        )
    return found


def deviation(shifts: dict[str, float], points: set[str]) -> ColumnElement[Any]:
    """An answer's value less its point's shift: a CASE over the points grouped by shift (few
    distinct shifts), or the plain value when every point here has none."""
    by_shift: dict[float, list[str]] = defaultdict(list)
    for point in sorted(points & shifts.keys()):
        by_shift[shifts[point]].append(point)
    if not by_shift:
        return FEEDBACK.c.value
    shift = case(
        *(
            (FEEDBACK.c.measurement_point.in_(members), value)
            for value, members in by_shift.items()
        ),
        else_=0.0,
    )
    return FEEDBACK.c.value - shift
