"""Detectability: an objective whose answers can never establish a miss."""

from __future__ import annotations

from collections.abc import Iterator

from cxgov.diagnostics import Severity
from cxgov.judgement.detectability import PERIODS, detectability, latest_revision, target_and_fail
from cxgov.model import KpiType, MeasurementPoint, Statistic
from cxgov.model.decisions import DEFAULT_ERROR_RATE
from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import rule
from cxgov.rules.thresholds import on_scale


def _period(point: MeasurementPoint) -> str:
    """What one period of the point is called in a message: "month", "30-day window"."""
    window = point.window
    if window.calendar is not None:
        return window.calendar.value
    return f"{window.rolling_days}-day window"


@rule("CXG210", "undetectable-miss", Severity.WARNING)
def undetectable_miss(ctx: RuleContext) -> Iterator[Finding]:
    """An objective's sample cannot tell its target from its fail threshold.

    A miss (with the default `rule: test`) is called only when the shortfall is beyond noise
    at the program's `decisions.error_rate`. This rule asks whether three periods of answers,
    pooled, would call a fall from the target all the way to the fail threshold 80 % of the
    time: answers needed = ((z₁₋α + z₀.₈)·SD / (target − fail))², split over three periods.
    The SD is that of the KPI between fail and target where answers vary most (NPS assumes no
    passives: √(1 − (t/100)²); percentages √(p(1 − p)); means a quarter of the answer scale).
    The latest target revision counts; a trajectory contributes its end value and
    `fail_margin`. Volume is the measurement point's `min_sample`, or the answers per period
    of the last three complete periods when `cxgov validate --observed` reads them from the
    store and they are more. For example an NPS target of 65 with fail 60 needs 1,583 answers
    (528 a month); a CSAT target of 80 % with fail 75 % needs 464 (155 a month).
    Raise `min_sample` if the volume allows, set the fail threshold further from the target,
    or judge a longer window. Objectives with `rule: point` and value KPIs are not tested.
    docs/verdicts.md ("Can this objective detect a miss?") explains the figures.
    """
    header = ctx.section
    error_rate = header.decisions.error_rate if header is not None else DEFAULT_ERROR_RATE
    for objective, origin in ctx.items("objectives"):
        point = ctx.point_of(objective)
        kpi = ctx.kpi_of_objective(objective)
        if point is None or kpi is None:
            continue
        levels = target_and_fail(latest_revision(objective), kpi.direction)
        if levels is None or not all(on_scale(kpi, level) for level in levels):
            continue
        found = detectability(objective, kpi, point, error_rate, ctx.volumes.get(objective.id))
        if found is None or found.detectable:
            continue
        target, fail = levels
        period = _period(point)
        if found.observed_volume is not None and found.observed_volume > found.min_sample:
            source = (
                f"answered per {period} on average in the last {PERIODS} complete periods; "
                f"min_sample {found.min_sample}"
            )
        else:
            source = f"min_sample of measurement point '{point.id}'"
            if found.observed_volume is not None:
                source += f"; {found.observed_volume} answered per {period} recently"
        percent = kpi.type is KpiType.NPS or kpi.effective_statistic is Statistic.PERCENT_POSITIVE
        units = " points" if percent else ""
        digits = 1 if percent else 2
        yield Finding(
            origin.at("id"),
            f"objective '{objective.id}' cannot tell its target {target:g} from its fail level "
            f"{fail:g} within {PERIODS} {period}s at error rate {error_rate:g}: that takes "
            f"{found.needed_per_period} answers per {period}, and it counts on {found.volume} "
            f"({source})",
            f"at {found.volume} answers per {period} only a shortfall of "
            f"{found.mds_three_periods:.{digits}f}{units} or more shows within {PERIODS} "
            f"{period}s ({found.mds_one_period:.{digits}f}{units} in one); collect "
            f"{found.needed_per_period} answers per {period} and raise min_sample to match, or "
            "set the fail threshold further from the target",
        )
