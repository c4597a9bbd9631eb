"""The error rates a program's verdicts are held to, stated for a year of runs.

A CX owner reads "about 1.3 false alarms a year if every objective were on target" more
easily than an α and a run length; this module turns `program.decisions` into that figure.
"""

from __future__ import annotations

from cxgov.judgement.periods import window_key
from cxgov.judgement.record import ErrorRates
from cxgov.model import Adjustment, Program, Window
from cxgov.model.measurement import CalendarPeriod


def periods_per_year(window: Window) -> float:
    if window.calendar is not None:
        return {
            CalendarPeriod.WEEK: 52.0,
            CalendarPeriod.MONTH: 12.0,
            CalendarPeriod.QUARTER: 4.0,
            CalendarPeriod.YEAR: 1.0,
        }[window.calendar]
    assert window.rolling_days is not None
    return 365.0 / window.rolling_days


def expected_false_alarms(program: Program) -> float:
    """Misses and declines a year the program would show if every objective were exactly on
    target, at most: each objective's monitor alarms once in `run_length` periods; each
    period's family shows a false miss and a false decline at most at their error rates
    (Benjamini–Hochberg and Holm keep the chance of any false rejection in a family whose
    every objective is on target at the error rate), or each objective at them without an
    adjustment."""
    settings = program.program.decisions
    points = {p.id: p for p in program.measurement_points}
    per_test = settings.error_rate + settings.decline_error_rate
    monitors = 0.0
    families: dict[str, float] = {}
    unadjusted = 0.0
    for objective in program.objectives:
        point = points.get(objective.measurement_point)
        if point is None:
            continue
        yearly = periods_per_year(point.window)
        monitors += yearly / settings.run_length
        families[window_key(point.window)] = yearly
        unadjusted += yearly * per_test
    if settings.adjustment is Adjustment.NONE:
        return monitors + unadjusted
    return monitors + min(unadjusted, sum(families.values()) * per_test)


def error_rates(program: Program) -> ErrorRates:
    """What a run states about its own error rates."""
    settings = program.program.decisions
    return ErrorRates(
        settings.error_rate,
        settings.adjustment.value,
        settings.run_length,
        settings.decline_error_rate,
        round(expected_false_alarms(program), 2),
    )
