"""Comments from a table source: read from DuckDB and PostgreSQL into the store (SQLite and
PostgreSQL), they give the same themes, examples, coverage, theme effects and objective
comments as the same answers loaded from a CSV file; a re-run is idempotent, a changed
comment is tagged again and a deleted row's comment goes away."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from cxgov import api
from cxgov.api._program import load_program
from cxgov.store.engine import open_store
from cxgov.store.respondents import Scoring
from cxgov.store.tables import COMMENT_TAGS, FEEDBACK, INGEST_BATCHES
from cxgov.warehouse import comments, table_source
from cxgov.warehouse import surveys as table_surveys
from cxgov.warehouse.respondents import respondent_scores
from cxgov.warehouse.table_source import TableSourceError
from tests.clock import TODAY, clock
from tests.store.conftest import db_url, postgres_url  # noqa: F401  (fixtures)
from tests.warehouse.answers import Answer, answers, csv_program, table_program, write_csv
from tests.warehouse.engines import TABLE, DuckDb, Postgres, postgres_schema

FIRST = dt.date(2026, 5, 1)
SYNCED = dt.datetime(2026, 11, 30, 3, 0)
E_MAIL = "matti.meikalainen@example.com"

THEMES = """themes:
  - id: coffee
    name: Cold coffee
    match: {any: [coffee]}
  - id: slow
    name: Slow service
    match: {any: [slow*]}
