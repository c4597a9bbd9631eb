"""A semantic diff of two versions of a program: what was added, removed or changed, item by
item, with every change that can move a verdict or an action labelled by its effect.

Effects: `added`, `removed`, `tightened` (misses become easier to see or act on), `loosened`
(harder) and `changed` (neither, such as a renamed item or a new owner). Each field's rule is in
`cxgov.review.effects` (targets in `cxgov.review.targets`); docs/review.md has the whole table.
A change to a KPI, a measurement point, an action policy, a theme, a source or the program's
settings is reported once, on that item, naming the objectives it reaches.
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
    Kpi,
    Link,
    MeasurementPoint,
    Objective,
    Program,
    Source,
    Theme,
)
from cxgov.model.objectives import interval_confidence
from cxgov.review import effects
from cxgov.review.effects import FieldRule, as_judged, unknown
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
class Named:
    """An item by its id and its name."""

    id: str
    name: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Evidence:
    """What a backtest found for the objectives a change reaches."""

    looser: int
    """Verdicts that turn from a miss into a non-miss or a milder miss."""
    stricter: int
    """Verdicts that turn into a miss or a graver one."""
    cancelled: int
    """Actions that would no longer open."""
    opened: int
    """Actions that would open only with the change."""

    def to_json(self) -> dict[str, int]:
        return {
            "looser": self.looser,
            "stricter": self.stricter,
            "cancelled": self.cancelled,
            "opened": self.opened,
        }


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a program."""

    kind: str
    """What changed: program, goal, owner, journey, touchpoint (id `journey/touchpoint`), kpi,
    measurement_point, objective, action_policy, theme, source, link, contact_policy."""
    id: str
    field: str | None
    """The field that changed; None when the whole item was added or removed. The program's
    decision settings are `decisions.<name>`."""
    old: Any
    new: Any
    """Values as they take effect: a field the file leaves out shows its default."""
    effect: str
    at: str | None = None
    """For target changes: the ISO date from which the thresholds differ."""
    name: str | None = None
    """The item's name, when it has one."""
    reason: str | None = None
    """Why the effect is what it is, when the values alone do not say: a key of
    `cxgov.review.words.REASONS` (`unknown`: the definition cannot say, see the backtest)."""
    affects: tuple[Named, ...] = ()
    """The objectives a change to a KPI, measurement point, policy, theme, source or the
    program's settings reaches."""
    defaults: tuple[str, ...] = ()
    """`old` and/or `new`: the side whose value is the default, not written in the file."""
    evidence: Evidence | None = None
    """What the backtest found for the objectives the change reaches."""
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
        if self.name is not None:
            data["name"] = self.name
        if self.reason is not None:
            data["reason"] = self.reason
        if self.affects:
            data["affects"] = [a.to_json() for a in self.affects]
        if self.defaults:
            data["defaults"] = list(self.defaults)
        if self.evidence is not None:
            data["backtest"] = self.evidence.to_json()
        if self.rewrites_history:
            data["rewrites_history"] = True
        return data

    @property
    def blocks(self) -> bool:
        """What `--fail-on-loosened` refuses: a loosened change or a removed objective."""
        return self.effect == "loosened" or (self.kind == "objective" and self.effect == "removed")

    @property
    def objectives(self) -> tuple[str, ...]:
        """The ids of the objectives this change is about or reaches."""
        if self.kind == "objective":
            return (self.id,)
        return tuple(a.id for a in self.affects)


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


Shown = Callable[[Any], Any]
"""A field's value as it takes effect, read from its item (a default filled in)."""


def _fields(
    kind: str,
    ident: str,
    old: BaseModel,
    new: BaseModel,
    rules: dict[str, FieldRule] | None = None,
    skip: tuple[str, ...] = (),
    *,
    affects: tuple[Named, ...] = (),
    shown: dict[str, Shown] | None = None,
) -> Iterator[Change]:
    """Field-by-field changes of one item, in the model's field order."""
    rules = rules or {}
    shown = shown or {}
    name = getattr(new, "name", None)
    for field in type(old).model_fields:
        if field in skip or field == "id":
            continue
        before, after = getattr(old, field), getattr(new, field)
        if before == after:
            continue
        judged = as_judged(rules.get(field, _changed)(before, after))
        show = shown.get(field)
        values = (show(old), show(new)) if show else (before, after)
        defaults = tuple(
            side
            for side, model, value in (("old", old, values[0]), ("new", new, values[1]))
            if field not in model.model_fields_set and value is not None
        )
        yield Change(
            kind,
            ident,
            field,
            _json(values[0]),
            _json(values[1]),
            judged.effect,
            name=name if isinstance(name, str) else None,
            reason=judged.reason,
            affects=affects,
            defaults=defaults,
        )


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
            yield Change(
                kind, ident, None, _json(before[ident]), None, "removed", name=_name(before[ident])
            )
        elif ident not in before:
            yield Change(
                kind, ident, None, None, _json(after[ident]), "added", name=_name(after[ident])
            )
        else:
            yield from compare_items(before[ident], after[ident])


