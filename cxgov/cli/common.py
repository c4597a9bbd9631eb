"""What every `cxgov` command shares: the error boundary, the clock and the common options."""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
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


def moment(stored: dt.datetime | None, zone: str = "UTC", *, named: bool = True) -> str:
    """An instant the store holds (naive UTC) as people read it: to the minute, in `zone` (an
    IANA name, such as the program's `timezone`), with the zone named unless the caller says
    it once for many (`named=False`)."""
    if stored is None:
        return "-"
    from zoneinfo import ZoneInfo

    utc = stored if stored.tzinfo else stored.replace(tzinfo=dt.UTC)
    local = f"{utc.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"
    return f"{local} {zone}" if named else local


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


def _program_directory(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None or Path(value).is_dir():
        return value  # the command reads the directory, and says what is wrong with it
    try:
        found = api.program_ref(value)
    except api.UsageError as exc:
        raise click.BadParameter(str(exc).removeprefix(f"--program {value}: ")) from None
    assert found.directory is not None, "without the store every program found has files"
    return found.directory


program_option = click.option(
    "--program",
    "program_dir",
    required=True,
    metavar="DIR|ID",
    callback=_program_directory,
    help="The program: its directory, or its id (looked up under programs/).",
)
"""`--program` of the commands that read the program's files."""


program_id_option = click.option(
    "--program",
    "program",
    metavar="DIR|ID",
    help="Only this program: its directory or its id.",
)
"""`--program` of the commands that read only the store: see `program_id`."""


def program_id(value: str | None, db: str | None) -> str | None:
    """The id of the program `--program` names (a directory or an id the program folder or the
    store knows); a usage error with the valid ids otherwise."""
    if value is None:
        return None
    return api.program_ref(value, stored=lambda: api.stored_program_ids(db)).id


def format_option(
    help_text: str | None = None, choices: tuple[str, ...] = ("text", "json")
) -> Callable[[Callable[..., Any]], Any]:
    """`--format`, text for people by default."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices), case_sensitive=False),
        default=choices[0],
        show_default=True,
        help=help_text,
    )
