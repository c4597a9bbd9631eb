"""Peak memory of `cxgov validate` on a program at its size limits, and just over them.

A program's YAML files are limited to 5 MiB each and 10 MiB together
(`cxgov.program_files.documents`): every file's parsed nodes and places are kept until the
program is checked, at several hundred bytes of memory per byte of YAML, so without the
limit per program four 5 MB files took 3 GB. This writes, into a temporary directory:

- at the limit: a program header and owners files filling 10 MiB, each file under 5 MiB;
- over the limit: the same with one more owners file (refused before any file is parsed);

runs `cxgov validate` on each as a whole process and prints its wall time and peak resident
memory. Run from the repository root:

    .venv/bin/python bench/bench_validate_limits.py

The exit status is 0 whatever the figures: this is a measurement, not a test.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from cxgov.program_files.documents import MAX_FILE_BYTES, MAX_PROGRAM_BYTES

try:
    from bench.measure import cxgov
except ImportError:  # run as a script: bench/ itself is on sys.path
    from measure import cxgov  # type: ignore[import-not-found,no-redef]

HEADER = "program: {id: limits, name: Limits, cx_owner: o0x0, sponsor: o0x0}\n"


def owners_file(path: Path, prefix: str, size: int) -> None:
    """An owners file of about `size` bytes: one small owner a line, no aliases."""
    lines = ["owners:"]
    written = len(lines[0]) + 1
    number = 0
    while True:
        line = f"  - {{id: {prefix}x{number}, name: Owner number {number}, kind: person}}"
        if written + len(line) + 1 > size:
            break
        lines.append(line)
        written += len(line) + 1
        number += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_program(directory: Path, files: int) -> int:
    """A program of a header and `files` owners files sharing MAX_PROGRAM_BYTES; its bytes."""
    directory.mkdir()
    (directory / "program.yaml").write_text(HEADER, encoding="utf-8")
    share = min((MAX_PROGRAM_BYTES - len(HEADER)) // 2, MAX_FILE_BYTES - 1)
    for number in range(files):
        owners_file(directory / f"owners-{number}.yaml", f"o{number}", share)
    return sum(p.stat().st_size for p in directory.iterdir())


def measured(directory: Path) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MiB and exit code of `cxgov validate DIR`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [cxgov(), "validate", str(directory)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> int:
    print(f"limits: {MAX_FILE_BYTES:,} bytes a file, {MAX_PROGRAM_BYTES:,} bytes a program")
    with tempfile.TemporaryDirectory() as temporary:
        for name, files in (("at the limit", 2), ("over the limit", 3)):
            directory = Path(temporary) / name.replace(" ", "-")
            size = write_program(directory, files)
            seconds, peak, code = measured(directory)
            print(
                f"  {name:<15} {size:>12,} bytes in {files + 1} files: exit {code}, "
                f"{seconds:5.1f} s, peak RSS {peak:,.0f} MiB"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
