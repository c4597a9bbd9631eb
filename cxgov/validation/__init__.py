"""Validation: load programs and run every rule, collecting diagnostics rather than raising."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from cxgov.cycles import collector_paused
from cxgov.diagnostics import Diagnostic, Severity, sorted_diagnostics
from cxgov.program_files.assembly import LoadedProgram, discover, load_program
from cxgov.program_files.documents import MAX_FILE_BYTES
from cxgov.rules import RULES, RuleContext


@dataclass
class ValidationResult:
    programs: list[LoadedProgram] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)

    def failed(self, *, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)


VolumeSource = Callable[[str], Mapping[str, int]]
"""Recent answers per period by objective id, for a program id: what the store observed."""


def check_program(
    loaded: LoadedProgram,
    volumes: Mapping[str, int] | None = None,
    environment: Mapping[str, str] | None = None,
) -> list[Diagnostic]:
    """Every semantic rule over one loaded program; `volumes` are recent answers per period
    by objective id, when the caller has data (rules fall back on `min_sample`); `environment`
    the variables the sinks will read, when the caller asked them checked (CXG221)."""
    context = RuleContext(loaded, dict(volumes or {}), environment)
    found: list[Diagnostic] = []
    for rule in RULES.values():
        found.extend(rule.diagnostics(context))
    return found


def validate_paths(
    paths: list[str],
    *,
    max_bytes: int = MAX_FILE_BYTES,
    volumes: VolumeSource | None = None,
    environment: Mapping[str, str] | None = None,
) -> ValidationResult:
    """Load every program under `paths` and report every problem in one pass; `volumes`
    gives each program's observed answers per period, when the caller read them; with an
    `environment`, every variable a sink names must be set in it (CXG221).

    Raises `UsageError` only for a path that does not exist.
    """
    with collector_paused():
        return _validate_paths(paths, max_bytes=max_bytes, volumes=volumes, environment=environment)


def _validate_paths(
    paths: list[str],
    *,
    max_bytes: int,
    volumes: VolumeSource | None,
    environment: Mapping[str, str] | None,
) -> ValidationResult:
    found, diagnostics = discover(paths)
    result = ValidationResult(diagnostics=list(diagnostics))
    for directory, files in found:
        loaded = load_program(directory, files, max_bytes=max_bytes)
        result.programs.append(loaded)
        result.diagnostics.extend(loaded.diagnostics)
        # a program without a `program` section has no id, so no run of it was ever stored
        observed = volumes(loaded.section.id) if volumes and loaded.section else None
        result.diagnostics.extend(check_program(loaded, observed, environment))
    result.diagnostics = sorted_diagnostics(result.diagnostics)
    return result
