"""The `kpis` section: what is measured and how its values are read."""

from __future__ import annotations

from enum import StrEnum

from cxgov.model.base import Id, Model


class KpiType(StrEnum):
    NPS = "nps"
    CSAT = "csat"
    CES = "ces"
    MEAN = "mean"
    TOP_BOX = "top_box"
    VALUE = "value"


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class Category(StrEnum):
    STRATEGIC = "strategic"
    TACTICAL = "tactical"
    OPERATIONAL = "operational"
    BUSINESS = "business"


class Statistic(StrEnum):
    PERCENT_POSITIVE = "percent_positive"
    MEAN = "mean"


DEFAULT_SCALES: dict[KpiType, tuple[float, float]] = {
    KpiType.NPS: (0, 10),
    KpiType.CSAT: (1, 5),
    KpiType.CES: (1, 7),
}
DEFAULT_POSITIVE: dict[KpiType, tuple[float, float]] = {
    KpiType.CSAT: (4, 5),
    KpiType.CES: (5, 7),
}
"""The top box of each type on its default scale; on any other scale, the top two answers."""
PERCENT_UNITS = frozenset({"%", "percent", "pct"})


def top_two(scale: tuple[float, float]) -> tuple[float, float]:
    """The top two answers of a scale of whole steps.

    Not mirrored for lower-is-better KPIs: `direction` reads the KPI's value (the share in the
    box), so the box stays at the top of the scale as the types' defaults do (a lower-is-better
    CES on 1–7 counts 5–7, the answers whose share should fall)."""
    low, high = scale
    return (max(low, high - 1), high)


class Kpi(Model):
    id: Id
    name: str
    type: KpiType
    scale: tuple[float, float] | None = None
    """[min, max] of an answer; defaults: nps [0, 10], csat [1, 5], ces [1, 7]."""
    positive: tuple[float, float] | None = None
    """[low, high] answers counted as positive (top box). Default for csat and ces: the top two
    answers of the declared scale (csat on [1, 10]: [9, 10]); on the type's default scale
    csat [4, 5] and ces [5, 7]."""
    statistic: Statistic | None = None
    """For csat, ces and top_box: `percent_positive` (default) or `mean` of the answers."""
    direction: Direction = Direction.HIGHER_IS_BETTER
    unit: str | None = None
    category: Category | None = None
    question: str | None = None
    why_question: str | None = None
    """The open follow-up question asking why."""

    @property
    def effective_scale(self) -> tuple[float, float] | None:
        return self.scale or DEFAULT_SCALES.get(self.type)

    @property
    def effective_positive(self) -> tuple[float, float] | None:
        if self.positive is not None:
            return self.positive
        default = DEFAULT_POSITIVE.get(self.type)
        if default is None or self.scale is None or self.scale == DEFAULT_SCALES[self.type]:
            return default
        return top_two(self.scale)

    @property
    def effective_statistic(self) -> Statistic | None:
        if self.type in (KpiType.NPS, KpiType.VALUE):
            return None
        if self.type is KpiType.MEAN:
            return Statistic.MEAN
        return self.statistic or Statistic.PERCENT_POSITIVE

    def value_range(self) -> tuple[float, float] | None:
        """The range a computed value of this KPI can take, or None when unbounded."""
        if self.type is KpiType.NPS:
            return (-100.0, 100.0)
        if self.type is KpiType.VALUE:
            return (0.0, 100.0) if (self.unit or "").strip().lower() in PERCENT_UNITS else None
        if self.effective_statistic is Statistic.MEAN:
            return self.effective_scale
        return (0.0, 100.0)

    def describe_range(self) -> str:
        if self.type is KpiType.NPS:
            return "NPS runs -100..100"
        if self.effective_statistic is Statistic.PERCENT_POSITIVE:
            return f"{self.type.value} is a percentage, 0..100"
        value_range = self.value_range()
        if value_range is None:
            return "this KPI has no fixed range"
        low, high = value_range
        return f"a mean on the {low:g}..{high:g} scale"
