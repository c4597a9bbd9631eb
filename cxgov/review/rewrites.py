"""Changes that rewrite history: a target revision edited, removed, added or moved where it was
already in force.

Every published verdict was judged against the revision in force for its period. Editing that
revision in place (75 → 60 from 2026-09-01, merged in October) makes the next nightly run judge
September again against 60, and nothing on the pages would say it was ever 75. A forward-dated
revision changes nothing that has been judged, so the two must not look alike in a review.

A target change carries `at`, the first day on which the thresholds in force differ between the
two versions (`cxgov.review.targets` cuts both at every `effective_from`); that is the edited
revision's own date, the date a revision was removed, added or moved from. The change rewrites
history when that day is on or before the day the review is judged from: the base commit's date,
or `--as-of`. A revision that starts on that very day counts as in force, since the night's run
has already judged the period it governs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from cxgov.judgement.verdicts import REWRITTEN_WORDS
from cxgov.model import Program, TargetRevision
from cxgov.review.semantic import Change

WORDS = REWRITTEN_WORDS
"""The flag as every output says it, by language."""


@dataclass(frozen=True)
class Rewritten:
    """An objective whose revisions in force were changed, with the revisions it had before,
    so the thresholds it was judged against stay visible after the change."""

    objective: str
    before: tuple[TargetRevision, ...]
    changes: tuple[Change, ...]
    """The changes that rewrote history, marked."""


def label(language: str) -> str:
    """The flag in the program's language (English when the language is unknown)."""
    return WORDS.get(language, WORDS["en"])


def rewrites_history(change: Change, as_of: dt.date) -> bool:
    """Whether `change` alters an objective's thresholds on a day on or before `as_of`."""
    if change.kind != "objective" or change.at is None:
        return False
    return dt.date.fromisoformat(change.at) <= as_of


def mark(changes: Iterable[Change], as_of: dt.date | None) -> list[Change]:
    """`changes` with those that rewrite history as of `as_of` flagged; None flags none (no
    date to judge from)."""
    if as_of is None:
        return list(changes)
    return [
        replace(change, rewrites_history=True) if rewrites_history(change, as_of) else change
        for change in changes
    ]


def rewritten(old: Program | None, changes: Iterable[Change]) -> tuple[Rewritten, ...]:
    """The objectives of `old` that marked `changes` rewrite, each with its revisions in `old`,
    by objective id."""
    flagged: dict[str, list[Change]] = {}
    for change in changes:
        if change.rewrites_history:
            flagged.setdefault(change.id, []).append(change)
    if old is None or not flagged:
        return ()
    before = {objective.id: objective.targets for objective in old.objectives}
    return tuple(
        Rewritten(ident, before[ident], tuple(found))
        for ident, found in sorted(flagged.items())
        if ident in before
    )
