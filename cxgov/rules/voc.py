"""Voice of the customer: theme-share objectives and the survey load a journey can cause."""

from __future__ import annotations

from collections.abc import Iterator

from cxgov.diagnostics import Severity
from cxgov.model.measurement import SURVEY_METHODS
from cxgov.program_files.fields import did_you_mean
from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import rule


@rule("CXG121", "unknown-theme")
def unknown_theme(ctx: RuleContext) -> Iterator[Finding]:
    """An objective's `theme` names no theme of the program.

    A theme-share objective (`theme: toimitukset`) targets the share of its measurement
    point's comments that mention a theme defined in `themes`.
    """
    themes = ctx.by_id("themes")
    for objective, origin in ctx.items("objectives"):
        if (
            objective.theme is None
            or objective.theme in themes
            or ctx.may_be_defined("themes", objective.theme)
        ):
            continue
        yield Finding(
            origin.at("theme"),
            f"objective '{objective.id}' targets theme '{objective.theme}', which is not defined",
            did_you_mean(objective.theme, sorted(themes)),
        )


@rule("CXG122", "theme-objective-shape")
def theme_objective_shape(ctx: RuleContext) -> Iterator[Finding]:
    """An objective sets `direction` without `theme`, or targets a theme at a point that
    collects no comments.

    `direction` belongs to theme-share objectives only (their share is lower-is-better by
    default); a KPI objective takes its direction from its KPI. A theme share is read from
    survey comments, so its measurement point must be a survey, not `method: system`.
    """
    for objective, origin in ctx.items("objectives"):
        if objective.direction is not None and objective.theme is None:
            yield Finding(
                origin.at("direction"),
                f"objective '{objective.id}' sets direction without theme; a KPI objective "
                "takes its direction from its KPI",
                "remove direction, or add the theme whose share this objective targets",
            )
        point = ctx.point_of(objective)
        if objective.theme is not None and point is not None and point.method not in SURVEY_METHODS:
            yield Finding(
                origin.at("theme"),
                f"objective '{objective.id}' targets a theme share at measurement point "
                f"'{point.id}', which is measured by {point.method.value} and has no comments",
            )


def _places(ctx: RuleContext, journey: str) -> list[str]:
    """Where a journey surveys: each touchpoint, stage or the whole journey once (points at
    the same place share one questionnaire)."""
    found: list[str] = []
    for point in ctx.program.measurement_points:
        if point.journey != journey or point.method not in SURVEY_METHODS:
            continue
        place = point.touchpoint or (f"stage {point.stage}" if point.stage else "the journey")
        if place not in found:
            found.append(place)
    return found


@rule("CXG209", "contact-policy-exceedable", Severity.WARNING)
def contact_policy_exceedable(ctx: RuleContext) -> Iterator[Finding]:
    """A customer who passes every touchpoint of a journey within the contact policy's window
    would receive more surveys than `contact_policy` allows.

    Each surveyed touchpoint (a stage, or the journey itself, for stage- and journey-level
    measures) sends one questionnaire per passage; measurement points at the same place share
    it. When a journey has more such places than `max_surveys_per_customer`, the policy can
    only hold by suppressing surveys: sample the touchpoint surveys, measure fewer places, or
    set a policy the journey can keep.
    """
    policy = ctx.program.contact_policy
    origin = ctx.loaded.section_origin.get("contact_policy")
    if policy is None or origin is None:
        return
    for journey, _ in ctx.items("journeys"):
        places = _places(ctx, journey.id)
        if len(places) > policy.max_surveys_per_customer:
            yield Finding(
                origin.at("max_surveys_per_customer"),
                f"journey '{journey.id}' surveys at {len(places)} places ({', '.join(places)}); "
                f"a customer passing them all within {policy.days} days would get more than "
                f"the {policy.max_surveys_per_customer} surveys the contact policy allows",
                "sample touchpoint surveys, measure fewer places, or raise the policy",
            )
