"""Ingest tests run on both databases, with the store tests' fixtures."""

from tests.store.conftest import db_url, postgres_url

__all__ = ["db_url", "postgres_url"]
