"""Benchmark of survey-export sources (`export:`): the plain CSV path keeps its speed, and an
export with header rows streams.

Two measurements, each in one run of this script:

1. Speed of the plain CSV path, before and after: `cxgov ingest` of the same long-layout file
   (bench/gen_answers.py, `--rows`, default 300,000) into a fresh SQLite store, by this
   checkout's code and by the code of `--baseline` (a git ref, default `main`, unpacked with
   `git archive` into a temporary directory), runs alternating, `--repeat` times each; medians
   and their ratio. Goal: the ratio at most 1.10.
2. Memory of a Qualtrics-shaped export (three header rows, the question texts over several
   lines, ImportIds, a wide layout of three ratings and a comment) at `--sizes` rows (default
   10,000, 100,000 and 1,000,000), as peak resident memory of a child process:
   - read: every row read and mapped as ingest does, nothing stored. Goal: the largest size's
     peak within 10 % of the smallest's (the export streams: no whole-file read);
   - ingest: `cxgov ingest` into a fresh SQLite store, and the same rows with one plain header
     row (`export` left out). Goal: the export's peak within 10 % of the plain file's at each
     size. (Both grow until SQLite's page cache for the batch, 64 MB, is full, then stay flat.)

Run from the repository root:

    .venv/bin/python bench/bench_exports.py
    .venv/bin/python bench/bench_exports.py --rows 100000 --repeat 3 --sizes 10000 200000
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

if not __package__:  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gen_answers import DATA_FILE, SOURCE_ID, write_answers, write_program
from bench.measure import REPO, Measured, Run, run_measured, verdict

MAX_SPEED_RATIO = 1.10
FLAT_TOLERANCE = 1.10
QUALTRICS_SOURCE = "qualtrics"
PLAIN_SOURCE = "qualtrics-plain"
FIELD_IDS = ["StartDate", "EndDate", "RecordedDate", "ResponseId", "Q1", "Q2_TEXT", "Q5_1", "Q5_2"]
QUESTION_TEXTS = [
    "Start Date",
    "End Date",
    "Recorded Date",
    "Response ID",
    "How likely are you to recommend us\nto a friend or colleague?",
    "Why did you give this score?",
    "How satisfied were you with the following?\n- Delivery",
    "How satisfied were you with the following?\n- Price",
]
IMPORT_IDS = [
    '{"ImportId":"startDate","timeZone":"Europe/Helsinki"}',
    '{"ImportId":"endDate","timeZone":"Europe/Helsinki"}',
    '{"ImportId":"recordedDate","timeZone":"Europe/Helsinki"}',
    '{"ImportId":"_recordId"}',
    '{"ImportId":"QID1"}',
    '{"ImportId":"QID2_TEXT"}',
    '{"ImportId":"QID5_1"}',
    '{"ImportId":"QID5_2"}',
]
EXPORT_SOURCES = f"""\
sources:
  - id: {QUALTRICS_SOURCE}
    export: qualtrics
    path: data/qualtrics.csv
    layout: wide
    columns: {{response_id: _recordId, collected_at: recordedDate, comment: QID2_TEXT}}
    values: {{QID1: mp-001, QID5_1: mp-002, QID5_2: mp-003}}
  - id: {PLAIN_SOURCE}
    path: data/plain.csv
    layout: wide
    columns: {{response_id: ResponseId, collected_at: RecordedDate, comment: Q2_TEXT}}
    values: {{Q1: mp-001, Q5_1: mp-002, Q5_2: mp-003}}
