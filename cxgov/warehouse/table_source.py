"""Counting a program's table sources on their own engines.

For each table source the run opens the engine named by the source's `url_env`, learns each
point's first day (once; later runs keep it in the store), asks which periods received rows
since the last run (with `columns.updated_at`), and counts the periods that need it in one
pushed-down statement per source (`counts.count_statement`). Complete periods are rolled up
in cxgov's own store, as the store's answers are, so later runs do not ask for them again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    MetaData,
    Table,
    create_engine,
    delete,
    func,
    insert,
    inspect,
    null,
    select,
    text,
)
from sqlalchemy.dialects import registry
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, NoSuchTableError, SQLAlchemyError
from sqlalchemy.types import NullType

from cxgov.errors import StoreError
from cxgov.judgement.cells import Cell
from cxgov.judgement.periods import Period, period_containing, periods, window_key
from cxgov.model import KpiType, MeasurementPoint, Program, Source, Statistic
from cxgov.model.sources import TABLE_ENGINES
from cxgov.stats import Counts
from cxgov.store import rollups
from cxgov.store.counting import day_of
from cxgov.store.tables import TABLE_SOURCE_STATE
from cxgov.warehouse import spark
from cxgov.warehouse.answers import Window, answers, served_points
from cxgov.warehouse.counts import (
    Branch,
    WindowCells,
    bounds_statement,
    count_statement,
    read_rows,
    shift_statement,
    touched_statement,
)


class TableSourceError(StoreError):
    """A table source's engine cannot be reached or read: which source, and why."""


@dataclass
class TableCounts:
    """What the table sources contribute to an evaluation."""

    counts: dict[Cell, Counts] = field(default_factory=dict)
    first_data: dict[str, dt.date] = field(default_factory=dict)
    series: dict[str, list[Period]] = field(default_factory=dict)
    rollup_groups: set[str] = field(default_factory=set)
    """Group keys of the rollups written for table sources (kept when other groups go)."""


def table_points(program: Program) -> dict[str, Source]:
    """Measurement point → the table source that holds its answers."""
    return {p: s for s in program.sources if s.is_table for p in sorted(served_points(s))}


def _url(source: Source) -> URL:
    """The table source's database URL, from its `url_env` variable."""
    assert source.url_env is not None
    url = os.environ.get(source.url_env)
    if not url:
        raise TableSourceError(
            f"source '{source.id}': the environment variable {source.url_env} holding its "
            "database URL is not set"
        )
    try:
        return make_url(url)
    except ArgumentError:
        raise TableSourceError(
            f"source '{source.id}': cannot read the database URL in {source.url_env} "
            "(not shown: it may hold a password)"
        ) from None


def source_engine(source: Source) -> Engine:
    """An engine on the table source's database, from the URL in its `url_env` variable."""
    url = _url(source)
    backend = url.get_backend_name()
    if backend not in TABLE_ENGINES:
        raise TableSourceError(
            f"source '{source.id}': a table source cannot run on {backend!r} "
            f"(it runs on {', '.join(TABLE_ENGINES)}; see docs/warehouse.md)"
        )
    options: dict[str, Any] = {}
    target = url
    if backend == "duckdb":
        # a table source only reads: a DuckDB file opened read-only is neither locked against
        # other readers nor checkpointed on close (see duckdb_files for the dialect)
        registry.register("duckdb.cxgov_files", "cxgov.warehouse.duckdb_files", "FileDialect")
        target = url.set(drivername="duckdb+cxgov_files")
        options = {"connect_args": {"read_only": True}}
    try:
        engine = create_engine(target, hide_parameters=True, **options)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise TableSourceError(
            f"source '{source.id}': cannot use the database URL in {source.url_env} "
            f"(not shown: it may hold a password): {exc}; see docs/warehouse.md for the "
            "URLs and the extras that install their drivers"
        ) from None
    return engine


DUCKDB_PER_CUSTOMER: tuple[dict[str, str], ...] = (
    {"memory_limit": "32MB", "threads": "1"},
    {"memory_limit": "64MB", "threads": "2"},
    {"memory_limit": "256MB", "threads": "2"},
)
"""DuckDB settings for the statements that group by customer or response (survey fatigue, the
drivers' respondents), tried in turn while DuckDB runs out of memory (`per_customer`); each
setting applies unless the URL sets it. Their hash tables hold an entry per customer, not per
day cell, and DuckDB keeps the blocks it has read up to its limit, inside cxgov's process.
Measured on tables of one answer per respondent (a process with the test's imports): a
million respondents complete at the first (187 MB), which at two threads failed from about
600,000; three million at the second (214 MB); six million only at the third (407 MB). A
10M-answer table of 50,000 customers completes at the first, the process at 186 MB, where
64MB from the start made it 219 MB. Each setting that runs out costs its attempt's time; a
URL's `?memory_limit=` skips them."""

