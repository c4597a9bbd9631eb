"""Pseudonymous customer keys: a keyed hash, so the store never holds a raw customer id but the
same customer still joins across answers."""

from __future__ import annotations

import hmac
from collections.abc import Callable

KEY_LENGTH = 32
# Customers recur across answers; remembering recent keys saves most of the hashing. Bounded,
# so memory stays flat however many distinct customers a file holds.
_CACHE_SIZE = 1 << 16


def pseudonymiser(key: str) -> Callable[[str], str]:
    """HMAC-SHA256 of the customer id under `key`, as 32 hex characters (128 bits)."""
    secret = key.encode("utf-8")
    cache: dict[str, str] = {}
    digest = hmac.digest

    def pseudonymise(customer_id: str) -> str:
        found = cache.get(customer_id)
        if found is None:
            found = digest(secret, customer_id.encode("utf-8"), "sha256").hex()[:KEY_LENGTH]
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            cache[customer_id] = found
        return found

    return pseudonymise
