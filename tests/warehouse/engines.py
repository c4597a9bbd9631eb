"""The engines a table source is tested on, for real: a DuckDB file database and a schema of
its own in the PostgreSQL server the store tests use. With CI=true an engine that cannot
start fails the tests; elsewhere they skip."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.warehouse.answers import Answer, write_csv

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TABLE = "qualtrics__response"


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} and CI=true")
    pytest.skip(reason)


class DuckDb:
    """A DuckDB file database holding the answers table."""

    def __init__(self, directory: Path) -> None:
        try:
            import duckdb
        except ImportError:
            unavailable("duckdb is not installed (pip install cxgov[duckdb])")
        self.path = directory / "answers.duckdb"
        self.csv = directory / "load.csv"
        self.url = f"duckdb:///{self.path}"
        with duckdb.connect(str(self.path)) as connection:
            connection.execute(
                f"CREATE TABLE {TABLE} (survey_response_id VARCHAR, question_id VARCHAR, "
                "survey_response_recorded_at TIMESTAMP, value DOUBLE, recipient_email VARCHAR, comment VARCHAR, "
                "tier VARCHAR, terminal VARCHAR, survey_response_last_modified_at TIMESTAMP)"
            )

    def load(self, rows: list[Answer]) -> None:
        import duckdb

        write_csv(rows, self.csv, synced=True)
        with duckdb.connect(str(self.path)) as connection:
            connection.execute(f"COPY {TABLE} FROM '{self.csv}' (HEADER, NULLSTR '')")


class Postgres:
    """A schema of its own in the test server, with the answers' times as instants
    (TIMESTAMP WITH TIME ZONE), as a warehouse loader writes them."""

    def __init__(self, schema: str) -> None:
        base = os.environ.get("CXGOV_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
        self.dsn = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
        self.url = make_url(base).render_as_string(hide_password=False)
        self.schema = schema
        try:
            self.connection = psycopg.connect(self.dsn, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            unavailable(f"PostgreSQL at {base} is unreachable: {exc}")
        self.connection.execute(f'CREATE SCHEMA "{schema}"')
        self.connection.execute(
            f'CREATE TABLE "{schema}".{TABLE} (survey_response_id TEXT, question_id TEXT, '
            "survey_response_recorded_at TIMESTAMPTZ, value DOUBLE PRECISION, recipient_email TEXT, comment TEXT, "
            "tier TEXT, terminal TEXT, survey_response_last_modified_at TIMESTAMP)"
        )

    def load(self, rows: list[Answer], zone: str = "Europe/Helsinki") -> None:
        with self.connection.cursor().copy(f'COPY "{self.schema}".{TABLE} FROM STDIN') as copy:
            for r in rows:
                copy.write_row(
                    (
                        r.survey_response_id,
                        r.question_id,
                        f"{r.survey_response_recorded_at.isoformat(sep=' ')} {zone}",
                        r.value,
                        r.recipient_email,
                        r.comment,
                        r.tier,
                        r.terminal,
                        r.synced,
                    )
                )

    def close(self) -> None:
        self.connection.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')
        self.connection.close()


def postgres_schema() -> Iterator[Postgres]:
    database = Postgres(f"cxgov_wh_{uuid.uuid4().hex[:10]}")
    try:
        yield database
    finally:
        database.close()
