"""The `--fail-on` policy: which latest verdicts make a command exit 1."""

from __future__ import annotations

import pytest

from cxgov.judgement.outcome import FAIL_ON, ExitCode, exit_code_for
from cxgov.judgement.verdicts import SEVERITY, Verdict


def test_exit_codes_are_a_documented_intenum() -> None:
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 4, 5, 130]
    doc = ExitCode.__doc__ or ""
    for code in ExitCode:
        assert f"| {int(code)} |" in doc


def test_the_choices_are_the_verdicts_from_the_gravest_and_none() -> None:
    gravest_first = sorted(SEVERITY, key=lambda v: -SEVERITY[v])
    statuses = [v.value for v in gravest_first if v not in (Verdict.ON_TARGET, Verdict.PENDING)]
    assert list(FAIL_ON) == [*statuses, "none"]


@pytest.mark.parametrize(
    ("statuses", "fail_on", "expected"),
    [
        ([Verdict.ON_TARGET, Verdict.FAIL], "fail", ExitCode.PROBLEMS),
        ([Verdict.ON_TARGET, Verdict.NO_DATA], "fail", ExitCode.OK),
        ([Verdict.NO_DATA], "warn", ExitCode.PROBLEMS),
        ([Verdict.WARN], "warn", ExitCode.PROBLEMS),
        ([Verdict.INSUFFICIENT_SAMPLE], "warn", ExitCode.OK),
        ([Verdict.INSUFFICIENT_SAMPLE], "insufficient_sample", ExitCode.PROBLEMS),
        ([Verdict.FAIL], "none", ExitCode.OK),
        ([], "insufficient_sample", ExitCode.OK),
    ],
)
def test_a_status_at_or_beyond_the_threshold_fails(
    statuses: list[Verdict], fail_on: str, expected: ExitCode
) -> None:
    assert exit_code_for(iter(statuses), fail_on) is expected


def test_an_unknown_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match="pass_or_not"):
        exit_code_for([Verdict.ON_TARGET], "pass_or_not")
