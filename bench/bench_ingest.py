"""Benchmark of `cxgov ingest` against the databases' own bulk loaders on the same rows.

Generates N long-layout answers with bench/gen_answers.py (default 1,000,000 across 200
measurement points, 24 months, 3 segment dimensions, 20% with a comment), then times, each
`--repeat` times (medians reported):

- `cxgov ingest` into a fresh SQLite file, against the `sqlite3` command line's
  `.import --csv` of the same CSV into a plain table with one TEXT column per CSV column;
- `cxgov ingest` into a fresh PostgreSQL database, against `psql -c "\\copy ... CSV HEADER"`
  into a plain table with one text column per CSV column.

Each run is a separate process; its wall time and peak resident memory (ru_maxrss of that
child, from os.wait4) are measured. The store's schema is created (`cxgov db upgrade`) before
the timer starts, so the figure is the load itself: process start, reading the program, and
the whole batch (reading, checking, pseudonymising, staging, merging, commit).

Goals (this 2-core machine): SQLite at least 100,000 rows/s and within 3x of `.import`;
PostgreSQL within 2x of `\\copy`; peak memory below 200 MB at 1M rows and no higher at 5M
(`--memory-check-rows 5000000` adds one run at that size per database; it is slow).

Run from the repository root:

    .venv/bin/python bench/bench_ingest.py                      # 1M rows, 3 repeats, both DBs
    .venv/bin/python bench/bench_ingest.py --rows 200000 --repeat 1 --databases sqlite
    .venv/bin/python bench/bench_ingest.py --memory-check-rows 5000000

Needs the `sqlite3` and `psql` command-line tools (`apt-get install -y sqlite3
postgresql-client`) and a PostgreSQL server (`--postgres-url`, default
postgresql://postgres@127.0.0.1:5432/test; the benchmark creates and drops its own database).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

if not __package__:  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gen_answers import DATA_FILE, HEADER, SOURCE_ID, generate
from bench.measure import Measured, Run, cxgov, verdict, with_database

MB = 1024 * 1024
SQLITE_MIN_ROWS_PER_S = 100_000
SQLITE_MAX_RATIO = 3.0
POSTGRES_MAX_RATIO = 2.0
MAX_PEAK_MB = 200.0
FLAT_TOLERANCE = 1.05  # "no higher at 5M": within 5% of the peak at the smaller size
BENCH_DATABASE = "cxgov_bench"
# The store's own table, for the "same schema" baselines: the loaders' time into a table with
# cxgov's indexes, unique key and foreign key, which bounds what any ingest into it can reach.
STORE_COLUMNS = [
    "id",
    "program",
    "source",
    "response_id",
    "measurement_point",
    "collected_at",
    "value",
    "not_applicable",
    "customer_key",
    "segments",
    "comment",
    "batch_id",
]
BATCH_ROW = (
    "INSERT INTO ingest_batches (id, program, source, kind, rows_read, accepted, inserted, "
    "updated, unchanged, rejected, started_at, status) VALUES (1, 'bench', 'answers', "
    "'feedback', 0, 0, 0, 0, 0, 0, '2026-01-01 00:00:00', 'committed')"
)


class ToolMissing(Exception):
    """A command-line tool the benchmark needs is not installed."""


def run_measured(command: Sequence[str], *, env: dict[str, str] | None = None) -> tuple[Run, str]:
    """Run `command`, returning its wall time, its peak RSS and its standard output."""
    executable = command[0]
    if shutil.which(executable) is None:
        raise ToolMissing(executable)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited {process.returncode}:\n{stderr[-2000:]}{stdout[-2000:]}"
        )
    # ru_maxrss is in kilobytes on Linux
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024), stdout


def run_quiet(command: Sequence[str]) -> str:
    if shutil.which(command[0]) is None:
        raise ToolMissing(command[0])
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr}")
    return done.stdout


def check_summary(stdout: str, rows: int) -> None:
    summary = json.loads(stdout)
    if summary["rows_read"] != rows or summary["rejected"] or summary["inserted"] != rows:
        raise RuntimeError(f"unexpected ingest summary: {summary}")


def ingest_command(program: Path, url: str) -> list[str]:
    return [
        cxgov(),
        "ingest",
        "--program",
        str(program),
        "--source",
        SOURCE_ID,
        "--db",
        url,
        "--format",
        "json",
    ]


# --- SQLite ------------------------------------------------------------------------------------


def bench_sqlite_ingest(
    program: Path, work: Path, rows: int, repeat: int, export: Path | None = None
) -> Measured:
    """cxgov ingest runs; with `export`, the stored rows of the first run go to that CSV."""
    measured = Measured("cxgov ingest → SQLite")
    for attempt in range(repeat):
        database = work / f"ingest-{attempt}.db"
        _remove_sqlite(database)
        url = f"sqlite:///{database}"
        run_quiet([cxgov(), "db", "upgrade", "--db", url])
        run, stdout = run_measured(ingest_command(program, url))
        check_summary(stdout, rows)
        measured.runs.append(run)
        if export is not None and attempt == 0:
            query = f"SELECT {', '.join(STORE_COLUMNS)} FROM feedback ORDER BY id"
            with export.open("w") as out:
                subprocess.run(["sqlite3", "-csv", str(database), query], stdout=out, check=True)
        _remove_sqlite(database)
    return measured


def bench_sqlite_store_import(export: Path, work: Path, rows: int, repeat: int) -> Measured:
    """`.import` of the stored rows straight into cxgov's own `feedback` table (same indexes)."""
    measured = Measured("sqlite3 .import → feedback")
    for attempt in range(repeat):
        database = work / f"store-import-{attempt}.db"
        _remove_sqlite(database)
        run_quiet([cxgov(), "db", "upgrade", "--db", f"sqlite:///{database}"])
        run_quiet(["sqlite3", str(database), BATCH_ROW])
        run, _ = run_measured(["sqlite3", str(database), f".import --csv {export} feedback"])
        count = run_quiet(["sqlite3", str(database), "SELECT count(*) FROM feedback"]).strip()
        if int(count) != rows:
            raise RuntimeError(f".import into feedback loaded {count} rows, expected {rows}")
        measured.runs.append(run)
        _remove_sqlite(database)
    return measured


