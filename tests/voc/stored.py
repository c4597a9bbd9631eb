"""Put in-memory answers into a store, so the statistics that count in SQL are tested on the
databases they run on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, insert

from cxgov.store.engine import open_store
from cxgov.store.tables import FEEDBACK, INGEST_BATCHES
from cxgov.voc.records import Answer


def rows(answers: Iterable[Answer], batch: int, program: str = "shop") -> list[dict[str, object]]:
    return [
        {
            "program": program,
            "source": a.survey[0],
            "response_id": a.survey[1],
            "measurement_point": a.point,
            "collected_at": dt.datetime.combine(a.day, dt.time(12)),
            "value": a.value,
            "not_applicable": a.not_applicable,
            "customer_key": a.customer or None,
            "segments": {},
            "comment": None,
            "batch_id": batch,
        }
        for a in answers
    ]


@contextmanager
def stored(url: str, answers: Iterable[Answer], program: str = "shop") -> Iterator[Connection]:
    """A connection to the store at `url` holding `answers` (each at noon UTC of its day)."""
    engine = open_store(url)
    try:
        with engine.begin() as connection:
            batch = connection.execute(
                insert(INGEST_BATCHES).values(
                    program=program,
                    source="survey",
                    started_at=dt.datetime(2020, 1, 1),
                    status="committed",
                )
            ).inserted_primary_key
            assert batch is not None
            found = rows(answers, int(batch[0]), program)
            if found:
                connection.execute(insert(FEEDBACK), found)
            yield connection
    finally:
        engine.dispose()
