"""The one engine-specific piece of a table source's SQL: an answer's local day.

`LocalDay` is an expression SQLAlchemy compiles with each dialect's own time-zone and date
functions (a `@compiles` hook per dialect); every other part of the pushed query is plain
SQL that all supported engines share. Adding an engine is one entry in `_FORMS`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Date, literal
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class UnsupportedEngine(CompileError):
    """An engine whose dialect has no local-day form: a table source cannot run on it."""


class LocalDay(FunctionElement[Any]):
    """The calendar day, in the program's zone, of a timestamp column.

    `source_zone` is the zone a column without a time zone is written in; None for a column
    holding instants (a TIMESTAMP WITH TIME ZONE, BigQuery's TIMESTAMP)."""

    type = Date()
    name = "local_day"
    inherit_cache = False  # the zones are attributes, not bound parameters the cache sees

    def __init__(
        self, timestamp: ColumnElement[Any], source_zone: str | None, program_zone: str
    ) -> None:
        super().__init__(timestamp)
        self.timestamp = timestamp
        self.source_zone = source_zone
        self.program_zone = program_zone

    @property
    def same_zone(self) -> bool:
        return self.source_zone == self.program_zone


Form = Callable[[LocalDay, Callable[[Any], str]], str]
"""A dialect's SQL for a local day, given the element and a function rendering a value."""


def _at_time_zone(element: LocalDay, sql: Callable[[Any], str]) -> str:
    # PostgreSQL and DuckDB: a zone-less value AT TIME ZONE s is the instant of that wall
    # time in s; an instant AT TIME ZONE p is its wall time in p
    ts = sql(element.timestamp)
    if element.source_zone is None:
        return f"CAST(({ts} AT TIME ZONE {sql(literal(element.program_zone))}) AS DATE)"
    if element.same_zone:
        return f"CAST({ts} AS DATE)"
    source, program = sql(literal(element.source_zone)), sql(literal(element.program_zone))
    return f"CAST((({ts} AT TIME ZONE {source}) AT TIME ZONE {program}) AS DATE)"


def _bigquery(element: LocalDay, sql: Callable[[Any], str]) -> str:
    # TIMESTAMP is an instant, DATETIME a wall time; DATE(timestamp, zone) is its local day
    ts, program = sql(element.timestamp), sql(literal(element.program_zone))
    if element.source_zone is None:
        return f"DATE({ts}, {program})"
    if element.same_zone:
        return f"DATE({ts})"
    return f"DATE(TIMESTAMP({ts}, {sql(literal(element.source_zone))}), {program})"


def _snowflake(element: LocalDay, sql: Callable[[Any], str]) -> str:
    ts, program = sql(element.timestamp), sql(literal(element.program_zone))
    if element.source_zone is None:
        return f"CAST(CONVERT_TIMEZONE({program}, {ts}) AS DATE)"
    if element.same_zone:
        return f"CAST({ts} AS DATE)"
    source = sql(literal(element.source_zone))
    return f"CAST(CONVERT_TIMEZONE({source}, {program}, {ts}) AS DATE)"


def _spark(element: LocalDay, sql: Callable[[Any], str]) -> str:
    # Spark SQL (Databricks, the Thrift server): a TIMESTAMP is shown in the session's zone,
    # UTC on Databricks SQL warehouses; from_utc_timestamp gives its wall time elsewhere
    ts, program = sql(element.timestamp), sql(literal(element.program_zone))
    if element.source_zone is None:
        return f"to_date(from_utc_timestamp({ts}, {program}))"
    if element.same_zone:
        return f"to_date({ts})"
    source = sql(literal(element.source_zone))
    return f"to_date(from_utc_timestamp(to_utc_timestamp({ts}, {source}), {program}))"


_FORMS: dict[str, Form] = {
    "postgresql": _at_time_zone,
    "duckdb": _at_time_zone,
    "bigquery": _bigquery,
    "snowflake": _snowflake,
    "databricks": _spark,
}
"""Dialect name → its local-day SQL: the engines a table source runs on."""

SUPPORTED_ENGINES = tuple(sorted(_FORMS))


@compiles(LocalDay)
def _compile(element: LocalDay, compiler: SQLCompiler, **kw: Any) -> str:
    form = _FORMS.get(compiler.dialect.name)
    if form is None:
        raise UnsupportedEngine(
            f"a table source cannot run on {compiler.dialect.name!r}: cxgov computes local "
            f"days on {', '.join(SUPPORTED_ENGINES)}"
        )
    return form(element, lambda value: compiler.process(value, **kw))
