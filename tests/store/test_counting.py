"""The planner help of the counting statements: text keys grouped in byte order, and a planner
setting that holds for the statements inside only."""

from __future__ import annotations

from sqlalchemy import Connection, func, literal, select, union_all

from cxgov.store.counting import byte_order, planner_setting
from cxgov.store.engine import open_store


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
