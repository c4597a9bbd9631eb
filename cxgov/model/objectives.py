"""The `objectives` section: targets with dated revisions, and what a miss means."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, model_validator

from cxgov.model.base import Id, Model, SegmentDimension
from cxgov.model.kpis import Direction, Kpi, KpiType, Statistic

_FIXED_KEYS = ("target", "warn", "fail")
_TRAJECTORY_KEYS = ("trajectory", "warn_margin", "fail_margin")

DEFAULT_CONFIDENCE = 0.95
"""Level of shown intervals when an objective sets no `confidence`."""


class Rule(StrEnum):
    """What decides that a period missed a threshold."""

    TEST = "test"
    """A one-sided test at the program's error rate: the shortfall must be beyond noise."""
    POINT = "point"
    """The value alone, with no error rate: for figures that are not samples (a census)."""


class TrajectoryPoint(Model):
    date: dt.date
    value: float


class Trajectory(Model):
    start: TrajectoryPoint
    end: TrajectoryPoint


class TargetRevision(Model):
    """A fixed target with alarm thresholds, or a trajectory with alarm margins.

    Fixed: `{effective_from, target, warn, fail}`. Trajectory: `{effective_from,
    trajectory: {start: {date, value}, end: {date, value}}, warn_margin, fail_margin}`.
    """

    model_config = Model.model_config | {
        "json_schema_extra": {
            "oneOf": [
                {"required": ["target"], "not": {"required": ["trajectory"]}},
                {"required": ["trajectory"], "not": {"required": ["target"]}},
            ]
        }
    }

    effective_from: dt.date
    target: float | None = None
    warn: float | None = None
    fail: float | None = None
    trajectory: Trajectory | None = None
    warn_margin: float | None = None
    fail_margin: float | None = None

    @model_validator(mode="after")
    def _one_form(self) -> TargetRevision:
        fixed = [k for k in _FIXED_KEYS if getattr(self, k) is not None]
        trajectory = [k for k in _TRAJECTORY_KEYS if getattr(self, k) is not None]
        if fixed and trajectory:
            raise ValueError(
                f"a revision is either fixed ({', '.join(_FIXED_KEYS)}) or a trajectory "
                f"({', '.join(_TRAJECTORY_KEYS)}); this one mixes {', '.join(fixed + trajectory)}"
            )
        if self.trajectory is None and self.target is None:
            raise ValueError("a revision needs a `target` or a `trajectory`")
        return self

    @property
    def is_trajectory(self) -> bool:
        return self.trajectory is not None


class Objective(Model):
    id: Id
    name: str
    measurement_point: Id
    theme: Id | None = None
    """Targets the share (%, 0..100) of the measurement point's comments that mention this
    theme instead of the point's KPI; for example delivery delays in under 10 % of comments."""
    direction: Direction | None = None
    """Only with `theme`: whether a higher share is better. Default lower_is_better (a theme
    names a problem); set higher_is_better for a praise theme. A KPI objective takes its
    direction from its KPI."""
    segment: dict[SegmentDimension, str] = Field(default_factory=dict)
    """Restricts the objective to one segment, for example {class: Business}."""
    targets: tuple[TargetRevision, ...] = Field(min_length=1)
    """Target revisions, ordered by `effective_from`; each applies until the next one."""
    confidence: float | None = Field(default=None, gt=0, lt=1)
    """Level of the intervals shown for this objective (0.95 without it). It does not decide
    verdicts: the program's `decisions.error_rate` does."""
    rule: Rule = Rule.TEST
    """`test` (default): a miss is a shortfall established at the program's error rate.
    `point`: the value alone decides, for figures that are not samples."""
    action_policy: Id | None = None
    consequence: str | None = None
    """What happens when this objective is missed, in words."""


def interval_confidence(objective: Objective) -> float:
    """The level of the objective's shown intervals."""
    return objective.confidence or DEFAULT_CONFIDENCE


def theme_share_kpi(objective: Objective, kpi: Kpi, theme_name: str) -> Kpi:
    """What a theme-share objective measures: the % (0..100) of its point's comments that
    mention the theme, lower is better unless the objective says otherwise. It keeps the point's
    KPI id, so reports still name the KPI whose comments are read."""
    return Kpi(
        id=kpi.id,
        name=f"{theme_name}: share of comments",
        type=KpiType.TOP_BOX,
        statistic=Statistic.PERCENT_POSITIVE,
        direction=objective.direction or Direction.LOWER_IS_BETTER,
        unit="%",
        category=kpi.category,
    )
