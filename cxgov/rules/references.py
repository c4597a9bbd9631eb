"""References between sections: every id a program mentions must name something."""

from __future__ import annotations

from collections.abc import Iterator

from cxgov.model import AssigneeRule
from cxgov.program_files.fields import did_you_mean
from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import rule


def _found(*findings: Finding | None) -> Iterator[Finding]:
    return (f for f in findings if f is not None)


@rule("CXG101", "unresolved-reference")
def unresolved_reference(ctx: RuleContext) -> Iterator[Finding]:
    """A reference names an id that is not defined.

    Every id a program mentions must exist: owners (`cx_owner`, `sponsor`, `owner`,
    `escalates_to`, a named `assignee`), journeys (`journey`, `parent`), touchpoints, KPIs,
    measurement points, objectives, action policies and sources. The message suggests the
    closest defined id. Stages and channels belong to one journey and are checked by CXG105.
    """
    header = ctx.section
    if header is not None:
        origin = ctx.loaded.section_origin["program"]
        yield from _found(
            ctx.unresolved("owners", header.cx_owner, origin, ("cx_owner",), "cx_owner"),
            ctx.unresolved("owners", header.sponsor, origin, ("sponsor",), "sponsor"),
        )
        strategy = header.strategy
        if strategy is not None:
            if strategy.current_state is not None:
                for i, baseline in enumerate(strategy.current_state.baselines):
                    yield from _found(
                        ctx.unresolved(
                            "objectives",
                            baseline.objective,
                            origin,
                            ("strategy", "current_state", "baselines", i, "objective"),
                            "baseline objective",
                        )
                    )
            for i, goal in enumerate(strategy.goals):
                yield from _found(
                    ctx.unresolved(
                        "objectives",
                        goal.objective,
                        origin,
                        ("strategy", "goals", i, "objective"),
                        "goal objective",
                    )
                )
    for owner, origin in ctx.items("owners"):
        yield from _found(
            ctx.unresolved(
                "owners", owner.escalates_to, origin, ("escalates_to",), "escalation target"
            )
        )
    for journey, origin in ctx.items("journeys"):
        yield from _found(
            ctx.unresolved("owners", journey.owner, origin, ("owner",), "journey owner"),
            ctx.unresolved("journeys", journey.parent, origin, ("parent",), "parent journey"),
        )
        for i, touchpoint in enumerate(journey.touchpoints):
            yield from _found(
                ctx.unresolved(
                    "owners",
                    touchpoint.owner,
                    origin,
                    ("touchpoints", i, "owner"),
                    "touchpoint owner",
                )
            )
    for point, origin in ctx.items("measurement_points"):
        yield from _found(
            ctx.unresolved("kpis", point.kpi, origin, ("kpi",), "KPI"),
            ctx.unresolved("journeys", point.journey, origin, ("journey",), "journey"),
            ctx.unresolved("sources", point.source, origin, ("source",), "source"),
            ctx.unresolved("owners", point.owner, origin, ("owner",), "owner"),
        )
        if (
            point.touchpoint is not None
            and point.touchpoint not in ctx.touchpoints
            and not ctx.may_be_defined("journeys", point.touchpoint)
        ):
            yield Finding(
                origin.at("touchpoint"),
                f"touchpoint '{point.touchpoint}' is not defined in any journey",
                did_you_mean(point.touchpoint, sorted(ctx.touchpoints)),
            )
    for objective, origin in ctx.items("objectives"):
        yield from _found(
            ctx.unresolved(
                "measurement_points",
                objective.measurement_point,
                origin,
                ("measurement_point",),
                "measurement point",
            ),
            ctx.unresolved(
                "action_policies",
                objective.action_policy,
                origin,
                ("action_policy",),
                "action policy",
            ),
        )
    keywords = {a.value for a in AssigneeRule}
    for policy, origin in ctx.items("action_policies"):
        if policy.assignee not in keywords:
            finding = ctx.unresolved("owners", policy.assignee, origin, ("assignee",), "assignee")
            if finding is not None:
                yield Finding(
                    finding.location,
                    f"assignee '{policy.assignee}' is neither an owner id nor one of "
                    f"{', '.join(sorted(keywords))}",
                    finding.hint,
                )
    for theme, origin in ctx.items("themes"):
        for i, kpi in enumerate(theme.kpis):
            yield from _found(ctx.unresolved("kpis", kpi, origin, ("kpis", i), "KPI"))
    for source, origin in ctx.items("sources"):
        for column, point_id in source.values.items():
            yield from _found(
                ctx.unresolved(
                    "measurement_points", point_id, origin, ("values", column), "measurement point"
                )
            )
        for label, point_id in source.measurement_points.items():
            yield from _found(
                ctx.unresolved(
                    "measurement_points",
                    point_id,
                    origin,
                    ("measurement_points", label),
                    "measurement point",
                )
            )
        yield from _found(
            ctx.unresolved(
                "measurement_points",
                source.measurement_point,
                origin,
                ("measurement_point",),
                "measurement point",
            )
        )
    targets = {*ctx.by_id("objectives"), *ctx.by_id("measurement_points")}
    for link, origin in ctx.items("links"):
        if (
            link.cx not in targets
            and not ctx.may_be_defined("objectives", link.cx)
            and not ctx.may_be_defined("measurement_points", link.cx)
        ):
            yield Finding(
                origin.at("cx"),
                f"'{link.cx}' is neither an objective nor a measurement point",
                did_you_mean(link.cx, sorted(targets)),
            )
        yield from _found(
            ctx.unresolved("kpis", link.business, origin, ("business",), "business KPI")
        )


@rule("CXG105", "outside-journey")
def outside_journey(ctx: RuleContext) -> Iterator[Finding]:
    """A touchpoint, stage or channel is used outside the journey that defines it.

    A touchpoint sits in one stage × channel cell of its own journey's map, so its `stage` and
    `channel` must be defined in that journey. A measurement point's `touchpoint` or `stage`
    must belong to the measurement point's `journey`.
    """
    for journey, origin in ctx.items("journeys"):
        stages = {s.id for s in journey.stages}
        channels = {c.id for c in journey.channels}
        for i, touchpoint in enumerate(journey.touchpoints):
            if touchpoint.stage not in stages:
                yield Finding(
                    origin.at("touchpoints", i, "stage"),
                    f"touchpoint '{touchpoint.id}' is in stage '{touchpoint.stage}', which journey "
                    f"'{journey.id}' does not have (stages: {', '.join(sorted(stages)) or 'none'})",
                )
            if touchpoint.channel not in channels:
                yield Finding(
                    origin.at("touchpoints", i, "channel"),
                    f"touchpoint '{touchpoint.id}' is in channel '{touchpoint.channel}', which "
                    f"journey '{journey.id}' does not have "
                    f"(channels: {', '.join(sorted(channels)) or 'none'})",
                )
    journeys = ctx.by_id("journeys")
    for point, origin in ctx.items("measurement_points"):
        if point.journey not in journeys:
            continue
        journey = journeys[point.journey][0]
        placed = ctx.touchpoints.get(point.touchpoint) if point.touchpoint else None
        if placed is not None and placed.journey.id != journey.id:
            yield Finding(
                origin.at("touchpoint"),
                f"touchpoint '{point.touchpoint}' belongs to journey '{placed.journey.id}', "
                f"not to '{journey.id}'",
            )
        if point.stage is not None and point.stage not in {s.id for s in journey.stages}:
            yield Finding(
                origin.at("stage"),
                f"stage '{point.stage}' is not a stage of journey '{journey.id}'",
            )