T = TypeVar("T")


class _OutOfMemory(TableSourceError):
    """The engine ran out of the memory its settings allow (DuckDB's Out of Memory Error)."""


def per_customer(source: Source, work: Callable[[Connection], T]) -> T:
    """`work` (statements grouping by customer or response) on the source's engine, with each
    of `DUCKDB_PER_CUSTOMER`'s settings in turn on DuckDB until one has the memory it needs:
    `work` starts again from nothing on a new connection, so it must keep nothing between
    attempts."""
    steps = DUCKDB_PER_CUSTOMER
    if "memory_limit" in _url(source).query:  # the URL's limit holds for every attempt
        steps = steps[-1:]
    for number, settings in enumerate(steps, start=1):
        try:
            with source_connection(source, per_customer=settings) as engine:
                return work(engine)
        except _OutOfMemory:
            if number == len(steps):
                raise
    raise AssertionError("unreachable: the last step raises")


@contextmanager
def source_connection(
    source: Source, *, per_customer: Mapping[str, str] | None = None
) -> Iterator[Connection]:
    """A connection to the source's engine for one piece of work, with that engine's settings
    for it; `per_customer`: DuckDB's settings for statements grouping by customer or response
    (see `per_customer`)."""
    engine = source_engine(source)
    try:
        with engine.connect() as connection:
            if per_customer and connection.dialect.name == "duckdb":
                for name, value in per_customer.items():
                    if name not in engine.url.query:
                        connection.exec_driver_sql(f"SET {name} = '{value}'")
            if connection.dialect.name == "postgresql":
                # for this transaction: JIT compiling the period CASE and the sums costs more
                # than it saves, and the day cells are one hash table that PostgreSQL's
                # default 4MB work_mem makes it plan as a sort of every answer instead
                connection.execute(select(func.set_config("jit", "off", True)))
                connection.execute(select(func.set_config("work_mem", "64MB", True)))
            yield connection
    except SQLAlchemyError as exc:
        # by name: the duckdb module is an optional extra, not imported for other engines
        cause = getattr(exc, "orig", None)
        fault = _OutOfMemory if type(cause).__name__ == "OutOfMemoryException" else None
        raise (fault or TableSourceError)(
            f"source '{source.id}': the query on {engine.dialect.name} failed: "
            f"{str(exc).splitlines()[0]}"
        ) from exc
    finally:
        engine.dispose()


def source_table(connection: Connection, source: Source) -> Table:
    """The source's table with the columns the engine describes (names, and whether its
    times are instants, which decides how a local day is taken)."""
    if source.dbt_model is not None:
        schema, name = source.table_schema, source.dbt_model
    else:
        assert source.table is not None
        schema, _, name = source.table.rpartition(".")
    described = _describe(connection, schema or None, name)
    if not described:
        raise TableSourceError(
            f"source '{source.id}': no table or view {source.table or source.dbt_model!r} "
            f"on {connection.dialect.name}"
        )
    table = Table(
        name,
        MetaData(),
        *(
            Column(column, DateTime(timezone=True) if aware else NullType())
            for column, aware in described.items()
        ),
        schema=schema or None,
    )
    missing = [c for c in _named_columns(source) if c not in table.c]
    if missing:
        raise TableSourceError(
            f"source '{source.id}': the table {table.fullname} has no column "
            f"{', '.join(repr(c) for c in missing)} (it has {', '.join(table.c.keys())})"
        )
    return table


