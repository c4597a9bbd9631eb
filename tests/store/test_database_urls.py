"""Database URLs the store cannot use are usage errors (exit 2) named before connecting: other
databases such as MariaDB, unreadable URLs, drivers that are not installed. None of this needs
a MySQL driver or server: nothing here connects."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Connection, Engine, create_mock_engine

from cxgov import api
from cxgov.cli import cli
from cxgov.errors import DatabaseUrlError
from cxgov.judgement.outcome import ExitCode
from cxgov.store.engine import make_engine
from cxgov.store.feedback import Stager
from cxgov.store.locks import run_lock
from tests.conftest import FIXTURES

SHOP = str(FIXTURES / "shop")
MARIADB = [
    "mysql+pymysql://root@127.0.0.1:3306/test",
    "mysql://root@127.0.0.1:3306/test",
    "mariadb://root@127.0.0.1:3306/test",
]
ANSWERS = (
    "response,answered_at,question,score,customer,comment,company_size,region\n"
    "r1,2026-03-01T10:00:00,NPS,9,cust-1,,small,north\n"
)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def assert_usage_error(result: Result, *expected: str) -> None:
    assert result.exit_code == ExitCode.USAGE, result.output
    for text in expected:
        assert text in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert "internal error" not in result.output


@pytest.mark.parametrize("url", MARIADB)
def test_data_status_on_mariadb_is_a_usage_error(url: str) -> None:
    backend = url.split(":", 1)[0].split("+", 1)[0]
    result = invoke("data", "status", "--program", SHOP, "--db", url)
    assert_usage_error(
        result,
        f"unsupported database '{backend}'",
        "cxgov's store runs on SQLite and PostgreSQL",
    )


@pytest.mark.parametrize("url", MARIADB)
def test_ingest_into_mariadb_is_a_usage_error(url: str, tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(ANSWERS, encoding="utf-8")
    result = invoke("ingest", "--program", SHOP, "--source", "answers", str(path), "--db", url)
    assert_usage_error(result, "unsupported database", "SQLite and PostgreSQL")


def test_the_environment_variable_is_checked_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CXGOV_DATABASE_URL", MARIADB[0])
    path = tmp_path / "answers.csv"
    path.write_text(ANSWERS, encoding="utf-8")
    result = invoke("ingest", "--program", SHOP, "--source", "answers", str(path))
    assert_usage_error(result, "unsupported database 'mysql'")


def test_db_upgrade_on_mariadb_is_a_usage_error() -> None:
    assert_usage_error(invoke("db", "upgrade", "--db", MARIADB[0]), "unsupported database")


def test_the_password_is_never_shown() -> None:
    result = invoke("data", "status", "--program", SHOP, "--db", "mysql://root:s3cret@h/test")
    assert_usage_error(result, "mysql://root:***@h/test")
    assert "s3cret" not in result.output
    # an unreadable URL cannot be shown with its password hidden, so it is not shown at all
    unreadable = invoke("data", "status", "--program", SHOP, "--db", "root:s3cret@h/test")
    assert_usage_error(unreadable, "cannot read the database URL", "sqlite:///PATH")
    assert "s3cret" not in unreadable.output


def test_a_driver_that_is_not_installed_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes the import fail, whether or not psycopg2 is installed here;
    # port 1 has no server, should anything try to connect
    monkeypatch.setitem(sys.modules, "psycopg2", None)
    result = invoke(
        "data", "status", "--program", SHOP, "--db", "postgresql+psycopg2://u@127.0.0.1:1/x"
    )
    assert_usage_error(result, "database driver 'psycopg2'", "not available")
    unknown = invoke(
        "data", "status", "--program", SHOP, "--db", "postgresql+nosuchdriver://u@127.0.0.1:1/x"
    )
    assert_usage_error(unknown, "database driver 'nosuchdriver'")


def test_the_api_raises_a_usage_error_that_is_also_a_store_error() -> None:
    with pytest.raises(api.UsageError, match="unsupported database 'mariadb'") as raised:
        api.status(SHOP, db=MARIADB[2])
    assert isinstance(raised.value, api.StoreError)


def _mariadb_engine() -> Any:
    """An engine of MariaDB's dialect that executes nothing (no driver, no server)."""

    def execute(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("nothing may run on this database")

    return create_mock_engine("mysql+pymysql://root@127.0.0.1:3306/test", execute)


def test_sqlite_code_does_not_run_on_a_third_database() -> None:
    """The ingest's SQLite branches (PRAGMA cache_size, ...) used to run on any database that
    was not PostgreSQL; an engine made around make_engine is refused instead."""
    engine = _mariadb_engine()
    with pytest.raises(DatabaseUrlError, match="unsupported database 'mysql'"):
        Stager(cast(Connection, engine), program="shop", source="answers", batch_id=1)
    with (
        pytest.raises(DatabaseUrlError, match="unsupported database 'mysql'"),
        run_lock(cast(Engine, engine), "shop"),
    ):
        pass


def test_make_engine_accepts_both_store_databases(tmp_path: Path) -> None:
    for url in (f"sqlite:///{tmp_path / 'x.db'}", "postgresql+psycopg://u@127.0.0.1:1/x"):
        engine = make_engine(url)  # does not connect
        assert engine.dialect.name in {"sqlite", "postgresql"}
        engine.dispose()


def test_an_unknown_migration_revision_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke(
        "db", "upgrade", "--db", f"sqlite:///{tmp_path / 's.db'}", "--revision", "bogus"
    )
    assert_usage_error(result, "--revision bogus", "bogus")


def test_a_new_sqlite_store_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    from cxgov.store.engine import open_store

    path = tmp_path / "stores" / "cxgov.db"
    engine = open_store(f"sqlite:///{path}")
    engine.dispose()
    assert path.stat().st_mode & 0o777 == 0o600
    path.chmod(0o640)
    open_store(f"sqlite:///{path}").dispose()
    assert path.stat().st_mode & 0o777 == 0o640, "an existing store keeps its permissions"
