"""Targets and thresholds: ordered for the KPI's direction, inside its range, dated sensibly."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from cxgov.diagnostics import Severity
from cxgov.model import Direction, Kpi, KpiType, Statistic, TargetRevision
from cxgov.program_files.assembly import Origin
from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import rule

_ORDER = ("fail", "warn", "target")


def _fmt(value: float) -> str:
    return f"{value:g}"


@rule("CXG110", "threshold-order")
def threshold_order(ctx: RuleContext) -> Iterator[Finding]:
    """Target, warn and fail thresholds are in the wrong order for the KPI's direction.

    `warn` and `fail` are alarm levels on the way down from the `target`. When higher is
    better: fail ≤ warn ≤ target; when lower is better: fail ≥ warn ≥ target. A trajectory's
    `warn_margin` and `fail_margin` are distances from the target line: not negative, and the
    fail margin at least the warn margin.
    """
    for objective, origin in ctx.items("objectives"):
        kpi = ctx.kpi_of_objective(objective)
        higher = kpi is None or kpi.direction is Direction.HIGHER_IS_BETTER
        for i, revision in enumerate(objective.targets):
            at = ("targets", i)
            if revision.is_trajectory:
                yield from _margins(origin, at, revision)
                continue
            if kpi is None:
                # the direction is unknown until the KPI resolves (a reference that is not
                # defined, or a file that cannot be read, is reported on its own)
                continue
            present = [
                (name, getattr(revision, name))
                for name in _ORDER
                if getattr(revision, name) is not None
            ]
            for (low_name, low), (high_name, high) in itertools.pairwise(present):
                if (low > high) if higher else (low < high):
                    relation = "above" if higher else "below"
                    direction = "higher-is-better" if higher else "lower-is-better"
                    yield Finding(
                        origin.at(*at, low_name),
                        f"{low_name} threshold {_fmt(low)} is {relation} {high_name} {_fmt(high)} "
                        f"for a {direction} KPI (objective '{objective.id}')",
                        "higher is better: fail ≤ warn ≤ target"
                        if higher
                        else "lower is better: fail ≥ warn ≥ target",
                    )
                    break


def _margins(
    origin: Origin, at: tuple[str | int, ...], revision: TargetRevision
) -> Iterator[Finding]:
    for name in ("warn_margin", "fail_margin"):
        value = getattr(revision, name)
        if value is not None and value < 0:
            yield Finding(
                origin.at(*at, name),
                f"{name} {_fmt(value)} is negative; margins are distances from the target line",
            )
    warn, fail = revision.warn_margin, revision.fail_margin
    if warn is not None and fail is not None and 0 <= fail < warn:
        yield Finding(
            origin.at(*at, "fail_margin"),
            f"fail_margin {_fmt(fail)} is smaller than warn_margin {_fmt(warn)}; "
            "a miss must warn before it fails",
        )


def _values(revision: TargetRevision) -> Iterator[tuple[tuple[str | int, ...], float]]:
    for name in _ORDER:
        value = getattr(revision, name)
        if value is not None:
            yield (name,), value
    if revision.trajectory is not None:
        yield ("trajectory", "start", "value"), revision.trajectory.start.value
        yield ("trajectory", "end", "value"), revision.trajectory.end.value


def _kpi_values(
    ctx: RuleContext,
) -> Iterator[tuple[Kpi, Origin, tuple[str | int, ...], float, str]]:
    """Every target-like number with the KPI it is measured in."""
    for objective, origin in ctx.items("objectives"):
        kpi = ctx.kpi_of_objective(objective)
        if kpi is None:
            continue
        for i, revision in enumerate(objective.targets):
            for path, value in _values(revision):
                yield kpi, origin, ("targets", i, *path), value, f"objective '{objective.id}'"
    header = ctx.section
    if header is None or header.strategy is None:
        return
    origin = ctx.loaded.section_origin["program"]
    objectives = ctx.by_id("objectives")
    state = header.strategy.current_state
    for i, baseline in enumerate(state.baselines if state else ()):
        found = objectives.get(baseline.objective)
        kpi = ctx.kpi_of_objective(found[0]) if found else None
        if kpi is not None:
            path = ("strategy", "current_state", "baselines", i, "value")
            yield kpi, origin, path, baseline.value, f"baseline of '{baseline.objective}'"
    for i, goal in enumerate(header.strategy.goals):
        found = objectives.get(goal.objective)
        kpi = ctx.kpi_of_objective(found[0]) if found else None
        if kpi is not None:
            yield kpi, origin, ("strategy", "goals", i, "target"), goal.target, f"goal '{goal.id}'"


def _looks_like_ratio(kpi: Kpi, value: float) -> bool:
    is_percent = kpi.type is KpiType.NPS or kpi.effective_statistic is Statistic.PERCENT_POSITIVE
    return is_percent and 0 < abs(value) < 1


def on_scale(kpi: Kpi, value: float) -> bool:
    """Whether a threshold is written on the KPI's own scale: inside its range (CXG111) and
    not a ratio where a percentage is expected (CXG207). Other rules leave the rest alone, so
    one mistake is reported once."""
    value_range = kpi.value_range()
    inside = value_range is None or value_range[0] <= value <= value_range[1]
    return inside and not _looks_like_ratio(kpi, value)


@rule("CXG111", "threshold-range")
def threshold_range(ctx: RuleContext) -> Iterator[Finding]:
    """A target, threshold, baseline or goal lies outside the range its KPI can take.

    NPS runs −100..100; CSAT, CES and top-box percentages 0..100; means stay within the
    answer scale; `value` KPIs with unit `%` 0..100. The hint names the likely unit mix-up,
    such as a CSAT target of 4.2 written as a mean where a percentage is expected.
    """
    for kpi, origin, path, value, owner in _kpi_values(ctx):
        value_range = kpi.value_range()
        if value_range is None:
            continue
        low, high = value_range
        if low <= value <= high:
            continue
        hint = None
        if kpi.effective_statistic is Statistic.MEAN and 0 <= value <= 100:
            hint = f"{_fmt(value)} looks like a percentage; {kpi.describe_range()}"
        elif kpi.type is KpiType.NPS and abs(value) <= 1000 and value % 1 == 0:
            hint = "NPS is the percentage of promoters minus the percentage of detractors"
        yield Finding(
            origin.at(*path),
            f"{path[-1]} {_fmt(value)} of {owner} is outside the range of KPI '{kpi.id}' "
            f"({_fmt(low)}..{_fmt(high)})",
            hint or kpi.describe_range(),
        )


@rule("CXG207", "ratio-like-threshold", Severity.WARNING)
def ratio_like_threshold(ctx: RuleContext) -> Iterator[Finding]:
    """A percentage or NPS threshold looks like a ratio (between −1 and 1, not a whole number).

    NPS runs −100..100 and CSAT/CES percentages 0..100, so a target of 0.45 almost always
    means 45. Write it on the KPI's own scale.
    """
    for kpi, origin, path, value, owner in _kpi_values(ctx):
        if _looks_like_ratio(kpi, value):
            yield Finding(
                origin.at(*path),
                f"{path[-1]} {_fmt(value)} of {owner} looks like a ratio",
                f"{_fmt(value)} looks like a ratio; {kpi.describe_range()}",
            )


def _looks_like_mean(kpi: Kpi, value: float) -> tuple[float, float] | None:
    """The scale a top-box percentage threshold reads as a mean answer on, else None.

    Only higher-is-better KPIs: a lower-is-better share (say of high-effort answers) may well
    aim at a few percent. Scales longer than 0–10 are left alone: there a small percentage is
    as likely as a mean. Ratios (between −1 and 1) are CXG207's."""
    scale = kpi.effective_scale
    if (
        kpi.effective_statistic is not Statistic.PERCENT_POSITIVE
        or kpi.direction is not Direction.HIGHER_IS_BETTER
        or scale is None
        or scale[1] > 10
        or _looks_like_ratio(kpi, value)
    ):
        return None
    return scale if 0 < value <= scale[1] else None


