"""Programs as they were at a git revision: files copied out of git into a folder, never
through a checkout, so the working tree is left alone."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tarfile
from pathlib import Path

GIT_TIMEOUT = 60


class GitError(Exception):
    """git is missing, the folder is not a repository, or a revision is unknown."""


def git(repo: Path, *args: str) -> str:
    return _run(repo, *args).decode("utf-8", errors="replace")


def _run(repo: Path, *args: str) -> bytes:
    if shutil.which("git") is None:
        raise GitError("git is not installed")
    try:
        found = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            check=False,
            timeout=GIT_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitError(f"git {' '.join(args)}: {exc}") from exc
    if found.returncode != 0:
        message = found.stderr.decode("utf-8", errors="replace").strip()
        raise GitError(f"git {' '.join(args)}: {message or f'exit {found.returncode}'}")
    return found.stdout


def repository_root(folder: Path) -> Path | None:
    """The top of the git working tree holding `folder`, or None when there is none."""
    try:
        return Path(git(folder, "rev-parse", "--show-toplevel").strip())
    except GitError:
        return None


def resolve(repo: Path, ref: str) -> str:
    """The commit a revision names (branch, tag, sha, HEAD~2, ...)."""
    try:
        return git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except GitError as exc:
        raise GitError(f"unknown git revision {ref!r}") from exc


def commit_date(repo: Path, commit: str) -> dt.date:
    """The day `commit` was committed, in its committer's zone: when that version became the
    branch's (a rebased or cherry-picked commit keeps its older author date)."""
    return dt.datetime.fromisoformat(git(repo, "show", "-s", "--format=%cI", commit).strip()).date()


def prefix_in_repo(repo: Path, folder: Path) -> str:
    """`folder` relative to the repository root, with forward slashes ('' for the root)."""
    relative = folder.resolve().relative_to(repo.resolve())
    return "" if str(relative) == "." else relative.as_posix()


def materialise(repo: Path, commit: str, prefix: str, destination: Path) -> Path:
    """Write the files under `prefix` at `commit` into `destination`; returns the folder that
    holds what was under `prefix` (it exists even when nothing was there)."""
    args = ["archive", "--format=tar", commit]
    if prefix:
        args += ["--", prefix]
    try:
        data = _run(repo, *args)
    except GitError:
        # git archive refuses a path the commit does not have: an empty folder, unless the
        # commit itself is the problem
        if git(repo, "ls-tree", "--name-only", commit, "--", prefix).strip():
            raise
        target = destination / prefix
        target.mkdir(parents=True, exist_ok=True)
        return target
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        archive.extractall(destination, filter="data")
    target = destination / prefix if prefix else destination
    target.mkdir(parents=True, exist_ok=True)
    return target
