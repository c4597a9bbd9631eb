"""`cxgov diff` flags a change to a target revision already in force as rewriting history, by
the base commit's date or `--as-of`, and the gate refuses it without `--allow-history-rewrite`.

The base program's checkout objective has a revision from 2026-01-01 and one from 2026-09-01;
the base commit is made on 2026-10-15, so both are in force and a revision from 2026-12-01
would still be ahead.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cxgov.cli import cli
from cxgov.judgement.outcome import ExitCode, review_exit_code
from cxgov.review.rewrites import WORDS, rewrites_history
from cxgov.review.semantic import Change
from tests.review.programs import Repo, item, program_data, write_program

BASE_DATE = "2026-10-15T12:00:00+03:00"
SEPTEMBER = {"effective_from": "2026-09-01", "target": 75, "warn": 65, "fail": 55}

Edit = Callable[[list[dict[str, Any]]], None]


def _base() -> dict[str, dict[str, Any]]:
    data = program_data()
    targets = item(data, "objectives.yaml", "objectives", "o-checkout")["targets"]
    targets[0]["effective_from"] = "2026-01-01"
    targets.append(dict(SEPTEMBER))
    return data


def _repository(
    tmp_path: Path, edit: Edit, *, language: str = "en", prepare: Edit | None = None
) -> Repo:
    """Two commits: the base on 2026-10-15 (its checkout targets changed by `prepare`), then
    `edit` applied to the checkout targets."""
    repo = Repo(tmp_path / "repo")
    data = _base()
    data["program.yaml"]["program"]["language"] = language
    if prepare is not None:
        prepare(item(data, "objectives.yaml", "objectives", "o-checkout")["targets"])
    repo.commit(data, "Base program", date=BASE_DATE)
    edit(item(data, "objectives.yaml", "objectives", "o-checkout")["targets"])
    repo.commit(data, "Edit the checkout targets", date="2026-10-20T09:00:00+03:00")
    return repo


def _diff(repo: Repo, *args: str, monkeypatch: pytest.MonkeyPatch) -> Result:
    monkeypatch.chdir(repo.root)
    return CliRunner().invoke(cli, ["diff", "HEAD~1", "HEAD", *args])


def _lower_september(targets: list[dict[str, Any]]) -> None:
    targets[1]["target"] = 70


def _raise_september_warn(targets: list[dict[str, Any]]) -> None:
    targets[1]["warn"] = 68


def _remove_september(targets: list[dict[str, Any]]) -> None:
    del targets[1]


def _move_september_to_november(targets: list[dict[str, Any]]) -> None:
    targets[1]["effective_from"] = "2026-11-01"


def _backdate_a_new_revision(targets: list[dict[str, Any]]) -> None:
    targets.insert(1, {"effective_from": "2026-08-01", "target": 78, "warn": 68, "fail": 58})


def _add_december(targets: list[dict[str, Any]]) -> None:
    targets.append({"effective_from": "2026-12-01", "target": 60, "warn": 50, "fail": 40})


def _all_three(at: str, effect: str) -> list[tuple[str, str, str]]:
    return [(field, at, effect) for field in ("target", "warn", "fail")]


@pytest.mark.parametrize(
    ("edit", "as_of", "flagged"),
    [
        # in place, while in force: every kind of change to the revision counts
        (_lower_september, None, [("target", "2026-09-01", "loosened")]),
        (_raise_september_warn, None, [("warn", "2026-09-01", "tightened")]),
        (_remove_september, None, _all_three("2026-09-01", "tightened")),
        (_move_september_to_november, None, _all_three("2026-09-01", "tightened")),
        (_backdate_a_new_revision, None, _all_three("2026-08-01", "loosened")),
        # ahead of the base commit's date: a normal change
        (_add_december, None, []),
        # the day history is judged from, given: before the revision it is still ahead
        (_lower_september, "2026-08-31", []),
        # a revision that starts on the day itself is in force
        (_lower_september, "2026-09-01", [("target", "2026-09-01", "loosened")]),
        # and --as-of can move the day forward too: December already judged by then
        (_add_december, "2026-12-15", _all_three("2026-12-01", "loosened")),
    ],
)
def test_a_change_to_a_revision_in_force_is_flagged(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: Edit,
    as_of: str | None,
    flagged: list[tuple[str, str, str]],
) -> None:
    repo = _repository(tmp_path, edit)
    args = ["--format", "json", *(["--as-of", as_of] if as_of else [])]
    result = _diff(repo, *args, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    rewritten = [c for c in found["changes"] if c.get("rewrites_history")]
    assert [(c["field"], c["at"], c["effect"]) for c in rewritten] == flagged
    assert found["rewrites_history"] == len(flagged)
    assert found["history_as_of"] == (as_of or "2026-10-15")
    assert found["changes"], "every edit is a change"


def test_editing_a_revision_still_ahead_rewrites_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lower_december(targets: list[dict[str, Any]]) -> None:
        targets[2]["target"] = 85

    repo = _repository(tmp_path, lower_december, prepare=_add_december_at_90)
    result = _diff(repo, "--format", "json", "--fail-on-loosened", monkeypatch=monkeypatch)
    changes = json.loads(result.output)["changes"]
    assert [(c["field"], c["at"], c["effect"]) for c in changes] == [
        ("target", "2026-12-01", "loosened")
    ]
    assert "rewrites_history" not in changes[0]
    assert result.exit_code == ExitCode.PROBLEMS  # loosened, not rewritten
    monkeypatch.chdir(repo.root)
    allowed = _diff(repo, "--fail-on-loosened", "--allow-history-rewrite", monkeypatch=monkeypatch)
    assert allowed.exit_code == ExitCode.PROBLEMS, "allowing a rewrite allows no loosening"


def _add_december_at_90(targets: list[dict[str, Any]]) -> None:
    targets.append({"effective_from": "2026-12-01", "target": 90, "warn": 80, "fail": 70})


@pytest.mark.parametrize(
    ("edit", "extra", "code"),
    [
        # a tightening rewrite: only the history gate refuses it
        (_raise_september_warn, [], ExitCode.PROBLEMS),
        (_raise_september_warn, ["--allow-history-rewrite"], ExitCode.OK),
        # a loosening rewrite: allowing the rewrite does not allow the loosening
        (_lower_september, [], ExitCode.PROBLEMS),
        (_lower_september, ["--allow-history-rewrite"], ExitCode.PROBLEMS),
        # judged from before September, the same tightening is no rewrite
        (_raise_september_warn, ["--as-of", "2026-08-31"], ExitCode.OK),
    ],
)
def test_the_gate_refuses_a_rewrite_unless_allowed(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: Edit,
    extra: list[str],
    code: ExitCode,
) -> None:
    repo = _repository(tmp_path, edit)
    result = _diff(repo, "--fail-on-loosened", *extra, monkeypatch=monkeypatch)
    assert result.exit_code == code, result.output


@pytest.mark.parametrize(
    ("edit", "loosening_check", "history_check"),
    [
        # the workflow's two checks, each with its own label: a tightening rewrite needs only
        # the history approval, a loosening rewrite both, a forward-dated loosening only the
        # loosening approval
        (_raise_september_warn, ExitCode.OK, ExitCode.PROBLEMS),
        (_lower_september, ExitCode.PROBLEMS, ExitCode.PROBLEMS),
        (_add_december_at_90, ExitCode.OK, ExitCode.OK),
    ],
)
def test_a_rewrite_and_a_loosening_are_approved_apart(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edit: Edit,
    loosening_check: ExitCode,
    history_check: ExitCode,
) -> None:
    repo = _repository(tmp_path, edit)
    loosening = _diff(
        repo, "--fail-on-loosened", "--allow-history-rewrite", monkeypatch=monkeypatch
    )
    assert loosening.exit_code == loosening_check, loosening.output
    history = _diff(repo, "--fail-on-history-rewrite", monkeypatch=monkeypatch)
    assert history.exit_code == history_check, history.output


def test_a_forward_dated_tightening_passes_the_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def raise_december(targets: list[dict[str, Any]]) -> None:
        targets.append({"effective_from": "2026-12-01", "target": 80, "warn": 70, "fail": 60})

    repo = _repository(tmp_path, raise_december)
    result = _diff(repo, "--fail-on-loosened", monkeypatch=monkeypatch)
    assert result.exit_code == ExitCode.OK, result.output
    assert "rewrite" not in result.output
    # the same edit judged from January 2027, when December has been judged: refused
    later = _diff(repo, "--fail-on-loosened", "--as-of", "2027-01-10", monkeypatch=monkeypatch)
    assert later.exit_code == ExitCode.PROBLEMS, later.output
    assert "[rewrites history]" in later.output


def test_without_the_gate_a_rewrite_is_reported_and_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repository(tmp_path, _raise_september_warn)
    result = _diff(repo, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if "(o-checkout) warn" in row)
    assert line.startswith(" ! tightened") and line.endswith("65 → 68  [rewrites history]")
    assert "1 change rewrites history: thresholds in force on or before 2026-10-15" in (
        result.output
    )


def test_markdown_flags_the_rewrite_and_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repository(tmp_path, _raise_september_warn)
    result = _diff(repo, "--format", "markdown", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert "> **1 change rewrites history" in result.output
    row = next(r for r in result.output.splitlines() if "(o-checkout) warn" in r)
    assert row.startswith("| ⚠️ | tightened · **rewrites history** |"), row


def test_a_finnish_program_is_told_in_finnish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repository(tmp_path, _raise_september_warn, language="fi")
    text = _diff(repo, monkeypatch=monkeypatch).output
    assert "[muuttaa historiaa]" in text and "[rewrites history]" not in text
    assert "1 muutos muuttaa historiaa: 15.10.2026 tai aiemmin" in text
    markdown = _diff(repo, "--format", "markdown", monkeypatch=monkeypatch).output
    assert "kiristetty · **muuttaa historiaa**" in markdown


def test_a_folder_base_is_judged_from_the_command_s_today(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, after = _base(), _base()
    _lower_september(item(after, "objectives.yaml", "objectives", "o-checkout")["targets"])
    write_program(tmp_path / "before" / "shop", before)
    write_program(tmp_path / "after" / "shop", after)
    monkeypatch.chdir(tmp_path)
    for now, rewritten in (("2026-08-20", 0), ("2026-09-20", 1)):
        result = CliRunner().invoke(
            cli, ["--now", now, "diff", "before", "after", "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        found = json.loads(result.output)
        assert (found["history_as_of"], found["rewrites_history"]) == (now, rewritten)


def test_only_target_changes_can_rewrite_history() -> None:
    day = dt.date(2026, 10, 15)
    target = Change("objective", "o", "target", 75, 60, "loosened", "2026-09-01")
    assert rewrites_history(target, day)
    assert rewrites_history(target, dt.date(2026, 9, 1))
    assert not rewrites_history(target, dt.date(2026, 8, 31))
    assert not rewrites_history(Change("objective", "o", "name", "A", "B", "changed"), day)
    assert not rewrites_history(Change("objective", "o", None, None, {}, "added"), day)
    assert set(WORDS) == {"en", "fi"}


@pytest.mark.parametrize(
    ("loosened", "rewrites", "gate", "allow", "code"),
    [
        (False, False, True, False, ExitCode.OK),
        (True, False, True, False, ExitCode.PROBLEMS),
        (False, True, True, False, ExitCode.PROBLEMS),
        (False, True, True, True, ExitCode.OK),
        (True, True, True, True, ExitCode.PROBLEMS),
        (True, True, False, False, ExitCode.OK),
    ],
)
def test_the_review_exit_code(
    loosened: bool, rewrites: bool, gate: bool, allow: bool, code: ExitCode
) -> None:
    assert (
        review_exit_code(
            loosened=loosened,
            rewrites_history=rewrites,
            fail_on_loosened=gate,
            allow_history_rewrite=allow,
        )
        is code
    )


def test_the_base_is_dated_by_when_it_was_committed_not_authored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit written in August and rebased onto the branch in October became the branch's
    in October: by then September was in force."""
    repo = _repository(tmp_path, _raise_september_warn)
    repo.git("checkout", "-q", "HEAD~1")
    repo.git(
        "commit",
        "--amend",
        "-q",
        "--no-edit",
        "--date",
        "2026-08-20T12:00:00+03:00",
        date=BASE_DATE,
    )
    assert repo.git("log", "-1", "--format=%ad %cd", "--date=short") == "2026-08-20 2026-10-15"
    base = repo.git("rev-parse", "HEAD")
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(cli, ["diff", base, "main", "--format", "json"])
    found = json.loads(result.output)
    assert (found["history_as_of"], found["rewrites_history"]) == ("2026-10-15", 1)
