"""Alembic environment, for cxgov's own upgrades and for the stock `alembic` command.

cxgov passes its engine (or a connection) in `config.attributes` and holds the migration lock
itself. Run as `alembic -c <this folder>/alembic.ini ...` nothing is passed in: the database
is `-x db=URL`, else CXGOV_DATABASE_URL, else the ini's `sqlalchemy.url`, else the embedded
SQLite file .cxgov/cxgov.db, the same order as cxgov's `--db`.
"""

from __future__ import annotations

import logging.config

from alembic import context
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, text

from cxgov.errors import DatabaseUrlError
from cxgov.store.engine import (
    COMPARE_OPTIONS,
    MIGRATION_LOCK,
    checked_url,
    make_engine,
    resolve_url,
)
from cxgov.store.tables import Base

config = context.config


def _url() -> str:
    given = context.get_x_argument(as_dictionary=True).get("db")
    return resolve_url(given or None, configured=config.get_main_option("sqlalchemy.url"))


def _migrate(connection: Connection, *, lock: bool) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        **COMPARE_OPTIONS,
    )
    with context.begin_transaction():
        if lock and connection.dialect.name == "postgresql":
            # the lock cxgov's own upgrade holds, so a stock `alembic upgrade` and a cxgov
            # command migrating on first use never run the same migration at once; it is
            # held until this transaction ends
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


def _run_with_engine(engine: Engine, *, lock: bool) -> None:
    with engine.connect() as connection:
        _migrate(connection, lock=lock)
        connection.commit()


def _run_offline() -> None:
    """`alembic upgrade --sql`: print the migrations' SQL for the URL's dialect, run nothing."""
    url = _url()
    context.configure(
        url=url,
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=checked_url(url).get_backend_name() == "sqlite",
        **COMPARE_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_stock() -> None:
    """Run by the stock `alembic` command: the URL from its arguments, environment or ini."""
    if config.config_file_name is not None and config.file_config.has_section("loggers"):
        # the stock command's progress lines (`Running upgrade ...`) come through logging
        logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)
    try:
        if context.is_offline_mode():
            _run_offline()
            return
        engine = make_engine(_url())
    except DatabaseUrlError as exc:
        # the stock command prints a CommandError as one `FAILED:` line, not a traceback
        raise CommandError(str(exc)) from exc
    try:
        _run_with_engine(engine, lock=True)
    finally:
        engine.dispose()


_connection = config.attributes.get("connection")
_engine = config.attributes.get("engine")
if isinstance(_connection, Connection):
    # the caller's connection and transaction: the caller commits
    _migrate(_connection, lock=False)
elif isinstance(_engine, Engine):
    _run_with_engine(_engine, lock=False)
else:
    _run_stock()
