"""The one rule for an objective's current status.

Every output that says how an objective stands today (the command's summary and exit code,
the Markdown report, the digests, every page of the site) asks `current_status`, so they
cannot disagree.

The current period is the newest one judged, unless it is still running and cannot say
anything yet: a period that has not ended and has no data or too few answers is *pending*,
and the status is read from the newest complete period before it. On the first day of a
month, November (two answers so far) is pending and October's verdict is the status; once
November has enough answers, November is. A complete period with no data is a status in its
own right (the survey stopped), never skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cxgov.judgement.record import VerdictRecord
from cxgov.judgement.verdicts import SEVERITY, Verdict

_TOO_YOUNG = frozenset(
    {Verdict.PENDING.value, Verdict.NO_DATA.value, Verdict.INSUFFICIENT_SAMPLE.value}
)
"""A running period shown as pending (recorded before `pending` existed: as no data or too
few answers)."""


@dataclass(frozen=True)
class Current:
    """An objective's status: the period it is read from, and a newer one still pending."""

    verdict: VerdictRecord
    pending: VerdictRecord | None = None

    @property
    def status(self) -> Verdict:
        return Verdict(self.verdict.status)


def current_of(periods: list[VerdictRecord]) -> Current | None:
    """The current status of one objective from its periods, oldest first."""
    if not periods:
        return None
    newest = periods[-1]
    if not newest.complete and newest.status in _TOO_YOUNG:
        earlier = [p for p in periods[:-1] if p.complete]
        if earlier:
            return Current(earlier[-1], pending=newest)
    return Current(newest)


def series(verdicts: Iterable[VerdictRecord]) -> dict[str, list[VerdictRecord]]:
    """Each objective's periods, oldest first (an objective is judged for its one segment)."""
    found: dict[str, list[VerdictRecord]] = {}
    for v in sorted(verdicts, key=lambda v: (v.objective, v.segment, v.start)):
        found.setdefault(v.objective, []).append(v)
    return found


def current_status(verdicts: Iterable[VerdictRecord]) -> dict[str, Current]:
    """Every objective's current status, by objective id (sorted)."""
    found = {}
    for objective, periods in sorted(series(verdicts).items()):
        current = current_of(periods)
        if current is not None:
            found[objective] = current
    return found


def worst_first(current: Iterable[Current]) -> list[Current]:
    """Most severe first, then by objective id: the order summaries list objectives in."""
    return sorted(current, key=lambda c: (-SEVERITY[c.status], c.verdict.objective))
