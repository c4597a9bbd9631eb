"""Spark takes every answer's local day in the program's zone as cxgov does in Python, for an
instant column (TIMESTAMP) and a wall-time column (TIMESTAMP_NTZ), whatever the session's zone:
the server's is UTC, a cluster's or a Databricks warehouse's may be anything."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, column, select, table

from cxgov.warehouse.dialects import LocalDay
from cxgov.warehouse.spark import describe
from tests.warehouse.answers import COLUMNS, Answer, answers
from tests.warehouse.spark.table import RECORDED, WALL, ZONE, SparkTable

PROGRAM_ZONES = ["Europe/Helsinki", "America/Los_Angeles", "Asia/Kolkata"]
SESSION_ZONES = ["UTC", "America/New_York", "Pacific/Kiritimati"]


@pytest.fixture(scope="module")
def rows(spark_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> list[Answer]:
    found = answers(
        21, 120, dt.date(2026, 1, 1), dt.date(2026, 11, 30), dt.datetime(2026, 12, 1, 3, 0)
    )
    SparkTable(spark_engine, tmp_path_factory.mktemp("local-day"), "local_days").load(found)
    return found


def _day(wall: dt.datetime, zone: str) -> dt.date:
    return wall.replace(tzinfo=ZoneInfo(ZONE)).astimezone(ZoneInfo(zone)).date()


@pytest.mark.parametrize("session_zone", SESSION_ZONES)
def test_every_local_day_is_the_one_python_takes(
    spark_engine: Engine, rows: list[Answer], session_zone: str
) -> None:
    t = table("local_days", column(COLUMNS[0]), column("question_id"), column(RECORDED))
    wall_column = column(WALL)
    days = []
    for i, zone in enumerate(PROGRAM_ZONES):
        days.append(LocalDay(t.c[RECORDED], None, zone).label(f"instant{i}"))
        days.append(LocalDay(wall_column, ZONE, zone).label(f"wall{i}"))
    with spark_engine.connect() as connection:
        connection.exec_driver_sql(f"SET spark.sql.session.timeZone={session_zone}")
        try:
            got = connection.execute(select(t.c[COLUMNS[0]], t.c.question_id, *days)).all()
        finally:
            connection.exec_driver_sql("SET spark.sql.session.timeZone=UTC")
    by_key = {(r.survey_response_id, r.question_id): r.survey_response_recorded_at for r in rows}
    assert len(got) == len(rows)
    for row in got:
        wall = by_key[(row[0], row[1])]
        for i, zone in enumerate(PROGRAM_ZONES):
            expected = _day(wall, zone).isoformat()
            # PyHive hands DATE values over as ISO text
            assert (str(row[2 + 2 * i]), str(row[3 + 2 * i])) == (expected, expected), (
                wall,
                zone,
                session_zone,
            )


def test_the_answers_straddle_midnight_in_every_zone(rows: list[Answer]) -> None:
    """Without answers whose day differs between the zones, the comparison above could not
    tell a wrong zone from the right one."""
    for zone in PROGRAM_ZONES[1:]:
        moments = [r.survey_response_recorded_at for r in rows]
        assert sum(_day(moment, zone) != moment.date() for moment in moments) > 30


def test_a_spark_table_is_described_with_its_instants(
    spark_engine: Engine, rows: list[Answer]
) -> None:
    """A TIMESTAMP holds instants, a TIMESTAMP_NTZ wall times; a missing table is no table."""
    with spark_engine.connect() as connection:
        columns = describe(connection, None, "local_days")
        assert describe(connection, "default", "no_such_table") == {}
    assert columns[RECORDED] is True
    assert columns[WALL] is False
    assert columns["survey_response_last_modified_at"] is True
    assert not any(columns[c] for c in (COLUMNS[0], "value", "tier"))
