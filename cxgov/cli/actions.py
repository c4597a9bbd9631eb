"""`cxgov actions`: people work the actions opened for missed objectives."""

from __future__ import annotations

import csv
import getpass
import io
import json
from typing import Any

import click

from cxgov import api
from cxgov.cli.common import (
    db_option,
    edge_clock,
    format_option,
    guarded,
    moment,
    program_id,
    program_id_option,
    today,
)
from cxgov.judgement.outcome import ExitCode

LIST_FIELDS = (
    "id",
    "program",
    "objective",
    "segment",
    "trigger",
    "status",
    "severity",
    "assignee",
    "due",
    "opened_at",
    "occurrences",
    "escalation_level",
)
"""The `list --format json` contract, field by field."""


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


_actor_option = click.option(
    "--as",
    "actor",
    envvar="CXGOV_ACTOR",
    show_envvar=True,
    default=_default_actor,
    help="Who makes the change (recorded with the event; default: the login name).",
)


def _listed(action: api.Action) -> dict[str, Any]:
    shown = action.to_json()
    return {name: shown[name] for name in LIST_FIELDS}


def _segment_text(segment: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(segment.items())) or "-"


def _segment_suffix(segment: dict[str, str]) -> str:
    return f" [{_segment_text(segment)}]" if segment else ""


@click.group()
def actions() -> None:
    """Work the actions opened for missed objectives: list, show, acknowledge, start,
    comment, assign, resolve, reopen, cancel. Every change is recorded with who and when."""


@actions.command("list")
@program_id_option
@click.option("--owner", help="Only actions assigned or escalated to this owner id.")
@click.option(
    "--status",
    type=click.Choice([s.value for s in api.ActionStatus], case_sensitive=False),
    help="Only actions in this status.",
)
@click.option("--journey", help="Only actions of this journey id.")
@click.option("--overdue", is_flag=True, help="Only unfinished actions past their due date.")
@format_option(choices=("table", "json", "csv"))
@db_option
@guarded
def list_command(
    program: str | None,
    owner: str | None,
    status: str | None,
    journey: str | None,
    overdue: bool,
    output_format: str,
    db: str | None,
) -> int:
    """List actions, oldest first."""
    where = api.ActionFilter(
        program=program_id(program, db),
        owner=owner,
        status=status,
        journey=journey,
        overdue_on=today() if overdue else None,
    )
    rows = [_listed(action) for action in api.list_actions(db, where)]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif output_format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=LIST_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "segment": _segment_text(row["segment"])})
        click.echo(buffer.getvalue(), nl=False)
    elif not rows:
        click.echo("no actions")
    else:
        click.echo(
            f"{'id':>5}  {'status':<18} {'severity':<8} {'due':<10}  {'assignee':<16} objective"
        )
        for row in rows:
            click.echo(
                f"{row['id']:>5}  {row['status']:<18} {row['severity']:<8} {row['due']:<10}  "
                f"{row['assignee']:<16} {row['objective']}{_segment_suffix(row['segment'])}"
                + f" ({row['trigger']}, {row['occurrences']}x"
                + (f", escalated {row['escalation_level']}" if row["escalation_level"] else "")
                + ")"
            )
    return ExitCode.OK


_NUMBERS = api.Locale(api.Language.EN)
"""Figures as the site rounds them (one decimal, thousands grouped), in the command line's
English."""


def _assignment(found: api.ActionHistory) -> str:
    """To whom the action is assigned, since when and by whom: the newest `assigned` event,
    else the opening (the policy chose the assignee)."""
    for event in reversed(found.events):
        if event.kind == "assigned":
            before = event.data.get("from")
            was = f", was {before}" if before and before != found.assignee else ""
            return f"assigned to {found.assignee} at {moment(event.at)} by {event.actor}{was}"
    return f"assigned to {found.assignee} at {moment(found.opened_at)} by its action policy"


def _echo_action(found: api.ActionHistory) -> None:
    evidence = found.evidence or {}
    click.echo(
        f"action {found.id}: {found.objective}{_segment_suffix(found.segment)} "
        f"{found.trigger}, {found.status}, severity {found.severity}"
    )
    click.echo(f"  {_assignment(found)}; due {found.due.isoformat()}")
    if found.escalated_to:
        click.echo(f"  escalated to {found.escalated_to} (level {found.escalation_level})")
    if evidence:
        period = evidence.get("period", {})
        n = evidence.get("n")
        figure = _NUMBERS.number
        click.echo(
            f"  evidence: {evidence.get('kpi')} {figure(evidence.get('value'))} "
            f"(n={'-' if n is None else _NUMBERS.integer(n)}, interval "
            f"{figure(evidence.get('ci_low'))}..{figure(evidence.get('ci_high'))}) against "
            f"target {figure(evidence.get('target'))} in {period.get('start')}..{period.get('end')}"
        )
        if evidence.get("consequence"):
            click.echo(f"  consequence: {evidence['consequence']}")
    for event in found.events:
        change = (
            event.to_status
            if event.from_status == event.to_status
            else f"{event.from_status or ''} → {event.to_status}".strip()
        )
        note = f": {event.note}" if event.note else ""
        if event.kind == "assigned":
            note = f": {event.data.get('from')} → {event.data.get('to')}{note}"
        click.echo(f"  {moment(event.at)} {event.actor}: {event.kind} ({change}){note}")


