"""Identity: ids are unique within their kind across the whole program."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from cxgov.diagnostics import Location
from cxgov.model import SECTIONS
from cxgov.program_files.assembly import Origin
from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import rule

Place = tuple[str, Origin, tuple[str | int, ...]]
"""An id, the origin of the item it is written in and the path to it below that origin."""


def _where(location: Location) -> str:
    return f"{location.file}:{location.line}:{location.column}"


def _duplicates(kind: str, places: Iterable[Place]) -> Iterator[Finding]:
    # places are looked up only for duplicates: most ids are unique
    first: dict[str, tuple[Origin, tuple[str | int, ...]]] = {}
    for ident, origin, path in places:
        if ident in first:
            first_origin, first_path = first[ident]
            yield Finding(
                origin.at(*path),
                f"duplicate {kind} id '{ident}': already defined at "
                f"{_where(first_origin.at(*first_path))}",
            )
        else:
            first[ident] = (origin, path)


@rule("CXG102", "duplicate-id")
def duplicate_id(ctx: RuleContext) -> Iterator[Finding]:
    """An id is defined twice within its kind.

    Owners, journeys, touchpoints, KPIs, measurement points, objectives, action policies,
    themes, sources and strategy goals each have program-wide unique ids, whichever files
    they are written in; both places are named. Stages and channels are unique within
    their journey (the same channel id may appear in several journeys).
    """
    for name, section in SECTIONS.items():
        if not section.is_list or "id" not in section.model.model_fields:
            continue
        yield from _duplicates(
            section.kind, ((item.id, origin, ("id",)) for item, origin in ctx.items(name))
        )
    touchpoints: list[Place] = []
    for journey, origin in ctx.items("journeys"):
        touchpoints.extend(
            (t.id, origin, ("touchpoints", i, "id")) for i, t in enumerate(journey.touchpoints)
        )
        yield from _duplicates(
            f"stage (in journey '{journey.id}')",
            ((s.id, origin, ("stages", i, "id")) for i, s in enumerate(journey.stages)),
        )
        yield from _duplicates(
            f"channel (in journey '{journey.id}')",
            ((c.id, origin, ("channels", i, "id")) for i, c in enumerate(journey.channels)),
        )
    yield from _duplicates("touchpoint", touchpoints)
    header = ctx.section
    if header is not None and header.strategy is not None:
        origin = ctx.loaded.section_origin["program"]
        yield from _duplicates(
            "goal",
            (
                (g.id, origin, ("strategy", "goals", i, "id"))
                for i, g in enumerate(header.strategy.goals)
            ),
        )
