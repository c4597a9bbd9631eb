"""Reading what the site shows from the store (and the program's git history), once per build."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, select

from cxgov.actions.ledger import actions, effectiveness, program_events
from cxgov.evaluate.aggregate import aggregate
from cxgov.judgement.cells import Aggregates, Cell
from cxgov.judgement.periods import Period
from cxgov.judgement.verdicts import DEFAULT_CONFIDENCE, estimate
from cxgov.model import KpiType, Program
from cxgov.redaction import redact
from cxgov.site.data import (
    ActionEvent,
    ActionRecord,
    Breakdown,
    BreakdownRow,
    ChangeRecord,
    Effectiveness,
    HistoryRecord,
    PointData,
    RunSummary,
    SiteData,
    VerdictRecord,
)
from cxgov.store.runs import latest_run, run_verdicts
from cxgov.store.status import data_status
from cxgov.store.tables import FEEDBACK
from cxgov.voc import evidence as voc

COMMENTS_PER_OBJECTIVE = 5
_COMMENT_SCAN = 200
"""Newest comments read per objective before its segment filter picks the ones to show."""


def collect(
    engine: Engine,
    program: Program,
    program_dir: Path,
    *,
    with_comments: bool,
    progress: Callable[[str], None] | None = None,
) -> SiteData:
    """Everything the pages need: the newest run's verdicts and the store around it."""
    say = progress or (lambda _message: None)
    program_id = program.program.id
    with engine.connect() as connection:
        run = _latest_run(connection, program_id)
        data = SiteData(run=run)
        if run is not None:
            say(f"reading run {run.id} (as of {run.as_of})")
            data.verdicts = _verdicts(connection, run.id)
            data.actions = _actions(connection, program_id)
            data.effectiveness = _effectiveness(connection, program_id)
            say("breaking the latest periods down by segment")
            counts = aggregate(connection, program, run.as_of)
            data.breakdowns = breakdowns(program, data.verdicts, counts)
            if with_comments:
                data.comments = _comments(connection, program, data.verdicts)
            say("reading what customers wrote and who was surveyed")
            data.voc = voice_of_customer(
                connection, program, run.as_of, counts, with_comments=with_comments
            )
    status = data_status(engine, program)
    data.points = [
        PointData(p.id, p.records, p.not_applicable, p.first, p.last) for p in status.points
    ]
    data.rejected_by_source = dict(status.rejected_by_source)
    say("reading the program's git history")
    data.history = history(program_dir)
    return data


def _latest_run(connection: Connection, program: str) -> RunSummary | None:
    found = latest_run(connection, program)
    return RunSummary(*found) if found else None


def _segment(value: dict[str, Any] | list[Any] | None) -> tuple[tuple[str, str], ...]:
    if not value:
        return ()
    items = value.items() if isinstance(value, dict) else value
    return tuple(sorted((str(k), str(v)) for k, v in items))


def _verdicts(connection: Connection, run_id: int) -> list[VerdictRecord]:
    return sorted(
        (
            VerdictRecord(
                objective=row["objective"],
                measurement_point=row["measurement_point"],
                segment=_segment(row["segment"]),
                start=row["period_start"],
                end=row["period_end"],
                complete=bool(row["complete"]),
                status=row["status"],
                value=row["value"],
                n=int(row["n"]),
                ci_low=row["ci_low"],
                ci_high=row["ci_high"],
                target=row["target"],
                warn=row["warn"],
                fail=row["fail"],
                revision=row["revision"],
                trend=row["trend"] or {},
            )
            for row in run_verdicts(connection, run_id)
        ),
        key=lambda r: (r.objective, r.segment, r.start),
    )


def _actions(connection: Connection, program: str) -> list[ActionRecord]:
    events: dict[int, list[ActionEvent]] = {}
    for row in program_events(connection, program):
        events.setdefault(int(row["action_id"]), []).append(
            ActionEvent(row["at"], row["actor"], row["kind"], row["to_status"], row["note"])
        )
    return [
        ActionRecord(
            id=int(row["id"]),
            objective=row["objective"],
            journey=row["journey"],
            segment=_segment(row["segment"]),
            trigger=row["trigger"],
            status=row["status"],
            severity=row["severity"],
            assignee=row["assignee"],
            escalated_to=row["escalated_to"],
            due=row["due"],
            opened=row["opened_at"].date(),
            resolved_on=row["resolved_on"],
            occurrences=int(row["occurrences"]),
            events=tuple(events.get(int(row["id"]), ())),
        )
        for row in actions(connection, program)
    ]


def _effectiveness(connection: Connection, program: str) -> list[Effectiveness]:
    return [
        Effectiveness(
            row["by"], row["id"], row["judged"], row["verified_effective"], row["share_effective"]
        )
        for row in effectiveness(connection, program)
    ]


def _latest_by_objective(verdicts: Iterable[VerdictRecord]) -> dict[str, VerdictRecord]:
    """Each objective's newest period (of its own segment)."""
    newest: dict[str, VerdictRecord] = {}
    for v in verdicts:
        if v.objective not in newest or v.start >= newest[v.objective].start:
            newest[v.objective] = v
    return newest


