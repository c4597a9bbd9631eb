"""The facade the command line and tests call. Functions here take plain arguments and return
values; printing and exit codes belong to the CLI."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.util import CommandError

from cxgov.actions import ledger
from cxgov.actions.digest import render as render_digest
from cxgov.actions.digests import collect as collect_digest
from cxgov.actions.outbox import retry_rejected, waiting_deliveries
from cxgov.assembly import LoadedProgram
from cxgov.clock import Clock
from cxgov.demo import DemoFiles, generate
from cxgov.errors import (
    ActionError,
    FileFormatError,
    InvalidProgram,
    RunLocked,
    SiteError,
    StoreError,
    UsageError,
)
from cxgov.evaluate.run import Evaluation
from cxgov.ingest.batch import BatchSummary, ingest_files
from cxgov.ingest.kpi_values import ingest_kpi_values_file
from cxgov.judgement.lifecycle import ACTIVE, ActionStatus, InvalidTransition
from cxgov.loading import MAX_FILE_BYTES
from cxgov.model import Program
from cxgov.nightly import NightlyRun, evaluate_and_follow_up, run_nightly
from cxgov.schema import stale_schemas, write_schemas
from cxgov.site.options import Audience, Builder, BuiltSite
from cxgov.store.engine import current_revision, make_engine, open_store, resolve_url
from cxgov.store.engine import upgrade as upgrade_store
from cxgov.store.status import DataStatus, data_status
from cxgov.validation import ValidationResult, validate_paths

__all__ = [
    "ActionError",
    "ActionFilter",
    "Audience",
    "BatchSummary",
    "Builder",
    "BuiltSite",
    "DataStatus",
    "FileFormatError",
    "InvalidProgram",
    "NightlyRun",
    "RunLocked",
    "SiteError",
    "StoreError",
    "UsageError",
    "ValidationResult",
    "build_site",
    "change_action",
    "check_schemas",
    "db_upgrade",
    "deliveries",
    "demo_data",
    "digest",
    "effectiveness",
    "evaluate",
    "ingest",
    "ingest_kpi_values",
    "list_actions",
    "load_program",
    "run",
    "show_action",
    "status",
    "validate",
    "write_schema_files",
]


def validate(paths: list[str], *, max_bytes: int = MAX_FILE_BYTES) -> ValidationResult:
    """Validate every program under `paths` (program directories or folders of them)."""
    return validate_paths(paths, max_bytes=max_bytes)


def load_program(program_dir: str) -> Program:
    """One program directory, which must validate without errors."""
    return _load(program_dir).program


def _load(program_dir: str) -> LoadedProgram:
    path = Path(program_dir)
    if not path.is_dir():
        raise UsageError(f"not a program directory: {program_dir}")
    result = validate_paths([program_dir])
    if len(result.programs) != 1:
        raise UsageError(f"expected one program in {program_dir}, found {len(result.programs)}")
    if result.errors:
        raise InvalidProgram([d for d in result.diagnostics if d.severity.value == "error"])
    return result.programs[0]


def write_schema_files(directory: str | Path = "schemas") -> list[Path]:
    return write_schemas(Path(directory))


def check_schemas(directory: str | Path = "schemas") -> list[str]:
    """Schema files under `directory` that are stale or missing."""
    return stale_schemas(Path(directory))


def _source_files(program_dir: str, pattern: str) -> list[Path]:
    files = sorted(p for p in Path(program_dir).glob(pattern) if p.is_file())
    if not files:
        raise UsageError(f"no files match {pattern!r} under {program_dir}")
    return files


def ingest(
    program_dir: str,
    source_id: str,
    files: list[str] | None = None,
    *,
    db: str | None = None,
    max_reject_rate: float = 0.5,
    clock: Clock,
    progress: Callable[[str], None] | None = None,
) -> BatchSummary:
    """Load data files through one of the program's sources as one batch."""
    program = load_program(program_dir)
    source = next((s for s in program.sources if s.id == source_id), None)
    if source is None:
        known = ", ".join(s.id for s in program.sources) or "none"
        raise UsageError(
            f"program {program.program.id} has no source {source_id!r} (sources: {known})"
        )
    paths = [Path(f) for f in files] if files else _source_files(program_dir, source.path)
    for path in paths:
        if not path.is_file():
            raise UsageError(f"no such file: {path}")
    engine = open_store(db)
    try:
        return ingest_files(
            engine,
            program,
            source,
            paths,
            clock=clock,
            max_reject_rate=max_reject_rate,
            progress=progress,
        )
    finally:
        engine.dispose()


