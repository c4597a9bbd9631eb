"""Mirroring actions to where owners work: an outbox of deliveries.

Every event of an action whose policy names sinks becomes one delivery per sink, recorded in
the store before anything is sent; each attempt commits on its own. So a sink that is down
never fails the evaluation and never loses an action: the delivery stays `failed` and a later
run tries again, once its backoff (`next_attempt_at`) has passed. A sink that refuses for good
(a 4xx, a rejected recipient) leaves it `rejected`, shown by `cxgov actions deliveries` and
tried again with `--retry`.

Which code delivers is the policy sink's `type`, looked up in the sink registry
(`cxgov.actions.sinks.SINKS`); nothing here knows one kind from another.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, insert, or_, select, update

from cxgov.actions import ledger
from cxgov.actions.sinks import Delivery, DeliveryError, Outcome, shown_sink, sink_for, sink_key
from cxgov.judgement.actions import ActionHistory, json_value
from cxgov.model import Program
from cxgov.model.policies import Sink as SinkConfig
from cxgov.store.tables import ACTION_EVENTS, DELIVERIES


@dataclass
class DeliveryRun:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1


def _sinks_by_objective(program: Program) -> dict[str, dict[str, SinkConfig]]:
    policies = {p.id: p for p in program.action_policies}
    found: dict[str, dict[str, SinkConfig]] = {}
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
        keys = sinks.get(action.objective)
        if not keys:
            continue
        events = connection.execute(
            select(ACTION_EVENTS.c.id).where(ACTION_EVENTS.c.action_id == action.id)
        ).scalars()
        known = {
            (event_id, sink)
            for event_id, sink in connection.execute(
                select(DELIVERIES.c.event_id, DELIVERIES.c.sink).where(
                    DELIVERIES.c.action_id == action.id
                )
            )
        }
        rows = [
            {
                "program": program.program.id,
                "action_id": action.id,
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


DELIVERY_SECONDS = 30.0
"""The most one delivery may take, its retries included."""
RUN_SECONDS = 300.0
"""The most a run spends delivering; what is left waits for the next run."""
DOWN_AFTER = 2
"""Failed deliveries to one sink after which the run stops trying that sink: each would wait
out its timeouts again, and the next run tries them all."""
RETRY_FIRST = dt.timedelta(minutes=5)
"""How long a failed delivery waits before a run tries it again; doubled with each failure."""
RETRY_LONGEST = dt.timedelta(hours=6)
"""The longest a failed delivery waits, whatever the failures or a receiver's `Retry-After`:
under a day, so a nightly run tries every failed delivery again."""


def next_attempt(now: dt.datetime, attempts: int, retry_after: float | None) -> dt.datetime:
    """When a delivery that failed for the `attempts`-th time is due again: `RETRY_FIRST`
    doubled per earlier failure, or longer when the receiver asked (`Retry-After`), never
    longer than `RETRY_LONGEST`."""
    wait = min(RETRY_FIRST * (1 << min(max(attempts - 1, 0), 16)), RETRY_LONGEST)
    if retry_after is not None:
        # bounded before it becomes a timedelta: a Retry-After of 1e20 seconds would overflow
        asked = min(retry_after, RETRY_LONGEST.total_seconds())
        wait = max(wait, dt.timedelta(seconds=asked))
    return now + wait


def deliver(
    engine: Engine,
    program: Program,
    *,
    clock: Callable[[], dt.datetime],
    env: Mapping[str, str] = os.environ,
    delivery_seconds: float = DELIVERY_SECONDS,
    run_seconds: float = RUN_SECONDS,
    before_send: Callable[[], None] | None = None,
) -> DeliveryRun:
    """Enqueue new events, then try every pending or failed delivery once, oldest first.

    No connection is held while a sink talks to its receiver: the action is read before and
    the outcome written after, each in a short transaction of its own, so people can work the
    actions (an SQLite store has one writer at a time) while a slow receiver answers. Each
    delivery has `delivery_seconds`, all of them together `run_seconds`; a sink that failed
    `DOWN_AFTER` times is not tried again in this run. What is not tried stays waiting (counted
    `skipped` for the run, with the reason in `last_error`) and the next run tries it; so does
    a delivery to a sink whose environment variables are not set (CXG221 names them). A
    delivery that failed waits before it is tried again (`next_attempt`); one not yet due is
    left alone.
    `before_send` is called before each attempt (the run checks it still holds its lock)."""
    with engine.begin() as connection:
        enqueue(connection, program, clock())
    started = clock().replace(tzinfo=None)
    with engine.connect() as connection:
        waiting = [
            DeliveryState(**r)
            for r in connection.execute(
                select(DELIVERIES)
                .where(
                    DELIVERIES.c.program == program.program.id,
                    DELIVERIES.c.status.in_(("pending", "failed")),
                    or_(
                        DELIVERIES.c.next_attempt_at.is_(None),
                        DELIVERIES.c.next_attempt_at <= started,
                    ),
                )
                .order_by(DELIVERIES.c.action_id, DELIVERIES.c.event_id, DELIVERIES.c.id)
            ).mappings()
        ]
    sinks = _sinks_by_objective(program)
    owners = {o.id: o for o in program.owners}
    language = program.program.language.value
    names = {o.id: o.name for o in program.objectives}
    result = DeliveryRun()
    run_deadline = time.monotonic() + run_seconds
    failures: dict[str, int] = {}
    variables = dict(env)
    # Deliveries come grouped by action; nothing in this loop changes an action or its events.
    actions: dict[int, ActionHistory] = {}
    for queued in waiting:
        if failures.get(queued.sink, 0) >= DOWN_AFTER:
            _not_tried(engine, queued, _DOWN.format(n=failures[queued.sink]), clock)
            result.add("skipped")
            continue
        if time.monotonic() >= run_deadline:
            _not_tried(engine, queued, _OUT_OF_TIME.format(seconds=f"{run_seconds:g}"), clock)
            result.add("skipped")
            continue
        if before_send is not None:
            before_send()
        if queued.action_id not in actions:
            with engine.connect() as connection:
                actions[queued.action_id] = ledger.action(connection, queued.action_id)
        action = actions[queued.action_id]
        event = next(e for e in action.events if e.id == queued.event_id)
        config = sinks.get(action.objective, {}).get(queued.sink)
        missing = config.missing_environment(variables) if config is not None else {}
        if missing:
            # a rejection would lose the delivery for a setting someone has yet to make
            unset = ", ".join(f"{name} ({field})" for name, field in missing.items())
            _not_tried(engine, queued, _MISSING.format(names=unset), clock)
            result.add("skipped")
            continue
        unreachable = False
        retry_after: float | None = None
        try:
            if config is None:
                outcome = Outcome("skipped", "the sink is no longer in the action's policy")
            else:
                outcome = sink_for(config.type).deliver(
                    config,
                    Delivery(
                        action=action,
                        event=event,
                        owners=owners,
                        language=language,
                        env=env,
                        earlier_ref=functools.partial(_earlier_ref, engine, queued),
                        deadline=min(time.monotonic() + delivery_seconds, run_deadline),
                        site_url=program.program.site_url,
                        objective_name=names.get(action.objective or ""),
                        clock=clock,
                    ),
                )
            status: str = outcome.status
            error, ref = outcome.error, outcome.ref
        except DeliveryError as exc:
            status, error, ref = "failed" if exc.retryable else "rejected", str(exc), None
            unreachable, retry_after = exc.retryable, exc.retry_after
        if unreachable:
            # only the receiver's failures count: a delivery waiting on another is no sign
            failures[queued.sink] = failures.get(queued.sink, 0) + 1
        now = clock().replace(tzinfo=None)
        # only a receiver's failure backs off: a delivery waiting on another is tried next run
        due = next_attempt(now, queued.attempts + 1, retry_after) if unreachable else None
        with engine.begin() as connection:
            connection.execute(
                update(DELIVERIES)
                .where(DELIVERIES.c.id == queued.id)
                .values(
                    status=status,
                    attempts=DELIVERIES.c.attempts + int(status != "skipped"),
                    last_error=error,
                    external_ref=ref,
                    updated_at=now,
                    next_attempt_at=due,
                )
            )
        result.add(status)
    return result


_DOWN = "not tried in this run: the sink failed {n} times before it; the next run tries again"
_MISSING = (
    "not delivered: the sink's environment variables {names} are not set where the run runs "
    "(cxgov validate --environment lists them); the next run tries again"
)
_OUT_OF_TIME = (
    "not tried in this run: its {seconds} s for deliveries ran out; the next run tries again"
)


def _not_tried(
    engine: Engine, queued: DeliveryState, why: str, clock: Callable[[], dt.datetime]
) -> None:
    """Say why a waiting delivery was passed over; it stays pending or failed."""
    with engine.begin() as connection:
        connection.execute(
            update(DELIVERIES)
            .where(DELIVERIES.c.id == queued.id)
            .values(last_error=why, updated_at=clock().replace(tzinfo=None))
        )


def _earlier_ref(engine: Engine, state: DeliveryState) -> str | None:
    """The `external_ref` an earlier delivery of the same action to the same sink recorded."""
    with engine.connect() as connection:
        found = connection.execute(
            select(DELIVERIES.c.external_ref).where(
                DELIVERIES.c.action_id == state.action_id,
                DELIVERIES.c.sink == state.sink,
                DELIVERIES.c.external_ref.is_not(None),
            )
        ).scalar_one_or_none()
    return None if found is None else str(found)


@dataclass(frozen=True, slots=True)
class DeliveryState:
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
    next_attempt_at: dt.datetime | None = None
    """When a failed delivery is due to be tried again (UTC); None: by the next run."""

    def to_json(self) -> dict[str, Any]:
        found = {f: json_value(getattr(self, f)) for f in self.__dataclass_fields__}
        return found | {"sink": shown_sink(self.sink)}


def waiting_deliveries(connection: Connection, program: str | None) -> list[DeliveryState]:
    """Deliveries that have not got through: pending, failed and rejected."""
    query = (
        select(DELIVERIES)
        .where(DELIVERIES.c.status.in_(("pending", "failed", "rejected")))
        .order_by(DELIVERIES.c.id)
    )
    if program is not None:
        query = query.where(DELIVERIES.c.program == program)
    return [DeliveryState(**r) for r in connection.execute(query).mappings()]


def retry_rejected(connection: Connection, program: str | None) -> int:
    """Queue rejected deliveries again, and let failed ones be tried by the next run without
    waiting out their backoff (someone fixed the receiver); returns how many were rejected."""
    due_now = update(DELIVERIES).where(DELIVERIES.c.status == "failed").values(next_attempt_at=None)
    query = (
        update(DELIVERIES)
        .where(DELIVERIES.c.status == "rejected")
        .values(status="pending", next_attempt_at=None)
    )
    if program is not None:
        due_now = due_now.where(DELIVERIES.c.program == program)
        query = query.where(DELIVERIES.c.program == program)
    connection.execute(due_now)
    return int(connection.execute(query).rowcount)
