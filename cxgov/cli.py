"""The `cxgov` command line: parse options, call one api function, format, return an exit code."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from cxgov import __version__, api
from cxgov.exitcodes import ExitCode
from cxgov.loading import MAX_FILE_BYTES
from cxgov.report_formats import FORMATTERS


def _guarded(command: Callable[..., int]) -> Callable[..., None]:
    """The one error boundary: expected problems are exit codes, anything else is a bug (3)."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            code = command(*args, **kwargs)
        except api.UsageError as exc:
            click.echo(f"cxgov: error: {exc}", err=True)
            code = ExitCode.USAGE
        except BrokenPipeError:
            # the reader went away (e.g. `| head`); silence Python's own report at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            code = ExitCode.PROBLEMS
        except KeyboardInterrupt:
            click.echo("cxgov: interrupted", err=True)
            code = ExitCode.INTERRUPTED
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except Exception:
            click.echo("cxgov: internal error (a bug in cxgov; please report it):", err=True)
            click.echo(traceback.format_exc(), err=True)
            code = ExitCode.INTERNAL
        sys.exit(int(code))

    return run


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="cxgov")
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
@_guarded
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
@_guarded
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
@_guarded
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


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="cxgov", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return ExitCode.OK