def _describe(connection: Connection, schema: str | None, name: str) -> dict[str, bool]:
    """Column name → whether it holds instants (a timestamp with a time zone)."""
    if connection.dialect.name == "duckdb":
        # duckdb-engine's reflection asks for PostgreSQL catalogue tables DuckDB lacks; its
        # duckdb_columns() answers the same question (information_schema.columns is a view
        # over it that builds a dozen more columns, several milliseconds of every run)
        c = func.duckdb_columns().table_valued(
            "table_name", "schema_name", "column_name", "data_type", "column_index"
        )
        rows = connection.execute(
            select(c.c.column_name, c.c.data_type)
            .where(c.c.table_name == name, c.c.schema_name == (schema or "main"))
            .order_by(c.c.column_index)
        ).all()
        return {str(column): "WITH TIME ZONE" in str(kind).upper() for column, kind in rows}
    if connection.dialect.name in spark.SPARK_DIALECTS:
        return spark.describe(connection, schema, name)
    if connection.dialect.name == "postgresql":
        return _describe_postgresql(connection, schema, name)
    try:
        columns = inspect(connection).get_columns(name, schema=schema)
    except NoSuchTableError:
        return {}
    return {
        str(column["name"]): bool(getattr(column["type"], "timezone", False)) for column in columns
    }


_POSTGRESQL_COLUMNS = text(
    """
    SELECT a.attname, format_type(a.atttypid, a.atttypmod)
    FROM pg_catalog.pg_attribute AS a
    JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    WHERE c.relname = :name
      AND CASE WHEN CAST(:schema AS text) IS NULL THEN pg_catalog.pg_table_is_visible(c.oid)
               ELSE n.nspname = :schema END
      AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attnum
    """
)
"""A PostgreSQL table's or view's columns and types, by its schema, else as the search path
finds it. SQLAlchemy's reflection asks the catalogue for far more (defaults, comments,
identity, domains, collations) in a statement it compiles per run: 20 ms of an incremental
run's 0.12 s on the benchmark table, this one about 1 ms."""


def _describe_postgresql(connection: Connection, schema: str | None, name: str) -> dict[str, bool]:
    rows = connection.execute(_POSTGRESQL_COLUMNS, {"name": name, "schema": schema}).all()
    return {str(column): str(kind) == "timestamp with time zone" for column, kind in rows}


def _named_columns(source: Source) -> list[str]:
    c = source.columns
    named = [c.collected_at, c.measurement_point, c.value, c.updated_at, *c.segments.values()]
    named += list(source.values)
    return [n for n in named if n is not None]


