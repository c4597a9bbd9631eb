"""Answers for the Spark tests, in the long layout of a dbt `qualtrics__response`-like table: one
row per question answer. The same rows go into a CSV file (read by a file source into SQLite)
and into a Spark table (read by a table source), so the two verdicts can be compared.

Times are UTC instants; some fall in the last hours of a month in UTC that are already the next
month in Europe/Helsinki, so a period bucketed in the wrong zone shows in the counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from sqlalchemy import Connection


@dataclass(frozen=True)
class Answer:
    response_id: str
    recorded_at: dt.datetime
    """A UTC instant (naive)."""
    question: str
    value: float | None
    customer: str
    company_size: str
    region: str
    comment: str | None


COLUMNS = [f.name for f in fields(Answer)]
SPARK_TYPES = {
    "response_id": "STRING",
    "recorded_at": "TIMESTAMP",
    "question": "STRING",
    "value": "DOUBLE",
    "customer": "STRING",
    "company_size": "STRING",
    "region": "STRING",
    "comment": "STRING",
}
# month -> share of promoters / detractors for the NPS question, so that the verdicts differ
NPS_MIX = {1: (0.55, 0.10), 2: (0.40, 0.25), 3: (0.15, 0.50), 4: (0.45, 0.15), 5: (0.30, 0.30)}


def generate(seed: int = 19, per_month: int = 120, year: int = 2026) -> list[Answer]:
    """NPS and CSAT answers from January to mid-June of `year`, two segment dimensions."""
    rng = random.Random(seed)
    rows: list[Answer] = []
    for month in range(1, 7):
        promoters, detractors = NPS_MIX.get(month, (0.35, 0.2))
        days = 28 if month < 6 else 14
        for i in range(per_month if month < 6 else per_month // 8):
            if i % 10 == 0:
                # 21:00–23:59 UTC on the month's last day: the next month in Helsinki
                last = dt.date(year, month % 12 + 1, 1) if month < 12 else dt.date(year + 1, 1, 1)
                moment = dt.datetime.combine(last - dt.timedelta(days=1), dt.time(21 + i % 3, 7))
            else:
                moment = dt.datetime(year, month, rng.randint(1, days), rng.randint(0, 23), 30)
            draw = rng.random()
            score = 10.0 if draw < promoters else 3.0 if draw > 1 - detractors else 8.0
            size = rng.choice(["small", "large"])
            region = rng.choice(["north", "south"])
            customer = f"c{rng.randint(1, 60)}"
            comment = rng.choice([None, None, "Hyvä palvelu", "slow delivery"])
            rows.append(
                Answer(f"r{month}-{i}", moment, "NPS", score, customer, size, region, comment)
            )
            csat = None if rng.random() < 0.05 else float(rng.choice([1, 2, 3, 4, 5, 5]))
            rows.append(Answer(f"r{month}-{i}", moment, "CSAT", csat, customer, size, region, None))
    return rows


def write_csv(rows: Iterable[Answer], path: Path) -> Path:
    """A CSV file of `rows`, times in ISO 8601 with a `Z`."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for row in rows:
            cells = list(astuple(row))
            cells[1] = row.recorded_at.isoformat() + "Z"
            cells[3] = "" if row.value is None else f"{row.value:g}"
            cells[7] = row.comment or ""
            writer.writerow(cells)
    return path


def create_table(connection: Connection, table: str, csv_file: Path) -> None:
    """(Re)creates `table` as a Parquet table holding the answers of `csv_file` (written by
    `write_csv`). The server runs on this machine, so it reads the file itself: far faster
    than INSERT statements, whose inline tables Spark parses slowly."""
    columns = ", ".join(f"`{name}` {SPARK_TYPES[name]}" for name in COLUMNS)
    staged = f"{table}_csv"
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {staged}")
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    connection.exec_driver_sql(
        f"CREATE TABLE {staged} ({columns}) USING csv "
        f"OPTIONS (path '{csv_file.resolve()}', header 'true', encoding 'UTF-8')"
    )
    connection.exec_driver_sql(f"CREATE TABLE {table} USING parquet AS SELECT * FROM {staged}")
    connection.exec_driver_sql(f"DROP TABLE {staged}")
