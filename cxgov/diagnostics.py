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
    def full_message(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.code, self.message)


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sort by place and drop exact repeats, so output is stable across runs."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)
