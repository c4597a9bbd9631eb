"""Reviewing program changes like code: the semantic diff with its backtest, and CODEOWNERS."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cxgov.errors import InvalidProgram, UsageError
from cxgov.review import render
from cxgov.review.codeowners import CodeownersFile, codeowners_file
from cxgov.review.compare import ProgramDiff, diff_sides, load_side
from cxgov.review.confirm import confirmed
from cxgov.review.programs import ProgramErrors

if TYPE_CHECKING:
    from cxgov.review.backtest import Backtest

__all__ = ["Review", "codeowners", "review"]


@dataclass(frozen=True)
class Review:
    """`cxgov diff`: the changes per program, and with a backtest its flips per program."""

    base: str
    head: str
    diffs: list[ProgramDiff]
    """One per program id on either side."""
    backtests: list[Backtest]
    """One per program on both sides (with a backtest)."""
    backtested: bool = False
    """Whether a backtest was asked for (its list may still be empty)."""
    history_as_of: dt.date | None = None
    """The day history is judged from: target changes to revisions in force on or before it
    rewrite history (None: nothing was checked)."""

    @property
    def blocks(self) -> bool:
        return any(d.blocks for d in self.diffs)

    @property
    def rewrites_history(self) -> bool:
        return any(d.rewrites_history for d in self.diffs)

    def text(self) -> str:
        """For a terminal."""
        return render.text(
            self.diffs, self.base, self.head, self.history_as_of
        ) + render.backtest_text(self.backtests, render.language_of(self.diffs))

    def markdown(self) -> str:
        """For a pull-request comment: loosened targets, removed objectives and rewritten
        history first."""
        return render.markdown(
            self.diffs, self.base, self.head, self.history_as_of
        ) + render.backtest_markdown(self.backtests, render.language_of(self.diffs))

    def to_json(self) -> dict[str, Any]:
        data = render.as_json(self.diffs, self.base, self.head, self.history_as_of)
        if self.backtested:
            data["backtest"] = [b.to_json() for b in self.backtests]
        return data


def review(
    base: str,
    head: str | None = None,
    *,
    path: str = "programs",
    cwd: str | None = None,
    backtest_periods: int | None = None,
    as_of: dt.date | None = None,
    history_as_of: dt.date | None = None,
    today: dt.date | None = None,
    db: str | None = None,
) -> Review:
    """The semantic diff of the programs from `base` to `head` (git revisions of the repository
    around `cwd`, or folders; `head` None is the working tree). With `backtest_periods`, the
    stored history is judged under both versions for that many latest periods as of `as_of`.

    Target changes to revisions in force on or before `history_as_of` are flagged as
    rewriting history; without it, the base commit's date, and for a folder `today` (None:
    a folder base flags nothing)."""
    folder = Path(cwd or ".")
    with tempfile.TemporaryDirectory(prefix="cxgov-diff-") as workdir:
        try:
            old = load_side(base, cwd=folder, path=path, workdir=Path(workdir))
            new = load_side(head, cwd=folder, path=path, workdir=Path(workdir))
        except ProgramErrors as exc:
            raise InvalidProgram(exc.diagnostics) from exc
    history_day = history_as_of or old.date or today
    diffs = diff_sides(old, new, history_day)
    if backtest_periods is None:
        return Review(old.label, new.label, diffs, [], history_as_of=history_day)
    if as_of is None:
        raise UsageError("a backtest needs the as-of date")
    # a diff alone needs no database: the store and the aggregation load only for a backtest
    from cxgov.api._store import opened_store
    from cxgov.review.backtest import backtest

    backtests = []
    with opened_store(db) as engine, engine.connect() as connection:
        for ident in sorted(old.programs.keys() & new.programs.keys()):
            backtests.append(
                backtest(
                    connection,
                    old.programs[ident],
                    new.programs[ident],
                    as_of=as_of,
                    periods=backtest_periods,
                )
            )
        connection.rollback()  # read only: nothing the aggregation touched is kept
    by_program = {b.program: b for b in backtests}
    diffs = [confirmed(d, by_program.get(d.program)) for d in diffs]
    return Review(
        old.label, new.label, diffs, backtests, backtested=True, history_as_of=history_day
    )


def codeowners(root: str = ".", path: str = "programs", *, write: bool = False) -> CodeownersFile:
    """The CODEOWNERS file of the repository at `root`: its text now and with the generated
    entries current; with `write`, a stale file is updated."""
    folder = Path(root)
    if not (folder / path).is_dir():
        raise UsageError(f"no such folder: {folder / path}")
    return codeowners_file(folder, path, write=write)
