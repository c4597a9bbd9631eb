"""Spark buckets every answer into the same period as cxgov's own calendar
(`cxgov.judgement.periods`), in the program's time zone, whatever the Spark session's zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, column, select, table

from cxgov.judgement.periods import period_containing
from cxgov.model import Window
from cxgov.model.measurement import CalendarPeriod
from cxgov.warehouse.spark import SparkPeriodStart, SparkRollingIndex
from tests.warehouse.spark.answers import Answer, create_table, generate, write_csv

AS_OF = dt.date(2026, 6, 15)
ZONES = ["Europe/Helsinki", "America/Los_Angeles", "Asia/Kolkata"]
# the server's own session zone is UTC; a cluster's may be anything
SESSION_ZONES = ["UTC", "America/New_York"]


@pytest.fixture(scope="module")
def answers(spark_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> list[Answer]:
    rows = generate(seed=7, per_month=40)
    csv_file = write_csv(rows, tmp_path_factory.mktemp("periods") / "answers.csv")
    with spark_engine.begin() as connection:
        create_table(connection, "period_answers", csv_file)
    return rows


def _local_day(moment: dt.datetime, zone: str) -> dt.date:
    return moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).date()


@pytest.mark.parametrize("session_zone", SESSION_ZONES)
def test_every_answer_falls_in_the_same_period_as_in_python(
    spark_engine: Engine, answers: list[Answer], session_zone: str
) -> None:
    t = table("period_answers", column("response_id"), column("question"), column("recorded_at"))
    calendars = list(CalendarPeriod)
    columns = [
        SparkPeriodStart(t.c.recorded_at, calendar, zone).label(f"{calendar.value}_{i}")
        for i, zone in enumerate(ZONES)
        for calendar in calendars
    ] + [
        SparkRollingIndex(t.c.recorded_at, days, AS_OF, zone).label(f"rolling{days}_{i}")
        for i, zone in enumerate(ZONES)
        for days in (7, 30)
    ]
    with spark_engine.connect() as connection:
        connection.exec_driver_sql(f"SET spark.sql.session.timeZone={session_zone}")
        try:
            rows = (
                connection.execute(select(t.c.response_id, t.c.question, *columns)).mappings().all()
            )
        finally:
            connection.exec_driver_sql("SET spark.sql.session.timeZone=UTC")
    by_key = {(a.response_id, a.question): a for a in answers}
    assert len(rows) == len(answers)
    for row in rows:
        moment = by_key[(row["response_id"], row["question"])].recorded_at
        for i, zone in enumerate(ZONES):
            day = _local_day(moment, zone)
            for calendar in calendars:
                expected = period_containing(day, Window(calendar=calendar), AS_OF).start
                assert row[f"{calendar.value}_{i}"] == expected, (moment, zone, calendar)
            for days in (7, 30):
                window = Window(rolling_days=days)
                end = period_containing(day, window, AS_OF).end
                assert row[f"rolling{days}_{i}"] == (AS_OF - end).days // days, (moment, zone)


def test_answers_near_midnight_move_to_the_next_month_in_helsinki(answers: list[Answer]) -> None:
    """The data itself puts answers on both sides of a month's end in UTC and Helsinki, so the
    comparison above can tell the zones apart."""
    moved = [a for a in answers if a.recorded_at.month != _local_day(a.recorded_at, ZONES[0]).month]
    assert len(moved) > 20


def test_the_loaded_table_holds_every_answer(spark_engine: Engine, answers: list[Answer]) -> None:
    with spark_engine.connect() as connection:
        got = connection.exec_driver_sql(
            "SELECT count(*), count(value), count(comment), sum(value) FROM period_answers"
        ).one()
    values = [a.value for a in answers if a.value is not None]
    assert tuple(got) == (
        len(answers),
        len(values),
        sum(a.comment is not None for a in answers),
        pytest.approx(sum(values)),
    )
