"""Business KPI values (retention %, churn %, average order value) delivered per period.

CSV columns: kpi, period_start, period_end, value, optional n, and any other column is a
segment dimension. Re-loading the same values changes nothing; a changed value is updated.
Files of aggregates are small, so rows are compared in Python against the stored values.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, update

from cxgov.clock import Clock
from cxgov.errors import FileFormatError
from cxgov.ingest.batch import BatchRefused, BatchSummary, rejected_row
from cxgov.ingest.mapping import missing_column, parse_number
from cxgov.ingest.readers import RawRow, read_csv, sha256_of
from cxgov.ingest.rejections import (
    BAD_PERIOD,
    BAD_SAMPLE_SIZE,
    NON_NUMERIC_VALUE,
    UNKNOWN_KPI,
    Reason,
)
from cxgov.model import Program
from cxgov.store import batches
from cxgov.store.tables import (
    KPI_VALUES,
)

REQUIRED = ("kpi", "period_start", "period_end", "value")
SOURCE_NAME = "kpi-values"


def segment_key(segment: dict[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(segment.items()))


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _parse(
    fields: list[str], header: list[str], kpis: set[str]
) -> tuple[dict[str, Any] | None, list[Reason]]:
    row = dict(zip(header, fields, strict=True))
    reasons: list[Reason] = []
    kpi = row["kpi"].strip()
    if kpi not in kpis:
        reasons.append(UNKNOWN_KPI.reason(kpi=kpi))
    start, end = _date(row["period_start"]), _date(row["period_end"])
    problem = None
    if start is None or end is None:
        problem = "is not two YYYY-MM-DD dates"
    elif end < start:
        problem = "ends before it starts"
    if problem is not None:
        start_text, end_text = row["period_start"].strip(), row["period_end"].strip()
        reasons.append(BAD_PERIOD.reason(start=start_text, end=end_text, problem=problem))
    value = parse_number(row["value"])
    if value is None:
        reasons.append(NON_NUMERIC_VALUE.reason(where="value", text=row["value"]))
    n: int | None = None
    if row.get("n", "").strip():
        parsed = parse_number(row["n"])
        if parsed is None or parsed < 0 or parsed != int(parsed):
            reasons.append(BAD_SAMPLE_SIZE.reason(n=row["n"]))
        else:
            n = int(parsed)
    segment = {
        name: row[name].strip()
        for name in header
        if name not in (*REQUIRED, "n") and row[name].strip()
    }
    if reasons:
        return None, reasons
    return {
        "kpi": kpi,
        "period_start": start,
        "period_end": end,
        "segment": segment,
        "segment_key": segment_key(segment),
        "value": value,
        "n": n,
    }, []


def ingest_kpi_values_file(
    engine: Engine, program: Program, path: Path, *, clock: Clock, max_reject_rate: float = 0.5
) -> BatchSummary:
    summary = BatchSummary(None, SOURCE_NAME, [str(path)])
    header, rows = read_csv(path)
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise FileFormatError(
            "; ".join(
                missing_column(str(path), name, name, SOURCE_NAME, header) for name in missing
            )
        )
    program_id = program.program.id
    kpis = {kpi.id for kpi in program.kpis}
    started = clock()
    try:
        return _write(
            engine, program_id, kpis, path, header, rows, summary, started, clock, max_reject_rate
        )
    except BatchRefused:
        summary.status = "refused"
        summary.batch = None
        return summary


def _write(
    engine: Engine,
    program_id: str,
    kpis: set[str],
    path: Path,
    header: list[str],
    rows: Iterator[RawRow],
    summary: BatchSummary,
    started: dt.datetime,
    clock: Clock,
    max_reject_rate: float,
) -> BatchSummary:
    table = KPI_VALUES
    with engine.begin() as connection:
        batch_id = batches.open_batch(
            connection, program=program_id, source=SOURCE_NAME, kind="kpi_values", started=started
        )
        stored = {
            (r.kpi, r.period_start, r.period_end, r.segment_key): (r.value, r.n)
            for r in connection.execute(
                select(
                    table.c.kpi,
                    table.c.period_start,
                    table.c.period_end,
                    table.c.segment_key,
                    table.c.value,
                    table.c.n,
                ).where(table.c.program == program_id)
            )
        }
        latest: dict[tuple[Any, ...], dict[str, Any]] = {}
        rejected: list[dict[str, Any]] = []
        reasons_seen: Counter[str] = Counter()
        for row in rows:
            summary.rows_read += 1
            parsed, reasons = (
                (None, [row.problem]) if row.fields is None else _parse(row.fields, header, kpis)
            )
            if parsed is None:
                reasons = [r for r in reasons if r is not None]
                summary.rejected += 1
                reasons_seen.update({r.name for r in reasons})
                rejected.append(rejected_row(batch_id, str(path), row, reasons))
                continue
            summary.accepted += 1
            key = (
                parsed["kpi"],
                parsed["period_start"],
                parsed["period_end"],
                parsed["segment_key"],
            )
            latest[key] = parsed
        summary.rejected_by_reason = reasons_seen
        inserts, updates = [], []
        for key, parsed in latest.items():
            previous = stored.get(key)
            if previous is None:
                inserts.append({**parsed, "program": program_id, "batch_id": batch_id})
            elif previous != (parsed["value"], parsed["n"]):
                updates.append(parsed)
            else:
                summary.unchanged += 1
        summary.inserted, summary.updated = len(inserts), len(updates)
        summary.duplicates = summary.accepted - len(latest)
        if summary.reject_rate > max_reject_rate:
            raise BatchRefused
        if inserts:
            connection.execute(insert(table), inserts)
        for parsed in updates:
            connection.execute(
                update(table)
                .where(
                    table.c.program == program_id,
                    table.c.kpi == parsed["kpi"],
                    table.c.period_start == parsed["period_start"],
                    table.c.period_end == parsed["period_end"],
                    table.c.segment_key == parsed["segment_key"],
                )
                .values(value=parsed["value"], n=parsed["n"], batch_id=batch_id)
            )
        batches.add_rejected(connection, rejected)
        batches.add_file(connection, batch_id, str(path), sha256_of(path), summary.rows_read)
        batches.close_batch(connection, batch_id, summary, clock())
        summary.batch = batch_id
    return summary
