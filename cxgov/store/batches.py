"""Ingest batches: the record of each load, written inside the load's own transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, delete, insert, select, update

from cxgov.judgement.record import UnreadableFile
from cxgov.store.tables import BATCH_FILES, INGEST_BATCHES, QUARANTINED_FILES, REJECTED_ROWS

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


@dataclass(frozen=True)
class Quarantined:
    """A file that could not be read at all, and why."""

    source: str
    file_name: str
    sha256: str
    reason: str
    found_at: dt.datetime
    source_hash: str = ""
    """The source's definition when the file was tried: a changed source tries it again."""


def quarantine(connection: Connection, program: str, found: Iterable[Quarantined]) -> None:
    """Record unreadable files; a file (by content) already recorded keeps its first record."""
    for item in found:
        known = connection.execute(
            select(QUARANTINED_FILES.c.id).where(
                QUARANTINED_FILES.c.program == program,
                QUARANTINED_FILES.c.source == item.source,
                QUARANTINED_FILES.c.sha256 == item.sha256,
                QUARANTINED_FILES.c.source_hash == item.source_hash,
            )
        ).first()
        if known is None:
            connection.execute(
                insert(QUARANTINED_FILES).values(
                    program=program,
                    source=item.source,
                    file_name=item.file_name,
                    sha256=item.sha256,
                    source_hash=item.source_hash,
                    reason=item.reason,
                    found_at=item.found_at,
                )
            )


def quarantined_hashes(
    connection: Connection, program: str, source: str, source_hash: str
) -> set[str]:
    """Content hashes of the source's files found unreadable under its present definition: not
    tried again until the file or the source changes."""
    query = select(QUARANTINED_FILES.c.sha256).where(
        QUARANTINED_FILES.c.program == program,
        QUARANTINED_FILES.c.source == source,
        QUARANTINED_FILES.c.source_hash == source_hash,
    )
    return set(connection.execute(query).scalars())


def quarantined_files(connection: Connection, program: str) -> list[UnreadableFile]:
    """The program's unreadable files that are still a problem: those whose name no committed
    batch has loaded since (a fixed export of the same name ends its quarantine), oldest
    first."""
    loaded: dict[tuple[str, str], dt.datetime] = {}
    for source, name, finished in connection.execute(
        select(INGEST_BATCHES.c.source, BATCH_FILES.c.file_name, INGEST_BATCHES.c.finished_at)
        .join(INGEST_BATCHES, INGEST_BATCHES.c.id == BATCH_FILES.c.batch_id)
        .where(INGEST_BATCHES.c.program == program, INGEST_BATCHES.c.status == "committed")
    ):
        key = (source, name)
        if finished is not None and (key not in loaded or finished > loaded[key]):
            loaded[key] = finished
    found = []
    for row in connection.execute(
        select(QUARANTINED_FILES)
        .where(QUARANTINED_FILES.c.program == program)
        .order_by(QUARANTINED_FILES.c.found_at, QUARANTINED_FILES.c.id)
    ):
        fixed = loaded.get((row.source, row.file_name))
        if fixed is None or fixed < row.found_at:
            found.append(UnreadableFile(row.source, row.file_name, row.reason, row.found_at))
    return found


def forget_rejections(
    connection: Connection, program: str, source: str, sha256: str, batch_id: int
) -> None:
    """Drop the rejected rows that earlier batches of this source stored for a file of the same
    content: a file loaded again is judged again, and its rows are rejected once, by the newest
    load."""
    earlier = (
        select(BATCH_FILES.c.id)
        .join(INGEST_BATCHES, INGEST_BATCHES.c.id == BATCH_FILES.c.batch_id)
        .where(
            BATCH_FILES.c.batch_id == REJECTED_ROWS.c.batch_id,
            BATCH_FILES.c.file_name == REJECTED_ROWS.c.file_name,
            BATCH_FILES.c.sha256 == sha256,
            BATCH_FILES.c.batch_id != batch_id,
            INGEST_BATCHES.c.program == program,
            INGEST_BATCHES.c.source == source,
        )
    )
    connection.execute(delete(REJECTED_ROWS).where(earlier.exists()))


@dataclass(frozen=True)
class StoredRejection:
    """A rejected row as stored: where it was, what it read, and every reason."""

    batch: int
    source: str
    file_name: str
    line: int
    raw: str
    reasons: tuple[tuple[str, str], ...]
    """(name, message) pairs; each message begins with its R code."""


def rejected_rows(
    connection: Connection,
    program: str,
    *,
    source: str | None = None,
    batch: int | None = None,
    reason: str | None = None,
    limit: int | None = None,
) -> list[StoredRejection]:
    """The program's rejected rows, oldest batch first, in file and line order; with `reason`
    (a name such as `bad_timestamp` or an R code) only rows rejected for it, at most `limit`."""
    query = (
        select(
            REJECTED_ROWS.c.batch_id,
            INGEST_BATCHES.c.source,
            REJECTED_ROWS.c.file_name,
            REJECTED_ROWS.c.line,
            REJECTED_ROWS.c.raw,
            REJECTED_ROWS.c.reasons,
        )
        .join(INGEST_BATCHES, INGEST_BATCHES.c.id == REJECTED_ROWS.c.batch_id)
        .where(INGEST_BATCHES.c.program == program)
        .order_by(REJECTED_ROWS.c.batch_id, REJECTED_ROWS.c.file_name, REJECTED_ROWS.c.line)
    )
    if source is not None:
        query = query.where(INGEST_BATCHES.c.source == source)
    if batch is not None:
        query = query.where(REJECTED_ROWS.c.batch_id == batch)
    if limit is not None and reason is None:
        query = query.limit(limit)
    found = []
    for row in connection.execute(query):
        stored = json.loads(row.reasons) if isinstance(row.reasons, str) else row.reasons
        reasons = tuple((r["code"], r["message"]) for r in stored)
        if reason is not None and not any(
            reason in (name, message.split(" ", 1)[0]) for name, message in reasons
        ):
            continue
        found.append(
            StoredRejection(
                int(row.batch_id), row.source, row.file_name, int(row.line), row.raw, reasons
            )
        )
        if limit is not None and len(found) >= limit:
            break
    return found
