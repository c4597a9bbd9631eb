"""Rollups: additive counts of complete periods, stored so that a later run recounts only the
periods that received new or changed answers since the rollups were written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, tuple_

from cxgov.judgement.cells import Cell
from cxgov.stats import Counts
from cxgov.store.tables import INGEST_BATCHES, ROLLUP_STATE, ROLLUPS

_DELETE_CHUNK = 500


@dataclass(frozen=True)
class RollupState:
    last_batch: int
    covered_from: dt.date
    covered_until: dt.date


def latest_batch(connection: Connection, program: str) -> int:
    b = INGEST_BATCHES
    found = connection.execute(
        select(func.max(b.c.id)).where(b.c.program == program, b.c.kind == "feedback")
    ).scalar()
    return int(found or 0)


def answers_changed_since(connection: Connection, program: str, batch: int) -> bool:
    """Whether a later batch updated existing answers (which may move them between periods)."""
    b = INGEST_BATCHES
    return bool(
        connection.execute(
            select(func.count()).where(
                b.c.program == program, b.c.kind == "feedback", b.c.id > batch, b.c.updated > 0
            )
        ).scalar()
    )


def read_state(connection: Connection, program: str, group: str) -> RollupState | None:
    s = ROLLUP_STATE
    row = connection.execute(
        select(s.c.last_batch, s.c.covered_from, s.c.covered_until).where(
            s.c.program == program, s.c.group_key == group
        )
    ).first()
    return RollupState(int(row[0]), row[1], row[2]) if row else None


def read_rollups(
    connection: Connection, program: str, group: str, first: dt.date, last: dt.date
) -> list[tuple[Any, ...]]:
    r = ROLLUPS
    return [
        tuple(row)
        for row in connection.execute(
            select(
                r.c.measurement_point,
                r.c.period_start,
                r.c.period_end,
                r.c.segment,
                r.c.n,
                r.c.promoters,
                r.c.passives,
                r.c.detractors,
                r.c.positives,
                r.c.total,
                r.c.sumsq,
                r.c.shift,
            ).where(
                r.c.program == program,
                r.c.group_key == group,
                r.c.period_start >= first,
                r.c.period_end <= last,
            )
        )
    ]


def stored_shift(connection: Connection, program: str, groups: list[str], point: str) -> float:
    """The shift (see `Counts`) of any stored rollup of `point` in `groups`, 0.0 if none."""
    r = ROLLUPS
    found = connection.execute(
        select(r.c.shift)
        .where(r.c.program == program, r.c.group_key.in_(groups), r.c.measurement_point == point)
        .limit(1)
    ).scalar()
    return float(found or 0.0)


def rollup_row(cell: Cell, counts: Counts) -> dict[str, Any]:
    """The stored row of one cell's counts, for `write_rollups`."""
    return {
        "measurement_point": cell.point,
        "period_start": cell.period.start,
        "period_end": cell.period.end,
        "segment": [list(pair) for pair in cell.segment],
        "n": counts.n,
        "promoters": counts.promoters,
        "passives": counts.passives,
        "detractors": counts.detractors,
        "positives": counts.positives,
        "total": counts.shifted_sum,
        "sumsq": counts.shifted_sumsq,
        "shift": counts.shift,
    }


def write_rollups(
    connection: Connection,
    program: str,
    group: str,
    periods: list[tuple[dt.date, dt.date]],
    rows: list[dict[str, Any]],
    state: RollupState,
) -> None:
    """Replace the rollups of `periods` with `rows` and move the group's state forward."""
    r = ROLLUPS
    for first in range(0, len(periods), _DELETE_CHUNK):  # one pass over the group's rollups
        connection.execute(
            delete(r).where(
                r.c.program == program,
                r.c.group_key == group,
                tuple_(r.c.period_start, r.c.period_end).in_(
                    periods[first : first + _DELETE_CHUNK]
                ),
            )
        )
    if rows:
        connection.execute(
            insert(r), [{**row, "program": program, "group_key": group} for row in rows]
        )
    s = ROLLUP_STATE
    connection.execute(delete(s).where(s.c.program == program, s.c.group_key == group))
    connection.execute(
        insert(s).values(
            program=program,
            group_key=group,
            last_batch=state.last_batch,
            covered_from=state.covered_from,
            covered_until=state.covered_until,
        )
    )


def drop_days_before(connection: Connection, program: str, group: str, day: dt.date) -> None:
    """Delete the group's one-day rollups before `day`: a group that rolls up recent days one
    by one and older periods whole reads only the periods there."""
    r = ROLLUPS
    connection.execute(
        delete(r).where(
            r.c.program == program,
            r.c.group_key == group,
            r.c.period_start < day,
            r.c.period_start == r.c.period_end,
        )
    )


def drop_other_groups(connection: Connection, program: str, keep: set[str]) -> None:
    """Delete the rollups of the program's groups other than `keep`: counted under a time
    zone, window, positive range, segments or points the program no longer has, they would
    only be read again if those settings came back."""
    s = ROLLUP_STATE
    stored = connection.execute(select(s.c.group_key).where(s.c.program == program)).scalars()
    stale = sorted(set(stored) - keep)
    r = ROLLUPS
    for first in range(0, len(stale), _DELETE_CHUNK):
        chunk = stale[first : first + _DELETE_CHUNK]
        connection.execute(delete(r).where(r.c.program == program, r.c.group_key.in_(chunk)))
        connection.execute(delete(s).where(s.c.program == program, s.c.group_key.in_(chunk)))
