"""`cxgov init`: a new program that validates as it is, in a repository ready for review.

Writes the program's commented YAML files in the program's language (each with the
`yaml-language-server` schema header), a small sample answer file with its source, the JSON
Schemas the headers point to, the GitHub Actions workflows (which install the cxgov that
wrote them), a pre-commit configuration and a `.gitignore` that keeps cxgov's working files
out of Git. Nothing is overwritten: an existing `.gitignore` only gets the lines it lacks
appended.
"""

from __future__ import annotations

import json
import os
import re
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from cxgov import __version__
from cxgov.errors import UsageError
from cxgov.model.base import ID_PATTERN
from cxgov.schema import build_schemas

TEMPLATES = "scaffold_templates"
TRANSLATED = {"fi": "program_fi"}
"""Template folders holding the program's YAML files written in another language than English
(names, descriptions and comments; ids, keys and numbers are the same in every language). The
English folder, `program`, names the files and holds the sample answers for all."""
PROGRAM_NAMES = {
    "en": "{id} customer-experience program",
    "fi": "Asiakaskokemusohjelma {id}",
}
PACKAGE_PLACEHOLDER = "__CXGOV_PACKAGE__"
"""Stands in the workflow templates for the quoted install spec (`CXGOV_PACKAGE: ...`)."""
VERSION_PLACEHOLDER = "__CXGOV_VERSION__"
"""This cxgov's version, in the workflows' examples of other install specs."""
GITIGNORE = """\
# Written by `cxgov init`. cxgov's working files hold customer answers and their comments, or
# are generated from them: they stay out of Git, so `git add -A` never commits them.
# The embedded store (.cxgov/cxgov.db), the run locks and the site's generated pages
/.cxgov/
# The built governance site (cxgov run, cxgov site build): the team site quotes comments
/site/
# Evaluation reports (cxgov run, cxgov evaluate)
/reports/
# Survey exports, the sample's too: scripts/fetch-exports brings them to each nightly run
/programs/*/data/
# A SQLite store given with --db sqlite:///FILE: the file, SQLite's and cxgov's beside it
*.db
*.db-wal
*.db-shm
*.db-journal
*.db.key
.cxgov-run-*.lock
"""
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


class ScaffoldError(UsageError):
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


def default_package() -> str:
    """The install spec the workflows get by default: exactly the cxgov that wrote them."""
    return f"cxgov=={__version__}"


def _package_value(package: str) -> str:
    spec = package.strip()
    if not spec or not spec.isprintable():
        raise ScaffoldError(
            f"--package {package!r}: give one pip requirement on one line, e.g. "
            f"{default_package()!r}, 'cxgov @ git+https://HOST/OWNER/cxgov@v{__version__}' or a "
            "wheel file's path"
        )
    # a JSON string is a YAML double-quoted scalar: any spec (with spaces, '@', ':' or '#')
    # stays one value
    return json.dumps(spec)


def _workflow(text: str, package: str, name: str) -> str:
    if text.count(PACKAGE_PLACEHOLDER) != 1:
        raise RuntimeError(f"workflow template {name} must hold {PACKAGE_PLACEHOLDER} once")
    return text.replace(PACKAGE_PLACEHOLDER, _package_value(package)).replace(
        VERSION_PLACEHOLDER, __version__
    )


def plan(
    directory: Path,
    *,
    program_id: str | None = None,
    language: str = "en",
    package: str | None = None,
) -> dict[Path, str]:
    """Path -> text of every file `cxgov init` writes under `directory`.

    `package` is the pip requirement the workflows install (default: this cxgov's version).
    """
    ident = program_id or _program_id(directory)
    if not re.match(ID_PATTERN, ident):
        raise ScaffoldError(
            f"{ident!r} is not a program id: letters, digits, '-', '_' and '.', "
            "starting with a letter or digit (give one with --id)"
        )
    if language not in PROGRAM_NAMES:
        raise ScaffoldError(
            f"language {language!r}: cxgov speaks {' and '.join(sorted(PROGRAM_NAMES))}"
        )
    root = resources.files("cxgov") / TEMPLATES
    translated = root / TRANSLATED[language] if language in TRANSLATED else None
    program_dir = Path("programs") / ident
    written: dict[Path, str] = {}
    for name, entry in _files(root / "program"):
        target = program_dir / name
        depth = len(target.parent.parts)
        values = {
            "schema_path": "/".join([".."] * depth + ["schemas", "program-file.schema.json"]),
            "program_id": ident,
            "program_name": PROGRAM_NAMES[language].format(id=ident),
            "language": language,
            "program_dir": program_dir.as_posix(),
        }
        if translated is not None and name.endswith(".yaml"):
            entry = translated.joinpath(*name.split("/"))
        text = entry.read_text(encoding="utf-8")
        written[directory / target] = (
            Template(text).substitute(values) if name.endswith(".yaml") else text
        )
    spec = default_package() if package is None else package
    for name, entry in _files(root / "workflows"):
        written[directory / ".github" / "workflows" / f"cxgov-{name}"] = _workflow(
            entry.read_text(encoding="utf-8"), spec, name
        )
    for name, text in build_schemas().items():
        written[directory / "schemas" / name] = text
    written[directory / ".pre-commit-config.yaml"] = PRE_COMMIT
    written[directory / ".gitignore"] = GITIGNORE
    return written


def _rule(line: str) -> str:
    # `/site/`, `site/` and `/site` all keep the root's site/ out; the same rule twice is noise
    return line.strip().strip("/")


def merged_gitignore(existing: str) -> str | None:
    """`existing` with the rules of cxgov's `.gitignore` it lacks appended, or None when it
    has them all. The user's lines stay as they are, in their order."""
    have = {_rule(line) for line in existing.splitlines()}
    missing = [
        line
        for line in GITIGNORE.splitlines()
        if line.strip() and not line.startswith("#") and _rule(line) not in have
    ]
    if not missing:
        return None
    head = existing if not existing or existing.endswith("\n") else existing + "\n"
    return (
        head
        + "# Added by `cxgov init`: cxgov's working files hold customer data\n"
        + ("\n".join(missing) + "\n")
    )


def write_scaffold(
    directory: Path,
    *,
    program_id: str | None = None,
    language: str = "en",
    package: str | None = None,
) -> list[Path]:
    """Write the scaffold and return the files written (an existing `.gitignore` counts when
    lines were appended to it)."""
    files = plan(directory, program_id=program_id, language=language, package=package)
    gitignore = directory / ".gitignore"
    if gitignore.exists():
        # a repository that already has a .gitignore is the usual case, not a conflict: it
        # only needs cxgov's rules added
        merged = merged_gitignore(gitignore.read_text(encoding="utf-8"))
        if merged is None:
            del files[gitignore]
        else:
            files[gitignore] = merged
    existing = sorted(str(p) for p in files if p.exists() and p != gitignore)
    if existing:
        raise ScaffoldError(
            f"{len(existing)} file(s) already exist, nothing written: {', '.join(existing[:5])}"
        )
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(files, key=os.fspath)