def _name(item: Any) -> str | None:
    if isinstance(item, _Scoped):
        item = item.item
    name = getattr(item, "name", None)
    return name if isinstance(name, str) else None


class _Reach:
    """Which objectives a change to another item reaches, read from both versions (an objective
    moved from one measurement point to another is reached through either)."""

    def __init__(self, old: Program, new: Program) -> None:
        self._objectives = (*old.objectives, *new.objectives)
        self._points = (*old.measurement_points, *new.measurement_points)
        self._names = {o.id: o.name for o in self._objectives}

    def _of(self, reached: Callable[[Objective], bool]) -> tuple[Named, ...]:
        ids = sorted({o.id for o in self._objectives if reached(o)})
        return tuple(Named(i, self._names[i]) for i in ids)

    def every(self) -> tuple[Named, ...]:
        return self._of(lambda o: True)

    def point(self, ident: str) -> tuple[Named, ...]:
        return self._of(lambda o: o.measurement_point == ident)

    def kpi(self, ident: str) -> tuple[Named, ...]:
        # a theme-share objective reads its point's comments, not the KPI's answers
        points = {p.id for p in self._points if p.kpi == ident}
        return self._of(lambda o: o.theme is None and o.measurement_point in points)

    def source(self, ident: str) -> tuple[Named, ...]:
        points = {p.id for p in self._points if p.source == ident}
        return self._of(lambda o: o.measurement_point in points)

    def policy(self, ident: str) -> tuple[Named, ...]:
        return self._of(lambda o: o.action_policy == ident)

    def theme(self, ident: str) -> tuple[Named, ...]:
        return self._of(lambda o: o.theme == ident)


# --- items ---------------------------------------------------------------------------------


def _program_section(old: Program, new: Program, reach: _Reach) -> Iterator[Change]:
    ident = new.program.id
    every = reach.every()
    yield from _fields(
        "program", ident, old.program, new.program, skip=("strategy", "decisions", "timezone")
    )
    # periods are cut in the program's zone: answers near midnight move between periods, and
    # every objective's verdicts with them
    yield from _fields(
        "program",
        ident,
        old.program,
        new.program,
        {"timezone": unknown},
        skip=tuple(n for n in type(new.program).model_fields if n != "timezone"),
        affects=every,
    )
    for change in _fields(
        "program",
        ident,
        old.program.decisions,
        new.program.decisions,
        effects.DECISION_RULES,
        affects=every,
    ):
        yield Change(
            change.kind,
            change.id,
            f"decisions.{change.field}",
            change.old,
            change.new,
            change.effect,
            name=new.program.name,
            reason=change.reason,
            affects=change.affects,
            defaults=change.defaults,
        )
    old_strategy, new_strategy = old.program.strategy, new.program.strategy
    for name in ("vision", "current_state"):
        before = getattr(old_strategy, name) if old_strategy else None
        after = getattr(new_strategy, name) if new_strategy else None
        if before != after:
            yield Change(
                "program",
                ident,
                name,
                _json(before),
                _json(after),
                "changed",
                name=new.program.name,
            )
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
    reach = _Reach(old, new)
    yield from _program_section(old, new, reach)
    yield from _items("owner", old.owners, new.owners, lambda a, b: _fields("owner", b.id, a, b))
    yield from _journeys_of(old, new)
    yield from _items("kpi", old.kpis, new.kpis, lambda a, b: _kpis(a, b, reach))
    yield from _items(
        "measurement_point",
        old.measurement_points,
        new.measurement_points,
        lambda a, b: _points(a, b, reach),
    )
    directions = _directions(new)
    policies = (
        {p.id: p for p in old.action_policies},
        {p.id: p for p in new.action_policies},
    )
    yield from _items(
        "objective",
        old.objectives,
        new.objectives,
        lambda a, b: _objectives(a, b, directions.get(b.id, Direction.HIGHER_IS_BETTER), policies),
    )
    yield from _items(
        "action_policy",
        old.action_policies,
        new.action_policies,
        lambda a, b: _policies(a, b, reach),
    )
    yield from _items("theme", old.themes, new.themes, lambda a, b: _themes(a, b, reach))
    yield from _items("source", old.sources, new.sources, lambda a, b: _sources(a, b, reach))
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


