"""Documentation cannot drift: generated references are current and every command, rule and
rejection reason is documented."""

from __future__ import annotations

import re

import click

from cxgov.cli import cli
from cxgov.ingest.rejections import REJECTIONS
from cxgov.judgement.outcome import ExitCode
from cxgov.rules import RULES
from tests.conftest import ROOT
from tests.docs_reference import pages


def test_generated_reference_pages_are_current() -> None:
    for path, text in pages().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.relative_to(ROOT)} is stale: run scripts/gen-docs"
        )


def test_every_rule_is_documented_with_examples() -> None:
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for code, rule in RULES.items():
        assert rule.doc.strip(), f"{code} has no docstring"
        section = text.split(f"\n## {code}\n", 1)
        assert len(section) == 2, f"{code} missing from docs/rules.md"
        body = section[1].split("\n## ", 1)[0]
        assert "Fails:" in body and "Passes:" in body, f"{code} lacks a failing or passing example"


def test_every_rejection_is_documented_with_an_example_and_a_fix() -> None:
    text = (ROOT / "docs" / "rejections.md").read_text(encoding="utf-8")
    for code, rejection in REJECTIONS.items():
        section = text.split(f"\n## {code}\n", 1)
        assert len(section) == 2, f"{code} missing from docs/rejections.md"
        body = section[1].split("\n## ", 1)[0]
        assert f"**{rejection.name}**" in body, f"{code} lacks its name"
        assert f"Example: `{code} " in body and "Fix: " in body, f"{code} lacks an example or a fix"


def _commands(group: click.Group, prefix: str = "cxgov") -> list[str]:
    """Every command's full name; the root group loads its commands when asked by name."""
    context = click.Context(group)
    names = []
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        names.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            names.extend(_commands(command, f"{prefix} {name}"))
    return names


def test_every_cli_command_is_documented() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    names = _commands(cli)
    assert {"cxgov validate", "cxgov site build", "cxgov actions ack"} <= set(names)
    for name in names:
        assert f"\n## `{name}`" in text, f"`{name}` has no section in docs/cli.md"


def test_the_exit_codes_are_documented_as_defined() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    codes = re.findall(r"^\| (\d+) \|", text.split("\n### ", 1)[0], flags=re.MULTILINE)
    assert codes == [str(int(c)) for c in ExitCode]