def ingest_kpi_values(
    program_dir: str,
    file: str,
    *,
    db: str | None = None,
    max_reject_rate: float = 0.5,
    clock: Clock,
) -> BatchSummary:
    """Load business KPI values per period and segment from a CSV file."""
    program = load_program(program_dir)
    path = Path(file)
    if not path.is_file():
        raise UsageError(f"no such file: {file}")
    engine = open_store(db)
    try:
        return ingest_kpi_values_file(
            engine, program, path, clock=clock, max_reject_rate=max_reject_rate
        )
    finally:
        engine.dispose()


def demo_data(
    program_dir: str, out: str | None = None, *, end: dt.date, months: int = 24, seed: int = 7
) -> DemoFiles:
    """Write synthetic answer files for an example program (default: its `data/` folder)."""
    program = load_program(program_dir)
    return generate(
        program, Path(out) if out else Path(program_dir) / "data", end=end, months=months, seed=seed
    )


def evaluate(
    program_dir: str,
    *,
    as_of: dt.date,
    since: dt.date | None = None,
    db: str | None = None,
    out: str | None = "reports",
    dry_run: bool = False,
    clock: Clock,
) -> Evaluation:
    """Judge every objective for every period up to `as_of`; record the run and write
    reports/<program>/<as-of>.json and .md (nothing is recorded or written with `dry_run`)."""
    loaded = _load(program_dir)
    engine = open_store(db)
    try:
        return evaluate_and_follow_up(
            engine,
            loaded,
            program_dir,
            as_of=as_of,
            since=since,
            out=Path(out) if out else None,
            dry_run=dry_run,
            clock=clock,
        )
    finally:
        engine.dispose()


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
) -> NightlyRun:
    """The nightly run: ingest each source's new files, evaluate, follow up the actions and
    write the report. One run per program at a time; raises RunLocked when another holds it
    past `wait_seconds`."""
    loaded = _load(program_dir)
    engine = open_store(db)
    try:
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
        )
    finally:
        engine.dispose()


def status(program_dir: str, *, db: str | None = None) -> DataStatus:
    """Records per measurement point and rejected rows per source."""
    program = load_program(program_dir)
    engine = open_store(db)
    try:
        return data_status(engine, program)
    finally:
        engine.dispose()


def build_site(
    program_dir: str,
    *,
    db: str | None = None,
    out: str | None = None,
    audience: Audience = Audience.TEAM,
    config: str | None = "mkdocs.yml",
    builder: Builder = Builder.MKDOCS,
    work: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuiltSite:
    """The governance site of one program from its newest run: pages into
    `.cxgov/site/<program>/docs`, the built site into `out` (default `site/<program>`)."""
    # the builders import Jinja2 and the templates; other commands should not pay for that
    from cxgov.site.build import build_site as build
    from cxgov.site.collect import collect
    from cxgov.site.pages import build_pages

    program = load_program(program_dir)
    program_id = program.program.id
    engine = open_store(db)
    try:
        started = time.perf_counter()
        data = collect(
            engine,
            program,
            Path(program_dir),
            with_comments=audience is Audience.TEAM,
            progress=progress,
        )
    finally:
        engine.dispose()
    if progress:
        progress("writing the pages")
    pages = build_pages(program, data, audience, progress=progress)
    return build(
        program,
        pages,
        work=Path(work) if work else Path(".cxgov") / "site" / program_id,
        out=Path(out) if out else Path("site") / program_id,
        user_config=Path(config) if config else None,
        builder=builder,
        generate_seconds=time.perf_counter() - started,
        progress=progress,
    )


def db_upgrade(db: str | None = None, revision: str = "head") -> tuple[str | None, str | None]:
    """Apply migrations; returns the revisions before and after."""
    engine = make_engine(resolve_url(db))
    try:
        before = current_revision(engine)
        try:
            upgrade_store(engine, revision)
        except CommandError as exc:  # the revision is the user's text: a usage error, not a bug
            raise UsageError(f"--revision {revision}: {exc}") from None
        return before, current_revision(engine)
    finally:
        engine.dispose()


@dataclass(frozen=True, slots=True)
class ActionFilter:
    program: str | None = None
    owner: str | None = None
    status: str | None = None
    journey: str | None = None
    overdue_on: dt.date | None = None
    """Only unfinished actions due before this day."""


def list_actions(
    db: str | None = None, where: ActionFilter = ActionFilter()
) -> list[dict[str, Any]]:
    """Actions in the store, oldest first, narrowed by `where`."""
    engine = open_store(db)
    try:
        with engine.connect() as connection:
            rows = ledger.actions(connection, where.program)
    finally:
        engine.dispose()
    active = {s.value for s in ACTIVE}

    def keep(row: dict[str, Any]) -> bool:
        if where.owner and where.owner not in (row["assignee"], row["escalated_to"]):
            return False
        if where.status and row["status"] != where.status:
            return False
        if where.journey and row["journey"] != where.journey:
            return False
        return not (
            where.overdue_on and (row["status"] not in active or row["due"] >= where.overdue_on)
        )

    return [row for row in rows if keep(row)]


def show_action(action_id: int, db: str | None = None) -> dict[str, Any]:
    engine = open_store(db)
    try:
        with engine.connect() as connection:
            return ledger.action(connection, action_id)
    except ledger.ActionNotFound as exc:
        raise ActionError(str(exc)) from exc
    finally:
        engine.dispose()


def change_action(
    action_id: int,
    change: str,
    *,
    actor: str,
    db: str | None = None,
    note: str | None = None,
    owner: str | None = None,
    clock: Clock,
) -> dict[str, Any]:
    """A person's change: a new status (ack, start, resolve, reopen, cancel), a comment or a
    new assignee. Returns the action as it is afterwards."""
    engine = open_store(db)
    try:
        with engine.begin() as connection:
            now = clock()
            if change == "comment":
                ledger.comment(connection, action_id, note or "", actor=actor, now=now)
            elif change == "assign":
                assert owner is not None
                ledger.assign(connection, action_id, owner, actor=actor, now=now)
            else:
                wanted = ActionStatus(change)
                ledger.transition(connection, action_id, wanted, actor=actor, now=now, note=note)
            return ledger.action(connection, action_id)
    except (ledger.ActionNotFound, InvalidTransition) as exc:
        raise ActionError(str(exc)) from exc
    finally:
        engine.dispose()


def digest(
    program_dir: str,
    owner_id: str,
    *,
    as_of: dt.date,
    since: dt.date | None = None,
    db: str | None = None,
) -> str:
    """One owner's digest in Markdown (see cxgov.actions.digest)."""
    program = load_program(program_dir)
    owner = next((o for o in program.owners if o.id == owner_id), None)
    if owner is None:
        known = ", ".join(sorted(o.id for o in program.owners))
        raise UsageError(f"program {program.program.id} has no owner {owner_id!r} ({known})")
    engine = open_store(db)
    try:
        with engine.connect() as connection:
            return render_digest(collect_digest(connection, program, owner, as_of, since))
    finally:
        engine.dispose()


def deliveries(
    db: str | None = None, program: str | None = None, *, retry: bool = False
) -> tuple[int, list[dict[str, Any]]]:
    """Deliveries to sinks that have not got through; with `retry`, rejected ones go back to
    pending first (the next run tries them). Returns how many were reset and the list."""
    engine = open_store(db)
    try:
        with engine.begin() as connection:
            reset = retry_rejected(connection, program) if retry else 0
            return reset, waiting_deliveries(connection, program)
    finally:
        engine.dispose()


def effectiveness(db: str | None = None, program: str | None = None) -> list[dict[str, Any]]:
    """The share of resolved actions verified effective, per owner and per journey."""
    engine = open_store(db)
    try:
        with engine.connect() as connection:
            return ledger.effectiveness(connection, program)
    finally:
        engine.dispose()


# Reviewing program changes
# (imported here rather than at the top so this section stays self-contained)


@dataclass(frozen=True)
class Review:
    """`cxgov diff`: the changes per program, and with a backtest its flips per program."""

    base: str
    head: str
    diffs: list[Any]
    """cxgov.review.compare.ProgramDiff, one per program id on either side."""
    backtests: list[Any]
    """cxgov.review.backtest.Backtest, one per program on both sides (with `backtest`)."""

    @property
    def blocks(self) -> bool:
        return any(d.blocks for d in self.diffs)


def review(
    base: str,
    head: str | None = None,
    *,
    path: str = "programs",
    cwd: str | None = None,
    backtest_periods: int | None = None,
    as_of: dt.date | None = None,
    db: str | None = None,
) -> Review:
    """The semantic diff of the programs from `base` to `head` (git revisions of the repository
    around `cwd`, or folders; `head` None is the working tree). With `backtest_periods`, the
    stored history is judged under both versions for that many latest periods."""
    import tempfile

    from cxgov.review.backtest import backtest
    from cxgov.review.compare import diff_sides, load_side
    from cxgov.review.programs import ProgramErrors

    folder = Path(cwd or ".")
    with tempfile.TemporaryDirectory(prefix="cxgov-diff-") as workdir:
        try:
            old = load_side(base, cwd=folder, path=path, workdir=Path(workdir))
            new = load_side(head, cwd=folder, path=path, workdir=Path(workdir))
        except ProgramErrors as exc:
            raise InvalidProgram(exc.diagnostics) from exc
    diffs = diff_sides(old, new)
    backtests = []
    if backtest_periods is not None:
        if as_of is None:
            raise UsageError("a backtest needs the as-of date")
        engine = open_store(db)
        try:
            with engine.connect() as connection:
                for ident in sorted(old.programs.keys() & new.programs.keys()):
                    backtests.append(
                        backtest(
                            connection,
                            old.programs[ident],
                            new.programs[ident],
                            as_of=as_of,
                            periods=backtest_periods,
                        )
                    )
                connection.rollback()  # read only: nothing the aggregation touched is kept
        finally:
            engine.dispose()
    return Review(old.label, new.label, diffs, backtests)


def codeowners(root: str = ".", path: str = "programs") -> tuple[Path, str, str]:
    """The CODEOWNERS file of the repository at `root`, its text now, and its text with the
    generated entries current."""
    from cxgov.review.codeowners import generate, locate, merged

    folder = Path(root)
    if not (folder / path).is_dir():
        raise UsageError(f"no such folder: {folder / path}")
    target = locate(folder)
    existing = target.read_text(encoding="utf-8") if target.is_file() else ""
    return target, existing, merged(existing, generate(folder, path))


def scaffold(
    directory: str,
    *,
    program_id: str | None = None,
    language: str = "en",
    package: str | None = None,
) -> list[Path]:
    """A new program under `directory` that validates as it is; returns the files written.
    `package` is what the workflows install (default: exactly this cxgov's version)."""
    from cxgov.scaffold import write_scaffold

    return write_scaffold(
        Path(directory), program_id=program_id, language=language, package=package
    )
