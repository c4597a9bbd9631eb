"""Opening the store: the database URL, engine settings per dialect, and migrations on first use."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

DEFAULT_SQLITE_PATH = Path(".cxgov") / "cxgov.db"
URL_ENV = "CXGOV_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 60_000
# Serialises concurrent migrations on PostgreSQL (an arbitrary, fixed advisory-lock key).
_MIGRATION_LOCK = 0x6378_676F_7601


class StoreError(Exception):
    """The store cannot be used (unreachable server, a database newer than this cxgov)."""


def resolve_url(explicit: str | None = None) -> str:
    """`--db`, else CXGOV_DATABASE_URL, else the embedded SQLite file .cxgov/cxgov.db."""
    url = explicit or os.environ.get(URL_ENV)
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _canonical_json(value: Any) -> str:
    # sorted keys: equal segment mappings must serialise to equal text (SQLite compares text)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            json_serializer=_canonical_json,
            # cxgov issues BEGIN itself (below): the driver's implicit transactions would
            # otherwise start too late for a write lock and break atomic batches.
            connect_args={"isolation_level": None, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            # IMMEDIATE takes the write lock up front, so two writers queue on busy_timeout
            # instead of one failing with "database is locked" halfway through.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, json_serializer=_canonical_json, pool_pre_ping=True)


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", "cxgov.store:migrations")
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    script = ScriptDirectory.from_config(_alembic_config_for_scripts())
    head = script.get_current_head()
    assert head is not None
    return head


def _alembic_config_for_scripts() -> Config:
    config = Config()
    config.set_main_option("script_location", "cxgov.store:migrations")
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision`; concurrent callers wait for each other."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK})
            try:
                command.upgrade(_alembic_config(engine), revision)
            finally:
                lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK})
                lock.commit()
        return
    command.upgrade(_alembic_config(engine), revision)


def open_store(url: str | None = None) -> Engine:
    """An engine on an up-to-date store: migrations are applied automatically on first use."""
    engine = make_engine(resolve_url(url))
    try:
        current = current_revision(engine)
    except Exception as exc:  # the driver's own exception types differ per dialect
        raise StoreError(
            f"cannot open the store at {engine.url.render_as_string()}: {exc}"
        ) from exc
    head = head_revision()
    if current != head:
        script = ScriptDirectory.from_config(_alembic_config_for_scripts())
        if current is not None and script.get_revision(current) is None:
            raise StoreError(
                f"the store is at migration {current}, which this cxgov does not know: "
                "it was written by a newer cxgov"
            )
        upgrade(engine)
    return engine
