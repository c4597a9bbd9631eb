"""Recording evaluation runs: each run's record (verdicts and sections), append-only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from cxgov.judgement.cells import stored_segment
from cxgov.judgement.record import (
    ActionsCaused,
    RunRecord,
    RunSummary,
    VerdictRecord,
    sections_from_json,
    sections_json,
)
from cxgov.store.tables import EVALUATION_RUNS, INGEST_BATCHES, RUN_SECTIONS, VERDICTS

CHUNK = 5_000


def _verdict_row(v: VerdictRecord, run_id: int) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "objective": v.objective,
        "measurement_point": v.measurement_point,
        "kpi": v.kpi,
        "segment": dict(v.segment),
        "period_start": v.start,
        "period_end": v.end,
        "complete": v.complete,
        "status": v.status,
        "value": v.value,
        "n": v.n,
        "ci_low": v.ci_low,
        "ci_high": v.ci_high,
        "target": v.target,
        "warn": v.warn,
        "fail": v.fail,
        "revision": v.revision,
        "rule": v.rule,
        "trend": v.trend,
        "theme": v.theme,
        "p_value": v.p_value,
        "sustained": v.sustained,
    }


def record_run(connection: Connection, record: RunRecord) -> int:
    """Insert one finished run: its verdicts and its sections; returns the run id."""
    run = record.run
    assert run.started is not None and run.finished is not None
    run_id = int(
        connection.execute(
            insert(EVALUATION_RUNS)
            .values(
                program=record.program,
                as_of=run.as_of,
                program_hash=run.program_hash,
                git_commit=run.git_commit,
                started_at=run.started.replace(tzinfo=None),
                finished_at=run.finished.replace(tzinfo=None),
                status="finished",
            )
            .returning(EVALUATION_RUNS.c.id)
        ).scalar_one()
    )
    rows = [_verdict_row(v, run_id) for v in record.verdicts]
    for start in range(0, len(rows), CHUNK):
        connection.execute(insert(VERDICTS), rows[start : start + CHUNK])
    connection.execute(
        insert(RUN_SECTIONS),
        [
            {"run_id": run_id, "section": name, "body": body}
            for name, body in sections_json(record).items()
        ],
    )
    return run_id


STAGES = ("evaluation", "actions", "deliveries", "digests", "site")
"""The stages of a nightly run in order. `evaluation` is done when the run is recorded (its
verdicts and report); each later one when the run's record holds a section of its name."""


def record_actions(connection: Connection, run_id: int, caused: ActionsCaused) -> None:
    """What the run did to the actions, written in the transaction that did it."""
    body = {"counts": dict(sorted(caused.counts.items())), "action_ids": list(caused.action_ids)}
    connection.execute(insert(RUN_SECTIONS).values(run_id=run_id, section="actions", body=body))


def record_stage(connection: Connection, run_id: int, stage: str, counts: dict[str, int]) -> None:
    """Mark a later stage of the run (deliveries, digests, site) completed, with what it did
    by outcome. A rerun of the same day does the stages again for the run it found unchanged
    (failed deliveries are retried): its counts are added to the run's."""
    assert stage in STAGES[2:], stage
    where = (RUN_SECTIONS.c.run_id == run_id) & (RUN_SECTIONS.c.section == stage)
    earlier = connection.execute(select(RUN_SECTIONS.c.body).where(where)).scalar()
    total = dict(earlier["counts"]) if earlier else {}
    for outcome, n in counts.items():
        total[outcome] = int(total.get(outcome, 0)) + n
    connection.execute(delete(RUN_SECTIONS).where(where))
    connection.execute(
        insert(RUN_SECTIONS).values(
            run_id=run_id, section=stage, body={"counts": dict(sorted(total.items()))}
        )
    )


def completed_stages(connection: Connection, run_id: int) -> tuple[str, ...]:
    """The stages of a recorded run that completed, in order."""
    present = set(
        connection.execute(
            select(RUN_SECTIONS.c.section).where(
                RUN_SECTIONS.c.run_id == run_id, RUN_SECTIONS.c.section.in_(STAGES)
            )
        ).scalars()
    )
    return ("evaluation", *(s for s in STAGES[1:] if s in present))


def batch_watermark(connection: Connection, program: str) -> int:
    """The id of the program's newest committed batch (0 before the first): what data a run
    judges, without comparing clocks."""
    found = connection.execute(
        select(func.max(INGEST_BATCHES.c.id)).where(
            INGEST_BATCHES.c.program == program, INGEST_BATCHES.c.status == "committed"
        )
    ).scalar()
    return 0 if found is None else int(found)


def record_watermark(connection: Connection, run_id: int, watermark: int) -> None:
    """The batch watermark the run read before judging, so a later run can tell whether any
    batch was committed since."""
    connection.execute(
        insert(RUN_SECTIONS).values(
            run_id=run_id, section=_WATERMARK, body={"watermark": watermark}
        )
    )


