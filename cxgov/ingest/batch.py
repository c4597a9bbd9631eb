"""One ingest batch: read files, map and check rows, stage records, merge, all in one
transaction. Killed halfway, the database holds the whole batch or none of it."""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from cxgov.clock import Clock
from cxgov.errors import FileFormatError
from cxgov.ingest import xlsx
from cxgov.ingest.exports import SHAPES, HeaderRow, header_columns, source_as_read
from cxgov.ingest.mapping import RowMapper
from cxgov.ingest.pseudonym import pseudonymiser
from cxgov.ingest.readers import (
    Block,
    RawRow,
    read_csv,
    read_csv_blocks,
    read_headed_blocks,
    read_json,
    read_jsonl,
    sha256_of,
)
from cxgov.ingest.rejections import Reason
from cxgov.ingest.xlsx import read_xlsx
from cxgov.model import Program, Source, SourceFormat
from cxgov.store import batches
from cxgov.store.answers import Answers, Record
from cxgov.store.feedback import (
    DirectLoadConflict,
    Stager,
    is_first_load,
    refresh_statistics,
)
from cxgov.store.pseudonym_key import pseudonym_key

CHUNK_ROWS = 5_000
EXAMPLES_PER_REASON = 3


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
    rejected_examples: dict[str, list[str]] = field(default_factory=dict)
    """The first few rejections of each reason, with their line and message."""
    quarantined: list[batches.Quarantined] = field(default_factory=list)
    """Files that could not be read at all: not loaded, recorded, tried again when changed."""

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
            "rejected_examples": dict(sorted(self.rejected_examples.items())),
            "quarantined": [{"file": q.file_name, "reason": q.reason} for q in self.quarantined],
        }


class BatchRefused(Exception):
    """Raised inside the transaction to roll the whole batch back."""


def _rows(path: Path, source: Source) -> tuple[list[str], Iterator[RawRow]]:
    if source.format is SourceFormat.JSONL:
        columns = sorted(_jsonl_columns(source))
        required = _required_columns(source)
        return columns, read_jsonl(path, columns, encoding=source.encoding.value, required=required)
    if source.format is SourceFormat.JSON:
        columns = sorted(_jsonl_columns(source))
        required = _required_columns(source)
        return columns, read_json(path, columns, records=source.records, required=required)
    return read_csv(path, encoding=source.encoding.value, delimiter=source.delimiter)


def _required_columns(source: Source) -> frozenset[str]:
    """The columns of a JSON source without which no row loads: a path of one that leads
    nowhere is named in the row's rejection (R007)."""
    c = source.columns
    names = [c.response_id, c.value, c.measurement_point]
    if source.collected_at is None:
        names.append(c.collected_at)
    return frozenset(n for n in names if n)


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
    hashes: dict[Path, str] | None = None,
) -> BatchSummary:
    """Load `files` through `source` as one batch; rolls back when the reject rate is too high.
    `hashes` are the files' SHA-256 when the caller has taken them already.

    A first load of the source (nothing of it stored yet) writes straight into `feedback`;
    should that meet a stored or, on PostgreSQL, a repeated answer, the attempt is rolled back
    to a savepoint and the batch is loaded again through the staged merge.
    """
    summary = BatchSummary(None, source.id, [str(p) for p in files])
    started = clock()
    hashes = {path: (hashes or {}).get(path) or sha256_of(path) for path in files}
    program_id = program.program.id
    collecting = gc.isenabled()
    # millions of short-lived lists and strings, none of them in a cycle: the collector
    # would only rescan them over and over
    gc.disable()
    try:
        with engine.begin() as connection:
            pseudonymise = pseudonymiser(pseudonym_key(connection))
            batch_id = batches.open_batch(
                connection,
                program=program_id,
                source=source.id,
                kind="feedback",
                started=started,
            )
            direct = is_first_load(connection, program_id, source.id)
            expected = sum(p.stat().st_size for p in files) // _BYTES_PER_ROW_AT_LEAST
            load = functools.partial(
                _load_batch,
                connection,
                program,
                source,
                files,
                hashes,
                batch_id,
                started,
                pseudonymise,
                summary,
                expected_rows=expected,
                progress=progress,
            )
            attempt = summary
            if direct:
                savepoint = connection.begin_nested()
                try:
                    attempt = load(direct=True)
                    savepoint.commit()
                except DirectLoadConflict:
                    savepoint.rollback()
                    direct = False
            if not direct:
                attempt = load(direct=False)
            summary = attempt
            if summary.reject_rate > max_reject_rate:
                raise BatchRefused
            summary.batch = batch_id
            batches.close_batch(connection, batch_id, summary, clock())
    except BatchRefused:
        summary.status = "refused"
    finally:
        if collecting:
            gc.enable()
    if summary.quarantined:
        # its own transaction: a file is unreadable whatever became of the batch
        with engine.begin() as connection:
            batches.quarantine(connection, program_id, summary.quarantined)
    if summary.status == "committed" and refresh_statistics(
        engine, summary.inserted + summary.updated
    ):
        say = progress or (lambda _message: None)
        say("refreshed the database's statistics of the answers after a large batch")
    return summary


