"""The program model: pydantic v2, frozen, `extra="forbid"`; one module per section.

`ProgramFile` is what one YAML file may hold (every section optional); `Program` is a whole
program once its files are merged. JSON Schemas are generated from `ProgramFile`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

from cxgov.model.base import Id, Language, Model, Status
from cxgov.model.decisions import Adjustment, DecisionSettings
from cxgov.model.journeys import Channel, Journey, Stage, Touchpoint
from cxgov.model.kpis import Category, Direction, Kpi, KpiType, Statistic
from cxgov.model.links import ContactPolicy, Expectation, Link
from cxgov.model.measurement import MeasurementPoint, Method, Window
from cxgov.model.objectives import Objective, Rule, TargetRevision, Trajectory
from cxgov.model.owners import Owner
from cxgov.model.policies import ActionPolicy, AssigneeRule, Sink
from cxgov.model.program_section import Baseline, Goal, ProgramSection, Strategy
from cxgov.model.sources import Export, Layout, Source, SourceFormat
from cxgov.model.themes import Theme

__all__ = [
    "SECTIONS",
    "ActionPolicy",
    "Adjustment",
    "AssigneeRule",
    "Baseline",
    "Category",
    "Channel",
    "ContactPolicy",
    "DecisionSettings",
    "Direction",
    "Expectation",
    "Export",
    "Goal",
    "Id",
    "Journey",
    "Kpi",
    "KpiType",
    "Language",
    "Layout",
    "Link",
    "MeasurementPoint",
    "Method",
    "Model",
    "Objective",
    "Owner",
    "Program",
    "ProgramFile",
    "ProgramSection",
    "Rule",
    "Section",
    "Sink",
    "Source",
    "SourceFormat",
    "Stage",
    "Statistic",
    "Status",
    "Strategy",
    "TargetRevision",
    "Theme",
    "Touchpoint",
    "Trajectory",
    "Window",
]


@dataclass(frozen=True, slots=True)
class Section:
    """A top-level key of a program file and the model of its items."""

    name: str
    model: type[BaseModel]
    is_list: bool
    kind: str
    """What one item is called in messages (owner, journey, ...)."""


SECTIONS: dict[str, Section] = {
    s.name: s
    for s in (
        Section("program", ProgramSection, False, "program"),
        Section("owners", Owner, True, "owner"),
        Section("journeys", Journey, True, "journey"),
        Section("kpis", Kpi, True, "KPI"),
        Section("measurement_points", MeasurementPoint, True, "measurement point"),
        Section("objectives", Objective, True, "objective"),
        Section("action_policies", ActionPolicy, True, "action policy"),
        Section("themes", Theme, True, "theme"),
        Section("sources", Source, True, "source"),
        Section("contact_policy", ContactPolicy, False, "contact policy"),
        Section("links", Link, True, "link"),
    )
}


class ProgramFile(Model):
    """One YAML file of a cxgov program. A program is a directory of such files; each
    contributes sections, a list section may be split across files, and ids are unique
    within their kind across the whole program."""

    model_config = Model.model_config | {"title": "cxgov program file"}

    program: ProgramSection | None = None
    owners: tuple[Owner, ...] = ()
    journeys: tuple[Journey, ...] = ()
    kpis: tuple[Kpi, ...] = ()
    measurement_points: tuple[MeasurementPoint, ...] = ()
    objectives: tuple[Objective, ...] = ()
    action_policies: tuple[ActionPolicy, ...] = ()
    themes: tuple[Theme, ...] = ()
    sources: tuple[Source, ...] = ()
    contact_policy: ContactPolicy | None = None
    links: tuple[Link, ...] = ()


class Program(Model):
    """A whole program: every file's sections merged."""

    program: ProgramSection
    owners: tuple[Owner, ...] = ()
    journeys: tuple[Journey, ...] = ()
    kpis: tuple[Kpi, ...] = ()
    measurement_points: tuple[MeasurementPoint, ...] = ()
    objectives: tuple[Objective, ...] = ()
    action_policies: tuple[ActionPolicy, ...] = ()
    themes: tuple[Theme, ...] = ()
    sources: tuple[Source, ...] = ()
    contact_policy: ContactPolicy | None = None
    links: tuple[Link, ...] = Field(default=())

    def point_owner(self, point: MeasurementPoint) -> str | None:
        """Who answers for a measurement point: its own owner, else its touchpoint's, else its
        journey's."""
        if point.owner:
            return point.owner
        journey = next((j for j in self.journeys if j.id == point.journey), None)
        if journey is None:
            return None
        touchpoint = next((t for t in journey.touchpoints if t.id == point.touchpoint), None)
        if touchpoint is not None and touchpoint.owner:
            return touchpoint.owner
        return journey.owner
