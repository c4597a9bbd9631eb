"""Recording evaluation runs and their verdicts (append-only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select

from cxgov.store.tables import EVALUATION_RUNS, INGEST_BATCHES, VERDICTS

CHUNK = 5_000


def record_run(
    connection: Connection,
    *,
    program: str,
    as_of: dt.date,
    program_hash: str,
    git_commit: str | None,
    started: dt.datetime,
    finished: dt.datetime,
    verdicts: list[dict[str, Any]],
) -> int:
    """Insert one finished run with its verdicts; returns the run id."""
    run_id = connection.execute(
        insert(EVALUATION_RUNS)
        .values(
            program=program,
            as_of=as_of,
            program_hash=program_hash,
            git_commit=git_commit,
            started_at=started.replace(tzinfo=None),
            finished_at=finished.replace(tzinfo=None),
            status="finished",
        )
        .returning(EVALUATION_RUNS.c.id)
    ).scalar_one()
    rows = [{**v, "run_id": run_id} for v in verdicts]
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(VERDICTS), rows[start : start + CHUNK])
    return int(run_id)


def unchanged_since_last_run(
    connection: Connection, *, program: str, as_of: dt.date, program_hash: str
) -> int | None:
    """The id of a finished run of the same day and program content after which no batch was
    loaded, or None: rerunning then would judge exactly the same data again."""
    last = connection.execute(
        select(EVALUATION_RUNS.c.id, EVALUATION_RUNS.c.started_at)
        .where(
            EVALUATION_RUNS.c.program == program,
            EVALUATION_RUNS.c.as_of == as_of,
            EVALUATION_RUNS.c.program_hash == program_hash,
            EVALUATION_RUNS.c.status == "finished",
        )
        .order_by(EVALUATION_RUNS.c.id.desc())
        .limit(1)
    ).first()
    if last is None:
        return None
    newer = connection.execute(
        select(INGEST_BATCHES.c.id)
        .where(
            INGEST_BATCHES.c.program == program,
            INGEST_BATCHES.c.status == "committed",
            INGEST_BATCHES.c.finished_at >= last.started_at,
        )
        .limit(1)
    ).first()
    return None if newer is not None else int(last.id)


def latest_run(connection: Connection, program: str) -> tuple[int, dt.date, str, str | None] | None:
    """The newest finished run of the program as (id, as_of, program_hash, git_commit), or
    None before the first run."""
    r = EVALUATION_RUNS
    row = connection.execute(
        select(r.c.id, r.c.as_of, r.c.program_hash, r.c.git_commit)
        .where(r.c.program == program, r.c.status == "finished")
        .order_by(r.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (int(row.id), row.as_of, row.program_hash, row.git_commit)


def run_verdicts(connection: Connection, run_id: int) -> list[dict[str, Any]]:
    rows = connection.execute(
        select(VERDICTS).where(VERDICTS.c.run_id == run_id).order_by(VERDICTS.c.id)
    ).mappings()
    return [dict(row) for row in rows]


def latest_verdicts(
    connection: Connection, program: str
) -> tuple[int | None, list[dict[str, Any]]]:
    """The newest finished run of the program and its verdicts (empty before the first run)."""
    run = latest_run(connection, program)
    if run is None:
        return None, []
    return run[0], run_verdicts(connection, run[0])
