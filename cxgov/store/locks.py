"""One nightly run per program at a time, on either database.

The lock must vanish with its holder, or a run killed with `kill -9` would block every night
after it. PostgreSQL's session advisory locks do that; for SQLite, whose store is a local
file, an fcntl lock on a file beside the database does the same (the kernel drops it when the
process dies).

A lock can also vanish while its holder lives: PostgreSQL drops a session lock with the
session, when the server ends the connection (a restart, `pg_terminate_backend`, a network
cut). The holder cannot be told, so it asks (`RunLock.check`) before each stage that writes or
sends, and stops rather than work alongside the next run.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from cxgov.errors import RunLocked, RunLockLost
from cxgov.store.engine import store_dialect


def _key(program: str) -> int:
    # Advisory locks take a signed 64-bit key; a hash keeps programs apart.
    return int.from_bytes(
        hashlib.sha256(f"cxgov-run:{program}".encode()).digest()[:8], "big", signed=True
    )


class RunLock:
    """The program's run lock while it is held: `check` says whether it still is."""

    def __init__(self, program: str, held: Callable[[], bool]) -> None:
        self.program = program
        self._held = held

    def check(self, stage: str) -> None:
        """Raise RunLockLost unless the lock is still held; `stage` is what would run next."""
        if not self._held():
            raise RunLockLost(
                f"the run lock of program {self.program!r} was lost (the database ended the "
                f"connection that held it); stopped before the {stage} stage so that no two "
                "runs work at once; run again"
            )


def _advisory_held(connection: Connection, key: int) -> bool:
    # pg_locks shows a bigint advisory key as two 32-bit halves (classid, objid), objsubid 1
    unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
    try:
        found = connection.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND pid = pg_backend_pid() AND classid::bigint = :high "
                "AND objid::bigint = :low AND objsubid = 1"
            ),
            {"high": unsigned >> 32, "low": unsigned & 0xFFFF_FFFF},
        ).scalar_one()
        connection.rollback()
    except DBAPIError:
        with contextlib.suppress(SQLAlchemyError):
            connection.rollback()
        return False  # the session, and the lock with it, is gone
    return bool(found)


@contextmanager
def run_lock(engine: Engine, program: str, *, wait_seconds: float = 0.0) -> Iterator[RunLock]:
    """Hold the program's run lock for the block; wait up to `wait_seconds` for it."""
    deadline = time.monotonic() + wait_seconds
    if store_dialect(engine) == "postgresql":
        with engine.connect() as connection:
            key = _key(program)
            while not connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": key}
            ).scalar_one():
                connection.rollback()
                if time.monotonic() >= deadline:
                    raise RunLocked(f"another cxgov run of program {program!r} is in progress")
                time.sleep(0.2)
            connection.commit()
            try:
                yield RunLock(program, lambda: _advisory_held(connection, key))
            finally:
                try:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()
                except SQLAlchemyError:
                    pass  # the connection is gone, and the session's locks went with it
        return
    database = engine.url.database
    folder = Path(database).resolve().parent if database else Path.cwd()
    path = folder / f".cxgov-run-{program}.lock"
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RunLocked(
                        f"another cxgov run of program {program!r} is in progress "
                        f"(lock file {path})"
                    ) from None
                time.sleep(0.2)

        def held() -> bool:
            # the kernel keeps the lock while the process lives; it guards nothing once the
            # file is removed or replaced, since the next run would lock a new file
            try:
                return os.stat(path).st_ino == os.fstat(descriptor).st_ino
            except FileNotFoundError:
                return False

        try:
            yield RunLock(program, held)
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
