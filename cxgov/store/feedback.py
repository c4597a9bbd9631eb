"""Writing answer records: bulk staging, then set-based insert/update with change counts.

Rows are streamed into a temporary staging table (executemany on SQLite, COPY on PostgreSQL);
one INSERT ... SELECT and one UPDATE ... FROM then merge them into `feedback`, so the merge runs
inside the database and Python never holds the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    not_,
    select,
    update,
)

from cxgov.store.answers import RESPONSE_ID_LENGTH, Answers
from cxgov.store.engine import store_dialect
from cxgov.store.tables import FEEDBACK, Json

_staging_metadata = MetaData()
staging = Table(
    "cxgov_staging",
    _staging_metadata,
    Column("seq", Integer, nullable=False),
    Column("response_id", String(RESPONSE_ID_LENGTH), nullable=False),
    Column("measurement_point", String(80), nullable=False),
    Column("collected_at", DateTime, nullable=False),
    Column("value", Float),
    Column("not_applicable", Boolean, nullable=False),
    Column("customer_key", String(64)),
    Column("segments", Json, nullable=False),
    Column("comment", Text),
    prefixes=["TEMPORARY"],
)
_COLUMNS = [c.name for c in staging.columns]
_DATA = ["collected_at", "value", "not_applicable", "customer_key", "segments", "comment"]


@dataclass
class MergeCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    """Answers repeated within the batch itself; the last one read wins."""


_ROWS_PER_INSERT = 100
_SQLITE_CACHE_KB = 64 * 1024
_SQLITE_SORT_CACHE_KB = 4 * 1024
# helper threads of SQLite's sorter for the index builds after a direct load: the sort runs
# in parallel on several cores, outside Python (and its lock)
_SQLITE_SORT_THREADS = min(4, os.cpu_count() or 1)
_FEEDBACK_COLUMNS = ["program", "source", "response_id", "measurement_point", *_DATA, "batch_id"]
_ANSWER_COLUMNS = ["response_id", "measurement_point", *_DATA]
_FLAG_AT = _ANSWER_COLUMNS.index("not_applicable")


def _insert_sql(rows: int) -> str:
    values = ", ".join([f"({', '.join('?' * len(_COLUMNS))})"] * rows)
    return f"INSERT INTO cxgov_staging ({', '.join(_COLUMNS)}) VALUES {values}"


def _direct_sql(rows: int) -> str:
    """SQLite: many answers straight into `feedback`; a repeated answer replaces the earlier."""
    width = len(_ANSWER_COLUMNS)
    values = ", ".join(
        "(" + ", ".join(f"?{4 + r * width + c}" for c in range(width)) + ")" for r in range(rows)
    )
    data = ", ".join(f"{name} = excluded.{name}" for name in [*_DATA, "batch_id"])
    return (
        f"INSERT INTO feedback ({', '.join(_FEEDBACK_COLUMNS)}) "
        f"SELECT ?1, ?2, {', '.join(f'column{c + 1}' for c in range(width))}, ?3 "
        f"FROM (VALUES {values}) WHERE true "
        f"ON CONFLICT (program, source, response_id, measurement_point) DO UPDATE SET {data}"
    )


_NULL = "\\N"
_COPY_SPECIAL = ("\\", "\t", "\n", "\r")


def _copy_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_texts(column: list[str | None]) -> list[str]:
    """Text cells for COPY's text format: special characters escaped, None as \\N."""
    joined = "".join(filter(None, column))
    if any(char in joined for char in _COPY_SPECIAL):
        return [_NULL if c is None else _copy_escape(c) for c in column]
    if None in column:
        return [_NULL if c is None else c for c in column]
    return column  # type: ignore[return-value]


def _copy_data(answers: Answers, leading: list[Iterable[str]]) -> str:
    """The answers as COPY text (one line per answer), after the `leading` columns."""
    a = answers
    values = [_NULL if v is None else repr(v) for v in a.value]
    flags = ["t" if na else "f" for na in a.not_applicable]
    # whole seconds without the zero fraction: less for the server to read, same timestamp
    times = map(str.removesuffix, a.collected_at, repeat(".000000"))
    lines = map(
        "\t".join,
        zip(
            *leading,
            _copy_texts(a.response_id),  # type: ignore[arg-type]
            _copy_texts(a.measurement_point),  # type: ignore[arg-type]
            times,
            values,
            flags,
            _copy_texts(a.customer_key),
            _copy_texts(a.segments),  # type: ignore[arg-type]
            _copy_texts(a.comment),
            strict=False,  # the leading columns repeat without end
        ),
    )
    return "\n".join(lines) + "\n"


