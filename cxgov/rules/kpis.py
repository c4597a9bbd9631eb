"""KPI definitions: scales and positive ranges that make sense for the KPI type."""

from __future__ import annotations

from collections.abc import Iterator

from cxgov.model import Kpi, KpiType
from cxgov.model.kpis import DEFAULT_SCALES, top_two
from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import rule


def _fmt(pair: tuple[float, float]) -> str:
    return f"[{pair[0]:g}, {pair[1]:g}]"


@rule("CXG116", "kpi-scale")
def kpi_scale(ctx: RuleContext) -> Iterator[Finding]:
    """A KPI's `scale` or `positive` (top-box) range does not fit its type.

    A scale runs from a lower to a higher answer; the positive range lies inside the scale
    with low ≤ high; NPS is defined on 0–10 only; `mean` and `top_box` KPIs need a scale, and
    `top_box` also a positive range; NPS and `value` KPIs have no positive range.
    """
    for kpi, origin in ctx.items("kpis"):
        scale = kpi.effective_scale
        if kpi.scale is not None and kpi.scale[0] >= kpi.scale[1]:
            yield Finding(
                origin.at("scale"),
                f"scale {_fmt(kpi.scale)} of KPI '{kpi.id}' does not "
                "run from a lower to a higher answer",
            )
            continue
        if (
            kpi.type is KpiType.NPS
            and kpi.scale is not None
            and kpi.scale != DEFAULT_SCALES[KpiType.NPS]
        ):
            yield Finding(
                origin.at("scale"),
                f"NPS is defined on the 0–10 scale; KPI '{kpi.id}' declares {_fmt(kpi.scale)}",
                "use type: mean or top_box for other scales",
            )
        if kpi.type in (KpiType.MEAN, KpiType.TOP_BOX) and scale is None:
            yield Finding(
                origin.at("type"), f"KPI '{kpi.id}' of type {kpi.type.value} needs a `scale`"
            )
        if kpi.type is KpiType.TOP_BOX and kpi.positive is None:
            yield Finding(origin.at("type"), f"top_box KPI '{kpi.id}' needs a `positive` range")
        if kpi.positive is None:
            continue
        if kpi.type in (KpiType.NPS, KpiType.VALUE):
            yield Finding(
                origin.at("positive"),
                f"a {kpi.type.value} KPI has no positive range; "
                f"remove `positive` from KPI '{kpi.id}'",
            )
            continue
        low, high = kpi.positive
        if low > high:
            yield Finding(
                origin.at("positive"),
                f"positive range {_fmt(kpi.positive)} of KPI '{kpi.id}' runs backwards",
            )
        elif scale is not None and (low < scale[0] or high > scale[1]):
            yield Finding(
                origin.at("positive"),
                f"positive range {_fmt(kpi.positive)} of KPI "
                f"'{kpi.id}' is outside its scale {_fmt(scale)}",
                _inside_scale_hint(kpi, scale),
            )


def _inside_scale_hint(kpi: Kpi, scale: tuple[float, float]) -> str:
    default = kpi.model_copy(update={"positive": None}).effective_positive
    if default is not None:
        return (
            f"leave out `positive` to count {_fmt(default)}, the default on this scale, or "
            f"give a range inside {_fmt(scale)}"
        )
    return (
        f"give a range inside {_fmt(scale)}, for example its top two answers {_fmt(top_two(scale))}"
    )
