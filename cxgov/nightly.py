"""The nightly run: new files in, evaluate and write the report, follow up the actions,
deliver them to their sinks, mail the digests, build the site.

Each stage is its own transaction and every stage can be repeated: files already loaded are
recognised by their content hash; an evaluation of data that has not changed is skipped only
when that earlier run also completed its actions (the run record says so); reports are
replaced whole; the action decisions of a run are a pure function of the verdicts and the
stored actions; a delivery or a digest is recorded once sent. The run record marks each later
stage (deliveries, digests, site) when it completes. So a run killed anywhere leaves a
consistent store, and the next run of the day finishes what it left undone, once.

Before each stage that writes or sends, the run checks it still holds its lock (a PostgreSQL
server that ended the connection took the lock with it) and stops if not.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from cxgov.actions.digest_delivery import send_digests
from cxgov.actions.ledger import follow_up
from cxgov.actions.outbox import deliver
from cxgov.clock import Clock
from cxgov.evaluate.run import Evaluation, evaluate_program
from cxgov.ingest.batch import BatchSummary, definition_hash, ingest_files
from cxgov.ingest.readers import sha256_of, source_files
from cxgov.judgement.record import ActionsCaused
from cxgov.model import Program
from cxgov.program_files.assembly import LoadedProgram
from cxgov.store.batches import loaded_file_hashes, quarantined_hashes
from cxgov.store.locks import run_lock
from cxgov.store.runs import (
    STAGES,
    completed_stages,
    record_actions,
    record_stage,
    unchanged_since_last_run,
)

PAUSE_ENV = "CXGOV_TEST_PAUSE_AT"
"""A test hook, not a setting: the stage (ingest, evaluation, actions, deliveries, digests,
site) before which a run stops and waits (see `pause_for_tests`)."""


def pause_for_tests(stage: str) -> None:
    """Test hook: when CXGOV_TEST_PAUSE_AT names `stage`, say so on stderr and wait for a line
    on stdin. The tests set it to kill the process (`kill -9`) or end its database connection
    at an exact stage boundary, which no timing could hit every time; nothing else sets it."""
    if os.environ.get(PAUSE_ENV) != stage:
        return
    sys.stderr.write(f"cxgov: test hook: paused before the {stage} stage\n")
    sys.stderr.flush()
    sys.stdin.readline()


def _no_boundary(stage: str) -> None:
    pass


@dataclass
class NightlyRun:
    program: str
    as_of: dt.date
    batches: list[BatchSummary] = field(default_factory=list)
    evaluation: Evaluation | None = None
    unchanged_since: int | None = None
    """The earlier run that judged the same data and program, when this one skipped judging."""
    deliveries: dict[str, int] = field(default_factory=dict)
    """Deliveries to sinks tried in this run, by outcome."""
    digests: dict[str, int] = field(default_factory=dict)
    """Owners' digests sent in this run (e-mail, Teams, Slack), by outcome."""
    definition: Program | None = field(default=None, repr=False, compare=False)
    """The validated program the run judged, so the site step after it need not validate the
    files again."""
    run_id: int | None = None
    """The run whose record this run completes: its own evaluation, or the unchanged one."""
    finishing: tuple[str, ...] = ()
    """Stages the unchanged run had not completed, which this run does (after a kill)."""

    @property
    def refused(self) -> list[BatchSummary]:
        """Batches refused, or with a file that could not be read (the rest went on)."""
        return [b for b in self.batches if b.status != "committed" or b.quarantined]


def evaluate_and_follow_up(
    engine: Engine,
    loaded: LoadedProgram,
    directory: str,
    *,
    as_of: dt.date,
    since: dt.date | None,
    out: Path | None,
    dry_run: bool,
    clock: Clock,
    boundary: Callable[[str], None] = _no_boundary,
) -> Evaluation:
    """Evaluate (record the run, write the report), then follow up the actions; `boundary` is
    called between the two with the stage that follows."""
    evaluation = evaluate_program(
        engine,
        loaded.program,
        content_hash=loaded.content_hash,
        directory=directory,
        as_of=as_of,
        since=since,
        out=out,
        dry_run=dry_run,
        clock=clock,
    )
    if not dry_run:
        # A transaction of its own: should it fail, the next run decides the same again.
        run_id = evaluation.record.run.id
        assert run_id is not None
        boundary("actions")
        with engine.begin() as connection:
            applied = follow_up(connection, loaded.program, evaluation.results, as_of, clock())
            caused = ActionsCaused(applied.counts, tuple(applied.action_ids))
            record_actions(connection, run_id, caused)
        evaluation.record.actions = caused
    return evaluation


