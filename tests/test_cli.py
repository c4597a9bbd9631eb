"""The validate command's output formats and exit codes, run as a user runs them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxgov import api
from cxgov.cli import cli
from cxgov.judgement.outcome import ExitCode
from cxgov.rules import RULES

BROKEN = "tests/fixtures/broken"
TEXT_LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning) (?P<code>CXG\d{3}) .+$"
)
EXPECTED = {
    ("tests/fixtures/broken/journey.yaml", 12, "CXG206", "warning"),
    ("tests/fixtures/broken/journey.yaml", 14, "CXG210", "warning"),
    ("tests/fixtures/broken/journey.yaml", 17, "CXG101", "error"),
    ("tests/fixtures/broken/journey.yaml", 19, "CXG110", "error"),
    ("tests/fixtures/broken/program.yaml", 5, "CXG117", "error"),
    ("tests/fixtures/broken/program.yaml", 10, "CXG012", "error"),
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_text_lists_every_problem_with_place_and_code(in_repo: Path) -> None:
    code, out, _ = run("validate", BROKEN)
    lines = out.splitlines()
    found = set()
    for line in lines[:-1]:
        match = TEXT_LINE.match(line)
        assert match, line
        found.add((match["file"], int(match["line"]), match["code"], match["sev"]))
    assert found == EXPECTED
    assert lines[-1] == "1 program checked: 4 errors, 2 warnings"
    assert code == ExitCode.PROBLEMS


def test_json_is_the_documented_contract(in_repo: Path) -> None:
    code, out, _ = run("validate", "--format", "json", BROKEN)
    document = json.loads(out)
    assert set(document) == {"diagnostics", "summary"}
    assert document["summary"] == {"programs": 1, "errors": 4, "warnings": 2}
    for item in document["diagnostics"]:
        assert set(item) == {"severity", "code", "message", "file", "line", "column"}
        assert item["file"].startswith(BROKEN + "/"), "paths as given on the command line"
        assert item["line"] >= 1 and item["column"] >= 1
    found = {(d["file"], d["line"], d["code"], d["severity"]) for d in document["diagnostics"]}
    assert found == EXPECTED
    assert code == ExitCode.PROBLEMS


def test_github_annotations_carry_file_line_and_column(in_repo: Path) -> None:
    code, out, _ = run("validate", "--format", "github", BROKEN)
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    assert len(annotations) == 6
    pattern = re.compile(
        r"^::(error|warning) file=([^,]+),line=(\d+),col=(\d+),title=(CXG\d{3})::(.+)$"
    )
    found = set()
    for line in annotations:
        match = pattern.match(line)
        assert match, line
        found.add((match[2], int(match[3]), match[5], match[1]))
    assert found == EXPECTED
    assert code == ExitCode.PROBLEMS


def test_github_escapes_newlines_and_percent_in_messages() -> None:
    from cxgov.diagnostics import Diagnostic, Severity
    from cxgov.validation.output import format_github

    text = format_github(
        [Diagnostic(Severity.ERROR, "CXG001", "50% off\nsecond line", "a,b:c.yaml", 1, 2)], 1
    )
    assert (
        text.splitlines()[0]
        == "::error file=a%2Cb%3Ac.yaml,line=1,col=2,title=CXG001::50%25 off%0Asecond line"
    )


def test_sarif_has_stable_rule_ids_and_regions(in_repo: Path) -> None:
    code, out, _ = run("validate", "--format", "sarif", BROKEN)
    document = json.loads(out)
    assert document["version"] == "2.1.0"
    run_ = document["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    results = run_["results"]
    assert len(results) == 6
    found = set()
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        found.add(
            (
                location["artifactLocation"]["uri"],
                location["region"]["startLine"],
                result["ruleId"],
                result["level"],
            )
        )
        assert location["region"]["startColumn"] >= 1
    assert found == EXPECTED
    assert code == ExitCode.PROBLEMS


def test_warnings_alone_exit_0_and_strict_makes_them_fail(tmp_path: Path) -> None:
    program = tmp_path / "p"
    program.mkdir()
    (program / "program.yaml").write_text("program: {id: p, name: P}\n")
    code, out, _ = run("validate", str(program))
    assert code == ExitCode.OK
    assert "warning CXG205" in out
    code, _, _ = run("validate", "--strict", str(program))
    assert code == ExitCode.PROBLEMS


def test_missing_path_is_a_usage_error() -> None:
    code, _, err = run("validate", "does/not/exist")
    assert code == ExitCode.USAGE
    assert "path does not exist: does/not/exist" in err


def test_unknown_option_and_format_are_usage_errors() -> None:
    assert run("validate", "--bogus")[0] == ExitCode.USAGE
    assert run("validate", "--format", "xml")[0] == ExitCode.USAGE


def test_folder_without_programs_is_reported(tmp_path: Path) -> None:
    code, out, _ = run("validate", str(tmp_path))
    assert code == ExitCode.PROBLEMS
    assert "CXG008" in out


def test_internal_error_exits_3_with_a_report(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "validate", explode)
    code, _, err = run("validate", "programs")
    assert code == ExitCode.INTERNAL
    assert "internal error" in err and "RuntimeError: boom" in err


def test_default_path_is_programs(in_repo: Path) -> None:
    code, out, _ = run("validate")
    assert out.splitlines()[-1].startswith(
        f"{len(list(Path('programs').iterdir()))} programs checked"
    )
    assert code == ExitCode.OK


def test_the_installed_command_runs_as_a_process(in_repo: Path) -> None:
    process = subprocess.run(
        [sys.executable, "-m", "cxgov", "validate", "--format", "json", BROKEN],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 1
    assert json.loads(process.stdout)["summary"]["errors"] == 4


def test_rules_command_lists_and_explains(in_repo: Path) -> None:
    code, out, _ = run("rules")
    assert code == 0 and sum(line.startswith("CXG") for line in out.splitlines()) == len(RULES)
    code, out, _ = run("rules", "cxg110")
    assert code == 0 and out.startswith("CXG110 threshold-order (error)")
    assert run("rules", "CXG999")[0] == ExitCode.USAGE


def test_schema_check_detects_stale_files(tmp_path: Path) -> None:
    target = tmp_path / "schemas"
    assert run("schema", "--check", "--out", str(target))[0] == ExitCode.PROBLEMS
    assert run("schema", "--out", str(target))[0] == ExitCode.OK
    assert run("schema", "--check", "--out", str(target))[0] == ExitCode.OK
    schema_file = target / "program-file.schema.json"
    schema_file.write_text(schema_file.read_text().replace("objectives", "objectivez"))
    assert run("schema", "--check", "--out", str(target))[0] == ExitCode.PROBLEMS