def bench_sqlite_import(csv_path: Path, work: Path, rows: int, repeat: int) -> Measured:
    measured = Measured("sqlite3 .import")
    columns = ", ".join(f"{name} TEXT" for name in HEADER)
    for attempt in range(repeat):
        database = work / f"import-{attempt}.db"
        _remove_sqlite(database)
        run_quiet(["sqlite3", str(database), f"CREATE TABLE answers ({columns})"])
        run, _ = run_measured(
            ["sqlite3", str(database), f".import --csv --skip 1 {csv_path} answers"]
        )
        count = run_quiet(["sqlite3", str(database), "SELECT count(*) FROM answers"]).strip()
        if int(count) != rows:
            raise RuntimeError(f".import loaded {count} rows, expected {rows}")
        measured.runs.append(run)
        _remove_sqlite(database)
    return measured


def _remove_sqlite(database: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


# --- PostgreSQL --------------------------------------------------------------------------------


def psql(url: str, *commands: str) -> list[str]:
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", plain]
    for c in commands:
        command += ["-c", c]
    return command


def fresh_database(server_url: str, name: str) -> str:
    run_quiet(psql(server_url, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"))
    return with_database(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    run_quiet(psql(server_url, f"DROP DATABASE IF EXISTS {name}"))


def bench_postgres_ingest(
    program: Path, server_url: str, rows: int, repeat: int, export: Path | None = None
) -> Measured:
    """cxgov ingest runs; with `export`, the stored rows of the first run go to that CSV."""
    measured = Measured("cxgov ingest → PostgreSQL")
    try:
        for attempt in range(repeat):
            url = fresh_database(server_url, BENCH_DATABASE)
            run_quiet([cxgov(), "db", "upgrade", "--db", url])
            run, stdout = run_measured(ingest_command(program, url))
            check_summary(stdout, rows)
            measured.runs.append(run)
            if export is not None and attempt == 0:
                query = f"SELECT {', '.join(STORE_COLUMNS)} FROM feedback ORDER BY id"
                run_quiet(psql(url, f"\\copy ({query}) TO '{export}' CSV"))
    finally:
        drop_database(server_url, BENCH_DATABASE)
    return measured


def bench_postgres_store_copy(export: Path, server_url: str, rows: int, repeat: int) -> Measured:
    """`\\copy` of the stored rows straight into cxgov's own `feedback` table (same indexes)."""
    measured = Measured("psql \\copy → feedback")
    try:
        for _ in range(repeat):
            url = fresh_database(server_url, BENCH_DATABASE)
            run_quiet([cxgov(), "db", "upgrade", "--db", url])
            run_quiet(psql(url, BATCH_ROW))
            columns = ", ".join(STORE_COLUMNS)
            run, _ = run_measured(psql(url, f"\\copy feedback ({columns}) FROM '{export}' CSV"))
            count = run_quiet([*psql(url, "SELECT count(*) FROM feedback"), "-t", "-A"]).strip()
            if int(count) != rows:
                raise RuntimeError(f"\\copy into feedback loaded {count} rows, expected {rows}")
            measured.runs.append(run)
    finally:
        drop_database(server_url, BENCH_DATABASE)
    return measured


def bench_postgres_copy(csv_path: Path, server_url: str, rows: int, repeat: int) -> Measured:
    measured = Measured("psql \\copy")
    columns = ", ".join(f"{name} text" for name in HEADER)
    try:
        url = fresh_database(server_url, BENCH_DATABASE)
        for _ in range(repeat):
            run_quiet(
                psql(url, "DROP TABLE IF EXISTS answers", f"CREATE TABLE answers ({columns})")
            )
            run, _ = run_measured(psql(url, f"\\copy answers FROM '{csv_path}' CSV HEADER"))
            count = run_quiet([*psql(url, "SELECT count(*) FROM answers"), "-t", "-A"]).strip()
            if int(count) != rows:
                raise RuntimeError(f"\\copy loaded {count} rows, expected {rows}")
            measured.runs.append(run)
    finally:
        drop_database(server_url, BENCH_DATABASE)
    return measured


# --- report ------------------------------------------------------------------------------------


def describe(measured: Measured, rows: int) -> str:
    times = ", ".join(f"{r.seconds:.2f}" for r in measured.runs)
    return (
        f"  {measured.name:<28} median {measured.seconds:7.2f} s  "
        f"{rows / measured.seconds:>11,.0f} rows/s  CPU {measured.cpu_seconds:6.2f} s  "
        f"peak RSS {measured.peak_mb:6.1f} MB"
        f"  (runs: {times})"
    )


def prepare(work: Path, rows: int, points: int, months: int, seed: int) -> Path:
    """The program and data for `rows` answers, reused when an earlier run made the same."""
    target = work / f"answers-{rows}-{points}-{months}-{seed}"
    program = target / "program"
    stamp = target / "complete"
    if not stamp.exists():
        started = time.perf_counter()
        print(f"generating {rows:,} answers in {target} ...", flush=True)
        shutil.rmtree(target, ignore_errors=True)
        program = generate(target, rows, points, months, seed)
        stamp.write_text("ok\n")
        print(f"  generated in {time.perf_counter() - started:.1f} s", flush=True)
    return program


def main(argv: list[str] | None = None) -> int:
    # a PostgreSQL store needs its pseudonymisation key from the environment (the processes
    # cxgov runs in inherit it); the figures do not depend on which key
    os.environ.setdefault("CXGOV_PSEUDONYM_KEY", "benchmark key")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument(
        "--memory-check-rows",
        type=int,
        default=0,
        help="also ingest this many rows once per database to check peak memory stays flat "
        "(for example 5000000; off by default because it is slow)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "CXGOV_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
        help="a database on the server; the benchmark creates and drops its own database",
    )
    parser.add_argument(
        "--workdir", type=Path, help="where data is generated (default: a temp dir)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument(
        "--no-store-baselines",
        dest="store_baselines",
        action="store_false",
        help="skip the extra baselines that bulk-load the stored rows into cxgov's own "
        "`feedback` table (same indexes and keys): they show what the schema itself costs",
    )
    parser.add_argument("--measurement-points", type=int, default=200)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown database(s): {', '.join(sorted(unknown))}")
    missing = [
        tool
        for tool, needed in (
            ("sqlite3", "sqlite" in databases),
            ("psql", "postgresql" in databases),
        )
        if needed and shutil.which(tool) is None
    ]
    if missing:
        print(
            f"missing command-line tool(s): {', '.join(missing)}; install them with "
            "`apt-get install -y sqlite3 postgresql-client` (the baselines need them)",
            file=sys.stderr,
        )
        return 2

    work = args.workdir or Path(tempfile.mkdtemp(prefix="cxgov-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    goals: list[tuple[str, bool]] = []
    try:
        program = prepare(work, args.rows, args.measurement_points, args.months, args.seed)
        csv_path = program / DATA_FILE
        print(
            f"\n{args.rows:,} answers, {args.measurement_points} measurement points, "
            f"{args.months} months; {csv_path.stat().st_size / MB:.0f} MB CSV; "
            f"{os.cpu_count()} CPUs; median of {args.repeat}",
            flush=True,
        )
        peaks: dict[str, float] = {}
        if "sqlite" in databases:
            export = work / "stored-sqlite.csv" if args.store_baselines else None
            ingest = bench_sqlite_ingest(program, work, args.rows, args.repeat, export)
            baseline = bench_sqlite_import(csv_path, work, args.rows, args.repeat)
            ratio = ingest.seconds / baseline.seconds
            rate = args.rows / ingest.seconds
            print("\nSQLite")
            print(describe(ingest, args.rows))
            print(describe(baseline, args.rows))
            print(f"  ratio cxgov / .import: {ratio:.2f}x", flush=True)
            if export is not None:
                same = bench_sqlite_store_import(export, work, args.rows, args.repeat)
                print(describe(same, args.rows))
                print(f"  ratio cxgov / .import → feedback: {ingest.seconds / same.seconds:.2f}x")
                export.unlink()
            goals.append(
                (
                    f"SQLite ≥ {SQLITE_MIN_ROWS_PER_S:,} rows/s ({rate:,.0f})",
                    rate >= SQLITE_MIN_ROWS_PER_S,
                )
            )
            goals.append(
                (
                    f"SQLite ≤ {SQLITE_MAX_RATIO:g}x .import ({ratio:.2f}x)",
                    ratio <= SQLITE_MAX_RATIO,
                )
            )
            peaks["sqlite"] = ingest.peak_mb
        if "postgresql" in databases:
            export = work / "stored-postgresql.csv" if args.store_baselines else None
            ingest = bench_postgres_ingest(
                program, args.postgres_url, args.rows, args.repeat, export
            )
            baseline = bench_postgres_copy(csv_path, args.postgres_url, args.rows, args.repeat)
            ratio = ingest.seconds / baseline.seconds
            print("\nPostgreSQL")
            print(describe(ingest, args.rows))
            print(describe(baseline, args.rows))
            print(f"  ratio cxgov / \\copy: {ratio:.2f}x", flush=True)
            if export is not None:
                same = bench_postgres_store_copy(export, args.postgres_url, args.rows, args.repeat)
                print(describe(same, args.rows))
                print(f"  ratio cxgov / \\copy → feedback: {ingest.seconds / same.seconds:.2f}x")
                export.unlink()
            goals.append(
                (
                    f"PostgreSQL ≤ {POSTGRES_MAX_RATIO:g}x \\copy ({ratio:.2f}x)",
                    ratio <= POSTGRES_MAX_RATIO,
                )
            )
            peaks["postgresql"] = ingest.peak_mb
        for database, peak in peaks.items():
            goals.append(
                (
                    f"{database} peak RSS < {MAX_PEAK_MB:g} MB at {args.rows:,} ({peak:.1f} MB)",
                    peak < MAX_PEAK_MB,
                )
            )
        if args.memory_check_rows:
            big = prepare(
                work, args.memory_check_rows, args.measurement_points, args.months, args.seed
            )
            print(f"\nmemory check at {args.memory_check_rows:,} rows (one run each)")
            for database in databases:
                if database == "sqlite":
                    measured = bench_sqlite_ingest(big, work, args.memory_check_rows, 1)
                else:
                    measured = bench_postgres_ingest(
                        big, args.postgres_url, args.memory_check_rows, 1
                    )
                print(describe(measured, args.memory_check_rows), flush=True)
                small = peaks[database]
                goals.append(
                    (
                        f"{database} peak RSS flat at {args.memory_check_rows:,} "
                        f"({measured.peak_mb:.1f} MB vs {small:.1f} MB)",
                        measured.peak_mb <= small * FLAT_TOLERANCE,
                    )
                )
                goals.append(
                    (
                        f"{database} peak RSS < {MAX_PEAK_MB:g} MB at {args.memory_check_rows:,}",
                        measured.peak_mb < MAX_PEAK_MB,
                    )
                )
    except ToolMissing as missing_tool:
        print(f"missing command-line tool: {missing_tool}", file=sys.stderr)
        return 2
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print("\nGoals")
    for text, ok in goals:
        print(f"  {verdict(ok)}  {text}")
    return 0 if all(ok for _, ok in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
