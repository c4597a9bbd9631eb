"""Commands that judge: evaluate, the nightly run, an owner's digest."""

from __future__ import annotations

import datetime as dt
import json

import click

from cxgov import api
from cxgov.cli.common import (
    day_or_today,
    db_option,
    edge_clock,
    format_option,
    guarded,
    program_option,
)
from cxgov.cli.data import echo_batch
from cxgov.cli.site import echo_built, progress, site_options
from cxgov.judgement.outcome import FAIL_ON, FAIL_ON_DEFAULT, ExitCode, exit_code_for

_out_option = click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="reports",
    show_default=True,
    help="Folder of the reports: OUT/<program-id>/<as-of>.json and .md.",
)


_fail_on_option = click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON, case_sensitive=False),
    default=FAIL_ON_DEFAULT,
    show_default=True,
    help="Exit 1 when an objective's current status is at or beyond this status "
    "(on_target < pending < within_noise < insufficient_sample < below_target < warn < "
    "no_data < fail); none never does.",
)
"""`--fail-on` of `evaluate` and `run`: one option, one default."""


def _current(result: api.Evaluation) -> list[api.Verdict]:
    """The statuses `--fail-on` looks at: each objective's current status (the one rule)."""
    return [c.status for c in result.current.values()]


def _echo_evaluation(result: api.Evaluation, day: dt.date, dry_run: bool) -> None:
    record = result.record
    current = api.worst_first(result.current.values())
    totals = {v: sum(c.status is v for c in current) for v in api.Verdict}
    click.echo(
        f"{record.program} as of {day}: {len(record.verdicts):,} verdicts over "
        f"{len(current)} objectives; current status: "
        + "; ".join(
            f"{count} {api.verdict_words(status)}" for status, count in totals.items() if count
        )
    )
    for now in current:
        v = now.verdict
        if now.status is not api.Verdict.ON_TARGET:
            value = "-" if v.value is None else f"{v.value:.1f}"
            segment = ",".join(f"{k}={x}" for k, x in v.segment)
            where = f"{v.objective} [{segment}]" if segment else v.objective
            click.echo(
                f"  {api.verdict_words(v.status):<27} {where} {v.start}..{v.end}: {value} (n={v.n})"
            )
    if record.actions is not None:
        changes = ", ".join(f"{n} {kind}" for kind, n in sorted(record.actions.counts.items()))
        click.echo(f"actions: {changes or 'no changes'} (cxgov actions list)")
    if result.json_path:
        click.echo(f"report: {result.json_path} and {result.markdown_path}")
    elif dry_run:
        click.echo("dry run: nothing recorded, no report written")


def _echo_deliveries(outcome: api.NightlyRun) -> None:
    if outcome.deliveries:
        done = ", ".join(f"{n} {status}" for status, n in sorted(outcome.deliveries.items()))
        click.echo(f"deliveries to sinks: {done} (cxgov actions deliveries)")
    if outcome.digests:
        done = ", ".join(f"{n} {status}" for status, n in sorted(outcome.digests.items()))
        click.echo(f"owners' digests sent: {done}")


@click.command()
@program_option
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Evaluate as of this day (default: today).",
)
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Earliest day to evaluate (default: the first data).",
)
@db_option
@_out_option
@format_option("json also prints the report.")
@_fail_on_option
@click.option(
    "--dry-run", is_flag=True, help="Evaluate without recording the run or writing files."
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    help="Seconds to wait for another run of the same program to finish before giving up "
    "(a dry run does not wait).",
)
@guarded
def evaluate(
    program_dir: str,
    as_of: dt.datetime | None,
    since: dt.datetime | None,
    db: str | None,
    out: str,
    output_format: str,
    fail_on: str,
    dry_run: bool,
    wait: float,
) -> int:
    """Compute every measurement point's KPI per period, with sample size and interval, and
    judge every objective against the target revision in force.

    A recorded evaluation holds the program's run lock, as `cxgov run` does, so two never
    record at once. Exit codes: 0 done, 1 an objective's current status at or beyond
    --fail-on, 3 internal error, 5 another run of the same program holds the lock.
    """
    day = day_or_today(as_of)
    result = api.evaluate(
        program_dir,
        as_of=day,
        since=since.date() if since else None,
        db=db,
        out=out,
        dry_run=dry_run,
        wait_seconds=wait,
        clock=edge_clock(),
    )
    if output_format == "json":
        click.echo(json.dumps(result.report, indent=2, ensure_ascii=False))
    else:
        _echo_evaluation(result, day, dry_run)
    return exit_code_for(_current(result), fail_on)


