"""The `links` and `contact_policy` sections: business outcomes and survey fatigue limits."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from cxgov.model.base import Id, Model


class Expectation(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"


class Link(Model):
    cx: Id
    """An objective or measurement point id."""
    business: Id
    """A business `value` KPI id."""
    expected: Expectation


class ContactPolicy(Model):
    max_surveys_per_customer: int = Field(ge=1)
    days: int = Field(ge=1)
