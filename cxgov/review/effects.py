"""What one field's change does to the visibility of misses: `tightened` (easier to see or
act on), `loosened` (harder) or `changed`. Target thresholds are in `cxgov.review.targets`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cxgov.model.policies import DEFAULT_DUE_DAYS
from cxgov.review.targets import combine, compare

FieldRule = Callable[[Any, Any], str]


def min_sample(before: int, after: int) -> str:
    if before == after:
        return "changed"
    return "loosened" if after > before else "tightened"


def confidence(old: float | None, new: float | None) -> str:
    # no confidence = the point value decides, the easiest rule to miss by
    before, after = old or 0.0, new or 0.0
    return "loosened" if after > before else "tightened"


def policy_reference(old: str | None, new: str | None) -> str:
    if new is None:
        return "loosened"
    if old is None:
        return "tightened"
    return "changed"


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
