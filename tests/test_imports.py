"""What a command imports is what it needs: `cxgov validate` and `cxgov --version` stay fast
because the api and the command line load the store, evaluation, actions and the site only
when a command uses them."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import click
import pytest

from cxgov import api
from cxgov.cli import COMMANDS, cli
from tests.conftest import ROOT

HEAVY = (
    "sqlalchemy",
    "alembic",
    "jinja2",
    "mkdocs",
    "cxgov.store",
    "cxgov.evaluate",
    "cxgov.site",
    "cxgov.actions",
)


def _loaded_after(script: str) -> tuple[list[str], str]:
    """The modules a fresh interpreter holds after `script`, and what the script printed."""
    probe = f"{script}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    *printed, modules = done.stdout.splitlines()
    return json.loads(modules), "\n".join(printed)


def _heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]


def test_validate_loads_neither_the_store_nor_evaluation_actions_or_the_site() -> None:
    modules, printed = _loaded_after(
        "from click.testing import CliRunner\n"
        "from cxgov.cli import cli\n"
        "result = CliRunner().invoke(cli, ['validate', 'tests/fixtures/broken'])\n"
        "print(result.exit_code)"
    )
    assert printed == "1", "validate ran and found the fixture's errors"
    assert "cxgov.validation" in modules, "the check sees what validate imported"
    assert _heavy(modules) == []


def test_the_version_loads_no_command_and_not_the_program_model() -> None:
    modules, printed = _loaded_after(
        "from cxgov.cli import main\n"
        "import contextlib, io\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    code = main(['--version'])\n"
        "print(code, out.getvalue().strip())"
    )
    assert printed.startswith("0 cxgov, version ")
    assert _heavy(modules) == []
    assert not [m for m in modules if m.startswith(("pydantic", "yaml", "cxgov.model"))]
    assert [m for m in modules if m.startswith("cxgov.cli.")] == ["cxgov.cli.common"]


def test_the_help_lists_every_command_without_the_store() -> None:
    modules, printed = _loaded_after(
        "from click.testing import CliRunner\n"
        "from cxgov.cli import cli\n"
        "print(CliRunner().invoke(cli, ['--help']).output)"
    )
    assert "  validate " in printed and "  site " in printed
    assert [m for m in _heavy(modules) if not m.startswith("cxgov.site")] == []


def _typing_imports() -> dict[str, str]:
    """The names cxgov/api/__init__.py imports for type checkers, with their modules."""
    tree = ast.parse((ROOT / "cxgov" / "api" / "__init__.py").read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If))
    return {
        alias.asname or alias.name: node.module or ""
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_the_api_names_and_what_type_checkers_see_agree() -> None:
    assert _typing_imports() == api._HOME_OF
    assert api.__all__ == sorted(api._HOME_OF)


@pytest.mark.parametrize("name", api.__all__)
def test_every_api_name_resolves(name: str) -> None:
    assert getattr(api, name) is getattr(sys.modules[api._HOME_OF[name]], name)


def test_no_api_module_hides_a_public_name() -> None:
    """Importing a submodule binds its name in the package: a module `review` would replace
    the function `api.review` once loaded."""
    modules = {p.stem for p in (ROOT / "cxgov" / "api").glob("*.py")}
    assert not modules & set(api.__all__)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_where_the_root_group_looks_for_it(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None and command.name == name
