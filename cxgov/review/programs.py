"""The programs under a folder, loaded and validated, by program id."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from cxgov.diagnostics import Diagnostic, Severity
from cxgov.model import Program
from cxgov.program_files.assembly import discover, load_program
from cxgov.validation import check_program


class ProgramErrors(Exception):
    """A program that must be compared has validation errors."""

    def __init__(self, where: str, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{where}: the program has {len(diagnostics)} validation errors")
        self.where = where
        self.diagnostics = diagnostics


def load_valid(directory: Path, label: str) -> dict[str, Program]:
    """Every program under `directory` by its id; raises ProgramErrors on the first program
    with errors (their file names are relative to `directory`, prefixed with `label`)."""
    if not directory.is_dir() or not any(directory.iterdir()):
        return {}
    found, _ = discover([str(directory)])
    programs: dict[str, Program] = {}
    for folder, files in found:
        loaded = load_program(folder, files)
        errors = [
            d for d in [*loaded.diagnostics, *check_program(loaded)] if d.severity is Severity.ERROR
        ]
        if errors:
            raise ProgramErrors(label, [_relabel(d, directory, label) for d in errors])
        programs[loaded.program.program.id] = loaded.program
    return programs


def _relabel(diagnostic: Diagnostic, directory: Path, label: str) -> Diagnostic:
    """Name a file by where it came from (`BASE:programs/x.yaml`), not by a temporary path."""
    try:
        relative = Path(diagnostic.file).resolve().relative_to(directory.resolve())
    except ValueError:
        return diagnostic
    return _with_file(diagnostic, f"{label}{relative.as_posix()}")


def _with_file(diagnostic: Diagnostic, file: str) -> Diagnostic:
    return replace(diagnostic, file=file)
