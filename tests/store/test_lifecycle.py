"""The store survives what happens to real deployments: a batch killed halfway, and a database
created by an older cxgov."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from cxgov import api
from cxgov.store.engine import current_revision, head_revision, make_engine, open_store
from tests.clock import clock
from tests.conftest import FIXTURES, ROOT
from tests.store.conftest import TABLES

SHOP = str(FIXTURES / "shop")
HEADER = "response,answered_at,question,score,customer,comment,company_size,region\n"


def _count(url: str, table: str) -> int:
    engine = open_store(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def _data_file(path: Path, prefix: str, rows: int) -> Path:
    with path.open("w") as handle:
        handle.write(HEADER)
        for i in range(rows):
            handle.write(f"{prefix}{i},2026-03-01T10:00:00,NPS,{i % 11},c{i % 500},,small,north\n")
    return path


@pytest.mark.child_process
def test_a_batch_killed_halfway_leaves_nothing_and_a_rerun_completes(
    db_url: str, tmp_path: Path
) -> None:
    files = [_data_file(tmp_path / f"answers{n}.csv", f"f{n}-", 60_000) for n in range(3)]
    command = [
        sys.executable,
        "-m",
        "cxgov",
        "ingest",
        "--program",
        SHOP,
        "--source",
        "answers",
        *map(str, files),
        "--db",
        db_url,
    ]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    first = process.stderr.readline()  # printed once the first file is staged
    assert "answers0.csv" in first, first
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert _count(db_url, "feedback") == 0
    assert _count(db_url, "ingest_batches") == 0
    assert _count(db_url, "batch_files") == 0
    rerun = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert _count(db_url, "feedback") == 180_000
    assert _count(db_url, "ingest_batches") == 1


def test_a_store_from_the_first_migration_is_upgraded_without_losing_rows(
    db_url: str, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        for table in [*TABLES, "alembic_version"]:
            connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()
    after = api.db_upgrade(db_url, "0001").after
    assert after == "0001"
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO ingest_batches (program, source, kind, rows_read, accepted, inserted, updated, unchanged, rejected, started_at, status) "
                "VALUES ('shop', 'answers', 'feedback', 1, 1, 1, 0, 0, 0, '2025-01-01 00:00:00', 'committed')"
            )
        )
        batch = connection.execute(text("SELECT id FROM ingest_batches")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO feedback (program, source, response_id, measurement_point, collected_at, value, not_applicable, segments, batch_id) "
                "VALUES ('shop', 'answers', 'old-1', 'mp-nps', '2025-01-01 00:00:00', 9, false, '{}', :batch)"
            ),
            {"batch": batch},
        )
    engine.dispose()
    upgraded = open_store(db_url)  # first use upgrades automatically
    assert current_revision(upgraded) == head_revision()
    upgraded.dispose()
    assert _count(db_url, "feedback") == 1
    assert _count(db_url, "kpi_values") == 0
    path = tmp_path / "answers.csv"
    path.write_text(HEADER + "old-1,2026-03-01T10:00:00,NPS,3,c,,small,north\n")
    summary = api.ingest(SHOP, "answers", [str(path)], db=db_url, clock=clock)
    assert summary.updated == 1 and _count(db_url, "feedback") == 1


def test_db_upgrade_command_reports_the_revisions(db_url: str) -> None:
    from click.testing import CliRunner

    from cxgov.cli import cli

    result = CliRunner().invoke(cli, ["db", "upgrade", "--db", db_url])
    assert result.exit_code == 0
    assert head_revision() in result.stdout