def _run_change(change: str, action_id: int, **kwargs: Any) -> int:
    found = api.change_action(action_id, change, clock=edge_clock(), **kwargs)
    click.echo(f"action {action_id}: {found.status}")
    return ExitCode.OK


@actions.command("show")
@click.argument("action_id", type=int)
@format_option()
@db_option
@guarded
def show_command(action_id: int, output_format: str, db: str | None) -> int:
    """Show one action with its evidence and its history of events."""
    found = api.show_action(action_id, db)
    if output_format == "json":
        click.echo(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
    else:
        _echo_action(found)
    return ExitCode.OK


def _status_command(name: str, status: str, summary: str, needs_note: bool) -> None:
    @click.argument("action_id", type=int)
    @click.option("--note", required=needs_note, help="Why (recorded with the event).")
    @_actor_option
    @db_option
    @guarded
    def command(action_id: int, note: str | None, actor: str, db: str | None) -> int:
        return _run_change(status, action_id, actor=actor, db=db, note=note)

    command.__doc__ = summary
    actions.command(name)(command)


_status_command("ack", "acknowledged", "Acknowledge an action: someone has seen it.", False)
_status_command("start", "in_progress", "Mark an action as being worked on.", False)
_status_command(
    "resolve",
    "resolved",
    "Resolve an action; the next periods verify whether the KPI really recovered.",
    True,
)
_status_command("reopen", "reopened", "Reopen a resolved or ended action.", False)
_status_command("cancel", "cancelled", "Cancel an action that needs no work.", True)


@actions.command("comment")
@click.argument("action_id", type=int)
@click.argument("text")
@_actor_option
@db_option
@guarded
def comment_command(action_id: int, text: str, actor: str, db: str | None) -> int:
    """Add a comment to an action's history."""
    return _run_change("comment", action_id, actor=actor, db=db, note=text)


@actions.command("assign")
@click.argument("action_id", type=int)
@click.argument("owner")
@click.option(
    "--program",
    "program",
    metavar="DIR|ID",
    help="The action's program, whose owners OWNER must be one of (default: the program "
    "with the action's program id under programs/).",
)
@_actor_option
@db_option
@guarded
def assign_command(
    action_id: int, owner: str, program: str | None, actor: str, db: str | None
) -> int:
    """Give an action to another owner: an owner id of the action's program (a usage error,
    exit 2, names the valid ones)."""
    return _run_change("assign", action_id, actor=actor, db=db, owner=owner, program_dir=program)


@actions.command("deliveries")
@program_id_option
@click.option(
    "--retry",
    is_flag=True,
    help="Put rejected deliveries back in the queue, and let the next run try failed ones "
    "without waiting out their backoff.",
)
@format_option()
@db_option
@guarded
def deliveries_command(program: str | None, retry: bool, output_format: str, db: str | None) -> int:
    """Deliveries to sinks (webhook, e-mail, GitHub) that have not got through yet: pending,
    failed (tried again by a run after its backoff, 5 minutes doubling per failure up to 6
    hours, or longer when the receiver asked) and rejected (refused by the sink; --retry)."""
    found = api.deliveries(db, program_id(program, db), retry=retry)
    if output_format == "json":
        click.echo(json.dumps([d.to_json() for d in found.waiting], indent=2))
        return ExitCode.OK
    if retry:
        click.echo(f"{found.reset} rejected deliveries queued again")
    if not found.waiting:
        click.echo("every delivery got through")
    for d in found.waiting:
        error = f": {d.last_error}" if d.last_error else ""
        due = ""
        if d.status == "failed" and d.next_attempt_at is not None:
            due = f", next try from {d.next_attempt_at:%Y-%m-%d %H:%M} UTC"
        click.echo(
            f"action {d.action_id} event {d.event_id} → {api.shown_sink(d.sink)}: "
            f"{d.status} after {d.attempts} attempt(s){due}{error}"
        )
    return ExitCode.OK


@actions.command("effectiveness")
@program_id_option
@format_option()
@db_option
@guarded
def effectiveness_command(program: str | None, output_format: str, db: str | None) -> int:
    """Whether the work moves the numbers: per owner and per journey, the resolved actions the
    following periods judged, and the share verified effective."""
    found = api.effectiveness(db, program_id(program, db))
    if output_format == "json":
        click.echo(json.dumps([e.to_json() for e in found], indent=2))
        return ExitCode.OK
    if not found:
        click.echo("no resolved action has been judged yet")
    for e in found:
        click.echo(
            f"{e.by:<8} {e.id:<24} {e.verified_effective} of {e.judged} "
            f"verified effective ({100 * e.share_effective:.0f}%)"
        )
    return ExitCode.OK
