"""The answers table of tests/warehouse/answers.py on the Spark Thrift server: a Parquet table
`qualtrics__response` in Spark's `default` database, its answer and load times Spark TIMESTAMPs
(instants, as a warehouse loader lands them) and, beside them, `recorded_wall`, the answer time
as a TIMESTAMP_NTZ wall time in Helsinki.

The rows travel as the CSV export the file-source twin reads; the server runs on this machine and
reads the file itself (an INSERT of literal rows is parsed slowly by Spark: ~30 s per thousand).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from tests.warehouse.answers import COLUMNS, Answer, write_csv

TABLE = "qualtrics__response"
ZONE = "Europe/Helsinki"
"""The zone of the wall times tests/warehouse/answers.py writes."""
WALL = "recorded_wall"
"""The extra column: the answer time as a TIMESTAMP_NTZ wall time in ZONE."""

# the columns of tests/warehouse/answers.py, by position: response, question, answer time,
# value, recipient, comment, tier, terminal, load time
_TYPES = ("STRING", "STRING", "TIMESTAMP", "DOUBLE", "STRING", "STRING", "STRING", "STRING")
_TYPES += ("TIMESTAMP",)
RECORDED = COLUMNS[2]
_STAGED = ", ".join(
    f"{name} {'TIMESTAMP_NTZ' if kind == 'TIMESTAMP' else kind}"
    for name, kind in zip(COLUMNS, _TYPES, strict=True)
)
_TABLE = ", ".join(
    [f"{name} {kind}" for name, kind in zip(COLUMNS, _TYPES, strict=True)]
    + [f"{WALL} TIMESTAMP_NTZ"]
)
# a Helsinki wall time's instant: to_utc_timestamp gives its UTC wall time, which the session's
# zone (UTC, tests/warehouse/spark/server.py) reads as that instant
_LOADED = ", ".join(
    [
        f"to_utc_timestamp(CAST({name} AS TIMESTAMP), '{ZONE}')" if kind == "TIMESTAMP" else name
        for name, kind in zip(COLUMNS, _TYPES, strict=True)
    ]
    + [RECORDED]
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
            connection.exec_driver_sql(f"CREATE TABLE {table} ({_TABLE}) USING parquet")

    def load(self, rows: list[Answer]) -> None:
        csv_file = self.directory / f"{self.table}-{self.loads + 1}.csv"
        write_csv(rows, csv_file, synced=True)
        self.load_csv(csv_file)

    def load_csv(self, csv_file: Path) -> None:
        """Appends the rows of a CSV file with the columns `write_csv(..., synced=True)` writes."""
        self.loads += 1
        staged = f"{self.table}_load"
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {staged}")
            connection.exec_driver_sql(
                f"CREATE TABLE {staged} ({_STAGED}) USING csv OPTIONS "
                f"(path '{csv_file.resolve()}', header 'true', encoding 'UTF-8')"
            )
            connection.exec_driver_sql(f"INSERT INTO {self.table} SELECT {_LOADED} FROM {staged}")
            connection.exec_driver_sql(f"DROP TABLE {staged}")
