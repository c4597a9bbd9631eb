"""A DuckDB file as a table source: duckdb-engine's dialect, opened read-only with a memory
limit, and without the two extra in-memory DuckDB databases that dialect opens in every
process (one to list DuckDB's reserved words, one to list its settings): each is a database
instance of its own and about 50 ms of every run, a quarter of counting a million answers.
The reserved words come from the file's own database instead, on the first connection.

Loaded only for `duckdb://` URLs: `table_source.source_engine` registers it with SQLAlchemy
as `duckdb+cxgov_files`, by module name, so the `duckdb` extra stays optional.
"""

from __future__ import annotations

from typing import Any

import duckdb
from duckdb_engine import ConnectionWrapper, Dialect, DuckDBIdentifierPreparer
from sqlalchemy.dialects.postgresql.base import PGIdentifierPreparer
from sqlalchemy.engine import Connection

LIMITS = {"memory_limit": "32MB"}
"""DuckDB's documented settings for a table source's connection, unless the URL sets them
(`?memory_limit=1GB`). DuckDB keeps the blocks of the file it has read in its buffer pool, up
to 80 % of the machine's memory by default, inside cxgov's own process: the pool grew with
the table (from 174 MB of the process on 1M answers to 241 MB on 10M). The counts hold only
day cells, so a small limit bounds the pool (the file is read-only: read blocks are dropped,
not written) and leaves the process flat; a count whose hash tables outgrow it spills to
DuckDB's temporary directory (`<file>.tmp`) rather than failing."""


class _Preparer(DuckDBIdentifierPreparer):
    def __init__(self, dialect: Any, **kwargs: Any) -> None:
        # duckdb-engine's asks a fresh in-memory database; `FileDialect.initialize` asks the file
        PGIdentifierPreparer.__init__(self, dialect, **kwargs)
        self.reserved_words = set(self.reserved_words)


class FileDialect(Dialect):
    """duckdb-engine's dialect (name `duckdb`, so the local-day forms apply unchanged)."""

    preparer = _Preparer
    supports_statement_cache = False  # as duckdb-engine's own (it says so itself)

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        config = {**LIMITS, **dict(cparams.pop("config", {})), **cparams.pop("url_config", {})}
        return ConnectionWrapper(duckdb.connect(*cargs, **{**cparams, "config": config}))

    def initialize(self, connection: Connection) -> None:
        super().initialize(connection)
        rows = connection.exec_driver_sql(
            "SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category = 'reserved'"
        )
        self.identifier_preparer.reserved_words.update(str(row[0]) for row in rows)
