"""The `cxgov` command line: parse options, call one api function, format, return an exit code."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cxgov import __version__, api
from cxgov.cli_actions import actions
from cxgov.cli_common import db_option, edge_clock, guarded, now_option, program_option, today
from cxgov.cli_review import codeowners, diff, init
from cxgov.cli_site import build_and_report, site, site_options
from cxgov.evaluate.report import latest
from cxgov.evaluate.run import Evaluation
from cxgov.judgement.outcome import ExitCode
from cxgov.judgement.verdicts import SEVERITY, Verdict
from cxgov.loading import MAX_FILE_BYTES
from cxgov.report_formats import FORMATTERS


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cxgov")
@now_option
def cli() -> None:
    """cxgov: customer-experience program governance, configured as code.

    A CX program is a folder of YAML files (strategy, owners, journeys, KPIs, measurement
    points, objectives, action policies, themes, sources). `cxgov validate` reviews them
    like code.
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATTERS)),
    default="text",
    show_default=True,
    help="Output format: text for people, json for tools, github for "
    "workflow annotations, sarif for code-scanning viewers.",
)
@click.option("--strict", is_flag=True, help="Count warnings as errors (exit 1 on any warning).")
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=MAX_FILE_BYTES,
    show_default=True,
    help="Largest program file accepted, in bytes.",
)
@guarded
def validate(paths: tuple[str, ...], output_format: str, strict: bool, max_file_size: int) -> int:
    """Check programs and list every problem with file:line:column and a rule code.

    PATHS are program directories or folders of program directories (default: programs/).
    Exit codes: 0 no errors (warnings allowed unless --strict), 1 errors found, 2 usage
    error, 3 internal error.
    """
    result = api.validate(list(paths) or ["programs"], max_bytes=max_file_size)
    click.echo(FORMATTERS[output_format](result.diagnostics, len(result.programs)), nl=False)
    return ExitCode.PROBLEMS if result.failed(strict=strict) else ExitCode.OK


@cli.command()
@click.option(
    "--out",
    "directory",
    type=click.Path(file_okay=False),
    default="schemas",
    show_default=True,
    help="Folder of the schema files.",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when the files are stale.")
@guarded
def schema(directory: str, check: bool) -> int:
    """Write the JSON Schemas (draft 2020-12) generated from the program model.

    Editors use them to flag mistakes while a CX owner types; CI runs `--check`.
    """
    if check:
        stale = api.check_schemas(directory)
        for name in stale:
            click.echo(f"{directory}/{name} is stale: run `cxgov schema`", err=True)
        if not stale:
            click.echo(f"schemas in {directory}/ are current")
        return ExitCode.PROBLEMS if stale else ExitCode.OK
    for path in api.write_schema_files(directory):
        click.echo(f"wrote {path}")
    return ExitCode.OK


@cli.command()
@click.argument("code", required=False)
@guarded
def rules(code: str | None) -> int:
    """List the validation rules, or explain one (for example: cxgov rules CXG110)."""
    from cxgov.rules import RULES

    if code is None:
        for rule in sorted(RULES.values(), key=lambda r: r.code):
            click.echo(f"{rule.code}  {rule.severity.value:<7}  {rule.name:<26} {rule.summary}")
        return ExitCode.OK
    found = RULES.get(code.upper())
    if found is None:
        raise api.UsageError(f"no rule {code}; `cxgov rules` lists them")
    click.echo(f"{found.code} {found.name} ({found.severity.value})\n\n{found.doc}")
    return ExitCode.OK


def _format_option(help_text: str | None = None) -> Callable[[Callable[..., Any]], Any]:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help=help_text,
    )


def _echo_summary(summary: api.BatchSummary, output_format: str) -> None:
    if output_format == "json":
        click.echo(json.dumps(summary.to_json(), indent=2, ensure_ascii=False))
        return
    state = "loaded" if summary.status == "committed" else "REFUSED, nothing committed"
    batch = f"batch {summary.batch}" if summary.batch is not None else "no batch"
    click.echo(
        f"{summary.source}: {state} ({batch}): {summary.rows_read:,} rows read, "
        f"{summary.accepted:,} accepted, {summary.rejected:,} rejected; records "
        f"{summary.inserted:,} inserted, {summary.updated:,} updated, "
        f"{summary.unchanged:,} unchanged"
        + (f", {summary.duplicates:,} repeated in the batch" if summary.duplicates else "")
    )
    for reason, count in sorted(summary.rejected_by_reason.items()):
        click.echo(f"  rejected {count:,} rows: {reason}")


