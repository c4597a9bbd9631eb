"""Reading the newest comments of a measurement point's period (never the customer keys)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

from sqlalchemy import Connection, select

from cxgov.store.tables import FEEDBACK


def newest_comments(
    connection: Connection,
    *,
    program: str,
    point: str,
    start: dt.datetime,
    end: dt.datetime,
    segment: dict[str, str],
    scan: int,
) -> Iterator[str]:
    """Comments at `point` collected in [start, end), newest first, of answers in `segment`.
    At most `scan` of the newest comments are read before the segment filter picks."""
    f = FEEDBACK
    rows = connection.execute(
        select(f.c.comment, f.c.segments)
        .where(
            f.c.program == program,
            f.c.measurement_point == point,
            f.c.collected_at >= start,
            f.c.collected_at < end,
            f.c.comment.is_not(None),
            f.c.comment != "",
        )
        .order_by(f.c.collected_at.desc(), f.c.id.desc())
        .limit(scan)
    )
    for comment, segments in rows:
        values = segments if isinstance(segments, dict) else json.loads(segments or "{}")
        if all(values.get(k) == v for k, v in segment.items()):
            yield comment
