"""The pseudonymisation key: never in the store's tables, in a private file beside a SQLite
store, from the environment for PostgreSQL, and a changed key refused until accepted."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import insert

from cxgov.cli import cli
from cxgov.ingest.pseudonym import pseudonymiser
from cxgov.store.engine import open_store
from cxgov.store.pseudonym_key import KEY_ENV, PseudonymKeyError, fingerprint
from cxgov.store.tables import STORE_SETTINGS
from tests.store.test_ingest import GOOD, SHOP, ingest, rows, write


def _settings(db: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in rows(db, "SELECT key, value FROM store_settings")}


def _customer_keys(db: str) -> set[str]:
    found = rows(db, "SELECT customer_key FROM feedback WHERE customer_key IS NOT NULL")
    return {str(k) for (k,) in found}


def _cxgov(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_sqlite_store_keeps_its_generated_key_in_a_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    database = tmp_path / "store.db"
    db = f"sqlite:///{database}"
    ingest(db, write(tmp_path / "a.csv", GOOD))
    key_file = tmp_path / "store.db.key"
    key = key_file.read_text(encoding="utf-8").strip()
    assert len(key) == 64
    assert _mode(key_file) == 0o600 and _mode(database) == 0o600
    assert _settings(db) == {"pseudonym_key_fingerprint": fingerprint(key)}
    assert _customer_keys(db) == {pseudonymiser(key)(c) for c in ("cust-1", "cust-2", "cust-3")}
    # the same key next time: the same customers
    ingest(db, write(tmp_path / "b.csv", GOOD.replace("r1,", "s1,")))
    assert len(_customer_keys(db)) == 3


def test_a_changed_key_is_refused_until_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    ingest(db, write(tmp_path / "a.csv", GOOD))
    monkeypatch.setenv(KEY_ENV, "another key")
    # cust-1 answers again
    later = write(tmp_path / "b.csv", "".join(GOOD.splitlines(True)[:2]).replace("r1,", "s1,"))
    code, output = _cxgov(
        "ingest", "--program", str(SHOP), "--source", "answers", "--db", db, str(later)
    )
    assert code == 1, output
    assert f"the pseudonymisation key from {KEY_ENV} is not the key" in output
    assert "cxgov db accept-new-key" in output
    assert len(rows(db, "SELECT id FROM feedback")) == 4, "nothing loaded with the wrong key"

    code, output = _cxgov("db", "accept-new-key", "--db", db)
    assert code == 0, output
    assert f"the pseudonymisation key from {KEY_ENV} is now this store's key" in output
    assert _settings(db)["pseudonym_key_fingerprint"] == fingerprint("another key")
    before = _customer_keys(db)
    ingest(db, later)
    # the same customer under the new key: a new customer key, which does not join the old one
    assert _customer_keys(db) - before == {pseudonymiser("another key")("cust-1")}
    code, output = _cxgov("db", "accept-new-key", "--db", db)
    assert "is this store's key already; nothing changed" in output


def test_a_lost_key_file_is_not_silently_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    ingest(db, write(tmp_path / "a.csv", GOOD))
    key_file = tmp_path / "store.db.key"
    key = key_file.read_text(encoding="utf-8")
    key_file.unlink()
    with pytest.raises(PseudonymKeyError, match=r"store\.db\.key is missing.*restore the file"):
        ingest(db, write(tmp_path / "b.csv", GOOD.replace("r1,", "s1,")))
    assert not key_file.exists()
    key_file.write_text(key, encoding="utf-8")
    assert ingest(db, write(tmp_path / "c.csv", GOOD.replace("r1,", "t1,"))).inserted == 2
    assert len(_customer_keys(db)) == 3


def _with_legacy_key(db: str, key: str) -> None:
    """A store from before the key file: its generated key in its own table."""
    engine = open_store(db)
    try:
        with engine.begin() as connection:
            connection.execute(insert(STORE_SETTINGS).values(key="pseudonym_key", value=key))
    finally:
        engine.dispose()


def test_a_key_in_the_store_table_moves_to_the_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    legacy = "ab" * 32
    _with_legacy_key(db, legacy)
    ingest(db, write(tmp_path / "a.csv", GOOD))
    key_file = tmp_path / "store.db.key"
    assert key_file.read_text(encoding="utf-8").strip() == legacy
    assert _mode(key_file) == 0o600
    assert _settings(db) == {"pseudonym_key_fingerprint": fingerprint(legacy)}
    assert pseudonymiser(legacy)("cust-1") in _customer_keys(db), "the same customers as before"


def test_a_postgresql_store_needs_the_key_from_the_environment(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.store.conftest import TABLES

    engine = open_store(postgres_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    engine.dispose()
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(PseudonymKeyError, match=f"set {KEY_ENV} to a long random secret"):
        ingest(postgres_url, write(tmp_path / "a.csv", GOOD))
    assert rows(postgres_url, "SELECT id FROM feedback") == []
    # a store from before keeps working with the key in its table, until the key is set
    legacy = "cd" * 32
    _with_legacy_key(postgres_url, legacy)
    ingest(postgres_url, write(tmp_path / "a.csv", GOOD))
    assert pseudonymiser(legacy)("cust-1") in _customer_keys(postgres_url)
    monkeypatch.setenv(KEY_ENV, "not the store's key")
    with pytest.raises(PseudonymKeyError, match="is not the key this store"):
        ingest(postgres_url, write(tmp_path / "b.csv", GOOD.replace("r1,", "s1,")))
    monkeypatch.setenv(KEY_ENV, legacy)
    ingest(postgres_url, write(tmp_path / "b.csv", GOOD.replace("r1,", "s1,")))
    assert _settings(postgres_url) == {"pseudonym_key_fingerprint": fingerprint(legacy)}
    assert len(_customer_keys(postgres_url)) == 3
