"""How an objective's targets changed, judged by the KPI's direction.

An objective's revisions define thresholds (target, warn, fail) as a function of the date. Two
versions are compared segment by segment: the segments are cut at every `effective_from` of
either version, so a revision added, removed, moved or edited shows up at the date where the
thresholds in force start to differ, and a revision that only starts in the future is judged
as strictly as one in force today.

Within a segment the thresholds are piecewise linear in the date (a trajectory interpolates
between its start and end and is flat outside them), so comparing both versions at the
segment's first and last day and at every trajectory start or end inside it finds every place
where one is above the other. A threshold is tightened when it is better (higher, for a
higher-is-better KPI) or equal at every one of those dates, loosened when it is worse at any of
them: a target raised in 2027 but lowered today is loosened, since a lowered target must never
pass review unnoticed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cxgov.model import Direction, Objective, TargetRevision

THRESHOLDS = ("target", "warn", "fail")


@dataclass(frozen=True, slots=True)
class TargetChange:
    at: dt.date
    field: str
    old: Any
    new: Any
    effect: str


def _in_force(objective: Objective, day: dt.date) -> TargetRevision | None:
    chosen = None
    for revision in objective.targets:
        if revision.effective_from <= day:
            chosen = revision
    return chosen


def _values(revision: TargetRevision, day: dt.date, higher: bool) -> dict[str, float | None]:
    """Target, warn and fail of one revision on one day (the verdicts' interpolation)."""
    if revision.trajectory is None:
        return {"target": revision.target, "warn": revision.warn, "fail": revision.fail}
    start, end = revision.trajectory.start, revision.trajectory.end
    span = (end.date - start.date).days
    share = 0.0 if span <= 0 else min(max((day - start.date).days / span, 0.0), 1.0)
    target = start.value + share * (end.value - start.value)
    sign = 1.0 if higher else -1.0
    return {
        "target": target,
        "warn": None if revision.warn_margin is None else target - sign * revision.warn_margin,
        "fail": None if revision.fail_margin is None else target - sign * revision.fail_margin,
    }


def _sample_days(
    revisions: tuple[TargetRevision, TargetRevision], first: dt.date, last: dt.date | None
) -> list[dt.date]:
    days = {first}
    if last is not None:
        days.add(last)
    for revision in revisions:
        if revision.trajectory is not None:
            for point in (revision.trajectory.start, revision.trajectory.end):
                if point.date > first and (last is None or point.date < last):
                    days.add(point.date)
    return sorted(days)


def compare(old: float | None, new: float | None, higher: bool) -> str:
    """`tightened`, `loosened` or `unchanged` for one threshold; an alarm threshold that goes
    away loosens (nothing raises that alarm any more), one that appears tightens."""
    if old == new:
        return "unchanged"
    if new is None:
        return "loosened"
    if old is None:
        return "tightened"
    better = new > old if higher else new < old
    return "tightened" if better else "loosened"


def combine(effects: list[str]) -> str:
    """Loosened anywhere wins; otherwise tightened if anything tightened."""
    if "loosened" in effects:
        return "loosened"
    if "tightened" in effects:
        return "tightened"
    return "unchanged"


def revision_json(revision: TargetRevision | None) -> dict[str, Any] | None:
    if revision is None:
        return None
    return revision.model_dump(mode="json", exclude_none=True)


def _trajectory_json(revision: TargetRevision) -> dict[str, Any]:
    assert revision.trajectory is not None
    return revision.trajectory.model_dump(mode="json")


def target_changes(old: Objective, new: Objective, direction: Direction) -> Iterator[TargetChange]:
    """Every difference between two versions' thresholds, segment by segment."""
    higher = direction is Direction.HIGHER_IS_BETTER
    cuts = sorted({r.effective_from for r in (*old.targets, *new.targets)})
    for index, first in enumerate(cuts):
        last = cuts[index + 1] - dt.timedelta(days=1) if index + 1 < len(cuts) else None
        before, after = _in_force(old, first), _in_force(new, first)
        if before == after:
            continue
        if before is None or after is None:
            # judged from an earlier date shows misses sooner; a later first revision hides them
            effect = "tightened" if before is None else "loosened"
            yield TargetChange(
                first, "targets", revision_json(before), revision_json(after), effect
            )
            continue
        yield from _segment(before, after, first, last, higher)


def _segment(
    before: TargetRevision,
    after: TargetRevision,
    first: dt.date,
    last: dt.date | None,
    higher: bool,
) -> Iterator[TargetChange]:
    days = _sample_days((before, after), first, last)
    effects = {
        name: combine(
            [
                compare(_values(before, d, higher)[name], _values(after, d, higher)[name], higher)
                for d in days
            ]
        )
        for name in THRESHOLDS
    }
    if not before.is_trajectory and not after.is_trajectory:
        for name in THRESHOLDS:
            old_value, new_value = getattr(before, name), getattr(after, name)
            if old_value != new_value:
                yield TargetChange(first, name, old_value, new_value, _effect(effects[name]))
        return
    if before.is_trajectory and after.is_trajectory:
        if before.trajectory != after.trajectory:
            yield TargetChange(
                first,
                "trajectory",
                _trajectory_json(before),
                _trajectory_json(after),
                _effect(effects["target"]),
            )
        for name, threshold in (("warn_margin", "warn"), ("fail_margin", "fail")):
            old_margin, new_margin = getattr(before, name), getattr(after, name)
            if old_margin != new_margin:
                # a wider margin puts the alarm further from the target: later alarms
                if old_margin is None or new_margin is None:
                    effect = _effect(effects[threshold])
                else:
                    effect = "loosened" if new_margin > old_margin else "tightened"
                yield TargetChange(first, name, old_margin, new_margin, effect)
        return
    # fixed <-> trajectory: one change, judged on all three thresholds at once
    yield TargetChange(
        first,
        "target",
        revision_json(before),
        revision_json(after),
        _effect(combine(list(effects.values()))),
    )


def _effect(found: str) -> str:
    return "changed" if found == "unchanged" else found
