"""Shared building blocks of the program model."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
ID_DESCRIPTION = (
    "An identifier: letters, digits, '-', '_' and '.', starting with a letter or digit, "
    "at most 80 characters."
)

Id = Annotated[str, Field(pattern=ID_PATTERN, description=ID_DESCRIPTION)]


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