# a lower bound of a CSV answer's size, to size the load from the files before reading them
_BYTES_PER_ROW_AT_LEAST = 64


def _load_batch(
    connection: Any,
    program: Program,
    source: Source,
    files: list[Path],
    hashes: dict[Path, str],
    batch_id: int,
    started: dt.datetime,
    pseudonymise: Callable[[str], str],
    template: BatchSummary,
    *,
    direct: bool,
    expected_rows: int,
    progress: Callable[[str], None] | None,
) -> BatchSummary:
    summary = BatchSummary(None, template.source, list(template.files))
    stager = Stager(
        connection,
        program=program.program.id,
        source=source.id,
        batch_id=batch_id,
        direct=direct,
        expected_rows=expected_rows,
    )
    for path in files:
        # a savepoint per file: a file found unreadable part way leaves none of its rows
        savepoint = connection.begin_nested()
        rejected, by_reason = summary.rejected, summary.rejected_by_reason.copy()
        examples = {name: list(found) for name, found in summary.rejected_examples.items()}
        try:
            file_rows = _load_one(
                connection, program, source, path, batch_id, started, pseudonymise, stager, summary
            )
        except (FileFormatError, OSError) as exc:
            savepoint.rollback()
            summary.rejected, summary.rejected_by_reason = rejected, by_reason
            summary.rejected_examples = examples
            summary.quarantined.append(
                batches.Quarantined(
                    source.id,
                    str(path),
                    hashes[path],
                    _reason(exc),
                    started,
                    definition_hash(source),
                )
            )
            if progress:
                progress(f"{path}: quarantined, not loaded: {_reason(exc)}")
            continue
        except BaseException:
            savepoint.rollback()
            raise
        savepoint.commit()
        batches.add_file(connection, batch_id, str(path), hashes[path], file_rows)
        # the same content loaded before: this load's rejections replace that one's
        batches.forget_rejections(connection, program.program.id, source.id, hashes[path], batch_id)
        if progress:
            progress(f"{path}: {file_rows:,} rows read")
    counts = stager.finish()
    summary.inserted, summary.updated = counts.inserted, counts.updated
    summary.unchanged, summary.duplicates = counts.unchanged, counts.duplicates
    return summary


def _load_one(
    connection: Any,
    program: Program,
    source: Source,
    path: Path,
    batch_id: int,
    started: dt.datetime,
    pseudonymise: Callable[[str], str],
    stager: Stager,
    summary: BatchSummary,
) -> int:
    """Load one file's rows into the batch; the number of rows read."""
    mapper, chunks, where = _open_rows(
        program, source, path, now=started, pseudonymise=pseudonymise
    )
    return _load_file(connection, stager, mapper, chunks, batch_id, str(path), summary, where)


def open_rows(
    program: Program,
    source: Source,
    path: Path,
    *,
    now: dt.datetime,
    pseudonymise: Callable[[str], str],
) -> tuple[RowMapper, Iterator[Block | RawRow]]:
    """A file's rows as `source` reads them, and the mapper of its header. A survey export's
    header rows are read here (`export`), so they never reach the rows."""
    mapper, chunks, _where = _open_rows(program, source, path, now=now, pseudonymise=pseudonymise)
    return mapper, chunks


def _open_rows(
    program: Program,
    source: Source,
    path: Path,
    *,
    now: dt.datetime,
    pseudonymise: Callable[[str], str],
) -> tuple[RowMapper, Iterator[Block | RawRow], Callable[[int], str]]:
    """`open_rows`, and how a row's number reads in a rejection (`row_place`)."""
    aliases: dict[str, int] = {}
    labelled = False
    where = _line
    chunks: Iterator[Block | RawRow]
    shape = SHAPES[source.export] if source.export is not None else None
    header_rows: list[tuple[int, list[str]]] = []
    if source.format is SourceFormat.XLSX:
        header_rows, chunks, sheet = read_xlsx(
            path,
            sheet=source.sheet,
            # a date cell is written as the export's own time column would be
            timestamp_format=source.timestamp_format or (shape.timestamp_format if shape else None),
            header_rows=shape.header_rows if shape else 1,
        )
        header = header_rows[0][1] if header_rows else []
        where = functools.partial(xlsx.place, sheet)
    elif source.format in (SourceFormat.JSONL, SourceFormat.JSON):
        header, rows = _rows(path, source)
        chunks = iter(rows)
        if source.format is SourceFormat.JSON:
            where = _record
    elif shape is not None:
        header_rows, chunks = read_headed_blocks(
            path,
            header_rows=shape.header_rows,
            encoding=source.encoding.value,
            delimiter=source.delimiter,
        )
        header = header_rows[0][1] if header_rows else []
    else:
        header, chunks = read_csv_blocks(
            path, encoding=source.encoding.value, delimiter=source.delimiter
        )
    if shape is not None and source.export is not None and header_rows:
        # a survey tool's header rows, from a CSV/TSV file or a workbook alike
        columns = header_columns(source.export, [HeaderRow(*row) for row in header_rows], str(path))
        header, aliases = columns.names, columns.aliases
        source = source_as_read(source, columns)
        labelled = shape.labelled_values
    mapper = RowMapper(
        program,
        source,
        header,
        now=now,
        pseudonymise=pseudonymise,
        file_name=str(path),
        aliases=aliases,
        labelled_values=labelled,
    )
    return mapper, chunks, where


