"""A program's history: every commit that touched its folder, with what it changed.

A target change to a revision already in force when the commit was made is marked as
rewriting history (`cxgov.review.rewrites`), with the objective's revisions before it, so the
site can keep the old thresholds visible.

Commits whose version of the program does not validate are skipped: the next valid version is
compared with the last valid one, so a fix-up commit never shows a program removed and added
back. A commit that deletes the folder is recorded with everything removed.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cxgov.model import Program
from cxgov.review.gitrefs import GitError, git, materialise, prefix_in_repo, repository_root
from cxgov.review.programs import ProgramErrors, load_valid
from cxgov.review.rewrites import Rewritten, mark, rewritten
from cxgov.review.semantic import Change, diff_programs

_FIELD = "\x1f"


@dataclass(frozen=True)
class HistoryEntry:
    commit: str
    date: dt.date
    """The author date."""
    author: str
    subject: str
    changes: tuple[Change, ...]
    committed: dt.date | None = None
    """The committer date: the day this version became the branch's, which history is
    judged from."""
    rewritten: tuple[Rewritten, ...] = ()
    """The objectives whose revisions in force this commit changed, with their revisions
    before it."""


@dataclass(frozen=True)
class _Commit:
    sha: str
    date: dt.date
    committed: dt.date
    author: str
    subject: str


def _commits(repo: Path, prefix: str, limit: int | None) -> list[_Commit]:
    args = ["log", f"--format=%H{_FIELD}%ad{_FIELD}%cd{_FIELD}%an{_FIELD}%s", "--date=short"]
    if limit is not None:
        args.append(f"--max-count={limit + 1}")  # one more: the version the first one changed
    output = git(repo, *args, "--", prefix or ".")
    found = []
    for line in output.splitlines():
        sha, date, committed, author, subject = line.split(_FIELD, 4)
        found.append(
            _Commit(
                sha,
                dt.date.fromisoformat(date),
                dt.date.fromisoformat(committed),
                author,
                subject,
            )
        )
    found.reverse()
    return found


def _version(repo: Path, commit: str, prefix: str, workdir: Path) -> Program | None:
    """The program at `commit`; None when the folder holds none. Raises ProgramErrors."""
    folder = materialise(repo, commit, prefix, workdir / commit)
    programs = load_valid(folder, f"{commit[:12]}:")
    return next(iter(programs.values()), None) if len(programs) == 1 else None


def program_history(
    repo: Path, program_dir: Path, *, limit: int | None = None
) -> list[HistoryEntry]:
    """The commits that touched `program_dir` (oldest first) with their changes; the first
    commit adds everything. With `limit`, only the newest `limit` commits are listed (each
    still diffed against the version before it). [] when `repo` is not a git repository or
    git is missing."""
    root = repository_root(repo)
    if root is None:
        return []
    folder = program_dir if program_dir.is_absolute() else repo / program_dir
    try:
        prefix = prefix_in_repo(root, folder)
        commits = _commits(root, prefix, limit)
    except (GitError, ValueError):
        return []
    baseline_only = limit is not None and len(commits) > limit
    entries: list[HistoryEntry] = []
    previous: Program | None = None
    with tempfile.TemporaryDirectory(prefix="cxgov-history-") as workdir:
        for index, commit in enumerate(commits):
            try:
                current = _version(root, commit.sha, prefix, Path(workdir))
            except ProgramErrors:
                continue
            except GitError:
                return entries
            if not (baseline_only and index == 0):
                changes = mark(diff_programs(previous, current), commit.committed)
                entries.append(
                    HistoryEntry(
                        commit.sha,
                        commit.date,
                        commit.author,
                        commit.subject,
                        tuple(changes),
                        commit.committed,
                        rewritten(previous, changes),
                    )
                )
            previous = current
    return entries
