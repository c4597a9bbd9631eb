"""The changelog page reads the program's git history: a real repository with commits that
tighten and loosen a target and move an owner."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cxgov import api
from cxgov.site.collect import history
from cxgov.site.data import SiteData
from cxgov.site.options import Audience
from cxgov.site.pages import build_pages
from tests.site.conftest import copy_program

TARGET = "{effective_from: 2026-07-01, target: 45, warn: 38, fail: 30}"


def _git(repo: Path, *args: str, author: str = "Helena Strand") -> None:
    subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": "cx@example.com",
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": "cx@example.com",
            "GIT_AUTHOR_DATE": "2026-09-01T10:00:00+03:00",
            "GIT_COMMITTER_DATE": "2026-09-01T10:00:00+03:00",
            "HOME": str(repo),
            "PATH": "/usr/bin:/bin",
        },
    )


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _repository(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "programs").mkdir(parents=True)
    program = copy_program("airline", repo / "programs")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Airline program")
    objectives = program / "objectives.yaml"
    _edit(objectives, TARGET, TARGET.replace("target: 45", "target: 40"))
    _git(repo, "commit", "-q", "-am", "Lower the online booking target", author="Marcus Berg")
    _edit(
        program / "journeys" / "passenger.yaml",
        "owner: head-digital",
        "owner: cx-director",
    )
    _git(repo, "commit", "-q", "-am", "Move the booking touchpoint to the CX director")
    return program


def test_history_lists_each_commit_with_its_semantic_changes(tmp_path: Path) -> None:
    program = _repository(tmp_path)
    entries = history(program)
    assert [e.subject for e in entries] == [
        "Airline program",
        "Lower the online booking target",
        "Move the booking touchpoint to the CX director",
    ]
    lowered = entries[1]
    assert lowered.author == "Marcus Berg"
    assert any(
        c.kind == "objective" and c.field == "target" and c.effect == "loosened"
        for c in lowered.changes
    ), lowered.changes
    assert any(c.effect != "added" for c in entries[2].changes)


def test_the_changelog_page_marks_a_loosened_target_first(tmp_path: Path) -> None:
    program_dir = _repository(tmp_path)
    program = api.load_program(str(program_dir))
    data = SiteData(run=None, history=history(program_dir))
    page = next(
        p for p in build_pages(program, data, Audience.LEADERSHIP) if p.path == "changelog.md"
    )
    lowered = page.content.split("Lower the online booking target", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in lowered.splitlines() if line.startswith("| objective")]
    assert rows and "**⚠ loosened**" in rows[0], lowered
    assert "Marcus Berg" in lowered
    assert page.content.index("Move the booking touchpoint") < page.content.index(
        "Lower the online booking target"
    ), "newest first"


def test_a_program_outside_git_has_no_history(tmp_path: Path) -> None:
    assert history(copy_program("airline", tmp_path)) == []


def test_the_finnish_changelog_names_kinds_in_finnish_and_sinks_in_words(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "programs").mkdir(parents=True)
    program_dir = copy_program("kahvipalvelu", repo / "programs")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "Ohjelma")
    _edit(
        program_dir / "action_policies.yaml",
        "        to: [cx-tiimi@sumppi.example]\n",
        "        to: [cx-tiimi@sumppi.example]\n"
        "      - type: webhook\n        url: https://hooks.sumppi.example/cx\n",
    )
    _git(repo, "commit", "-q", "-am", "Toimenpiteet myös webhookiin")
    program = api.load_program(str(program_dir))
    data = SiteData(run=None, history=history(program_dir))
    page = next(
        p for p in build_pages(program, data, Audience.LEADERSHIP) if p.path == "changelog.md"
    )
    entry = page.content.split("Toimenpiteet myös webhookiin", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in entry.splitlines() if line.startswith("| toimenpidekäytäntö")]
    assert rows, entry
    assert "välityskanavat" in rows[0]
    assert "webhook → https://hooks.sumppi.example/cx" in rows[0]
    assert "{" not in entry and '"type"' not in entry, entry
    created = page.content.split("Ohjelma\n", 1)[1]
    assert "tavoite " in created and "objective " not in created
