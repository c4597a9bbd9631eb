"""Every rule's case file: failing snippets produce exactly the expected diagnostics, passing
snippets produce none."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cxgov.api import validate
from cxgov.rules import RULES
from tests.rules.cases import Case, build, load_cases

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_case(case: Case, tmp_path: Path) -> None:
    program = build(case, tmp_path)
    result = validate(
        [str(program)],
        **({"max_bytes": case.max_bytes} if case.max_bytes else {}),
        environment=case.environment,
    )
    found = sorted((d.code, os.path.relpath(d.file, program), d.line) for d in result.diagnostics)
    expected = sorted((e.code, e.file, e.line) for e in case.expect)
    assert found == expected, "\n".join(
        f"{d.file}:{d.line}:{d.column}: {d.code} {d.full_message}" for d in result.diagnostics
    )


def test_base_program_is_clean(tmp_path: Path) -> None:
    result = validate([str(build(Case("none", "base", {}, ()), tmp_path))])
    assert result.diagnostics == []


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_has_a_failing_and_a_passing_case(code: str) -> None:
    cases = [c for c in CASES if c.rule == code]
    assert any(c.expect for c in cases), f"{code} has no failing case"
    assert any(not c.expect for c in cases), f"{code} has no passing case"
    for case in cases:
        if case.expect:
            assert any(e.code == code for e in case.expect), f"{case.id} never expects {code}"
