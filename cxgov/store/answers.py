"""The answer records the store takes: one answer as a named tuple, and blocks of them column
by column, with the stored texts of their times and segments.

Made by ingest's row mapping and written by `cxgov.store.feedback`; they live here, below
both, so the store does not reach up into ingest.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any, NamedTuple

RESPONSE_ID_LENGTH = 200
"""The longest response id the store keeps (the width of `feedback.response_id`)."""


class Record(NamedTuple):
    """One answer ready for the store. `collected_at` is naive UTC.

    A named tuple rather than a dataclass: a file makes millions of them, and a tuple is the
    cheapest immutable record Python builds. `segments` may be shared between records of one
    file (equal cells give the same mapping); it is never modified.
    """

    response_id: str
    measurement_point: str
    collected_at: dt.datetime
    value: float | None
    not_applicable: bool
    customer_key: str | None
    segments: dict[str, str]
    comment: str | None


def segments_text(segments: dict[str, str]) -> str:
    """The stored text of a segment mapping: canonical JSON (sorted keys, no spaces)."""
    return json.dumps(segments, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def stored_time(moment: dt.datetime) -> str:
    """The stored text of a naive UTC time: what SQLAlchemy's DateTime type writes and reads
    back on SQLite (`YYYY-MM-DD HH:MM:SS.ffffff`), and PostgreSQL's COPY reads as a timestamp.
    Fixed width, so texts compare as their times do."""
    return moment.isoformat(" ", "microseconds")


class Answers(NamedTuple):
    """Answer records column by column (row `i` is `column[i]` of each), ready for the store.

    What a block of rows maps to: building one list per field with C-level `map` calls costs a
    fraction of building one tuple per answer. `collected_at` and `segments` hold stored texts
    (`stored_time`, `segments_text`).
    """

    response_id: list[str]
    measurement_point: list[str]
    collected_at: list[str]
    value: list[float | None]
    not_applicable: list[bool]
    customer_key: list[str | None]
    segments: list[str]
    comment: list[str | None]

    @property
    def size(self) -> int:
        return len(self.response_id)

    @classmethod
    def empty(cls) -> Answers:
        return cls([], [], [], [], [], [], [], [])

    @classmethod
    def of(cls, records: Sequence[Record]) -> Answers:
        texts: dict[int, tuple[dict[str, str], str]] = {}

        def text(segments: dict[str, str]) -> str:
            known = texts.get(id(segments))
            if known is None:
                known = texts[id(segments)] = (segments, segments_text(segments))
            return known[1]

        return cls(
            [r.response_id for r in records],
            [r.measurement_point for r in records],
            [stored_time(r.collected_at) for r in records],
            [r.value for r in records],
            [r.not_applicable for r in records],
            [r.customer_key for r in records],
            [text(r.segments) for r in records],
            [r.comment for r in records],
        )

    def columns(self) -> tuple[list[Any], ...]:
        return tuple(self)

    def extend(self, other: Answers) -> None:
        for mine, theirs in zip(self.columns(), other.columns(), strict=True):
            mine.extend(theirs)
