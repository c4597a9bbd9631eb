"""One evaluation: aggregate in the database, judge, and record the run's record; the
reports are written from the record."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from cxgov.cycles import collector_paused
from cxgov.evaluate.aggregate import aggregate
from cxgov.evaluate.report import build_report, markdown
from cxgov.ingest.pseudonym import pseudonymiser
from cxgov.judgement.breakdowns import breakdowns
from cxgov.judgement.cells import Aggregates
from cxgov.judgement.error_rates import error_rates
from cxgov.judgement.periods import Period
from cxgov.judgement.record import (
    DataQuality,
    PointData,
    RunRecord,
    RunSummary,
    verdict_record,
)
from cxgov.judgement.status import Current, current_status
from cxgov.judgement.verdicts import Result, judge
from cxgov.model import Program
from cxgov.redaction import redact
from cxgov.store.comments import newest_comments
from cxgov.store.feedback import refresh_statistics
from cxgov.store.pseudonym_key import pseudonym_key
from cxgov.store.runs import batch_watermark, record_run, record_watermark
from cxgov.store.status import data_status
from cxgov.store.tables import COMMENT_TAGS
from cxgov.voc import evidence as voc
from cxgov.warehouse.comments import table_comments
from cxgov.warehouse.table_source import table_points


@dataclass
class Evaluation:
    record: RunRecord
    """What the run judged: every output reads this."""
    results: list[Result]
    """The judge's working values, for the action decisions of the same run."""
    report: dict[str, Any]
    json_path: Path | None
    markdown_path: Path | None

    @cached_property
    def current(self) -> dict[str, Current]:
        return current_status(self.record.verdicts)


def git_commit(directory: str) -> str | None:
    try:
        found = subprocess.run(
            ["git", "-C", directory, "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None if found.returncode == 0 else None


COMMENTS_PER_OBJECTIVE = 5
_COMMENT_SCAN = 200
"""Newest comments read per objective before its segment filter picks the ones to show."""


def _comments(
    connection: Connection,
    program: Program,
    current: dict[str, Current],
    end_of_as_of: dt.datetime,
) -> dict[str, list[str]]:
    """The newest comments of each objective's current period up to the end of the as-of day
    (UTC), redacted before they leave the store (only the team site shows them). Customer keys
    are never read."""
    zone = ZoneInfo(program.program.timezone)
    objectives = {o.id: o for o in program.objectives}
    found: dict[str, list[str]] = {}
    for objective_id, now in current.items():
        objective = objectives.get(objective_id)
        if objective is None:
            continue
        v = now.verdict
        start, end = Period(v.start, v.end, v.complete).utc_bounds(zone)
        chosen = [
            redact(comment)
            for comment in islice(
                newest_comments(
                    connection,
                    program=program.program.id,
                    point=objective.measurement_point,
                    start=start,
                    end=min(end, end_of_as_of),
                    segment=objective.segment,
                    scan=_COMMENT_SCAN,
                ),
                COMMENTS_PER_OBJECTIVE,
            )
        ]
        if chosen:
            found[objective_id] = chosen
    return found


def _with_table_points(
    program: Program, points: Iterable[PointData], aggregates: Aggregates
) -> tuple[PointData, ...]:
    """The store holds no answers of a table source's points: their records are the answers
    its engine counted in the periods judged, their first day the first answer's (its time
    and the last answer's are not asked for; not-applicable answers are not counted there)."""
    in_tables = table_points(program)
    if not in_tables:
        return tuple(points)
    zone = ZoneInfo(program.program.timezone)
    answered: dict[str, int] = {}
    for cell, counts in aggregates.counts.items():
        if cell.point in in_tables and not cell.segment:
            answered[cell.point] = answered.get(cell.point, 0) + counts.n
    found = []
    for point in points:
        if point.id not in in_tables:
            found.append(point)
            continue
        first = aggregates.first_data.get(point.id)
        start = Period(first, first, False).utc_bounds(zone)[0] if first else None
        found.append(PointData(point.id, answered.get(point.id, 0), 0, start, None))
    return tuple(found)


# counted, judged and reported: a graph of small objects without cycles (`collector_paused`)
@collector_paused()
def evaluate_program(
    engine: Engine,
    program: Program,
    *,
    content_hash: str,
    directory: str,
    as_of: dt.date,
    since: dt.date | None,
    out: Path | None,
    dry_run: bool,
    clock: Callable[[], dt.datetime],
) -> Evaluation:
    started = clock()
    with engine.connect() as connection:
        # read before the data: a batch committed meanwhile makes the next run judge again
        watermark = batch_watermark(connection, program.program.id)
    with engine.begin() as connection:  # rollups written here commit with the counts read
        aggregates = aggregate(connection, program, as_of, since, persist=not dry_run)
        # comments are tagged once and the tags stored, in the same transaction as the rollups;
        # the theme statistics are counted from the stored tags where the comments are (a
        # table source's comments are read into the store first: cxgov.warehouse.comments)
        with table_comments(
            connection,
            program,
            as_of,
            persist=not dry_run,
            started=started,
            pseudonymiser=lambda: pseudonymiser(pseudonym_key(connection)),
        ):
            evidence = voc.count(
                connection,
                program,
                as_of,
                first_days=aggregates.first_data,
                persist=not dry_run,
                redact=redact,
            )
    if not dry_run:
        # a first run over many comments stored their tags: the statements counting them
        # are planned from fresh statistics, as after a large ingest
        refresh_statistics(engine, evidence.tagging.tagged, COMMENT_TAGS)
    voc.add_theme_shares(program, evidence, aggregates, as_of)
    results = judge(program, aggregates, as_of)
    verdicts = [verdict_record(r) for r in results]
    current = current_status(verdicts)
    # a run as of a past date sees the store as it stood at the end of that day
    end_of_as_of = Period(as_of, as_of, False).utc_bounds(ZoneInfo(program.program.timezone))[1]
    with engine.connect() as connection:
        comments = _comments(connection, program, current, end_of_as_of)
    quality = data_status(engine, program, as_of=(as_of, end_of_as_of))
    found = voc.sections(program, evidence, aggregates, as_of, redact=redact)
    # the theme counts are in the sections now: freed before the report is built, the
    # evaluation's peak memory is less by their size (and by the counts' below)
    del evidence
    finished = clock()
    record = RunRecord(
        run=RunSummary(None, as_of, content_hash, git_commit(directory), started, finished),
        program=program.program.id,
        verdicts=sorted(verdicts, key=lambda v: (v.objective, v.segment, v.start)),
        breakdowns=breakdowns(program, current, aggregates),
        comments=comments,
        voc=found,
        data_quality=DataQuality(
            _with_table_points(program, quality.points, aggregates),
            dict(quality.rejected_by_source),
            tuple(quality.unreadable),
        ),
        error_rates=error_rates(program),
    )
    del aggregates
    if not dry_run:
        with engine.begin() as connection:
            run_id = record_run(connection, record)
            record_watermark(connection, run_id, watermark)
        record.run = replace(record.run, id=run_id)
    report = build_report(record)
    json_path = markdown_path = None
    if out is not None and not dry_run:
        folder = out / program.program.id
        folder.mkdir(parents=True, exist_ok=True)
        json_path = folder / f"{as_of.isoformat()}.json"
        markdown_path = folder / f"{as_of.isoformat()}.md"
        _write_whole(json_path, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        _write_whole(markdown_path, markdown(program, record) + "\n" + voc.markdown(found))
    return Evaluation(record, results, report, json_path, markdown_path)


def _write_whole(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path` and rename it into place, so a report is
    either the old one or the whole new one, never a truncated file (a full disk, a kill)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
