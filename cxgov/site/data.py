"""What a site shows, as plain values: the run record it is built from, the actions and the
program's history, then rendered by pure page builders (so pages can be tested without a
database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cxgov.judgement.actions import ActionHistory, Effectiveness
from cxgov.judgement.record import (
    Breakdown,
    PointData,
    RunSummary,
    UnreadableFile,
    VerdictRecord,
)
from cxgov.judgement.voc import VocSections
from cxgov.model import TargetRevision


@dataclass(frozen=True)
class ChangeRecord:
    kind: str
    id: str
    field: str | None
    old: Any
    new: Any
    effect: str
    at: str | None = None
    """For target changes: the ISO date from which the thresholds differ."""
    rewrites_history: bool = False
    """A target change to a revision already in force when it was committed."""


@dataclass(frozen=True)
class RewrittenTargets:
    """An objective whose revisions in force a commit changed, and what they were before."""

    objective: str
    before: tuple[TargetRevision, ...]
    changes: tuple[ChangeRecord, ...]


@dataclass(frozen=True)
class HistoryRecord:
    commit: str
    date: dt.date
    author: str
    subject: str
    changes: tuple[ChangeRecord, ...]
    rewritten: tuple[RewrittenTargets, ...] = ()
    committed: dt.date | None = None
    """The committer date: from then on the branch held this version (`date` is the author's,
    as the changelog shows it)."""


@dataclass
class SiteData:
    run: RunSummary | None
    verdicts: list[VerdictRecord] = field(default_factory=list)
    actions: list[ActionHistory] = field(default_factory=list)
    points: list[PointData] = field(default_factory=list)
    rejected_by_source: dict[str, int] = field(default_factory=dict)
    unreadable: list[UnreadableFile] = field(default_factory=list)
    """Data files quarantined as unreadable when the run judged."""
    effectiveness: list[Effectiveness] = field(default_factory=list)
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)
    """Per objective id: its current period by each of its measurement point's dimensions."""
    comments: dict[str, list[str]] = field(default_factory=dict)
    """Per objective id: recent comments of its current period, already redacted."""
    history: list[HistoryRecord] = field(default_factory=list)
    """The program's git history, oldest first."""
    voc: VocSections | None = None
    """The evaluation report's `themes`, `drivers`, `links` and `fatigue` sections as of the
    run (docs/voc.md), cut to what the audience may see; None without a run."""
