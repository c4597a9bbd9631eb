"""`cxgov diff --backtest`: stored history judged under both versions' thresholds, on both
databases; the store is only read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from cxgov import api
from cxgov.cli import cli
from cxgov.review.backtest import backtest
from cxgov.store.engine import open_store
from tests.clock import clock
from tests.conftest import FIXTURES
from tests.review.programs import Repo
from tests.store.test_evaluate import AS_OF, HEADER, _nps_rows

OLD_NPS = "targets: [{effective_from: 2025-01-01, target: 30, warn: 20, fail: 10}]}"
NEW_NPS = "targets: [{effective_from: 2025-01-01, target: 50, warn: 45, fail: 35}]}"
POLICY = "\naction_policies:\n  - {id: strict, open_on: [fail]}\n"


def _program(folder: Path, nps_targets: str) -> Path:
    """The shop fixture with an action policy on o-nps and the given NPS targets."""
    target = folder / "shop"
    shutil.copytree(FIXTURES / "shop", target)
    path = target / "program.yaml"
    source = path.read_text()
    line = next(x for x in source.splitlines() if x.startswith("  - {id: o-nps,"))
    changed = line.replace(OLD_NPS, nps_targets[:-1] + ", action_policy: strict}")
    assert changed != line
    path.write_text(source.replace(line, changed) + POLICY)
    return target


@pytest.fixture
def sides(tmp_path: Path, db_url: str) -> tuple[Path, Path]:
    before = _program(tmp_path / "before", OLD_NPS)
    after = _program(tmp_path / "after", NEW_NPS)
    answers = tmp_path / "answers.csv"
    # NPS by month: Jan 40 (n=100), Feb 15, Mar −40, Apr n=10, May no answers
    answers.write_text(HEADER + "".join(_nps_rows()))
    assert api.ingest(str(before), "answers", [str(answers)], db=db_url, clock=clock).rejected == 0
    return before, after


def _store_rows(db_url: str) -> tuple[int, int]:
    engine = open_store(db_url)
    with engine.connect() as connection:
        runs = connection.execute(text("SELECT count(*) FROM evaluation_runs")).scalar_one()
        rollups = connection.execute(text("SELECT count(*) FROM rollups")).scalar_one()
    engine.dispose()
    return runs, rollups


def test_raised_thresholds_flip_verdicts_and_open_an_action_earlier(
    sides: tuple[Path, Path], db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, after = sides
    repo = Repo(tmp_path / "repo")
    shutil.copytree(before, repo.root / "programs" / "shop")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "Base")
    shutil.copy(after / "program.yaml", repo.root / "programs" / "shop" / "program.yaml")
    repo.git("commit", "-q", "-am", "Raise the NPS thresholds")
    stored = _store_rows(db_url)
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(
        cli,
        [
            "diff",
            "HEAD~1",
            "HEAD",
            "--backtest",
            "5",
            "--as-of",
            AS_OF.isoformat(),
            "--db",
            db_url,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(c["id"], c["field"], c["effect"]) for c in data["changes"]] == [
        ("o-nps", "target", "tightened"),
        ("o-nps", "warn", "tightened"),
        ("o-nps", "fail", "tightened"),
    ]
    (found,) = data["backtest"]
    flips = [
        (f["objective"], f["period"]["start"], f["old_status"], f["new_status"], f["value"])
        for f in found["flips"]
    ]
    assert flips == [
        ("o-nps", "2026-01-01", "on_target", "below_target", 40.0),
        ("o-nps", "2026-02-01", "below_target", "fail", 15.0),
    ]
    # March fails under both; February's fail opens an action only under the new thresholds
    assert found["actions"] == [
        {
            "objective": "o-nps",
            "segment": {},
            "period_end": "2026-02-28",
            "trigger": "miss",
            "opens_under": "head",
        }
    ]
    assert _store_rows(db_url) == stored


def test_backtest_looks_only_at_the_last_n_periods(sides: tuple[Path, Path], db_url: str) -> None:
    before, after = sides
    engine = open_store(db_url)
    with engine.connect() as connection:
        found = backtest(
            connection,
            api.load_program(str(before)),
            api.load_program(str(after)),
            as_of=AS_OF,
            periods=3,
        )
    engine.dispose()
    # March to May: March fails either way, April is thin, May has no answers
    assert found.flips == []
    assert found.actions == []
    assert found.judged > 0


def test_lowered_thresholds_report_actions_that_would_no_longer_open(
    sides: tuple[Path, Path], db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, _ = sides
    monkeypatch.chdir(before.parent.parent)
    result = CliRunner().invoke(
        cli,
        [
            "diff",
            "after",
            "before",
            "--backtest",
            "5",
            "--as-of",
            AS_OF.isoformat(),
            "--db",
            db_url,
            "--fail-on-loosened",
        ],
    )
    assert result.exit_code == 1
    assert "NPS (o-nps) 2026-02-01..2026-02-28: fail → below target" in result.output
    assert (
        "action would no longer open: NPS (o-nps) missed target for the period ending 2026-02-28"
        in result.output
    )


def _diff_json(db_url: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(
        cli,
        [
            "diff",
            "before",
            "after",
            "--backtest",
            "5",
            "--as-of",
            AS_OF.isoformat(),
            "--db",
            db_url,
            "--format",
            "json",
            "--fail-on-loosened",
        ],
    )
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.output)
    return result.exit_code, data


def _edit(program: Path, old: str, new: str) -> None:
    path = program / "program.yaml"
    source = path.read_text()
    assert old in source
    path.write_text(source.replace(old, new, 1))


def test_the_backtest_confirms_an_unknown_effect_that_hides_misses(
    sides: tuple[Path, Path], db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, after = sides
    shutil.rmtree(after)
    shutil.copytree(before, after)
    # the NPS objective moved to a point without answers: its misses and its action go away
    _edit(
        after,
        "{id: o-nps, name: NPS, measurement_point: mp-nps,",
        "{id: o-nps, name: NPS, measurement_point: mp-delivery,",
    )
    monkeypatch.chdir(tmp_path)
    exit_code, data = _diff_json(db_url)
    assert exit_code == 1
    (change,) = data["changes"]
    assert (change["id"], change["field"], change["effect"], change["reason"]) == (
        "o-nps",
        "measurement_point",
        "loosened",
        "backtest_looser",
    )
    assert change["backtest"]["looser"] >= 2  # February's warn and March's fail
    assert change["backtest"]["cancelled"] == 1  # March's action under the strict policy
    assert change["backtest"]["stricter"] == 0


def test_the_backtest_clears_an_unknown_effect_that_flips_nothing(
    sides: tuple[Path, Path], db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, after = sides
    shutil.rmtree(after)
    shutil.copytree(before, after)
    # the stored answers are the point's whatever source delivers the next ones
    _edit(
        after, "source: answers, segments: [size, region]", "source: answers-json, segments: [size]"
    )
    monkeypatch.chdir(tmp_path)
    exit_code, data = _diff_json(db_url)
    # the new source maps no region: the point's segments shrink too, which judges nothing
    segments, change = data["changes"]
    assert (segments["field"], segments["effect"]) == ("segments", "changed")
    assert (change["kind"], change["field"], change["effect"], change["reason"]) == (
        "measurement_point",
        "source",
        "changed",
        "backtest_nothing",
    )
    assert change["backtest"] == {"looser": 0, "stricter": 0, "cancelled": 0, "opened": 0}
    assert exit_code == 0
