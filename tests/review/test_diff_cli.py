"""`cxgov diff` on real git repositories: commits that tighten and loosen targets, move owners
and remove objectives; the output formats and the exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cxgov.cli import cli
from tests.review.programs import Repo, item, program_data, write_program


def run(repo: Path, *args: str, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(repo)
    return CliRunner().invoke(cli, ["diff", *args])


def objective(data: dict[str, dict[str, Any]], ident: str) -> dict[str, Any]:
    return item(data, "objectives.yaml", "objectives", ident)


@pytest.fixture
def history(tmp_path: Path) -> tuple[Repo, dict[str, str]]:
    """main: base; then a commit tightening checkout, one loosening delivery, one moving the
    journey to another owner, one removing the complaints objective."""
    repo = Repo(tmp_path / "repo")
    data = program_data()
    commits = {"base": repo.commit(data, "Base program")}
    objective(data, "o-checkout")["targets"][0]["target"] = 85
    commits["tighten"] = repo.commit(data, "Raise the checkout target")
    objective(data, "o-delivery")["targets"][0].update(warn=60, fail=50)
    commits["loosen"] = repo.commit(data, "Lower the delivery alarms")
    data["journeys/order.yaml"]["journeys"][0]["owner"] = "cx"
    commits["owner"] = repo.commit(data, "The CX lead owns ordering")
    data["objectives.yaml"]["objectives"] = [
        o for o in data["objectives.yaml"]["objectives"] if o["id"] != "o-complaints"
    ]
    commits["remove"] = repo.commit(data, "Drop the complaints objective")
    return repo, commits


def test_tightened_target_passes_fail_on_loosened(
    history: tuple[Repo, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, c = history
    result = run(
        repo.root,
        c["base"],
        c["tighten"],
        "--format",
        "json",
        "--fail-on-loosened",
        # the revision has been in force since 2025: raising it rewrites history
        "--allow-history-rewrite",
        monkeypatch=monkeypatch,
    )
    assert result.exit_code == 0, result.output
    changes = json.loads(result.output)["changes"]
    assert changes == [
        {
            "program": "shop",
            "kind": "objective",
            "id": "o-checkout",
            "field": "target",
            "old": 80,
            "new": 85,
            "effect": "tightened",
            "at": "2025-01-01",
            "name": "Checkout",
            "rewrites_history": True,
        }
    ]


def test_loosened_alarms_fail_the_check(
    history: tuple[Repo, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, c = history
    result = run(
        repo.root, c["tighten"], c["loosen"], "--fail-on-loosened", monkeypatch=monkeypatch
    )
    assert result.exit_code == 1, result.output
    assert "loosened     objective Delivery (o-delivery) warn from 2025-01-01: 65 → 60" in (
        result.output
    )
    assert "Web shop (shop): 1 objective loosened\n" in result.output
    assert run(repo.root, c["tighten"], c["loosen"], monkeypatch=monkeypatch).exit_code == 0


def test_owner_move_is_a_change_that_does_not_fail(
    history: tuple[Repo, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, c = history
    result = run(
        repo.root,
        c["loosen"],
        c["owner"],
        "--format",
        "json",
        "--fail-on-loosened",
        monkeypatch=monkeypatch,
    )
    assert result.exit_code == 0
    assert [
        (x["kind"], x["field"], x["old"], x["new"], x["effect"])
        for x in json.loads(result.output)["changes"]
    ] == [("journey", "owner", "ops", "cx", "changed")]


def test_removed_objective_fails_the_check(
    history: tuple[Repo, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, c = history
    result = run(
        repo.root,
        c["owner"],
        c["remove"],
        "--format",
        "json",
        "--fail-on-loosened",
        monkeypatch=monkeypatch,
    )
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [(x["kind"], x["id"], x["effect"]) for x in data["changes"]] == [
        ("objective", "o-complaints", "removed")
    ]
    assert data["loosened"] == 1


def test_markdown_puts_loosened_removed_and_rewritten_first_and_marked(
    history: tuple[Repo, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, c = history
    result = run(repo.root, c["base"], c["remove"], "--format", "markdown", monkeypatch=monkeypatch)
    assert result.exit_code == 0
    rows = [line for line in result.output.splitlines() if line.startswith("| ")][1:]
    # three changes (delivery's warn and fail, complaints removed) are two objectives
    assert "**2 objectives loosened or removed**" in result.output
    assert result.output.startswith("<!-- cxgov diff -->\n")
    marked = [r for r in rows if r.startswith("| ⚠️ |")]
    assert len(marked) == 4 and rows[:4] == marked
    assert any(
        "objective Complaints (o-complaints)" in r and "**removed**" in r for r in marked[:3]
    )
    assert any("Delivery (o-delivery) warn" in r for r in marked[:3])
    # raised, but in a revision in force since 2025: after the loosened and removed
    assert "Checkout (o-checkout) target" in rows[3]
    assert "tightened · **rewrites history**" in rows[3]
    assert all("o-checkout" not in r for r in rows[4:])


def test_head_defaults_to_the_working_tree(
    history: tuple[Repo, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = history
    data = program_data()
    data["objectives.yaml"]["objectives"] = [
        o for o in data["objectives.yaml"]["objectives"] if o["id"] != "o-complaints"
    ]
    data["journeys/order.yaml"]["journeys"][0]["owner"] = "cx"
    objective(data, "o-delivery")["targets"][0].update(warn=60, fail=50)
    objective(data, "o-checkout")["targets"][0]["target"] = 75  # uncommitted
    write_program(repo.root / "programs" / "shop", data)
    result = run(repo.root, "HEAD", "--format", "json", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    data_out = json.loads(result.output)
    assert data_out["head"] == "working tree"
    assert [(x["id"], x["field"], x["effect"]) for x in data_out["changes"]] == [
        ("o-checkout", "target", "loosened")
    ]


def test_two_folders_compare_without_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = program_data(), program_data()
    item(new, "measures.yaml", "measurement_points", "mp-checkout")["min_sample"] = 100
    write_program(tmp_path / "before" / "shop", old)
    write_program(tmp_path / "after" / "shop", new)
    result = run(tmp_path, "before", "after", "--fail-on-loosened", monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert "measurement point mp-checkout min_sample: 30 (default) → 100" in result.output
    assert "(affects Checkout (o-checkout))" in result.output


def test_a_program_added_in_head_is_all_added(
    history: tuple[Repo, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, c = history
    other = program_data()
    other["program.yaml"]["program"]["id"] = "shop2"
    repo.commit(other, "A second program", program="shop2")
    result = run(
        repo.root,
        c["remove"],
        "HEAD",
        "--format",
        "json",
        "--fail-on-loosened",
        monkeypatch=monkeypatch,
    )
    assert result.exit_code == 0
    changes = json.loads(result.output)["changes"]
    assert {x["program"] for x in changes} == {"shop2"}
    assert {x["effect"] for x in changes} == {"added"}


def test_path_selects_another_programs_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Repo(tmp_path / "repo")
    data = program_data()
    write_program(repo.root / "cx" / "shop", data)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "Program under cx/")
    objective(data, "o-checkout")["targets"][0]["target"] = 70
    write_program(repo.root / "cx" / "shop", data)
    result = run(repo.root, "HEAD", "--path", "cx", "--fail-on-loosened", monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert "Checkout (o-checkout) target" in result.output


def test_unknown_revision_is_a_usage_error(
    history: tuple[Repo, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = history
    result = run(repo.root, "no-such-branch", monkeypatch=monkeypatch)
    assert result.exit_code == 2
    assert "unknown git revision 'no-such-branch'" in result.output


def test_invalid_head_is_reported_with_places(
    history: tuple[Repo, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _ = history
    data = program_data()
    objective(data, "o-checkout")["measurement_point"] = "mp-nowhere"
    write_program(repo.root / "programs" / "shop", data)
    result = run(repo.root, "HEAD", monkeypatch=monkeypatch)
    assert result.exit_code == 1
    assert "programs/shop/objectives.yaml:" in result.output and "mp-nowhere" in result.output


def test_outside_a_repository_a_revision_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_program(tmp_path / "programs" / "shop", program_data())
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = run(tmp_path, "main", monkeypatch=monkeypatch)
    assert result.exit_code == 2
    assert "not in a git repository" in result.output