def breakdowns(
    program: Program, verdicts: list[VerdictRecord], counts: Aggregates
) -> dict[str, Breakdown]:
    """Each objective's latest period split by every dimension its measurement point declares.
    Computed from the same additive counts as the verdicts, so the parts add up to the whole."""
    points = {p.id: p for p in program.measurement_points}
    kpis = {k.id: k for k in program.kpis}
    by_cell: dict[tuple[str, Period], list[tuple[Cell, Any]]] = {}
    for cell, found in counts.counts.items():
        if len(cell.segment) == 1:
            by_cell.setdefault((cell.point, cell.period), []).append((cell, found))
    result: dict[str, Breakdown] = {}
    objectives = {o.id: o for o in program.objectives}
    for objective_id, latest in sorted(_latest_by_objective(verdicts).items()):
        objective = objectives.get(objective_id)
        if objective is None:
            continue
        point = points[objective.measurement_point]
        kpi = kpis[point.kpi]
        # the counts are split one dimension at a time, so an objective that is itself one
        # segment (say toimiala=julkinen) has no breakdown within that segment to show
        if kpi.type is KpiType.VALUE or not point.segments or objective.segment:
            continue
        confidence = objective.confidence or DEFAULT_CONFIDENCE
        period = Period(latest.start, latest.end, latest.complete)
        rows = []
        for cell, found in by_cell.get((point.id, period), []):
            ((dimension, value),) = cell.segment
            if dimension not in point.segments:
                continue
            shown = estimate(kpi, found, confidence)
            rows.append(
                BreakdownRow(dimension, value, shown.value, shown.ci_low, shown.ci_high, shown.n)
            )
        rows.sort(key=lambda r: (point.segments.index(r.dimension), r.value))
        result[objective_id] = Breakdown(latest.start, latest.end, tuple(rows))
    return result


def _comments(
    connection: Connection, program: Program, verdicts: list[VerdictRecord]
) -> dict[str, list[str]]:
    """The newest comments of each objective's latest period, redacted before they leave the
    store. Customer keys are never read."""
    zone = ZoneInfo(program.program.timezone)
    objectives = {o.id: o for o in program.objectives}
    f = FEEDBACK
    found: dict[str, list[str]] = {}
    for objective_id, latest in sorted(_latest_by_objective(verdicts).items()):
        objective = objectives.get(objective_id)
        if objective is None:
            continue
        start, end = Period(latest.start, latest.end, latest.complete).utc_bounds(zone)
        rows = connection.execute(
            select(f.c.comment, f.c.segments)
            .where(
                f.c.program == program.program.id,
                f.c.measurement_point == objective.measurement_point,
                f.c.collected_at >= start,
                f.c.collected_at < end,
                f.c.comment.is_not(None),
                f.c.comment != "",
            )
            .order_by(f.c.collected_at.desc(), f.c.id.desc())
            .limit(_COMMENT_SCAN)
        )
        chosen: list[str] = []
        for comment, segments in rows:
            values = segments if isinstance(segments, dict) else json.loads(segments or "{}")
            if all(values.get(k) == v for k, v in objective.segment.items()):
                chosen.append(redact(comment))
            if len(chosen) == COMMENTS_PER_OBJECTIVE:
                break
        if chosen:
            found[objective_id] = chosen
    return found


def voice_of_customer(
    connection: Connection,
    program: Program,
    as_of: dt.date,
    counts: Aggregates,
    *,
    with_comments: bool,
) -> dict[str, Any]:
    """The report's voice-of-the-customer sections, computed the way the run computed them
    (comments the run tagged are read with their stored tags; nothing is written). Without
    comments (the leadership audience) no customer's words leave the store: no example
    comments, and no frequent words of untagged comments, which are the rule writer's aid."""
    evidence = voc.collect(connection, program, as_of, persist=False)
    voc.add_theme_shares(program, evidence, counts, as_of)
    sections = voc.sections(program, evidence, counts, as_of, redact=redact)
    if not with_comments:
        for theme in sections["themes"]["themes"]:
            for point in theme["points"]:
                for period in point["periods"]:
                    period["examples"] = []
        sections["themes"]["coverage"]["frequent_words"] = []
    # pseudonymous keys identify a customer to whoever holds the key: never on a page
    fatigue = sections["fatigue"]
    if fatigue.get("window"):
        fatigue["window"]["customers_over_policy"] = []
    for rule in fatigue.get("contact_rules", []):
        rule["customers_over_rule"] = []
    return sections


def history(program_dir: Path) -> list[HistoryRecord]:
    """How the program's files changed over their git history (empty outside git)."""
    from cxgov.review.history import program_history

    return [
        HistoryRecord(
            entry.commit,
            entry.date,
            entry.author,
            entry.subject,
            tuple(
                ChangeRecord(c.kind, c.id, c.field, c.old, c.new, c.effect) for c in entry.changes
            ),
        )
        for entry in program_history(program_dir, program_dir.resolve())
    ]
