"""The answers table of tests/warehouse/answers.py on the Spark Thrift server: a Parquet table
`qualtrics__response` in Spark's `default` database, its `recorded_date` a Spark TIMESTAMP (an
instant, as a warehouse loader lands it) and, beside it, `recorded_wall`, the same time as a
TIMESTAMP_NTZ wall time in Helsinki.

The rows travel as the CSV export the file-source twin reads; the server runs on this machine and
reads the file itself (an INSERT of literal rows is parsed slowly by Spark: ~30 s per thousand).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from tests.warehouse.answers import Answer, write_csv

TABLE = "qualtrics__response"
ZONE = "Europe/Helsinki"
"""The zone of the wall times tests/warehouse/answers.py writes."""

_STAGED = (
    "response_id STRING, question_id STRING, recorded_date TIMESTAMP_NTZ, value DOUBLE, "
    "contact_id STRING, comment STRING, tier STRING, terminal STRING, "
    "_fivetran_synced TIMESTAMP_NTZ"
)


class SparkTable:
    """The answers table, emptied on creation; `load` appends rows."""

    def __init__(self, engine: Engine, directory: Path, table: str = TABLE) -> None:
        self.engine = engine
        self.directory = directory
        self.table = table
        self.loads = 0
        with engine.connect() as connection:
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
            connection.exec_driver_sql(
                f"CREATE TABLE {table} (response_id STRING, question_id STRING, "
                "recorded_date TIMESTAMP, recorded_wall TIMESTAMP_NTZ, value DOUBLE, "
                "contact_id STRING, comment STRING, tier STRING, terminal STRING, "
                "_fivetran_synced TIMESTAMP) USING parquet"
            )

    def load(self, rows: list[Answer]) -> None:
        csv_file = self.directory / f"{self.table}-{self.loads + 1}.csv"
        write_csv(rows, csv_file, synced=True)
        self.load_csv(csv_file)

    def load_csv(self, csv_file: Path) -> None:
        """Appends the rows of a CSV file with the columns `write_csv(..., synced=True)` writes."""
        self.loads += 1
        staged = f"{self.table}_load"
        # the instant of a Helsinki wall time: to_utc_timestamp gives its UTC wall time, which
        # the session's zone (UTC, tests/warehouse/spark/server.py) reads as that instant
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {staged}")
            connection.exec_driver_sql(
                f"CREATE TABLE {staged} ({_STAGED}) USING csv OPTIONS "
                f"(path '{csv_file.resolve()}', header 'true', encoding 'UTF-8')"
            )
            connection.exec_driver_sql(
                f"INSERT INTO {self.table} SELECT response_id, question_id, "
                f"to_utc_timestamp(CAST(recorded_date AS TIMESTAMP), '{ZONE}'), recorded_date, "
                "value, contact_id, comment, tier, terminal, "
                f"to_utc_timestamp(CAST(_fivetran_synced AS TIMESTAMP), '{ZONE}') FROM {staged}"
            )
            connection.exec_driver_sql(f"DROP TABLE {staged}")
