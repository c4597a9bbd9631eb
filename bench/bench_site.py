"""Benchmark of `cxgov site build`: 200 objectives, 24 months of answers, voice of the customer.

Generates the program and its answers with bench/gen_answers.py (200 monthly measurement points,
one objective each, one journey of 200 touchpoints; default 200,000 answers over 24 months, a
fifth of them with a comment) and adds the ten themes of bench/gen_program.py, which those
comments mention, so the site has its voice-of-the-customer pages. Not timed: `cxgov run
--no-site` ingests the answers into a fresh SQLite store and records one run. Then it times, each
`--repeat` times (medians; every run a fresh process, the two taking turns):

- `cxgov site build` as a user runs it: start-up, reading the program and the store, writing
  the pages and charts, and the mkdocs-material build cxgov starts. Its peak memory is that of
  the largest process of the build (ru_maxrss of the process tree, from os.wait4); the cxgov
  process's own peak is also reported (getrusage(RUSAGE_SELF) inside it, at its end);
- the baseline: mkdocs' own build (`python -m mkdocs build --strict --quiet`, as cxgov runs it)
  of the very pages and effective configuration cxgov wrote under `.cxgov/site/bench/`: what
  any static site of those pages costs.

Then `--grow` times as many answers again (default 2: the store goes from N to 3N answers, in
the same months) are ingested with `cxgov ingest`, WITHOUT a new run, and both are measured
again: a site built from the recorded run alone would take the same time whatever the store
holds.

With the store as the run left it, the leadership summary is also printed each time: `cxgov site
pdf` of the built site's overview page (Playwright driving the system's Chromium), against the
baseline of Chromium's own `--print-to-pdf` of the same page (a bare headless Chromium start and
print: what any PDF of the page costs).

Goals: `cxgov site build` within 1.5x of the bare mkdocs build, under 10 s, peak memory under
150 MB; `cxgov site pdf` under 15 s. The exit status is always 0, also when a command fails (it
is reported).

Run from the repository root:

    .venv/bin/python bench/bench_site.py                           # 5-8 minutes
    .venv/bin/python bench/bench_site.py --rows 20000 --repeat 1   # a quick check
"""

from __future__ import annotations

import argparse
import calendar
import contextlib
import datetime as dt
import os
import re
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

if not __package__:  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gen_answers import END_MONTH, SOURCE_ID, generate, write_answers
from bench.gen_program import _themes_yaml
from bench.measure import REPO, Measured, cxgov, run_measured, verdict

GOAL_RATIO = 1.5
GOAL_SECONDS = 10.0
GOAL_PEAK_MB = 150.0
GOAL_PDF_SECONDS = 15.0
PROGRAM_ID = "bench"  # gen_answers' program

# The answers end with END_MONTH; the run is as of its last day and "now" is pinned to the day
# after, so the figures do not depend on the day the benchmark runs.
AS_OF = dt.date(*END_MONTH, calendar.monthrange(*END_MONTH)[1])
NOW = (AS_OF + dt.timedelta(days=1)).isoformat()

# `cxgov site build` in a child that also writes down its own peak memory: ru_maxrss of the
# tree is only the largest process's, and RUSAGE_CHILDREN cannot tell the mkdocs child apart,
# because Linux starts a child's peak at its parent's size when the child execs. mkdocs' own
# peak is the baseline's: the same command on the same pages.
_MEASURED_CLI = """\
import resource, sys
from cxgov.cli import main
figures = sys.argv.pop(1)
try:
    code = main(sys.argv[1:])
finally:
    with open(figures, "w") as out:
        out.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
sys.exit(code)
"""
_SPLIT = re.compile(r"generating ([\d.]+) s, \w+ build ([\d.]+) s")


def _python() -> str:
    """The interpreter cxgov runs in, which is also the one its site build runs mkdocs with."""
    local = REPO / ".venv" / "bin" / "python"
    return str(local) if local.exists() else sys.executable


@dataclass
class SiteBuild:
    """Repeated `cxgov site build` runs: the timings, and what the process reports of itself."""

    measured: Measured = field(default_factory=lambda: Measured("cxgov site build"))
    own_mb: list[float] = field(default_factory=list)
    generating: list[float] = field(default_factory=list)
    building: list[float] = field(default_factory=list)


