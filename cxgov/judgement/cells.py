"""Cells and their counts: what a measurement point holds for one period and one segment.

These are the typed values between the database's aggregation and every judgement: the SQL
layer fills an `Aggregates`, and verdicts, breakdowns and the voice of the customer read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cxgov.judgement.periods import Period
from cxgov.stats import Counts

SegmentKey = tuple[tuple[str, str], ...]
"""Sorted (dimension, value) pairs; () is the whole measurement point."""


@dataclass(frozen=True, slots=True)
class Cell:
    point: str
    period: Period
    segment: SegmentKey


@dataclass(frozen=True, slots=True)
class PeriodValue:
    """A business KPI value delivered for a period."""

    value: float
    n: int | None


@dataclass
class Aggregates:
    counts: dict[Cell, Counts]
    values: dict[Cell, PeriodValue]
    first_data: dict[str, dt.date]
    """Local date of each measurement point's first record (or first KPI value)."""
    series: dict[str, list[Period]]
    """Periods evaluated per measurement point, oldest first."""
    theme_shares: dict[tuple[str, Cell], Counts] = field(default_factory=dict)
    """(theme, cell) → comments at the cell (`n`) and those mentioning the theme
    (`positives`), for theme-share objectives; filled in from the tagged comments."""


def segment_key(segment: dict[str, str]) -> SegmentKey:
    return tuple(sorted(segment.items()))


def stored_segment(value: object) -> SegmentKey:
    """A segment as the store's JSON gives it back (a mapping, or a list of pairs)."""
    if not value:
        return ()
    pairs: list[tuple[object, object]] = (
        list(value.items()) if isinstance(value, dict) else [tuple(p) for p in value]  # type: ignore[attr-defined]
    )
    return tuple(sorted((str(k), str(v)) for k, v in pairs))
