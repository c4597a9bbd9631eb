"""What the import contracts cannot say.

The layers, the packages the core must not import and the absence of import cycles are import
contracts (pyproject.toml, [tool.importlinter]; `lint-imports` in scripts/test). Here: what the
model may import (an allow-list), what importing the judgement actually loads, and who reads the
wall clock.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cxgov"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_model_depends_on_nothing_but_pydantic() -> None:
    """An allow-list, which a forbidden contract cannot express; the layers contract keeps the
    model's imports of cxgov inside cxgov.model."""
    for path in sorted((PACKAGE / "model").rglob("*.py")):
        for name in _imports(path):
            assert name.split(".")[0] in {
                "__future__",
                "pydantic",
                "cxgov",
                "datetime",
                "enum",
                "typing",
                "dataclasses",
            }, f"{path.relative_to(PACKAGE)} imports {name}"


HEAVY = ("sqlalchemy", "alembic", "psycopg", "click", "jinja2", "mkdocs")


def test_importing_the_judgement_loads_no_database_command_line_or_site_builder() -> None:
    """The contracts read the source; this is what a fresh interpreter really loads, imports
    made inside functions or by the packages' own __init__ included."""
    probe = (
        "import json, sys\n"
        "import cxgov.judgement.verdicts, cxgov.judgement.decisions\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(found.stdout))
    assert "cxgov.judgement.decisions" in loaded, "the probe imported the judgement"
    heavy = sorted(name for name in loaded if name.split(".")[0] in HEAVY)
    assert not heavy, f"importing the judgement loads {heavy}"


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
    for path in sorted((PACKAGE / "judgement").rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            assert (
                top in sys.stdlib_module_names
                or top == "__future__"
                or name.startswith(("cxgov.model", "cxgov.stats", "cxgov.judgement"))
            ), f"{path.relative_to(PACKAGE)} imports {name}"
