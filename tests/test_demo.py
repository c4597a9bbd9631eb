"""The demo-data generator writes data the example program loads, deterministically."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from cxgov import api
from tests.clock import clock
from tests.conftest import ROOT

PROGRAM = str(ROOT / "programs" / "kahvipalvelu")
END = dt.date(2026, 10, 31)


def _digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def test_demo_data_is_deterministic_and_loads(tmp_path: Path) -> None:
    first = api.demo_data(PROGRAM, str(tmp_path / "a"), end=END, months=24, seed=3)
    second = api.demo_data(PROGRAM, str(tmp_path / "b"), end=END, months=24, seed=3)
    assert len(first.answers) == 24 and first.rows > 5_000
    assert _digest(first.answers) == _digest(second.answers)
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    summary = api.ingest(
        PROGRAM, "kyselyvastaukset", [str(p) for p in first.answers], db=db, clock=clock
    )
    assert summary.rejected > 0, "the demo includes malformed rows"
    assert set(summary.rejected_by_reason) == {"value_out_of_scale"}
    assert summary.rejected < summary.rows_read * 0.01
    assert first.kpi_values is not None
    values = api.ingest_kpi_values(PROGRAM, str(first.kpi_values), db=db, clock=clock)
    assert values.rejected == 0 and values.inserted > 0
    status = {p.id: p for p in api.status(PROGRAM, db=db).points}
    assert all(p.records > 0 for p in status.values()), "every measurement point has data"
    assert sum(p.not_applicable for p in status.values()) > 0
    last_seen = sorted(p.last for p in status.values() if p.last is not None)
    assert last_seen[0] < dt.datetime(2026, 9, 1) < last_seen[-1], "one feed stopped early"


def test_the_demo_program_shows_every_status(tmp_path: Path) -> None:
    files = api.demo_data(PROGRAM, str(tmp_path / "data"), end=END, months=24, seed=7)
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    api.ingest(PROGRAM, "kyselyvastaukset", [str(p) for p in files.answers], db=db, clock=clock)
    assert files.kpi_values is not None
    api.ingest_kpi_values(PROGRAM, str(files.kpi_values), db=db, clock=clock)
    result = api.evaluate(
        PROGRAM, as_of=END + dt.timedelta(days=1), db=db, out=str(tmp_path / "reports"), clock=clock
    )
    statuses = {r["status"] for r in result.report["results"]}
    assert statuses == {v.value for v in api.Verdict}, "every verdict of docs/verdicts.md"
    assert {r["objective"] for r in result.report["results"]} == {
        o.id for o in api.load_program(PROGRAM).objectives
    }