@dataclass
class Size:
    """Both approaches measured with one number of stored answers."""

    answers: int
    label: str
    site: SiteBuild = field(default_factory=SiteBuild)
    bare: Measured = field(default_factory=lambda: Measured("mkdocs build (baseline)"))
    pdf: Measured = field(default_factory=lambda: Measured("cxgov site pdf"))
    bare_pdf: Measured = field(default_factory=lambda: Measured("chromium --print-to-pdf"))

    @property
    def ratio(self) -> float:
        return self.site.measured.seconds / self.bare.seconds


def _env() -> dict[str, str]:
    return {**os.environ, "CXGOV_NOW": NOW}


def _cxgov(workdir: Path, *args: str) -> str:
    """Run an untimed cxgov command in `workdir`; its standard output."""
    with contextlib.chdir(workdir):
        _run, out = run_measured([cxgov(), *args], env=_env())
    return out


def prepare(workdir: Path, rows: int, points: int, months: int) -> tuple[Path, str]:
    program = generate(workdir, rows=rows, measurement_points=points, months=months)
    (program / "themes.yaml").write_text(_themes_yaml(), encoding="utf-8")
    db = f"sqlite:///{workdir / 'store.db'}"
    print(f"ingesting {rows:,} answers and recording a run as of {AS_OF} (not timed)", flush=True)
    out = _cxgov(
        workdir,
        *("run", "--program", str(program), "--db", db, "--as-of", AS_OF.isoformat()),
        *("--no-site", "--fail-on", "none", "--out", str(workdir / "reports")),
    )
    print(f"  {out.splitlines()[0] if out else ''}")
    return program, db


def grow(workdir: Path, program: Path, db: str, rows: int, points: int, months: int) -> None:
    """Ingest `rows` more answers in the same months, without a new run."""
    drawn = workdir / "drawn.csv"
    added = workdir / "added-answers.csv"
    write_answers(drawn, rows=rows, measurement_points=points, months=months, seed=2)
    # gen_answers numbers its responses from r000000001: new ids, so every answer is added
    # rather than updating one already stored
    with drawn.open(encoding="utf-8") as source, added.open("w", encoding="utf-8") as target:
        target.write(next(source))
        for line in source:
            target.write("g" + line[1:])
    drawn.unlink()
    print(f"ingesting {rows:,} more answers, no new run (not timed)", flush=True)
    out = _cxgov(
        workdir,
        *("ingest", "--program", str(program), "--source", SOURCE_ID, "--db", db, str(added)),
    )
    print(f"  {out.splitlines()[0] if out else ''}")


def measure(
    workdir: Path, program: Path, db: str, size: Size, repeat: int, chromium: str | None = None
) -> None:
    site_out = workdir / "site"
    # the default audience (team) is built under .cxgov/site/<audience>/<program>/
    generated = workdir / ".cxgov" / "site" / "team" / PROGRAM_ID
    figures = workdir / "figures.txt"
    build = [_python(), "-c", _MEASURED_CLI, str(figures), "site", "build"]
    build += ["--program", str(program), "--db", db, "--out", str(site_out)]
    bare = [_python(), "-m", "mkdocs", "build", "--strict", "--quiet"]
    bare += ["-f", str(generated / "mkdocs.yml"), "-d", str(workdir / "site-bare")]
    for attempt in range(repeat):
        print(f"  run {attempt + 1}/{repeat}", flush=True)
        # cxgov writes its pages under the working directory (.cxgov/site/<audience>/<program>/)
        # and runs mkdocs from there; the baseline runs the same way
        with contextlib.chdir(workdir):
            run, out = run_measured(build, env=_env())
        size.site.measured.runs.append(run)
        # ru_maxrss is in kilobytes on Linux
        size.site.own_mb.append(int(figures.read_text(encoding="utf-8")) / 1024)
        split = _SPLIT.search(out)
        if split:
            size.site.generating.append(float(split.group(1)))
            size.site.building.append(float(split.group(2)))
        with contextlib.chdir(generated):
            run, _ = run_measured(bare)
        size.bare.runs.append(run)
        if chromium is not None:
            run, _ = run_measured(
                [cxgov(), "site", "pdf", "--site", str(site_out), "--chromium", chromium],
                env=_env(),
            )
            size.pdf.runs.append(run)
            run, _ = run_measured(
                [
                    chromium,
                    *_CHROMIUM_FLAGS,
                    f"--print-to-pdf={workdir / 'bare.pdf'}",
                    (site_out / "index.html").as_uri(),
                ]
            )
            size.bare_pdf.runs.append(run)


_CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(sizes: list[Size]) -> None:
    print()
    print(
        f"{'answers in the store':28} {'cxgov s':>8} {'(cpu)':>6} {'mkdocs s':>9} {'(cpu)':>6} "
        f"{'ratio':>6} {'cxgov peak MB':>14} {'mkdocs peak MB':>15}"
    )
    for size in sizes:
        timed, bare = size.site.measured, size.bare
        print(
            f"{size.label:28} {timed.seconds:8.2f} {timed.cpu_seconds:6.2f} {bare.seconds:9.2f} "
            f"{bare.cpu_seconds:6.2f} {size.ratio:5.2f}x {timed.peak_mb:14.1f} "
            f"{bare.peak_mb:15.1f}"
        )
    print()
    for size in sizes:
        site = size.site
        print(
            f"{size.label}: cxgov site build, medians: writing the pages "
            f"{_median(site.generating):.1f} s, its mkdocs build {_median(site.building):.1f} s, "
            f"start-up, program and the rest "
            f"{site.measured.seconds - _median(site.generating) - _median(site.building):.1f} s; "
            f"peak memory of the cxgov process {max(site.own_mb):.1f} MB (its mkdocs: about the "
            f"baseline's {size.bare.peak_mb:.1f} MB)"
        )
    if len(sizes) == 2:
        before, after = (s.site.measured for s in sizes)
        print(
            f"with {sizes[1].answers / sizes[0].answers:.0f}x the stored answers and no new run: "
            f"cxgov site build takes {after.seconds / before.seconds:.2f}x the time and "
            f"{after.peak_mb / before.peak_mb:.2f}x the peak memory (1.00x is flat)"
        )
    for size in sizes:
        if size.pdf.runs and size.bare_pdf.runs:
            print(
                f"{size.label}: cxgov site pdf {size.pdf.seconds:.2f} s (median), chromium "
                f"--print-to-pdf of the same page {size.bare_pdf.seconds:.2f} s, ratio "
                f"{size.pdf.seconds / size.bare_pdf.seconds:.2f}x; under "
                f"{GOAL_PDF_SECONDS:.0f} s: {verdict(size.pdf.seconds < GOAL_PDF_SECONDS)}"
            )
    print()
    for size in sizes:
        timed = size.site.measured
        print(
            f"goals, {size.label}: ratio <= {GOAL_RATIO}x: {verdict(size.ratio <= GOAL_RATIO)} "
            f"({size.ratio:.2f}x); under {GOAL_SECONDS:.0f} s: "
            f"{verdict(timed.seconds < GOAL_SECONDS)} ({timed.seconds:.1f} s); peak under "
            f"{GOAL_PEAK_MB:.0f} MB: {verdict(timed.peak_mb < GOAL_PEAK_MB)} "
            f"({timed.peak_mb:.0f} MB)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="answers of the recorded run")
    parser.add_argument(
        "--grow",
        type=float,
        default=2.0,
        help="then add this many times --rows more answers, without a new run (0: skip)",
    )
    parser.add_argument("--measurement-points", type=int, default=200, help="one objective each")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--workdir", type=Path, help="keep the generated files here (empty)")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.measurement_points < 1 or args.months < 1 or args.repeat < 1:
        parser.error("--rows, --measurement-points, --months and --repeat must be at least 1")
    if args.workdir and args.workdir.exists() and any(args.workdir.iterdir()):
        parser.error(f"--workdir {args.workdir} is not empty")
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="cxgov-bench-site-") as scratch:
        workdir = (args.workdir or Path(scratch)).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        sizes = [Size(args.rows, f"{args.rows:,} (the run's)")]
        try:
            program, db = prepare(workdir, args.rows, args.measurement_points, args.months)
            print(f"measuring with {args.rows:,} stored answers", flush=True)
            chromium = shutil.which("chromium") or shutil.which("chromium-browser")
            if chromium is None:
                print("no chromium on PATH: the PDF is not measured")
            measure(workdir, program, db, sizes[0], args.repeat, chromium)
            more = round(args.rows * args.grow)
            if more:
                grow(workdir, program, db, more, args.measurement_points, args.months)
                total = args.rows + more
                sizes.append(Size(total, f"{total:,} (no new run)"))
                print(f"measuring with {total:,} stored answers", flush=True)
                measure(workdir, program, db, sizes[1], args.repeat)
        except RuntimeError as failed:
            print(f"a command failed, so the figures are incomplete:\n{failed}")
        report([s for s in sizes if s.site.measured.runs and s.bare.runs])
    # wall times on a busy machine are not comparable: the load says whether it was quiet
    print(f"load average (1 min): {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
