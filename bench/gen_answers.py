"""Synthetic long-layout survey answers and a cxgov program that reads them, for benchmarks.

Writes a valid program directory (owners, one journey, NPS/CSAT/CES KPIs, N measurement points
broken down by three segment dimensions, one objective each, and a long-layout CSV source) and a
data file of answers in that layout, streamed row by row so memory stays flat at any size.

Run from the repository root:

    .venv/bin/python bench/gen_answers.py --out /tmp/cxgov-bench \
        [--rows 1000000] [--measurement-points 200] [--months 24] [--seed 1]

which writes /tmp/cxgov-bench/program/ and /tmp/cxgov-bench/program/data/answers.csv; then

    .venv/bin/cxgov validate /tmp/cxgov-bench/program
    .venv/bin/cxgov ingest --program /tmp/cxgov-bench/program --source answers --db sqlite:///x.db

The answers cover `months` calendar months ending with END_MONTH (fixed, so the output depends
only on the arguments), 20% carry a comment, about 1% are "N/A" (not applicable). The same
arguments always give the same bytes.

With `--voc` the program also has what the voice-of-the-customer statistics read: a
relationship NPS point (`mp-relationship`, a tenth of the answers, from the same 50,000
customers), 20 themes over the comments, links from the relationship objective to two business
KPIs and a contact policy; every answer carries a customer key either way.

Importable: `write_program(out_dir, measurement_points) -> Path` (the program directory) and
`write_answers(path, rows, measurement_points, months, seed)`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from pathlib import Path

SOURCE_ID = "answers"
DATA_FILE = "data/answers.csv"
END_MONTH = (2026, 10)  # the last month of answers; in the past, so none is "in the future"
COMMENT_SHARE = 0.2
NOT_APPLICABLE_SHARE = 0.01
CUSTOMERS = 50_000
RELATIONSHIP = "mp-relationship"
RELATIONSHIP_SHARE = 0.1
"""With --voc: the share of answers at the relationship NPS point."""
THEME_WORDS = [
    "late", "delivery", "friendly", "quick", "invoice", "error", "website", "product",
    "phone", "wait*", "promised", "technician", "fixed", "visit", "steps", "order",
    "coffee", "refill*", "called", "nobody",
]  # fmt: skip

HEADER = [
    "response_id",
    "collected_at",
    "measurement_point",
    "value",
    "customer_id",
    "comment",
    "region",
    "customer_size",
    "plan",
]
SEGMENTS = {
    "region": ["north", "south", "east", "west", "central"],
    "customer_size": ["small", "medium", "large"],
    "plan": ["basic", "plus", "premium", "enterprise"],
}
# kpi id, type, scale low, scale high, (target, warn, fail) in the KPI's own unit
KPIS = [
    ("nps", "nps", 0, 10, (30, 20, 10)),
    ("csat", "csat", 1, 5, (80, 72, 65)),
    ("ces", "ces", 1, 7, (75, 68, 60)),
]
STAGES = ["discover", "buy", "use", "support"]
CHANNELS = ["web", "phone", "store"]
COMMENTS = [
    "Delivery was late again.",
    "Friendly and quick service.",
    "The invoice had an error.",
    "Hard to find the right product on the website.",
    "Waited a long time on the phone.",
    "Everything worked as promised.",
    "The technician fixed the machine on the first visit.",
    "Too many steps to place an order.",
    "Great coffee and the refills arrive on time.",
    "Nobody called back when promised.",
]


def point_id(index: int) -> str:
    return f"mp-{index + 1:03d}"


def kpi_of(index: int) -> tuple[str, str, int, int, tuple[int, int, int]]:
    return KPIS[index % len(KPIS)]


def write_program(out_dir: Path | str, measurement_points: int = 200, voc: bool = False) -> Path:
    """Write `out_dir/program/` (YAML only, no data) and return that program directory."""
    program_dir = Path(out_dir) / "program"
    (program_dir / "data").mkdir(parents=True, exist_ok=True)
    files = {
        "program.yaml": _program_yaml(),
        "owners.yaml": _owners_yaml(),
        "journey.yaml": _journey_yaml(measurement_points),
        "kpis.yaml": _kpis_yaml(),
        "measurement_points.yaml": _points_yaml(measurement_points),
        "objectives.yaml": _objectives_yaml(measurement_points),
        "sources.yaml": _sources_yaml(),
    }
    if voc:
        files["kpis.yaml"] += _business_kpis_yaml()
        files["measurement_points.yaml"] += _voc_points_yaml()
        files["objectives.yaml"] += _voc_objectives_yaml()
        files["voc.yaml"] = _voc_yaml()
    for name, text in files.items():
        (program_dir / name).write_text(text, encoding="utf-8")
    return program_dir


def _program_yaml() -> str:
    return (
        "program:\n"
        "  id: bench\n"
        "  name: Benchmark program\n"
        "  description: Synthetic program for the ingest and evaluation benchmarks.\n"
        "  language: en\n"
        "  timezone: Europe/Helsinki\n"
        "  cx_owner: cx-lead\n"
        "  sponsor: ceo\n"
    )


def _owners_yaml() -> str:
    lines = ["owners:"]
    lines.append("  - {id: ceo, name: Chief Executive}")
    lines.append("  - {id: cx-lead, name: CX Lead, escalates_to: ceo}")
    for stage in STAGES:
        lines.append(
            f"  - {{id: {stage}-owner, name: {stage.title()} owner, escalates_to: cx-lead}}"
        )
    return "\n".join(lines) + "\n"


def _journey_yaml(measurement_points: int) -> str:
    lines = [
        "journeys:",
        "  - id: customer",
        "    name: Customer journey",
        "    owner: cx-lead",
        "    stages:",
    ]
    lines += [f"      - {{id: {s}, name: {s.title()}}}" for s in STAGES]
    lines.append("    channels:")
    lines += [f"      - {{id: {c}, name: {c.title()}}}" for c in CHANNELS]
    lines.append("    touchpoints:")
    for index in range(measurement_points):
        stage = STAGES[index % len(STAGES)]
        channel = CHANNELS[index % len(CHANNELS)]
        lines.append(
            f"      - {{id: tp-{index + 1:03d}, name: Touchpoint {index + 1}, stage: {stage}, "
            f"channel: {channel}, owner: {stage}-owner}}"
        )
    return "\n".join(lines) + "\n"


def _kpis_yaml() -> str:
    lines = ["kpis:"]
    for kpi_id, kpi_type, _low, _high, _targets in KPIS:
        lines.append(f"  - {{id: {kpi_id}, name: {kpi_id.upper()}, type: {kpi_type}}}")
    return "\n".join(lines) + "\n"


def _points_yaml(measurement_points: int) -> str:
    dimensions = ", ".join(SEGMENTS)
    lines = ["measurement_points:"]
    for index in range(measurement_points):
        kpi_id = kpi_of(index)[0]
        lines += [
            f"  - id: {point_id(index)}",
            f"    kpi: {kpi_id}",
            "    journey: customer",
            f"    touchpoint: tp-{index + 1:03d}",
            "    method: transactional_survey",
            f"    source: {SOURCE_ID}",
            "    window: {calendar: month}",
            f"    segments: [{dimensions}]",
        ]
    return "\n".join(lines) + "\n"


def _objectives_yaml(measurement_points: int) -> str:
    lines = ["objectives:"]
    for index in range(measurement_points):
        target, warn, fail = kpi_of(index)[4]
        lines += [
            f"  - id: o-{index + 1:03d}",
            f"    name: Objective {index + 1}",
            f"    measurement_point: {point_id(index)}",
            "    targets:",
            f"      - {{effective_from: 2024-01-01, target: {target}, warn: {warn}, fail: {fail}}}",
        ]
    return "\n".join(lines) + "\n"


def _business_kpis_yaml() -> str:
    return (
        "  - {id: retention, name: Retention, type: value, unit: '%'}\n"
        "  - {id: churn, name: Churn, type: value, unit: '%', direction: lower_is_better}\n"
    )


def _voc_points_yaml() -> str:
    dimensions = ", ".join(SEGMENTS)
    return (
        f"  - id: {RELATIONSHIP}\n"
        "    kpi: nps\n"
        "    journey: customer\n"
        "    method: relationship_survey\n"
        f"    source: {SOURCE_ID}\n"
        "    window: {calendar: month}\n"
        f"    segments: [{dimensions}]\n"
        "  - {id: mp-retention, kpi: retention, journey: customer, method: system,"
        " window: {calendar: month}}\n"
        "  - {id: mp-churn, kpi: churn, journey: customer, method: system,"
        " window: {calendar: month}}\n"
    )


def _voc_objectives_yaml() -> str:
    return (
        "  - id: o-relationship\n"
        "    name: Relationship NPS\n"
        f"    measurement_point: {RELATIONSHIP}\n"
        "    targets:\n"
        "      - {effective_from: 2024-01-01, target: 30, warn: 20, fail: 10}\n"
    )


def _voc_yaml() -> str:
    lines = ["themes:"]
    for index, word in enumerate(THEME_WORDS):
        lines += [
            f"  - id: theme-{index + 1:02d}",
            f"    name: Theme {word.rstrip('*')}",
            f'    match: {{any: ["{word}"]}}',
        ]
    lines += [
        "links:",
        "  - {cx: o-relationship, business: retention, expected: positive}",
        "  - {cx: o-relationship, business: churn, expected: negative}",
        "contact_policy:",
        "  max_surveys_per_customer: 3",
        "  days: 90",
    ]
    return "\n".join(lines) + "\n"


def _sources_yaml() -> str:
    segments = "\n".join(f"        {name}: {name}" for name in SEGMENTS)
    return (
        "sources:\n"
        f"  - id: {SOURCE_ID}\n"
        "    format: csv\n"
        "    layout: long\n"
        f"    path: {DATA_FILE}\n"
        '    delimiter: ","\n'
        "    columns:\n"
        "      response_id: response_id\n"
        "      collected_at: collected_at\n"
        "      measurement_point: measurement_point\n"
        "      value: value\n"
        "      customer: customer_id\n"
        "      comment: comment\n"
        "      segments:\n"
        f"{segments}\n"
        '    not_applicable: ["N/A"]\n'
    )


def _months(count: int) -> list[tuple[int, int, int]]:
    """(year, month, days in month) for `count` months ending with END_MONTH, oldest first."""
    year, month = END_MONTH
    found = []
    for _ in range(count):
        next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
        days = (dt.date(next_year, next_month, 1) - dt.date(year, month, 1)).days
        found.append((year, month, days))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found[::-1]


def write_answers(
    path: Path | str,
    rows: int = 1_000_000,
    measurement_points: int = 200,
    months: int = 24,
    seed: int = 1,
    voc: bool = False,
) -> None:
    """Stream `rows` long-layout answers to `path` (CSV, comma-separated, with a header).

    Rows come month by month (as monthly exports appended); within a month the measurement
    point, time, customer, segments and answer are drawn at random from `seed`.
    """
    rng = random.Random(seed)
    calendar = _months(months)
    points = [(point_id(i), kpi_of(i)[2], kpi_of(i)[3]) for i in range(measurement_points)]
    regions, sizes, plans = SEGMENTS["region"], SEGMENTS["customer_size"], SEGMENTS["plan"]
    random_ = rng.random
    randrange = rng.randrange
    chunk: list[tuple[str, ...]] = []
    with open(Path(path), "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for index in range(rows):
            year, month, days = calendar[index * months // rows]
            point, low, high = points[randrange(measurement_points)]
            if voc and random_() < RELATIONSHIP_SHARE:
                point, low, high = RELATIONSHIP, 0, 10
            # answers lean positive, like real surveys: the top of the scale is likelier
            draw = random_()
            if draw < NOT_APPLICABLE_SHARE:
                value = "N/A"
            else:
                value = str(high - int((high - low + 1) * random_() * random_()))
            second = randrange(86_400)
            collected = (
                f"{year:04d}-{month:02d}-{randrange(days) + 1:02d}T"
                f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
            )
            comment = COMMENTS[randrange(len(COMMENTS))] if random_() < COMMENT_SHARE else ""
            chunk.append(
                (
                    f"r{index + 1:09d}",
                    collected,
                    point,
                    value,
                    f"C{randrange(CUSTOMERS):06d}",
                    comment,
                    regions[randrange(5)],
                    sizes[randrange(3)],
                    plans[randrange(4)],
                )
            )
            if len(chunk) >= 10_000:
                writer.writerows(chunk)
                chunk.clear()
        writer.writerows(chunk)


def generate(
    out_dir: Path | str,
    rows: int = 1_000_000,
    measurement_points: int = 200,
    months: int = 24,
    seed: int = 1,
    voc: bool = False,
) -> Path:
    """Program and answers under `out_dir`; returns the program directory."""
    program_dir = write_program(out_dir, measurement_points, voc)
    write_answers(program_dir / DATA_FILE, rows, measurement_points, months, seed, voc)
    return program_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--measurement-points", type=int, default=200)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--voc", action="store_true", help="add a relationship NPS point, themes and links"
    )
    args = parser.parse_args(argv)
    if args.rows < 1 or args.measurement_points < 1 or args.months < 1:
        parser.error("--rows, --measurement-points and --months must be at least 1")
    program_dir = generate(
        args.out, args.rows, args.measurement_points, args.months, args.seed, args.voc
    )
    print(f"{program_dir}  ({args.rows:,} answers in {program_dir / DATA_FILE})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
