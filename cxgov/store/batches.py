"""Ingest batches: the record of each load, written inside the load's own transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import Connection, insert, select, update

from cxgov.store.tables import BATCH_FILES, INGEST_BATCHES, REJECTED_ROWS

COUNTS = ("rows_read", "accepted", "inserted", "updated", "unchanged", "rejected")


class BatchCounts(Protocol):
    rows_read: int
    accepted: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int


def open_batch(
    connection: Connection, *, program: str, source: str, kind: str, started: dt.datetime
) -> int:
    """A new batch row; it commits only with the batch, so a killed load leaves no trace."""
    return int(
        connection.execute(
            insert(INGEST_BATCHES)
            .values(
                program=program,
                source=source,
                kind=kind,
                started_at=started,
                status="running",
                **dict.fromkeys(COUNTS, 0),
            )
            .returning(INGEST_BATCHES.c.id)
        ).scalar_one()
    )


def add_file(
    connection: Connection, batch_id: int, file_name: str, sha256: str, rows_read: int
) -> None:
    connection.execute(
        insert(BATCH_FILES).values(
            batch_id=batch_id, file_name=file_name, sha256=sha256, rows_read=rows_read
        )
    )


def add_rejected(connection: Connection, rows: Iterable[dict[str, Any]]) -> None:
    batch = list(rows)
    if batch:
        connection.execute(insert(REJECTED_ROWS), batch)


def close_batch(
    connection: Connection, batch_id: int, counts: BatchCounts, finished: dt.datetime
) -> None:
    connection.execute(
        update(INGEST_BATCHES)
        .where(INGEST_BATCHES.c.id == batch_id)
        .values(
            finished_at=finished,
            status="committed",
            **{name: getattr(counts, name) for name in COUNTS},
        )
    )


def loaded_file_hashes(connection: Connection, program: str, source: str) -> set[str]:
    """Content hashes of the files that some committed batch of this source already loaded."""
    query = (
        select(BATCH_FILES.c.sha256)
        .join(INGEST_BATCHES, INGEST_BATCHES.c.id == BATCH_FILES.c.batch_id)
        .where(
            INGEST_BATCHES.c.program == program,
            INGEST_BATCHES.c.source == source,
            INGEST_BATCHES.c.status == "committed",
        )
    )
    return set(connection.execute(query).scalars())
