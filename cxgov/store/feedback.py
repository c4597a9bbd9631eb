"""Writing answer records: bulk staging, then set-based insert/update with change counts.

Rows are streamed into a temporary staging table (executemany on SQLite, COPY on PostgreSQL);
one INSERT ... SELECT and one UPDATE ... FROM then merge them into `feedback`, so the merge runs
inside the database and Python never holds the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
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

from cxgov.ingest.mapping import Record
from cxgov.store.tables import FEEDBACK, Json

_staging_metadata = MetaData()
staging = Table(
    "cxgov_staging",
    _staging_metadata,
    Column("seq", Integer, nullable=False),
    Column("response_id", String(200), nullable=False),
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


def _segments_text(segments: dict[str, str]) -> str:
    return json.dumps(segments, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


_SEGMENT_TEXTS = 4096
_ROWS_PER_INSERT = 100
_SQLITE_CACHE_KB = 64 * 1024


def _insert_sql(rows: int) -> str:
    values = ", ".join([f"({', '.join('?' * len(_COLUMNS))})"] * rows)
    return f"INSERT INTO cxgov_staging ({', '.join(_COLUMNS)}) VALUES {values}"


class Stager:
    """Collects records of one batch into the staging table, in chunks."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        self.seq = 0
        # id(segments) → (segments, text): records of a file share equal segment mappings, so
        # each is serialised once; holding the mapping keeps its id from being reused
        self._segment_texts: dict[int, tuple[dict[str, str], str]] = {}
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
            # a bigger page cache for the batch: the merge writes three B-trees of `feedback`,
            # and with SQLite's default 2 MB their pages spill to the file over and over
            self._cache_pages = int(
                connection.exec_driver_sql("PRAGMA main.cache_size").scalar_one()
            )
            connection.exec_driver_sql(f"PRAGMA main.cache_size = -{_SQLITE_CACHE_KB}")

    def _segments_text(self, segments: dict[str, str]) -> str:
        known = self._segment_texts.get(id(segments))
        if known is not None and known[0] is segments:
            return known[1]
        text = _segments_text(segments)
        if len(self._segment_texts) >= _SEGMENT_TEXTS:
            self._segment_texts.clear()
        self._segment_texts[id(segments)] = (segments, text)
        return text

    def _rows(self, records: Iterable[Record], as_text: bool) -> list[tuple[Any, ...]]:
        seq = self.seq
        segments_text = self._segments_text
        rows = [
            (
                seq + i,
                r.response_id,
                r.measurement_point,
                # on SQLite, the text SQLAlchemy's DateTime type writes and reads back:
                # %(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(us)06d
                r.collected_at.isoformat(" ", "microseconds") if as_text else r.collected_at,
                r.value,
                r.not_applicable,
                r.customer_key,
                segments_text(r.segments),
                r.comment,
            )
            for i, r in enumerate(records, start=1)
        ]
        self.seq += len(rows)
        return rows

    def add(self, records: Iterable[Record]) -> None:
        rows = self._rows(records, as_text=self.dialect != "postgresql")
        if not rows:
            return
        if self.dialect == "postgresql":
            raw = self.connection.connection.driver_connection
            assert raw is not None
            statement = f"COPY cxgov_staging ({', '.join(_COLUMNS)}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        # SQLite: many rows per INSERT statement; binding is the same, stepping is far cheaper
        whole = len(rows) - len(rows) % _ROWS_PER_INSERT
        if whole:
            flat = list(chain.from_iterable(rows[:whole]))
            width = _ROWS_PER_INSERT * len(_COLUMNS)
            self.connection.exec_driver_sql(
                _insert_sql(_ROWS_PER_INSERT),
                [tuple(flat[i : i + width]) for i in range(0, len(flat), width)],
            )
        if whole < len(rows):
            self.connection.exec_driver_sql(_insert_sql(1), rows[whole:])

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
        if self.dialect != "postgresql":  # PostgreSQL drops it at commit
            staging.drop(connection)
            connection.exec_driver_sql(f"PRAGMA main.cache_size = {self._cache_pages}")
        return counts
