"""Data in the store: ingesting answers and business KPI values, its status, its schema, and
synthetic answers for the examples."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic.util import CommandError

from cxgov.api._program import load_program
from cxgov.api._store import opened_store
from cxgov.clock import Clock
from cxgov.demo import DemoFiles, generate
from cxgov.errors import UsageError
from cxgov.ingest.batch import BatchSummary, ingest_files
from cxgov.ingest.kpi_values import ingest_kpi_values_file
from cxgov.ingest.readers import source_files
from cxgov.ingest.rejections import REJECTIONS
from cxgov.model import Program, Source
from cxgov.program_files.fields import did_you_mean
from cxgov.store.batches import StoredRejection, rejected_rows
from cxgov.store.engine import current_revision
from cxgov.store.engine import upgrade as upgrade_store
from cxgov.store.pseudonym_key import accept_new_key as accept_key
from cxgov.store.status import DataStatus, data_status

__all__ = [
    "SchemaUpgrade",
    "accept_new_key",
    "db_upgrade",
    "demo_data",
    "ingest",
    "ingest_kpi_values",
    "rejected",
    "rejection_hint",
    "status",
]


def _source_files(program_dir: str, pattern: str) -> list[Path]:
    files = source_files(Path(program_dir), pattern)
    if not files:
        raise UsageError(f"no files match {pattern!r} under {program_dir}")
    return files


def _source(program: Program, source_id: str) -> Source:
    found = next((s for s in program.sources if s.id == source_id), None)
    if found is None:
        known = ", ".join(s.id for s in program.sources) or "none"
        raise UsageError(
            f"program {program.program.id} has no source {source_id!r} (sources: {known})"
        )
    return found


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
    source = _source(program, source_id)
    if source.is_table:
        raise UsageError(
            f"source {source_id!r} is a table source: its answers stay in its table and "
            "`cxgov evaluate` or `cxgov run` counts them there (nothing to ingest)"
        )
    paths = [Path(f) for f in files] if files else _source_files(program_dir, source.path)
    for path in paths:
        if not path.is_file():
            raise UsageError(f"no such file: {path}")
    with opened_store(db) as engine:
        return ingest_files(
            engine,
            program,
            source,
            paths,
            clock=clock,
            max_reject_rate=max_reject_rate,
            progress=progress,
        )


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
    with opened_store(db) as engine:
        return ingest_kpi_values_file(
            engine, program, path, clock=clock, max_reject_rate=max_reject_rate
        )


def status(program_dir: str, *, db: str | None = None) -> DataStatus:
    """Records per measurement point and rejected rows per source."""
    program = load_program(program_dir)
    with opened_store(db) as engine:
        return data_status(engine, program)


def rejected(
    program_dir: str,
    *,
    db: str | None = None,
    source: str | None = None,
    batch: int | None = None,
    reason: str | None = None,
    limit: int | None = None,
) -> list[StoredRejection]:
    """The program's rejected rows, with every reason; `reason` is a name (`bad_timestamp`)
    or an R code (`R012`)."""
    program = load_program(program_dir)
    if source is not None:
        _source(program, source)
    if reason is not None:
        names = {r.name for r in REJECTIONS.values()} | set(REJECTIONS)
        if reason not in names:
            hint = did_you_mean(reason, sorted(names), ignore_case=True)
            raise UsageError(
                f"--reason {reason!r} is no rejection reason"
                + (f"; {hint}" if hint else " (docs/rejections.md lists them)")
            )
    with opened_store(db) as engine, engine.connect() as connection:
        return rejected_rows(
            connection, program.program.id, source=source, batch=batch, reason=reason, limit=limit
        )


def rejection_hint(code: str) -> str:
    """How to fix a rejection, by its R code ("" for a code no longer known)."""
    found = REJECTIONS.get(code)
    return found.hint if found else ""


@dataclass(frozen=True, slots=True)
class SchemaUpgrade:
    """The store's migration before and after an upgrade (None: an empty database)."""

    before: str | None
    after: str | None


def db_upgrade(db: str | None = None, revision: str = "head") -> SchemaUpgrade:
    """Apply migrations up to `revision`, keeping every row."""
    with opened_store(db, migrate=False) as engine:
        before = current_revision(engine)
        try:
            upgrade_store(engine, revision)
        except CommandError as exc:  # the revision is the user's text: a usage error, not a bug
            raise UsageError(f"--revision {revision}: {exc}") from None
        return SchemaUpgrade(before, current_revision(engine))


def accept_new_key(db: str | None = None) -> str | None:
    """Make the pseudonymisation key now in use (CXGOV_PSEUDONYM_KEY, else a SQLite store's key
    file) the store's key; where it came from, or None when it was the store's key already."""
    with opened_store(db) as engine, engine.begin() as connection:
        return accept_key(connection)


def demo_data(
    program_dir: str, out: str | None = None, *, end: dt.date, months: int = 24, seed: int = 7
) -> DemoFiles:
    """Write synthetic answer files for an example program (default: its `data/` folder)."""
    program = load_program(program_dir)
    return generate(
        program, Path(out) if out else Path(program_dir) / "data", end=end, months=months, seed=seed
    )
