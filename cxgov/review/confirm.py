"""The backtest's word on each change: what the definition cannot settle, history does.

The semantic diff labels a change by its definition; a change whose effect the definition
cannot tell counts as loosened (`unknown`). With a backtest, the verdicts and actions it flips
for the objectives a change reaches confirm or override that label:

- a change of unknown effect is loosened when its objectives' verdicts turn from a miss into a
  non-miss (or a milder miss) or actions no longer open; otherwise, when it is the only change
  that can move those objectives' verdicts, tightened if misses only appear or grow graver,
  changed if nothing flips. Beside other changes to the same objectives it stays loosened: the
  backtest judges all of them together and cannot tell them apart.
- a tightened change, or a neutral one that can move verdicts, is loosened when its objectives'
  verdicts loosen and no other loosened change to them explains it.
- an objective without stored history proves nothing: its changes keep their labels.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from cxgov.judgement.verdicts import MISSES, SEVERITY, Verdict
from cxgov.review.compare import ProgramDiff
from cxgov.review.semantic import Change, Evidence

if TYPE_CHECKING:
    from cxgov.review.backtest import Backtest


def _rank(status: str | None) -> int:
    """0 for anything that is not a miss; the miss's gravity otherwise."""
    if status is None or status not in MISSES:
        return 0
    return SEVERITY[Verdict(status)]


def evidence(found: Backtest, objectives: set[str]) -> Evidence:
    """The flips and action differences of `objectives` in one backtest."""
    flips = [f for f in found.flips if f.objective in objectives]
    actions = [a for a in found.actions if a.objective in objectives]
    return Evidence(
        looser=sum(_rank(f.new_status) < _rank(f.old_status) for f in flips),
        stricter=sum(_rank(f.new_status) > _rank(f.old_status) for f in flips),
        cancelled=sum(a.opens_under == "base" for a in actions),
        opened=sum(a.opens_under == "head" for a in actions),
    )


def _moves(change: Change) -> bool:
    """Whether a change can move a verdict or an action (a renamed item cannot)."""
    if change.effect in ("added", "removed"):
        return False
    return change.effect != "changed" or change.reason is not None


def confirmed(diff: ProgramDiff, found: Backtest | None) -> ProgramDiff:
    """`diff` with each change that can move a verdict labelled again by the backtest's flips
    for its objectives; the same diff without a backtest."""
    if found is None:
        return diff
    moving = [c for c in diff.changes if _moves(c)]
    return replace(diff, changes=[_confirm(c, moving, found) for c in diff.changes])


def _confirm(change: Change, moving: list[Change], found: Backtest) -> Change:
    if not _moves(change):
        return change
    reached = set(change.objectives)
    known = reached & found.histories
    if not known:
        return change
    seen = evidence(found, known)
    looser = bool(seen.looser or seen.cancelled)
    others = [c for c in moving if c is not change and reached & set(c.objectives)]
    if change.reason == "unknown":
        if known != reached:
            return replace(change, evidence=seen)
        if looser:
            return replace(change, reason="backtest_looser", evidence=seen)
        if others:
            return replace(change, reason="unknown_mixed", evidence=seen)
        if seen.stricter or seen.opened:
            return replace(change, effect="tightened", reason="backtest_stricter", evidence=seen)
        return replace(change, effect="changed", reason="backtest_nothing", evidence=seen)
    if change.effect != "loosened" and looser and not any(c.effect == "loosened" for c in others):
        return replace(change, effect="loosened", reason="backtest_looser", evidence=seen)
    return replace(change, evidence=seen)