def source_definition(source: Source, points: list[str], zone: str) -> str:
    """A hash of what a source's stored state was read under: a changed definition starts
    the state again."""
    text = json.dumps([source.model_dump(mode="json"), points, zone], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class _State:
    first_days: dict[str, dt.date]
    watermark: str | None


def read_source_state(
    store: Connection, program: str, key: str, definition: str
) -> tuple[dict[str, str], str | None] | None:
    """The days and the load-time watermark stored under `key` (a table source's id, or a key
    of a reader of it, such as its comments'), None when none is stored under `definition`."""
    s = TABLE_SOURCE_STATE
    row = store.execute(
        select(s.c.definition, s.c.first_days, s.c.watermark).where(
            s.c.program == program, s.c.source == key
        )
    ).first()
    if row is None or row[0] != definition:
        return None
    return dict(row[1]), row[2]


def write_source_state(
    store: Connection,
    program: str,
    key: str,
    definition: str,
    days: dict[str, str],
    watermark: str | None,
) -> None:
    s = TABLE_SOURCE_STATE
    store.execute(delete(s).where(s.c.program == program, s.c.source == key))
    store.execute(
        insert(s).values(
            program=program, source=key, definition=definition, first_days=days, watermark=watermark
        )
    )


def _read_state(store: Connection, program: str, source: str, definition: str) -> _State | None:
    found = read_source_state(store, program, source, definition)
    if found is None:
        return None
    days, watermark = found
    return _State({p: dt.date.fromisoformat(d) for p, d in days.items()}, watermark)


def _write_state(
    store: Connection, program: str, source: str, definition: str, state: _State
) -> None:
    days = {p: d.isoformat() for p, d in sorted(state.first_days.items())}
    write_source_state(store, program, source, definition, days, state.watermark)


def _dimension_sets(program: Program, point: MeasurementPoint) -> set[tuple[str, ...]]:
    sets: set[tuple[str, ...]] = {()}
    sets |= {(dimension,) for dimension in point.segments}
    sets |= {
        tuple(sorted(o.segment)) for o in program.objectives if o.measurement_point == point.id
    }
    return sets


def loaded_text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def loaded_value(text: str) -> Any:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return text


def aggregate_tables(
    store: Connection,
    program: Program,
    as_of: dt.date,
    since: dt.date | None,
    *,
    persist: bool,
) -> TableCounts:
    """Counts of every point a table source holds, up to `as_of`; with `persist`, complete
    periods are rolled up and the sources' state kept in the store (the caller commits)."""
    found = TableCounts()
    for source in program.sources:
        if source.is_table:
            _aggregate_source(store, program, source, as_of, since, persist, found)
    return found


@dataclass
class _Group:
    window: str
    positive: tuple[float, float] | None
    dimensions: tuple[str, ...]
    points: list[MeasurementPoint]
    timeline: list[Period]
    """What is counted and rolled up: the window's periods before `day_start`, then each
    day up to the as-of day as a period of its own; added up into `windows`."""
    key: str
    needed: set[Period]
    covered: set[Period]
    windows: list[Period]
    """The window's periods: calendar periods or rolling windows."""
    day_start: dt.date
    """The first day counted day by day: a rolling window's first (its windows move with the
    as-of date, its days do not), else the start of the calendar period holding the day
    `DAY_HORIZON` before the as-of day."""
    rolling: bool


def _aggregate_source(
    store: Connection,
    program: Program,
    source: Source,
    as_of: dt.date,
    since: dt.date | None,
    persist: bool,
    found: TableCounts,
) -> None:
    program_id = program.program.id
    zone = program.program.timezone
    kpis = {k.id: k for k in program.kpis}
    served = served_points(source)
    points = [
        p
        for p in program.measurement_points
        if p.id in served and kpis[p.kpi].type is not KpiType.VALUE
    ]
    if not points:
        return
    ids = sorted(p.id for p in points)
    definition = source_definition(source, ids, zone)
    state = _read_state(store, program_id, source.id, definition)
    incremental = source.columns.updated_at is not None
    with source_connection(source) as engine:
        table = source_table(engine, source)
        touched: dict[str, set[dt.date]] = defaultdict(set)
        first_days = dict(state.first_days) if state else {}
        watermark = state.watermark if state else None
        # where a point without a known first day is counted from: on the first run the
        # table's earliest day; later, the open periods (the only ones counted for it)
        floor: dt.date | None = None
        if state is None:
            lowest, newest = engine.execute(_bounds(source, table)).one()
            if lowest is None:
                return
            floor = _local_day(lowest, source, program)
            watermark = loaded_text(newest)
        else:
            if incremental:
                # the rows loaded since the last run: the periods they fall in count again
                after = loaded_value(watermark) if watermark is not None else None
                loaded_since = answers(source, table, program, ids, (), Window(None, as_of, after))
                rows = engine.execute(touched_statement(loaded_since)).all()
                for question, value, loaded in rows:
                    point, day = loaded_since.points[str(question)], day_of(value)
                    touched[point].add(day)
                    first_days[point] = min(first_days.get(point, day), day)
                    text = loaded_text(loaded)
                    if text is not None and (watermark is None or text > watermark):
                        watermark = text
            else:
                floor = min(periods(p.window, as_of, as_of)[0].start for p in points)
        provisional = _series(points, first_days, floor, since, as_of)
        groups = _groups(store, program, source, definition, points, provisional, touched, as_of)
        shifts = _shifts(engine, source, table, program, points, kpis, store, groups)
        counted, firsts = _count(engine, source, table, program, groups, shifts, as_of)
        for point_id, day in firsts.items():
            first_days[point_id] = min(first_days.get(point_id, day), day)
        for point_id, first in first_days.items():
            if first <= as_of:
                found.first_data[point_id] = first
        found.series.update(_series(points, first_days, None, since, as_of))
        stored = rollups.read_group_rollups(
            store,
            program_id,
            {
                g.key: (min(p.start for p in g.covered), max(p.end for p in g.covered))
                for g in groups
                if g.covered
            },
        )
        writes = []
        for group in groups:
            cells = counted[_result_key(group)]
            found.counts.update(_windows(group, cells, stored.get(group.key, [])))
            written = _written(group, cells) if persist else None
            if written is not None:
                writes.append(written)
            if group.key:
                found.rollup_groups.add(group.key)
        rollups.write_group_rollups(store, program_id, writes)
    if persist:
        _write_state(store, program_id, source.id, definition, _State(first_days, watermark))


def _series(
    points: list[MeasurementPoint],
    first_days: dict[str, dt.date],
    floor: dt.date | None,
    since: dt.date | None,
    as_of: dt.date,
) -> dict[str, list[Period]]:
    """Each point's periods, from its first day (else `floor`) up to the as-of day."""
    found: dict[str, list[Period]] = {}
    for point in points:
        first = first_days.get(point.id, floor)
        if first is None or first > as_of:
            continue
        start = max(first, since) if since else first
        found[point.id] = periods(point.window, start, as_of)
    return found


def _bounds(source: Source, table: Table) -> Any:
    columns = source.columns
    assert columns.collected_at is not None
    loaded = table.c[columns.updated_at] if columns.updated_at is not None else null()
    return bounds_statement(table.c[columns.collected_at], loaded)


def _local_day(moment: Any, source: Source, program: Program) -> dt.date:
    """The program's local day of a time the engine returned (an instant or a wall time)."""
    if not isinstance(moment, dt.datetime):
        return day_of(moment)
    zone = ZoneInfo(program.program.timezone)
    local: dt.datetime = moment
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(source.timezone or program.program.timezone))
    return local.astimezone(zone).date()