"""


def _csv_line(cells: Sequence[str]) -> str:
    quoted = []
    for cell in cells:
        if any(c in cell for c in ',"\n'):
            cell = '"' + cell.replace('"', '""') + '"'
        quoted.append(cell)
    return ",".join(quoted) + "\n"


def write_qualtrics(directory: Path, rows: int, seed: int = 1) -> None:
    """`qualtrics.csv` (three header rows) and `plain.csv` (the first only), same answers,
    written row by row."""
    rng = random.Random(seed)
    with (
        (directory / "qualtrics.csv").open("w", encoding="utf-8") as export,
        (directory / "plain.csv").open("w", encoding="utf-8") as plain,
    ):
        export.write(_csv_line(FIELD_IDS))
        plain.write(_csv_line(FIELD_IDS))
        export.write(_csv_line(QUESTION_TEXTS))
        export.write(_csv_line(IMPORT_IDS))
        for index in range(rows):
            day = 1 + index % 28
            month = 1 + (index // 28) % 12
            time = f"2025-{month:02d}-{day:02d} {index % 24:02d}:{index % 60:02d}:{index % 59:02d}"
            comment = "Delivery was late, again." if rng.random() < 0.2 else ""
            line = _csv_line(
                [
                    time,
                    time,
                    time,
                    f"R_{index:015d}",
                    str(rng.randint(0, 10)),
                    comment,
                    str(rng.randint(1, 5)),
                    str(rng.randint(1, 7)),
                ]
            )
            export.write(line)
            plain.write(line)


RUNNER = """
import sys
code = sys.argv.pop(1)
# the checkout's editable install would import its own cxgov whatever sys.path says
sys.meta_path[:] = [f for f in sys.meta_path if not f.__module__.startswith("__editable__")]
sys.path.insert(0, code)
import cxgov
from cxgov.cli import main
sys.argv[0] = "cxgov"
raise SystemExit(main())
"""
"""`cxgov` run from the checkout given as its first argument."""


def _cxgov(python: str, code: Path) -> list[str]:
    return [python, "-c", RUNNER, str(code)]


def _ingest(python: str, code: Path, program: Path, source: str, url: str) -> list[str]:
    return [
        *_cxgov(python, code),
        "ingest",
        "--program",
        str(program),
        "--source",
        source,
        "--db",
        url,
        "--format",
        "json",
    ]


def _fresh(database: Path) -> str:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{database}"


READER = """
import datetime as dt
import sys
from pathlib import Path

from cxgov.api import load_program
from cxgov.ingest.batch import open_rows
from cxgov.ingest.readers import Block

program_dir, source_id, file_name = sys.argv[1:4]
program = load_program(program_dir)
source = next(s for s in program.sources if s.id == source_id)
now = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
mapper, chunks = open_rows(program, source, Path(file_name), now=now, pseudonymise=str.upper)
rows = answers = 0
for chunk in chunks:
    for row in (chunk.row(i) for i in range(chunk.size)) if isinstance(chunk, Block) else [chunk]:
        rows += 1
        records, reasons = mapper.map(row.fields or [])
        if reasons:
            raise SystemExit(f"line {row.line}: {reasons}")
        answers += len(records)
print(rows, answers)
"""
"""Reads and maps every row of a file as ingest does, storing nothing: the reader's memory."""


def _check_code(python: str, code: Path) -> None:
    runner = RUNNER.replace("from cxgov.cli import main", "print(cxgov.__file__); main = int")
    found = subprocess.run(
        [python, "-c", runner, str(code)], capture_output=True, text=True, check=False
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(code.resolve()):
        raise RuntimeError(f"cxgov imported from {found}, not from {code}")


def _load(python: str, code: Path, program: Path, source: str, work: Path, rows: int) -> Run:
    url = _fresh(work / "store.db")
    subprocess.run(
        [*_cxgov(python, code), "db", "upgrade", "--db", url], check=True, capture_output=True
    )
    run, stdout = run_measured(_ingest(python, code, program, source, url))
    summary = json.loads(stdout)
    if summary["rows_read"] != rows or summary["rejected"] or summary["accepted"] != rows:
        raise RuntimeError(f"unexpected ingest summary: {summary}")
    _fresh(work / "store.db")
    return run


def speed(python: str, baseline: str, rows: int, repeat: int, work: Path) -> bool:
    program = write_program(work / "long", 200)
    write_answers(program / DATA_FILE, rows, 200, 24, 1)
    base = work / "baseline"
    base.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", baseline, "cxgov"],
        capture_output=True,
        check=True,
    ).stdout
    archive_path = work / "baseline.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        tar.extractall(base, filter="data")
    codes = {"before": base, "after": REPO}
    for code in codes.values():
        _check_code(python, code)
    measured = {name: Measured(f"plain CSV, {name}") for name in codes}
    for _ in range(repeat):
        for name, code in codes.items():
            measured[name].runs.append(_load(python, code, program, SOURCE_ID, work, rows))
    before, after = measured["before"], measured["after"]
    ratio = after.seconds / before.seconds
    ok = ratio <= MAX_SPEED_RATIO
    print(f"\nPlain CSV ingest, {rows:,} long-layout rows into SQLite, {repeat} runs each")
    for name, found in ((f"before ({baseline})", before), ("after (this checkout)", after)):
        rate = rows / found.seconds
        print(f"  {name}: median {found.seconds:.2f} s, {rate:,.0f} rows/s")
    print(f"  after / before: {ratio:.3f} (goal ≤ {MAX_SPEED_RATIO}) {verdict(ok)}")
    return ok


