"""The theme statistics counted in the store (`evidence.count`) are those of the same comments
read into memory (`evidence.collect`): every section, share and coverage word, on SQLite and
PostgreSQL, on a store whose comments are untagged (a dry run) and tagged (the nightly state)."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event

from cxgov import api
from cxgov.evaluate.aggregate import aggregate
from cxgov.judgement.cells import Aggregates
from cxgov.model import Program
from cxgov.redaction import redact
from cxgov.store.engine import open_store
from cxgov.voc import evidence
from cxgov.voc.evidence import Evidence, add_theme_shares, collect, count, sections
from tests.clock import clock
from tests.conftest import FIXTURES
from tests.voc.programs import stored_tags

HEADER = "response,answered_at,question,score,customer,comment,company_size,region\n"
VOC = """
themes:
  - {id: late, name: Late deliveries, match: {any: [late*, delay*], none: ["not late"]}}
  - {id: price, name: Prices, match: {any: [price*, expensive]}, kpis: [csat]}
  - {id: staff, name: Staff, match: {any: [friendly, rude, staff]}}
  - {id: web, name: Website, match: {any: [website, app, login]}, kpis: [nps]}
objectives:
  - id: o-late
    name: Late deliveries are rarely mentioned
    measurement_point: mp-delivery
    theme: late
    targets:
      - {effective_from: 2025-01-01, target: 10, warn: 20, fail: 30}
  - id: o-price-small
    name: Prices rarely mentioned by small companies
    measurement_point: mp-checkout
    theme: price
    segment: {size: small}
    targets:
      - {effective_from: 2025-01-01, target: 10, warn: 20, fail: 30}
