"""A semantic diff of two versions of a program: what was added, removed or changed, item by
item, with every change of a target or of what makes a miss visible labelled by its effect.

Effects: `added`, `removed`, `tightened` (misses become easier to see or act on), `loosened`
(harder) and `changed` (neither, such as a renamed item or a new owner). The rules:

- targets, warn and fail: see `cxgov.review.targets` (by the KPI's direction, dated);
- `min_sample` (default 30): raised is loosened, since more periods end as
  insufficient_sample instead of a verdict; lowered is tightened;
- `confidence`: with a confidence, warn and fail need the whole interval past the threshold,
  so setting one or raising it is loosened, lowering or removing it tightened;
- an objective's `action_policy` removed is loosened (no more actions), set is tightened;
- action policies: a trigger removed from `open_on` is loosened (added: tightened), longer
  `due_days` or `escalate_after_days` loosened, fewer `close_after_passing_periods` loosened
  (actions close sooner), more `verify_within_periods` loosened, `include_partial` switched
  off loosened; mixed changes count as loosened;
- owners, escalation, names and everything else: `changed`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel

from cxgov.model import (
    ActionPolicy,
    Direction,
    Journey,
    Link,
    MeasurementPoint,
    Objective,
    Program,
)
from cxgov.review import effects
from cxgov.review.effects import FieldRule
from cxgov.review.targets import compare, target_changes

EFFECTS = ("added", "removed", "tightened", "loosened", "changed")
_FIELD_ORDER = {
    name: index
    for index, name in enumerate(
        ("targets", "target", "trajectory", "warn", "warn_margin", "fail", "fail_margin")
    )
}
KINDS = (
    "program",
    "goal",
    "owner",
    "journey",
    "touchpoint",
    "kpi",
    "measurement_point",
    "objective",
    "action_policy",
    "theme",
    "source",
    "link",
    "contact_policy",
)


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a program."""

    kind: str
    """What changed: program, goal, owner, journey, touchpoint (id `journey/touchpoint`), kpi,
    measurement_point, objective, action_policy, theme, source, link, contact_policy."""
    id: str
    field: str | None
    """The field that changed; None when the whole item was added or removed."""
    old: Any
    new: Any
    effect: str
    at: str | None = None
    """For target changes: the ISO date from which the thresholds differ."""
    rewrites_history: bool = False
    """A target change to thresholds already in force (`cxgov.review.rewrites.mark`)."""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "id": self.id,
            "field": self.field,
            "old": self.old,
            "new": self.new,
            "effect": self.effect,
        }
        if self.at is not None:
            data["at"] = self.at
        if self.rewrites_history:
            data["rewrites_history"] = True
        return data

    @property
    def blocks(self) -> bool:
        """What `--fail-on-loosened` refuses: a loosened change or a removed objective."""
        return self.effect == "loosened" or (self.kind == "objective" and self.effect == "removed")


def _json(value: Any) -> Any:
    if isinstance(value, _Scoped):
        value = value.item
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in sorted(value.items())}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _changed(old: Any, new: Any) -> str:
    return "changed"


def _fields(
    kind: str,
    ident: str,
    old: BaseModel,
    new: BaseModel,
    rules: dict[str, FieldRule] | None = None,
    skip: tuple[str, ...] = (),
) -> Iterator[Change]:
    """Field-by-field changes of one item, in the model's field order."""
    rules = rules or {}
    for name in type(old).model_fields:
        if name in skip or name == "id":
            continue
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        effect = rules.get(name, _changed)(before, after)
        yield Change(kind, ident, name, _json(before), _json(after), effect)


def _items(
    kind: str,
    old: tuple[Any, ...],
    new: tuple[Any, ...],
    compare_items: Callable[[Any, Any], Iterator[Change]],
    key: Callable[[Any], str] = lambda item: str(item.id),
) -> Iterator[Change]:
    before = {key(item): item for item in old}
    after = {key(item): item for item in new}
    for ident in sorted(before.keys() | after.keys()):
        if ident not in after:
            yield Change(kind, ident, None, _json(before[ident]), None, "removed")
        elif ident not in before:
            yield Change(kind, ident, None, None, _json(after[ident]), "added")
        else:
            yield from compare_items(before[ident], after[ident])


# --- items ---------------------------------------------------------------------------------


def _program_section(old: Program, new: Program) -> Iterator[Change]:
    ident = new.program.id
    yield from _fields("program", ident, old.program, new.program, skip=("strategy",))
    old_strategy, new_strategy = old.program.strategy, new.program.strategy
    for name in ("vision", "current_state"):
        before = getattr(old_strategy, name) if old_strategy else None
        after = getattr(new_strategy, name) if new_strategy else None
        if before != after:
            yield Change("program", ident, name, _json(before), _json(after), "changed")
    directions = _directions(new)

    def goal(before: Any, after: Any) -> Iterator[Change]:
        higher = directions.get(after.objective, Direction.HIGHER_IS_BETTER)
        rules: dict[str, FieldRule] = {
            "target": lambda o, n: effects.effect_of(
                compare(o, n, higher is Direction.HIGHER_IS_BETTER)
            ),
            "by": lambda o, n: "loosened" if n > o else "tightened",
        }
        yield from _fields("goal", after.id, before, after, rules)

    yield from _items(
        "goal",
        old_strategy.goals if old_strategy else (),
        new_strategy.goals if new_strategy else (),
        goal,
    )


