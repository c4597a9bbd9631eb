"""How long `cxgov validate` takes on a large program, against a bare parse of the same files.

The issue "Program as code" sets the goal: on a 2-core machine, validating a large program
(40 journeys, about 1,000 touchpoints, 2,000 measurement points and 2,000 objectives over about
100 files, written by `bench/gen_program.py`) takes at most 3× as long as merely parsing its
files with PyYAML's C loader, and under 2 s of wall time for the whole `cxgov validate` command.
The issue "One truth per run" adds two goals for the command as a whole process: `cxgov
validate` within 2× of a whole process that only parses the same files, and `cxgov --version`
under 0.3 s.

In one Python process, after one warm-up run of each, this measures N times (default 7):

- bare parse: read every YAML file of the program and `yaml.load(text, Loader=CSafeLoader)`;
- validate: `cxgov.api.validate([program])`, the function the `cxgov validate` command calls
  (reading, safe composition with locations, structural validation, every semantic rule);

and reports their medians and the ratio validate / bare parse. Validation pauses Python's cyclic
garbage collector while it runs (see `cxgov.validation`), which a bare `yaml.load` does not;
for reference the bare parse is also timed with the collector paused.

It then runs whole processes a few times each (default 5), taking turns, and reports medians:

- `cxgov validate DIR` (the installed command) against `python -c` that imports PyYAML and
  parses the same files with the C loader: the whole-process ratio;
- `cxgov --version` against `python -c pass` (the interpreter's own start-up);
- for reference, `python -c 'import cxgov.cli'` (start-up and the command line's imports) and
  a process that does validate's work importing only `cxgov.validation`.

The peak resident memory of `cxgov validate` is shown too. CPU times (user + system) are shown
beside wall times: when other processes compete for the CPUs, wall times grow and CPU times
stay steadier.

Run from the repository root:

    .venv/bin/python bench/bench_validate.py [--program DIR] [--repeat 7] [--wall-runs 5]
        [--profile]

Without `--program` the program is generated into a temporary directory (with the generator's
defaults) and removed afterwards. `--profile` also prints the functions validate spends most
time in (cProfile). The exit status is 0 whatever the figures: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cxgov import api

try:
    from bench.gen_program import generate
except ImportError:  # run as a script: bench/ itself is on sys.path
    from gen_program import generate  # type: ignore[import-not-found,no-redef]

GOAL_RATIO = 3.0
GOAL_WALL_SECONDS = 2.0
GOAL_PROCESS_RATIO = 2.0
GOAL_VERSION_SECONDS = 0.3
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Timings:
    """Seconds per run: wall clock and CPU (user + system) time."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def wall_median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    def describe(self) -> str:
        return (
            f"{self.wall_median * 1000:7.1f} ms wall, {self.cpu_median * 1000:7.1f} ms CPU  "
            f"(wall min {min(self.wall) * 1000:.1f}, max {max(self.wall) * 1000:.1f}, "
            f"n={len(self.wall)})"
        )


def program_files(directory: Path) -> list[Path]:
    """The YAML files `cxgov validate` reads in a program directory (hidden ones skipped)."""
    return sorted(
        p
        for p in directory.rglob("*")
        if p.suffix in YAML_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )


def bare_parse(files: list[Path]) -> int:
    """Read and parse every file with the C loader; returns the number of documents."""
    parsed = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        if yaml.load(text, Loader=yaml.CSafeLoader) is not None:
            parsed += 1
    return parsed


