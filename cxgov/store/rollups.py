"""Rollups: additive counts of complete periods, stored so that a later run recounts only the
periods that received new or changed answers since the rollups were written."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    tuple_,
    type_coerce,
)

from cxgov.judgement.cells import Cell
from cxgov.stats import Counts
from cxgov.store.counting import day_of
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
    return read_states(connection, program, [group]).get(group)


def read_states(
    connection: Connection, program: str, groups: Sequence[str]
) -> dict[str, RollupState]:
    """The state of each of `groups` that has one, in one statement."""
    s = ROLLUP_STATE
    found: dict[str, RollupState] = {}
    for first in range(0, len(groups), _DELETE_CHUNK):
        rows = connection.execute(
            select(s.c.group_key, s.c.last_batch, s.c.covered_from, s.c.covered_until).where(
                s.c.program == program, s.c.group_key.in_(groups[first : first + _DELETE_CHUNK])
            )
        )
        for key, batch, start, end in rows:
            found[str(key)] = RollupState(int(batch), start, end)
    return found


def read_rollups(
    connection: Connection, program: str, group: str, first: dt.date, last: dt.date
) -> list[tuple[Any, ...]]:
    """The group's rollups of periods within `first`..`last`: (point, period start, period
    end, segment pairs, n, promoters, passives, detractors, positives, total, sumsq, shift)."""
    return read_group_rollups(connection, program, {group: (first, last)}).get(group, [])


def read_group_rollups(
    connection: Connection, program: str, spans: dict[str, tuple[dt.date, dt.date]]
) -> dict[str, list[tuple[Any, ...]]]:
    """`read_rollups` of several groups (group → its first and last day) in one statement.

    The dates and segments are read as the store keeps them and decoded once per distinct
    value: a run reads some thousands of rollups that share a few dozen days and segments,
    and SQLAlchemy's per-value processors (a regular expression per date, a JSON parse per
    segment) were most of the time reading them took."""
    if not spans:
        return {}
    r = ROLLUPS
    keys = sorted(spans)
    lowest = min(first for first, _ in spans.values())
    highest = max(last for _, last in spans.values())
    days: dict[Any, dt.date] = {}
    segments: dict[Any, tuple[tuple[Any, Any], ...]] = {}
    found: dict[str, list[tuple[Any, ...]]] = {key: [] for key in keys}
    for first in range(0, len(keys), _DELETE_CHUNK):
        rows = connection.execute(
            select(
                r.c.group_key,
                r.c.measurement_point,
                type_coerce(r.c.period_start, String),
                type_coerce(r.c.period_end, String),
                type_coerce(r.c.segment, String),
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
                r.c.group_key.in_(keys[first : first + _DELETE_CHUNK]),
                r.c.period_start >= lowest,
                r.c.period_end <= highest,
            )
        )
        for row in rows.all():  # one fetch: row by row, each row costs a driver call
            start, end, segment = row[2], row[3], row[4]
            if start not in days:
                days[start] = day_of(start)
            if end not in days:
                days[end] = day_of(end)
            key = segment if isinstance(segment, str) else json.dumps(segment)
            if key not in segments:
                pairs = json.loads(segment) if isinstance(segment, str) else segment
                segments[key] = tuple((d, v) for d, v in pairs)
            group = str(row[0])
            span = spans[group]
            begins, ends = days[start], days[end]
            if span[0] <= begins and ends <= span[1]:
                found[group].append((row[1], begins, ends, segments[key], *row[5:]))
    return found


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


@dataclass(frozen=True)
class RollupWrite:
    """One group's rollups to replace: those of `periods` by `rows` (see `rollup_row`), its
    state, and with `days_before`, its one-day rollups before that day dropped: a group that
    rolls up recent days one by one and older periods whole reads only the periods there."""

    group: str
    periods: list[tuple[dt.date, dt.date]]
    rows: list[dict[str, Any]]
    state: RollupState
    days_before: dt.date | None = None


def write_rollups(
    connection: Connection,
    program: str,
    group: str,
    periods: list[tuple[dt.date, dt.date]],
    rows: list[dict[str, Any]],
    state: RollupState,
) -> None:
    """Replace the rollups of `periods` with `rows` and move the group's state forward."""
    write_group_rollups(connection, program, [RollupWrite(group, periods, rows, state)])