sources:
"""
COMMENTED = {
    "sources:\n": THEMES,
    "      value: value\n": "      value: value\n      comment: comment\n",
}


def commented(rows: list[Answer]) -> list[Answer]:
    """The answers with comments of a few kinds (one per response, on each of its answers):
    two themes, untagged words, personal data for the redaction, and none at all."""
    found = []
    for row in rows:
        number = int(row.survey_response_id.rsplit("_", 1)[1])
        text = ""
        if number % 3 == 0:
            text = "The coffee was cold" if number % 2 else "coffee ok but slow queue"
        elif number % 5 == 1:
            text = f"slow check-in, write to {E_MAIL}"
        elif number % 7 == 2:
            text = "lovely view over the apron"
        found.append(dataclasses.replace(row, comment=text))
    return found


def voc_of(evaluation: Any) -> tuple[Any, Any, Any]:
    themes = evaluation.report["themes"]
    themes = {k: v for k, v in themes.items() if k != "tagged_in_this_run"}
    return themes, evaluation.report["fatigue"], evaluation.record.comments


def from_csv(tmp_path: Path, rows: list[Answer], name: str = "csv") -> tuple[Any, Any, Any]:
    program = csv_program(tmp_path / name)
    text = (program / "program.yaml").read_text(encoding="utf-8")
    for old, new in COMMENTED.items():
        text = text.replace(old, new)
    (program / "program.yaml").write_text(text, encoding="utf-8")
    path = program / "data" / "answers.csv"
    write_csv(rows, path)
    db = f"sqlite:///{tmp_path / f'{name}.db'}"
    api.ingest(str(program), "answers", [str(path)], db=db, clock=clock)
    return voc_of(api.evaluate(str(program), as_of=TODAY, db=db, out=None, clock=clock))


def evaluate(program: Path, store: str) -> Any:
    return api.evaluate(str(program), as_of=TODAY, db=store, out=None, clock=clock)


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    yield from postgres_schema()


def loaded_on(
    engine: str,
    rows: list[Answer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> dict[str, str]:
    """`rows` in a table on `engine` (duckdb or postgresql), its URL in the program's variable;
    the program text to replace for it (a PostgreSQL table is in a schema of its own)."""
    if engine == "duckdb":
        duck = DuckDb(tmp_path)
        duck.load(rows)
        monkeypatch.setenv("CXGOV_ANSWERS_URL", duck.url)
        return {}
    postgres = request.getfixturevalue("postgres")
    postgres.load(rows)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", postgres.url)
    return {
        "    dbt_model: qualtrics__response": (
            f"    dbt_model: qualtrics__response\n    table_schema: {postgres.schema}"
        )
    }


def _stored(store: str) -> tuple[int, int, int]:
    """(comments of the table source, their tags, batches of table comments) in the store."""
    engine = open_store(store)
    try:
        with engine.connect() as connection:
            f, b = FEEDBACK, INGEST_BATCHES
            held = connection.execute(
                select(func.count()).where(f.c.source == "answers")
            ).scalar_one()
            tags = connection.execute(select(func.count()).select_from(COMMENT_TAGS)).scalar_one()
            batches = connection.execute(
                select(func.count()).where(b.c.kind == comments.BATCH_KIND)
            ).scalar_one()
    finally:
        engine.dispose()
    return int(held), int(tags), int(batches)


def test_duckdb_comments_give_the_voc_of_the_csv_file(
    db_url: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = commented(answers(11, 900, FIRST, TODAY, SYNCED))
    duck = DuckDb(tmp_path)
    duck.load(rows)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", duck.url)
    program = table_program(tmp_path / "table", COMMENTED)
    evaluation = evaluate(program, db_url)
    themes, fatigue, examples = voc_of(evaluation)
    assert (themes, fatigue, examples) == from_csv(tmp_path, rows)
    assert themes["comments"] > 300
    assert {t["id"] for t in themes["themes"]} == {"coffee", "slow"}
    assert any(examples.values()), "the objectives show the table's comments"
    published = str(evaluation.report)
    assert "meikalainen" not in published and "example.com" not in published
    held, tags, batches = _stored(db_url)
    assert held == tags > 0 and batches == 1
    # the stored comments are no records of the table's points: their answers stay in the
    # table (the run's data status has the engine's counts)
    assert {p.id: p.records for p in api.status(str(program), db=db_url).points} == {
        "mp-nps": 0,
        "mp-food": 0,
        "mp-effort": 0,
    }
    judged = {p.id: p.records for p in evaluation.record.data_quality.points}
    assert all(judged[p] > 0 for p in ("mp-nps", "mp-food", "mp-effort"))

    # a second run reads nothing new: nothing is tagged again, no batch is left behind
    again = evaluate(program, db_url)
    assert again.report["themes"]["tagged_in_this_run"] == 0
    assert voc_of(again)[0] == themes
    assert _stored(db_url) == (held, tags, batches)


def _change_and_delete(rows: list[Answer]) -> tuple[list[Answer], str, str]:
    """A response whose comment changes (its load time moves on) and one deleted, on the same
    day: (the rows after, the changed response, the deleted one)."""
    by_day: dict[dt.date, set[str]] = {}
    for r in rows:
        if r.comment:
            by_day.setdefault(r.survey_response_recorded_at.date(), set()).add(r.survey_response_id)
    day = max(sorted(by_day), key=lambda d: len(by_day[d]))
    changed, deleted = sorted(by_day[day])[:2]
    later = SYNCED + dt.timedelta(days=1)
    after = [
        dataclasses.replace(r, comment="the coffee machine was broken", synced=later)
        if r.survey_response_id == changed
        else r
        for r in rows
        if r.survey_response_id != deleted
    ]
    return after, changed, deleted


def test_a_changed_comment_is_tagged_again_and_a_deleted_one_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    rows = commented(answers(12, 700, FIRST, TODAY, SYNCED))
    duck = DuckDb(tmp_path)
    duck.load(rows)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", duck.url)
    program = table_program(tmp_path / "table", COMMENTED)
    store = f"sqlite:///{tmp_path / 'table.db'}"
    evaluate(program, store)
    held, _, _ = _stored(store)
    after, changed, deleted = _change_and_delete(rows)
    with duckdb.connect(str(duck.path)) as connection:
        connection.execute(f"DELETE FROM {TABLE} WHERE survey_response_id = ?", [deleted])
        connection.execute(
            f"UPDATE {TABLE} SET comment = ?, survey_response_last_modified_at = ? "
            "WHERE survey_response_id = ?",
            ["the coffee machine was broken", SYNCED + dt.timedelta(days=1), changed],
        )
    evaluation = evaluate(program, store)
    # the changed response's comment (one text on each of its answers) is tagged again
    assert evaluation.report["themes"]["tagged_in_this_run"] == 1
    assert voc_of(evaluation) == from_csv(tmp_path, after)
    assert _stored(store)[0] == held - 3  # the deleted response's three answers


def test_postgres_comments_into_a_postgres_store(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    postgres: Postgres,
    postgres_url: str,  # noqa: F811
) -> None:
    """Instants (TIMESTAMPTZ) on PostgreSQL, no load-time column: each run re-reads the
    periods open at the last run, which also sees a deleted row there."""
    rows = commented(answers(13, 900, FIRST, TODAY, SYNCED))
    postgres.load(rows)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", postgres.url)
    replace = {
        **COMMENTED,
        "    dbt_model: qualtrics__response": "    dbt_model: qualtrics__response\n"
        f"    table_schema: {postgres.schema}",
        "      updated_at: survey_response_last_modified_at\n": "",
    }
    program = table_program(tmp_path / "table", replace)
    found = voc_of(evaluate(program, postgres_url))
    assert found == from_csv(tmp_path, rows)
    # a row of the open month deleted: the month is read again, its comment goes
    newest = max(
        (r for r in rows if r.comment), key=lambda r: (r.survey_response_recorded_at, r.question_id)
    )
    postgres.connection.execute(
        f'DELETE FROM "{postgres.schema}".{TABLE} WHERE survey_response_id = %s',
        [newest.survey_response_id],
    )
    kept = [r for r in rows if r.survey_response_id != newest.survey_response_id]
    assert voc_of(evaluate(program, postgres_url)) == from_csv(tmp_path, kept, "csv-after")


def test_a_dry_run_keeps_no_comment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = commented(answers(14, 300, FIRST, TODAY, SYNCED))
    duck = DuckDb(tmp_path)
    duck.load(rows)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", duck.url)
    program = table_program(tmp_path / "table", COMMENTED)
    store = f"sqlite:///{tmp_path / 'table.db'}"
    evaluation = api.evaluate(
        str(program), as_of=TODAY, db=store, out=None, clock=clock, dry_run=True
    )
    assert evaluation.report["themes"]["comments"] > 50
    assert _stored(store) == (0, 0, 0)


def test_a_source_that_stops_reading_comments_keeps_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = commented(answers(15, 300, FIRST, TODAY, SYNCED))
    duck = DuckDb(tmp_path)
    duck.load(rows)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", duck.url)
    store = f"sqlite:///{tmp_path / 'table.db'}"
    evaluate(table_program(tmp_path / "with", COMMENTED), store)
    assert _stored(store)[0] > 0
    evaluate(table_program(tmp_path / "without", {"sources:\n": THEMES}), store)
    assert _stored(store)[:2] == (0, 0)


def _no_customers() -> comments.Pseudonymiser:
    raise AssertionError("the source reads no customer key")


def test_comment_pages_are_ranges_of_days(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """More comments than a page: every one is read, in ranges of days of at most a page (a
    range ending on one day and the next starting the day after), and a day holding more
    than a page in keyset pages within it; no page holds more than a page of rows."""
    page = 8
    planned: list[tuple[dict[dt.date, int], list[comments.Days]]] = []
    sizes: list[int] = []
    day_pages, answers_of = comments.day_pages, comments._Page.answers

    def plan(counts: dict[dt.date, int], days: comments.Days, size: int) -> list[comments.Days]:
        found = day_pages(counts, days, size)
        planned.append((dict(counts), found))
        return found

    def page_of(self: Any, rows: Any, mapped: dict[str, str]) -> Any:
        sizes.append(len(rows))
        return answers_of(self, rows, mapped)

    monkeypatch.setattr(comments, "day_pages", plan)
    monkeypatch.setattr(comments._Page, "answers", page_of)
    rows = commented(answers(16, 600, FIRST, TODAY, SYNCED))
    duck = DuckDb(tmp_path)
    duck.load(rows)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", duck.url)
    program = table_program(tmp_path / "table", COMMENTED)
    store = f"sqlite:///{tmp_path / 'table.db'}"
    engine = open_store(store)
    try:
        with engine.begin() as connection:
            [read] = comments.read_comments(
                connection,
                load_program(str(program)),
                TODAY,
                started=SYNCED,
                pseudonymiser=_no_customers,
                page=page,
            )
    finally:
        engine.dispose()

    [(counts, parts)] = planned
    assert read.rows == sum(counts.values()) == sum(sizes) == len([r for r in rows if r.comment])
    assert max(sizes) == page and len(sizes) > len(parts) > 10
    big = [d for d, n in counts.items() if n > page]
    assert big, "a day holding more than a page"
    for day in big:  # alone in its range, read in keyset pages
        assert comments.Days(((day, day),)) in parts
    spans = [p.ranges for p in parts if p.ranges[0][0] != p.ranges[-1][1]]
    assert spans, "a range of several days"
    for part in parts:
        held = sum(n for d, n in counts.items() if part.within(d, d).ranges)
        assert held <= page or part.ranges[0][0] == part.ranges[-1][1]
    for before, after in itertools.pairwise(parts):
        assert before.ranges[-1][1] < after.ranges[0][0]
    # a page boundary between two consecutive days
    assert any(
        b.ranges[-1][1] + dt.timedelta(days=1) == a.ranges[0][0]
        for b, a in itertools.pairwise(parts)
    )
    # what was read is what a file of the same answers gives; the run after reads no day
    evaluation = evaluate(program, store)
    assert voc_of(evaluation) == from_csv(tmp_path, rows)
    assert len(planned) == 1


def test_day_pages_cut_the_counted_days() -> None:
    day = dt.date(2026, 11, 1)
    nov = [day + dt.timedelta(days=i) for i in range(30)]
    # a gap in the days read (Nov 6-9) stays a gap; the first range is open before
    days = comments.Days(((None, nov[4]), (nov[9], nov[29])))
    counts = {nov[0]: 3, nov[2]: 4, nov[3]: 2, nov[4]: 9, nov[9]: 1, nov[12]: 4, nov[20]: 5}
    assert comments.day_pages(counts, days, 8) == [
        comments.Days(((nov[0], nov[2]),)),  # 7 rows: the 2 of Nov 4 would make 9
        comments.Days(((nov[3], nov[3]),)),  # 2 rows: Nov 5's 9 would make 11
        comments.Days(((nov[4], nov[4]),)),  # 9 rows alone, in keyset pages
        comments.Days(((nov[9], nov[12]),)),  # 5 rows
        comments.Days(((nov[20], nov[20]),)),
    ]
    spanning = comments.day_pages({nov[3]: 1, nov[11]: 1}, days, 8)
    assert spanning == [comments.Days(((nov[3], nov[4]), (nov[9], nov[11])))]
    assert comments.day_pages({}, days, 8) == []


CUSTOMERS = {
    **COMMENTED,
    "      value: value\n": "      value: value\n      comment: comment\n"
    "      customer: recipient_email\n",
    "sources:\n": "contact_policy: {max_surveys_per_customer: 1, days: 90}\n" + THEMES,
    "segments: [tier, terminal]}": "segments: [tier, terminal], "
    "contact: {max_per_customer: 1, days: 60}}",
}


def customer_sections(tmp_path: Path, rows: list[Answer], replace: dict[str, str]) -> Any:
    program = csv_program(tmp_path / "csv")
    text = (program / "program.yaml").read_text(encoding="utf-8")
    for old, new in replace.items():
        if old in text:
            text = text.replace(old, new)
    (program / "program.yaml").write_text(text, encoding="utf-8")
    path = program / "data" / "answers.csv"
    write_csv(rows, path)
    db = f"sqlite:///{tmp_path / 'csv.db'}"
    api.ingest(str(program), "answers", [str(path)], db=db, clock=clock)
    report = api.evaluate(str(program), as_of=TODAY, db=db, out=None, clock=clock).report
    return report["fatigue"], report["drivers"], report["themes"]


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_fatigue_and_drivers_from_a_table_match_the_csv_file(
    engine: str,
    db_url: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """Surveys per customer counted on the engine (histograms only), the drivers' respondents
    joined there, the customer ids pseudonymised as the file's are: the same fatigue and key
    drivers (with the comments' theme mentions) as the CSV file in the store."""
    monkeypatch.setenv("CXGOV_PSEUDONYM_KEY", "k" * 32)
    rows = commented(answers(17, 900, FIRST, TODAY, SYNCED))
    replace = dict(CUSTOMERS)
    replace |= loaded_on(engine, rows, tmp_path, monkeypatch, request)
    program = table_program(tmp_path / "table", replace)
    report = evaluate(program, db_url).report
    fatigue, drivers, themes = customer_sections(tmp_path, rows, CUSTOMERS)
    assert report["fatigue"] == fatigue
    assert fatigue["window"]["over_policy"] > 0 and fatigue["contact_rules"][0]["over_rule"] > 0
    assert fatigue["journeys"] and fatigue["history"]
    assert report["drivers"] == drivers
    assert drivers[0]["respondents"] > 100
    assert {k: v for k, v in report["themes"].items() if k != "tagged_in_this_run"} == {
        k: v for k, v in themes.items() if k != "tagged_in_this_run"
    }
    # the raw customer ids stay on the engine: none is in the store
    engine_ = open_store(db_url)
    try:
        with engine_.connect() as connection:
            keys = connection.execute(select(FEEDBACK.c.customer_key).distinct()).scalars().all()
    finally:
        engine_.dispose()
    assert keys and not any(key is None or key.startswith("C") for key in keys)


def test_a_table_without_response_ids_has_no_driver_respondents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No response id and no customer column: nothing joins a respondent's answers, so the
    drivers have no respondents (the store's rows of the table's points are not read)."""
    rows = answers(18, 300, FIRST, TODAY, SYNCED)
    duck = DuckDb(tmp_path)
    duck.load(rows)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", duck.url)
    program = table_program(tmp_path / "table", {"      response_id: survey_response_id\n": ""})
    report = evaluate(program, f"sqlite:///{tmp_path / 'table.db'}").report
    assert [d["respondents"] for d in report["drivers"]] == [0]
    with_ids = table_program(tmp_path / "ids")
    report = evaluate(with_ids, f"sqlite:///{tmp_path / 'ids.db'}").report
    assert report["drivers"][0]["respondents"] > 250  # one per response, without customers


CUSTOMERS_AND_POLICY = {
    "      value: value\n": "      value: value\n      customer: recipient_email\n",
    "sources:\n": "contact_policy: {max_surveys_per_customer: 1, days: 90}\nsources:\n",
}
"""The fixture program with the table's customer column and a contact policy."""


def _nps_respondents(program: Any, limit: int = 2000) -> Any:
    """The drivers' respondents of the relationship NPS point, customers unkeyed."""
    return respondent_scores(
        program,
        ("mp-nps", Scoring("nps")),
        {},
        first=FIRST,
        last=TODAY,
        limit=limit,
        pseudonymise=lambda: str,
    )


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_the_drivers_sample_is_the_lowest_hashes_not_the_lowest_ids(
    engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Over the sample's limit the engine keeps the respondents with the lowest MD5 of their
    key, a pseudo-random draw: raw ids are often sequential, and the lowest ids would be the
    oldest customers."""
    rows = answers(19, 300, FIRST, TODAY, SYNCED)
    replace: dict[str, str] = {}
    replace |= loaded_on(engine, rows, tmp_path, monkeypatch, request)
    program = api.load_program(str(table_program(tmp_path / "table", replace)))
    found = _nps_respondents(program, 10)
    ids = {
        r.survey_response_id
        for r in rows
        if r.question_id == "QID1" and r.value is not None and 0 <= r.value <= 10
    }
    assert found.respondents == len(ids) > 10
    by_hash = sorted(ids, key=lambda i: hashlib.md5(f"r:{i}".encode()).hexdigest())[:10]
    assert sorted(found.outcome) == sorted(f"r:answers/{i}" for i in by_hash)
    assert sorted(by_hash) != sorted(ids)[:10]


def _respondents_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int) -> str:
    """A DuckDB table of `count` respondents, one answer each, named by the source's URL
    (returned)."""
    import duckdb

    duck = DuckDb(tmp_path)
    with duckdb.connect(str(duck.path)) as connection:
        connection.execute(
            f"INSERT INTO {TABLE} SELECT 'R_' || i, 'QID1', "
            "TIMESTAMP '2026-06-01 08:00' + to_minutes(i % 200000), i % 11, 'c' || i || '@x', "
            f"'', 'gold', 'T1', TIMESTAMP '2026-11-30 03:00' FROM range({count}) r(i)"
        )
    monkeypatch.setenv("CXGOV_ANSWERS_URL", duck.url)
    return duck.url


def test_per_customer_statements_complete_on_a_million_respondents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A DuckDB table of a million respondents: the drivers' sample and the survey counts
    group by respondent, which the 32MB limit of the counts cannot hold on two threads
    (DuckDB's Out of Memory Error, every time, at this size); they run with their own settings
    and complete."""
    _respondents_table(tmp_path, monkeypatch, 1_000_000)
    monkeypatch.setenv("CXGOV_PSEUDONYM_KEY", "k" * 32)
    program = api.load_program(str(table_program(tmp_path / "table", CUSTOMERS_AND_POLICY)))
    found = _nps_respondents(program)
    assert found.respondents == 1_000_000 and len(found.outcome) == 2000
    surveys = table_surveys.for_fatigue(program, TODAY, [])
    assert surveys.windows.customers == 1_000_000


@pytest.mark.parametrize("steps", [1, 2])
def test_per_customer_statements_run_again_with_more_memory_when_duckdb_runs_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, steps: int
) -> None:
    """A first setting too small for the respondents (DuckDB's Out of Memory Error) is tried
    again with the next: the statements complete; with no next setting the error is the
    source's, saying what the engine said."""
    _respondents_table(tmp_path, monkeypatch, 200_000)
    monkeypatch.setenv("CXGOV_PSEUDONYM_KEY", "k" * 32)
    tiny = {"memory_limit": "1MB", "threads": "1"}
    monkeypatch.setattr(
        table_source, "DUCKDB_PER_CUSTOMER", (tiny, table_source.DUCKDB_PER_CUSTOMER[-1])[:steps]
    )
    program = api.load_program(str(table_program(tmp_path / "table", CUSTOMERS_AND_POLICY)))

    def both() -> tuple[int, int]:
        found = _nps_respondents(program)
        return found.respondents, table_surveys.for_fatigue(program, TODAY, []).windows.customers

    if steps == 1:
        with pytest.raises(TableSourceError, match="Out of Memory"):
            both()
    else:
        assert both() == (200_000, 200_000)


def test_a_memory_limit_in_the_url_holds_for_the_per_customer_statements(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The URL's `memory_limit` is the one setting tried: no larger one after it runs out."""
    url = _respondents_table(tmp_path, monkeypatch, 200_000)
    program = api.load_program(str(table_program(tmp_path / "table", CUSTOMERS_AND_POLICY)))

    def respondents() -> int:
        return _nps_respondents(program).respondents

    attempts: list[object] = []
    opened = table_source.source_connection

    def counted(*args: Any, **kwargs: Any) -> Any:
        attempts.append(kwargs.get("per_customer"))
        return opened(*args, **kwargs)

    monkeypatch.setattr(table_source, "source_connection", counted)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", f"{url}?memory_limit=1MB")
    with pytest.raises(TableSourceError, match="Out of Memory"):
        respondents()
    assert len(attempts) == 1
    monkeypatch.setenv("CXGOV_ANSWERS_URL", f"{url}?memory_limit=64MB")
    assert respondents() == 200_000
