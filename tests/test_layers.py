"""Layers point one way: the core never imports the CLI, databases or site builders."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cxgov"
CORE = [
    "model",
    "rules",
    "loading.py",
    "diagnostics.py",
    "structure.py",
    "assembly.py",
    "validation.py",
]
FORBIDDEN_IN_CORE = (
    "click",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "mkdocs",
    "cxgov.cli",
    "cxgov.api",
)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _files(entry: str) -> list[Path]:
    target = PACKAGE / entry
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


@pytest.mark.parametrize("entry", CORE)
def test_core_modules_do_not_reach_up_or_out(entry: str) -> None:
    for path in _files(entry):
        for name in _imports(path):
            assert not name.startswith(FORBIDDEN_IN_CORE), (
                f"{path.relative_to(PACKAGE)} imports {name}"
            )


def test_model_depends_on_nothing_but_pydantic() -> None:
    for path in _files("model"):
        for name in _imports(path):
            assert name.split(".")[0] in {
                "__future__",
                "pydantic",
                "cxgov",
                "datetime",
                "enum",
                "typing",
                "dataclasses",
            }, name
            assert not name.startswith("cxgov.") or name.startswith("cxgov.model"), name


PURE_SITE = ["site/pages.py", "site/i18n.py", "site/escape.py", "site/data.py", "site/options.py"]


@pytest.mark.parametrize("entry", PURE_SITE)
def test_site_pages_are_built_without_the_store_or_the_cli(entry: str) -> None:
    for name in _imports(PACKAGE / entry):
        assert not name.startswith(
            ("click", "sqlalchemy", "subprocess", "cxgov.store", "cxgov.cli", "cxgov.api")
        ), f"{entry} imports {name}"


_WALL_CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
}


def _wall_clock_reads(path: Path) -> list[str]:
    """Calls of the pairs in _WALL_CLOCK_CALLS (matched by the attribute and the name before
    it, however the module was imported)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        owner_name = (
            owner.attr
            if isinstance(owner, ast.Attribute)
            else owner.id
            if isinstance(owner, ast.Name)
            else ""
        )
        if (owner_name, node.func.attr) in _WALL_CLOCK_CALLS:
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_only_the_clock_module_reads_the_wall_clock() -> None:
    """ "Now" enters at the command line's edge (cxgov/clock.py, used by cxgov/cli/common.py)
    and is passed down; a module that asks the system itself cannot be pinned by tests."""
    reads = [
        place
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "clock.py" or path.parent != PACKAGE
        for place in _wall_clock_reads(path)
    ]
    assert not reads, f"the wall clock is read outside cxgov/clock.py: {reads}"
    assert _wall_clock_reads(PACKAGE / "clock.py"), "the check finds the one read it allows"


CLI_MAY_IMPORT = ("click", "cxgov.api", "cxgov.cli", "cxgov.errors", "cxgov.judgement.outcome")


@pytest.mark.parametrize("path", sorted((PACKAGE / "cli").glob("*.py")), ids=lambda p: p.name)
def test_the_command_line_reaches_the_rest_only_through_the_api(path: Path) -> None:
    """Commands parse, call the api and format; whatever else they need the api exports, so
    the api alone decides what a command loads."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "cxgov":
            assert {a.name for a in node.names} <= {"__version__", "api"}, path.name
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or name.startswith(CLI_MAY_IMPORT), (
                    f"cli/{path.name} imports {name}"
                )


def test_judgement_imports_only_the_model_stats_and_the_standard_library() -> None:
    for path in _files("judgement"):
        for name in _imports(path):
            top = name.split(".")[0]
            assert (
                top in sys.stdlib_module_names
                or top == "__future__"
                or name.startswith(("cxgov.model", "cxgov.stats", "cxgov.judgement"))
            ), f"{path.relative_to(PACKAGE)} imports {name}"