"""
PHRASES = [
    "late again",
    "not late at all",
    "delayed and expensive",
    "friendly staff",
    "rude staff and late delivery",
    "the website login failed",
    "app is fine but prices up",
    "mail me at someone@example.com",
    "great shop",
    "nothing to add",
    "",
]
AS_OF = dt.date(2026, 6, 10)


def _answers(count: int, seed: int) -> str:
    draw = random.Random(seed)
    rows = []
    for i in range(count):
        question = draw.choice(["NPS", "CHECKOUT", "DELIVERY"])
        score = draw.randint(0, 10) if question == "NPS" else draw.randint(1, 5)
        value = "N/A" if draw.random() < 0.03 else str(score)
        day = dt.date(2025, 5, 1) + dt.timedelta(days=draw.randrange(400))
        customer = f"c{draw.randrange(120)}" if draw.random() < 0.8 else ""
        size = draw.choice(["small", "large"])
        rows.append(
            f"r{i},{day.isoformat()}T{draw.randrange(24):02d}:{draw.randrange(60):02d}:00,"
            f"{question},{value},{customer},{draw.choice(PHRASES)},{size},north\n"
        )
    return HEADER + "".join(rows)


def _program(tmp_path: Path) -> Path:
    program = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", program)
    header = program / "program.yaml"
    # groups of ten to thirty answers are tested by the exact permutation test
    header.write_text(
        header.read_text().replace(
            "  cx_owner: cx\n", "  cx_owner: cx\n  decisions: {min_theme_group: 10}\n"
        )
    )
    (program / "voc.yaml").write_text(VOC)
    return program


def _both(db_url: str, program: Program, persist: bool) -> tuple[Evidence, Evidence, Aggregates]:
    engine = open_store(db_url)
    try:
        with engine.begin() as connection:
            aggregates = aggregate(connection, program, AS_OF)
            in_memory = collect(connection, program, AS_OF, persist=False)
            counted = count(
                connection,
                program,
                AS_OF,
                first_days=aggregates.first_data,
                persist=persist,
                redact=redact,
            )
        return in_memory, counted, aggregates
    finally:
        engine.dispose()


def _same(program: Program, in_memory: Evidence, counted: Evidence, aggregates: Aggregates) -> None:
    assert counted.comments == [], "counted in the store, not read"
    expected = sections(program, in_memory, aggregates, AS_OF, redact=redact)
    found = sections(program, counted, aggregates, AS_OF, redact=redact)
    assert found.themes == expected.themes
    assert found.drivers == expected.drivers
    assert found == expected
    shares_expected = Aggregates({}, {}, {}, {})
    shares_found = Aggregates({}, {}, {}, {})
    add_theme_shares(program, in_memory, shares_expected, AS_OF)
    add_theme_shares(program, counted, shares_found, AS_OF)
    assert shares_found.theme_shares == shares_expected.theme_shares
    assert counted.tagging.tagged == in_memory.tagging.tagged


def test_counted_in_the_store_as_in_memory(db_url: str, tmp_path: Path) -> None:
    folder = _program(tmp_path)
    data = tmp_path / "answers.csv"
    data.write_text(_answers(1500, seed=7))
    assert api.ingest(str(folder), "answers", [str(data)], db=db_url, clock=clock).rejected == 0
    program = api.load_program(str(folder))

    # a dry run on untagged comments: tagged for the counts, nothing stored
    in_memory, counted, aggregates = _both(db_url, program, persist=False)
    assert stored_tags(db_url) == 0
    assert counted.tagging.tagged > 0
    _same(program, in_memory, counted, aggregates)
    section = sections(program, counted, aggregates, AS_OF, redact=redact).themes
    tests = {
        row.impact.test
        for theme in section.themes
        for point in theme.points
        for row in point.periods
    }
    assert "permutation" in tests, "the data reaches the small groups' exact test"
    assert section.coverage.frequent_words, "untagged comments' words are counted"
    assert all("example" not in w.word for w in section.coverage.frequent_words)

    # the nightly state: tags stored by an earlier run, then changed theme rules retag
    _both(db_url, program, persist=True)
    assert stored_tags(db_url) > 0
    _same(program, *_both(db_url, program, persist=True))
    (folder / "voc.yaml").write_text(VOC.replace("[friendly, rude, staff]", "[friendly, rude]"))
    retagged = api.load_program(str(folder))
    _same(retagged, *_both(db_url, retagged, persist=False))


def test_the_newest_periods_with_comments_when_comments_stopped_for_months(
    db_url: str, tmp_path: Path
) -> None:
    """The store counts the newest periods' comments first and a point whose comments paused
    over them again over its whole timeline: the periods read are the same as in memory."""
    folder = _program(tmp_path)
    lines = _answers(1500, seed=11).splitlines(keepends=True)
    kept = [lines[0]]
    for line in lines[1:]:
        fields = line.split(",")
        day = dt.date.fromisoformat(fields[1][:10])
        # delivery comments stop in September 2025 and come back only in May 2026: of the
        # newest seven months, one has comments there
        if fields[2] == "DELIVERY" and dt.date(2025, 9, 1) <= day < dt.date(2026, 5, 1):
            fields[5] = ""
        kept.append(",".join(fields))
    data = tmp_path / "answers.csv"
    data.write_text("".join(kept))
    assert api.ingest(str(folder), "answers", [str(data)], db=db_url, clock=clock).rejected == 0
    program = api.load_program(str(folder))
    _both(db_url, program, persist=True)
    in_memory, counted, aggregates = _both(db_url, program, persist=False)
    _same(program, in_memory, counted, aggregates)
    section = sections(program, counted, aggregates, AS_OF, redact=redact).themes
    delivery = [
        [row.period.start for row in point.periods]
        for theme in section.themes
        for point in theme.points
        if point.measurement_point == "mp-delivery"
    ]
    assert delivery and all(starts[0] < dt.date(2025, 9, 1) for starts in delivery), delivery


def test_theme_mentions_of_the_drivers_sample_only(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more respondents than the drivers' sample, the store reads the theme mentions of
    the sampled respondents only: the drivers are those of every mention in memory."""
    folder = _program(tmp_path)
    data = tmp_path / "answers.csv"
    data.write_text(_answers(3000, seed=5))
    assert api.ingest(str(folder), "answers", [str(data)], db=db_url, clock=clock).rejected == 0
    program = api.load_program(str(folder))
    monkeypatch.setattr(evidence, "MAX_RESPONDENTS", 150)
    in_memory, counted, aggregates = _both(db_url, program, persist=False)
    [scores] = counted.respondents.values()
    assert scores.respondents > len(scores.outcome) == 150
    everyone = {
        r
        for found in in_memory.counts(program, AS_OF, redact).mentioned.values()
        for mentioning in found.values()
        for r in mentioning
    }
    sampled = {
        r
        for found in counted.counts(program, AS_OF, redact).mentioned.values()
        for mentioning in found.values()
        for r in mentioning
    }
    assert sampled and sampled < everyone and sampled <= scores.outcome.keys()
    _same(program, in_memory, counted, aggregates)
    drivers = sections(program, counted, aggregates, AS_OF, redact=redact).drivers
    assert any(
        d.kind == "theme" and d.label != "not_in_model"
        for journey in drivers
        for d in journey.drivers
    ), drivers


def test_coverage_reads_the_untagged_comments_only(db_url: str, tmp_path: Path) -> None:
    """The coverage statement returns a row per point, one of the written comments' counts and
    one per untagged written comment: the tagged comments (nearly all, on a store whose rules
    fit) never come back as rows."""
    folder = _program(tmp_path)
    data = tmp_path / "answers.csv"
    data.write_text(_answers(600, seed=5))
    assert api.ingest(str(folder), "answers", [str(data)], db=db_url, clock=clock).rejected == 0
    program = api.load_program(str(folder))
    _both(db_url, program, persist=True)  # the nightly state: tags stored
    engine = open_store(db_url)
    statements: list[tuple[str, Any]] = []

    def record(_c: Connection, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().startswith("WITH covered"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with engine.begin() as connection:
            aggregates = aggregate(connection, program, AS_OF)
            counted = count(
                connection,
                program,
                AS_OF,
                first_days=aggregates.first_data,
                persist=False,
                redact=redact,
            )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    coverage = sections(program, counted, aggregates, AS_OF, redact=redact).themes.coverage
    assert len(statements) == 1
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(*statements[0]).all()
    finally:
        engine.dispose()
    kinds = Counter(int(row[0]) for row in rows)
    assert 0 < coverage.untagged < coverage.comments
    assert kinds == Counter({0: len(coverage.points), 1: 1, 2: coverage.untagged})
