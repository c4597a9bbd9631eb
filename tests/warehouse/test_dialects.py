"""The counts query compiled, without a connection, for every engine a table source runs
on, against golden SQL per dialect (tests/fixtures/warehouse/golden); and each dialect's
local day for the three kinds of timestamp column.

BigQuery, Snowflake and Databricks are supported by compilation: their dialects
(`cxgov[warehouse-compile]`) turn the statement into SQL here, and no engine runs it. After a
deliberate change of the query, CXGOV_UPDATE_GOLDEN=1 writes the files again for review."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, DateTime, Float, MetaData, String, Table, column
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.engine import Dialect

from cxgov.api._program import load_program
from cxgov.judgement.periods import periods
from cxgov.warehouse.answers import Window, answers
from cxgov.warehouse.counts import Branch, WindowCells, count_statement
from cxgov.warehouse.dialects import LocalDay, UnsupportedEngine
from tests.warehouse.answers import FIXTURE

GOLDEN = FIXTURE / "golden"
AS_OF = dt.date(2026, 12, 1)


def dialect(name: str) -> Dialect:
    if name == "postgresql":
        return postgresql.dialect()  # type: ignore[no-any-return]
    modules = {
        "duckdb": ("duckdb_engine", "Dialect"),
        "bigquery": ("sqlalchemy_bigquery", "BigQueryDialect"),
        "snowflake": ("snowflake.sqlalchemy.snowdialect", "SnowflakeDialect"),
        "databricks": ("databricks.sqlalchemy", "DatabricksDialect"),
        "hive": ("pyhive.sqlalchemy_hive", "HiveDialect"),
    }
    module, name_ = modules[name]
    try:
        found = __import__(module, fromlist=[name_])
    except ImportError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{module} is not installed and CI=true: {exc}")
        pytest.skip(f"{module} is not installed (cxgov[warehouse-compile], cxgov[duckdb])")
    return getattr(found, name_)()  # type: ignore[no-any-return]


def described_table(instants: bool) -> Table:
    """The fixture's `qualtrics__response` as an engine would describe it: its answer times
    instants (`TIMESTAMP WITH TIME ZONE`) or wall times."""
    return Table(
        "qualtrics__response",
        MetaData(),
        Column("survey_response_id", String),
        Column("question_id", String),
        Column("survey_response_recorded_at", DateTime(timezone=instants)),
        Column("value", Float),
        Column("recipient_email", String),
        Column("comment", String),
        Column("tier", String),
        Column("terminal", String),
        Column("survey_response_last_modified_at", DateTime),
        schema="analytics",
    )


def counts_query(instants: bool) -> Any:
    program = load_program(str(FIXTURE))
    source = program.sources[0]
    table = described_table(instants)
    monthly = periods(program.measurement_points[0].window, dt.date(2026, 9, 1), AS_OF)
    rolling = periods(program.measurement_points[2].window, dt.date(2026, 9, 1), AS_OF)
    dimensions = ["terminal", "tier"]
    relation = answers(
        source,
        table,
        program,
        ["mp-effort", "mp-food", "mp-nps"],
        dimensions,
        Window(rolling[0].start, AS_OF),
    )
    windows = [
        WindowCells(monthly, frozenset({"mp-food", "mp-nps"})),
        WindowCells(rolling, frozenset({"mp-effort"})),
    ]
    branches = [
        Branch(0, (), None),
        Branch(0, ("tier",), frozenset({"mp-nps"})),
        Branch(0, ("terminal", "tier"), frozenset({"mp-food"})),
        Branch(1, (), None),
    ]
    return count_statement(
        relation, windows, branches, dimensions, [(4.0, 5.0), (5.0, 7.0)], {"mp-effort": 6.0}
    )


def rendered(statement: Any, name: str) -> str:
    sql = str(statement.compile(dialect=dialect(name), compile_kwargs={"literal_binds": True}))
    return "\n".join(line.rstrip() for line in sql.splitlines()) + "\n"


ENGINES = ["bigquery", "databricks", "duckdb", "hive", "postgresql", "snowflake"]
GOLDEN_NAMES = {"hive": "spark"}
"""Golden files named after the engine rather than its dialect: PyHive's `hive` is Spark's
Thrift server here."""


@pytest.mark.parametrize("name", ENGINES)
def test_counts_query_matches_its_golden_sql(name: str) -> None:
    # BigQuery's TIMESTAMP, Snowflake's TIMESTAMP_TZ, ... hold instants; a DuckDB file holds
    # wall times more often: both kinds are covered by the local-day tests below
    sql = rendered(counts_query(instants=name != "duckdb"), name)
    golden = GOLDEN / f"{GOLDEN_NAMES.get(name, name)}.sql"
    if os.environ.get("CXGOV_UPDATE_GOLDEN") == "1":
        golden.write_text(sql, encoding="utf-8")
    assert sql == golden.read_text(encoding="utf-8")
    assert "json" not in sql.lower(), "segments are real columns"


def local_day(name: str, source_zone: str | None) -> str:
    element = LocalDay(column("t"), source_zone, "Europe/Helsinki")
    return str(element.compile(dialect=dialect(name), compile_kwargs={"literal_binds": True}))


@pytest.mark.parametrize(
    ("name", "instant", "same_zone", "other_zone"),
    [
        (
            "postgresql",
            "CAST((t AT TIME ZONE 'Europe/Helsinki') AS DATE)",
            "CAST(t AS DATE)",
            "CAST(((t AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Helsinki') AS DATE)",
        ),
        (
            "duckdb",
            "CAST((t AT TIME ZONE 'Europe/Helsinki') AS DATE)",
            "CAST(t AS DATE)",
            "CAST(((t AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Helsinki') AS DATE)",
        ),
        (
            "bigquery",
            "DATE(`t`, 'Europe/Helsinki')",
            "DATE(`t`)",
            "DATE(TIMESTAMP(`t`, 'UTC'), 'Europe/Helsinki')",
        ),
        (
            "snowflake",
            "CAST(CONVERT_TIMEZONE('Europe/Helsinki', t) AS DATE)",
            "CAST(t AS DATE)",
            "CAST(CONVERT_TIMEZONE('UTC', 'Europe/Helsinki', t) AS DATE)",
        ),
        (
            "databricks",
            "to_date(from_utc_timestamp(to_utc_timestamp(t, current_timezone()), 'Europe/Helsinki'))",
            "to_date(t)",
            "to_date(from_utc_timestamp(to_utc_timestamp(t, 'UTC'), 'Europe/Helsinki'))",
        ),
        (
            "hive",
            "to_date(from_utc_timestamp(to_utc_timestamp(`t`, current_timezone()), 'Europe/Helsinki'))",
            "to_date(`t`)",
            "to_date(from_utc_timestamp(to_utc_timestamp(`t`, 'UTC'), 'Europe/Helsinki'))",
        ),
    ],
)
def test_each_dialect_takes_the_local_day_with_its_own_functions(
    name: str, instant: str, same_zone: str, other_zone: str
) -> None:
    assert local_day(name, None) == instant
    assert local_day(name, "Europe/Helsinki") == same_zone
    assert local_day(name, "UTC") == other_zone


@pytest.mark.parametrize("engine", [mysql.dialect(), sqlite.dialect()])
def test_an_engine_without_a_local_day_is_refused_by_name(engine: Dialect) -> None:
    with pytest.raises(UnsupportedEngine, match=rf"cannot run on '{engine.name}'"):
        LocalDay(column("t"), None, "Europe/Helsinki").compile(dialect=engine)


def test_golden_files_are_all_used() -> None:
    assert sorted(p.stem for p in Path(GOLDEN).glob("*.sql")) == sorted(
        GOLDEN_NAMES.get(name, name) for name in ENGINES
    )
