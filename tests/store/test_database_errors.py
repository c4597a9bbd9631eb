"""A database error is a bug report that ends up in CI logs: it names what failed, never the
data of the statement (customer keys, comments, response ids), on either database."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, event, insert

from cxgov.cli import cli
from cxgov.cli.common import guarded
from cxgov.ingest.pseudonym import pseudonymiser
from cxgov.store import batches
from cxgov.store.engine import open_store
from cxgov.store.pseudonym_key import KEY_ENV
from cxgov.store.tables import FEEDBACK
from tests.conftest import ROOT
from tests.site.conftest import AIRLINE_CSV

CUSTOMER_KEY = "c0ffee" * 5 + "42"
COMMENT = "my neighbour in 14C was rude"
RESPONSE_ID = "RESP-4711-zeta"
STARTED = dt.datetime(2026, 6, 30, 3, 0)


def _insert_twice(db_url: str) -> int:
    engine = open_store(db_url)
    try:
        with engine.begin() as connection:
            batch = batches.open_batch(
                connection, program="p", source="s", kind="feedback", started=STARTED
            )
        row = {
            "program": "p",
            "source": "s",
            "response_id": RESPONSE_ID,
            "measurement_point": "m",
            "collected_at": STARTED,
            "value": 1.0,
            "not_applicable": False,
            "customer_key": CUSTOMER_KEY,
            "segments": {"route": "HEL-OUL"},
            "comment": COMMENT,
            "batch_id": batch,
        }
        with engine.begin() as connection:
            connection.execute(insert(FEEDBACK), [row, row])
    finally:
        engine.dispose()
    return 0


def test_a_constraint_violation_shows_no_values(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as ended:
        guarded(_insert_twice)(db_url)
    assert ended.value.code == 3
    shown = capsys.readouterr().err
    assert "internal error" in shown and "IntegrityError" in shown
    assert "uq_feedback_answer" in shown or "UNIQUE constraint failed" in shown
    for value in (CUSTOMER_KEY, COMMENT, RESPONSE_ID, "HEL-OUL", "14C"):
        assert value not in shown, f"{value!r} in the error"
    assert "DETAIL" not in shown


def _program(folder: Path, customers: list[str]) -> Path:
    program = folder / "airline"
    shutil.copytree(ROOT / "programs" / "airline", program, ignore=shutil.ignore_patterns("data"))
    sources = program / "sources.yaml"
    sources.write_text(
        sources.read_text(encoding="utf-8").replace(
            "      segments:\n",
            "      comment: Comment\n      customer: Customer\n      segments:\n",
        ),
        encoding="utf-8",
    )
    data = program / "data"
    data.mkdir()
    with AIRLINE_CSV.open(encoding="utf-8", newline="") as source:
        rows = list(csv.reader(source))
    with (data / "airline-2026-10.csv").open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        writer.writerow([*rows[0], "Comment", "Customer"])
        for index, row in enumerate(rows[1:]):
            writer.writerow([*row, f"{COMMENT} #{index}", customers[index % len(customers)]])
    return program


def test_a_full_disk_during_an_ingest_shows_no_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    customers = [f"CUST-{n:04d}" for n in range(120)]
    program = _program(tmp_path, customers)
    monkeypatch.setenv(KEY_ENV, "k" * 64)
    keys = [pseudonymiser("k" * 64)(c) for c in customers]
    db = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(db).dispose()  # migrated while there is room

    def _full(dbapi_connection: Any, _record: Any) -> None:
        # the store may not grow beyond its migrated size: SQLite's own "disk is full"
        cursor = dbapi_connection.cursor()
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count={pages + 2}")
        cursor.close()

    event.listen(Engine, "connect", _full)
    try:
        result = CliRunner().invoke(
            cli, ["ingest", "--program", str(program), "--source", "airline-survey", "--db", db]
        )
    finally:
        event.remove(Engine, "connect", _full)
    assert result.exit_code == 3, result.output
    assert "database or disk is full" in result.output
    for value in [COMMENT, *customers, *keys]:
        assert value not in result.output, f"{value!r} in the error"
