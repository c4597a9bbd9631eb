"""One mistake, one diagnostic: a file that cannot be read is reported once, at its place, in
words that say what to do; nothing else follows from it, and errors come before warnings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxgov.api import validate
from cxgov.cli import cli
from cxgov.diagnostics import Severity
from tests.conftest import ROOT
from tests.rules.cases import BASE

EXAMPLES = ROOT / "programs"


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("data"))
    return target


def _with_tab(text: str) -> str:
    """The file with its first indented line indented by a tab instead of spaces."""
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("  "))
    lines[first] = "\t" + lines[first].lstrip(" ")
    return "\n".join(lines)


def _in_cp1252(text: str) -> bytes:
    """The file saved as Windows-1252 with a Finnish letter in its first comment or value."""
    return text.replace("\n", " ä\n", 1).encode("cp1252", errors="replace")


PROGRAM_FILES = [
    (program.name, path.relative_to(program).as_posix())
    for program in sorted(EXAMPLES.iterdir())
    for path in sorted(program.rglob("*.yaml"))
    if "data" not in path.relative_to(program).parts
]


@pytest.mark.parametrize("breakage", ["tab", "cp1252"])
@pytest.mark.parametrize(("program", "name"), PROGRAM_FILES)
def test_a_file_that_cannot_be_read_is_the_only_error(
    program: str, name: str, breakage: str, tmp_path: Path
) -> None:
    target = _copy(EXAMPLES / program, tmp_path / program)
    before = validate([str(target)]).diagnostics
    path = target / name
    text = path.read_text(encoding="utf-8")
    if breakage == "tab":
        path.write_text(_with_tab(text), encoding="utf-8")
    else:
        path.write_bytes(_in_cp1252(text))
    after = validate([str(target)]).diagnostics
    errors = [d for d in after if d.severity is Severity.ERROR]
    assert [(Path(d.file), d.code) for d in errors] == [
        (path, "CXG001" if breakage == "tab" else "CXG004")
    ], "\n".join(f"{d.place}: {d.code} {d.full_message}" for d in after)
    # warnings that concluded from what the program lacks wait until the file reads again
    assert {(d.code, d.message) for d in after if d.severity is Severity.WARNING} <= {
        (d.code, d.message) for d in before
    }


def test_a_tab_is_named_with_its_line_and_column(tmp_path: Path) -> None:
    program = _copy(BASE, tmp_path / "program")
    journeys = program / "journeys.yaml"
    text = journeys.read_text(encoding="utf-8")
    journeys.write_text(text.replace("    channels:\n      -", "    channels:\n  \t  -"))
    [found] = validate([str(program)]).diagnostics
    assert (found.code, found.line, found.column) == ("CXG001", 9, 3)
    assert "a tab character at 9:3" in found.message
    assert found.hint == "indent with spaces"


def test_a_tab_where_a_mapping_continues_is_named(tmp_path: Path) -> None:
    program = _copy(BASE, tmp_path / "program")
    (program / "extra.yaml").write_text(
        "owners:\n  - id: support\n\tname: Support team\n", encoding="utf-8"
    )
    [found] = validate([str(program)]).diagnostics
    assert (found.file, found.line, found.column) == (str(program / "extra.yaml"), 3, 1)
    assert found.full_message == (
        "YAML syntax error: a tab character at 3:1; YAML does not accept tabs for indentation "
        "(indent with spaces)"
    )


def test_a_reference_to_an_id_the_unreadable_file_does_not_name_is_still_reported(
    tmp_path: Path,
) -> None:
    program = _copy(BASE, tmp_path / "program")
    owners = program / "owners.yaml"
    owners.write_bytes(
        owners.read_text(encoding="utf-8").replace("CEO", "Päällikkö").encode("cp1252")
    )
    (program / "extra.yaml").write_text(
        "journeys:\n  - {id: returns, name: Returns, owner: nobody}\n", encoding="utf-8"
    )
    found = [(d.code, Path(d.file).name, d.line) for d in validate([str(program)]).diagnostics]
    assert found == [("CXG101", "extra.yaml", 2), ("CXG004", "owners.yaml", 2)]


def test_an_unreadable_program_section_is_not_also_missing(tmp_path: Path) -> None:
    program = _copy(BASE, tmp_path / "program")
    header = program / "program.yaml"
    header.write_text(_with_tab(header.read_text(encoding="utf-8")), encoding="utf-8")
    assert [d.code for d in validate([str(program)]).diagnostics] == ["CXG001"]


def test_a_duplicate_key_names_the_first_place_and_the_repeat(tmp_path: Path) -> None:
    program = _copy(BASE, tmp_path / "program")
    (program / "extra.yaml").write_text(
        "owners:\n  - id: support\n    name: Support team\n    kind: team\n"
        "    name: Support\n    escalates_to: ops\n"
        "action_policies:\n  - {id: support-policy, open_on: [fail], assignee: support}\n",
        encoding="utf-8",
    )
    [found] = validate([str(program)]).diagnostics
    assert (found.code, found.line, found.column) == ("CXG002", 5, 5)
    assert found.message == "duplicate key 'name' in this mapping: first at 3:5, repeated at 5:5"


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("2026-9-1", "'2026-9-1' is not a date: input is too short"),
        ("1.9.2026", "'1.9.2026' is not a date: input is too short"),
        ("2026-13-01", "'2026-13-01' is not a date: month value is outside expected range"),
        ("20260901", "20260901 is not a date"),
    ],
)
def test_a_date_that_does_not_parse_says_how_to_write_dates(
    written: str, shown: str, tmp_path: Path
) -> None:
    program = _copy(BASE, tmp_path / "program")
    (program / "extra.yaml").write_text(
        "objectives:\n  - id: o-nps-2026\n    name: NPS 2026\n    measurement_point: mp-nps\n"
        f"    targets:\n      - {{effective_from: {written}, target: 35}}\n",
        encoding="utf-8",
    )
    [found] = validate([str(program)]).diagnostics
    assert (found.code, found.line, found.column) == ("CXG014", 6, 26)
    assert shown in found.message
    assert found.hint is not None and "write dates as YYYY-MM-DD" in found.hint


def test_errors_are_listed_before_warnings(tmp_path: Path) -> None:
    program = _copy(BASE, tmp_path / "program")
    # a warning in a file sorted first (kpis.yaml: a KPI nobody measures) and an error after it
    kpis = program / "kpis.yaml"
    kpis.write_text(
        kpis.read_text(encoding="utf-8") + "  - {id: spare, name: Spare, type: csat}\n",
        encoding="utf-8",
    )
    (program / "zz.yaml").write_text(
        "journeys:\n  - {id: returns, name: Returns, owner: nobody}\n", encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["validate", str(program)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    severities = [line.split(": ", 1)[1].split()[0] for line in lines[:-1]]
    assert "warning" in severities and "error" in severities
    assert severities == sorted(severities), result.output  # "error" < "warning"
    assert lines[0].startswith(f"{program / 'zz.yaml'}:2:")