@click.command("run")
@program_option
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Run as of this day (default: today).",
)
@db_option
@_out_option
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    help="Seconds to wait for another run of the same program to finish before giving up.",
)
@click.option(
    "--max-reject-rate",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Refuse a source's batch (nothing of it committed) above this share of rejected rows.",
)
@_fail_on_option
@click.option("--no-site", is_flag=True, help="Do not build the governance site.")
@click.option(
    "--site-out",
    "site_out",
    type=click.Path(file_okay=False),
    help="Where the built site goes (default: site/<audience>/<program id>: publish "
    "site/leadership/ only); a folder holding other files than a site cxgov built is refused "
    "(exit 2) before the run starts.",
)
@site_options
@guarded
def run_command(
    program_dir: str,
    as_of: dt.datetime | None,
    db: str | None,
    out: str,
    wait: float,
    max_reject_rate: float,
    fail_on: str,
    no_site: bool,
    site_out: str | None,
    audience: str,
    config: str,
    builder: str,
) -> int:
    """The nightly run: ingest each source's new files, evaluate and write the report, follow
    up the actions, deliver them to their sinks, mail the digests due, then build the
    governance site. Safe to repeat: a second run of the same day judges nothing again, and
    finishes the stages a stopped run left undone (each delivery and digest once).

    Exit codes: 0 done, 1 an objective's current status at or beyond --fail-on, or the site build
    failed, 3 internal error, 4 a source's batch was refused or a file could not be read (the
    rest of the run went on), 5 another run of the same program holds the lock, or the run lost
    its lock midway (it stopped before its next stage; run again).
    """
    day = day_or_today(as_of)
    if site_out is not None and not no_site:
        api.check_site_out(site_out)  # a mistyped --site-out stops the run before it starts
    rebuilt: list[api.SiteOutcome] = []

    def build_site(program: api.Program) -> bool:
        # the run's last stage, under its lock; a failed build does not stop the run
        rebuilt.append(
            api.site_after_run(
                program_dir,
                db=db,
                out=site_out,
                audience=api.Audience(audience),
                config=config,
                builder=api.Builder(builder),
                program=program,
                progress=progress,
            )
        )
        return rebuilt[-1].built is not None

    outcome = api.run(
        program_dir,
        as_of=day,
        db=db,
        out=out,
        wait_seconds=wait,
        max_reject_rate=max_reject_rate,
        clock=edge_clock(),
        progress=progress,
        site=None if no_site else build_site,
    )
    for batch in outcome.batches:
        echo_batch(batch, "text")
    if not outcome.batches:
        click.echo("no new data files")
    if outcome.evaluation is None:
        click.echo(
            f"{outcome.program} as of {day}: nothing changed since run {outcome.unchanged_since}; "
            "nothing to judge again"
        )
        if outcome.finishing:
            click.echo(
                f"finishing run {outcome.unchanged_since}: {', '.join(outcome.finishing)} "
                "(an earlier run stopped before them)"
            )
    else:
        _echo_evaluation(outcome.evaluation, day, dry_run=False)
    _echo_deliveries(outcome)
    site_failed = False
    for site in rebuilt:
        if site.built is not None:
            echo_built(site.built, builder)
        else:
            click.echo(f"cxgov: error: {site.error}", err=True)
            site_failed = True
    if outcome.refused:
        return ExitCode.REJECTED
    judged = (
        ExitCode.OK
        if outcome.evaluation is None
        else exit_code_for(_current(outcome.evaluation), fail_on)
    )
    return ExitCode.PROBLEMS if site_failed else judged


@click.command()
@program_option
@click.option("--owner", "owner_id", required=True, help="The owner id the digest is for.")
@click.option(
    "--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), help="As of this day (default: today)."
)
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Changes since this day (default: one day or one week back, by the owner's `digest`).",
)
@format_option(
    "markdown: the text mailed to the owner; teams: the JSON a Microsoft Teams Workflows "
    "webhook takes (an Adaptive Card); slack: the JSON a Slack incoming webhook takes (Block "
    "Kit). In both, objectives link to their pages by program.site_url.",
    choices=("markdown", "teams", "slack"),
)
@db_option
@guarded
def digest(
    program_dir: str,
    owner_id: str,
    as_of: dt.datetime | None,
    since: dt.datetime | None,
    output_format: str,
    db: str | None,
) -> int:
    """One owner's digest in Markdown, or as a Teams or Slack message: their objectives with
    status and trend, their actions due or overdue, escalations that reached them, and what changed
    since the last digest."""
    day, start = day_or_today(as_of), since.date() if since else None
    chat = output_format.lower()
    if chat in ("teams", "slack"):
        render = api.digest_card if chat == "teams" else api.digest_blocks
        body = render(program_dir, owner_id, as_of=day, since=start, db=db)
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return ExitCode.OK
    text = api.digest(program_dir, owner_id, as_of=day, since=start, db=db)
    click.echo(text, nl=False)
    return ExitCode.OK