def _bindable(answers: Answers) -> list[Iterable[Any]]:
    """The answers' columns as SQLite binds them cheaply: the not-applicable flags as 0 and 1,
    which is what SQLite stores for a bool anyway. (The driver binds an int directly, but looks
    a bool up in its adapter registry first, which costs ten times as much.)"""
    columns: list[Iterable[Any]] = list(answers.columns())
    columns[_FLAG_AT] = map(int, answers.not_applicable)
    return columns


class DirectLoadConflict(Exception):
    """A first load met an answer already in `feedback` (or repeated, on PostgreSQL's COPY):
    the caller rolls the attempt back and loads the batch through the staged merge instead."""


def is_first_load(connection: Connection, program: str, source: str) -> bool:
    """Whether `feedback` holds no answer of this program's source (one index probe)."""
    f = FEEDBACK
    found = connection.execute(
        select(literal(1)).where(f.c.program == program, f.c.source == source).limit(1)
    ).first()
    return found is None


def _rows_up_to(connection: Connection, limit: int) -> int:
    """`feedback`'s row count, or `limit` when it holds at least that many (bounded work)."""
    return int(
        connection.execute(
            select(func.count()).select_from(select(FEEDBACK.c.id).limit(limit).subquery())
        ).scalar_one()
    )


class Stager:
    """Collects the answers of one batch, in chunks, into `feedback`.

    Staged (any batch): rows go to a temporary table, and `merge` compares them with the
    stored answers set-based. Direct (`direct=True`, a first load of the source: nothing of it
    is stored yet): rows go straight into `feedback`, and the counts come from what is there
    at the end. With `expected_rows` at least the size of `feedback`, a direct load also drops
    the table's plain (non-unique) indexes for the load and builds them again after it: one
    sort instead of a B-tree insert per row. DDL is transactional on both databases, so a
    killed load leaves the indexes as they were.
    """

    def __init__(
        self,
        connection: Connection,
        *,
        program: str,
        source: str,
        batch_id: int,
        direct: bool = False,
        expected_rows: int = 0,
    ) -> None:
        self.connection = connection
        # every `if postgresql ... else` below has SQLite code in its else branch
        self.dialect = store_dialect(connection)
        self.program, self.source, self.batch_id = program, source, batch_id
        self.direct = direct
        self.seq = 0
        # answers given to `add`, not rows: a wide row holds several, and a first load's
        # repeats are what of them `feedback` does not hold at the end
        self.answers = 0
        self._dropped: list[str] = []
        self._cache_pages: int | None = None
        if self.dialect == "sqlite":
            # a bigger page cache for the batch: the load writes several B-trees, and with
            # SQLite's default 2 MB their pages spill to the file over and over
            self._cache_pages = int(
                connection.exec_driver_sql("PRAGMA main.cache_size").scalar_one()
            )
            connection.exec_driver_sql(f"PRAGMA main.cache_size = -{_SQLITE_CACHE_KB}")
        if direct:
            if expected_rows and _rows_up_to(connection, expected_rows + 1) <= expected_rows:
                self._drop_plain_indexes()
            return
        staging.drop(connection, checkfirst=True)
        if self.dialect == "postgresql":
            connection.exec_driver_sql(
                "CREATE TEMPORARY TABLE cxgov_staging (seq integer NOT NULL,"
                " response_id varchar(200) NOT NULL, measurement_point varchar(80) NOT NULL,"
                " collected_at timestamp NOT NULL, value double precision,"
                " not_applicable boolean NOT NULL, customer_key varchar(64),"
                " segments jsonb NOT NULL, comment text) ON COMMIT DROP"
            )
        else:
            staging.create(connection)

    def _drop_plain_indexes(self) -> None:
        connection = self.connection
        found: list[tuple[Any, Any]]
        if self.dialect == "postgresql":
            found = [
                tuple(row)
                for row in connection.exec_driver_sql(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)"
                    " FROM pg_index i WHERE i.indrelid = 'feedback'::regclass"
                    " AND NOT i.indisunique AND NOT i.indisprimary AND i.indisvalid"
                )
            ]
        else:
            unique = {
                row[1]
                for row in connection.exec_driver_sql("PRAGMA index_list(feedback)")
                if row[2]
            }
            found = [
                (name, sql)
                for name, sql in connection.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                    " AND tbl_name = 'feedback' AND sql IS NOT NULL"
                )
                if name not in unique
            ]
        for name, definition in found:
            connection.exec_driver_sql(f"DROP INDEX {name}")
            self._dropped.append(definition)

    def _restore_indexes(self) -> None:
        if self._dropped and self.dialect == "postgresql":
            self.connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        elif self._dropped and self.dialect == "sqlite":
            # SQLite's sorter keeps up to a page cache's worth in memory per thread besides
            # the cache itself: a smaller cache for the build keeps the process's memory flat
            self.connection.exec_driver_sql(f"PRAGMA main.cache_size = -{_SQLITE_SORT_CACHE_KB}")
        threads = self._sort_threads(_SQLITE_SORT_THREADS) if self._dropped else None
        try:
            for definition in self._dropped:
                self.connection.exec_driver_sql(definition)
        finally:
            if threads is not None:
                self._sort_threads(threads)
        self._dropped = []

    def _sort_threads(self, threads: int) -> int | None:
        """SQLite: set the sorter's helper threads, returning the setting before."""
        if self.dialect != "sqlite":
            return None
        before = self.connection.exec_driver_sql("PRAGMA threads").scalar_one()
        self.connection.exec_driver_sql(f"PRAGMA threads = {int(threads)}")
        return int(before)

    def add(self, answers: Answers) -> None:
        if not answers.response_id:
            return
        self.answers += answers.size
        if self.direct:
            self._add_direct(answers)
        else:
            self._add_staged(answers)

    def _add_direct(self, answers: Answers) -> None:
        a = answers
        if self.dialect == "postgresql":
            columns = ", ".join(["program", "source", "batch_id", *_ANSWER_COLUMNS])
            constants = [_copy_escape(self.program), _copy_escape(self.source), str(self.batch_id)]
            self._copy(
                f"COPY feedback ({columns}) FROM STDIN",
                _copy_data(a, [repeat(c) for c in constants]),
            )
            return
        self._insert_many(
            _bindable(a), a.size, _direct_sql, (self.program, self.source, self.batch_id)
        )

    def _add_staged(self, answers: Answers) -> None:
        a = answers
        seq = self.seq
        self.seq += a.size
        if self.dialect == "postgresql":
            self._copy(
                f"COPY cxgov_staging ({', '.join(_COLUMNS)}) FROM STDIN",
                _copy_data(a, [map(str, range(seq + 1, seq + a.size + 1))]),
            )
            return
        numbers = range(seq + 1, seq + a.size + 1)
        self._insert_many((numbers, *_bindable(a)), a.size, _insert_sql, ())

    def _copy(self, statement: str, data: str) -> None:
        import psycopg

        raw = self.connection.connection.driver_connection
        assert raw is not None
        try:
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                copy.write(data)
        except psycopg.errors.UniqueViolation as exc:
            if self.direct:
                raise DirectLoadConflict(str(exc)) from exc
            raise

    def _insert_many(
        self,
        columns: Sequence[Iterable[Any]],
        size: int,
        sql: Callable[[int], str],
        leading: tuple[Any, ...],
    ) -> None:
        """SQLite: many rows per INSERT statement; binding is the same, stepping is far cheaper.

        The rows go in as one flat list, filled a column at a time by slice assignment: no
        tuple per row.
        """
        width = len(columns)
        flat: list[Any] = [None] * (size * width)
        for offset, column in enumerate(columns):
            flat[offset::width] = column
        execute = self.connection.exec_driver_sql
        step = _ROWS_PER_INSERT * width
        whole = len(flat) - len(flat) % step
        if whole:
            execute(
                sql(_ROWS_PER_INSERT),
                [(*leading, *flat[i : i + step]) for i in range(0, whole, step)],
            )
        if whole < len(flat):
            execute(
                sql(1), [(*leading, *flat[i : i + width]) for i in range(whole, len(flat), width)]
            )

    def finish(self) -> MergeCounts:
        """Counts of the batch; merges a staged batch into `feedback` first."""
        if not self.direct:
            return self.merge(self.program, self.source, self.batch_id)
        self._restore_indexes()
        f = FEEDBACK
        stored = int(
            self.connection.execute(
                select(func.count())
                .select_from(f)
                .where(f.c.program == self.program, f.c.source == self.source)
            ).scalar_one()
        )
        self._reset_cache()
        return MergeCounts(inserted=stored, duplicates=self.answers - stored)

    def _reset_cache(self) -> None:
        if self._cache_pages is not None:
            self.connection.exec_driver_sql(f"PRAGMA main.cache_size = {self._cache_pages}")
            self._cache_pages = None

    def merge(self, program: str, source: str, batch_id: int) -> MergeCounts:
        """Merge the staged records into `feedback` and count what changed."""
        connection = self.connection
        counts = MergeCounts()
        connection.exec_driver_sql(
            "CREATE INDEX ix_cxgov_staging_key ON cxgov_staging (response_id, measurement_point)"
        )
        later = staging.alias("later")
        superseded = exists().where(
            later.c.response_id == staging.c.response_id,
            later.c.measurement_point == staging.c.measurement_point,
            later.c.seq > staging.c.seq,
        )
        # most batches repeat nothing: one pass over the new index answers that, and the
        # DELETE (a probe per staged row) runs only when something is repeated
        repeated = connection.execute(
            select(literal(1))
            .select_from(staging)
            .group_by(staging.c.response_id, staging.c.measurement_point)
            .having(func.count() > 1)
            .limit(1)
        ).first()
        if repeated is not None:
            deleted = connection.execute(staging.delete().where(superseded))
            counts.duplicates = deleted.rowcount or 0
        f = FEEDBACK
        key = and_(
            f.c.program == program,
            f.c.source == source,
            f.c.response_id == staging.c.response_id,
            f.c.measurement_point == staging.c.measurement_point,
        )
        same = and_(*(f.c[name].is_not_distinct_from(staging.c[name]) for name in _DATA))
        joined = staging.outerjoin(f, key)
        row = connection.execute(
            select(
                func.coalesce(func.sum(case((f.c.id.is_(None), 1), else_=0)), 0),
                func.coalesce(
                    func.sum(case((and_(f.c.id.is_not(None), not_(same)), 1), else_=0)), 0
                ),
                func.coalesce(func.sum(case((and_(f.c.id.is_not(None), same), 1), else_=0)), 0),
            ).select_from(joined)
        ).one()
        counts.inserted, counts.updated, counts.unchanged = int(row[0]), int(row[1]), int(row[2])
        if counts.updated:
            connection.execute(
                update(f)
                .where(key, not_(same))
                .values({**{name: staging.c[name] for name in _DATA}, "batch_id": batch_id})
            )
        if counts.inserted:
            connection.execute(
                insert(f).from_select(
                    ["program", "source", "response_id", "measurement_point", *_DATA, "batch_id"],
                    select(
                        literal(program),
                        literal(source),
                        staging.c.response_id,
                        staging.c.measurement_point,
                        *(staging.c[name] for name in _DATA),
                        literal(batch_id),
                    ).where(not_(exists().where(key))),
                )
            )
        if self.dialect == "sqlite":  # PostgreSQL drops it at commit
            staging.drop(connection)
        self._reset_cache()
        return counts


ANALYZE_AFTER_ROWS = 50_000
"""A batch that inserts or updates at least this many answers (or an evaluation that stores
this many comments' tags) refreshes PostgreSQL's statistics of the table before it returns."""


def refresh_statistics(engine: Engine, changed: int, table: Table = FEEDBACK) -> bool:
    """ANALYZE `table` (`feedback`, or `comment_tags` after an evaluation tagged many comments)
    on PostgreSQL after `changed` rows were written; whether it ran.

    Autovacuum analyses a table only some time after a large load (and never where it is
    off), and until it does the planner plans the nightly evaluation's statements as if the
    table were still small: a cold evaluation right after a first million-row ingest took
    several times as long, and the theme counts joined 200,000 stored tags estimated at 427
    (hashed twice, in batches). ANALYZE samples a fixed number of rows, so it takes about a
    second at any size. SQLite's planner needs no statistics for these queries: its indexes
    decide.
    """
    if engine.dialect.name != "postgresql" or changed < ANALYZE_AFTER_ROWS:
        return False
    with engine.begin() as connection:
        connection.exec_driver_sql(f"ANALYZE {table.name}")
    return True
