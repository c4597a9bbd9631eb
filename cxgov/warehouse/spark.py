"""Spark SQL: Apache Spark's Thrift server (PyHive's `hive://` dialect) and Databricks SQL
(`databricks://`), which share Spark's date functions and its two kinds of timestamp.

A Spark TIMESTAMP is an instant, shown in the session's time zone, which a server, a cluster or
a Databricks warehouse may set to anything; a TIMESTAMP_NTZ is a wall time. The local day of an
instant is therefore taken from its UTC wall time, `to_utc_timestamp(t, current_timezone())`,
whatever the session's zone; `from_utc_timestamp(…, zone)` moves that wall time into the
program's zone and `to_date` keeps its day.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import Connection, literal, text
from sqlalchemy.exc import DBAPIError

SPARK_DIALECTS = ("databricks", "hive")
"""The SQLAlchemy dialect names that speak Spark SQL."""

_WALL_TIMES = ("timestamp_ntz",)
"""Spark's zone-less timestamp type; its TIMESTAMP (`timestamp_ltz`) holds instants."""


class LocalDayElement(Protocol):
    """What a local-day form reads of `cxgov.warehouse.dialects.LocalDay`."""

    timestamp: Any
    source_zone: str | None
    program_zone: str

    @property
    def same_zone(self) -> bool: ...


def local_day(element: LocalDayElement, sql: Callable[[Any], str]) -> str:
    """Spark SQL for the day, in the program's zone, of a timestamp column: an instant
    (`source_zone` None) or a wall time in `source_zone`."""
    ts, program = sql(element.timestamp), sql(literal(element.program_zone))
    if element.source_zone is None:
        utc = f"to_utc_timestamp({ts}, current_timezone())"
        return f"to_date(from_utc_timestamp({utc}, {program}))"
    # a wall time read in the session's zone is the same wall time whatever that zone is
    if element.same_zone:
        return f"to_date({ts})"
    source = sql(literal(element.source_zone))
    return f"to_date(from_utc_timestamp(to_utc_timestamp({ts}, {source}), {program}))"


def describe(connection: Connection, schema: str | None, name: str) -> dict[str, bool]:
    """Column name → whether it holds instants, from Spark's own DESCRIBE: PyHive's reflection
    reads a TIMESTAMP as a type without a time zone, and knows no TIMESTAMP_NTZ."""
    quote = connection.dialect.identifier_preparer.quote
    table = ".".join(quote(part) for part in (schema, name) if part)
    try:
        rows = connection.execute(text(f"DESCRIBE TABLE {table}")).all()
    except DBAPIError as exc:
        if "TABLE_OR_VIEW_NOT_FOUND" in str(exc):
            return {}
        raise
    found: dict[str, bool] = {}
    for row in rows:
        column, kind = str(row[0] or "").strip(), str(row[1] or "").strip().lower()
        if not column or column.startswith("#"):
            break  # the partition and detail sections that follow repeat or describe columns
        found[column] = kind.startswith("timestamp") and kind not in _WALL_TIMES
    return found
