"""Expected failures: what cxgov refuses or cannot do, as opposed to its own bugs.

Each class carries the exit code the command line ends with (the `ExitCode` values of
`cxgov.judgement.outcome`); the command line maps them in one place, so a function anywhere
below it only raises. Only the standard library is imported here, because the program loader
raises some of these and must stay cheap to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from cxgov.diagnostics import Diagnostic

# The values of cxgov.judgement.outcome.ExitCode, which cannot be imported here (see above);
# tests/test_errors.py checks that they agree.
_PROBLEMS = 1
_USAGE = 2
_BUSY = 5


class CxgovError(Exception):
    """An expected failure; `exit_code` is what the command ends with."""

    exit_code: ClassVar[int] = _PROBLEMS


class UsageError(CxgovError):
    """A problem with how cxgov was called (for example a path that does not exist)."""

    exit_code = _USAGE


class InvalidProgram(CxgovError):
    """The program has validation errors, so it cannot drive ingestion or evaluation."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"the program has {len(diagnostics)} validation errors")
        self.diagnostics = diagnostics


class FileFormatError(CxgovError):
    """A whole file cannot be read as declared (not a data-row problem)."""


class StoreError(CxgovError):
    """The store cannot be used (unreachable server, a database newer than this cxgov)."""


class DatabaseUrlError(StoreError, UsageError):
    """The database URL cannot work: unreadable, a database other than SQLite and PostgreSQL,
    or a driver that is not installed. A usage error (exit 2), found before connecting."""

    exit_code = _USAGE


class RunLocked(CxgovError):
    """Another run of the same program holds the lock."""

    exit_code = _BUSY


class RunLockLost(CxgovError):
    """The run no longer holds its program's lock (the database ended the connection that
    held it), so it stopped before a stage that writes or sends: another run may be going on."""

    exit_code = _BUSY


class ActionError(CxgovError):
    """A change to an action that cannot be made: unknown id or a transition not allowed."""


class SiteError(CxgovError):
    """The site could not be built; the message says why."""
