"""The block path's per-row caches give what computing every row would, whatever the cache
already holds and however small its limit."""

from __future__ import annotations

import pytest

from cxgov.ingest.mapping import _cached


@pytest.mark.parametrize("limit", [1, 2, 3, 100])
def test_cached_lookups_match_computing_each_row(limit: int) -> None:
    calls: list[object] = []

    def compute(key: object) -> object:
        calls.append(key)
        return ("computed", key)

    cache: dict[object, object] = {"b": ("computed", "b")}
    points = ["a", "b", "a", "c", "b", "d", "a"]
    values = ["1", "2", "1", "3", "2", "4", "1"]
    assert _cached(cache, [points], compute, limit) == [("computed", p) for p in points]
    assert len(cache) <= max(limit, 1)
    pairs = list(zip(points, values, strict=True))
    assert _cached({}, [points, values], compute, limit) == [("computed", p) for p in pairs]
    if limit == 100:
        assert sorted(map(str, calls)) == sorted(map(str, ["a", "c", "d", *dict.fromkeys(pairs)]))
