"""The backtest's word on each change, as a table: what a change's label becomes given the
verdicts and actions the backtest flips for the objectives it reaches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from cxgov.review.backtest import ActionFlip, Backtest, Flip
from cxgov.review.compare import ProgramDiff
from cxgov.review.confirm import confirmed
from cxgov.review.semantic import Change, Named

DAY = dt.date(2026, 3, 1)
WINDOW = Change(
    "objective", "o-a", "measurement_point", "mp-1", "mp-2", "loosened", reason="unknown"
)
RAISED = Change("objective", "o-a", "target", 70, 80, "tightened", "2025-01-01")
LOWERED = Change("objective", "o-a", "fail", 60, 50, "loosened", "2025-01-01")
RENAMED = Change("objective", "o-a", "name", "A", "B", "changed")
SCALE = Change(
    "kpi",
    "csat",
    "scale",
    [1, 5],
    [1, 7],
    "loosened",
    reason="unknown",
    affects=(Named("o-a", "A"),),
)


def flip(old: str | None, new: str | None, objective: str = "o-a") -> Flip:
    return Flip(objective, {}, DAY, DAY, 50.0, 100, old, new, 70.0, 70.0)


def cancelled(objective: str = "o-a") -> ActionFlip:
    return ActionFlip(objective, {}, DAY, "miss", "base")


@dataclass(frozen=True)
class Case:
    id: str
    changes: tuple[Change, ...]
    flips: tuple[Flip, ...] = ()
    actions: tuple[ActionFlip, ...] = ()
    histories: frozenset[str] = frozenset({"o-a"})
    expected: tuple[tuple[str, str | None], ...] = ()
    """(effect, reason) of each change after the backtest."""


CASES = [
    Case(
        "an unknown effect that turns a fail into no verdict is loosened",
        (WINDOW,),
        flips=(flip("fail", None),),
        expected=(("loosened", "backtest_looser"),),
    ),
    Case(
        "an unknown effect that cancels an action is loosened",
        (WINDOW,),
        actions=(cancelled(),),
        expected=(("loosened", "backtest_looser"),),
    ),
    Case(
        "an unknown effect that turns a fail into a warn is loosened",
        (SCALE,),
        flips=(flip("fail", "warn"),),
        expected=(("loosened", "backtest_looser"),),
    ),
    Case(
        "an unknown effect that only adds misses is tightened",
        (WINDOW,),
        flips=(flip("on_target", "below_target"),),
        expected=(("tightened", "backtest_stricter"),),
    ),
    Case(
        "an unknown effect that flips nothing is changed",
        (SCALE,),
        expected=(("changed", "backtest_nothing"),),
    ),
    Case(
        "an unknown effect beside another change to the objective stays loosened",
        (WINDOW, RAISED),
        flips=(flip("on_target", "below_target"),),
        expected=(("loosened", "unknown_mixed"), ("tightened", None)),
    ),
    Case(
        "an unknown effect without history stays unknown",
        (WINDOW,),
        histories=frozenset(),
        expected=(("loosened", "unknown"),),
    ),
    Case(
        "a tightening the backtest contradicts is loosened",
        (RAISED,),
        flips=(flip("fail", "on_target"),),
        expected=(("loosened", "backtest_looser"),),
    ),
    Case(
        "a tightening beside a loosening that explains the flips stays tightened",
        (RAISED, LOWERED),
        flips=(flip("fail", "warn"),),
        expected=(("tightened", None), ("loosened", None)),
    ),
    Case(
        "a flip of another objective says nothing about this one",
        (WINDOW,),
        flips=(flip("fail", None, "o-b"),),
        histories=frozenset({"o-a", "o-b"}),
        expected=(("changed", "backtest_nothing"),),
    ),
    Case(
        "a renamed objective is never relabelled",
        (RENAMED,),
        flips=(flip("fail", "on_target"),),
        expected=(("changed", None),),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_backtest_settles_each_change(case: Case) -> None:
    found = Backtest(
        "shop",
        DAY,
        3,
        judged=3,
        flips=list(case.flips),
        actions=list(case.actions),
        names={"o-a": "A"},
        histories=case.histories,
    )
    diff = confirmed(ProgramDiff("shop", list(case.changes)), found)
    assert [(c.effect, c.reason) for c in diff.changes] == list(case.expected)


def test_without_a_backtest_nothing_changes() -> None:
    diff = ProgramDiff("shop", [WINDOW])
    assert confirmed(diff, None) is diff


def test_the_evidence_counts_flips_and_actions() -> None:
    found = Backtest(
        "shop",
        DAY,
        3,
        judged=4,
        flips=[flip("fail", "on_target"), flip("on_target", "warn"), flip("warn", "fail")],
        actions=[cancelled(), ActionFlip("o-a", {}, DAY, "miss", "head")],
        histories=frozenset({"o-a"}),
    )
    (change,) = confirmed(ProgramDiff("shop", [WINDOW]), found).changes
    assert change.evidence is not None
    assert change.evidence.to_json() == {"looser": 1, "stricter": 2, "cancelled": 1, "opened": 1}
