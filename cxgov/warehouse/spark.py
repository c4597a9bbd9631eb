"""Spark SQL (Apache Spark's Thrift server through PyHive's `hive` dialect, and Databricks SQL
through `databricks`): an answer's period, bucketed by Spark's own date functions in the
program's time zone.

A Spark TIMESTAMP is an instant shown in the session's time zone, which a server, a cluster or a
Databricks warehouse may set to anything. `to_utc_timestamp(t, current_timezone())` turns it into
the UTC wall time whatever that zone is, `from_utc_timestamp(…, zone)` into the wall time in the
program's zone, and `to_date` into its local day; `trunc` then gives the first day of the week
(Monday), month, quarter or year holding it, the same calendar periods as
`cxgov.judgement.periods`. A column of TIMESTAMP_NTZ holding UTC wall times reads the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, Date, Dialect, Integer, TypeDecorator
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal

from cxgov.model.measurement import CalendarPeriod

SPARK_DIALECTS = ("hive", "databricks")
"""The SQLAlchemy dialect names that speak Spark SQL."""

_TRUNC_UNIT = {
    CalendarPeriod.WEEK: "WEEK",
    CalendarPeriod.MONTH: "MONTH",
    CalendarPeriod.QUARTER: "QUARTER",
    CalendarPeriod.YEAR: "YEAR",
}


def _string(text: str) -> str:
    """A Spark SQL string literal. Zone names are IANA names (letters, digits, `/_+-`), checked
    by the program's model; escaping anyway costs nothing."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def local_date_sql(column: str, zone: str) -> str:
    """Spark SQL for the day, in `zone`, of the instant in `column`."""
    utc = f"to_utc_timestamp({column}, current_timezone())"
    return f"to_date(from_utc_timestamp({utc}, {_string(zone)}))"


def period_start_sql(column: str, calendar: CalendarPeriod, zone: str) -> str:
    """Spark SQL for the first day of the calendar period holding the instant in `column`."""
    return f"trunc({local_date_sql(column, zone)}, {_string(_TRUNC_UNIT[calendar])})"


def rolling_index_sql(column: str, days: int, as_of: dt.date, zone: str) -> str:
    """Spark SQL for how many whole `days`-day windows before the one ending on `as_of` the
    instant in `column` falls: 0 for the window ending on `as_of`, as in
    `cxgov.judgement.periods.period_containing` (`floor` of a negative difference is negative,
    so answers after `as_of` get -1)."""
    return (
        f"CAST(floor(datediff(DATE {_string(as_of.isoformat())}, "
        f"{local_date_sql(column, zone)}) / {int(days)}) AS INT)"
    )


class SparkDate(TypeDecorator[dt.date]):
    """A DATE as Python reads it: PyHive hands Spark's DATE values over as ISO text."""

    impl = Date
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.date | None:
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
        if isinstance(value, dt.datetime):
            return value.date()
        return value  # type: ignore[no-any-return]


class SparkPeriodStart(FunctionElement[dt.date]):
    """The first local day of the calendar period holding a timestamp column, on Spark."""

    type = SparkDate()
    # the period and the zone are part of the SQL, so they are part of the statement cache key
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        *FunctionElement._traverse_internals,
        ("calendar", InternalTraversal.dp_plain_obj),
        ("zone", InternalTraversal.dp_string),
    ]
    inherit_cache = True

    def __init__(self, column: ColumnElement[Any], calendar: CalendarPeriod, zone: str) -> None:
        self.calendar = calendar
        self.zone = zone
        super().__init__(column)


class SparkRollingIndex(FunctionElement[int]):
    """The index, counted back from `as_of`, of the rolling window holding a timestamp."""

    type = Integer()
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        *FunctionElement._traverse_internals,
        ("days", InternalTraversal.dp_plain_obj),
        ("as_of", InternalTraversal.dp_plain_obj),
        ("zone", InternalTraversal.dp_string),
    ]
    inherit_cache = True

    def __init__(self, column: ColumnElement[Any], days: int, as_of: dt.date, zone: str) -> None:
        self.days = days
        self.as_of = as_of
        self.zone = zone
        super().__init__(column)


def _only_argument(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return compiler.process(column, **kw)


def _compile_period_start(element: SparkPeriodStart, compiler: SQLCompiler, **kw: Any) -> str:
    return period_start_sql(_only_argument(element, compiler, **kw), element.calendar, element.zone)


def _compile_rolling_index(element: SparkRollingIndex, compiler: SQLCompiler, **kw: Any) -> str:
    column = _only_argument(element, compiler, **kw)
    return rolling_index_sql(column, element.days, element.as_of, element.zone)


for _dialect in SPARK_DIALECTS:
    compiles(SparkPeriodStart, _dialect)(_compile_period_start)
    compiles(SparkRollingIndex, _dialect)(_compile_rolling_index)