def bare_parse_collector_paused(files: list[Path]) -> int:
    """The bare parse with the cyclic garbage collector paused, as validate runs."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return bare_parse(files)
    finally:
        if was_enabled:
            gc.enable()


def validate(directory: Path) -> api.ValidationResult:
    return api.validate([str(directory)])


def timed(run: Callable[[], Any], repeat: int) -> Timings:
    """Seconds per run in this process, after one untimed warm-up run."""
    run()
    times = Timings()
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        times.cpu.append(time.process_time() - cpu)
        times.wall.append(time.perf_counter() - wall)
    return times


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_commands(
    commands: list[list[str]], runs: int
) -> tuple[list[Timings], list[subprocess.CompletedProcess[str]], int]:
    """Seconds per run of each command (output captured), the last run of each, and the peak
    RSS of the first command.

    The commands take turns, so a spell of load from other processes falls on all of them.
    """
    times = [Timings() for _ in commands]
    last: list[subprocess.CompletedProcess[str]] = []
    peak = 0
    for round_ in range(runs):
        last = []
        for i, command in enumerate(commands):
            wall, cpu = time.perf_counter(), _children_cpu()
            last.append(subprocess.run(command, capture_output=True, text=True, check=False))
            times[i].wall.append(time.perf_counter() - wall)
            times[i].cpu.append(_children_cpu() - cpu)
            if round_ == 0 and i == 0:
                # the largest child so far, and no other child has run yet
                peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return times, last, peak


# What the command does, importing only what validation needs (not the store, evaluation or
# actions modules the command line's other commands use).
# The work is in a function, as in the command, so the result is freed before the interpreter
# shuts down (its final collection would otherwise walk the whole program's objects).
_VALIDATOR_ONLY = """
import sys
from cxgov.validation.output import FORMATTERS
from cxgov.validation import validate_paths

def main():
    result = validate_paths([sys.argv[1]])
    sys.stdout.write(FORMATTERS["text"](result.diagnostics, len(result.programs)))
    return 1 if result.failed() else 0

