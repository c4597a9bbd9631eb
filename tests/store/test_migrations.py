"""The migrations build exactly the schema of cxgov/store/tables.py, on both databases, and the
stock `alembic` command runs them with the ini cxgov ships.

A difference here means a model changed without a migration (or the other way round): the
ORM would then query columns or rely on indexes a migrated store does not have.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import DefaultClause, MetaData, String, create_engine, text

import cxgov.store.migrations
from cxgov.store.engine import (
    COMPARE_OPTIONS,
    URL_ENV,
    current_revision,
    head_revision,
    make_engine,
    open_store,
    upgrade,
)
from cxgov.store.tables import Base

ALEMBIC = Path(sys.executable).with_name("alembic")
# found the way docs/cli.md tells users to find it: inside the installed package
INI = Path(cxgov.store.migrations.__path__[0]) / "alembic.ini"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database without any of cxgov's tables (PostgreSQL: this module's own database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield url


def differences(url: str, metadata: MetaData = Base.metadata) -> list[Any]:
    """What `alembic check` would report: autogenerate's comparison with env.py's options."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts=dict(COMPARE_OPTIONS))
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def summary(diffs: list[Any]) -> set[tuple[str, ...]]:
    """(operation, table, name) per difference; column changes come grouped in lists."""
    found: set[tuple[str, ...]] = set()
    for diff in diffs:
        for op in diff if isinstance(diff, list) else [diff]:
            if op[0].endswith("_index"):
                found.add((op[0], op[1].table.name, op[1].name))
            elif op[0].startswith("modify_"):
                found.add((op[0], op[2], op[3]))
            else:
                found.add((op[0], repr(op[1:])))
    return found


