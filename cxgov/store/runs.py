"""Recording evaluation runs and their verdicts (append-only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert

from cxgov.store.tables import EVALUATION_RUNS, VERDICTS

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
