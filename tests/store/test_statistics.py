"""A large batch leaves PostgreSQL with fresh statistics of `feedback`, so the nightly
evaluation right after it is planned for the table's real size."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from cxgov import api
from cxgov.store import feedback
from cxgov.store.engine import open_store
from tests.clock import clock
from tests.conftest import FIXTURES

HEADER = "response,answered_at,question,score,customer,comment,company_size,region\n"


def _answers(path: Path, rows: int, prefix: str) -> Path:
    path.write_text(
        HEADER
        + "".join(
            f"{prefix}{i},2026-02-{1 + i % 27:02d}T10:00:00,DELIVERY,{1 + i % 5},c{i},,small,\n"
            for i in range(rows)
        )
    )
    return path


def _manually_analysed(url: str) -> bool:
    engine = open_store(url)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'feedback'")
            ).scalar_one()
    finally:
        engine.dispose()
    return found is not None


def test_only_a_batch_above_the_threshold_analyses_feedback(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feedback, "ANALYZE_AFTER_ROWS", 200)
    program = str(FIXTURES / "shop")
    small = _answers(tmp_path / "small.csv", 150, "s")
    assert (
        api.ingest(program, "answers", [str(small)], db=postgres_url, clock=clock).inserted == 150
    )
    assert not _manually_analysed(postgres_url)
    large = _answers(tmp_path / "large.csv", 250, "l")
    assert (
        api.ingest(program, "answers", [str(large)], db=postgres_url, clock=clock).inserted == 250
    )
    assert _manually_analysed(postgres_url)


def test_sqlite_needs_no_statistics(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        assert feedback.refresh_statistics(engine, 10**9) is False
    finally:
        engine.dispose()
