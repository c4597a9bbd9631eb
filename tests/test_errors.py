"""Expected failures share one base class, and each maps to the exit code its meaning needs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cxgov import errors
from cxgov.judgement.outcome import ExitCode
from cxgov.review.compare import ReviewError
from cxgov.scaffold import ScaffoldError

EXPECTED = {
    errors.CxgovError: ExitCode.PROBLEMS,
    errors.UsageError: ExitCode.USAGE,
    errors.InvalidProgram: ExitCode.PROBLEMS,
    errors.FileFormatError: ExitCode.PROBLEMS,
    errors.StoreError: ExitCode.PROBLEMS,
    errors.DatabaseUrlError: ExitCode.USAGE,
    errors.RunLocked: ExitCode.BUSY,
    errors.RunLockLost: ExitCode.BUSY,
    errors.ActionError: ExitCode.PROBLEMS,
    errors.SiteError: ExitCode.PROBLEMS,
    ReviewError: ExitCode.USAGE,
    ScaffoldError: ExitCode.USAGE,
}


@pytest.mark.parametrize("error", list(EXPECTED), ids=lambda e: e.__name__)
def test_each_expected_failure_has_its_exit_code(error: type[errors.CxgovError]) -> None:
    assert issubclass(error, errors.CxgovError)
    assert ExitCode(error.exit_code) is EXPECTED[error]


def test_every_error_of_the_module_is_listed() -> None:
    defined = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.CxgovError)
    }
    assert defined <= set(EXPECTED)


def test_the_module_imports_only_the_standard_library() -> None:
    """The program loader raises these; importing them must cost nothing."""
    tree = ast.parse(Path(errors.__file__).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            assert node.module in {"__future__", "typing"}, node.module
        assert not isinstance(node, ast.Import)
