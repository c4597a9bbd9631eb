"""What the voice-of-the-customer statistics read: comments with their tags, and the answers
of known customers. Plain values, so the statistics never touch the store."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Comment:
    """One answer's comment with its answer, as the theme statistics need it."""

    id: int
    point: str
    at: dt.datetime
    """UTC, naive (as stored)."""
    day: dt.date
    """Local date in the program's time zone."""
    value: float | None
    not_applicable: bool
    customer: str | None
    segments: dict[str, Any]
    text: str
    tags: dict[str, str]


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer of a known customer: what survey fatigue and respondent-level drivers read."""

    customer: str
    survey: tuple[str, str]
    """(source, response id): one questionnaire sent to the customer."""
    point: str
    day: dt.date
    value: float | None
    not_applicable: bool


def answered_by_point(answers: Iterable[Answer]) -> dict[str, list[Answer]]:
    """The answers with a score (not empty, not "not applicable"), per measurement point."""
    found: dict[str, list[Answer]] = defaultdict(list)
    for a in answers:
        if a.value is not None and not a.not_applicable:
            found[a.point].append(a)
    return found
