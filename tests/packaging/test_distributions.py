"""What the sdist and the wheel hold: the sdist is a source release the test suite runs from,
with nothing generated or local in it; the wheel is the package with its licence; and neither
build warns about the project's metadata."""

from __future__ import annotations

import shutil
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path, PurePosixPath

import pytest

from cxgov import __version__
from tests.packaging.conftest import Built
from tests.packaging.offline import ROOT, build_sdist, unpack

pytestmark = pytest.mark.child_process

# Files a source release needs: the package, the suite and what the suite reads.
SDIST_HOLDS = [
    "LICENSE",
    "README.md",
    "pyproject.toml",
    "requirements.txt",
    "mkdocs.yml",
    ".pre-commit-hooks.yaml",
    "cxgov/__init__.py",
    "cxgov/py.typed",
    "cxgov/scaffold_templates/workflows/nightly.yml",
    "cxgov/scaffold_templates/program/data/answers-2026-q1.csv",
    "cxgov/store/migrations/alembic.ini",
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/clock.py",
    "tests/test_cli.py",
    "tests/review/test_scaffold.py",
    "tests/packaging/conftest.py",
    "tests/fixtures/shop/program.yaml",
    "tests/site/golden/airline/index.md",
    "programs/kahvipalvelu/program.yaml",
    "schemas/program-file.schema.json",
    "docs/cli.md",
    "examples/github-actions/nightly.yml",
    "scripts/setup",
]
# Generated or local: caches, environments, the store, built sites, reports, demo answers.
LOCAL_FILES = [
    ".venv/lib/python3.11/site-packages/pydantic/__init__.py",
    ".mypy_cache/3.11/cxgov/api.data.json",
    ".pytest_cache/v/cache/lastfailed",
    ".ruff_cache/content",
    ".hypothesis/examples/x",
    "cxgov/__pycache__/api.cpython-311.pyc",
    "tests/__pycache__/conftest.cpython-311-pytest-9.2.0.pyc",
    "tests/review/__pycache__/test_scaffold.cpython-311.pyc",
    ".cxgov/cxgov.db",
    ".cxgov/site/airline/docs/index.md",
    ".cxgov/site/team/airline/docs/index.md",
    "site/airline/index.html",
    "site/leadership/airline/index.html",
    "reports/airline/2026-06-30.json",
    "programs/kahvipalvelu/data/answers-2026-05.csv",
    "test-artifacts/site/home.png",
    "build/lib/cxgov/removed_module.py",
    "dist/cxgov-0.0.9.tar.gz",
]


def _sdist_names(sdist: Path) -> set[str]:
    with tarfile.open(sdist) as archive:
        names = [PurePosixPath(n) for n in archive.getnames()]
    top = {n.parts[0] for n in names}
    assert top == {f"cxgov-{__version__}"}
    return {PurePosixPath(*n.parts[1:]).as_posix() for n in names if len(n.parts) > 1}


def test_the_sdist_holds_the_package_the_tests_and_what_they_read(built: Built) -> None:
    names = _sdist_names(built.sdist)
    missing = [name for name in SDIST_HOLDS if name not in names]
    assert not missing, f"the sdist lacks {missing}"
    tests_in_git = {p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").rglob("test_*.py")}
    assert tests_in_git <= names
    for name in names:
        parts = PurePosixPath(name).parts
        assert not {".venv", "__pycache__"} & set(parts), name
        assert parts[0] not in {".cxgov", "site", "reports", "build", "dist"}, name
        assert not name.endswith((".pyc", ".db")), name
        assert not (parts[0] == "programs" and "data" in parts), name


def test_generated_and_local_files_stay_out_of_the_sdist(built: Built, tmp_path: Path) -> None:
    """Built again from a checkout full of working files, the sdist is the same list."""
    source = unpack(built.sdist, tmp_path / "unpacked")
    for name in LOCAL_FILES:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text("local\n")
    # an egg-info left from an earlier build lists its files again; start without it, as a
    # fresh checkout does
    shutil.rmtree(source / "cxgov.egg-info")

    again, _ = build_sdist(source, tmp_path / "dist")

    names = _sdist_names(again)
    leaked = sorted(names & set(LOCAL_FILES))
    assert not leaked, f"MANIFEST.in lets these into the sdist: {leaked}"
    assert names == _sdist_names(built.sdist)


def _wheel_metadata(wheel: Path) -> tuple[set[str], dict[str, list[str]], bytes]:
    info = f"cxgov-{__version__}.dist-info"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        message = Parser().parsestr(archive.read(f"{info}/METADATA").decode("utf-8"))
        licence = archive.read(f"{info}/licenses/LICENSE")
    fields: dict[str, list[str]] = {}
    for key, value in message.items():
        fields.setdefault(key, []).append(value)
    return names, fields, licence


def test_the_wheel_is_the_package_with_its_licence(built: Built) -> None:
    names, fields, licence = _wheel_metadata(built.wheel)
    assert fields["License-Expression"] == ["Apache-2.0"]
    assert fields["License-File"] == ["LICENSE"]
    assert "License" not in fields
    assert not [c for c in fields.get("Classifier", []) if c.startswith("License ::")]
    assert licence == (ROOT / "LICENSE").read_bytes()
    assert b"Apache License" in licence and b"Version 2.0" in licence
    # the package with its data, and nothing else at the top: tests/ must not be installed
    assert {n.split("/")[0] for n in names} == {"cxgov", f"cxgov-{__version__}.dist-info"}
    for data in (
        "cxgov/py.typed",
        "cxgov/scaffold_templates/workflows/nightly.yml",
        "cxgov/scaffold_templates/workflows/pull-request.yml",
        "cxgov/scaffold_templates/program/data/answers-2026-q1.csv",
        "cxgov/store/migrations/env.py",
        # `cxgov init --language fi` writes the Finnish program from these
        "cxgov/scaffold_templates/program_fi/objectives.yaml",
        "cxgov/scaffold_templates/program_fi/journeys/support.yaml",
        # `cxgov rules CODE` shows each rule's examples from these
        "cxgov/rules/example_files/base/program.yaml",
        "cxgov/rules/example_files/cases/CXG210.yaml",
    ):
        assert data in names, data


def test_the_sdist_metadata_names_the_licence_too(built: Built) -> None:
    with tarfile.open(built.sdist) as archive:
        member = archive.extractfile(f"cxgov-{__version__}/PKG-INFO")
        assert member is not None
        message = Parser().parsestr(member.read().decode("utf-8"))
    assert message["License-Expression"] == "Apache-2.0"
    assert message["License-File"] == "LICENSE"


def test_neither_build_warns_about_deprecated_metadata(built: Built) -> None:
    """setuptools warns once per build about a `license` table or licence classifiers
    (deprecated for the SPDX `license` string); the only warnings left are harmless ones."""
    harmless = (
        "warning: no previously-included files matching",  # MANIFEST.in excludes, none found
        "no previously-included directories found matching",
        "byte-compiling is disabled",  # the build runs with PYTHONDONTWRITEBYTECODE
    )
    for output in (built.sdist_output, built.wheel_output):
        assert "adding license file 'LICENSE'" in output  # the build's output was captured
        for text in (
            "SetuptoolsDeprecationWarning",
            "TOML table is deprecated",
            "License classifiers",
        ):
            assert text not in output, output
        warnings = [
            line
            for line in output.splitlines()
            if "warn" in line.lower() and not any(h in line for h in harmless)
        ]
        assert not warnings, output
