"""An incremental run from a table source recounts only the days that received rows loaded
since the last run, and adds its periods up from stored days: every cell's counts and every
verdict equal those of a fresh store's full run, on DuckDB and PostgreSQL, after rows were
added, changed and deleted on those days. A row moved to another day leaves its old day
holding it until that day is counted again: at the latest when its period leaves the weeks
kept day by day (`table_source.DAY_HORIZON`) and is counted whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from cxgov.api._program import load_program
from cxgov.judgement.cells import Cell
from cxgov.stats import Counts
from cxgov.store.engine import open_store
from cxgov.warehouse.table_source import aggregate_tables
from tests.warehouse.answers import Answer, answers, table_program
from tests.warehouse.engines import TABLE, DuckDb, Postgres, postgres_schema
from tests.warehouse.test_table_source import FIRST, SYNCED, evaluate_table

LATER = SYNCED + dt.timedelta(days=1)
"""The load time of every change after the first run (later than the watermark)."""
AS_OF = dt.date(2026, 12, 1)


class Engine(Protocol):
    url: str
    program: Path

    def load(self, rows: list[Answer]) -> None: ...

    def execute(self, sql: str) -> None: ...

    def day(self, column: str) -> str: ...


class _DuckEngine:
    def __init__(self, directory: Path) -> None:
        self.duck = DuckDb(directory)
        self.url = self.duck.url
        self.table = TABLE
        self.program = table_program(directory / "program")

    def load(self, rows: list[Answer]) -> None:
        self.duck.load(rows)

    def execute(self, sql: str) -> None:
        import duckdb

        with duckdb.connect(str(self.duck.path)) as connection:
            connection.execute(sql.format(table=self.table))

    def day(self, column: str) -> str:
        return f"CAST({column} AS DATE)"


class _PostgresEngine:
    def __init__(self, directory: Path, postgres: Postgres) -> None:
        self.postgres = postgres
        self.url = postgres.url
        self.table = f'"{postgres.schema}".{TABLE}'
        self.program = table_program(
            directory / "program",
            {
                "    dbt_model: qualtrics__response": "    dbt_model: qualtrics__response\n"
                f"    table_schema: {postgres.schema}"
            },
        )

    def load(self, rows: list[Answer]) -> None:
        self.postgres.load(rows)

    def execute(self, sql: str) -> None:
        self.postgres.connection.execute(sql.format(table=self.table))

    def day(self, column: str) -> str:
        return f"CAST({column} AT TIME ZONE 'Europe/Helsinki' AS DATE)"


@pytest.fixture(params=["duckdb", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Engine]:
    if request.param == "duckdb":
        found: Engine = _DuckEngine(tmp_path)
        monkeypatch.setenv("CXGOV_ANSWERS_URL", found.url)
        yield found
        return
    for postgres in postgres_schema():
        found = _PostgresEngine(tmp_path, postgres)
        monkeypatch.setenv("CXGOV_ANSWERS_URL", found.url)
        yield found


def _key(counts: Counts) -> tuple[Any, ...]:
    mean = counts.mean
    return (
        counts.n,
        counts.promoters,
        counts.passives,
        counts.detractors,
        counts.positives,
        None if mean is None else round(mean, 9),
        round(counts.shifted_to(0.0)[1], 6),
    )


def cells(program: Path, store: str, as_of: dt.date) -> dict[Cell, tuple[Any, ...]]:
    """Every cell the table source contributes, counted as a run does (rolled up)."""
    engine = open_store(store)
    try:
        with engine.begin() as connection:
            found = aggregate_tables(
                connection, load_program(str(program)), as_of, None, persist=True
            )
    finally:
        engine.dispose()
    assert len(found.counts) > 50
    return {cell: _key(counts) for cell, counts in found.counts.items()}


def _changed(engine: Engine, condition: str, change: str) -> None:
    """`change` (a SET list) on the rows meeting `condition`, loaded again after the run."""
    engine.execute(
        f"UPDATE {{table}} SET {change}, survey_response_last_modified_at = "
        f"TIMESTAMP '{LATER.isoformat(sep=' ')}' WHERE {condition}"
    )


def test_an_incremental_run_equals_a_full_recount(engine: Engine, tmp_path: Path) -> None:
    engine.load(answers(11, 1500, FIRST, AS_OF, SYNCED))
    store = f"sqlite:///{tmp_path / 'incremental.db'}"
    first = cells(engine.program, store, AS_OF)
    evaluate_table(engine.program, store, AS_OF)
    day = engine.day("survey_response_recorded_at")
    # late answers: on a day kept day by day (10 November), in an older month counted whole
    # (July) and on the as-of day
    engine.load(answers(12, 20, dt.date(2026, 11, 10), dt.date(2026, 11, 10), LATER))
    engine.load(answers(13, 20, dt.date(2026, 7, 15), dt.date(2026, 7, 15), LATER))
    engine.load(answers(14, 10, AS_OF, AS_OF, LATER))
    # changed values on those days, and rows of another day of November loaded again
    _changed(engine, f"{day} = DATE '2026-11-10' AND question_id = 'QID2'", "value = 1")
    _changed(engine, f"{day} = DATE '2026-07-15' AND question_id = 'QID1'", "value = 0")
    _changed(engine, f"{day} = DATE '2026-11-18' AND question_id = 'QID3'", "value = 7")
    _changed(engine, f"{day} = DATE '2026-11-18' AND question_id <> 'QID3'", "value = value")
    # a deleted row leaves no trace: its day is counted again because it received rows
    engine.execute(
        f"DELETE FROM {{table}} WHERE {day} = DATE '2026-11-10' AND question_id = 'QID1' "
        "AND survey_response_last_modified_at < TIMESTAMP '2026-12-01 00:00:00' "
        "AND value >= 9"
    )
    # a row moved from 18 November (which received changed rows) to 21 November
    _changed(
        engine,
        f"survey_response_id = (SELECT min(survey_response_id) FROM {{table}} "
        f"WHERE {day} = DATE '2026-11-18')",
        "survey_response_recorded_at = survey_response_recorded_at + INTERVAL '3 days'",
    )
    again = cells(engine.program, store, AS_OF)
    fresh_store = f"sqlite:///{tmp_path / 'fresh.db'}"
    fresh = cells(engine.program, fresh_store, AS_OF)
    assert again == fresh
    assert again != first, "the changes changed counts"
    assert evaluate_table(engine.program, store, AS_OF) == evaluate_table(
        engine.program, fresh_store, AS_OF
    )


def test_a_row_moved_off_an_untouched_day_is_corrected_when_its_period_is_counted_whole(
    engine: Engine, tmp_path: Path
) -> None:
    early = dt.date(2026, 11, 4)  # September is kept day by day (the horizon reaches into it)
    late = dt.date(2026, 11, 6)  # September has left the horizon: it is counted whole once
    engine.load(answers(21, 1500, FIRST, AS_OF, SYNCED))
    store = f"sqlite:///{tmp_path / 'incremental.db'}"
    cells(engine.program, store, early)
    day = engine.day("survey_response_recorded_at")
    # one food answer (on the scale) moved from 10 to 20 September
    _changed(
        engine,
        "question_id = 'QID2' AND survey_response_id = (SELECT min(survey_response_id) "
        f"FROM {{table}} WHERE {day} = DATE '2026-09-10' AND question_id = 'QID2' "
        "AND value BETWEEN 1 AND 5)",
        "survey_response_recorded_at = survey_response_recorded_at + INTERVAL '10 days'",
    )
    # nothing in the table says the answer was on 10 September: that day still holds it
    stale = cells(engine.program, store, early)
    fresh_early = cells(engine.program, f"sqlite:///{tmp_path / 'fresh-early.db'}", early)
    september = next(
        c
        for c in fresh_early
        if c.point == "mp-food" and c.period.start == dt.date(2026, 9, 1) and not c.segment
    )
    assert stale[september][0] == fresh_early[september][0] + 1
    assert cells(engine.program, store, late) == cells(
        engine.program, f"sqlite:///{tmp_path / 'fresh-late.db'}", late
    )


def test_without_updated_at_the_open_periods_are_counted_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing tells which rows changed: each run counts the days of the open periods (the
    as-of day's month, the last 28-day window) again, and complete days once."""
    duck = _DuckEngine(tmp_path)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", duck.url)
    program = table_program(
        tmp_path / "no-updated-at", {"      updated_at: survey_response_last_modified_at\n": ""}
    )
    duck.load(answers(31, 1500, FIRST, AS_OF - dt.timedelta(days=1), SYNCED))
    store = f"sqlite:///{tmp_path / 'incremental.db'}"
    first = cells(program, store, AS_OF)
    # late answers on the as-of day and on 20 November: a complete month, but a day of the
    # open 28-day window
    duck.load(answers(32, 40, AS_OF, AS_OF, LATER))
    duck.load(answers(33, 40, dt.date(2026, 11, 20), dt.date(2026, 11, 20), LATER))
    again = cells(program, store, AS_OF)
    fresh = cells(program, f"sqlite:///{tmp_path / 'fresh.db'}", AS_OF)
    november = dt.date(2026, 11, 1)
    open_cells = [c for c in fresh if c.period.end >= AS_OF]
    assert {c.point for c in open_cells} == {"mp-nps", "mp-food", "mp-effort"}
    assert all(again[c] == fresh[c] for c in open_cells)
    months = [c for c in first if c.period.start == november]
    assert months and all(again[c] == first[c] != fresh[c] for c in months if not c.segment)
