"""The facade the command line and tests call. Functions here take plain arguments and return
values; printing and exit codes belong to the CLI."""

from __future__ import annotations

from pathlib import Path

from cxgov.assembly import UsageError
from cxgov.loading import MAX_FILE_BYTES
from cxgov.schema import stale_schemas, write_schemas
from cxgov.validation import ValidationResult, validate_paths

__all__ = ["UsageError", "ValidationResult", "check_schemas", "validate", "write_schema_files"]


def validate(paths: list[str], *, max_bytes: int = MAX_FILE_BYTES) -> ValidationResult:
    """Validate every program under `paths` (program directories or folders of them)."""
    return validate_paths(paths, max_bytes=max_bytes)


def write_schema_files(directory: str | Path = "schemas") -> list[Path]:
    return write_schemas(Path(directory))


def check_schemas(directory: str | Path = "schemas") -> list[str]:
    """Schema files under `directory` that are stale or missing."""
    return stale_schemas(Path(directory))
