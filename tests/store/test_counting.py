"""The planner help of the counting statements: text keys grouped in byte order, a planner
setting that holds for the statements inside only, and the KPI counts grouped by hashing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, func, literal, select, union_all

from cxgov import api
from cxgov.evaluate.aggregate import aggregate
from cxgov.store.counting import HASH_WORK_MEM, byte_order, hashed_groups, planner_setting
from cxgov.store.engine import open_store
from tests.clock import clock
from tests.conftest import FIXTURES


def _hash_aggregates(connection: Connection) -> str | None:
    if connection.dialect.name != "postgresql":
        return None
    return str(connection.execute(select(func.current_setting("enable_hashagg"))).scalar_one())


def test_planner_setting_holds_inside_and_is_restored(db_url: str) -> None:
    engine = open_store(db_url)
    with engine.begin() as connection:
        before = _hash_aggregates(connection)
        with planner_setting(connection, "enable_hashagg", "off"):
            inside = _hash_aggregates(connection)
        after = _hash_aggregates(connection)
    if engine.dialect.name == "postgresql":
        assert (before, inside, after) == ("on", "off", "on")
    else:
        assert (before, inside, after) == (None, None, None)


def test_byte_order_groups_as_the_text_does(db_url: str) -> None:
    # the same groups (equality is byte equality), whatever order the database sorts them in
    words = ["Ärrä", "ärrä", "b", "B", "a", "ä", "a", "Ä", "b"]
    rows = union_all(*(select(literal(w).label("w")) for w in words)).subquery("words")
    engine = open_store(db_url)
    with engine.connect() as connection:
        key = byte_order(connection, rows.c.w)
        grouped = connection.execute(select(key, func.count()).group_by(key)).all()
    assert sorted((str(w), int(n)) for w, n in grouped) == [
        ("B", 1),
        ("a", 2),
        ("b", 2),
        ("Ä", 1),
        ("Ärrä", 1),
        ("ä", 1),
        ("ärrä", 1),
    ]


def test_hashed_groups_hold_inside_and_are_restored(db_url: str) -> None:
    def settings(connection: Connection) -> tuple[str, str] | None:
        if connection.dialect.name != "postgresql":
            return None
        row = connection.execute(
            select(func.current_setting("enable_sort"), func.current_setting("work_mem"))
        ).one()
        return str(row[0]), str(row[1])

    engine = open_store(db_url)
    with engine.begin() as connection:
        before = settings(connection)
        with hashed_groups(connection):
            inside = settings(connection)
        after = settings(connection)
    if engine.dialect.name == "postgresql":
        assert inside == ("off", HASH_WORK_MEM)
        assert before == after and before is not None and before[0] == "on"
    else:
        assert (before, inside, after) == (None, None, None)


def test_the_kpi_counts_are_grouped_by_hashing(db_url: str, tmp_path: Path) -> None:
    """PostgreSQL estimates the fine cells' period key at one group per answer and would sort
    every answer for them (`hashed_groups`): the counts' statement runs with sorting off."""
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "response,answered_at,question,score,customer,comment,company_size,region\n"
        + "".join(
            f"r{i},2026-02-{1 + i % 27:02d}T10:00:00,DELIVERY,{1 + i % 5},c{i},,small,north\n"
            for i in range(60)
        )
    )
    shop = str(FIXTURES / "shop")
    assert api.ingest(shop, "answers", [str(answers)], db=db_url, clock=clock).inserted == 60
    engine = open_store(db_url)
    planned_with: list[str | None] = []

    def record(connection: Connection, cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().startswith("WITH grouped"):  # the KPI counts' statement
            return
        if connection.dialect.name != "postgresql":
            planned_with.append(None)
            return
        row = cursor.connection.execute("SELECT current_setting('enable_sort')").fetchone()
        planned_with.append(str(row[0]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with engine.connect() as connection:
            found = aggregate(connection, api.load_program(shop), dt.date(2026, 3, 10)).counts
            after = None
            if connection.dialect.name == "postgresql":
                after = connection.execute(select(func.current_setting("enable_sort"))).scalar()
    finally:
        event.remove(engine, "before_cursor_execute", record)
        engine.dispose()
    assert (
        sum(c.n for cell, c in found.items() if cell.point == "mp-delivery" and not cell.segment)
        == 60
    )
    if engine.dialect.name == "postgresql":
        assert planned_with and set(planned_with) == {"off"}
        assert after == "on"
    else:
        assert planned_with and set(planned_with) == {None}
