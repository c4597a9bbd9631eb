"""Programs as files: validation, loading for the other commands, schemas, rules, scaffolds."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from cxgov.errors import InvalidProgram, UsageError
from cxgov.judgement.detectability import recorded_volumes
from cxgov.model import Program
from cxgov.program_files.assembly import LoadedProgram
from cxgov.program_files.documents import MAX_FILE_BYTES
from cxgov.program_files.fields import did_you_mean
from cxgov.rules import RULES, Rule
from cxgov.rules.examples import RuleExample, shown
from cxgov.scaffold import write_scaffold
from cxgov.schema import stale_schemas, write_schemas
from cxgov.validation import ValidationResult, validate_paths

__all__ = [
    "check_schemas",
    "load_program",
    "loaded_program",
    "rule",
    "rule_examples",
    "rules",
    "scaffold",
    "validate",
    "write_schema_files",
]


def validate(
    paths: list[str],
    *,
    max_bytes: int = MAX_FILE_BYTES,
    observed: bool = False,
    db: str | None = None,
    environment: Mapping[str, str] | None = None,
) -> ValidationResult:
    """Validate every program under `paths` (program directories or folders of them).

    `observed`: judge detectability (CXG210) at the answers per period of each program's
    latest recorded run in the store at `db`, where they exceed `min_sample`; without it no
    store is opened. `environment`: check that every variable a sink names is set in it
    (CXG221), as the nightly run will need them; None checks nothing about it.
    """
    if not observed:
        return validate_paths(paths, max_bytes=max_bytes, environment=environment)
    # imported here so that a plain `cxgov validate` never loads the store (tests/test_imports)
    from cxgov.api._store import opened_store
    from cxgov.store.runs import latest_verdicts

    with opened_store(db) as engine, engine.connect() as connection:

        def volumes(program_id: str) -> dict[str, int]:
            _run, verdicts = latest_verdicts(connection, program_id)
            return recorded_volumes(verdicts)

        return validate_paths(paths, max_bytes=max_bytes, volumes=volumes, environment=environment)


def load_program(program_dir: str) -> Program:
    """One program directory, which must validate without errors."""
    return loaded_program(program_dir).program


def loaded_program(program_dir: str) -> LoadedProgram:
    """One program directory with its files, which must validate without errors."""
    path = Path(program_dir)
    if not path.is_dir():
        raise UsageError(f"not a program directory: {program_dir}")
    result = validate_paths([program_dir])
    if len(result.programs) != 1:
        raise UsageError(f"expected one program in {program_dir}, found {len(result.programs)}")
    if result.errors:
        raise InvalidProgram([d for d in result.diagnostics if d.severity.value == "error"])
    return result.programs[0]


def write_schema_files(directory: str | Path = "schemas") -> list[Path]:
    return write_schemas(Path(directory))


def check_schemas(directory: str | Path = "schemas") -> list[str]:
    """Schema files under `directory` that are stale or missing."""
    return stale_schemas(Path(directory))


def rules() -> list[Rule]:
    """Every validation rule, by code."""
    return sorted(RULES.values(), key=lambda r: r.code)


def rule(code_or_name: str) -> Rule:
    """One validation rule by its code (`CXG210`) or name (`undetectable-miss`), in any case.

    Raises `UsageError` naming the closest code or name when none matches.
    """
    wanted = code_or_name.strip()
    by_key = {key: r for r in RULES.values() for key in (r.code, r.name)}
    found = next((r for key, r in by_key.items() if key.casefold() == wanted.casefold()), None)
    if found is None:
        hint = did_you_mean(wanted, sorted(by_key), ignore_case=True)
        raise UsageError(
            f"no rule {code_or_name!r}"
            + (f": {hint}" if hint else "")
            + " (`cxgov rules` lists every code and name)"
        )
    return found


def rule_examples(code: str) -> list[RuleExample]:
    """The examples of a rule that `cxgov rules CODE` and docs/rules.md show: the first that
    breaks it, then the first that keeps it."""
    return shown(code)


def scaffold(
    directory: str,
    *,
    program_id: str | None = None,
    language: str = "en",
    package: str | None = None,
) -> list[Path]:
    """A new program under `directory` that validates as it is; returns the files written.
    `package` is what the workflows install (default: exactly this cxgov's version)."""
    return write_scaffold(
        Path(directory), program_id=program_id, language=language, package=package
    )