def _kpis(old: Kpi, new: Kpi, reach: _Reach) -> Iterator[Change]:
    def effective(read: Callable[[Kpi], Any]) -> FieldRule:
        # a field written out as its default changes nothing
        return lambda o, n: "changed" if read(old) == read(new) else effects.UNKNOWN

    rules: dict[str, FieldRule] = {
        "type": unknown,
        "scale": effective(lambda k: k.effective_scale),
        "statistic": effective(lambda k: k.effective_statistic),
        "direction": unknown,
        "positive": lambda o, n: effects.positive(old, new),
    }
    shown: dict[str, Shown] = {
        "scale": lambda k: k.effective_scale,
        "positive": lambda k: k.effective_positive,
        "statistic": lambda k: k.effective_statistic,
    }
    yield from _fields("kpi", new.id, old, new, rules, affects=reach.kpi(new.id), shown=shown)


def _points(old: MeasurementPoint, new: MeasurementPoint, reach: _Reach) -> Iterator[Change]:
    rules: dict[str, FieldRule] = {
        "kpi": unknown,
        "source": unknown,
        "window": unknown,
        "min_sample": effects.min_sample,
        # a thin period stays pending, not insufficient_sample or no_data, for longer
        "collection_lag_days": effects.higher_is_looser,
    }
    yield from _fields("measurement_point", new.id, old, new, rules, affects=reach.point(new.id))


def _objectives(
    old: Objective,
    new: Objective,
    direction: Direction,
    policies: tuple[dict[str, ActionPolicy], dict[str, ActionPolicy]],
) -> Iterator[Change]:
    rules: dict[str, FieldRule] = {
        "measurement_point": unknown,
        "theme": unknown,
        "direction": unknown,
        "segment": unknown,
        "confidence": effects.confidence,
        "rule": effects.rule,
        "action_policy": lambda o, n: effects.policy_reference(o, n, *policies),
    }
    yield from _fields(
        "objective",
        new.id,
        old,
        new,
        rules,
        skip=("targets",),
        shown={"confidence": interval_confidence},
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
            name=new.name,
        )


def _policies(old: ActionPolicy, new: ActionPolicy, reach: _Reach) -> Iterator[Change]:
    for change in _fields(
        "action_policy", new.id, old, new, effects.POLICY_RULES, affects=reach.policy(new.id)
    ):
        field = effects.POLICY_FIELD_NAMES.get(change.field or "", change.field)
        yield Change(
            change.kind,
            change.id,
            field,
            change.old,
            change.new,
            change.effect,
            reason=change.reason,
            affects=change.affects,
            defaults=change.defaults,
        )


_THEME_MATCHING = ("language", "match", "kpis")
"""What decides which comments mention a theme, and so a theme-share objective's value."""
_SOURCE_MAPPING = (
    "values",
    "measurement_point",
    "measurement_points",
    "not_applicable",
    "value_map",
    "timestamp_format",
    "timezone",
)
"""What decides where a source's answers count, in which period, and what they count as."""


def _themes(old: Theme, new: Theme, reach: _Reach) -> Iterator[Change]:
    affects = reach.theme(new.id)
    rules: dict[str, FieldRule] = dict.fromkeys(_THEME_MATCHING, unknown) if affects else {}
    yield from _fields("theme", new.id, old, new, rules, affects=affects)


def _sources(old: Source, new: Source, reach: _Reach) -> Iterator[Change]:
    affects = reach.source(new.id)
    rules: dict[str, FieldRule] = dict.fromkeys(_SOURCE_MAPPING, unknown) if affects else {}
    yield from _fields("source", new.id, old, new, rules, affects=affects)
