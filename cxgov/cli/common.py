"""What every `cxgov` command shares: the error boundary, the clock and the common options."""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from typing import Any

import click
from click.core import ParameterSource

from cxgov import api
from cxgov.errors import CxgovError, InvalidProgram, RunLocked
from cxgov.judgement.outcome import ExitCode


def _report(exc: CxgovError) -> None:
    if isinstance(exc, InvalidProgram):
        click.echo(api.FORMATTERS["text"](exc.diagnostics, 1), err=True, nl=False)
        click.echo("cxgov: error: fix the program's errors first (cxgov validate)", err=True)
    elif isinstance(exc, RunLocked):
        # being busy is nobody's mistake: say how to get through instead
        click.echo(f"cxgov: {exc}; try again later or pass --wait SECONDS", err=True)
    else:
        click.echo(f"cxgov: error: {exc}", err=True)


def guarded(command: Callable[..., int]) -> Callable[..., None]:
    """The one error boundary: an expected failure (CxgovError) ends with its own exit code,
    anything else is a bug (3)."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            code = command(*args, **kwargs)
        except CxgovError as exc:
            _report(exc)
            code = ExitCode(exc.exit_code)
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


_NOW_KEY = "cxgov.now"


def _pin_now(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        try:
            ctx.meta[_NOW_KEY] = api.parse_now(value)
        except api.BadNow as exc:
            source = ctx.get_parameter_source(param.name or "now")
            where = f" (from {api.NOW_ENV})" if source is ParameterSource.ENVIRONMENT else ""
            raise click.BadParameter(f"{exc}{where}") from None


now_option = click.option(
    "--now",
    metavar="ISO-8601",
    envvar=api.NOW_ENV,
    hidden=True,
    expose_value=False,
    is_eager=True,
    callback=_pin_now,
    help="Pin the current instant (a date, or a datetime with an offset), for tests and for "
    "replaying a past night.",
)
"""On the root group: `cxgov --now 2026-06-30T03:30:00Z run ...` or CXGOV_NOW=... cxgov run."""


def edge_clock() -> api.Clock:
    """The clock of this command: the instant pinned by `--now` / CXGOV_NOW, else the system's.

    The only place below `main` where "now" is decided; everything else is handed this clock
    (or a date taken from it) by the command.
    """
    instant = click.get_current_context().meta.get(_NOW_KEY)
    return api.pinned(instant) if instant is not None else api.system_now


def today() -> dt.date:
    """The default `--as-of`: this machine's calendar date at the command's "now"."""
    return api.local_date(edge_clock())


def day_or_today(given: dt.datetime | None) -> dt.date:
    """A `--as-of` option's day, else today."""
    return given.date() if given else today()


db_option = click.option(
    "--db",
    metavar="URL",
    envvar="CXGOV_DATABASE_URL",
    show_envvar=True,
    help="Database URL (default: the embedded SQLite file .cxgov/cxgov.db). PostgreSQL: "
    "postgresql://user@host/db.",
)


program_option = click.option(
    "--program",
    "program_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="The program directory.",
)


def format_option(
    help_text: str | None = None, choices: tuple[str, ...] = ("text", "json")
) -> Callable[[Callable[..., Any]], Any]:
    """`--format`, text for people by default."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help_text,
    )
