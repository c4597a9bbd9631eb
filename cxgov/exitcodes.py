"""Process exit codes: a contract with CI systems and scripts that call cxgov."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a cxgov command's exit status means.

    | code | meaning |
    |------|---------|
    | 0 | success: no errors (warnings allowed unless `--strict`) |
    | 1 | the command ran and found problems (validation errors, a stale schema) |
    | 2 | usage error: bad options, a path that does not exist |
    | 3 | internal error: a bug in cxgov; please report it with the traceback |
    | 4 | ingest refused: rejected rows exceeded `--max-reject-rate`; nothing was committed |
    | 5 | busy: another `cxgov run` of the same program holds the lock |
    | 130 | interrupted (Ctrl-C) |
    """

    OK = 0
    PROBLEMS = 1
    USAGE = 2
    INTERNAL = 3
    REJECTED = 4
    BUSY = 5
    INTERRUPTED = 130
