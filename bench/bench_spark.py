"""The nightly evaluation from a table source on Apache Spark SQL: N long-layout answers (default
1,000,000, shaped like dbt_qualtrics' `qualtrics__response`) in a Parquet table on a local Spark
Thrift server (local[2], the Spark the pyspark wheel ships), read through PyHive's `hive://`.

Measured, each as a whole `cxgov evaluate` process (wall time, CPU time and peak memory of the
cxgov process; Spark's work is in the JVM, not in it):
- the first evaluation (every period counted by Spark), against one hand-written GROUP BY of
  the same counts on the same server (per question × local month × segments);
- an incremental evaluation after 1 % new answers, loaded with a later load time;
- correctness: the same answers exported as CSV, ingested into SQLite and evaluated from there;
  every verdict (objective, segment, period: status, value, n) must be the same.

There is no goal beyond "completes, with correct verdicts"; the script always exits 0 and
prints PASS or MISS for that.

    .venv/bin/python bench/bench_spark.py [--rows 1000000] [--repeat 1] [--cores 2]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine

from bench.measure import Measured, Run, cxgov, run_measured, verdict
from tests.warehouse.answers import COLUMNS, csv_program, table_program
from tests.warehouse.spark.server import thrift_server
from tests.warehouse.spark.table import RECORDED, TABLE, SparkTable

AS_OF = dt.date(2026, 12, 1)
FIRST = dt.date(2026, 1, 1)
SYNCED = dt.datetime(2026, 11, 30, 3, 0)
URL_ENV = "CXGOV_ANSWERS_URL"  # the fixture program's url_env


def write_answers(path: Path, rows: int, seed: int, first: dt.date, synced: dt.datetime) -> int:
    """`rows` answers (three questions per response) from `first` to the day before AS_OF, as
    the CSV the Spark table and the file source both read; returns the rows written."""
    rng = random.Random(seed)
    days = (AS_OF - first).days
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        response = 0
        while written < rows:
            response += 1
            day = first + dt.timedelta(days=rng.randrange(days))
            moment = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)))
            tier = rng.choice(["gold", "gold", "silver", "basic", ""])
            terminal = rng.choice(["T1", "T2"])
            scores = {
                "QID1": min(10, max(0, round(rng.gauss(7.5 if tier == "gold" else 7, 2)))),
                "QID2": rng.choice([1, 2, 3, 4, 4, 5, 5, 5, -1]),
                "QID3": rng.choice([3, 4, 5, 6, 6, 7, 7]),
            }
            for question, value in scores.items():
                if written == rows:
                    break
                out.writerow(
                    [
                        f"R_{seed}_{response}",
                        question,
                        moment.isoformat(sep=" "),
                        value,
                        f"C{rng.randrange(rows // 6 + 1)}",
                        "",
                        tier,
                        terminal,
                        synced.isoformat(sep=" "),
                    ]
                )
                written += 1
    return written


def evaluate(program: Path, store: str, out: Path, env: dict[str, str]) -> Run:
    command = [
        cxgov(),
        "evaluate",
        "--program",
        str(program),
        "--as-of",
        AS_OF.isoformat(),
        "--db",
        store,
        "--out",
        str(out),
    ]
    run, _ = run_measured(command, env=env)
    return run


def verdicts(out: Path) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    (report,) = list(out.glob(f"*/{AS_OF.isoformat()}.json"))
    results = json.loads(report.read_text(encoding="utf-8"))["results"]
    return {
        (r["objective"], json.dumps(r["segment"], sort_keys=True), r["period"]["start"]): (
            r["status"],
            None if r["value"] is None else round(r["value"], 9),
            r["n"],
        )
        for r in results
    }


HAND_GROUP_BY = f"""
SELECT question_id, trunc(to_date(from_utc_timestamp({RECORDED}, 'Europe/Helsinki')), 'MM') AS m,
       tier, terminal, count(value) AS n,
       sum(CASE WHEN value >= 9 THEN 1 ELSE 0 END) AS promoters,
       sum(CASE WHEN value >= 7 AND value < 9 THEN 1 ELSE 0 END) AS passives,
       sum(CASE WHEN value < 7 THEN 1 ELSE 0 END) AS detractors,
       sum(CASE WHEN value BETWEEN 4 AND 5 THEN 1 ELSE 0 END) AS positives,
       sum(value) AS total, sum(value * value) AS sumsq
