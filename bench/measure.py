"""What the benchmarks share: one timed run, the runs of one approach, and small helpers."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    """User plus system time of the process (a database server's work is not in it)."""
    peak_mb: float


@dataclass
class Measured:
    """Repeated runs of one approach: medians of time, the maximum of memory."""

    name: str
    runs: list[Run] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)


def cxgov() -> str:
    """The checkout's own command when it is set up, else the one on PATH."""
    local = REPO / ".venv" / "bin" / "cxgov"
    return str(local) if local.exists() else "cxgov"


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def run_measured(command: Sequence[str], *, env: dict[str, str] | None = None) -> tuple[Run, str]:
    """Run `command` as a child process: its wall time, CPU time, peak RSS and standard output.
    Raises RuntimeError with the command's output when it fails."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited {returncode}:\n{stderr[-2000:]}{stdout[-2000:]}"
        )
    # ru_maxrss is in kilobytes on Linux
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024), stdout
