"""What a CX owner can get wrong without an error today: a journey nobody owns, a KPI whose
scale is not the type's default, a percentage target written as a mean."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxgov.api import validate
from cxgov.cli import cli
from cxgov.judgement.kpi import counts_of, value_of
from cxgov.model import Kpi
from tests.rules.cases import BASE


@pytest.fixture
def program(tmp_path: Path) -> Path:
    return Path(shutil.copytree(BASE, tmp_path / "program"))


def _found(program: Path) -> list[tuple[str, str, int, str]]:
    return [
        (d.code, d.severity.value, d.line, d.full_message)
        for d in validate([str(program)]).diagnostics
    ]


def test_a_journey_without_an_owner_fails_strict_validation(program: Path) -> None:
    journeys = program / "journeys.yaml"
    journeys.write_text(journeys.read_text(encoding="utf-8").replace("    owner: ops\n", ""))
    # ops owned only the journey: it now owns nothing, which says the same thing from its side
    assert [f[:3] for f in _found(program)] == [
        ("CXG212", "warning", 2),
        ("CXG203", "warning", 4),
    ]
    [message] = [f[3] for f in _found(program) if f[0] == "CXG212"]
    assert message == (
        "journey 'order' names no owner: its actions for the journey owner go to the "
        "cx_owner 'cx' (add `owner:` with an owner id)"
    )
    assert CliRunner().invoke(cli, ["validate", str(program)]).exit_code == 0
    strict = CliRunner().invoke(cli, ["validate", "--strict", str(program)])
    assert strict.exit_code == 1 and "CXG212" in strict.output


def test_a_ces_on_one_to_five_counts_its_top_two_answers_as_positive() -> None:
    ces = Kpi.model_validate({"id": "ces", "name": "Effort", "type": "ces", "scale": [1, 5]})
    assert ces.effective_positive == (4, 5)
    # 4 and 5 are positive on this scale; on the default 1–7 box (5–7) only the 5 would count
    assert value_of(ces, counts_of(ces, [5, 4, 3, 2])) == 50
    on_seven = Kpi.model_validate({"id": "ces", "name": "Effort", "type": "ces"})
    assert on_seven.effective_positive == (5, 7)


def test_a_positive_range_outside_the_declared_scale_is_an_error_with_the_fix(
    program: Path,
) -> None:
    (program / "extra.yaml").write_text(
        "kpis:\n  - {id: ces, name: Effort, type: ces, scale: [1, 5], positive: [5, 7]}\n"
        "measurement_points:\n"
        "  - {id: mp-ces, kpi: ces, journey: order, method: relationship_survey, "
        "source: survey}\n"
        "objectives:\n  - id: o-ces\n    name: Effort\n    measurement_point: mp-ces\n"
        "    targets:\n      - {effective_from: 2026-01-01, target: 60}\n",
        encoding="utf-8",
    )
    assert _found(program) == [
        (
            "CXG116",
            "error",
            2,
            "positive range [5, 7] of KPI 'ces' is outside its scale [1, 5] (leave out "
            "`positive` to count [4, 5], the default on this scale, or give a range inside "
            "[1, 5])",
        )
    ]


def test_a_csat_target_written_as_a_mean_is_flagged_with_the_fix(program: Path) -> None:
    objectives = program / "objectives.yaml"
    objectives.write_text(
        objectives.read_text(encoding="utf-8").replace(
            "{effective_from: 2025-01-01, target: 80, warn: 70, fail: 60}",
            "{effective_from: 2025-01-01, target: 4.2}",
        ),
        encoding="utf-8",
    )
    [(code, severity, line, message)] = _found(program)
    assert (code, severity, line) == ("CXG211", "warning", 12)
    assert "target 4.2 of objective 'o-browse' looks like a mean on the 1..5 scale" in message
    assert "write the share aimed for in percent" in message
    assert "set `statistic: mean` on KPI 'csat'" in message
    assert CliRunner().invoke(cli, ["validate", "--strict", str(program)]).exit_code == 1