def test_a_fresh_store_migrated_to_head_has_exactly_the_tables_schema(empty_db_url: str) -> None:
    engine = make_engine(empty_db_url)
    assert current_revision(engine) is None, "the store is not fresh"
    engine.dispose()
    open_store(empty_db_url).dispose()  # migrates to head, as on first use
    engine = make_engine(empty_db_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()
    diffs = differences(empty_db_url)
    listing = "\n".join(f"  {d!r}" for d in diffs)
    assert not diffs, (
        "the migrated schema differs from cxgov/store/tables.py; fix the model to match the "
        f"migrations, or add a migration:\n{listing}"
    )


def test_the_comparison_reports_indexes_types_and_server_defaults(empty_db_url: str) -> None:
    """The check above is only worth something if drift shows up: drift a copy of the tables."""
    open_store(empty_db_url).dispose()
    drifted = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    rejected = drifted.tables["rejected_rows"]
    rejected.indexes = {i for i in rejected.indexes if i.name != "ix_rejected_rows_batch"}
    drifted.tables["feedback"].c.comment.type = String(10)
    kind = drifted.tables["ingest_batches"].c.kind
    kind.server_default = DefaultClause("feedback")
    assert summary(differences(empty_db_url, drifted)) == {
        ("remove_index", "rejected_rows", "ix_rejected_rows_batch"),
        ("modify_type", "feedback", "comment"),
        ("modify_default", "ingest_batches", "kind"),
    }


def alembic(*args: str, cwd: Path, env_url: str | None = None) -> subprocess.CompletedProcess[str]:
    """The stock `alembic` command with cxgov's ini, as a user runs it."""
    env = {k: v for k, v in os.environ.items() if k != URL_ENV}
    if env_url is not None:
        env[URL_ENV] = env_url
    return subprocess.run(
        [str(ALEMBIC), "-c", str(INI), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def revision_of(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def test_stock_alembic_upgrades_a_fresh_store_and_its_check_passes(
    empty_db_url: str, tmp_path: Path
) -> None:
    db = f"db={empty_db_url}"
    stale = alembic("-x", db, "check", cwd=tmp_path)
    assert stale.returncode != 0, "check must fail on a store that is not migrated"
    assert "not up to date" in stale.stdout + stale.stderr
    upgraded = alembic("-x", db, "upgrade", "head", cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    assert f"-> {head_revision()}" in upgraded.stderr, "progress lines come through logging"
    assert revision_of(empty_db_url) == head_revision()
    checked = alembic("-x", db, "check", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "No new upgrade operations detected." in checked.stdout
    assert not (tmp_path / ".cxgov").exists(), "-x db was not used"


def test_stock_alembic_finds_the_database_as_cxgov_does(tmp_path: Path) -> None:
    from_env = f"sqlite:///{tmp_path / 'env.db'}"
    given = f"sqlite:///{tmp_path / 'given.db'}"
    default = alembic("upgrade", "head", cwd=tmp_path)
    assert default.returncode == 0, default.stderr
    assert revision_of(f"sqlite:///{tmp_path / '.cxgov' / 'cxgov.db'}") == head_revision()
    assert alembic("upgrade", "0001", cwd=tmp_path, env_url=from_env).returncode == 0
    assert (
        alembic("-x", f"db={given}", "upgrade", "0002", cwd=tmp_path, env_url=from_env).returncode
        == 0
    )
    assert (revision_of(from_env), revision_of(given)) == ("0001", "0002")


def test_stock_alembic_prints_sql_offline_without_touching_the_database(tmp_path: Path) -> None:
    never = tmp_path / "never"
    sqlite = alembic(
        "-x", f"db=sqlite:///{never / 'store.db'}", "upgrade", "head", "--sql", cwd=tmp_path
    )
    assert sqlite.returncode == 0, sqlite.stderr
    assert "CREATE TABLE feedback" in sqlite.stdout
    assert not never.exists()
    # nothing listens on port 1: connecting would fail
    postgres = alembic(
        "-x", "db=postgresql://nobody@127.0.0.1:1/none", "upgrade", "head", "--sql", cwd=tmp_path
    )
    assert postgres.returncode == 0, postgres.stderr
    assert "JSONB" in postgres.stdout and "CREATE TABLE comment_tags" in postgres.stdout


def test_stock_alembic_refuses_other_databases_in_one_line(tmp_path: Path) -> None:
    result = alembic(
        "-x", "db=mysql+pymysql://root@127.0.0.1:3306/test", "upgrade", "head", cwd=tmp_path
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "FAILED: unsupported database 'mysql'" in output
    assert "Traceback" not in output


def test_stored_pass_verdicts_are_told_apart_on_upgrade(empty_db_url: str) -> None:
    """Version 0007 relabels `pass`: on target when the value reached the target (the
    direction read from the thresholds), within noise otherwise; nothing else changes."""
    engine = make_engine(empty_db_url)
    try:
        upgrade(engine, "0006")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO evaluation_runs (id, program, as_of, program_hash, started_at, "
                    "status) VALUES (1, 'p', '2026-01-01', 'h', '2026-01-01 00:00:00', 'finished')"
                )
            )
            rows = [
                # (status, value, target, warn, fail): higher is better, then lower is better
                ("pass", 82.0, 80.0, 70.0, 60.0),
                ("pass", 76.0, 80.0, 70.0, 60.0),
                ("pass", 2.1, 2.0, 2.5, 3.0),
                ("pass", 1.9, 2.0, 2.5, 3.0),
                ("warn", 65.0, 80.0, 70.0, 60.0),
            ]
            for i, (status, value, target, warn, fail) in enumerate(rows, start=1):
                connection.execute(
                    text(
                        "INSERT INTO verdicts (id, run_id, objective, measurement_point, kpi, "
                        "segment, period_start, period_end, complete, status, value, n, "
                        "target, warn, fail, rule, trend) VALUES (:id, 1, 'o', 'm', 'k', '{}', "
                        "'2026-01-01', '2026-01-31', true, :status, :value, 50, :target, "
                        ":warn, :fail, 'point', '{}')"
                    ),
                    {
                        "id": i,
                        "status": status,
                        "value": value,
                        "target": target,
                        "warn": warn,
                        "fail": fail,
                    },
                )
        upgrade(engine)
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT status, sustained FROM verdicts ORDER BY id")
            ).all()
        assert [tuple(r) for r in found] == [
            ("on_target", 0),
            ("within_noise", 0),
            ("within_noise", 0),
            ("on_target", 0),
            ("warn", 0),
        ]
    finally:
        engine.dispose()