FROM {TABLE}
WHERE value <> -1 AND {RECORDED} < TIMESTAMP '{AS_OF.isoformat()} 00:00:00'
GROUP BY 1, 2, 3, 4
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="first evaluations and GROUP BYs")
    parser.add_argument("--cores", type=int, default=2, help="Spark's local[N]")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cxgov-bench-spark-") as scratch:
        root = Path(scratch)
        data = root / "data"
        data.mkdir()
        started = time.perf_counter()
        first_csv, late_csv = data / "answers-1.csv", data / "answers-2.csv"
        rows = write_answers(first_csv, args.rows, 1, FIRST, SYNCED)
        late = write_answers(
            late_csv, max(1, args.rows // 100), 2, dt.date(2026, 10, 1), SYNCED + dt.timedelta(1)
        )
        print(f"generated {rows:,} + {late:,} answers in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        with thrift_server(root / "spark", cores=args.cores) as server:
            print(
                f"Spark Thrift server (local[{args.cores}]) up in "
                f"{time.perf_counter() - started:.1f} s at {server.url}"
            )
            engine = create_engine(server.url)
            table = SparkTable(engine, root)
            started = time.perf_counter()
            table.load_csv(first_csv)
            print(f"loaded {rows:,} answers into Spark in {time.perf_counter() - started:.1f} s")

            env = {**os.environ, URL_ENV: server.url}
            program = table_program(root / "table-program")
            first = Measured("cxgov evaluate (first run)")
            baseline = Measured("hand-written GROUP BY on Spark")

            def group_by() -> int:
                started = time.perf_counter()
                with engine.connect() as connection:
                    found = len(connection.exec_driver_sql(HAND_GROUP_BY).all())
                baseline.runs.append(Run(time.perf_counter() - started, 0.0, 0.0))
                return found

            # a warm-up, not counted: a new JVM compiles and loads classes on its first queries
            cells = group_by()
            baseline.runs.clear()
            for i in range(args.repeat):
                cells = group_by()
                first.runs.append(
                    evaluate(program, f"sqlite:///{root / f'store-{i}.db'}", root / f"out-{i}", env)
                )

            started = time.perf_counter()
            table.load_csv(late_csv)
            print(f"loaded {late:,} more answers in {time.perf_counter() - started:.1f} s")
            incremental = Measured("cxgov evaluate after 1 % new answers")
            incremental.runs.append(
                evaluate(program, f"sqlite:///{root / 'store-0.db'}", root / "out-late", env)
            )
            from_spark = verdicts(root / "out-late")
            engine.dispose()

        # the same answers from CSV files into SQLite: the verdicts to match
        csv_dir = csv_program(root / "csv-program")
        (csv_dir / "data").mkdir(exist_ok=True)
        store = f"sqlite:///{root / 'csv.db'}"
        started = time.perf_counter()
        for source in (first_csv, late_csv):
            target = csv_dir / "data" / source.name
            # the file source's columns: the load time is the table's alone
            with source.open(encoding="utf-8") as src, target.open("w", encoding="utf-8") as dst:
                for line in src:
                    dst.write(line.rsplit(",", 1)[0] + "\n")
            run_measured(
                [
                    cxgov(),
                    "ingest",
                    "--program",
                    str(csv_dir),
                    "--source",
                    "answers",
                    "--db",
                    store,
                    str(target),
                ]
            )
        csv_run = evaluate(csv_dir, store, root / "out-csv", dict(os.environ))
        from_csv = verdicts(root / "out-csv")
        print(
            f"CSV → SQLite ingest and evaluate: {time.perf_counter() - started:.1f} s "
            f"(evaluate {csv_run.seconds:.1f} s)"
        )

    print()
    print(f"{'approach':44} {'median s':>9} {'cpu s':>7} {'peak MB':>8}")
    for measured in (first, baseline, incremental):
        print(
            f"{measured.name:44} {measured.seconds:9.2f} {measured.cpu_seconds:7.2f} "
            f"{measured.peak_mb:8.1f}"
        )
    print(f"hand GROUP BY returned {cells:,} cells")
    print(f"first run / GROUP BY: {first.seconds / baseline.seconds:.2f}×")
    print(f"first run / incremental run: {first.seconds / incremental.seconds:.2f}×")
    differing = sorted(
        k for k in from_csv.keys() | from_spark.keys() if from_csv.get(k) != from_spark.get(k)
    )
    print(
        f"verdicts: {len(from_spark):,} from Spark, {len(from_csv):,} from the CSV files, "
        f"{len(differing)} differing {differing[:5]}"
    )
    ok = not differing and len(from_csv) > 0
    print(f"{verdict(ok)}: completes, with the verdicts of the same answers from CSV files")


if __name__ == "__main__":
    main()
