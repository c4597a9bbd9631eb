"""Measurement: what a measurement point can break down by and how a KPI may be measured."""

from __future__ import annotations

from collections.abc import Iterator

from cxgov.diagnostics import Severity
from cxgov.model import KpiType
from cxgov.model.measurement import SURVEY_METHODS
from cxgov.program_files.fields import did_you_mean
from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import rule


@rule("CXG114", "segment-dimension")
def segment_dimension(ctx: RuleContext) -> Iterator[Finding]:
    """An objective's `segment` uses a dimension its measurement point does not break down by.

    An objective for `{class: Business}` can only be judged when the measurement point lists
    `class` in its `segments`.
    """
    for objective, origin in ctx.items("objectives"):
        point = ctx.point_of(objective)
        if point is None:
            continue
        for dimension in objective.segment:
            if dimension not in point.segments:
                available = ", ".join(point.segments) or "none"
                yield Finding(
                    origin.at("segment", dimension, key=True),
                    f"objective '{objective.id}' targets segment dimension '{dimension}', but "
                    f"measurement point '{point.id}' breaks down only by: {available}",
                    did_you_mean(dimension, list(point.segments)),
                )


@rule("CXG115", "value-kpi-surveyed")
def value_kpi_surveyed(ctx: RuleContext) -> Iterator[Finding]:
    """A `value` KPI is measured by a survey method.

    A `value` KPI (retention %, churn %, average order value) arrives already aggregated per
    period from a business system; measure it with `method: system`.
    """
    for point, origin in ctx.items("measurement_points"):
        kpi = ctx.kpi_of(point)
        if kpi is not None and kpi.type is KpiType.VALUE and point.method in SURVEY_METHODS:
            yield Finding(
                origin.at("method"),
                f"KPI '{kpi.id}' is a value KPI (aggregated per period); measurement point "
                f"'{point.id}' cannot collect it with {point.method.value}",
                "use method: system",
            )


@rule("CXG120", "segment-not-in-source")
def segment_not_in_source(ctx: RuleContext) -> Iterator[Finding]:
    """A measurement point breaks down by a dimension its source does not provide.

    Each dimension in a measurement point's `segments` must be mapped to a column in its
    source's `columns.segments`, or the breakdown would always be empty.
    """
    sources = ctx.by_id("sources")
    for point, origin in ctx.items("measurement_points"):
        if point.source is None or point.source not in sources:
            continue
        provided = sources[point.source][0].columns.segments
        for i, dimension in enumerate(point.segments):
            if dimension not in provided:
                yield Finding(
                    origin.at("segments", i),
                    f"measurement point '{point.id}' breaks down by '{dimension}', which source "
                    f"'{point.source}' does not map (columns.segments: "
                    f"{', '.join(provided) or 'none'})",
                    did_you_mean(dimension, list(provided)),
                )


@rule("CXG208", "source-point-mismatch", Severity.WARNING)
def source_point_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    """A source delivers answers to a measurement point that names a different source.

    When a source's `values` (wide layout) or fixed `measurement_point` maps data to a
    measurement point, that measurement point usually names this source; a mismatch is often a
    column mapped to the wrong measurement point. Two sources feeding one measurement point (a
    survey vendor change) are allowed, hence a warning.
    """
    points = ctx.by_id("measurement_points")
    for source, origin in ctx.items("sources"):
        targets: list[tuple[tuple[str, ...], str]] = [
            (("values", column), ident) for column, ident in source.values.items()
        ]
        targets += [
            (("measurement_points", label), ident)
            for label, ident in source.measurement_points.items()
        ]
        if source.measurement_point is not None:
            targets.append((("measurement_point",), source.measurement_point))
        for path, ident in targets:
            found = points.get(ident)
            if found is not None and found[0].source not in (None, source.id):
                yield Finding(
                    origin.at(*path),
                    f"source '{source.id}' maps data to measurement point '{ident}', whose "
                    f"source is '{found[0].source}'",
                )
