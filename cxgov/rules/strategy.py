"""Strategy goals: dates a leadership commitment can be held to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from cxgov.diagnostics import Severity
from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import rule

GOAL_HORIZON_YEARS = 50
"""Far beyond any strategy cycle: a goal due later is a typo or a placeholder."""


@rule("CXG213", "far-goal-date", Severity.WARNING)
def far_goal_date(ctx: RuleContext) -> Iterator[Finding]:
    """A strategy goal is due more than 50 years after its objective's first target.

    A goal `by: 9999-12-31` is a placeholder, not a commitment: its trajectory on the strategy
    page is a flat line across millennia and its progress cannot be judged. The goal is
    measured from its baseline's `as_of`, or else from the objective's first target revision.
    """
    header = ctx.section
    if header is None or header.strategy is None:
        return
    origin = ctx.loaded.section_origin["program"]
    state = header.strategy.current_state
    baselines = {b.objective: b.as_of for b in (state.baselines if state else ())}
    objectives = ctx.by_id("objectives")
    for i, goal in enumerate(header.strategy.goals):
        found = objectives.get(goal.objective)
        start = baselines.get(goal.objective) or (
            min(t.effective_from for t in found[0].targets) if found else None
        )
        if start is None or goal.by <= _years_after(start, GOAL_HORIZON_YEARS):
            continue
        yield Finding(
            origin.at("strategy", "goals", i, "by"),
            f"goal '{goal.id}' is due by {goal.by.isoformat()}, {goal.by.year - start.year} "
            f"years after it is measured from ({start.isoformat()})",
            f"give the date leadership committed to, within {GOAL_HORIZON_YEARS} years, "
            f"for example {_years_after(start, 5).isoformat()}",
        )


def _years_after(day: dt.date, years: int) -> dt.date:
    year = min(day.year + years, dt.MAXYEAR)
    return (
        day.replace(year=year, day=28)
        if day.month == 2 and day.day == 29
        else day.replace(year=year)
    )
