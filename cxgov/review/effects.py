"""What one field's change does to the misses: `tightened` (easier to see or act on),
`loosened` (harder) or `changed` (neither), with the reason when the effect needs one. Target
thresholds are in `cxgov.review.targets`.

Where the definition alone cannot say which way a change moves the verdicts (a KPI's type or
scale, an objective moved to another measurement point, another window), the change counts as
loosened with the reason `unknown`: it needs approval until a backtest on stored history settles
it (`cxgov.review.confirm`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from cxgov.model import ActionPolicy, Adjustment, Direction, Kpi, Rule, Statistic
from cxgov.model.policies import DEFAULT_DUE_DAYS
from cxgov.review.targets import combine, compare


class Judged(NamedTuple):
    effect: str
    reason: str | None = None
    """A key of `cxgov.review.words.REASONS`: why, when the effect is not plain from the values."""


FieldRule = Callable[[Any, Any], "str | Judged"]

UNKNOWN = Judged("loosened", "unknown")


def unknown(old: Any, new: Any) -> Judged:
    """The definition cannot say: needs approval until a backtest settles it."""
    return UNKNOWN


def higher_is_looser(before: float, after: float) -> str:
    if before == after:
        return "changed"
    return "loosened" if after > before else "tightened"


def lower_is_looser(before: float, after: float) -> str:
    if before == after:
        return "changed"
    return "loosened" if after < before else "tightened"


min_sample = higher_is_looser
"""More answers needed: more periods end insufficient_sample instead of a verdict."""


def confidence(old: float | None, new: float | None) -> Judged:
    # the level of the intervals shown; the program's error rate decides the verdicts
    return Judged("changed", "intervals_only")


def rule(old: Rule, new: Rule) -> Judged:
    """`point` judges by the value alone, so a period just short of a threshold is a miss
    without waiting for the shortfall to be established."""
    if new is Rule.POINT:
        return Judged("tightened", "rule_point")
    return Judged("loosened", "rule_test")


_STRICTNESS = {Adjustment.NONE: 0, Adjustment.BENJAMINI_HOCHBERG: 1, Adjustment.HOLM: 2}


def adjustment(old: Adjustment, new: Adjustment) -> Judged:
    """A stricter adjustment needs more evidence for each miss: fewer misses."""
    if _STRICTNESS[new] > _STRICTNESS[old]:
        return Judged("loosened", "adjustment_stricter")
    return Judged("tightened", "adjustment_laxer")


DECISION_RULES: dict[str, FieldRule] = {
    "error_rate": lower_is_looser,
    "adjustment": adjustment,
    "run_length": higher_is_looser,
    "decline_error_rate": lower_is_looser,
}


def positive(old: Kpi, new: Kpi) -> Judged:
    """A KPI's range of positive answers, on the same scale: wider counts more answers as
    positive and raises the value, narrower lowers it; a range moved is unknown."""
    before, after = old.effective_positive, new.effective_positive
    if before == after:
        return Judged("changed")
    if new.effective_statistic is not Statistic.PERCENT_POSITIVE:
        return Judged("changed", "positive_unread")
    if before is None or after is None or old.effective_scale != new.effective_scale:
        return UNKNOWN
    wider = after[0] <= before[0] and after[1] >= before[1]
    narrower = after[0] >= before[0] and after[1] <= before[1]
    if not (wider or narrower):
        return UNKNOWN
    higher = new.direction is Direction.HIGHER_IS_BETTER
    if wider:
        return Judged("loosened" if higher else "tightened", "positive_wider")
    return Judged("tightened" if higher else "loosened", "positive_narrower")


def policy_reference(
    old: str | None,
    new: str | None,
    old_policies: dict[str, ActionPolicy],
    new_policies: dict[str, ActionPolicy],
) -> str | Judged:
    """An objective's action policy removed, set, or swapped for another (compared as one
    policy's fields changed into the other's)."""
    if new is None:
        return "loosened"
    if old is None:
        return "tightened"
    before, after = old_policies.get(old), new_policies.get(new)
    if before is None or after is None:
        return UNKNOWN
    found = [
        as_judged(rule(getattr(before, name), getattr(after, name))).effect
        for name, rule in POLICY_RULES.items()
        if getattr(before, name) != getattr(after, name)
    ]
    return effect_of(combine(found))


def as_judged(found: str | Judged) -> Judged:
    return found if isinstance(found, Judged) else Judged(found)


def _triggers(old: tuple[Any, ...], new: tuple[Any, ...]) -> str:
    removed, added = set(old) - set(new), set(new) - set(old)
    if removed:
        return "loosened"
    return "tightened" if added else "changed"


def _days(old: int | None, new: int | None) -> str:
    """Longer is looser; no limit at all is the loosest."""
    if old is None:
        return "tightened"
    if new is None:
        return "loosened"
    return "loosened" if new > old else "tightened"


def _due_days(old: dict[Any, int], new: dict[Any, int]) -> str:
    effects = [
        compare(-old.get(status, DEFAULT_DUE_DAYS), -new.get(status, DEFAULT_DUE_DAYS), higher=True)
        for status in old.keys() | new.keys()
    ]
    return effect_of(combine(effects))


def _fewer_is_looser(old: int, new: int) -> str:
    return "loosened" if new < old else "tightened"


def _more_is_looser(old: int, new: int) -> str:
    return "loosened" if new > old else "tightened"


def _switch(old: bool, new: bool) -> str:
    return "loosened" if old and not new else "tightened"


def effect_of(found: str) -> str:
    return "changed" if found == "unchanged" else found


POLICY_RULES: dict[str, FieldRule] = {
    "open_on": _triggers,
    "due_days": _due_days,
    "escalate_after_days": _days,
    "close_after_passing_periods": _fewer_is_looser,
    "verify_within_periods": _more_is_looser,
    "include_partial": _switch,
}
POLICY_FIELD_NAMES = {"open_on": "triggers"}
