"""Backtest: the stored history judged again under another version's thresholds.

Counts are aggregated once from the store, read only (nothing is rolled up or recorded), and
judged twice: with the base version and with the head version of the program. For the last N
complete periods of every objective × segment this lists the verdicts that differ and the
actions the policies would have opened under one version and not the other.

Actions are decided with the pure decision logic of the nightly run, one period at a time as
though no action were open yet: "this verdict opens an action" rather than a replay of the
whole action history (which depends on what people did with each action).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from cxgov.evaluate.aggregate import aggregate
from cxgov.judgement.cells import Aggregates, segment_key
from cxgov.judgement.decisions import Kind, decide
from cxgov.judgement.verdicts import Result, judge
from cxgov.model import Program

SeriesKey = tuple[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class Flip:
    objective: str
    segment: dict[str, str]
    period_start: dt.date
    period_end: dt.date
    value: float | None
    n: int
    old_status: str | None
    """None: the objective was not judged in the base version (added, or no target yet)."""
    new_status: str | None
    old_target: float | None
    new_target: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "objective": self.objective,
            "segment": self.segment,
            "period": {"start": self.period_start.isoformat(), "end": self.period_end.isoformat()},
            "value": self.value,
            "n": self.n,
            "old_status": self.old_status,
            "new_status": self.new_status,
            "old_target": self.old_target,
            "new_target": self.new_target,
        }


@dataclass(frozen=True)
class ActionFlip:
    objective: str
    segment: dict[str, str]
    period_end: dt.date
    trigger: str
    opens_under: str
    """`head` (would open only under the head version) or `base` (would no longer open)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "objective": self.objective,
            "segment": self.segment,
            "period_end": self.period_end.isoformat(),
            "trigger": self.trigger,
            "opens_under": self.opens_under,
        }


@dataclass(frozen=True)
class Backtest:
    program: str
    as_of: dt.date
    periods: int
    judged: int
    """Verdicts compared (objective × segment × period on either side)."""
    flips: list[Flip]
    actions: list[ActionFlip]
    names: dict[str, str] = field(default_factory=dict)
    """Objective id -> name (head's, else base's), to show the flips by name."""
    histories: frozenset[str] = frozenset()
    """The objectives with at least one verdict compared: whose effect the backtest can tell."""

    def to_json(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "as_of": self.as_of.isoformat(),
            "periods": self.periods,
            "judged": self.judged,
            "flips": [f.to_json() for f in self.flips],
            "actions": [a.to_json() for a in self.actions],
        }


def _aggregation_shape(program: Program) -> Any:
    """What the counts depend on; two versions with the same shape share one aggregation."""
    return (
        program.program.id,
        program.program.timezone,
        program.kpis,
        program.measurement_points,
        sorted({(o.measurement_point, tuple(sorted(o.segment))) for o in program.objectives}),
    )


def _last_periods(results: list[Result], count: int) -> dict[SeriesKey, list[Result]]:
    series: dict[SeriesKey, list[Result]] = defaultdict(list)
    for result in results:
        if result.period.complete:
            series[(result.objective.id, result.segment)].append(result)
    return {
        key: sorted(group, key=lambda r: r.period.start)[-count:] for key, group in series.items()
    }


def backtest(
    connection: Connection, base: Program, head: Program, *, as_of: dt.date, periods: int
) -> Backtest:
    """Verdicts and action openings that differ between `base` and `head` over the last
    `periods` complete periods of each objective × segment before `as_of`."""
    head_counts = aggregate(connection, head, as_of, persist=False)
    base_counts: Aggregates = (
        head_counts
        if _aggregation_shape(base) == _aggregation_shape(head)
        else aggregate(connection, base, as_of, persist=False)
    )
    old_results = judge(base, base_counts, as_of)
    new_results = judge(head, head_counts, as_of)
    old_last, new_last = _last_periods(old_results, periods), _last_periods(new_results, periods)
    flips, judged = _flips(old_last, new_last)
    openings_old = _openings(base, old_results, old_last)
    openings_new = _openings(head, new_results, new_last)
    actions = [
        ActionFlip(objective, dict(segment), end, trigger, "head")
        for objective, segment, end, trigger in sorted(openings_new - openings_old)
    ] + [
        ActionFlip(objective, dict(segment), end, trigger, "base")
        for objective, segment, end, trigger in sorted(openings_old - openings_new)
    ]
    actions.sort(key=lambda a: (a.objective, sorted(a.segment.items()), a.period_end, a.trigger))
    names = {o.id: o.name for o in (*base.objectives, *head.objectives)}
    histories = frozenset(key[0] for key in old_last.keys() | new_last.keys())
    return Backtest(head.program.id, as_of, periods, judged, flips, actions, names, histories)


def _flips(
    old_last: dict[SeriesKey, list[Result]], new_last: dict[SeriesKey, list[Result]]
) -> tuple[list[Flip], int]:
    flips: list[Flip] = []
    judged = 0
    for key in sorted(old_last.keys() | new_last.keys()):
        before = {r.period: r for r in old_last.get(key, [])}
        after = {r.period: r for r in new_last.get(key, [])}
        for period in sorted(before.keys() | after.keys()):
            judged += 1
            old, new = before.get(period), after.get(period)
            old_status = old.status.value if old else None
            new_status = new.status.value if new else None
            if old_status == new_status:
                continue
            either = new or old
            assert either is not None
            flips.append(
                Flip(
                    objective=key[0],
                    segment=dict(key[1]),
                    period_start=period.start,
                    period_end=period.end,
                    value=either.estimate.value,
                    n=either.estimate.n,
                    old_status=old_status,
                    new_status=new_status,
                    old_target=old.thresholds.target if old and old.thresholds else None,
                    new_target=new.thresholds.target if new and new.thresholds else None,
                )
            )
    return flips, judged


def _openings(
    program: Program, results: list[Result], last: dict[SeriesKey, list[Result]]
) -> set[tuple[str, tuple[tuple[str, str], ...], dt.date, str]]:
    """(objective, segment, period end, trigger) of every action the program's policies would
    open on one of the last periods' verdicts."""
    by_series: dict[SeriesKey, list[Result]] = defaultdict(list)
    for result in results:
        by_series[(result.objective.id, result.segment)].append(result)
    found: set[tuple[str, tuple[tuple[str, str], ...], dt.date, str]] = set()
    for key, chosen in last.items():
        history = sorted(by_series[key], key=lambda r: r.period.start)
        for result in chosen:
            upto = [r for r in history if r.period.start <= result.period.start]
            day = result.period.end + dt.timedelta(days=1)
            for decision in decide(program, upto, {}, day):
                if decision.kind is Kind.OPEN and decision.trigger is not None:
                    segment = segment_key(decision.segment)
                    found.add(
                        (decision.objective, segment, result.period.end, decision.trigger.value)
                    )
    return found
