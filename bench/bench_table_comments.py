"""Benchmark of a table source's comments: the first evaluation of a DuckDB table whose
answers carry comments, read in pages (ranges of local days) into the store and tagged there,
against the same table evaluated without reading comments (the baseline), and a second run
that reads again.

Data: bench_warehouse's N long-layout answers (default 1M) with a comment on every answer of
one response in ten (10 % of the answers), naming themes of the program now and then. The
program is tests/fixtures/warehouse with two themes; `comments` adds `columns.comment` and
`columns.customer` to its source, `baseline` leaves them out. Each figure is a fresh child
process (bench_warehouse.child_evaluate): the work's seconds and the process's peak RSS
(VmHWM). Medians of `--repeat` runs.

`paging` isolates the reading: a child that reads every comment of the table into a fresh
SQLite store (`warehouse.comments.read_comments`, 5,000 rows a page, each merged before the
next: the comment rows counted per local day, then read in ranges of days of at most a page)
against the same child stopping before the read (imports, program, store).

Goal: peak RSS of the comments run near the baseline's, and the paging's peak over its process
flat from 1M to more answers (the pages bound what Python holds); the paging's time growing
with the comments, not with comments × pages. The whole evaluation also tags and counts the
comments in the store, as for a file source's comments.

    .venv/bin/python bench/bench_table_comments.py --rows 1000000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_warehouse import PROGRAM, TABLE, _child, make_duckdb
from bench.measure import run_measured


def _paging(program: str, store: str, read: str, env: dict[str, str]) -> tuple[dict, float]:
    _run, out = run_measured(
        [sys.executable, __file__, "--child", "paging", program, store, read], env=env
    )
    found = json.loads(out.strip().splitlines()[-1])
    return found, found["peak_mb"]


THEMES = """themes:
  - id: coffee
    name: Cold coffee
    match: {any: [coffee]}
  - id: queue
    name: Queues
    match: {any: [queue*]}
sources:
"""
# a small vocabulary, as real comments mostly have: a text unique to each comment (its
# response id, say) would make the untagged comments' word counts grow with the comments
COMMENT = (
    "CASE hash(survey_response_id) % 3 WHEN 0 THEN 'the coffee was cold, table ' "
    "WHEN 1 THEN 'a long queue at the door, gate ' ELSE 'fine lounge, seat ' END "
    "|| CAST(hash(survey_response_id) % 40 AS VARCHAR)"
)


def _program(directory: Path, comments: bool) -> Path:
    target = directory / ("comments" if comments else "baseline")
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(PROGRAM, target)
    path = target / "program.yaml"
    text = path.read_text().replace("sources:\n", THEMES)
    if comments:
        text = text.replace(
            "      value: value\n",
            "      value: value\n      comment: comment\n      customer: recipient_email\n",
        )
    path.write_text(text)
    return target


def add_comments(path: Path) -> int:
    import duckdb

    with duckdb.connect(str(path)) as connection:
        # bench_warehouse's column is NULL-typed: the table again, with text comments
        connection.execute(
            f"CREATE OR REPLACE TABLE {TABLE} AS SELECT * REPLACE (CAST(CASE WHEN "
            f"hash(survey_response_id) % 10 = 0 THEN {COMMENT} END AS VARCHAR) AS comment) "
            f"FROM {TABLE}"
        )
        found = connection.execute(
            f"SELECT count(*) FROM {TABLE} WHERE comment IS NOT NULL"
        ).fetchone()
    assert found is not None
    return int(found[0])


def child_paging(program: str, store: str, read: str) -> None:
    """The comment paging alone: every comment of the table read into a fresh store (with
    `read` "no", the same process up to the read: imports, program, store, engine's dialect)."""
    import datetime as dt
    import json
    import time

    import duckdb_engine  # noqa: F401

    from bench.bench_warehouse import AS_OF, _peak_mb
    from cxgov.api._program import load_program
    from cxgov.ingest.pseudonym import pseudonymiser
    from cxgov.store.engine import open_store
    from cxgov.store.pseudonym_key import pseudonym_key
    from cxgov.warehouse.comments import read_comments

    loaded = load_program(program)
    engine = open_store(store)
    rows = 0
    started = time.perf_counter()
    with engine.begin() as connection:
        if read == "yes":
            found = read_comments(
                connection,
                loaded,
                dt.date.fromisoformat(AS_OF),
                started=dt.datetime(2026, 12, 1, 6),
                pseudonymiser=lambda: pseudonymiser(pseudonym_key(connection)),
            )
            rows = sum(f.rows for f in found)
    seconds = time.perf_counter() - started
    engine.dispose()
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_mb": _peak_mb()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        child_paging(*args.child[1:])
        return
    with tempfile.TemporaryDirectory(prefix="cxgov-bench-comments-") as folder:
        directory = Path(folder)
        duck = directory / "answers.duckdb"
        make_duckdb(duck, args.rows)
        commented = add_comments(duck)
        env = {**os.environ, "CXGOV_ANSWERS_URL": f"duckdb:///{duck}"}
        env["CXGOV_PSEUDONYM_KEY"] = "b" * 32
        figures: dict[str, list[tuple[float, float]]] = {
            "baseline": [],
            "comments": [],
            "paging no": [],
            "paging yes": [],
        }
        again: list[tuple[float, float]] = []
        for _ in range(args.repeat):
            for name in ("baseline", "comments"):
                program = _program(directory, name == "comments")
                store = directory / f"{name}.db"
                for stale in directory.glob(f"{name}.db*"):
                    stale.unlink()
                found, peak = _child("evaluate", str(program), f"sqlite:///{store}", env=env)
                figures[name].append((found["seconds"], peak))
                if name == "comments":
                    found, peak = _child("evaluate", str(program), f"sqlite:///{store}", env=env)
                    again.append((found["seconds"], peak))
                    for read in ("no", "yes"):
                        for stale in directory.glob("paging.db*"):
                            stale.unlink()
                        paging = f"sqlite:///{directory / 'paging.db'}"
                        found, peak = _paging(str(program), paging, read, env)
                        figures[f"paging {read}"].append((found["seconds"], peak))
        print(f"{args.rows:,} answers, {commented:,} with a comment; load {os.getloadavg()}")
        rows = [*figures.items(), ("comments, second run", again)]
        rows = [
            (
                n.replace("paging no", "paging: process only").replace(
                    "paging yes", "paging: read all"
                ),
                r,
            )
            for n, r in rows
        ]
        for name, runs in rows:
            seconds = statistics.median(s for s, _ in runs)
            peak = max(p for _, p in runs)
            print(f"{name:22} {seconds:7.2f} s  peak {peak:6.1f} MB")
        base = max(p for _, p in figures["baseline"])
        first = max(p for _, p in figures["comments"])
        print(f"peak comments / baseline: {first / base:.2f} ({first - base:+.1f} MB)")
        idle = max(p for _, p in figures["paging no"])
        paged = max(p for _, p in figures["paging yes"])
        print(f"paging peak over its process: {paged - idle:+.1f} MB")


if __name__ == "__main__":
    main()
