"""One ingest batch: read files, map and check rows, stage records, merge, all in one
transaction. Killed halfway, the database holds the whole batch or none of it."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from cxgov.ingest.mapping import Record, RowMapper
from cxgov.ingest.pseudonym import KEY_ENV, pseudonymiser
from cxgov.ingest.readers import RawRow, Reason, read_csv, read_jsonl, sha256_of
from cxgov.model import Program, Source, SourceFormat
from cxgov.store import batches
from cxgov.store.feedback import Stager
from cxgov.store.settings import setting

CHUNK_ROWS = 5_000
Clock = Callable[[], dt.datetime]


@dataclass
class BatchSummary:
    """What a batch did. `to_json` is a contract used outside cxgov: keys are never renamed."""

    batch: int | None
    source: str
    files: list[str]
    rows_read: int = 0
    accepted: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    status: str = "committed"

    @property
    def reject_rate(self) -> float:
        return self.rejected / self.rows_read if self.rows_read else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "source": self.source,
            "files": self.files,
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejected_by_reason": dict(sorted(self.rejected_by_reason.items())),
        }


class BatchRefused(Exception):
    """Raised inside the transaction to roll the whole batch back."""


def _rows(path: Path, source: Source) -> tuple[list[str], Iterator[RawRow]]:
    if source.format is SourceFormat.JSONL:
        columns = sorted(_jsonl_columns(source))
        return columns, read_jsonl(path, columns, encoding=source.encoding.value)
    return read_csv(path, encoding=source.encoding.value, delimiter=source.delimiter)


def _jsonl_columns(source: Source) -> set[str]:
    c = source.columns
    names = {c.response_id, c.collected_at, c.measurement_point, c.value, c.customer, c.comment}
    names |= set(c.segments.values()) | set(source.values)
    return {n for n in names if n}


def ingest_files(
    engine: Engine,
    program: Program,
    source: Source,
    files: list[Path],
    *,
    clock: Clock,
    max_reject_rate: float = 0.5,
    progress: Callable[[str], None] | None = None,
) -> BatchSummary:
    """Load `files` through `source` as one batch; rolls back when the reject rate is too high."""
    summary = BatchSummary(None, source.id, [str(p) for p in files])
    started = clock()
    hashes = {path: sha256_of(path) for path in files}
    try:
        with engine.begin() as connection:
            key = os.environ.get(KEY_ENV) or setting(
                connection, "pseudonym_key", lambda: secrets.token_hex(32)
            )
            pseudonymise = pseudonymiser(key)
            batch_id = batches.open_batch(
                connection,
                program=program.program.id,
                source=source.id,
                kind="feedback",
                started=started,
            )
            stager = Stager(connection)
            for path in files:
                header, rows = _rows(path, source)
                mapper = RowMapper(
                    program,
                    source,
                    header,
                    now=started,
                    pseudonymise=pseudonymise,
                    file_name=str(path),
                )
                file_rows = _load_file(
                    connection, stager, mapper, rows, batch_id, str(path), summary
                )
                batches.add_file(connection, batch_id, str(path), hashes[path], file_rows)
                if progress:
                    progress(f"{path}: {file_rows:,} rows read")
            counts = stager.merge(program.program.id, source.id, batch_id)
            summary.inserted, summary.updated = counts.inserted, counts.updated
            summary.unchanged, summary.duplicates = counts.unchanged, counts.duplicates
            if summary.reject_rate > max_reject_rate:
                raise BatchRefused
            summary.batch = batch_id
            batches.close_batch(connection, batch_id, summary, clock())
    except BatchRefused:
        summary.status = "refused"
    return summary


def _load_file(
    connection: Any,
    stager: Stager,
    mapper: RowMapper,
    rows: Iterator[RawRow],
    batch_id: int,
    file_name: str,
    summary: BatchSummary,
) -> int:
    records: list[Record] = []
    rejected: list[dict[str, Any]] = []
    read = accepted = 0
    map_row = mapper.map
    add_records = records.extend
    for row in rows:
        read += 1
        fields = row.fields
        if fields is None:
            assert row.problem is not None
            reasons = [row.problem]
        else:
            found, reasons = map_row(fields)
            if not reasons:
                accepted += 1
                add_records(found)
                if len(records) >= CHUNK_ROWS:
                    stager.add(records)
                    records.clear()
                continue
        summary.rejected += 1
        summary.rejected_by_reason.update({r.code for r in reasons})
        rejected.append(rejected_row(batch_id, file_name, row, reasons))
        if len(rejected) >= CHUNK_ROWS:
            batches.add_rejected(connection, rejected)
            rejected = []
    stager.add(records)
    batches.add_rejected(connection, rejected)
    summary.rows_read += read
    summary.accepted += accepted
    return read


def rejected_row(
    batch_id: int, file_name: str, row: RawRow, reasons: list[Reason]
) -> dict[str, Any]:
    return {
        "batch_id": batch_id,
        "file_name": file_name,
        "line": row.line,
        "raw": row.raw,
        "reasons": [{"code": r.code, "message": r.message} for r in reasons],
    }