def new_files(engine: Engine, loaded: LoadedProgram, directory: str) -> dict[str, dict[Path, str]]:
    """Per source, the files its `path` glob finds that no committed batch has loaded yet and
    that were not found unreadable under the source's present definition, with their SHA-256
    (taken once: the batch records the same hash)."""
    found: dict[str, dict[Path, str]] = {}
    program = loaded.program.program.id
    for source in loaded.program.sources:
        if source.is_table:  # its answers stay in its table
            continue
        candidates = source_files(Path(directory), source.path)
        if not candidates:
            continue
        with engine.connect() as connection:
            known = loaded_file_hashes(connection, program, source.id)
            known |= quarantined_hashes(connection, program, source.id, definition_hash(source))
        digests = {p: sha256_of(p) for p in candidates}
        fresh = {p: digest for p, digest in digests.items() if digest not in known}
        if fresh:
            found[source.id] = fresh
    return found


def run_nightly(
    engine: Engine,
    loaded: LoadedProgram,
    directory: str,
    *,
    as_of: dt.date,
    out: Path | None,
    clock: Clock,
    wait_seconds: float = 0.0,
    max_reject_rate: float = 0.5,
    progress: Callable[[str], None] | None = None,
    site: Callable[[Program], bool] | None = None,
) -> NightlyRun:
    """Ingest, evaluate, follow up, deliver, mail the digests and, with `site` (which builds
    the site of the judged program and says whether it did), build the site: all under the
    program's run lock."""
    program = loaded.program
    result = NightlyRun(program.program.id, as_of, definition=program)
    with run_lock(engine, program.program.id, wait_seconds=wait_seconds) as lock:

        def boundary(stage: str) -> None:
            pause_for_tests(stage)
            lock.check(stage)

        boundary("ingest")
        sources = {s.id: s for s in program.sources}
        for source_id, files in new_files(engine, loaded, directory).items():
            if progress:
                progress(f"ingesting {len(files)} new file(s) through source {source_id}")
            result.batches.append(
                ingest_files(
                    engine,
                    program,
                    sources[source_id],
                    list(files),
                    clock=clock,
                    max_reject_rate=max_reject_rate,
                    progress=progress,
                    hashes=files,
                )
            )
        # a table source's rows change without a batch: its program is judged every run
        with_tables = any(s.is_table for s in program.sources)
        with engine.connect() as connection:
            result.unchanged_since = (
                None
                if with_tables
                else unchanged_since_last_run(
                    connection,
                    program=program.program.id,
                    as_of=as_of,
                    program_hash=loaded.content_hash,
                )
            )
            if result.unchanged_since is not None:
                done = completed_stages(connection, result.unchanged_since)
                wanted = [s for s in STAGES if s != "site" or site is not None]
                result.finishing = tuple(s for s in wanted if s not in done)
        if result.unchanged_since is None:
            boundary("evaluation")
            if progress:
                progress(f"evaluating as of {as_of}")
            result.evaluation = evaluate_and_follow_up(
                engine,
                loaded,
                directory,
                as_of=as_of,
                since=None,
                out=out,
                dry_run=False,
                clock=clock,
                boundary=boundary,
            )
            result.run_id = result.evaluation.record.run.id
        else:
            result.run_id = result.unchanged_since
        run_id = result.run_id
        assert run_id is not None
        # Also after a skipped evaluation: people's changes and failed deliveries go out.
        boundary("deliveries")
        result.deliveries = deliver(
            engine, program, clock=clock, before_send=lambda: lock.check("deliveries")
        ).counts
        with engine.begin() as connection:
            record_stage(connection, run_id, "deliveries", result.deliveries)
        boundary("digests")
        result.digests = send_digests(
            engine, program, as_of, clock=clock, before_send=lambda: lock.check("digests")
        )
        with engine.begin() as connection:
            record_stage(connection, run_id, "digests", result.digests)
        if site is not None:
            boundary("site")
            if site(program):
                with engine.begin() as connection:
                    record_stage(connection, run_id, "site", {})
    return result
