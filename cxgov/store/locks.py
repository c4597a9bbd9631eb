"""One nightly run per program at a time, on either database.

The lock must vanish with its holder, or a run killed with `kill -9` would block every night
after it. PostgreSQL's session advisory locks do that; for SQLite, whose store is a local
file, an fcntl lock on a file beside the database does the same (the kernel drops it when the
process dies).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from cxgov.errors import RunLocked
from cxgov.store.engine import store_dialect


def _key(program: str) -> int:
    # Advisory locks take a signed 64-bit key; a hash keeps programs apart.
    return int.from_bytes(
        hashlib.sha256(f"cxgov-run:{program}".encode()).digest()[:8], "big", signed=True
    )


@contextmanager
def run_lock(engine: Engine, program: str, *, wait_seconds: float = 0.0) -> Iterator[None]:
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
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
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
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)