@rule("CXG211", "mean-like-percentage-threshold", Severity.WARNING)
def mean_like_percentage_threshold(ctx: RuleContext) -> Iterator[Finding]:
    """A top-box percentage threshold looks like a mean answer on the KPI's scale.

    CSAT, CES and top-box KPIs are, unless they set `statistic: mean`, the percentage (0..100)
    of answers in the positive range, so a target of 4.2 on a 1–5 CSAT asks for 4.2 % satisfied
    answers: almost always a mean answer was meant. Write the share aimed for in percent, or set
    `statistic: mean` on the KPI to target the mean answer.
    """
    for kpi, origin, path, value, owner in _kpi_values(ctx):
        scale = _looks_like_mean(kpi, value)
        if scale is None:
            continue
        box = kpi.effective_positive
        counted = f"{_fmt(box[0])}..{_fmt(box[1])}" if box else "the positive range"
        yield Finding(
            origin.at(*path),
            f"{path[-1]} {_fmt(value)} of {owner} looks like a mean on the "
            f"{_fmt(scale[0])}..{_fmt(scale[1])} scale, but KPI '{kpi.id}' is the percentage "
            f"(0..100) of answers in {counted}",
            f"write the share aimed for in percent (for example 80 for 80 % of answers in "
            f"{counted}), or set `statistic: mean` on KPI '{kpi.id}' to target the mean answer",
        )


@rule("CXG112", "revision-order")
def revision_order(ctx: RuleContext) -> Iterator[Finding]:
    """Target revisions share an `effective_from` date or are out of date order.

    Each revision applies from its `effective_from` until the next one, so the dates must be
    strictly increasing; otherwise it is unclear which target was in force.
    """
    for objective, origin in ctx.items("objectives"):
        for i in range(1, len(objective.targets)):
            previous, current = objective.targets[i - 1], objective.targets[i]
            if current.effective_from == previous.effective_from:
                yield Finding(
                    origin.at("targets", i, "effective_from"),
                    f"revisions {i} and {i + 1} of objective '{objective.id}' both take effect on "
                    f"{current.effective_from.isoformat()}",
                )
            elif current.effective_from < previous.effective_from:
                yield Finding(
                    origin.at("targets", i, "effective_from"),
                    f"revision {i + 1} of objective '{objective.id}' "
                    f"({current.effective_from.isoformat()}) comes before revision {i} "
                    f"({previous.effective_from.isoformat()}); list revisions in date order",
                )


@rule("CXG113", "trajectory-backwards")
def trajectory_backwards(ctx: RuleContext) -> Iterator[Finding]:
    """A trajectory ends on or before the date it starts.

    A trajectory interpolates the target linearly from `start` to `end`; its end date must
    come after its start date.
    """
    for objective, origin in ctx.items("objectives"):
        for i, revision in enumerate(objective.targets):
            trajectory = revision.trajectory
            if trajectory is not None and trajectory.end.date <= trajectory.start.date:
                yield Finding(
                    origin.at("targets", i, "trajectory", "end", "date"),
                    f"trajectory of objective '{objective.id}' ends on "
                    f"{trajectory.end.date.isoformat()}, not after its start "
                    f"{trajectory.start.date.isoformat()}",
                )