def memory(python: str, sizes: Sequence[int], work: Path) -> bool:
    program = write_program(work / "wide", 3)
    (program / "exports.yaml").write_text(EXPORT_SOURCES, encoding="utf-8")
    print("\nQualtrics-shaped export (3 header rows, wide layout, 3 ratings and a comment)")
    print("  read: the rows read and mapped as ingest does, nothing stored (the reader's memory)")
    print(
        "  ingest: `cxgov ingest` into a fresh SQLite store; plain: the same rows, one header row"
    )
    print(
        f"  {'rows':>10}  {'read s':>7}  {'read MB':>7}  {'ingest s':>8}  {'ingest MB':>9}"
        f"  {'plain s':>7}  {'plain MB':>8}"
    )
    reads: list[float] = []
    ratios: list[float] = []
    for rows in sizes:
        write_qualtrics(program / "data", rows)
        read, stdout = run_measured(
            [
                python,
                "-c",
                READER,
                str(program),
                QUALTRICS_SOURCE,
                str(program / "data/qualtrics.csv"),
            ]
        )
        if stdout.split() != [str(rows), str(3 * rows)]:
            raise RuntimeError(f"the reader read {stdout.strip()}, expected {rows} rows")
        export = _load(python, REPO, program, QUALTRICS_SOURCE, work, rows)
        plain = _load(python, REPO, program, PLAIN_SOURCE, work, rows)
        reads.append(read.peak_mb)
        ratios.append(export.peak_mb / plain.peak_mb)
        print(
            f"  {rows:>10,}  {read.seconds:>7.2f}  {read.peak_mb:>7.1f}  {export.seconds:>8.2f}"
            f"  {export.peak_mb:>9.1f}  {plain.seconds:>7.2f}  {plain.peak_mb:>8.1f}"
        )
    growth = max(reads) / reads[0]
    flat = growth <= FLAT_TOLERANCE
    print(
        f"  read peak, largest / smallest size: {growth:.3f} (goal ≤ {FLAT_TOLERANCE}) "
        f"{verdict(flat)}"
    )
    same = max(ratios) <= FLAT_TOLERANCE
    print(
        f"  ingest peak, export / plain CSV, at most: {max(ratios):.3f} "
        f"(goal ≤ {FLAT_TOLERANCE}) {verdict(same)}"
    )
    return flat and same


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=300_000, help="rows of the speed check")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each side (medians)")
    parser.add_argument("--baseline", default="main", help="git ref of the code to compare to")
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[10_000, 100_000, 1_000_000],
        help="rows, memory check",
    )
    parser.add_argument("--skip-speed", action="store_true", help="only the memory check")
    args = parser.parse_args(argv)
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="cxgov-bench-exports-") as directory:
        work = Path(directory)
        ok = True
        if not args.skip_speed:
            ok &= speed(python, args.baseline, args.rows, args.repeat, work)
        ok &= memory(python, sorted(args.sizes), work)
    print(f"\n{'all goals met' if ok else 'a goal was missed'} (a measurement: the exit code is 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
