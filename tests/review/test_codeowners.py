"""`cxgov codeowners`: entries from the owners' github handles, kept current with --check."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cxgov.cli import cli
from cxgov.review.codeowners import BEGIN, END
from tests.review.programs import item, program_data, write_program


def entries(text: str) -> dict[str, list[str]]:
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            pattern, *owners = line.split()
            found[pattern] = owners
    return found


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_program(tmp_path / "programs" / "shop", program_data())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_journey_files_go_to_their_owner_and_target_files_to_leadership(repo: Path) -> None:
    result = CliRunner().invoke(cli, ["codeowners"])
    assert result.exit_code == 0, result.output
    assert entries(result.output) == {
        "/programs/shop/": ["@cx-gh"],
        "/programs/shop/journeys/order.yaml": ["@acme/ops"],
        "/programs/shop/measures.yaml": ["@cx-gh", "@ceo-gh"],
        "/programs/shop/objectives.yaml": ["@cx-gh", "@ceo-gh"],
        "/programs/shop/program.yaml": ["@cx-gh", "@ceo-gh"],
    }
    lines = result.output.splitlines()
    # GitHub applies the last matching line: the folder's catch-all must come first
    assert lines[0] == BEGIN and lines[-1] == END
    assert lines.index("/programs/shop/ @cx-gh") < lines.index(
        "/programs/shop/objectives.yaml @cx-gh @ceo-gh"
    )
    assert not (repo / "CODEOWNERS").exists()


def test_write_then_check_passes_and_an_owner_move_makes_it_stale(repo: Path) -> None:
    runner = CliRunner()
    (repo / "CODEOWNERS").write_text("# our own rules\n/docs/ @docs-team\n")
    assert runner.invoke(cli, ["codeowners", "--check"]).exit_code == 1
    assert runner.invoke(cli, ["codeowners", "--write"]).exit_code == 0
    text = (repo / "CODEOWNERS").read_text()
    assert text.startswith("# our own rules\n/docs/ @docs-team\n\n" + BEGIN)
    assert runner.invoke(cli, ["codeowners", "--check"]).exit_code == 0

    data = program_data()
    data["journeys/order.yaml"]["journeys"][0]["owner"] = "cx"
    item(data, "program.yaml", "owners", "ceo")["github"] = "new-ceo"
    write_program(repo / "programs" / "shop", data)
    stale = runner.invoke(cli, ["codeowners", "--check"])
    assert stale.exit_code == 1
    assert "CODEOWNERS is stale" in stale.output
    assert runner.invoke(cli, ["codeowners", "--write"]).exit_code == 0
    rewritten = (repo / "CODEOWNERS").read_text()
    assert rewritten.count(BEGIN) == 1 and "/docs/ @docs-team" in rewritten
    assert entries(rewritten)["/programs/shop/journeys/order.yaml"] == ["@cx-gh"]
    assert entries(rewritten)["/programs/shop/objectives.yaml"] == ["@cx-gh", "@new-ceo"]


def test_the_file_under_dot_github_is_the_one_updated(repo: Path) -> None:
    (repo / ".github").mkdir()
    (repo / ".github" / "CODEOWNERS").write_text("")
    assert CliRunner().invoke(cli, ["codeowners", "--write"]).exit_code == 0
    assert BEGIN in (repo / ".github" / "CODEOWNERS").read_text()
    assert not (repo / "CODEOWNERS").exists()


def test_an_owner_without_a_handle_leaves_the_file_to_the_catch_all(repo: Path) -> None:
    data = program_data()
    data["journeys/order.yaml"]["journeys"][0]["owner"] = "web"  # no github handle
    write_program(repo / "programs" / "shop", data)
    result = CliRunner().invoke(cli, ["codeowners"])
    assert "/programs/shop/journeys/order.yaml" not in entries(result.output)


def test_the_repository_codeowners_is_current(in_repo: Path) -> None:
    result = CliRunner().invoke(cli, ["codeowners", "--check"])
    assert result.exit_code == 0, result.output
