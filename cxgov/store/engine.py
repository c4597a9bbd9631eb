"""Opening the store: the database URL, engine settings per dialect, and migrations on first use."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from cxgov.errors import DatabaseUrlError, StoreError

DEFAULT_SQLITE_PATH = Path(".cxgov") / "cxgov.db"
URL_ENV = "CXGOV_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 60_000
# Serialises concurrent migrations on PostgreSQL (an arbitrary, fixed advisory-lock key).
MIGRATION_LOCK = 0x6378_676F_7601
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
"""The SQLAlchemy backends the store's SQL is written for; any other is refused up front."""
_URL_FORMS = "sqlite:///PATH or postgresql://USER@HOST/DATABASE"
# What `alembic check` (env.py) and the schema-drift test compare between the tables and
# the migrated database. The store declares no server defaults, so comparing them flags one
# added to a model without a migration.
COMPARE_OPTIONS: dict[str, Any] = {"compare_type": True, "compare_server_default": True}


def resolve_url(explicit: str | None = None, *, configured: str | None = None) -> str:
    """`--db`, else CXGOV_DATABASE_URL, else `configured` (a URL from a configuration file,
    such as alembic.ini's `sqlalchemy.url`), else the embedded SQLite file .cxgov/cxgov.db."""
    url = explicit or os.environ.get(URL_ENV) or configured
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _canonical_json(value: Any) -> str:
    # sorted keys: equal segment mappings must serialise to equal text (SQLite compares text)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def checked_url(url: str) -> URL:
    """The parsed URL of a database the store runs on, or a DatabaseUrlError."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        # not echoed: an unreadable URL cannot be shown with its password hidden
        raise DatabaseUrlError(
            f"cannot read the database URL (not shown: it may hold a password); "
            f"expected {_URL_FORMS}"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise DatabaseUrlError(
            f"unsupported database {backend!r} ({parsed.render_as_string()}): "
            f"cxgov's store runs on SQLite and PostgreSQL ({_URL_FORMS})"
        )
    return parsed


StoreDialect = Literal["sqlite", "postgresql"]


def store_dialect(bind: Engine | Connection) -> StoreDialect:
    """The dialect of an engine or connection, for code with one branch per store dialect.

    make_engine refuses every other database already; this keeps an engine made some other
    way from running one dialect's SQL (SQLite's PRAGMAs) on a third.
    """
    name = bind.dialect.name
    if name == "sqlite":
        return "sqlite"
    if name == "postgresql":
        return "postgresql"
    raise DatabaseUrlError(
        f"unsupported database {name!r}: cxgov's store runs on SQLite and PostgreSQL"
    )


def make_engine(url: str) -> Engine:
    """An engine for `url`; refuses other databases and missing drivers before connecting."""
    parsed = checked_url(url)
    try:
        return _create_engine(url, parsed)
    except (NoSuchModuleError, ImportError) as exc:
        # a driver named in the URL (postgresql+psycopg2://...) that is not installed;
        # postgresql:// itself uses psycopg 3, which cxgov depends on
        raise DatabaseUrlError(
            f"the database driver {parsed.get_driver_name()!r} of "
            f"{parsed.render_as_string()} is not available ({exc}); "
            f"give {_URL_FORMS}"
        ) from exc


def _create_private(path: Path) -> None:
    """Create a new SQLite store readable by its owner only: it holds comments and
    pseudonymous customer keys. SQLite gives its journal files the database's permissions."""
    # an existing store keeps the permissions its owner gave it
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _create_engine(url: str, parsed: URL) -> Engine:
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            _create_private(Path(database))
        engine = create_engine(
            url,
            json_serializer=_canonical_json,
            # a failed statement's parameters are customer keys and comments: never in an error
            hide_parameters=True,
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
    return create_engine(
        url, json_serializer=_canonical_json, hide_parameters=True, pool_pre_ping=True
    )


def _alembic_config(engine: Engine) -> Config:
    config = _alembic_config_for_scripts()
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
    """The store's migration (None for an empty database); StoreError when unreachable."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except Exception as exc:  # the driver's own exception types differ per dialect
        raise StoreError(
            f"cannot open the store at {engine.url.render_as_string()}: {exc}"
        ) from exc


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision`; concurrent callers wait for each other."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                command.upgrade(_alembic_config(engine), revision)
            finally:
                lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                lock.commit()
        return
    command.upgrade(_alembic_config(engine), revision)


def bring_up_to_date(engine: Engine) -> None:
    """Migrate the store to the newest schema (on first use, or after cxgov was upgraded);
    StoreError when it was written by a newer cxgov."""
    current = current_revision(engine)
    head = head_revision()
    if current != head:
        script = ScriptDirectory.from_config(_alembic_config_for_scripts())
        if current is not None and script.get_revision(current) is None:
            raise StoreError(
                f"the store is at migration {current}, which this cxgov does not know: "
                "it was written by a newer cxgov"
            )
        upgrade(engine)


def open_store(url: str | None = None) -> Engine:
    """An engine on an up-to-date store: migrations are applied automatically on first use.
    The caller disposes of it (the api does so in `cxgov.api._store.opened_store`)."""
    engine = make_engine(resolve_url(url))
    try:
        bring_up_to_date(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine
