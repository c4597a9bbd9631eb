"""A theme's regex is refused for a shape that backtracks exponentially (CXG118), since
Python's `re` cannot be stopped after a time limit; harmless shapes pass."""

from __future__ import annotations

import pytest

from cxgov.rules.settings import backtracking_risk

RISKY = [r"(a+)+$", r"(\w+\s?)*$", r"(.*x){20}", r"(a|a)*$", r"(?=(a+)+b)", r"((ab)*c)*"]
HARMLESS = [
    r"late.*deliver",
    r"toimitu(s|ksen)",
    r"(ab)+",
    r"(x|y)+",
    r"(?>a+)+$",
    r"(a++)+$",
    r"\b(myöhässä|late)\b",
    r"[0-9]{3}-[0-9]{4}",
]


@pytest.mark.parametrize("regex", RISKY)
def test_a_quantifier_inside_a_repeated_group_is_refused(regex: str) -> None:
    assert backtracking_risk(regex) is not None


@pytest.mark.parametrize("regex", HARMLESS)
def test_a_regex_without_that_shape_passes(regex: str) -> None:
    assert backtracking_risk(regex) is None


def test_a_regex_that_does_not_compile_is_left_to_the_compile_check() -> None:
    assert backtracking_risk("late (delivery") is None
