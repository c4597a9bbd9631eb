"""Cycles: escalation chains and journey hierarchies must end somewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from cxgov.program_files.assembly import Origin
from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import rule


def _cycles(
    nodes: dict[str, Origin], successor: Callable[[str], str | None]
) -> Iterator[list[str]]:
    """Each cycle once, as the list of ids around it, starting from its smallest id."""
    seen: set[str] = set()
    for start in sorted(nodes):
        path: list[str] = []
        position: dict[str, int] = {}
        current: str | None = start
        while current is not None and current in nodes and current not in seen:
            position[current] = len(path)
            path.append(current)
            seen.add(current)
            current = successor(current)
        if current is not None and current in position:
            cycle = path[position[current] :]
            pivot = cycle.index(min(cycle))
            yield cycle[pivot:] + cycle[:pivot]


@rule("CXG103", "escalation-cycle")
def escalation_cycle(ctx: RuleContext) -> Iterator[Finding]:
    """Owners' `escalates_to` chain loops back on itself.

    An overdue action walks up `escalates_to` until it reaches the sponsor; a loop
    (a → b → a) would escalate forever and never reach leadership.
    """
    owners = ctx.by_id("owners")
    origins = {ident: origin for ident, (_, origin) in owners.items()}
    for cycle in _cycles(origins, lambda ident: owners[ident][0].escalates_to):
        chain = " → ".join([*cycle, cycle[0]])
        yield Finding(origins[cycle[0]].at("escalates_to"), f"escalation cycle: {chain}")


@rule("CXG104", "journey-parent-cycle")
def journey_parent_cycle(ctx: RuleContext) -> Iterator[Finding]:
    """Journeys' `parent` links loop back on themselves.

    A sub-journey names its parent journey; a journey cannot be its own ancestor.
    """
    journeys = ctx.by_id("journeys")
    origins = {ident: origin for ident, (_, origin) in journeys.items()}
    for cycle in _cycles(origins, lambda ident: journeys[ident][0].parent):
        chain = " → ".join([*cycle, cycle[0]])
        yield Finding(origins[cycle[0]].at("parent"), f"journey parent cycle: {chain}")
