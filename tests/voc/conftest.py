"""The store fixtures (SQLite and PostgreSQL) for the tagging tests."""

from __future__ import annotations

from tests.store.conftest import db_url, postgres_url

__all__ = ["db_url", "postgres_url"]
