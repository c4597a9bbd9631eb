"""What every `cxgov` command shares: the error boundary and the store option."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from cxgov import api
from cxgov.exitcodes import ExitCode
from cxgov.report_formats import FORMATTERS


def guarded(command: Callable[..., int]) -> Callable[..., None]:
    """The one error boundary: expected problems are exit codes, anything else is a bug (3)."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            code = command(*args, **kwargs)
        except api.UsageError as exc:
            click.echo(f"cxgov: error: {exc}", err=True)
            code = ExitCode.USAGE
        except api.InvalidProgram as exc:
            click.echo(FORMATTERS["text"](exc.diagnostics, 1), err=True, nl=False)
            click.echo("cxgov: error: fix the program's errors first (cxgov validate)", err=True)
            code = ExitCode.PROBLEMS
        except (api.FileFormatError, api.StoreError) as exc:
            click.echo(f"cxgov: error: {exc}", err=True)
            code = ExitCode.PROBLEMS
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
