"""Diagnostics: every problem a user sees, with its place in a file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Location:
    """A 1-based place in a file; `line`/`column` are 0 when only the file is known."""

    file: str
    line: int = 0
    column: int = 0

    @property
    def place(self) -> str:
        """`file:line:column`, or the file alone when no line is known."""
        return f"{self.file}:{self.line}:{self.column}" if self.line else self.file


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    code: str
    message: str
    file: str
    line: int = 0
    column: int = 0
    hint: str | None = None

    @classmethod
    def at(
        cls,
        location: Location,
        code: str,
        message: str,
        *,
        severity: Severity = Severity.ERROR,
        hint: str | None = None,
    ) -> Diagnostic:
        return cls(severity, code, message, location.file, location.line, location.column, hint)

    @property
    def place(self) -> str:
        return Location(self.file, self.line, self.column).place

    @property
    def full_message(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def sort_key(self) -> tuple[bool, str, int, int, str, str]:
        # errors first: what must be fixed is read before what may be
        return (
            self.severity is not Severity.ERROR,
            self.file,
            self.line,
            self.column,
            self.code,
            self.message,
        )


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Errors, then warnings, each by place, without exact repeats, so output is stable."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)
