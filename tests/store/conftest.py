"""Store tests run on both databases: SQLite (a file per test) and a real PostgreSQL server.

PostgreSQL comes from CXGOV_TEST_POSTGRES_URL (default: the server on 127.0.0.1:5432, database
`test`); each test module gets a database of its own, dropped afterwards, and tables are emptied
between tests. With CI=true an unreachable server fails the run; elsewhere those tests skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from cxgov.store.engine import open_store
from cxgov.store.pseudonym_key import KEY_ENV

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
POSTGRES_KEY = "the test servers' pseudonymisation key"
TABLES = [
    "run_sections",
    "comment_tags",
    "digests",
    "deliveries",
    "action_events",
    "actions",
    "rejected_rows",
    "quarantined_files",
    "batch_files",
    "feedback",
    "kpi_values",
    "ingest_batches",
    "store_settings",
    "verdicts",
    "evaluation_runs",
    "rollups",
    "rollup_state",
    "table_source_state",
]


def _admin_dsn(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    base = os.environ.get("CXGOV_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    try:
        admin = psycopg.connect(_admin_dsn(base), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {base} is unreachable and CI=true: {exc}")
        pytest.skip(f"PostgreSQL at {base} is unreachable (set CXGOV_TEST_POSTGRES_URL): {exc}")
    name = f"cxgov_test_{uuid.uuid4().hex[:12]}"
    with admin, pytest.MonkeyPatch.context() as patch:
        # a PostgreSQL store is shared: it takes its pseudonymisation key from the environment
        patch.setenv(KEY_ENV, POSTGRES_KEY)
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(base).set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store URL for each database; tables are empty at the start of each test."""
    if request.param == "sqlite":
        # a SQLite store keeps a generated key in a file beside it
        request.getfixturevalue("monkeypatch").delenv(KEY_ENV, raising=False)
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    url = request.getfixturevalue("postgres_url")
    empty_store(url)
    yield url


def empty_store(url: str) -> None:
    """Empty every table of the store at `url`, on either database."""
    engine = open_store(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in TABLES:
                connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()