DAY_HORIZON = dt.timedelta(days=35)
"""How far back a calendar window's days are rolled up one by one. Late answers and changed
rows mostly fall in the last weeks: a run recounts only the days they touched and adds the
period up from its stored days. A period is counted whole once when it leaves those weeks
(which also corrects a day that lost a row moved to another day: nothing in the table says
where a row was) and again only if it receives rows later; its days are dropped then, which
keeps the store to one row per older period and cell, and the first run's writes small."""


def _day_start(point: MeasurementPoint, as_of: dt.date) -> dt.date:
    """The first day a calendar window's periods are rolled up by day from (see `_Group`)."""
    return period_containing(as_of - DAY_HORIZON, point.window, as_of).start


def _groups(
    store: Connection,
    program: Program,
    source: Source,
    definition: str,
    points: list[MeasurementPoint],
    series: dict[str, list[Period]],
    touched: dict[str, set[dt.date]],
    as_of: dt.date,
) -> list[_Group]:
    """The program's groups (window × positive range × segment dimensions) over this source's
    points, each with the periods and days to count: all but complete ones already rolled up,
    less those holding days that received rows since (with `updated_at`) or in an open period
    (without)."""
    kpis = {k.id: k for k in program.kpis}
    members: dict[tuple[str, Any, tuple[str, ...]], list[MeasurementPoint]] = defaultdict(list)
    for point in points:
        if point.id not in series:
            continue
        for dimensions in _dimension_sets(program, point):
            key = (window_key(point.window), kpis[point.kpi].effective_positive, dimensions)
            members[key].append(point)
    groups = []
    keyed = sorted(members.items(), key=lambda g: repr(g[0]))
    keys = [
        _group_key(source, definition, window, positive, dimensions, group_points)
        for (window, positive, dimensions), group_points in keyed
    ]
    states = rollups.read_states(store, program.program.id, keys)
    for ((window, positive, dimensions), group_points), group_key in zip(keyed, keys, strict=True):
        windows = max((series[p.id] for p in group_points), key=len)
        rolling = group_points[0].window.calendar is None
        day_start = windows[0].start if rolling else _day_start(group_points[0], as_of)
        timeline = [w for w in windows if w.end < day_start]
        timeline += _days(max(day_start, windows[0].start), min(windows[-1].end, as_of), as_of)
        state = states.get(group_key)
        covered: set[Period] = set()
        if state is not None:
            if source.columns.updated_at is not None:
                hit = {d for p in group_points for d in touched.get(p.id, ())}
            else:  # nothing tells which rows changed: the open periods are counted again
                hit = {
                    d.start
                    for w in windows
                    if not w.complete
                    for d in timeline
                    if w.start <= d.start <= w.end
                }
            hits = sorted(hit)
            # the last run rolled up days one by one from its own day start on, and periods
            # before it whole: a period whose days it kept is counted whole now
            stored_days = (
                state.covered_from
                if rolling
                else _day_start(group_points[0], state.covered_until + dt.timedelta(days=1))
            )
            covered = {
                p
                for p in timeline
                if p.complete
                and state.covered_from <= p.start
                and p.end <= state.covered_until
                and (p.end < stored_days if p.start < day_start else p.start >= stored_days)
                and not _holds_any(p, hits)
            }
        needed = {p for p in timeline if p not in covered}
        groups.append(
            _Group(
                window,
                positive,
                dimensions,
                group_points,
                timeline,
                group_key,
                needed,
                covered,
                windows,
                day_start,
                rolling,
            )
        )
    return groups


