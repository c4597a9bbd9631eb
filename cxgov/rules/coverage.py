"""Coverage warnings: parts of the program that are defined but do no work."""

from __future__ import annotations

from collections.abc import Iterator

from cxgov.diagnostics import Severity
from cxgov.model import AssigneeRule, KpiType
from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import rule

RECOMMENDED_MIN_SAMPLE = 30


@rule("CXG201", "kpi-unmeasured", Severity.WARNING, whole_program=True)
def kpi_unmeasured(ctx: RuleContext) -> Iterator[Finding]:
    """A KPI is defined but no measurement point measures it.

    Add a measurement point (for a business `value` KPI, one with `method: system`) or remove
    the KPI.
    """
    measured = {point.kpi for point in ctx.program.measurement_points}
    for kpi, origin in ctx.items("kpis"):
        if kpi.id not in measured:
            yield Finding(
                origin.at("id"), f"KPI '{kpi.id}' is not measured by any measurement point"
            )


@rule("CXG202", "point-without-objective", Severity.WARNING, whole_program=True)
def point_without_objective(ctx: RuleContext) -> Iterator[Finding]:
    """A measurement point has no objective.

    A measurement without a target is reporting, not management: nobody is told when it
    goes wrong. Give it an objective with thresholds.
    """
    targeted = {objective.measurement_point for objective in ctx.program.objectives}
    for point, origin in ctx.items("measurement_points"):
        if point.id not in targeted:
            yield Finding(origin.at("id"), f"measurement point '{point.id}' has no objective")


@rule("CXG203", "owner-owns-nothing", Severity.WARNING, whole_program=True)
def owner_owns_nothing(ctx: RuleContext) -> Iterator[Finding]:
    """An owner owns nothing.

    Every owner should answer for something: the program (cx_owner, sponsor), a journey, a
    touchpoint, a measurement point, actions (a policy's named assignee), or be someone's
    escalation target. An owner with no role is usually a leftover or a typo elsewhere.
    """
    program = ctx.program
    roles: set[str | None] = set()
    header = ctx.section
    if header is not None:
        roles |= {header.cx_owner, header.sponsor}
    roles |= {owner.escalates_to for owner in program.owners}
    for journey in program.journeys:
        roles.add(journey.owner)
        roles |= {touchpoint.owner for touchpoint in journey.touchpoints}
    roles |= {point.owner for point in program.measurement_points}
    keywords = {a.value for a in AssigneeRule}
    roles |= {p.assignee for p in program.action_policies if p.assignee not in keywords}
    for owner, origin in ctx.items("owners"):
        if owner.id not in roles:
            yield Finding(origin.at("id"), f"owner '{owner.id}' owns nothing in this program")


@rule("CXG204", "stage-unmeasured", Severity.WARNING, whole_program=True)
def stage_unmeasured(ctx: RuleContext) -> Iterator[Finding]:
    """A journey stage has no measurement.

    Each stage should be measured at a touchpoint in it or by a stage-level measurement
    point (`stage:`); an unmeasured stage is a blind spot in the journey.
    """
    measured: set[tuple[str, str]] = set()
    for point in ctx.program.measurement_points:
        if point.stage is not None:
            measured.add((point.journey, point.stage))
        elif point.touchpoint is not None and point.touchpoint in ctx.touchpoints:
            placed = ctx.touchpoints[point.touchpoint]
            measured.add((placed.journey.id, placed.touchpoint.stage))
    for journey, origin in ctx.items("journeys"):
        for i, stage in enumerate(journey.stages):
            if (journey.id, stage.id) not in measured:
                yield Finding(
                    origin.at("stages", i, "id"),
                    f"stage '{stage.id}' of journey '{journey.id}' has no measurement point",
                )


@rule("CXG205", "missing-leadership", Severity.WARNING)
def missing_leadership(ctx: RuleContext) -> Iterator[Finding]:
    """The program names no `cx_owner` or no `sponsor`.

    Someone must own the experience as a whole, and a leadership sponsor must stand behind it:
    escalations stop at the sponsor.
    """
    header = ctx.section
    if header is None:
        return
    origin = ctx.loaded.section_origin["program"]
    if header.cx_owner is None:
        yield Finding(
            origin.at(),
            f"program '{header.id}' names no cx_owner: nobody owns the "
            "customer experience as a whole",
        )
    if header.sponsor is None:
        yield Finding(
            origin.at(),
            f"program '{header.id}' names no sponsor: escalations have no leadership to reach",
        )


@rule("CXG212", "journey-without-owner", Severity.WARNING)
def journey_without_owner(ctx: RuleContext) -> Iterator[Finding]:
    """A journey names no `owner`.

    Someone must answer for a journey as a whole. Without an owner, every action a policy
    assigns to `journey_owner` goes to the program's `cx_owner` instead (or to the sponsor),
    and the journey's page names nobody. Name the person, team or role that owns it.
    """
    fallback = ctx.section.cx_owner if ctx.section else None
    for journey, origin in ctx.items("journeys"):
        if journey.owner is None:
            goes_to = f"the cx_owner '{fallback}'" if fallback else "the sponsor"
            yield Finding(
                origin.at("id"),
                f"journey '{journey.id}' names no owner: its actions for the journey owner go "
                f"to {goes_to}",
                "add `owner:` with an owner id",
            )


@rule("CXG206", "small-min-sample", Severity.WARNING)
def small_min_sample(ctx: RuleContext) -> Iterator[Finding]:
    """A measurement point's `min_sample` is below 30.

    With fewer than about 30 answers an NPS or a percentage swings by tens of points from
    chance alone; verdicts on such samples invite false alarms and "small sample" shrugs.
    """
    for point, origin in ctx.items("measurement_points"):
        kpi = ctx.kpi_of(point)
        if kpi is not None and kpi.type is KpiType.VALUE:
            continue
        if point.min_sample < RECOMMENDED_MIN_SAMPLE:
            yield Finding(
                origin.at("min_sample"),
                f"min_sample {point.min_sample} of measurement point '{point.id}' is below "
                f"{RECOMMENDED_MIN_SAMPLE}",
            )
