"""The Spark tests share one local Spark Thrift server, started once for the whole session
(about 20–45 s) and stopped at its end. Every test here is marked `spark`
(`pytest -m spark` runs the group alone, `-m 'not spark'` leaves it out).

With CI=true a server that cannot start (no pyspark, no Java, a crash) fails the tests; elsewhere
they skip, saying why.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from tests.warehouse.spark.server import SparkServer, SparkUnavailable, thrift_server

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.spark)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"the Spark Thrift server cannot start and CI=true: {reason}")
    pytest.skip(f"the Spark Thrift server cannot start: {reason}")


@pytest.fixture(scope="session")
def spark_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkServer]:
    scratch = tmp_path_factory.mktemp("spark")
    try:
        with thrift_server(scratch, small=True) as server:
            yield server
    except SparkUnavailable as exc:
        _unavailable(str(exc))


@pytest.fixture(scope="session")
def spark_engine(spark_server: SparkServer) -> Iterator[Engine]:
    engine = create_engine(spark_server.url)
    yield engine
    engine.dispose()