def _holds_any(period: Period, days: list[dt.date]) -> bool:
    """Whether any of the sorted `days` falls in `period` (a search, not a scan: a rolling
    group's hundreds of days each asked about every touched day were a run's slowest loop)."""
    at = bisect_left(days, period.start)
    return at < len(days) and days[at] <= period.end


def _group_key(
    source: Source,
    definition: str,
    window: str,
    positive: Any,
    dimensions: tuple[str, ...],
    points: list[MeasurementPoint],
) -> str:
    """The rollup group of a window × positive range × segment dimensions over `points`."""
    rolling = points[0].window.calendar is None
    text = json.dumps(
        [
            "table",
            source.id,
            definition,
            "days" if rolling else f"{window}+days",
            positive,
            dimensions,
            sorted(p.id for p in points),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _days(first: dt.date, last: dt.date, as_of: dt.date) -> list[Period]:
    """Each day from `first` to `last` as a period of its own, complete before `as_of`."""
    count = (last - first).days + 1
    days = (first + dt.timedelta(days=i) for i in range(count))
    return [Period(day, day, day < as_of) for day in days]


def _shifts(
    engine: Connection,
    source: Source,
    table: Table,
    program: Program,
    points: list[MeasurementPoint],
    kpis: dict[str, Any],
    store: Connection,
    groups: list[_Group],
) -> dict[str, float]:
    """Each mean point's shift (see `Counts`): any one of its answered values, the one its
    stored rollups were counted with if there are any (the store answers faster than the
    engine, and the cells keep one shift)."""
    found: dict[str, float] = {}
    for point in points:
        if kpis[point.kpi].effective_statistic is not Statistic.MEAN:
            continue
        keys = sorted({g.key for g in groups if any(p.id == point.id for p in g.points)})
        stored = rollups.stored_shift(store, program.program.id, keys, point.id)
        if stored:
            found[point.id] = stored
            continue
        relation = answers(source, table, program, [point.id], ())
        value = engine.execute(shift_statement(relation, point.id)).scalar()
        if value:
            found[point.id] = float(value)
    return found


def _count(
    engine: Connection,
    source: Source,
    table: Table,
    program: Program,
    groups: list[_Group],
    shifts: dict[str, float],
    as_of: dt.date,
) -> tuple[dict[tuple[str, str], dict[Cell, Counts]], dict[str, dt.date]]:
    """The counts of every group in one statement, cells of their needed periods only (by
    `_result_key`), and each point's earliest day among the answers read."""
    results: dict[tuple[str, str], dict[Cell, Counts]] = {_result_key(g): {} for g in groups}
    wanted = [g for g in groups if g.needed]
    if not wanted:
        return results, {}
    window_names = sorted({g.window for g in wanted})
    windows = []
    for name in window_names:
        members = [g for g in wanted if g.window == name]
        # the statement's CASE holds only the periods from the first needed one on (and the
        # day before, which the answers' raw-time bound may bring in): a later run's is short
        first = min(p.start for g in members for p in g.needed) - dt.timedelta(days=1)
        windows.append(
            WindowCells(
                sorted(
                    {p for g in members for p in g.timeline if p.end >= first}, key=_period_order
                ),
                frozenset(p.id for g in members for p in g.points),
                all(g.rolling for g in members),
            )
        )
    starts = [{p.start: p for p in window.timeline} for window in windows]
    needed = {p for g in wanted for p in g.needed}
    dimensions = sorted({d for g in wanted for d in g.dimensions})
    ranges = sorted({g.positive for g in wanted if g.positive is not None})
    branch_keys = sorted({(window_names.index(g.window), g.dimensions) for g in wanted})
    branches = []
    for number, segment_set in branch_keys:
        chosen = frozenset(
            p.id
            for g in wanted
            if window_names.index(g.window) == number and g.dimensions == segment_set
            for p in g.points
        )
        branches.append(
            Branch(number, segment_set, None if chosen == windows[number].points else chosen)
        )
    all_points = sorted({p.id for g in wanted for p in g.points})
    relation = answers(
        source,
        table,
        program,
        all_points,
        dimensions,
        Window(min(p.start for p in needed), min(max(p.end for p in needed), as_of)),
    )
    statement = count_statement(
        relation,
        windows,
        branches,
        dimensions,
        ranges,
        {p: s for p, s in shifts.items() if p in all_points},
    )
    rows = read_rows(engine.execute(statement).all(), windows, branches, dimensions, len(ranges))
    targets: dict[tuple[int, tuple[str, ...], str], _Group] = {}
    for group in wanted:
        for point in group.points:
            targets[(window_names.index(group.window), group.dimensions, point.id)] = group
    cells_of = {id(g): results[_result_key(g)] for g in wanted}
    # thousands of rows share a few dozen days: each is decoded and looked up once
    days: dict[Any, dt.date] = {}
    firsts: dict[str, dt.date] = {}
    for row in rows:
        branch = branches[row.branch]
        if row.first_day is not None:
            day = days.get(row.first_day) or days.setdefault(row.first_day, day_of(row.first_day))
            if row.point not in firsts or day < firsts[row.point]:
                firsts[row.point] = day
        target = targets.get((branch.window, branch.dimensions, row.point))
        if target is None:
            continue
        start = days.get(row.period) or days.setdefault(row.period, day_of(row.period))
        period = starts[branch.window].get(start)
        if period is None or period not in target.needed:
            continue
        positive = 0 if target.positive is None else row.positives[ranges.index(target.positive)]
        segment = tuple(zip(target.dimensions, row.labels, strict=True))
        cells_of[id(target)][Cell(row.point, period, segment)] = Counts(
            row.n,
            row.promoters,
            row.passives,
            row.detractors,
            positive,
            row.total,
            row.sumsq,
            shifts.get(row.point, 0.0),
        )
    return results, firsts


def _period_order(period: Period) -> tuple[dt.date, dt.date, bool]:
    """A period's sort key: the order `Period` defines, without its generated comparisons
    (a first run sorts thousands of days)."""
    return (period.start, period.end, period.complete)


def _result_key(group: _Group) -> tuple[str, str]:
    return (group.key, repr((group.positive, group.dimensions, [p.id for p in group.points])))


def _written(group: _Group, cells: dict[Cell, Counts]) -> rollups.RollupWrite | None:
    """The group's complete periods and days just counted, to roll up (None if it has none)."""
    complete = [p for p in group.timeline if p.complete]
    if not complete:
        return None
    recounted = sorted(p for p in complete if p not in group.covered)
    written = set(recounted)
    return rollups.RollupWrite(
        group.key,
        [(p.start, p.end) for p in recounted],
        [rollups.rollup_row(cell, c) for cell, c in cells.items() if cell.period in written],
        rollups.RollupState(0, complete[0].start, complete[-1].end),
        None if group.rolling else group.day_start,
    )


def _windows(
    group: _Group, counted: dict[Cell, Counts], stored: list[tuple[Any, ...]]
) -> dict[Cell, Counts]:
    """A group's cells just counted (periods and days) and its stored rollups of the periods
    it did not count again, added up into its windows (counts are additive), day by day in
    order, so that a run's sums do not depend on which cells were stored."""
    starts = [w.start for w in group.windows]
    # a few dozen periods hold the group's thousands of cells: each period is placed in its
    # window once, and the sums are keyed by plain tuples (a Cell hashes its Period's fields)
    window_of: dict[tuple[dt.date, dt.date], int | None] = {}

    def placed(start: dt.date, end: dt.date) -> int | None:
        span = (start, end)
        if span not in window_of:
            at = bisect_right(starts, start) - 1
            window_of[span] = None if at < 0 or start > group.windows[at].end else at
        return window_of[span]

    entries: list[tuple[dt.date, str, Any, int | None, Counts]] = [
        (cell.period.start, cell.point, cell.segment, placed(cell.period.start, cell.period.end), c)
        for cell, c in counted.items()
    ]
    covered: dict[tuple[dt.date, dt.date], bool] = {}
    for row in stored:
        span = (row[1], row[2])
        if span not in covered:
            covered[span] = Period(row[1], row[2], True) in group.covered
        if covered[span]:
            entries.append((row[1], row[0], row[3], placed(row[1], row[2]), Counts(*row[4:])))
    entries.sort(key=lambda entry: entry[0])
    sums: dict[tuple[str, Any, int], Counts] = {}
    for _, point, segment, at, counts in entries:
        if at is None:
            continue
        key = (point, segment, at)
        prior = sums.get(key)
        sums[key] = counts if prior is None else prior + counts
    return {Cell(point, group.windows[at], segment): c for (point, segment, at), c in sums.items()}