@cli.command()
@program_option
@click.option("--source", "source_id", help="Source id from the program's `sources`.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--kpi-values",
    "kpi_values",
    type=click.Path(dir_okay=False),
    help="Load business KPI values per period from this CSV (kpi, period_start, period_end, "
    "value, optional n and segment columns) instead of a source.",
)
@db_option
@click.option(
    "--max-reject-rate",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Refuse the whole batch (exit 4, nothing committed) above this share of rejected rows.",
)
@_format_option()
@guarded
def ingest(
    program_dir: str,
    source_id: str | None,
    files: tuple[str, ...],
    kpi_values: str | None,
    db: str | None,
    max_reject_rate: float,
    output_format: str,
) -> int:
    """Load data files into the store as one batch, keeping every rejected row with its reasons.

    FILES default to the source's `path` glob, relative to the program directory. Re-loading a
    file adds nothing twice; a changed answer is updated. Exit codes: 0 loaded (even with
    rejected rows), 1 the program or a file is unusable, 2 usage error, 3 internal error,
    4 too many rejected rows (nothing committed).
    """
    if (source_id is None) == (kpi_values is None):
        raise api.UsageError("give either --source SOURCE_ID [FILE...] or --kpi-values FILE")
    if kpi_values is not None:
        if files:
            raise api.UsageError("--kpi-values takes one file; FILES belong to --source")
        summary = api.ingest_kpi_values(
            program_dir, kpi_values, db=db, max_reject_rate=max_reject_rate, clock=edge_clock()
        )
    else:
        assert source_id is not None
        progress = None if output_format == "json" else lambda m: click.echo(m, err=True)
        summary = api.ingest(
            program_dir,
            source_id,
            list(files) or None,
            db=db,
            max_reject_rate=max_reject_rate,
            clock=edge_clock(),
            progress=progress,
        )
    _echo_summary(summary, output_format)
    return ExitCode.OK if summary.status == "committed" else ExitCode.REJECTED


@cli.group()
def db() -> None:
    """Manage the store's schema (migrations run automatically on first use)."""


@db.command("upgrade")
@db_option
@click.option("--revision", default="head", show_default=True, help="Target migration.")
@guarded
def db_upgrade(db: str | None, revision: str) -> int:
    """Upgrade the store in place to the newest schema, keeping every row."""
    before, after = api.db_upgrade(db, revision)
    if before == after:
        click.echo(f"store is current (migration {after})")
    else:
        click.echo(f"store upgraded from migration {before or 'none'} to {after}")
    return ExitCode.OK


@cli.group()
def data() -> None:
    """Inspect the data in the store."""


@data.command("status")
@program_option
@db_option
@_format_option()
@guarded
def data_status(program_dir: str, db: str | None, output_format: str) -> int:
    """Per measurement point: answers, not-applicable answers, first and last collection time;
    and rejected rows per source."""
    found = api.status(program_dir, db=db)
    if output_format == "json":
        click.echo(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
        return ExitCode.OK
    width = max([len("measurement point"), *(len(p.id) for p in found.points)])
    click.echo(
        f"{'measurement point':<{width}}  {'answers':>9}  {'n/a':>7}  first             last"
    )
    for p in found.points:
        first = p.first.strftime("%Y-%m-%d %H:%M") if p.first else "-"
        last = p.last.strftime("%Y-%m-%d %H:%M") if p.last else "-"
        click.echo(f"{p.id:<{width}}  {p.records:>9,}  {p.not_applicable:>7,}  {first:<16}  {last}")
    for source, count in sorted(found.rejected_by_source.items()):
        click.echo(f"rejected rows from {source}: {count:,}")
    if not found.rejected_by_source:
        click.echo("rejected rows: none")
    return ExitCode.OK


@cli.command("demo-data")
@program_option
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Folder for the files (default: the program's data/ folder).",
)
@click.option("--months", type=click.IntRange(1, 120), default=24, show_default=True)
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), help="Last day of data (default: today).")
@click.option("--seed", type=int, default=7, show_default=True)
@guarded
def demo_data(
    program_dir: str, out: str | None, months: int, end: dt.datetime | None, seed: int
) -> int:
    """Write realistic synthetic answer files for an example program: monthly answers with
    seasonality, touchpoints drifting below target, comments in Finnish and English,
    not-applicable answers and a few malformed rows, plus business KPI values."""
    last = end.date() if end else today()
    files = api.demo_data(program_dir, out, end=last, months=months, seed=seed)
    folder = files.answers[0].parent if files.answers else Path(out or program_dir)
    click.echo(f"wrote {files.rows:,} answers in {len(files.answers)} files to {folder}/")
    if files.kpi_values:
        click.echo(f"wrote business KPI values to {files.kpi_values}")
    return ExitCode.OK


_FAIL_ON = ["fail", "no_data", "warn", "insufficient_sample", "none"]
_out_option = click.option(
    "--out",
    type=click.Path(file_okay=False),
    default="reports",
    show_default=True,
    help="Folder of the reports: OUT/<program-id>/<as-of>.json and .md.",
)


