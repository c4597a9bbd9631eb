"""Benchmark of `cxgov site build` on a 200-objective program with 24 months of history.

Generates the program and its answers with bench/gen_answers.py (200 monthly measurement points,
one objective each, one journey of 200 touchpoints; default 200,000 answers over 24 months),
ingests them into a fresh SQLite store and records one evaluation run (not timed). Then times,
each `--repeat` times (medians reported), every run a fresh process:

- `cxgov site build` as a user runs it: reading the store, generating the Markdown pages and
  SVG charts, and the mkdocs-material build. cxgov prints how its time splits between its own
  page generation and the builder; both parts are reported;
- the baseline: mkdocs' own build (`python -m mkdocs build --strict`) of the very pages and
  configuration cxgov generated, so the builder's share is measured apart from cxgov's code;
- the same with `--builder zensical`, for comparison.

Goal: the whole `cxgov site build` under 60 s on this machine.

Run from the repository root:

    .venv/bin/python bench/bench_site.py
    .venv/bin/python bench/bench_site.py --rows 50000 --repeat 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_answers import SOURCE_ID, generate
from measure import Measured, cxgov, run_measured, verdict

GOAL_SECONDS = 60.0
_SPLIT = re.compile(r"generating ([\d.]+) s, (\w+) build ([\d.]+) s")


def _prepare(workdir: Path, rows: int) -> tuple[Path, str, dt.date]:
    program = generate(workdir / "data", rows=rows, measurement_points=200, months=24)
    db = f"sqlite:///{workdir / 'store.db'}"
    as_of = dt.date.today()
    print(f"ingesting {rows:,} answers and evaluating (not timed)", flush=True)
    run_measured([cxgov(), "ingest", "--program", str(program), "--source", SOURCE_ID, "--db", db])
    evaluate = [cxgov(), "evaluate", "--program", str(program), "--as-of", as_of.isoformat()]
    run_measured([*evaluate, "--db", db, "--out", str(workdir / "reports")])
    return program, db, as_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, help="keep the generated files here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cxgov-bench-site-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        program, db, _as_of = _prepare(workdir, args.rows)
        site = Measured("cxgov site build (mkdocs)")
        zensical = Measured("cxgov site build --builder zensical")
        bare = Measured("mkdocs build of the same pages (baseline)")
        splits: list[tuple[float, float]] = []
        for attempt in range(args.repeat):
            print(f"run {attempt + 1}/{args.repeat}", flush=True)
            for builder, measured in (("mkdocs", site), ("zensical", zensical)):
                build = [cxgov(), "site", "build", "--program", str(program), "--db", db]
                out_dir = str(workdir / f"site-{builder}")
                run, out = run_measured(
                    [*build, "--out", out_dir, "--builder", builder, "--config", "none.yml"]
                )
                measured.runs.append(run)
                found = _SPLIT.search(out)
                if builder == "mkdocs" and found:
                    splits.append((float(found.group(1)), float(found.group(3))))
            generated = Path(".cxgov") / "site" / "bench" / "mkdocs.yml"
            if generated.is_file():
                mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
                run, _ = run_measured(
                    [*mkdocs, "-f", str(generated), "-d", str(workdir / "site-bare")]
                )
                bare.runs.append(run)
        generating = sorted(s[0] for s in splits)[len(splits) // 2] if splits else float("nan")
        building = sorted(s[1] for s in splits)[len(splits) // 2] if splits else float("nan")
        print()
        print(f"{'approach':45} {'median s':>9} {'cpu s':>7} {'peak MB':>8}")
        for measured in (site, zensical, bare):
            if measured.runs:
                print(
                    f"{measured.name:45} {measured.seconds:9.2f} {measured.cpu_seconds:7.2f} "
                    f"{measured.peak_mb:8.1f}"
                )
        print()
        print(
            f"split of cxgov site build (medians): page generation {generating:.2f} s, "
            f"mkdocs build {building:.2f} s, the rest (start-up, loading and validating the "
            f"program) {site.seconds - generating - building:.2f} s"
        )
        if bare.runs:
            print(f"cxgov site build / bare mkdocs build: {site.seconds / bare.seconds:.2f}x")
        print(
            f"goal: under {GOAL_SECONDS:.0f} s: {verdict(site.seconds < GOAL_SECONDS)} "
            f"({site.seconds:.1f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
