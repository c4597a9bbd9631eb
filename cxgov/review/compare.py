"""Two sides of a review (git revisions, the working tree or folders) and their diff,
program by program."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cxgov.errors import UsageError
from cxgov.model import Program
from cxgov.review.gitrefs import (
    GitError,
    commit_date,
    materialise,
    prefix_in_repo,
    repository_root,
    resolve,
)
from cxgov.review.programs import load_valid
from cxgov.review.rewrites import mark
from cxgov.review.semantic import Change, diff_programs


class ReviewError(UsageError):
    """A side cannot be read: unknown revision, not a repository, a path outside it."""


@dataclass(frozen=True)
class Side:
    label: str
    """How the side is named in output: the revision as given, `working tree`, or the folder."""
    commit: str | None
    programs: dict[str, Program]
    date: dt.date | None = None
    """The commit's date (None for a folder or the working tree)."""


@dataclass(frozen=True)
class ProgramDiff:
    program: str
    changes: list[Change]
    language: str = "en"
    """The program's language (head's, or base's when head removed it): how it is shown."""
    name: str | None = None
    """The program's name (head's, or base's)."""

    @property
    def blocks(self) -> bool:
        return any(c.blocks for c in self.changes)

    @property
    def rewrites_history(self) -> bool:
        return any(c.rewrites_history for c in self.changes)


def load_side(spec: str | None, *, cwd: Path, path: str, workdir: Path) -> Side:
    """`spec` is a folder of programs, a git revision of the repository around `cwd` (the
    programs under `path` at that revision), or None for `path` in the working tree."""
    if spec is None:
        folder = cwd / path
        if not folder.is_dir():
            raise ReviewError(f"no such folder: {path}")
        return Side("working tree", None, load_valid(folder, f"{path.rstrip('/')}/"))
    as_folder = cwd / spec
    if as_folder.is_dir():
        return Side(spec, None, load_valid(as_folder, f"{spec.rstrip('/')}/"))
    repo = repository_root(cwd)
    if repo is None:
        raise ReviewError(f"{spec!r} is not a folder, and {cwd} is not in a git repository")
    try:
        commit = resolve(repo, spec)
        prefix = prefix_in_repo(repo, cwd / path)
        day = commit_date(repo, commit)
    except GitError as exc:
        raise ReviewError(str(exc)) from exc
    except ValueError as exc:
        raise ReviewError(f"{path} is outside the repository at {repo}") from exc
    destination = workdir / commit
    try:
        folder = materialise(repo, commit, prefix, destination)
    except GitError as exc:
        raise ReviewError(str(exc)) from exc
    programs = load_valid(folder, f"{spec}:{prefix + '/' if prefix else ''}")
    return Side(spec, commit, programs, day)


def diff_sides(base: Side, head: Side, history_as_of: dt.date | None = None) -> list[ProgramDiff]:
    """One diff per program id present on either side, sorted by id; target changes to
    revisions in force on or before `history_as_of` are flagged as rewriting history."""
    found = []
    for ident in sorted(base.programs.keys() | head.programs.keys()):
        old, new = base.programs.get(ident), head.programs.get(ident)
        present = new or old
        assert present is not None
        found.append(
            ProgramDiff(
                ident,
                mark(diff_programs(old, new), history_as_of),
                present.program.language.value,
                present.program.name,
            )
        )
    return found
