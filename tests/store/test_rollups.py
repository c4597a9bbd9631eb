"""Rollups written in one executemany of processed rows read back as they were given, and a
second write replaces the periods it names and nothing else."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, func, select

from cxgov.judgement.cells import Cell
from cxgov.judgement.periods import Period
from cxgov.stats import Counts
from cxgov.store import rollups
from cxgov.store.engine import open_store
from cxgov.store.tables import ROLLUPS

JAN = Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31), True)
FEB = Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28), True)
SEGMENTS = [
    (),
    (("tier", "gold"),),
    (("tier", "basic"),),
    (("tier", "gold"), ("kanava", "Äänipuhelu")),
]


def _write(counts: dict[Cell, Counts], group: str, periods: list[Period]) -> rollups.RollupWrite:
    return rollups.RollupWrite(
        group,
        [(p.start, p.end) for p in periods],
        [rollups.rollup_row(cell, c) for cell, c in counts.items() if cell.period in periods],
        rollups.RollupState(0, periods[0].start, periods[-1].end),
    )


def _counts(scale: int) -> dict[Cell, Counts]:
    found = {}
    for i, segment in enumerate(SEGMENTS):
        for period in (JAN, FEB):
            n = scale * (i + 1) + period.start.month
            found[Cell("mp-nps", period, segment)] = Counts(
                n, n // 2, n // 4, n - n // 2 - n // 4, n // 3, 0.1 * n, 0.01 * n * n, 4.0
            )
    return found


def _read(connection: Connection, group: str) -> dict[Cell, Counts]:
    stored = rollups.read_group_rollups(connection, "p", {group: (JAN.start, FEB.end)})[group]
    return {
        Cell(point, Period(start, end, True), segment): Counts(*values)
        for point, start, end, segment, *values in stored
    }


def test_written_rollups_read_back_as_given_and_a_rewrite_replaces_its_periods(
    db_url: str,
) -> None:
    engine = open_store(db_url)
    first, second = _counts(10), _counts(1000)
    with engine.begin() as connection:
        rollups.write_group_rollups(
            connection, "p", [_write(first, "g1", [JAN, FEB]), _write(first, "g2", [JAN])]
        )
    with engine.begin() as connection:
        assert _read(connection, "g1") == first
        assert _read(connection, "g2") == {c: v for c, v in first.items() if c.period == JAN}
        # February of g1 counted again; g2 gains February; January stays as written
        rollups.write_group_rollups(
            connection, "p", [_write(second, "g1", [FEB]), _write(second, "g2", [FEB])]
        )
    with engine.begin() as connection:
        expected = {c: (second if c.period == FEB else first)[c] for c in first}
        assert _read(connection, "g1") == expected
        assert _read(connection, "g2") == expected
        stored = connection.execute(select(func.count()).select_from(ROLLUPS)).scalar_one()
        assert stored == 2 * len(first)
        states = rollups.read_states(connection, "p", ["g1", "g2"])
        assert states["g1"].covered_until == FEB.end
    engine.dispose()