def _directions(program: Program) -> dict[str, Direction]:
    """Objective id -> the direction its targets are read in."""
    points = {p.id: p.kpi for p in program.measurement_points}
    kpis = {k.id: k.direction for k in program.kpis}
    return {
        o.id: (o.direction or Direction.LOWER_IS_BETTER)
        if o.theme is not None  # a theme share names a problem unless the objective says not
        else kpis.get(points.get(o.measurement_point, ""), Direction.HIGHER_IS_BETTER)
        for o in program.objectives
    }


def _journeys(old: Journey, new: Journey) -> Iterator[Change]:
    yield from _fields("journey", new.id, old, new, skip=("touchpoints",))
    yield from _items(
        "touchpoint",
        tuple(_Scoped(f"{old.id}/{t.id}", t) for t in old.touchpoints),
        tuple(_Scoped(f"{new.id}/{t.id}", t) for t in new.touchpoints),
        lambda a, b: _fields("touchpoint", b.id, a.item, b.item),
    )


@dataclass(frozen=True)
class _Scoped:
    """A touchpoint under its journey's id, so the same touchpoint id in two journeys differs."""

    id: str
    item: BaseModel


def diff_programs(old: Program | None, new: Program | None) -> list[Change]:
    """Every change from `old` to `new` (None: the program did not exist), in a fixed order:
    by kind (program, goal, owner, journey, touchpoint, kpi, measurement_point, objective,
    action_policy, theme, source, link, contact_policy), then id, then date, then field
    (target before warn before fail, the rest by name)."""
    if old is None and new is None:
        return []
    if old is None or new is None:
        present = new if new is not None else old
        assert present is not None
        return _whole(present, "added" if old is None else "removed")
    changes = list(_changes(old, new))
    order = {kind: index for index, kind in enumerate(KINDS)}
    return sorted(
        changes,
        key=lambda c: (
            order.get(c.kind, len(order)),
            c.id,
            c.at or "",
            _FIELD_ORDER.get(c.field or "", len(_FIELD_ORDER)),
            c.field or "",
        ),
    )


def _whole(program: Program, effect: str) -> list[Change]:
    """Everything in a program, as added or removed, item by item."""
    empty = Program.model_construct(program=program.program)
    old, new = (empty, program) if effect == "added" else (program, empty)
    changes = [
        Change(
            "program",
            program.program.id,
            None,
            None if effect == "added" else _json(program.program),
            _json(program.program) if effect == "added" else None,
            effect,
        )
    ]
    for change in diff_programs(old, new):
        if change.kind != "program":
            changes.append(change)
    return changes


def _changes(old: Program, new: Program) -> Iterator[Change]:
    yield from _program_section(old, new)
    yield from _items("owner", old.owners, new.owners, lambda a, b: _fields("owner", b.id, a, b))
    yield from _journeys_of(old, new)
    yield from _items("kpi", old.kpis, new.kpis, lambda a, b: _fields("kpi", b.id, a, b))
    yield from _items("measurement_point", old.measurement_points, new.measurement_points, _points)
    directions = _directions(new)
    yield from _items(
        "objective",
        old.objectives,
        new.objectives,
        lambda a, b: _objectives(a, b, directions.get(b.id, Direction.HIGHER_IS_BETTER)),
    )
    yield from _items("action_policy", old.action_policies, new.action_policies, _policies)
    yield from _items("theme", old.themes, new.themes, lambda a, b: _fields("theme", b.id, a, b))
    yield from _items(
        "source", old.sources, new.sources, lambda a, b: _fields("source", b.id, a, b)
    )
    yield from _items(
        "link",
        old.links,
        new.links,
        lambda a, b: _fields("link", _link_id(b), a, b, skip=("cx", "business")),
        key=_link_id,
    )
    if old.contact_policy != new.contact_policy:
        yield Change(
            "contact_policy",
            new.program.id,
            None,
            _json(old.contact_policy),
            _json(new.contact_policy),
            "changed",
        )


def _link_id(link: Link) -> str:
    return f"{link.cx}->{link.business}"


def _journeys_of(old: Program, new: Program) -> Iterator[Change]:
    before = {j.id: j for j in old.journeys}
    after = {j.id: j for j in new.journeys}
    for ident in sorted(before.keys() | after.keys()):
        if ident not in after:
            yield Change("journey", ident, None, _json(before[ident]), None, "removed")
            for t in before[ident].touchpoints:
                yield Change("touchpoint", f"{ident}/{t.id}", None, _json(t), None, "removed")
        elif ident not in before:
            yield Change("journey", ident, None, None, _json(after[ident]), "added")
            for t in after[ident].touchpoints:
                yield Change("touchpoint", f"{ident}/{t.id}", None, None, _json(t), "added")
        else:
            yield from _journeys(before[ident], after[ident])


def _points(old: MeasurementPoint, new: MeasurementPoint) -> Iterator[Change]:
    yield from _fields("measurement_point", new.id, old, new, {"min_sample": effects.min_sample})


def _objectives(old: Objective, new: Objective, direction: Direction) -> Iterator[Change]:
    yield from _fields(
        "objective",
        new.id,
        old,
        new,
        {"confidence": effects.confidence, "action_policy": effects.policy_reference},
        skip=("targets",),
    )
    for found in target_changes(old, new, direction):
        yield Change(
            "objective",
            new.id,
            found.field,
            found.old,
            found.new,
            found.effect,
            found.at.isoformat(),
        )


def _policies(old: ActionPolicy, new: ActionPolicy) -> Iterator[Change]:
    for change in _fields("action_policy", new.id, old, new, effects.POLICY_RULES):
        field = effects.POLICY_FIELD_NAMES.get(change.field or "", change.field)
        yield Change(change.kind, change.id, field, change.old, change.new, change.effect)