def _echo_evaluation(result: Evaluation, day: dt.date, dry_run: bool) -> None:
    newest = latest(result.results)
    totals = {v: sum(r.status is v for r in newest) for v in Verdict}
    click.echo(
        f"{result.report['program']} as of {day}: {len(result.results):,} verdicts over "
        f"{len({r.objective.id for r in result.results})} objectives; latest periods: "
        + ", ".join(f"{count} {status.value}" for status, count in totals.items())
    )
    for r in sorted(newest, key=lambda r: (-SEVERITY[r.status], r.objective.id)):
        if r.status is not Verdict.PASS:
            value = "-" if r.estimate.value is None else f"{r.estimate.value:.1f}"
            segment = ",".join(f"{k}={v}" for k, v in r.segment)
            click.echo(
                f"  {r.status.value:<19} {r.objective.id}{f' [{segment}]' if segment else ''}"
                f" {r.period.start}..{r.period.end}: {value} (n={r.estimate.n})"
            )
    if result.actions is not None:
        changes = ", ".join(f"{n} {kind}" for kind, n in sorted(result.actions.items()))
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
        click.echo(f"owners' digests mailed: {done}")


def _failed(result: Evaluation, fail_on: str) -> bool:
    if fail_on == "none":
        return False
    threshold = SEVERITY[Verdict(fail_on)]
    return any(SEVERITY[r.status] >= threshold for r in latest(result.results))


@cli.command()
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
@_format_option("json also prints the report.")
@click.option(
    "--fail-on",
    type=click.Choice(_FAIL_ON),
    default="fail",
    show_default=True,
    help="Exit 1 when a latest-period verdict is at or beyond this status "
    "(pass < insufficient_sample < warn < no_data < fail).",
)
@click.option(
    "--dry-run", is_flag=True, help="Evaluate without recording the run or writing files."
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
) -> int:
    """Compute every measurement point's KPI per period, with sample size and interval, and
    judge every objective against the target revision in force.

    Exit codes: 0 done, 1 a latest-period verdict at or beyond --fail-on, 3 internal error.
    """
    day = as_of.date() if as_of else today()
    result = api.evaluate(
        program_dir,
        as_of=day,
        since=since.date() if since else None,
        db=db,
        out=out,
        dry_run=dry_run,
        clock=edge_clock(),
    )
    if output_format == "json":
        click.echo(json.dumps(result.report, indent=2, ensure_ascii=False))
    else:
        _echo_evaluation(result, day, dry_run)
    return ExitCode.PROBLEMS if _failed(result, fail_on) else ExitCode.OK


@cli.command("run")
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
@click.option(
    "--fail-on",
    type=click.Choice(_FAIL_ON),
    default="none",
    show_default=True,
    help="Exit 1 when a latest-period verdict is at or beyond this status.",
)
@click.option("--no-site", is_flag=True, help="Do not build the governance site.")
@click.option(
    "--site-out",
    "site_out",
    type=click.Path(file_okay=False),
    help="Where the built site goes (default: site/<program id>).",
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
    """The nightly run: ingest each source's new files, evaluate, follow up the actions and
    write the report, then build the governance site. Safe to repeat: a second run of the
    same day judges nothing again.

    Exit codes: 0 done, 1 a latest-period verdict at or beyond --fail-on, or the site build
    failed, 3 internal error, 4 a source's batch was refused (the rest of the run went on),
    5 another run of the same program holds the lock.
    """
    day = as_of.date() if as_of else today()
    outcome = api.run(
        program_dir,
        as_of=day,
        db=db,
        out=out,
        wait_seconds=wait,
        max_reject_rate=max_reject_rate,
        clock=edge_clock(),
        progress=lambda message: click.echo(message, err=True),
    )
    for batch in outcome.batches:
        _echo_summary(batch, "text")
    if not outcome.batches:
        click.echo("no new data files")
    if outcome.evaluation is None:
        click.echo(
            f"{outcome.program} as of {day}: nothing changed since run {outcome.unchanged_since}; "
            "nothing to judge again"
        )
    else:
        _echo_evaluation(outcome.evaluation, day, dry_run=False)
    _echo_deliveries(outcome)
    # rebuilt even when nothing was judged again: people may have worked the actions since
    site_failed = not no_site and not build_and_report(
        program_dir, db=db, site_out=site_out, audience=audience, config=config, builder=builder
    )
    if outcome.refused:
        return ExitCode.REJECTED
    failed = outcome.evaluation is not None and _failed(outcome.evaluation, fail_on)
    return ExitCode.PROBLEMS if failed or site_failed else ExitCode.OK


@cli.command()
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
@db_option
@guarded
def digest(
    program_dir: str,
    owner_id: str,
    as_of: dt.datetime | None,
    since: dt.datetime | None,
    db: str | None,
) -> int:
    """One owner's digest in Markdown: their objectives with status and trend, their actions
    due or overdue, escalations that reached them, and what changed since the last digest."""
    day = as_of.date() if as_of else today()
    click.echo(
        api.digest(program_dir, owner_id, as_of=day, since=since.date() if since else None, db=db),
        nl=False,
    )
    return ExitCode.OK


cli.add_command(actions)
cli.add_command(diff)
cli.add_command(codeowners)
cli.add_command(init)
cli.add_command(site)


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="cxgov", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return ExitCode.OK
