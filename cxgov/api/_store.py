"""The one place the api opens the store and lets go of it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from cxgov.store.engine import bring_up_to_date, make_engine, resolve_url


@contextmanager
def opened_store(db: str | None, *, migrate: bool = True) -> Iterator[Engine]:
    """The store at `db` (else CXGOV_DATABASE_URL, else the embedded SQLite file) for the
    block, migrated to the newest schema first unless `migrate` is False; its connections
    are closed afterwards, also when opening or migrating failed."""
    engine = make_engine(resolve_url(db))
    try:
        if migrate:
            bring_up_to_date(engine)
        yield engine
    finally:
        engine.dispose()
