"""The nightly run: new files in, evaluate and write the report, follow up the actions,
deliver them to their sinks, mail the digests.

Each step is its own transaction and every step can be repeated: files already loaded are
recognised by their content hash; an evaluation of data that has not changed is skipped only
when that earlier run also completed its actions (the run record says so); reports are
replaced whole; and the action decisions of a run are a pure function of the verdicts and the
stored actions. So a run killed anywhere leaves a consistent store, and the next run completes
the work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from cxgov.actions.digest_mail import send_digests
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
from cxgov.store.runs import record_actions, unchanged_since_last_run


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
    """Owners' digests mailed in this run, by outcome."""
    definition: Program | None = field(default=None, repr=False, compare=False)
    """The validated program the run judged, so the site step after it need not validate the
    files again."""

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
) -> Evaluation:
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
) -> NightlyRun:
    program = loaded.program
    result = NightlyRun(program.program.id, as_of, definition=program)
    with run_lock(engine, program.program.id, wait_seconds=wait_seconds):
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
        with engine.connect() as connection:
            result.unchanged_since = unchanged_since_last_run(
                connection,
                program=program.program.id,
                as_of=as_of,
                program_hash=loaded.content_hash,
            )
        if result.unchanged_since is None:
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
            )
        # Also after a skipped evaluation: people's changes and failed deliveries go out.
        result.deliveries = deliver(engine, program, clock=clock).counts
        result.digests = send_digests(engine, program, as_of, clock=clock)
    return result
