"""`cxgov validate --observed`: CXG210 judges each objective at the answers per period of the
latest recorded run, read from the store; without the flag no store is opened."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from cxgov import api
from cxgov.cli import cli
from tests.clock import clock


def _scaffolded(tmp_path: Path) -> Path:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "acme-cx")])
    assert result.exit_code == 0, result.output
    program = tmp_path / "acme-cx" / "programs" / "acme-cx"
    objectives = program / "objectives.yaml"
    # 80 → 70 needs 44 phone answers a month; the sample has 35, 40 and 37 in Jan–Mar 2026
    text = objectives.read_text(encoding="utf-8")
    changed = text.replace("target: 80, warn: 75, fail: 65", "target: 80, warn: 75, fail: 70")
    assert changed != text
    objectives.write_text(changed, encoding="utf-8")
    return program


def _cxg210(*args: str) -> list[str]:
    result = CliRunner().invoke(cli, ["validate", *args])
    assert result.exit_code == 0, result.output
    return [line for line in result.output.splitlines() if " CXG210 " in line]


def test_validate_observed_counts_the_latest_runs_answers_per_period(tmp_path: Path) -> None:
    program = _scaffolded(tmp_path)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    [without] = _cxg210(str(program))
    assert "that takes 44 answers per month, and it counts on 30 (min_sample of" in without

    # a store without a run of the program: min_sample alone, as before
    [empty] = _cxg210("--observed", "--db", db, str(program))
    assert empty == without

    api.ingest(str(program), "survey", db=db, clock=clock)
    api.evaluate(str(program), as_of=dt.date(2026, 4, 1), db=db, out=None, clock=clock)
    [observed] = _cxg210("--observed", "--db", db, str(program))
    # (35 + 40 + 37) // 3 complete months
    assert (
        "it counts on 37 (answered per month on average in the last 3 complete periods; "
        "min_sample 30)"
    ) in observed
    assert _cxg210(str(program)) == [without], "without --observed the store is not read"
