"""`program_history`: the commits that touched a program, each with its semantic changes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from cxgov.review import gitrefs, program_history
from tests.review.programs import Repo, item, program_data


def test_history_lists_commits_oldest_first_with_their_changes(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    data = program_data()
    first = repo.commit(data, "Base program", date="2026-01-05T10:00:00")
    item(data, "objectives.yaml", "objectives", "o-checkout")["targets"][0]["target"] = 70
    second = repo.commit(data, "Lower the checkout target", date="2026-02-01T10:00:00")
    (repo.root / "README.md").write_text("not a program file\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "Unrelated")
    history = program_history(repo.root, Path("programs/shop"))
    assert [(e.commit, e.subject, e.author) for e in history] == [
        (first, "Base program", "CX Owner"),
        (second, "Lower the checkout target", "CX Owner"),
    ]
    assert history[0].date.isoformat() == "2026-01-05"
    assert {c.effect for c in history[0].changes} == {"added"}
    assert [(c.id, c.field, c.effect) for c in history[1].changes] == [
        ("o-checkout", "target", "loosened")
    ]


def test_an_invalid_version_is_skipped_and_the_next_diffed_against_the_last_valid(
    tmp_path: Path,
) -> None:
    repo = Repo(tmp_path / "repo")
    data = program_data()
    repo.commit(data, "Base program")
    objective = item(data, "objectives.yaml", "objectives", "o-checkout")
    objective["measurement_point"] = "mp-typo"
    repo.commit(data, "Broken")
    objective["measurement_point"] = "mp-checkout"
    objective["targets"][0]["target"] = 90
    repo.commit(data, "Fixed and raised")
    history = program_history(repo.root, Path("programs/shop"))
    assert [e.subject for e in history] == ["Base program", "Fixed and raised"]
    assert [(c.field, c.effect) for c in history[1].changes] == [("target", "tightened")]


def test_limit_keeps_the_newest_commits_diffed_against_their_predecessor(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    data = program_data()
    repo.commit(data, "Base program")
    for target in (81, 82, 83):
        item(data, "objectives.yaml", "objectives", "o-checkout")["targets"][0]["target"] = target
        repo.commit(data, f"Target {target}")
    history = program_history(repo.root, repo.root / "programs" / "shop", limit=2)
    assert [e.subject for e in history] == ["Target 82", "Target 83"]
    assert [(c.old, c.new) for c in history[0].changes] == [(81, 82)]


def test_deleting_the_program_records_everything_removed(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit(program_data(), "Base program")
    repo.git("rm", "-q", "-r", "programs/shop")
    repo.git("commit", "-q", "-m", "Retire the program")
    history = program_history(repo.root, Path("programs/shop"))
    assert history[-1].subject == "Retire the program"
    assert {c.effect for c in history[-1].changes} == {"removed"}


def test_not_a_repository_gives_an_empty_history(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert program_history(tmp_path, Path("programs/shop")) == []


def test_git_missing_gives_an_empty_history(tmp_path, monkeypatch) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit(program_data(), "Base program")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    assert program_history(repo.root, Path("programs/shop")) == []


def test_fifty_commits_are_read_with_one_git_call_each(tmp_path: Path, monkeypatch) -> None:
    """The history's cost grows with one `git archive` per commit (plus a fixed few calls),
    never with commits × files: what keeps a long history fast on any machine."""
    repo = Repo(tmp_path / "repo")
    data = program_data()
    for index in range(50):
        item(data, "objectives.yaml", "objectives", "o-checkout")["targets"][0]["target"] = (
            70 + index / 2
        )
        repo.commit(data, f"Commit {index}")
    calls: list[list[str]] = []
    real_run = gitrefs.subprocess.run

    def counted(args: list[str], **kwargs: Any) -> Any:
        calls.append(args[3:])  # after "git -C <repo>"
        return real_run(args, **kwargs)

    monkeypatch.setattr(gitrefs.subprocess, "run", counted)
    history = program_history(repo.root, Path("programs/shop"))
    assert len(history) == 50
    assert all(len(e.changes) == 1 for e in history[1:])
    commands = Counter(args[0] for args in calls)
    assert commands["archive"] == 50, commands
    assert sum(commands.values()) <= 50 + 3, commands
