"""Detectability at design time: can an objective's answers tell its target from its fail
threshold at all?

A test-based verdict calls a miss only when the shortfall is beyond noise at the program's
error rate. With too few answers per period no realistic shortfall is beyond noise, so the
objective can never fail however bad things get. This works out, before any verdict, how many
answers per period the objective needs and the smallest shortfall its volume can show.

Choices worth knowing:
- The target and fail threshold are those of the latest revision (by `effective_from`): the
  one the program is heading for. A trajectory contributes its end value and `fail_margin`.
- The standard deviation is taken at the level between fail and target where answers vary
  most (nearest NPS 0 or 50 %), so the figure errs towards more answers, never fewer. Means
  assume a quarter of the answer scale (`cxgov.stats.range_sd`).
- "Within three periods": the answers of three periods pooled must reach the total needed,
  so the need per period is a third of the total, rounded up.
- Volume is the larger of `min_sample` and the recent observed answers per period: a period
  below `min_sample` is not judged at all, so every judged period has at least that many.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cxgov.judgement.record import VerdictRecord
from cxgov.model import Direction, Kpi, KpiType, MeasurementPoint, Objective, Rule, Statistic
from cxgov.model.objectives import TargetRevision
from cxgov.stats import (
    DEFAULT_POWER,
    answers_needed,
    minimum_detectable_shortfall,
    nps_sd,
    percent_sd,
    range_sd,
)

PERIODS = 3
"""Periods whose answers, pooled, must be able to call a miss."""


@dataclass(frozen=True, slots=True)
class Detectability:
    """Whether an objective's volume can tell its target from its fail threshold."""

    objective: str
    gap: float
    """Target minus fail threshold, in the KPI's units (always positive)."""
    needed_per_period: int
    """Answers per period for three periods, pooled, to call a shortfall of `gap`."""
    volume: int
    """Answers per period assumed: the larger of `min_sample` and `observed_volume`."""
    mds_one_period: float
    """Smallest shortfall one period of `volume` answers calls (KPI units)."""
    mds_three_periods: float
    """Smallest shortfall three periods of `volume` answers, pooled, call (KPI units)."""
    detectable: bool
    min_sample: int
    observed_volume: int | None = None
    """Recent answers per complete period, when known."""


def latest_revision(objective: Objective) -> TargetRevision:
    """The revision with the latest `effective_from` (the last listed among equals)."""
    return max(reversed(objective.targets), key=lambda r: r.effective_from)


def target_and_fail(revision: TargetRevision, direction: Direction) -> tuple[float, float] | None:
    """The revision's target and fail level; a trajectory's end value and that value moved by
    `fail_margin` in the bad direction. None without a fail level."""
    if revision.trajectory is None:
        if revision.target is None or revision.fail is None:
            return None
        return revision.target, revision.fail
    if revision.fail_margin is None:
        return None
    end = revision.trajectory.end.value
    bad = -1.0 if direction is Direction.HIGHER_IS_BETTER else 1.0
    return end, end + bad * revision.fail_margin


def _most_variable(a: float, b: float, middle: float) -> float:
    """The level between a and b closest to `middle`, where a share varies most."""
    return min(max(middle, min(a, b)), max(a, b))


def assumed_sd(kpi: Kpi, target: float, fail: float) -> float | None:
    """The per-respondent SD assumed between `target` and `fail`; None for a KPI whose
    values are not answers (value KPIs) or a mean with no scale."""
    if kpi.type is KpiType.VALUE:
        return None
    if kpi.type is KpiType.NPS:
        return nps_sd(_most_variable(target, fail, 0.0))
    if kpi.effective_statistic is Statistic.PERCENT_POSITIVE:
        return percent_sd(_most_variable(target, fail, 50.0))
    scale = kpi.effective_scale
    return None if scale is None else range_sd(*scale)


def recent_volume(answers: Sequence[int]) -> int | None:
    """Answers per period over the last three complete periods (`answers` oldest first): their
    mean, rounded down so a volume never looks larger than it was. None without any."""
    recent = answers[-PERIODS:]
    return sum(recent) // len(recent) if recent else None


def observed_volumes(periods: Iterable[tuple[str, dt.date, int]]) -> dict[str, int]:
    """Recent answers per period by objective, from (objective, period start, answers) of
    complete periods, in any order."""
    by_objective: dict[str, list[tuple[dt.date, int]]] = defaultdict(list)
    for objective, start, n in periods:
        by_objective[objective].append((start, n))
    volumes: dict[str, int] = {}
    for objective, found in by_objective.items():
        volume = recent_volume([n for _, n in sorted(found)])
        if volume is not None:
            volumes[objective] = volume
    return volumes


def recorded_volumes(verdicts: Iterable[VerdictRecord]) -> dict[str, int]:
    """Recent answers per period by objective, from a run's complete periods (an objective
    for one segment is judged on that segment's answers alone)."""
    return observed_volumes((v.objective, v.start, v.n) for v in verdicts if v.complete)


def detectability(
    objective: Objective,
    kpi: Kpi,
    point: MeasurementPoint,
    error_rate: float,
    observed_volume: int | None = None,
    power: float = DEFAULT_POWER,
) -> Detectability | None:
    """Whether `objective`, judged on `kpi` (a theme-share objective's share KPI) at `point`,
    can call a fall from target to fail within three periods at `error_rate` (one sided).

    None when the question does not arise: a `point` rule (no test), a value KPI, no fail
    level, a fail level not below target, or a mean with no scale.
    """
    if objective.rule is Rule.POINT:
        return None
    levels = target_and_fail(latest_revision(objective), kpi.direction)
    if levels is None:
        return None
    target, fail = levels
    gap = target - fail if kpi.direction is Direction.HIGHER_IS_BETTER else fail - target
    sd = assumed_sd(kpi, target, fail)
    if sd is None or not gap > 0:
        # a fail level on the wrong side of the target is CXG110's error, not a power question
        return None
    needed = math.ceil(answers_needed(sd, gap, error_rate, power) / PERIODS)
    volume = max(point.min_sample, observed_volume or 0)
    return Detectability(
        objective=objective.id,
        gap=gap,
        needed_per_period=needed,
        volume=volume,
        mds_one_period=minimum_detectable_shortfall(sd, volume, error_rate, power),
        mds_three_periods=minimum_detectable_shortfall(sd, PERIODS * volume, error_rate, power),
        detectable=volume >= needed,
        min_sample=point.min_sample,
        observed_volume=observed_volume,
    )
