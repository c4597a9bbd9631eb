"""Mirroring actions to where owners work: an outbox of deliveries.

Every event of an action whose policy names sinks becomes one delivery per sink, recorded in
the store before anything is sent; each attempt commits on its own. So a sink that is down
never fails the evaluation and never loses an action: the delivery stays `failed` and the next
run tries again. A sink that refuses for good (a 4xx, a rejected recipient) leaves it
`rejected`, shown by `cxgov actions deliveries` and tried again with `--retry`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from cxgov.actions import ledger
from cxgov.actions.sinks import (
    DeliveryError,
    GitHubIssues,
    SmtpSettings,
    action_email,
    deliver_webhook,
    delivery_id_for,
    github_token,
    issue_body,
    issue_title,
    payload,
    send_email,
    webhook_secret,
)
from cxgov.model import Program
from cxgov.model.policies import Sink, SinkType
from cxgov.store.tables import ACTION_EVENTS, DELIVERIES

GITHUB_API_ENV = "CXGOV_GITHUB_API_URL"
EMAIL_EVENTS = frozenset(
    {
        "opened",
        "severity_raised",
        "escalated",
        "assigned",
        "reopen_ineffective",
        "reopened",
        "verify_effective",
        "close_recovered",
    }
)
"""A mail for what an owner must know, not for every comment."""
_CLOSING = {"verify_effective": "completed", "close_recovered": "completed"}


@dataclass
class DeliveryRun:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1


def sink_key(sink: Sink) -> str:
    target = {
        SinkType.WEBHOOK: sink.url or "",
        SinkType.EMAIL: ",".join(sink.to) or "owners",
        SinkType.GITHUB: sink.repo or "",
    }[sink.type]
    return f"{sink.type.value}:{target}"[:300]


def _sinks_by_objective(program: Program) -> dict[str, dict[str, Sink]]:
    policies = {p.id: p for p in program.action_policies}
    found: dict[str, dict[str, Sink]] = {}
    for objective in program.objectives:
        policy = policies.get(objective.action_policy or "")
        if policy and policy.sinks:
            found[objective.id] = {sink_key(s): s for s in policy.sinks}
    return found


def enqueue(connection: Connection, program: Program, now: dt.datetime) -> int:
    """Record a pending delivery for every event and sink that has none yet."""
    sinks = _sinks_by_objective(program)
    stamp = now.replace(tzinfo=None)
    added = 0
    for action in ledger.actions(connection, program.program.id):
        keys = sinks.get(action["objective"])
        if not keys:
            continue
        events = connection.execute(
            select(ACTION_EVENTS.c.id).where(ACTION_EVENTS.c.action_id == action["id"])
        ).scalars()
        known = {
            (event_id, sink)
            for event_id, sink in connection.execute(
                select(DELIVERIES.c.event_id, DELIVERIES.c.sink).where(
                    DELIVERIES.c.action_id == action["id"]
                )
            )
        }
        rows = [
            {
                "program": program.program.id,
                "action_id": action["id"],
                "event_id": event_id,
                "sink": key,
                "status": "pending",
                "attempts": 0,
                "created_at": stamp,
                "updated_at": stamp,
            }
            for event_id in events
            for key in keys
            if (event_id, key) not in known
        ]
        if rows:
            connection.execute(insert(DELIVERIES), rows)
            added += len(rows)
    return added


def deliver(
    engine: Engine,
    program: Program,
    *,
    clock: Callable[[], dt.datetime],
    env: Mapping[str, str] = os.environ,
) -> DeliveryRun:
    """Enqueue new events, then try every pending or failed delivery once, oldest first."""
    with engine.begin() as connection:
        enqueue(connection, program, clock())
    with engine.connect() as connection:
        waiting = [
            dict(r)
            for r in connection.execute(
                select(DELIVERIES)
                .where(
                    DELIVERIES.c.program == program.program.id,
                    DELIVERIES.c.status.in_(("pending", "failed")),
                )
                .order_by(DELIVERIES.c.action_id, DELIVERIES.c.event_id, DELIVERIES.c.id)
            ).mappings()
        ]
    sinks = _sinks_by_objective(program)
    owners = {o.id: o for o in program.owners}
    language = program.program.language.value
    result = DeliveryRun()
    # Deliveries come grouped by action; nothing in this loop changes an action or its events.
    actions: dict[int, dict[str, Any]] = {}
    for row in waiting:
        with engine.begin() as connection:
            if row["action_id"] not in actions:
                actions[row["action_id"]] = ledger.action(connection, row["action_id"])
            action = actions[row["action_id"]]
            event = next(e for e in action["events"] if e["id"] == row["event_id"])
            sink = sinks.get(action["objective"], {}).get(row["sink"])
            status, error, ref = "delivered", None, None
            try:
                if sink is None:
                    status, error = "skipped", "the sink is no longer in the action's policy"
                elif sink.type is SinkType.WEBHOOK:
                    assert sink.url is not None
                    deliver_webhook(
                        sink.url,
                        payload(action, event),
                        secret=webhook_secret(sink.secret_env, env),
                        delivery_id=delivery_id_for(action, event),
                    )
                elif sink.type is SinkType.EMAIL:
                    status, error = _email(sink, action, event, owners, language, env)
                else:
                    status, error, ref = _github(connection, sink, row, action, event, owners, env)
            except DeliveryError as exc:
                status = "failed" if exc.retryable else "rejected"
                error = str(exc)
            connection.execute(
                update(DELIVERIES)
                .where(DELIVERIES.c.id == row["id"])
                .values(
                    status=status,
                    attempts=DELIVERIES.c.attempts + int(status != "skipped"),
                    last_error=error,
                    external_ref=ref,
                    updated_at=clock().replace(tzinfo=None),
                )
            )
        result.add(status)
    return result


def _email(
    sink: Sink,
    action: dict[str, Any],
    event: dict[str, Any],
    owners: Mapping[str, Any],
    language: str,
    env: Mapping[str, str],
) -> tuple[str, str | None]:
    if event["kind"] not in EMAIL_EVENTS:
        return "skipped", f"no mail for {event['kind']} events"
    people = [action["assignee"]]
    if event["kind"] == "escalated" and action["escalated_to"]:
        people.append(action["escalated_to"])
    to = [owners[p].email for p in people if p in owners and owners[p].email]
    to += [address for address in sink.to if address not in to]
    if not to:
        return "skipped", "no recipient has an e-mail address"
    subject, text = action_email(action, event, language)
    send_email(SmtpSettings.from_env(env), to, subject, text)
    return "delivered", None


def _github(
    connection: Connection,
    sink: Sink,
    row: Mapping[str, Any],
    action: dict[str, Any],
    event: dict[str, Any],
    owners: Mapping[str, Any],
    env: Mapping[str, str],
) -> tuple[str, str | None, str | None]:
    """The issue is created by the `opened` event; later events comment on it and move it."""
    assert sink.repo is not None
    issues = GitHubIssues(
        sink.repo,
        github_token(sink.token_env, env),
        api_url=env.get(GITHUB_API_ENV, "https://api.github.com"),
    )
    if event["kind"] == "opened":
        owner = owners.get(action["assignee"])
        handle = owner.github if owner is not None and owner.github else None
        labels = [*sink.labels, f"severity:{action['severity']}"]
        number = issues.create(
            issue_title(action), issue_body(action, event), labels, [handle] if handle else []
        )
        return "delivered", None, str(number)
    created = connection.execute(
        select(DELIVERIES.c.external_ref).where(
            DELIVERIES.c.action_id == row["action_id"],
            DELIVERIES.c.sink == row["sink"],
            DELIVERIES.c.external_ref.is_not(None),
        )
    ).scalar_one_or_none()
    if created is None:
        return "failed", "waiting for the issue to be created (the opened event)", None
    number = int(created)
    issues.comment(number, issue_body(action, event))
    if event["kind"] in _CLOSING or event["kind"] == "cancelled":
        issues.close(number, "not_planned" if event["kind"] == "cancelled" else "completed")
    elif event["kind"] in ("reopened", "reopen_ineffective"):
        issues.update(number, state="open")
    return "delivered", None, None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event of one action mirrored to one sink (a row of `deliveries`)."""

    id: int
    program: str
    action_id: int
    event_id: int
    sink: str
    status: str
    """pending, delivered, failed (tried again next run), rejected (not retried), skipped."""
    attempts: int
    last_error: str | None
    external_ref: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {f: ledger.json_value(getattr(self, f)) for f in self.__dataclass_fields__}


def waiting_deliveries(connection: Connection, program: str | None) -> list[Delivery]:
    """Deliveries that have not got through: pending, failed and rejected."""
    query = (
        select(DELIVERIES)
        .where(DELIVERIES.c.status.in_(("pending", "failed", "rejected")))
        .order_by(DELIVERIES.c.id)
    )
    if program is not None:
        query = query.where(DELIVERIES.c.program == program)
    return [Delivery(**r) for r in connection.execute(query).mappings()]


def retry_rejected(connection: Connection, program: str | None) -> int:
    query = update(DELIVERIES).where(DELIVERIES.c.status == "rejected").values(status="pending")
    if program is not None:
        query = query.where(DELIVERIES.c.program == program)
    return int(connection.execute(query).rowcount)
