"""Owners' digests from the store, and their delivery by e-mail on each owner's schedule.

`digest: daily` owners get one every run day, `weekly` owners on Mondays, `none` never. A sent
digest is recorded, so a second run of the same day sends nothing again; one that failed is
not, so the next run tries again.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping

from sqlalchemy import Connection, Engine, insert, select

from cxgov.actions import ledger
from cxgov.actions.digest import (
    DigestData,
    default_since,
    owned_objectives,
    render,
    render_html,
    subject,
)
from cxgov.actions.sinks import DeliveryError, SmtpSettings, send_email
from cxgov.judgement.status import current_status
from cxgov.model import Program
from cxgov.model.owners import DigestSchedule, Owner
from cxgov.model.policies import SMTP_HOST_ENV
from cxgov.store.runs import latest_verdicts
from cxgov.store.tables import DIGESTS


def collect(
    connection: Connection,
    program: Program,
    owner: Owner,
    as_of: dt.date,
    since: dt.date | None = None,
) -> DigestData:
    start = since or default_since(owner, as_of)
    objectives = owned_objectives(program, owner.id)
    run_id, verdicts = latest_verdicts(connection, program.program.id)
    current = current_status(verdicts)
    mine = [
        a
        for a in ledger.actions(connection, program.program.id)
        if owner.id in (a.assignee, a.escalated_to)
    ]
    events = ledger.events_since(
        connection, [a.id for a in mine], dt.datetime.combine(start, dt.time())
    )
    return DigestData(
        program=program,
        owner=owner,
        as_of=as_of,
        since=start,
        run_id=run_id,
        current=[now for objective, now in current.items() if objective in objectives],
        actions=mine,
        events=events,
    )


def due_today(owner: Owner, as_of: dt.date) -> bool:
    if owner.digest is DigestSchedule.DAILY:
        return True
    return owner.digest is DigestSchedule.WEEKLY and as_of.weekday() == 0


def send_digests(
    engine: Engine,
    program: Program,
    as_of: dt.date,
    *,
    clock: Callable[[], dt.datetime],
    env: Mapping[str, str] = os.environ,
    before_send: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Mail the digests due today that were not sent yet; counts by outcome. Without an SMTP
    server configured nothing is sent (the digest command still renders them).

    No transaction is open while the mail server answers (an SQLite store has one writer at a
    time); `before_send` is called before each mail (the run checks it still holds its lock,
    which is what keeps two runs from mailing the same digest)."""
    if not env.get(SMTP_HOST_ENV):
        return {}
    counts: dict[str, int] = {}
    for owner in program.owners:
        if not owner.email or not due_today(owner, as_of):
            continue
        with engine.connect() as connection:
            sent = connection.execute(
                select(DIGESTS.c.id).where(
                    DIGESTS.c.program == program.program.id,
                    DIGESTS.c.owner == owner.id,
                    DIGESTS.c.as_of == as_of,
                )
            ).first()
            if sent is not None:
                continue
            data = collect(connection, program, owner, as_of)
        text, html, title = render(data), render_html(data), subject(data)
        if before_send is not None:
            before_send()
        try:
            send_email(SmtpSettings.from_env(env), [owner.email], title, text, html=html)
        except DeliveryError:
            counts["failed"] = counts.get("failed", 0) + 1
            continue
        with engine.begin() as connection:
            connection.execute(
                insert(DIGESTS).values(
                    program=program.program.id,
                    owner=owner.id,
                    as_of=as_of,
                    sent_at=clock().replace(tzinfo=None),
                )
            )
        counts["sent"] = counts.get("sent", 0) + 1
    return counts
