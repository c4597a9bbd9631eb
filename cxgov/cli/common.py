"""What every `cxgov` command shares: the error boundary, the clock and the common options."""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, cast

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


def _database_error(exc: BaseException) -> BaseException | None:
    """The database error `exc` is or was raised from, if any."""
    # only a command that loaded SQLAlchemy can have failed in it: no import for the others
    errors = sys.modules.get("sqlalchemy.exc")
    seen: BaseException | None = exc
    while errors is not None and seen is not None:
        if isinstance(seen, errors.DBAPIError):
            return cast(BaseException, seen)
        seen = seen.__cause__ or seen.__context__
    return None


def bug_report(exc: BaseException) -> str:
    """The traceback of a bug, for the person who reports it. A database error is shown by its
    first line only: the rest quotes the data (PostgreSQL's DETAIL shows a row's values, a
    statement its parameters), which are customer keys and comments, and this text ends up in
    CI logs. The engines hide statement parameters too (`cxgov.store.engine`)."""
    failed = _database_error(exc)
    if failed is None:
        return traceback.format_exc()
    orig = getattr(failed, "orig", None)
    driver = f"({type(orig).__module__}.{type(orig).__name__}) " if orig is not None else ""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    return (
        f"Traceback (most recent call last):\n{frames}{type(exc).__module__}.{type(exc).__name__}: "
        f"{driver}{_what_failed(orig)}\n"
        "(the database's details are not shown: they may quote customer data)"
    )


def _what_failed(orig: BaseException | None) -> str:
    """What a driver's error says without quoting data."""
    if orig is None:
        return ""
    diag = getattr(orig, "diag", None)
    if diag is not None:
        # psycopg: PostgreSQL's messages may quote a value ("invalid input syntax for type
        # integer: ..."); its diagnostics name the table, column and constraint apart
        names = [
            f"{label} {value}"
            for label, value in (
                ("table", diag.table_name),
                ("column", diag.column_name),
                ("constraint", diag.constraint_name),
            )
            if value
        ]
        return f"SQLSTATE {getattr(orig, 'sqlstate', None)}" + (
            f" ({', '.join(names)})" if names else ""
        )
    # SQLite's messages name tables and columns, never values ("database or disk is full",
    # "UNIQUE constraint failed: feedback.response_id")
    lines = str(orig).splitlines()
    return lines[0] if lines else ""


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
        except Exception as exc:
            click.echo("cxgov: internal error (a bug in cxgov; please report it):", err=True)
            click.echo(bug_report(exc), err=True)
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