def write_group_rollups(
    connection: Connection, program: str, writes: Sequence[RollupWrite]
) -> None:
    """`write_rollups` of several groups in a few statements for all of them (not a few per
    group: each statement costs the store a round trip and SQLAlchemy its bookkeeping)."""
    if not writes:
        return
    r = ROLLUPS
    # only groups with rollups stored have periods to replace: a first run's groups have
    # none, and its thousands of periods would each be a parameter of the DELETEs
    keys = sorted({w.group for w in writes})
    stored: set[str] = set()
    for first in range(0, len(keys), _DELETE_CHUNK):
        chunk = keys[first : first + _DELETE_CHUNK]
        stored.update(
            connection.execute(
                select(r.c.group_key)
                .distinct()
                .where(r.c.program == program, r.c.group_key.in_(chunk))
            ).scalars()
        )
    replaced = [
        (w.group, start, end) for w in writes if w.group in stored for start, end in w.periods
    ]
    for first in range(0, len(replaced), _DELETE_CHUNK):  # one pass over the rollups
        connection.execute(
            delete(r).where(
                r.c.program == program,
                tuple_(r.c.group_key, r.c.period_start, r.c.period_end).in_(
                    replaced[first : first + _DELETE_CHUNK]
                ),
            )
        )
    _insert_rollups(connection, program, writes)
    dropped = [w for w in writes if w.days_before is not None]
    for first in range(0, len(dropped), _DELETE_CHUNK):
        connection.execute(
            delete(r).where(
                r.c.program == program,
                r.c.period_start == r.c.period_end,
                or_(
                    *(
                        and_(r.c.group_key == w.group, r.c.period_start < w.days_before)
                        for w in dropped[first : first + _DELETE_CHUNK]
                    )
                ),
            )
        )
    s = ROLLUP_STATE
    for first in range(0, len(keys), _DELETE_CHUNK):
        chunk = keys[first : first + _DELETE_CHUNK]
        connection.execute(delete(s).where(s.c.program == program, s.c.group_key.in_(chunk)))
    connection.execute(
        insert(s),
        [
            {
                "program": program,
                "group_key": w.group,
                "last_batch": w.state.last_batch,
                "covered_from": w.state.covered_from,
                "covered_until": w.state.covered_until,
            }
            for w in writes
        ],
    )


_ROLLUP_COLUMNS = tuple(c.name for c in ROLLUPS.c if not c.primary_key)
"""The columns a rollup's insert fills (all but its generated id)."""


def _insert_rollups(connection: Connection, program: str, writes: Sequence[RollupWrite]) -> None:
    """The writes' rows in one executemany of plain parameters.

    SQLAlchemy's executemany builds and type-processes every row's parameters (renders each
    date, serialises each segment): most of what a first run spends writing its rollups. The
    rows share a few dozen dates, segments and points, so each distinct value is processed
    once here and the driver receives ready rows of the insert SQLAlchemy compiled.
    """
    if not any(w.rows for w in writes):
        return
    dialect = connection.dialect
    compiled = insert(ROLLUPS).compile(
        dialect=dialect, column_keys=list(_ROLLUP_COLUMNS), for_executemany=True
    )
    order = list(compiled.positiontup or ()) if compiled.positional else list(_ROLLUP_COLUMNS)
    pairs = [(write.group, row) for write in writes for row in write.rows]
    columns: list[list[Any]] = []
    for name in order:
        if name == "program":
            column = [program] * len(pairs)
        elif name == "group_key":
            column = [group for group, _ in pairs]
        else:
            column = [row[name] for _, row in pairs]
        process = ROLLUPS.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            column = _processed(column, process)
        columns.append(column)
    rows: list[Any] = list(zip(*columns, strict=True))
    if not compiled.positional:
        rows = [dict(zip(order, row, strict=True)) for row in rows]
    connection.exec_driver_sql(compiled.string, rows)


def _processed(column: list[Any], process: Any) -> list[Any]:
    """`process` applied to each distinct value of `column` once (segments are lists)."""
    done: dict[Any, Any] = {}
    found = []
    for value in column:
        key = tuple(map(tuple, value)) if isinstance(value, list) else value
        if key not in done:
            done[key] = None if value is None else process(value)
        found.append(done[key])
    return found


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
