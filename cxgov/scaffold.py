"""`cxgov init`: a new program that validates as it is, in a repository ready for review.

Writes the program's commented YAML files (each with the `yaml-language-server` schema
header), a small sample answer file with its source, the JSON Schemas the headers point to,
the GitHub Actions workflows and a pre-commit configuration. Nothing is overwritten.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from cxgov.model.base import ID_PATTERN
from cxgov.schema import build_schemas

TEMPLATES = "scaffold_templates"
PRE_COMMIT = """\
# Checks before each commit (https://pre-commit.com): validate the programs and keep the
# JSON Schemas current. Install with `pre-commit install`.
repos:
  - repo: local
    hooks:
      - id: cxgov-validate
        name: cxgov validate
        entry: cxgov validate programs/
        language: system
        files: ^programs/
        pass_filenames: false
      - id: cxgov-codeowners
        name: cxgov codeowners
        entry: cxgov codeowners --check
        language: system
        files: ^(programs/|CODEOWNERS$)
        pass_filenames: false
"""


class ScaffoldError(Exception):
    """The scaffold cannot be written: a file is in the way or the id is not an id."""


def _files(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            found.extend(_files(entry, f"{name}/"))
        elif not entry.name.startswith("."):
            found.append((name, entry))
    return found


def _program_id(directory: Path) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", directory.resolve().name).strip("-._").lower()
    return slug or "program"


def plan(
    directory: Path, *, program_id: str | None = None, language: str = "en"
) -> dict[Path, str]:
    """Path -> text of every file `cxgov init` writes under `directory`."""
    ident = program_id or _program_id(directory)
    if not re.match(ID_PATTERN, ident):
        raise ScaffoldError(
            f"{ident!r} is not a program id: letters, digits, '-', '_' and '.', "
            "starting with a letter or digit (give one with --id)"
        )
    if language not in ("en", "fi"):
        raise ScaffoldError(f"language {language!r}: cxgov speaks en and fi")
    root = resources.files("cxgov") / TEMPLATES
    program_dir = Path("programs") / ident
    written: dict[Path, str] = {}
    for name, entry in _files(root / "program"):
        target = program_dir / name
        depth = len(target.parent.parts)
        values = {
            "schema_path": "/".join([".."] * depth + ["schemas", "program-file.schema.json"]),
            "program_id": ident,
            "program_name": f"{ident} customer-experience program",
            "language": language,
            "program_dir": program_dir.as_posix(),
        }
        text = entry.read_text(encoding="utf-8")
        written[directory / target] = (
            Template(text).substitute(values) if name.endswith(".yaml") else text
        )
    for name, entry in _files(root / "workflows"):
        written[directory / ".github" / "workflows" / f"cxgov-{name}"] = entry.read_text(
            encoding="utf-8"
        )
    for name, text in build_schemas().items():
        written[directory / "schemas" / name] = text
    written[directory / ".pre-commit-config.yaml"] = PRE_COMMIT
    return written


def write_scaffold(
    directory: Path, *, program_id: str | None = None, language: str = "en"
) -> list[Path]:
    files = plan(directory, program_id=program_id, language=language)
    existing = sorted(str(p) for p in files if p.exists())
    if existing:
        raise ScaffoldError(
            f"{len(existing)} file(s) already exist, nothing written: {', '.join(existing[:5])}"
        )
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(files, key=os.fspath)