_WATERMARK = "batches"


def unchanged_since_last_run(
    connection: Connection, *, program: str, as_of: dt.date, program_hash: str
) -> int | None:
    """The id of a finished run of the same day and program content after which no batch was
    committed, or None: rerunning then would judge exactly the same data again.

    Batch ids say it, not times: a batch committed after a run has a greater id than the
    newest one the run read (its watermark), whatever the clocks said (a pinned or replayed
    "now", a clock set back). A run recorded without a watermark is judged again.

    Only a run whose actions stage completed counts: a run stopped between recording its
    verdicts and following up the actions (killed, a full disk while writing its report) is
    judged again by the next run, whose decisions then open what the stopped one did not.
    Deciding again is safe: the decisions are a pure function of the verdicts and the stored
    actions, so nothing is opened twice."""
    actions = RUN_SECTIONS.alias("actions")
    completed = select(actions.c.run_id).where(
        actions.c.run_id == EVALUATION_RUNS.c.id, actions.c.section == "actions"
    )
    last = connection.execute(
        select(EVALUATION_RUNS.c.id, RUN_SECTIONS.c.body)
        .join(
            RUN_SECTIONS,
            (RUN_SECTIONS.c.run_id == EVALUATION_RUNS.c.id)
            & (RUN_SECTIONS.c.section == _WATERMARK),
        )
        .where(
            EVALUATION_RUNS.c.program == program,
            EVALUATION_RUNS.c.as_of == as_of,
            EVALUATION_RUNS.c.program_hash == program_hash,
            EVALUATION_RUNS.c.status == "finished",
            completed.exists(),
        )
        .order_by(EVALUATION_RUNS.c.id.desc())
        .limit(1)
    ).first()
    if last is None or int(last.body["watermark"]) != batch_watermark(connection, program):
        return None
    return int(last.id)


def latest_run_id(connection: Connection, program: str) -> int | None:
    """The newest finished run of the program, or None before the first run."""
    r = EVALUATION_RUNS
    found = connection.execute(
        select(r.c.id)
        .where(r.c.program == program, r.c.status == "finished")
        .order_by(r.c.id.desc())
        .limit(1)
    ).scalar()
    return None if found is None else int(found)


class UnknownRun(LookupError):
    """No finished run of the program has this id."""


def _verdicts(connection: Connection, run_id: int) -> list[VerdictRecord]:
    rows = connection.execute(
        select(VERDICTS).where(VERDICTS.c.run_id == run_id).order_by(VERDICTS.c.id)
    ).mappings()
    return sorted(
        (
            VerdictRecord(
                objective=row["objective"],
                measurement_point=row["measurement_point"],
                segment=stored_segment(row["segment"]),
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
                kpi=row["kpi"],
                rule=row["rule"],
                theme=row["theme"],
                p_value=row["p_value"],
                sustained=int(row["sustained"] or 0),
            )
            for row in rows
        ),
        key=lambda v: (v.objective, v.segment, v.start),
    )


def load_record(connection: Connection, program: str, run_id: int) -> RunRecord:
    """A recorded run as the typed record every output reads."""
    r = EVALUATION_RUNS
    run = connection.execute(
        select(r).where(r.c.id == run_id, r.c.program == program, r.c.status == "finished")
    ).first()
    if run is None:
        raise UnknownRun(f"no finished run {run_id} of program {program!r}")
    sections = {
        row.section: row.body
        for row in connection.execute(
            select(RUN_SECTIONS.c.section, RUN_SECTIONS.c.body).where(
                RUN_SECTIONS.c.run_id == run_id
            )
        )
    }
    actions = sections.get("actions")
    return RunRecord(
        run=RunSummary(
            int(run.id),
            run.as_of,
            run.program_hash,
            run.git_commit,
            run.started_at.replace(tzinfo=dt.UTC),
            run.finished_at.replace(tzinfo=dt.UTC) if run.finished_at else None,
        ),
        program=program,
        verdicts=_verdicts(connection, run_id),
        actions=None
        if actions is None
        else ActionsCaused(
            {k: int(v) for k, v in actions["counts"].items()},
            tuple(int(i) for i in actions["action_ids"]),
        ),
        **sections_from_json(sections),
    )


def latest_record(connection: Connection, program: str) -> RunRecord | None:
    """The newest finished run's record, or None before the first run."""
    run_id = latest_run_id(connection, program)
    return None if run_id is None else load_record(connection, program, run_id)


def latest_verdicts(connection: Connection, program: str) -> tuple[int | None, list[VerdictRecord]]:
    """The newest finished run's id and its verdicts alone (None and [] before the first
    run): for readers that need no section of the record, such as each owner's digest."""
    run_id = latest_run_id(connection, program)
    return (None, []) if run_id is None else (run_id, _verdicts(connection, run_id))
