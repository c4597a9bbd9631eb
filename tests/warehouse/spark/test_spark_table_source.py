"""A table source on Apache Spark SQL (the Thrift server, `hive://`) judges exactly as the same
answers loaded from a CSV file into the SQLite store: every verdict, value, sample size and
p-value, in the nightly run and in an incremental evaluation after late answers were loaded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cxgov import api
from tests.clock import TODAY, clock
from tests.warehouse.answers import answers, table_program
from tests.warehouse.spark.server import SparkServer
from tests.warehouse.spark.table import SparkTable
from tests.warehouse.test_table_source import (
    FIRST,
    SYNCED,
    evaluate_table,
    from_csv,
    verdicts,
)


def test_spark_table_judges_as_the_csv_file_does_nightly_and_incrementally(
    spark_server: SparkServer,
    spark_engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = answers(11, 700, FIRST, TODAY, SYNCED)
    spark = SparkTable(spark_engine, tmp_path)
    spark.load(first)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", spark_server.url)
    program = table_program(tmp_path / "table")
    store = f"sqlite:///{tmp_path / 'table.db'}"
    nightly = api.run(str(program), as_of=TODAY, db=store, out=None, clock=clock)
    assert nightly.evaluation is not None
    assert verdicts(nightly.evaluation) == from_csv(tmp_path / "csv-first", [first])

    # late answers for a month already rolled up, loaded after the first run: the next
    # evaluation asks Spark about the periods they fall in and judges as a CSV of all does
    late = answers(12, 60, dt.date(2026, 7, 1), dt.date(2026, 7, 31), SYNCED + dt.timedelta(days=1))
    spark.load(late)
    assert evaluate_table(program, store) == from_csv(tmp_path / "csv-both", [first, late])
