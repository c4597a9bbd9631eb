"""The `journeys` section: journey maps as stages × channels with touchpoints in the cells."""

from __future__ import annotations

from pydantic import Field

from cxgov.model.base import Id, Model


class Stage(Model):
    id: Id
    name: str
    weight: float | None = Field(default=None, ge=0)
    """Relative importance of the stage in the journey."""


class Channel(Model):
    id: Id
    name: str


class Touchpoint(Model):
    id: Id
    name: str
    stage: Id
    channel: Id
    owner: Id | None = None


class Journey(Model):
    id: Id
    name: str
    description: str | None = None
    owner: Id | None = None
    parent: Id | None = None
    """Journey id this journey is a sub-journey of."""
    segments: tuple[str, ...] = ()
    """Customer profiles this journey serves."""
    stages: tuple[Stage, ...] = Field(default=(), description="Stages in customer order.")
    channels: tuple[Channel, ...] = ()
    touchpoints: tuple[Touchpoint, ...] = ()
