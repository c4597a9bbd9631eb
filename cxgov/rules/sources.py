"""Data sources: where a source's files are looked for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath, PureWindowsPath

from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import rule


def path_problem(pattern: str) -> tuple[str, str] | None:
    """Why a source's `path` cannot be used, with the fix; None when it can. Shared by the
    rule and by the run, which refuses such a path even when validation was skipped."""
    text = pattern.strip()
    if not text:
        return "is empty", "give a glob of the data files, for example data/*.csv"
    if text.startswith(("/", "~", "\\")) or PureWindowsPath(text).drive:
        return (
            "is absolute",
            "give it relative to the program folder, for example data/*.csv; "
            "copy or link the exports into the program's data folder",
        )
    parts = PurePosixPath(text.replace("\\", "/")).parts
    if ".." in parts:
        return "leaves the program folder (`..`)", "keep the data files inside the program folder"
    if parts[-1] == "**":
        return "matches folders only (`**`)", "name the files, for example data/**/*.csv"
    return None


@rule("CXG123", "source-path")
def source_path(ctx: RuleContext) -> Iterator[Finding]:
    """A source's `path` must be a glob of files inside the program folder.

    The nightly run reads every file the glob finds, so an empty or absolute path, one that
    climbs out of the program folder with `..`, or one that ends in `**` (which matches
    folders, not files) is an error: it would read nothing, or files that are not the
    program's.
    """
    for source, origin in ctx.items("sources"):
        found = path_problem(source.path)
        if found is not None:
            problem, hint = found
            yield Finding(
                origin.at("path"), f"path {source.path!r} of source '{source.id}' {problem}", hint
            )
