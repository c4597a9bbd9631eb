"""One evaluation: aggregate in the database, judge, record the run, write the report."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from cxgov.evaluate.aggregate import aggregate
from cxgov.evaluate.report import RunInfo, build_report, markdown
from cxgov.judgement.verdicts import Result, judge, result_json
from cxgov.model import Program
from cxgov.redaction import redact
from cxgov.store.runs import record_run
from cxgov.voc import evidence as voc


@dataclass
class Evaluation:
    report: dict[str, Any]
    results: list[Result]
    json_path: Path | None
    markdown_path: Path | None
    actions: dict[str, int] | None = None
    """What the run did to the actions, by decision kind (None when they were not updated)."""


def program_hash(files: list[str]) -> str:
    """Content hash of the program's files (sorted by name), so a run names what it judged."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(Path(name).name.encode() + b"\0")
        digest.update(Path(name).read_bytes())
    return digest.hexdigest()


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


def _verdict_row(r: Result) -> dict[str, Any]:
    data = result_json(r)
    return {
        "objective": data["objective"],
        "measurement_point": data["measurement_point"],
        "kpi": data["kpi"],
        "segment": data["segment"],
        "period_start": r.period.start,
        "period_end": r.period.end,
        "complete": r.period.complete,
        "status": data["status"],
        "value": data["value"],
        "n": data["n"],
        "ci_low": data["ci_low"],
        "ci_high": data["ci_high"],
        "target": data["target"],
        "warn": data["warn"],
        "fail": data["fail"],
        "revision": r.thresholds.effective_from if r.thresholds else None,
        "rule": data["rule"],
        "trend": data["trend"],
    }


def evaluate_program(
    engine: Engine,
    program: Program,
    *,
    files: list[str],
    directory: str,
    as_of: dt.date,
    since: dt.date | None,
    out: Path | None,
    dry_run: bool,
    clock: Callable[[], dt.datetime],
) -> Evaluation:
    started = clock()
    with engine.begin() as connection:  # rollups written here commit with the counts read
        aggregates = aggregate(connection, program, as_of, since, persist=not dry_run)
        # comments are tagged once and the tags stored, in the same transaction as the rollups
        evidence = voc.collect(connection, program, as_of, persist=not dry_run)
    voc.add_theme_shares(program, evidence, aggregates, as_of)
    results = judge(program, aggregates, as_of)
    content_hash = program_hash(files)
    commit = git_commit(directory)
    finished = clock()
    run_id = None
    if not dry_run:
        with engine.begin() as connection:
            run_id = record_run(
                connection,
                program=program.program.id,
                as_of=as_of,
                program_hash=content_hash,
                git_commit=commit,
                started=started,
                finished=finished,
                verdicts=[_verdict_row(r) for r in results],
            )
    info = RunInfo(run_id, content_hash, commit, started, finished)
    report = build_report(program.program.id, as_of, info, results)
    sections = voc.sections(program, evidence, aggregates, as_of, redact=redact)
    report.update(sections)
    json_path = markdown_path = None
    if out is not None and not dry_run:
        folder = out / program.program.id
        folder.mkdir(parents=True, exist_ok=True)
        json_path = folder / f"{as_of.isoformat()}.json"
        markdown_path = folder / f"{as_of.isoformat()}.md"
        json_path.write_text(
            json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        markdown_path.write_text(
            markdown(program.program.name, as_of, info, results) + "\n" + voc.markdown(sections),
            encoding="utf-8",
        )
    return Evaluation(report, results, json_path, markdown_path)
