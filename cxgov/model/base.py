"""Shared building blocks of the program model."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
ID_DESCRIPTION = (
    "An identifier: letters, digits, '-', '_' and '.', starting with a letter or digit, "
    "at most 80 characters."
)

Id = Annotated[str, Field(pattern=ID_PATTERN, description=ID_DESCRIPTION)]


def _dimension_name(name: str) -> str:
    # SQLite's JSON paths ($."name") cannot escape these, so its queries would silently find
    # no answer of such a segment while PostgreSQL finds them all
    if '"' in name or "\\" in name:
        raise ValueError(
            f"segment dimension {name!r} contains a double quote or a backslash, which the "
            "store cannot look up on SQLite: rename the dimension (its column keeps its name)"
        )
    return name


SegmentDimension = Annotated[str, AfterValidator(_dimension_name)]
"""A segment dimension's name, as sources map it to a column and measurement points and
objectives name it."""


class Model(BaseModel):
    """Base of every program model: unknown keys are errors, values never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Language(StrEnum):
    EN = "en"
    FI = "fi"


class Status(StrEnum):
    """A verdict's status; also the triggers an action policy can open actions on."""

    FAIL = "fail"
    WARN = "warn"
    BELOW_TARGET = "below_target"
    NO_DATA = "no_data"
    INSUFFICIENT_SAMPLE = "insufficient_sample"
    DECLINE = "decline"
