"""Which key pseudonymises customer ids for a store, and the guard that it never changes
unnoticed.

The key never sits in the store's tables: anyone who can read the store could otherwise
re-identify every customer by hashing candidate ids. It comes from CXGOV_PSEUDONYM_KEY, else,
for a SQLite store, from a key file beside the database (`<database>.key`, readable by its
owner only), generated on first use. A PostgreSQL store is shared, and a file on one machine
would split its customers between machines: it needs CXGOV_PSEUDONYM_KEY.

The store keeps the key's fingerprint (an HMAC of a constant under the key, which does not
reveal the key). A different key would silently turn every returning customer into a new one,
so it is refused until someone accepts it on purpose (`cxgov db accept-new-key`). Customer
keys cannot be re-keyed: the raw ids were never stored.

Stores from before kept a generated key in `store_settings`; on first use a SQLite store's
key moves to the key file, and a PostgreSQL store's stays until CXGOV_PSEUDONYM_KEY is set to
it (`cxgov db accept-new-key` says what to do).
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import Connection, delete, insert, select, update

from cxgov.errors import StoreError
from cxgov.store.tables import STORE_SETTINGS

KEY_ENV = "CXGOV_PSEUDONYM_KEY"
FINGERPRINT = "pseudonym_key_fingerprint"
LEGACY_KEY = "pseudonym_key"
"""Where stores before the key file kept a generated key, in their own table."""
_FINGERPRINT_MESSAGE = b"cxgov pseudonymisation key fingerprint v1"
_IN_TABLE = "the store's settings"
ACCEPT_COMMAND = "cxgov db accept-new-key"


class PseudonymKeyError(StoreError):
    """No usable key, or not the key the store's customer keys were made with."""


def fingerprint(key: str) -> str:
    """A value that tells keys apart without revealing them."""
    return hmac.digest(key.encode("utf-8"), _FINGERPRINT_MESSAGE, "sha256").hex()[:32]


def key_file(connection: Connection) -> Path | None:
    """The key file of a SQLite store on disk: `<database>.key`; None for other stores."""
    url = connection.engine.url
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(f"{database}.key")


def _setting(connection: Connection, key: str) -> str | None:
    table = STORE_SETTINGS
    found = connection.execute(select(table.c.value).where(table.c.key == key)).scalar()
    return None if found is None else str(found)


def _write_private(path: Path, key: str) -> str:
    """Write `key` to a new file only its owner can read; the key already there when another
    process was first."""
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return _read(path)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(key + "\n")
    return key


def _read(path: Path) -> str:
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise PseudonymKeyError(
            f"the pseudonymisation key file {path} is empty; restore it from a backup, or set "
            f"{KEY_ENV}"
        )
    return key


def _key_in_use(
    connection: Connection, env: Mapping[str, str], *, may_generate: bool
) -> tuple[str, str]:
    """The key, and where it came from (for messages). A key file is generated only for a store
    that has no key yet, or on request: a lost key file is to be restored, not replaced."""
    given = env.get(KEY_ENV)
    if given:
        return given, KEY_ENV
    legacy = _setting(connection, LEGACY_KEY)
    path = key_file(connection)
    if path is None:
        if legacy is not None:
            # a shared store from before the key file: it keeps working until the key is set
            return legacy, _IN_TABLE
        raise PseudonymKeyError(
            f"set {KEY_ENV} to a long random secret (for example the output of `openssl rand "
            "-hex 32`), the same on every machine that loads data into this store: a "
            "PostgreSQL store is shared, so cxgov does not generate a key file on one machine"
        )
    if path.exists():
        return _read(path), str(path)
    if legacy is None and not may_generate:
        raise PseudonymKeyError(
            f"the pseudonymisation key file {path} is missing, and this store's customer keys "
            f"were made with the key it held: restore the file, set {KEY_ENV} to that key, or "
            f"start new customer keys on purpose with `{ACCEPT_COMMAND}`"
        )
    return _write_private(path, legacy or secrets.token_hex(32)), str(path)


def pseudonym_key(connection: Connection, env: Mapping[str, str] = os.environ) -> str:
    """The key to pseudonymise customer ids with, checked against the store's fingerprint
    (recorded on first use); PseudonymKeyError when there is none or it is not the store's."""
    stored = _setting(connection, FINGERPRINT)
    key, origin = _key_in_use(connection, env, may_generate=stored is None)
    legacy = _setting(connection, LEGACY_KEY)
    if stored is None and legacy is not None:
        stored = fingerprint(legacy)
    if stored is not None and stored != fingerprint(key):
        raise PseudonymKeyError(
            f"the pseudonymisation key from {origin} is not the key this store's customer keys "
            "were made with: loading with it would count every returning customer as a new one. "
            f"Use the store's key (restore {KEY_ENV} or the key file), or, to start new customer "
            f"keys on purpose, run `{ACCEPT_COMMAND}`"
        )
    _record(connection, key, origin)
    return key


def _record(connection: Connection, key: str, origin: str) -> None:
    """The key's fingerprint in the store, and a legacy key out of its table once the key is
    kept elsewhere (the environment or the key file)."""
    table = STORE_SETTINGS
    value = fingerprint(key)
    if _setting(connection, FINGERPRINT) is None:
        connection.execute(insert(table).values(key=FINGERPRINT, value=value))
    else:
        connection.execute(update(table).where(table.c.key == FINGERPRINT).values(value=value))
    if origin != _IN_TABLE:
        connection.execute(delete(table).where(table.c.key == LEGACY_KEY))


def accept_new_key(connection: Connection, env: Mapping[str, str] = os.environ) -> str | None:
    """Make the key now in use the store's key: customer keys made before will not join those
    made after. Where the key came from, or None when it was the store's key already."""
    with contextlib.suppress(PseudonymKeyError):
        pseudonym_key(connection, env)
        return None
    key, origin = _key_in_use(connection, env, may_generate=True)
    _record(connection, key, origin)
    return origin
