"""Pseudonymous customer keys: a keyed hash, so the store never holds a raw customer id but the
same customer still joins across answers."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

KEY_ENV = "CXGOV_PSEUDONYM_KEY"
KEY_LENGTH = 32


def pseudonymiser(key: str) -> Callable[[str], str]:
    """HMAC-SHA256 of the customer id under `key`, as 32 hex characters (128 bits)."""
    secret = key.encode("utf-8")

    def pseudonymise(customer_id: str) -> str:
        return hmac.new(secret, customer_id.encode("utf-8"), hashlib.sha256).hexdigest()[
            :KEY_LENGTH
        ]

    return pseudonymise
