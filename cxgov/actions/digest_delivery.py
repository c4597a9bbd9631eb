"""Owners' digests from the store, and their delivery on each owner's schedule: by e-mail, and
to the owner's Microsoft Teams and Slack chats.

`digest: daily` owners get one every run day, `weekly` owners on Mondays, `none` never. A digest
sent to a channel is recorded for that channel, so a second run of the same day sends nothing
again there; one that failed is not, so the next run tries that channel again.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Mapping
from enum import StrEnum

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
from cxgov.actions.digest_blocks import digest_blocks
from cxgov.actions.digest_card import digest_card
from cxgov.actions.sinks import DeliveryError, SmtpSettings, send_email
from cxgov.actions.sinks.teams import teams_message
from cxgov.actions.sinks.webhook import deliver_webhook
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


class Channel(StrEnum):
    """Where an owner's digest goes."""

    EMAIL = "email"
    TEAMS = "teams"
    SLACK = "slack"


CHAT_SECONDS = 30.0
"""How long one chat post may take, retries included (as one action delivery may)."""


def channels(owner: Owner, env: Mapping[str, str]) -> list[Channel]:
    """The channels `owner`'s digest can go to in `env`: e-mail with an address and a mail
    server, each chat whose URL variable is set."""
    found = []
    if owner.email and env.get(SMTP_HOST_ENV):
        found.append(Channel.EMAIL)
    if owner.teams_url_env and env.get(owner.teams_url_env, "").strip():
        found.append(Channel.TEAMS)
    if owner.slack_url_env and env.get(owner.slack_url_env, "").strip():
        found.append(Channel.SLACK)
    return found


def _send(channel: Channel, data: DigestData, env: Mapping[str, str]) -> None:
    """Send one digest to one channel; `DeliveryError` when it did not get through."""
    owner = data.owner
    if channel is Channel.EMAIL:
        assert owner.email is not None
        send_email(SmtpSettings.from_env(env), [owner.email], subject(data), render(data),
                   html=render_html(data))  # fmt: skip
        return
    if channel is Channel.TEAMS:
        assert owner.teams_url_env is not None
        url, body = env[owner.teams_url_env].strip(), teams_message(digest_card(data))
    else:
        assert owner.slack_url_env is not None
        url, body = env[owner.slack_url_env].strip(), digest_blocks(data)
    deliver_webhook(
        url,
        body,
        signer=None,
        # a receiver that sees the same post twice (a retry whose answer was lost) can tell
        delivery_id=f"digest-{data.program.program.id}-{owner.id}-{data.as_of}-{channel}",
        deadline=time.monotonic() + CHAT_SECONDS,
        event_kind="digest",
    )


def send_digests(
    engine: Engine,
    program: Program,
    as_of: dt.date,
    *,
    clock: Callable[[], dt.datetime],
    env: Mapping[str, str] = os.environ,
    before_send: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Send the digests due today that were not sent yet, to every channel of each owner;
    counts by outcome (`sent`, `failed`). An owner with no channel in `env` gets nothing (the
    digest command still renders theirs).

    No transaction is open while a mail server or chat answers (an SQLite store has one writer
    at a time); `before_send` is called before each send (the run checks it still holds its
    lock, which is what keeps two runs from sending the same digest)."""
    counts: dict[str, int] = {}
    for owner in program.owners:
        wanted = channels(owner, env) if due_today(owner, as_of) else []
        if not wanted:
            continue
        with engine.connect() as connection:
            done = set(
                connection.execute(
                    select(DIGESTS.c.channel).where(
                        DIGESTS.c.program == program.program.id,
                        DIGESTS.c.owner == owner.id,
                        DIGESTS.c.as_of == as_of,
                    )
                ).scalars()
            )
            todo = [channel for channel in wanted if channel.value not in done]
            if not todo:
                continue
            data = collect(connection, program, owner, as_of)
        for channel in todo:
            if before_send is not None:
                before_send()
            try:
                _send(channel, data, env)
            except DeliveryError:
                counts["failed"] = counts.get("failed", 0) + 1
                continue
            with engine.begin() as connection:
                connection.execute(
                    insert(DIGESTS).values(
                        program=program.program.id,
                        owner=owner.id,
                        as_of=as_of,
                        channel=channel.value,
                        sent_at=clock().replace(tzinfo=None),
                    )
                )
            counts["sent"] = counts.get("sent", 0) + 1
    return counts
