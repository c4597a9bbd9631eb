"""`cxgov rules`: a rule found by code or name, explained with the examples docs/rules.md
shows, and every summary whole."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from cxgov.cli import cli
from cxgov.rules import RULES
from tests.conftest import ROOT


def _rules(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["rules", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("asked", ["undetectable-miss", "UNDETECTABLE-MISS", "cxg210", "CXG210"])
def test_a_rule_is_found_by_its_code_or_its_name_in_any_case(asked: str) -> None:
    code, output = _rules(asked)
    assert code == 0, output
    assert output.startswith("CXG210 undetectable-miss (warning)\n")
    assert output == _rules("CXG210")[1]


@pytest.mark.parametrize(
    ("asked", "suggested"),
    [
        ("undetectable-mis", "undetectable-miss"),
        ("kpi-unmesured", "kpi-unmeasured"),
        ("jorney-without-owner", "journey-without-owner"),
    ],
)
def test_an_unknown_rule_is_a_usage_error_with_the_closest(asked: str, suggested: str) -> None:
    code, output = _rules(asked)
    assert code == 2
    assert f"no rule '{asked}': did you mean '{suggested}'?" in output


def test_a_rule_nothing_resembles_is_a_usage_error_pointing_at_the_list() -> None:
    code, output = _rules("xyzzy")
    assert code == 2
    assert "no rule 'xyzzy' (`cxgov rules` lists every code and name)" in output


def _docs_examples(code: str) -> list[tuple[str, list[str]]]:
    """The labelled examples of one rule in docs/rules.md, each with its YAML lines."""
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    body = text.split(f"\n## {code}\n", 1)[1].split("\n## ", 1)[0]
    found = []
    for label, rest in re.findall(
        r"\n((?:Fails|Passes): [^\n]*)\n(.*?)(?=\n(?:Fails|Passes): |\Z)", body, re.S
    ):
        found.append((label, re.findall(r"```yaml\n(.*?)\n```", rest, re.S)))
    return found


@pytest.mark.parametrize("code", sorted(RULES))
def test_a_rule_shows_the_examples_docs_rules_md_shows(code: str) -> None:
    exit_code, output = _rules(code)
    assert exit_code == 0, output
    examples = _docs_examples(code)
    assert [label for label, _ in examples] == re.findall(r"^(?:Fails|Passes): .*$", output, re.M)
    assert [label.split(":")[0] for label, _ in examples] == ["Fails", "Passes"]
    for _, files in examples:
        for content in files:
            assert (
                "\n".join(f"    {line}" if line else "" for line in content.split("\n")) in output
            )


def test_a_failing_example_says_what_it_reports() -> None:
    output = _rules("CXG212")[1]
    assert "Fails: a journey nobody owns\n  extra.yaml:\n    journeys:\n" in output
    assert "  reports CXG212 at extra.yaml:2\n" in output


def test_the_list_shows_every_summary_whole() -> None:
    code, output = _rules()
    assert code == 0
    lines = output.splitlines()
    assert max(len(line) for line in lines) <= 100
    # a wrapped summary continues under itself: joined back, each is the whole first paragraph
    entries = re.split(r"\n(?=CXG\d{3} )", output.strip())
    assert [e.split()[0] for e in entries] == sorted(RULES)
    for entry in entries:
        rule = RULES[entry.split()[0]]
        shown = " ".join(entry.split()[3:])
        assert shown == rule.summary
        assert not rule.summary.endswith((" that", " a", " the", " or", ","))
    assert RULES["CXG122"].summary.endswith("targets a theme at a point that collects no comments")