def _line(number: int) -> str:
    return f"line {number}"


def _record(number: int) -> str:
    return f"record {number}"


def _row(number: int) -> str:
    return f"row {number}"


def row_place(source: Source) -> Callable[[int], str]:
    """How a stored rejected row's number reads for `source`: the line of a text file, the
    record of a JSON document, the sheet and row of a workbook (`Vastaukset!7`; `row 7` when the
    source reads the first sheet, whose name only the workbook knows)."""
    if source.format is SourceFormat.XLSX:
        if isinstance(source.sheet, str):
            return functools.partial(xlsx.place, source.sheet)
        return _row
    if source.format is SourceFormat.JSON:
        return _record
    return _line


def definition_hash(source: Source) -> str:
    """A fingerprint of the source's definition: a file quarantined under one definition is
    tried again under another (a corrected column mapping, a declared encoding)."""
    return hashlib.sha256(source.model_dump_json().encode()).hexdigest()


def _reason(exc: Exception) -> str:
    """Why a file could not be read, in words (an OSError's own text names the file)."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read the file: {exc.strerror}"
    return str(exc)


def _load_file(
    connection: Any,
    stager: Stager,
    mapper: RowMapper,
    chunks: Iterator[Block | RawRow],
    batch_id: int,
    file_name: str,
    summary: BatchSummary,
    where: Callable[[int], str] = _line,
) -> int:
    """Map and stage one file's rows; `where` names a row's place in rejection examples (the
    line of a text file, the record of a JSON document, the sheet and row of a workbook)."""
    answers = Answers.empty()
    records: list[Record] = []
    rejected: list[dict[str, Any]] = []
    read = accepted = 0
    map_row = mapper.map
    add_records = records.extend
    blocks = mapper.takes_blocks

    def reject(row: RawRow, reasons: list[Reason]) -> None:
        summary.rejected += 1
        summary.rejected_by_reason.update({r.name for r in reasons})
        for reason in reasons:
            examples = summary.rejected_examples.setdefault(reason.name, [])
            if len(examples) < EXAMPLES_PER_REASON:
                examples.append(f"{where(row.line)}: {reason.text}")
        rejected.append(rejected_row(batch_id, file_name, mapper.keyed(row), reasons))

    def flush_records() -> None:
        if records:
            answers.extend(Answers.of(records))
            records.clear()

    for chunk in chunks:
        if isinstance(chunk, Block):
            read += chunk.size
            if blocks:
                found, bad = mapper.map_block(chunk)
                flush_records()
                accepted += found.size
                answers.extend(found)
                for row, reasons in bad:
                    reject(row, reasons)
            else:
                for index in range(chunk.size):
                    row = chunk.row(index)
                    assert row.fields is not None
                    got, reasons = map_row(row.fields)
                    if reasons:
                        reject(row, reasons)
                    else:
                        accepted += 1
                        add_records(got)
        else:
            row = chunk
            read += 1
            fields = row.fields
            if row.problem is not None:
                # fields and a problem: a JSON record whose cells were found, but not all
                reject(row, [row.problem])
            elif fields is None:
                raise AssertionError(f"row {row.line} has neither fields nor a problem")
            else:
                got, reasons = map_row(fields)
                if reasons:
                    reject(row, reasons)
                else:
                    accepted += 1
                    add_records(got)
        if len(records) >= CHUNK_ROWS:
            flush_records()
        if answers.size >= CHUNK_ROWS:
            stager.add(answers)
            answers = Answers.empty()
        if len(rejected) >= CHUNK_ROWS:
            batches.add_rejected(connection, rejected)
            rejected = []
    flush_records()
    stager.add(answers)
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
        # the stored `code` is the reason's name, which predates the R codes; the message
        # carries the R code, so a stored row leads to its entry in docs/rejections.md
        "reasons": [{"code": r.name, "message": r.text} for r in reasons],
    }
