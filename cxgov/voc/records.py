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
    response: tuple[str, str]
    """(source, response id): the questionnaire it was written in. A wide-layout row's comment
    sits on each of the row's answers, one per rating column."""

    @property
    def key(self) -> CommentKey:
        """What makes one comment: its text in one response, whatever answers carry it."""
        return (self.response, self.text)


CommentKey = tuple[tuple[str, str], str]


def distinct_comments(comments: Iterable[Comment]) -> int:
    """How many comments were written: a response's comment counts once, not once per answer
    that carries it (a wide row's comment is stored with each rating column's answer)."""
    return len({c.key for c in comments})


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
