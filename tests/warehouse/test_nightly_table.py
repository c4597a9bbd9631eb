"""`cxgov run` from a table source on DuckDB, with cxgov's own store on SQLite and on
PostgreSQL: the run records the same verdicts and opens the same actions as the same answers
loaded from a CSV file; a second run judges again, since a table changes without a batch."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

from cxgov import api
from cxgov.store.engine import open_store
from cxgov.store.runs import latest_record
from tests.clock import TODAY, clock
from tests.conftest import ROOT
from tests.store.conftest import db_url, postgres_url  # noqa: F401  (fixtures)
from tests.warehouse.answers import answers, csv_program, table_program, write_csv
from tests.warehouse.engines import DuckDb
from tests.warehouse.test_table_source import FIRST, SYNCED

# the day before the data ends: answers after the as-of day never count, on either path; the
# month holding it is judged (the next month's first day would only be pending)
AS_OF_DAY = TODAY - dt.timedelta(days=1)
AS_OF = AS_OF_DAY.isoformat()


def _judged(db: str, program: str) -> tuple[dict[Any, Any], list[Any]]:
    engine = open_store(db)
    try:
        with engine.connect() as connection:
            record = latest_record(connection, program)
    finally:
        engine.dispose()
    assert record is not None
    verdicts = {
        (v.objective, v.segment, v.start): (v.status, v.value and round(v.value, 9), v.n)
        for v in record.verdicts
    }
    actions = sorted(
        (a.objective, tuple(sorted(a.segment.items())))
        for a in api.list_actions(db)
        if a.program == program
    )
    return verdicts, actions


def test_cxgov_run_from_a_duckdb_table(db_url: str, tmp_path: Path) -> None:  # noqa: F811
    rows = answers(8, 1500, FIRST, TODAY, SYNCED)
    duck = DuckDb(tmp_path)
    duck.load(rows)
    program = table_program(tmp_path / "table")
    command = [sys.executable, "-m", "cxgov", "run", "--program", str(program), "--as-of", AS_OF]
    command += ["--no-site", "--db", db_url, "--out", str(tmp_path / "reports")]
    environment = {**__import__("os").environ, "CXGOV_ANSWERS_URL": duck.url}
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300, env=environment
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "reports" / "lounge" / f"{AS_OF}.json").is_file()
    found = _judged(db_url, "lounge")

    csv_dir = csv_program(tmp_path / "csv")
    write_csv(rows, csv_dir / "data" / "answers.csv")
    csv_db = f"sqlite:///{tmp_path / 'csv.db'}"
    api.run(str(csv_dir), as_of=AS_OF_DAY, db=csv_db, out=None, clock=clock)
    expected = _judged(csv_db, "lounge")
    assert found == expected
    assert found[1], "the fixture's answers miss an objective, so the run opens actions"

    again = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=300, env=environment
    )
    assert again.returncode == 0, again.stderr
    assert "unchanged" not in again.stdout + again.stderr
    assert _judged(db_url, "lounge") == found
