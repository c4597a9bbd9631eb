"""Per-database settings stored in the store itself."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, insert, select

from cxgov.store.tables import STORE_SETTINGS


def setting(connection: Connection, key: str, create: Callable[[], str]) -> str:
    """The stored value of `key`, created once with `create()` when absent."""
    table = STORE_SETTINGS
    found = connection.execute(select(table.c.value).where(table.c.key == key)).scalar()
    if found is not None:
        return str(found)
    value = create()
    connection.execute(insert(table).values(key=key, value=value))
    return value
