"""Judging: one evaluation, the nightly run, and an owner's digest."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cxgov.actions.digest import DigestData
from cxgov.actions.digest import render as render_digest
from cxgov.actions.digest_delivery import collect as collect_digest
from cxgov.api._program import load_program, loaded_program
from cxgov.api._program_ref import owner_named
from cxgov.api._store import opened_store
from cxgov.clock import Clock
from cxgov.evaluate.run import Evaluation
from cxgov.model import Program
from cxgov.nightly import NightlyRun, evaluate_and_follow_up, run_nightly
from cxgov.store.locks import run_lock

__all__ = ["digest", "evaluate", "run"]


def evaluate(
    program_dir: str,
    *,
    as_of: dt.date,
    since: dt.date | None = None,
    db: str | None = None,
    out: str | None = "reports",
    dry_run: bool = False,
    wait_seconds: float = 0.0,
    clock: Clock,
) -> Evaluation:
    """Judge every objective for every period up to `as_of`; record the run and write
    reports/<program>/<as-of>.json and .md (nothing is recorded or written with `dry_run`).
    A recorded evaluation holds the program's run lock (RunLocked past `wait_seconds`)."""
    loaded = loaded_program(program_dir)
    with opened_store(db) as engine:
        # two evaluations recording at once would write the same rollups and actions
        lock = (
            contextlib.nullcontext()
            if dry_run
            else run_lock(engine, loaded.program.program.id, wait_seconds=wait_seconds)
        )
        with lock as held:
            return evaluate_and_follow_up(
                engine,
                loaded,
                program_dir,
                as_of=as_of,
                since=since,
                out=Path(out) if out else None,
                dry_run=dry_run,
                clock=clock,
                # the actions are written only while the lock is still held
                boundary=held.check if held is not None else lambda _stage: None,
            )


def run(
    program_dir: str,
    *,
    as_of: dt.date,
    db: str | None = None,
    out: str | None = "reports",
    wait_seconds: float = 0.0,
    max_reject_rate: float = 0.5,
    clock: Clock,
    progress: Callable[[str], None] | None = None,
    site: Callable[[Program], bool] | None = None,
) -> NightlyRun:
    """The nightly run: ingest each source's new files, evaluate, follow up the actions and
    write the report, deliver to the sinks, mail the digests and, with `site` (a step that
    builds the site, such as `site_after_run`, and says whether it did), build the site. One
    run per program at a time; raises RunLocked when another holds it past `wait_seconds`, and
    RunLockLost when the lock is lost midway (the run stops before the next stage)."""
    loaded = loaded_program(program_dir)
    with opened_store(db) as engine:
        return run_nightly(
            engine,
            loaded,
            program_dir,
            as_of=as_of,
            out=Path(out) if out else None,
            clock=clock,
            wait_seconds=wait_seconds,
            max_reject_rate=max_reject_rate,
            progress=progress,
            site=site,
        )


def _digest_data(
    program_dir: str, owner_id: str, as_of: dt.date, since: dt.date | None, db: str | None
) -> DigestData:
    program = load_program(program_dir)
    owner = owner_named(program, owner_id)
    with opened_store(db) as engine, engine.connect() as connection:
        return collect_digest(connection, program, owner, as_of, since)


def digest(
    program_dir: str,
    owner_id: str,
    *,
    as_of: dt.date,
    since: dt.date | None = None,
    db: str | None = None,
) -> str:
    """One owner's digest in Markdown (see cxgov.actions.digest): the text mailed to them."""
    return render_digest(_digest_data(program_dir, owner_id, as_of, since, db))


def digest_card(
    program_dir: str,
    owner_id: str,
    *,
    as_of: dt.date,
    since: dt.date | None = None,
    db: str | None = None,
) -> dict[str, Any]:
    """One owner's digest as a Microsoft Teams message: the body a Workflows webhook takes,
    one Adaptive Card (see cxgov.actions.digest_card) with each objective linked to its page
    when the program has a `site_url`."""
    from cxgov.actions.digest_card import digest_card as card
    from cxgov.actions.sinks.teams import teams_message

    return teams_message(card(_digest_data(program_dir, owner_id, as_of, since, db)))


def digest_blocks(
    program_dir: str,
    owner_id: str,
    *,
    as_of: dt.date,
    since: dt.date | None = None,
    db: str | None = None,
) -> dict[str, Any]:
    """One owner's digest as a Slack message: the body an incoming webhook takes, `text` and
    Block Kit `blocks` (see cxgov.actions.digest_blocks), each objective linked to its page
    when the program has a `site_url`."""
    from cxgov.actions.digest_blocks import digest_blocks as blocks

    return blocks(_digest_data(program_dir, owner_id, as_of, since, db))
