"""The `measurement_points` section: where and how a KPI is measured on a journey."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from cxgov.model.base import Id, Model, SegmentDimension

DEFAULT_MIN_SAMPLE = 30
"""Fewest answers for a verdict unless a measurement point says otherwise."""


class Method(StrEnum):
    TRANSACTIONAL_SURVEY = "transactional_survey"
    RELATIONSHIP_SURVEY = "relationship_survey"
    SYSTEM = "system"


SURVEY_METHODS = frozenset({Method.TRANSACTIONAL_SURVEY, Method.RELATIONSHIP_SURVEY})


class CalendarPeriod(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Window(Model):
    """Either `{calendar: week|month|quarter|year}` or `{rolling_days: N}`."""

    calendar: CalendarPeriod | None = None
    rolling_days: int | None = Field(default=None, ge=1, le=3660)

    @model_validator(mode="after")
    def _one_kind(self) -> Window:
        if (self.calendar is None) == (self.rolling_days is None):
            raise ValueError("a window sets exactly one of `calendar` or `rolling_days`")
        return self


class Contact(Model):
    max_per_customer: int = Field(ge=1)
    days: int = Field(ge=1)


class MeasurementPoint(Model):
    id: Id
    kpi: Id
    journey: Id
    touchpoint: Id | None = None
    """Touchpoint measured; leave out (and `stage`) for a journey-level measure."""
    stage: Id | None = None
    """Stage measured, for a stage-level measure."""
    method: Method
    source: Id | None = None
    window: Window = Window(calendar=CalendarPeriod.MONTH)
    min_sample: int = Field(default=DEFAULT_MIN_SAMPLE, ge=1)
    """Fewest answers for a verdict; below it the verdict is insufficient_sample."""
    collection_lag_days: int = Field(default=0, ge=0, le=366)
    """Days after a period ends during which its answers still arrive; until then a period
    with too few answers is pending, not insufficient_sample or no_data."""
    segments: tuple[SegmentDimension, ...] = ()
    """Dimensions this measurement is broken down by (for example class, customer_type)."""
    owner: Id | None = None
    """Defaults to the touchpoint's owner, then the journey's."""
    contact: Contact | None = None
    """Contact rule: at most `max_per_customer` surveys per customer in `days` days."""

    @model_validator(mode="after")
    def _one_place(self) -> MeasurementPoint:
        if self.touchpoint is not None and self.stage is not None:
            raise ValueError("a measurement point sets `touchpoint` or `stage`, not both")
        return self
