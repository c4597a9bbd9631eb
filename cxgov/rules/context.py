"""What a rule sees: the program, where each item was written, and lookups by id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cxgov.diagnostics import Location
from cxgov.model import (
    Journey,
    Kpi,
    MeasurementPoint,
    Objective,
    Program,
    ProgramSection,
    Touchpoint,
)
from cxgov.model.objectives import theme_share_kpi
from cxgov.program_files.assembly import LoadedProgram, Origin
from cxgov.program_files.fields import did_you_mean
from cxgov.rules.finding import Finding


@dataclass(frozen=True, slots=True)
class PlacedTouchpoint:
    journey: Journey
    touchpoint: Touchpoint
    origin: Origin
    """Origin of the journey; the touchpoint is at ('touchpoints', index) below it."""
    index: int

    def at(self, *sub: str | int, key: bool = False) -> Location:
        return self.origin.at("touchpoints", self.index, *sub, key=key)


@dataclass
class RuleContext:
    loaded: LoadedProgram
    volumes: Mapping[str, int] = field(default_factory=dict)
    """Recent answers per period by objective id, when the caller has data (`cxgov validate
    --observed`); rules fall back on each measurement point's `min_sample` without them."""
    environment: Mapping[str, str] | None = None
    """The environment variables the nightly run will have, when the caller asked for them to
    be checked (`cxgov validate --environment`); None: rules about them do not run."""
    _by_id: dict[str, dict[str, tuple[Any, Origin]]] = field(default_factory=dict)

    @property
    def program(self) -> Program:
        return self.loaded.program

    @property
    def section(self) -> ProgramSection | None:
        return self.loaded.section

    def items(self, section: str) -> list[tuple[Any, Origin]]:
        return list(zip(getattr(self.program, section), self.loaded.origins[section], strict=True))

    def by_id(self, section: str) -> dict[str, tuple[Any, Origin]]:
        """First item with each id (duplicates are a separate rule)."""
        if section not in self._by_id:
            index: dict[str, tuple[Any, Origin]] = {}
            for item, origin in self.items(section):
                index.setdefault(item.id, (item, origin))
            self._by_id[section] = index
        return self._by_id[section]

    @cached_property
    def touchpoints(self) -> dict[str, PlacedTouchpoint]:
        index: dict[str, PlacedTouchpoint] = {}
        for journey, origin in self.items("journeys"):
            for i, touchpoint in enumerate(journey.touchpoints):
                index.setdefault(touchpoint.id, PlacedTouchpoint(journey, touchpoint, origin, i))
        return index

    def kpi_of(self, point: MeasurementPoint) -> Kpi | None:
        found = self.by_id("kpis").get(point.kpi)
        return found[0] if found else None

    def point_of(self, objective: Objective) -> MeasurementPoint | None:
        found = self.by_id("measurement_points").get(objective.measurement_point)
        return found[0] if found else None

    def kpi_of_objective(self, objective: Objective) -> Kpi | None:
        """The KPI an objective is judged on: its point's, or for a theme-share objective the
        share of comments mentioning the theme (a percentage, lower is better by default)."""
        point = self.point_of(objective)
        kpi = self.kpi_of(point) if point else None
        if kpi is None or objective.theme is None:
            return kpi
        return theme_share_kpi(objective, kpi, objective.theme)

    def origin_of(self, section: str, ident: str) -> Origin | None:
        found = self.by_id(section).get(ident)
        return found[1] if found else None

    def may_be_defined(self, section: str, ident: str) -> bool:
        """Whether `ident` may be an item of `section` that did not load: one that failed
        structural validation, or a word of a file that could not be read at all (so one
        mistake is reported once, not again at every reference to what it hid)."""
        return ident in self.loaded.broken_ids.get(section, ()) or (
            ident in self.loaded.unreadable_words
        )

    def unresolved(
        self,
        section: str,
        ident: str | None,
        origin: Origin,
        path: tuple[str | int, ...],
        what: str,
    ) -> Finding | None:
        """A finding, at `path` below `origin`, when `ident` names no item of `section` (ids
        that failed structural validation count as known, so one mistake is reported once).
        The place is looked up only for a finding: most references resolve."""
        if ident is None:
            return None
        known = self.by_id(section)
        if ident in known or self.may_be_defined(section, ident):
            return None
        return Finding(
            origin.at(*path),
            f"{what} '{ident}' is not defined",
            did_you_mean(ident, sorted(known)),
        )