sys.exit(main())
"""


# The baseline process: start Python, import PyYAML, parse the same files with the C loader.
_BARE_PARSE = """
import sys
from pathlib import Path
import yaml
for path in sorted(Path(sys.argv[1]).rglob("*")):
    relative = path.relative_to(sys.argv[1]).parts
    if path.suffix in (".yaml", ".yml") and path.is_file() and not any(
        part.startswith(".") for part in relative
    ):
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
"""


def cli_command() -> list[str]:
    script = Path(sys.executable).with_name("cxgov")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cxgov"]


def profile(directory: Path, top: int = 25) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    validate(directory)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def _verdict(met: bool) -> str:
    return "PASS" if met else "MISS"


def _mib(maxrss: int) -> str:
    """ru_maxrss in MiB (it is KiB on Linux, bytes on macOS)."""
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return f"{maxrss / scale:.0f} MiB"


def run(directory: Path, *, repeat: int, wall_runs: int, show_profile: bool) -> None:
    files = program_files(directory)
    size = sum(p.stat().st_size for p in files)
    print(f"program: {directory}")
    print(f"files:   {len(files)} YAML files, {size:,} bytes")
    print(f"python:  {sys.version.split()[0]}, PyYAML {yaml.__version__}, {os.cpu_count()} CPUs")

    result = validate(directory)
    if result.programs:
        program = result.programs[0].program
        print(
            f"content: {len(program.journeys)} journeys, "
            f"{sum(len(j.touchpoints) for j in program.journeys)} touchpoints, "
            f"{len(program.measurement_points)} measurement points, "
            f"{len(program.objectives)} objectives"
        )
    print(f"result:  {result.errors} errors, {result.warnings} warnings")
    if result.errors:
        print("WARNING: the program has errors, so validate does not do its full work on it")
    print()
    del result  # a big heap left alive would slow the collector in what follows
    gc.collect()

    load_before = os.getloadavg()[0]
    bare = timed(lambda: bare_parse(files), repeat)
    paused = timed(lambda: bare_parse_collector_paused(files), repeat)
    full = timed(lambda: validate(directory), repeat)
    ratio = full.wall_median / bare.wall_median
    peak_in_process = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"in one process, median of {repeat} runs after a warm-up:")
    print(f"  bare parse (CSafeLoader): {bare.describe()}")
    print(f"  (the same, GC paused:     {paused.describe()})")
    print(f"  validate (api.validate):  {full.describe()}")
    print(
        f"  ratio validate / bare:    {ratio:.2f}× wall, "
        f"{full.cpu_median / bare.cpu_median:.2f}× CPU   (goal ≤ {GOAL_RATIO:g}×)"
    )
    print(f"  peak RSS of this process: {_mib(peak_in_process)}")
    print()

    python = sys.executable
    (walls, bare_process, version, interpreter, imports, lean), (done, *_), peak_child = (
        timed_commands(
            [
                [*cli_command(), "validate", str(directory)],
                [python, "-c", _BARE_PARSE, str(directory)],
                [*cli_command(), "--version"],
                [python, "-c", "pass"],
                [python, "-c", "import cxgov.cli"],
                [python, "-c", _VALIDATOR_ONLY, str(directory)],
            ],
            wall_runs,
        )
    )
    load_after = os.getloadavg()[0]
    process_ratio = walls.wall_median / bare_process.wall_median
    process_cpu_ratio = walls.cpu_median / bare_process.cpu_median
    lines = done.stdout.strip().splitlines()
    print(f"whole processes, median of {wall_runs} runs each (taking turns):")
    print(f"  cxgov validate DIR:       {walls.describe()}")
    print(f"  bare parse process:       {bare_process.describe()}")
    print("                            (`python -c` importing PyYAML, CSafeLoader on each file)")
    print(
        f"  ratio command / bare:     {process_ratio:.2f}× wall, {process_cpu_ratio:.2f}× CPU   "
        f"(goal ≤ {GOAL_PROCESS_RATIO:g}×)"
    )
    print(f"  cxgov --version:          {version.describe()}")
    print(f"  python -c pass:           {interpreter.describe()}")
    print(f"  start-up and imports:     {imports.describe()}")
    print("                            (`python -c 'import cxgov.cli'` alone)")
    print(f"  validator-only process:   {lean.describe()}")
    print("                            (the same work, importing only cxgov.validation)")
    print(f"  exit code {done.returncode}: {lines[-1] if lines else done.stderr.strip()}")
    print(f"  peak RSS of the command:  {_mib(peak_child)}")
    print()
    cpus = os.cpu_count() or 1
    print(f"load average: {load_before:.2f} before, {load_after:.2f} after ({cpus} CPUs)")
    if max(load_before, load_after) > 0.5 * cpus:
        print("  other processes were busy: wall times are inflated, CPU times are steadier")
    print()

    goals = [
        (ratio <= GOAL_RATIO, f"validate / bare parse = {ratio:.2f}× (goal ≤ {GOAL_RATIO:g}×)"),
        (
            walls.wall_median < GOAL_WALL_SECONDS,
            f"`cxgov validate` wall = {walls.wall_median:.2f} s (goal < {GOAL_WALL_SECONDS:g} s)",
        ),
        (
            process_ratio <= GOAL_PROCESS_RATIO,
            f"`cxgov validate` / bare parse process = {process_ratio:.2f}× "
            f"(goal ≤ {GOAL_PROCESS_RATIO:g}×)",
        ),
        (
            version.wall_median < GOAL_VERSION_SECONDS,
            f"`cxgov --version` wall = {version.wall_median:.3f} s "
            f"(goal < {GOAL_VERSION_SECONDS:g} s; `python -c pass` "
            f"{interpreter.wall_median:.3f} s)",
        ),
    ]
    for met, text in goals:
        print(f"{_verdict(met)}  {text}")
    print(f"{_verdict(all(met for met, _ in goals))}  overall")

    if show_profile:
        print()
        print(profile(directory))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--program", type=Path, help="program directory (default: generate one)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs in process")
    parser.add_argument("--wall-runs", type=int, default=5, help="runs of the command")
    parser.add_argument("--seed", type=int, default=1, help="generator seed")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of validate")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.wall_runs < 1:
        parser.error("--repeat and --wall-runs must be at least 1")
    if args.program is not None:
        if not args.program.is_dir():
            parser.error(f"not a directory: {args.program}")
        run(args.program, repeat=args.repeat, wall_runs=args.wall_runs, show_profile=args.profile)
        return 0
    scratch = Path(tempfile.mkdtemp(prefix="cxgov-bench-"))
    try:
        made = generate(scratch / "program", seed=args.seed)
        print(
            f"generated: {made.journeys} journeys, {made.touchpoints} touchpoints, "
            f"{made.measurement_points} measurement points, {made.objectives} objectives "
            f"(bench/gen_program.py, seed {args.seed})"
        )
        run(made.directory, repeat=args.repeat, wall_runs=args.wall_runs, show_profile=args.profile)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
