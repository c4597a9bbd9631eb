"""A command's outcome as an exit code: the codes themselves and the `--fail-on` policy."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxgov.judgement.verdicts import Verdict


class ExitCode(IntEnum):
    """What a cxgov command's exit status means: a contract with CI systems and scripts that
    call cxgov.

    | code | meaning |
    |------|---------|
    | 0 | success: no errors (warnings allowed unless `--strict`) |
    | 1 | the command ran and found problems (validation errors, a stale schema) |
    | 2 | usage error: bad options, a path that does not exist |
    | 3 | internal error: a bug in cxgov; please report it with the traceback |
    | 4 | data refused: a batch over `--max-reject-rate` (none of it committed), or a file |
    |   | that could not be read at all (quarantined); the rest went on |
    | 5 | busy: another `cxgov run` of the same program holds the lock, or a run lost its |
    |   | lock midway and stopped before its next stage |
    | 130 | interrupted (Ctrl-C) |
    """

    OK = 0
    PROBLEMS = 1
    USAGE = 2
    INTERNAL = 3
    REJECTED = 4
    BUSY = 5
    INTERRUPTED = 130


FAIL_ON = (
    "fail",
    "no_data",
    "warn",
    "below_target",
    "insufficient_sample",
    "within_noise",
    "none",
)
"""The `--fail-on` choices: a verdict status, from the gravest, or `none` (never fail)."""

FAIL_ON_DEFAULT = "none"
"""`--fail-on` of `evaluate` and `run` alike: a missed objective is what the actions are for,
not a failure of the command, so the nightly job stays green unless a gate asks for more."""


def exit_code_for(statuses: Iterable[Verdict], fail_on: str) -> ExitCode:
    """PROBLEMS when a status is at or beyond `fail_on` (on_target < pending < within_noise <
    insufficient_sample < below_target < warn < no_data < fail), else OK; `none` never
    fails."""
    if fail_on == "none":
        return ExitCode.OK
    # Imported here: every command needs the exit codes, and the verdicts bring the program
    # model with them, which `cxgov --version` and `--help` should not pay for.
    from cxgov.judgement.verdicts import SEVERITY, Verdict

    threshold = SEVERITY[Verdict(fail_on)]
    failed = any(SEVERITY[status] >= threshold for status in statuses)
    return ExitCode.PROBLEMS if failed else ExitCode.OK


def review_exit_code(
    *,
    loosened: bool,
    rewrites_history: bool,
    fail_on_loosened: bool,
    allow_history_rewrite: bool,
    fail_on_history_rewrite: bool = False,
) -> ExitCode:
    """The gate of `cxgov diff --fail-on-loosened`: PROBLEMS when something is loosened (or an
    objective removed), or when a change rewrites history and `--allow-history-rewrite` was
    not given; a rewrite is refused even when it tightens, since it changes what periods
    already judged are held to. `--fail-on-history-rewrite` refuses rewrites alone, so that a
    workflow can ask for their approval apart from a loosening's. Without a gate the diff only
    informs: OK."""
    if fail_on_history_rewrite and rewrites_history:
        return ExitCode.PROBLEMS
    if not fail_on_loosened:
        return ExitCode.OK
    if loosened or (rewrites_history and not allow_history_rewrite):
        return ExitCode.PROBLEMS
    return ExitCode.OK
