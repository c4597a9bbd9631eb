"""The run record: everything one evaluation judged, as typed values.

A nightly run writes one record; the site, the reports, the digests, the command's summary
and its exit code read it and never aggregate, estimate or read answers again. So a page that
says "run N as of D, program commit C" shows exactly what run N saw, however many answers
arrived after it.

The record is stored as the run's verdict rows plus one JSON document per section;
`sections_json`/`sections_from_json` here are the only translation between the two (the
voice-of-the-customer section's own is in judgement/voc.py, beside its types).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from cxgov.judgement.cells import SegmentKey
from cxgov.judgement.verdicts import Result, number
from cxgov.judgement.voc import VocSections
from cxgov.judgement.voc import from_json as voc_from_json
from cxgov.judgement.voc import to_json as voc_json


@dataclass(frozen=True)
class RunSummary:
    """Which run a record is: what every published page names."""

    id: int | None
    """None for a dry run, which is never stored."""
    as_of: dt.date
    program_hash: str
    git_commit: str | None
    started: dt.datetime | None = None
    finished: dt.datetime | None = None


@dataclass(frozen=True)
class VerdictRecord:
    """One judged objective × segment × period, as the run recorded it."""

    objective: str
    measurement_point: str
    segment: SegmentKey
    start: dt.date
    end: dt.date
    complete: bool
    status: str
    value: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    target: float | None
    warn: float | None
    fail: float | None
    revision: dt.date | None
    trend: dict[str, Any]
    kpi: str = ""
    theme: str | None = None
    rule: str = "point"
    """`test` (a miss decided at the program's error rate) or `point` (the value alone)."""
    p_value: float | None = None
    """Adjusted one-sided p-value of a shortfall against the target; None when not tested."""
    sustained: int = 0
    """Periods pooled when the monitor found the shortfall sustained; 0 otherwise."""

    @property
    def margin(self) -> float | None:
        if self.value is None or self.target is None:
            return None
        return self.value - self.target


def verdict_json(v: VerdictRecord) -> dict[str, Any]:
    """A verdict in the report's JSON contract (docs/evaluate.md)."""
    return {
        "objective": v.objective,
        "measurement_point": v.measurement_point,
        "theme": v.theme,
        "kpi": v.kpi,
        "segment": dict(v.segment),
        "period": {"start": v.start.isoformat(), "end": v.end.isoformat(), "complete": v.complete},
        "value": v.value,
        "n": v.n,
        "ci_low": v.ci_low,
        "ci_high": v.ci_high,
        "status": v.status,
        "target": v.target,
        "warn": v.warn,
        "fail": v.fail,
        "revision": v.revision.isoformat() if v.revision else None,
        "margin": number(v.margin),
        "rule": v.rule,
        "p_value": v.p_value,
        "sustained": v.sustained,
        "trend": v.trend,
    }


def verdict_record(r: Result) -> VerdictRecord:
    """The one conversion from the judge's working value to what a run records."""
    t = r.thresholds
    change = {
        key: None
        if found is None
        else {"delta": number(found.delta), "p_value": number(found.p_value)}
        for key, found in (("previous", r.trend.previous), ("year_ago", r.trend.year_ago))
    }
    return VerdictRecord(
        objective=r.objective.id,
        measurement_point=r.point.id,
        segment=r.segment,
        start=r.period.start,
        end=r.period.end,
        complete=r.period.complete,
        status=r.status.value,
        value=number(r.estimate.value),
        n=r.estimate.n,
        ci_low=number(r.estimate.ci_low),
        ci_high=number(r.estimate.ci_high),
        target=number(t.target) if t else None,
        warn=number(t.warn) if t else None,
        fail=number(t.fail) if t else None,
        revision=t.effective_from if t else None,
        trend={**change, "decline": r.trend.decline},
        kpi=r.kpi.id,
        theme=r.objective.theme,
        rule=r.rule,
        p_value=number(r.evidence.p_value) if r.evidence else None,
        sustained=r.evidence.sustained if r.evidence else 0,
    )


@dataclass(frozen=True)
class BreakdownRow:
    dimension: str
    value: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n: int


@dataclass(frozen=True)
class Breakdown:
    """An objective's current period split by each dimension of its measurement point."""

    start: dt.date
    end: dt.date
    rows: tuple[BreakdownRow, ...]


@dataclass(frozen=True)
class PointData:
    """How much a measurement point held when the run judged it."""

    id: str
    records: int
    """Answers with a value (not-applicable answers are counted separately); for a business
    KPI's system measurement point, the number of period values."""
    not_applicable: int
    first: dt.datetime | None
    last: dt.datetime | None


@dataclass(frozen=True)
class UnreadableFile:
    """A data file that could not be read at all, so none of it loaded (it is quarantined)."""

    source: str
    file_name: str
    reason: str
    found_at: dt.datetime


@dataclass(frozen=True)
class DataQuality:
    points: tuple[PointData, ...] = ()
    rejected_by_source: dict[str, int] = field(default_factory=dict)
    unreadable: tuple[UnreadableFile, ...] = ()


@dataclass(frozen=True)
class ActionsCaused:
    """What a run did to the actions: decisions by kind, and the actions they touched."""

    counts: dict[str, int]
    action_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class ErrorRates:
    """The error rates a run judged at (`program.decisions`), and what they mean in a year."""

    error_rate: float
    adjustment: str
    run_length: int
    decline_error_rate: float
    false_alarms_per_year: float
    """Misses and declines a year if every objective were exactly on target, at most."""


@dataclass
class RunRecord:
    run: RunSummary
    program: str
    verdicts: list[VerdictRecord]
    breakdowns: dict[str, Breakdown] = field(default_factory=dict)
    """Per objective id: its current period by each of its measurement point's dimensions."""
    comments: dict[str, list[str]] = field(default_factory=dict)
    """Per objective id: recent comments of its current period, already redacted (only the
    team audience shows them)."""
    voc: VocSections | None = None
    """The voice-of-the-customer sections (`themes`, `drivers`, `links`, `fatigue`; docs/voc.md);
    None only in a run recorded before they existed."""
    data_quality: DataQuality = field(default_factory=DataQuality)
    actions: ActionsCaused | None = None
    """What the run did to the actions; None until that stage has completed."""
    error_rates: ErrorRates | None = None
    """None only in a run recorded before error rates were stated."""


def _instant(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def sections_json(record: RunRecord) -> dict[str, Any]:
    """The record's sections as JSON documents (the verdicts are stored as rows)."""
    return {
        "breakdowns": {
            objective: {
                "start": b.start.isoformat(),
                "end": b.end.isoformat(),
                "rows": [
                    [r.dimension, r.value, r.estimate, r.ci_low, r.ci_high, r.n] for r in b.rows
                ],
            }
            for objective, b in sorted(record.breakdowns.items())
        },
        "comments": dict(sorted(record.comments.items())),
        # a run without the sections has always stored an empty document
        "voc": {} if record.voc is None else voc_json(record.voc),
        "data_quality": {
            "points": [
                {
                    "id": p.id,
                    "records": p.records,
                    "not_applicable": p.not_applicable,
                    "first": p.first.isoformat() if p.first else None,
                    "last": p.last.isoformat() if p.last else None,
                }
                for p in record.data_quality.points
            ],
            "rejected_by_source": dict(sorted(record.data_quality.rejected_by_source.items())),
            "unreadable_files": [
                {
                    "source": u.source,
                    "file": u.file_name,
                    "reason": u.reason,
                    "found_at": u.found_at.isoformat(),
                }
                for u in record.data_quality.unreadable
            ],
        },
        "error_rates": None if record.error_rates is None else asdict(record.error_rates),
    }


def sections_from_json(sections: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of `RunRecord` from stored sections (missing ones stay empty, so a
    run recorded before a section existed still reads)."""
    breakdowns = {
        objective: Breakdown(
            dt.date.fromisoformat(b["start"]),
            dt.date.fromisoformat(b["end"]),
            tuple(BreakdownRow(*row) for row in b["rows"]),
        )
        for objective, b in (sections.get("breakdowns") or {}).items()
    }
    quality = sections.get("data_quality") or {}
    voc = sections.get("voc")
    rates = sections.get("error_rates")
    return {
        "breakdowns": breakdowns,
        "comments": {k: list(v) for k, v in (sections.get("comments") or {}).items()},
        "voc": voc_from_json(voc) if voc else None,
        "data_quality": DataQuality(
            tuple(
                PointData(
                    p["id"],
                    int(p["records"]),
                    int(p["not_applicable"]),
                    _instant(p["first"]),
                    _instant(p["last"]),
                )
                for p in quality.get("points", [])
            ),
            {k: int(v) for k, v in (quality.get("rejected_by_source") or {}).items()},
            tuple(
                UnreadableFile(
                    u["source"], u["file"], u["reason"], dt.datetime.fromisoformat(u["found_at"])
                )
                for u in quality.get("unreadable_files", [])
            ),
        ),
        "error_rates": ErrorRates(**rates) if rates else None,
    }
