"""Answers shaped like dbt_qualtrics' `qualtrics__response` (one row per question answer),
made from a seed, and the same answers as a CSV export for the file-source twin of a program."""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

FIXTURE = Path(__file__).parent.parent / "fixtures" / "warehouse"
COLUMNS = (
    "survey_response_id",
    "question_id",
    "survey_response_recorded_at",
    "value",
    "recipient_email",
    "comment",
    "tier",
    "terminal",
    "survey_response_last_modified_at",
)


@dataclass(frozen=True)
class Answer:
    survey_response_id: str
    question_id: str
    survey_response_recorded_at: dt.datetime
    """Wall time in the program's zone (Europe/Helsinki), as the export writes it."""
    value: float | None
    recipient_email: str
    comment: str
    tier: str | None
    terminal: str
    synced: dt.datetime


def answers(
    seed: int, count: int, first: dt.date, last: dt.date, synced: dt.datetime
) -> list[Answer]:
    """`count` responses of three questions between `first` and `last`; some answers are
    off the scale (left out), some not applicable (-1), some at a month's last minutes."""
    rng = random.Random(seed)
    days = (last - first).days
    found: list[Answer] = []
    for number in range(count):
        day = first + dt.timedelta(days=rng.randrange(days + 1))
        if number % 17 == 0:  # a month's end just before midnight local time (21:xx UTC)
            day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
            moment = dt.datetime.combine(day, dt.time(23, 40))
        else:
            moment = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)))
        tier = rng.choice(["gold", "gold", "silver", "basic", None])
        terminal = rng.choice(["T1", "T2"])
        response = f"R_{seed}_{number}"
        contact = f"C{rng.randrange(count // 2 + 1)}"
        scores = {
            "QID1": float(min(10, max(0, round(rng.gauss(7.5 if tier == "gold" else 7, 2))))),
            "QID2": float(rng.choice([1, 2, 3, 3, 4, 5, 5, 5])),
            "QID3": float(rng.choice([3, 4, 5, 6, 6, 7, 7])),
        }
        if number % 23 == 0:
            scores["QID2"] = -1.0  # not applicable
        if number % 29 == 0:
            scores["QID1"] = (
                11.0  # off the 0-10 scale: a file's row is rejected, a table's left out
            )
        for question, value in scores.items():
            found.append(
                Answer(
                    response,
                    question,
                    moment,
                    value,
                    contact,
                    f"comment {number}",
                    tier,
                    terminal,
                    synced,
                )
            )
    return found


def write_csv(rows: list[Answer], path: Path, *, synced: bool = False) -> None:
    """The answers as a CSV export; with `synced`, with the load-time column too (to load
    into a table)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS if synced else COLUMNS[:-1])
        for row in rows:
            writer.writerow(
                [
                    row.survey_response_id,
                    row.question_id,
                    row.survey_response_recorded_at.isoformat(sep=" "),
                    "" if row.value is None else f"{row.value:g}",
                    row.recipient_email,
                    row.comment,
                    row.tier or "",
                    row.terminal,
                    *([row.synced.isoformat(sep=" ")] if synced else []),
                ]
            )


def csv_program(directory: Path) -> Path:
    """The fixture program with its table source turned into a CSV source of data/*.csv."""
    directory.mkdir(parents=True, exist_ok=True)
    text = (FIXTURE / "program.yaml").read_text(encoding="utf-8")
    table_part = text[text.index("    format: table") : text.index("    columns:")]
    text = text.replace(table_part, "    path: data/*.csv\n")
    text = text.replace("      updated_at: survey_response_last_modified_at\n", "")
    (directory / "program.yaml").write_text(text, encoding="utf-8")
    return directory


def table_program(directory: Path, replace: dict[str, str] | None = None) -> Path:
    """A copy of the fixture program, with text replaced (another schema, zone, ...)."""
    directory.mkdir(parents=True, exist_ok=True)
    text = (FIXTURE / "program.yaml").read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text
        text = text.replace(old, new)
    (directory / "program.yaml").write_text(text, encoding="utf-8")
    return directory
