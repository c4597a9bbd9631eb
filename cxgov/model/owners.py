"""The `owners` section: people, teams and roles who answer for parts of the program."""

from __future__ import annotations

from enum import StrEnum

from cxgov.model.base import Id, Model


class OwnerKind(StrEnum):
    PERSON = "person"
    TEAM = "team"
    ROLE = "role"


class DigestSchedule(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    NONE = "none"


class Owner(Model):
    id: Id
    name: str
    kind: OwnerKind = OwnerKind.PERSON
    title: str | None = None
    email: str | None = None
    github: str | None = None
    """GitHub user or team handle (`@org/team`), used for CODEOWNERS and issue assignment."""
    escalates_to: Id | None = None
    """Owner id that overdue actions escalate to."""
    digest: DigestSchedule = DigestSchedule.WEEKLY
    """How often this owner receives a digest of their objectives and actions."""
