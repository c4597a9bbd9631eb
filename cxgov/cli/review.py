"""Commands for reviewing program changes like code: diff, codeowners, init."""

from __future__ import annotations

import datetime as dt
import json

import click

from cxgov import __version__, api
from cxgov.cli.common import day_or_today, db_option, guarded, today
from cxgov.errors import UsageError
from cxgov.judgement.outcome import ExitCode, review_exit_code


@click.command()
@click.argument("base")
@click.argument("head", required=False)
@click.option(
    "--path",
    default="programs",
    show_default=True,
    help="Folder of the programs, relative to the current directory (for git revisions).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="markdown is for a pull-request comment: loosened targets and removed objectives "
    "first, then changes that rewrite history, marked.",
)
@click.option(
    "--fail-on-loosened",
    is_flag=True,
    help="Exit 1 when a change loosens what a miss is or what it sets in motion (see "
    "docs/review.md), an objective is removed, or a change rewrites history (see "
    "--allow-history-rewrite).",
)
@click.option(
    "--allow-history-rewrite",
    is_flag=True,
    help="Let --fail-on-loosened pass changes to target revisions already in force (on or "
    "before BASE's commit date, or --as-of): they are still flagged `rewrites history`.",
)
@click.option(
    "--fail-on-history-rewrite",
    is_flag=True,
    help="Exit 1 when a change rewrites history, whatever else it does: the gate for a "
    "separate approval of rewrites (with --fail-on-loosened --allow-history-rewrite for the "
    "loosened ones).",
)
@click.option(
    "--backtest",
    "backtest_periods",
    type=click.IntRange(min=1),
    is_flag=False,
    flag_value=3,
    default=None,
    metavar="N",
    help="Judge the last N periods (default 3) of stored history under both versions and "
    "list the verdicts and actions that would differ.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="A change to a target revision in force on or before this day rewrites history "
    "(default: BASE's commit date; today for a folder), and the backtest runs as of it "
    "(default: today).",
)
@db_option
@guarded
def diff(
    base: str,
    head: str | None,
    path: str,
    output_format: str,
    fail_on_loosened: bool,
    allow_history_rewrite: bool,
    fail_on_history_rewrite: bool,
    backtest_periods: int | None,
    as_of: dt.datetime | None,
    db: str | None,
) -> int:
    """What a change to the programs means: objectives, KPIs, measurement points, journeys,
    touchpoints, owners, policies and themes added, removed or changed, each change that can
    move a verdict or an action labelled tightened or loosened by its effect (a change whose
    effect the definition cannot tell counts as loosened until --backtest settles it), counted
    per objective and shown in the program's language; a change to a target revision already
    in force is flagged `rewrites history`.

    BASE and HEAD are git revisions of the repository around the current directory (the
    programs under --path at each) or two folders of programs; HEAD defaults to the working
    tree. Exit codes: 0 done, 1 --fail-on-loosened and something loosened, an objective
    removed or history rewritten without --allow-history-rewrite (or a side does not
    validate), 2 usage error, 3 internal error.
    """
    day = day_or_today(as_of) if backtest_periods else None
    found = api.review(
        base,
        head,
        path=path,
        backtest_periods=backtest_periods,
        as_of=day,
        history_as_of=as_of.date() if as_of else None,
        today=today(),
        db=db,
    )
    if output_format == "json":
        click.echo(json.dumps(found.to_json(), indent=2, ensure_ascii=False))
    elif output_format == "markdown":
        click.echo(found.markdown(), nl=False)
    else:
        click.echo(found.text(), nl=False)
    return review_exit_code(
        loosened=found.blocks,
        rewrites_history=found.rewrites_history,
        fail_on_loosened=fail_on_loosened,
        allow_history_rewrite=allow_history_rewrite,
        fail_on_history_rewrite=fail_on_history_rewrite,
    )


@click.command()
@click.option(
    "--path",
    default="programs",
    show_default=True,
    help="Folder of the programs, relative to the repository root (the current directory).",
)
@click.option("--write", is_flag=True, help="Update the CODEOWNERS file.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when the file is stale.")
@guarded
def codeowners(path: str, write: bool, check: bool) -> int:
    """CODEOWNERS entries from the owners' `github` handles: each journey's file to its owner;
    every file that can loosen (the program section, KPIs, measurement points, objectives,
    action policies, themes, sources) to the CX owner and the sponsor, so a loosened target
    needs leadership's approval.

    Run at the repository root. Prints the file as it should be, or with --write updates the
    generated block of CODEOWNERS (lines outside it are kept); --check exits 1 when stale.
    """
    if write and check:
        raise UsageError("give --write or --check, not both")
    found = api.codeowners(".", path, write=write)
    if check and not found.current:
        click.echo(f"{found.path} is stale: run `cxgov codeowners --write`", err=True)
        return ExitCode.PROBLEMS
    if check or write:
        click.echo(f"wrote {found.path}" if found.written else f"{found.path} is current")
    else:
        click.echo(found.wanted, nl=False)
    return ExitCode.OK


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--id", "program_id", help="The program's id (default: from DIRECTORY's name).")
@click.option("--language", type=click.Choice(["en", "fi"]), default="en", show_default=True)
@click.option(
    "--package",
    metavar="SPEC",
    help="What the workflows' `pip install` installs, in their one CXGOV_PACKAGE line "
    f"(default: cxgov=={__version__}, this cxgov). For example "
    f"'cxgov @ git+https://HOST/OWNER/cxgov@v{__version__}', or the path of a wheel file "
    "committed to the repository.",
)
@guarded
def init(directory: str, program_id: str | None, language: str, package: str | None) -> int:
    """Scaffold a new program in DIRECTORY that validates as it is: commented YAML with schema
    headers under programs/<id>/, a small sample answer file and its source, the JSON
    Schemas, the GitHub Actions workflows (installing this cxgov, or --package), a
    pre-commit configuration and a .gitignore that keeps the store, reports, site and survey
    exports out of Git. Nothing is overwritten; an existing .gitignore gets the missing lines
    appended."""
    written = api.scaffold(directory, program_id=program_id, language=language, package=package)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: cd {directory} && cxgov validate programs/ && cxgov codeowners --write")
    click.echo(
        "then: write scripts/fetch-exports, the one step of .github/workflows/cxgov-nightly.yml "
        "that is yours"
    )
    return ExitCode.OK
