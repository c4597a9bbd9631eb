"""Benchmark of `cxgov ingest` reading the same answers as CSV, as an XLSX workbook and as a
JSON document: rows per second and peak memory at several sizes.

For each size (default 10,000, 100,000 and 1,000,000 rows) bench/gen_answers.py writes the
long-layout answers as CSV; the same rows are then written as a workbook (openpyxl's streaming
writer: times as date cells, answers as numbers, texts inline) and as a JSON document
(`{"responses": [...]}`, `format: json` with `records: responses`). Each file is loaded by
`cxgov ingest` into a fresh SQLite file, `--repeat` times (medians reported); each run is a
separate process, its wall time and peak resident memory (ru_maxrss, from os.wait4) measured.
The store's schema is created before the timer starts.

Goal: XLSX (and JSON) stream, so their peak memory stays flat from the smallest size to the
largest: the peak at the largest size within FLAT_TOLERANCE of the CSV load's peak at the same
size plus what the smallest size needs above the CSV (the reader's fixed cost), i.e. no growth
with rows beyond what the CSV path itself shows. The CSV path is the baseline of the same run.

A workbook saved by Excel keeps its texts in one shared table that any reader holds in memory
(the format puts them in a part of their own); the workbooks here write them inline, as
openpyxl does, so this measures the reader's streaming, not the size of that table.

Run from the repository root:

    .venv/bin/python bench/bench_ingest_formats.py                       # 10k, 100k, 1M
    .venv/bin/python bench/bench_ingest_formats.py --sizes 10000 100000 --repeat 1
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import shutil
import sys
import tempfile
from pathlib import Path

if not __package__:  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook

from bench.gen_answers import DATA_FILE, SOURCE_ID, write_answers, write_program
from bench.measure import Measured, cxgov, run_measured, verdict

FLAT_TOLERANCE = 1.10
"""Peak memory at the largest size within 10 % of the smallest's, after the CSV baseline's own
growth: a reader that holds its rows would grow tenfold and more."""
FORMATS = ("csv", "xlsx", "json")


def _sources(program: Path) -> None:
    """Add the workbook and JSON sources, mapped as the CSV source is."""
    sources = program / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    csv_source = text.split("sources:\n", 1)[1]
    for fmt, extra in (("xlsx", ""), ("json", "    records: responses\n")):
        block = (
            csv_source.replace(f"id: {SOURCE_ID}", f"id: {SOURCE_ID}-{fmt}")
            .replace("format: csv", f"format: {fmt}")
            .replace(DATA_FILE, DATA_FILE.replace(".csv", f".{fmt}"))
            .replace('    delimiter: ","\n', extra)
        )
        text += block
    sources.write_text(text, encoding="utf-8")


def _cells(row: list[str]) -> list[object]:
    """A CSV row as a workbook row: the time a date cell, a numeric answer a number."""
    cells: list[object] = list(row)
    cells[1] = dt.datetime.fromisoformat(row[1])
    if row[3].isdigit():
        cells[3] = int(row[3])
    return [None if cell == "" else cell for cell in cells]


def write_xlsx(csv_path: Path, path: Path) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Vastaukset")
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        sheet.append(next(reader))
        for row in reader:
            sheet.append(_cells(row))
    workbook.save(path)


def write_json(csv_path: Path, path: Path) -> None:
    with csv_path.open(encoding="utf-8", newline="") as handle, path.open("w") as out:
        reader = csv.DictReader(handle)
        out.write('{"responses": [\n')
        for number, row in enumerate(reader):
            record: dict[str, object] = dict(row)
            if row["value"].isdigit():
                record["value"] = int(row["value"])
            out.write(("," if number else "") + json.dumps(record, ensure_ascii=False) + "\n")
        out.write("]}\n")


def bench(program: Path, fmt: str, work: Path, rows: int, repeat: int) -> Measured:
    source = SOURCE_ID if fmt == "csv" else f"{SOURCE_ID}-{fmt}"
    measured = Measured(f"{fmt} {rows:,}")
    for attempt in range(repeat):
        database = work / f"{fmt}-{rows}-{attempt}.db"
        url = f"sqlite:///{database}"
        run_measured([cxgov(), "db", "upgrade", "--db", url])
        command = [cxgov(), "ingest", "--program", str(program), "--source", source]
        run, stdout = run_measured([*command, "--db", url, "--format", "json"])
        summary = json.loads(stdout)
        if (summary["rows_read"], summary["inserted"], summary["rejected"]) != (rows, rows, 0):
            raise RuntimeError(f"{fmt}: unexpected ingest summary: {summary}")
        measured.runs.append(run)
        database.unlink()
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--work", type=Path, help="a folder to keep the files in")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="cxgov-bench-formats-"))
    formats = ["csv", *[f for f in args.formats if f != "csv"]]
    results: dict[tuple[str, int], Measured] = {}
    try:
        for rows in args.sizes:
            folder = work / f"rows-{rows}"
            program = write_program(folder / "program")
            _sources(program)
            csv_path = program / DATA_FILE
            csv_path.parent.mkdir(parents=True, exist_ok=True)
            write_answers(csv_path, rows)
            if "xlsx" in formats:
                write_xlsx(csv_path, csv_path.with_suffix(".xlsx"))
            if "json" in formats:
                write_json(csv_path, csv_path.with_suffix(".json"))
            for fmt in formats:
                found = bench(program, fmt, work, rows, args.repeat)
                results[fmt, rows] = found
                print(
                    f"{fmt:5} {rows:>10,} rows  {found.seconds:7.2f} s  "
                    f"{rows / found.seconds:>9,.0f} rows/s  CPU {found.cpu_seconds:7.2f} s  "
                    f"peak RSS {found.peak_mb:6.0f} MB",
                    flush=True,
                )
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    smallest, largest = min(args.sizes), max(args.sizes)
    print(f"\nmedians of {args.repeat} runs; peak memory {smallest:,} → {largest:,} rows")
    csv_growth = results["csv", largest].peak_mb / results["csv", smallest].peak_mb
    ok = True
    for fmt in formats:
        low, high = results[fmt, smallest], results[fmt, largest]
        growth = high.peak_mb / low.peak_mb
        # CPU time, not wall time: on a shared machine the wall clock also counts the waits
        speed = results["csv", largest].cpu_seconds / high.cpu_seconds
        flat = growth <= csv_growth * FLAT_TOLERANCE
        ok = ok and flat
        print(
            f"{fmt:5} peak {low.peak_mb:5.0f} → {high.peak_mb:5.0f} MB (×{growth:.2f}; CSV "
            f"×{csv_growth:.2f})  {verdict(flat)} flat; {speed:.2f}× the CSV's rows per CPU second"
        )
    print(f"memory flat in every format: {verdict(ok)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
