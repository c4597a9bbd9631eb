"""A table source on DuckDB and PostgreSQL judges exactly as the same answers loaded from a
CSV file into the SQLite store: every verdict, value and sample size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cxgov import api
from cxgov.errors import StoreError, UsageError
from tests.clock import TODAY, clock
from tests.warehouse.answers import answers, csv_program, table_program, write_csv
from tests.warehouse.engines import DuckDb, Postgres, postgres_schema

FIRST = dt.date(2026, 5, 1)
SYNCED = dt.datetime(2026, 11, 30, 3, 0)


def verdicts(evaluation: Any) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return {
        (v.objective, v.segment, v.start, v.end): (
            v.status,
            None if v.value is None else round(v.value, 9),
            v.n,
            v.p_value is not None and round(v.p_value, 9),
        )
        for v in evaluation.record.verdicts
    }


def from_csv(tmp_path: Path, batches: list[list[Any]], as_of: dt.date = TODAY) -> dict[Any, Any]:
    program = csv_program(tmp_path / "csv")
    db = f"sqlite:///{tmp_path / 'csv.db'}"
    for number, rows in enumerate(batches):
        path = program / "data" / f"answers-{number}.csv"
        write_csv(rows, path)
        api.ingest(str(program), "answers", [str(path)], db=db, clock=clock)
    found = verdicts(api.evaluate(str(program), as_of=as_of, db=db, out=None, clock=clock))
    assert any(key[1] for key in found), "segment verdicts are compared too"
    assert sum(1 for v in found.values() if v[2] > 0) > 20
    return found


@pytest.fixture
def postgres() -> Iterator[Postgres]:
    yield from postgres_schema()


def evaluate_table(program: Path, store: str, as_of: dt.date = TODAY) -> dict[Any, Any]:
    return verdicts(api.evaluate(str(program), as_of=as_of, db=store, out=None, clock=clock))


def test_duckdb_table_judges_as_the_csv_file_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = answers(1, 1500, FIRST, TODAY, SYNCED)
    duck = DuckDb(tmp_path)
    duck.load(rows)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", duck.url)
    program = table_program(tmp_path / "table")
    store = f"sqlite:///{tmp_path / 'table.db'}"
    evaluation = api.evaluate(str(program), as_of=TODAY, db=store, out=None, clock=clock)
    assert verdicts(evaluation) == from_csv(tmp_path, [rows])
    # the data-quality section counts the answers the engine counted: those with a value on
    # the scale, not-applicable ones left out
    points = {"QID1": ("mp-nps", 0, 10), "QID2": ("mp-food", 1, 5), "QID3": ("mp-effort", 1, 7)}
    expected: dict[str, int] = {}
    for row in rows:
        point, low, high = points[row.question_id]
        if row.value is not None and low <= row.value <= high:
            expected[point] = expected.get(point, 0) + 1
    found = {p.id: p.records for p in evaluation.record.data_quality.points}
    assert found == expected


def test_postgres_table_with_instants_judges_as_the_csv_file_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres: Postgres
) -> None:
    rows = answers(2, 1200, FIRST, TODAY, SYNCED)
    postgres.load(rows)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", postgres.url)
    program = table_program(
        tmp_path / "table",
        {
            "    dbt_model: qualtrics__response": f"    dbt_model: qualtrics__response\n    table_schema: {postgres.schema}"
        },
    )
    store = f"sqlite:///{tmp_path / 'table.db'}"
    assert evaluate_table(program, store) == from_csv(tmp_path, [rows])


def test_duckdb_table_with_utc_wall_times(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A table whose zone-less times are UTC (`timezone: UTC`): each day is converted into the
    program's zone by the engine, as a file's are by cxgov."""
    helsinki = answers(3, 800, FIRST, TODAY, SYNCED)
    in_utc = [
        type(r)(
            **{
                **r.__dict__,
                "survey_response_recorded_at": r.survey_response_recorded_at.replace(
                    tzinfo=dt.timezone(dt.timedelta(hours=2))
                )
                .astimezone(dt.UTC)
                .replace(tzinfo=None),
            }
        )
        for r in helsinki
    ]
    duck = DuckDb(tmp_path)
    duck.load(in_utc)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", duck.url)
    program = table_program(
        tmp_path / "table", {"    format: table": "    format: table\n    timezone: UTC"}
    )
    found = evaluate_table(program, f"sqlite:///{tmp_path / 'table.db'}")
    # the Helsinki wall times above are winter times (UTC+2) only from November on: compare
    # the CSV of the same instants, read as UTC as well
    csv_dir = csv_program(tmp_path / "csv-utc")
    text = (csv_dir / "program.yaml").read_text()
    (csv_dir / "program.yaml").write_text(
        text.replace("    path: data/*.csv", "    path: data/*.csv\n    timezone: UTC")
    )
    write_csv(in_utc, csv_dir / "data" / "answers.csv")
    db = f"sqlite:///{tmp_path / 'csv.db'}"
    api.ingest(str(csv_dir), "answers", [str(csv_dir / "data" / "answers.csv")], db=db, clock=clock)
    expected = verdicts(api.evaluate(str(csv_dir), as_of=TODAY, db=db, out=None, clock=clock))
    assert found == expected


def test_incremental_run_recounts_the_periods_rows_were_loaded_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = answers(4, 1500, FIRST, TODAY, SYNCED)
    duck = DuckDb(tmp_path)
    duck.load(first)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", duck.url)
    program = table_program(tmp_path / "table")
    store = f"sqlite:///{tmp_path / 'table.db'}"
    evaluate_table(program, store)
    # late answers for a complete month, loaded after the first run
    late = answers(5, 60, dt.date(2026, 7, 1), dt.date(2026, 7, 31), SYNCED + dt.timedelta(days=1))
    duck.load(late)
    assert evaluate_table(program, store) == from_csv(tmp_path, [first, late])


def test_rows_loaded_with_an_old_load_time_are_not_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second run reads July from its rollups: rows that claim to have been loaded before
    the first run are not counted, which shows the engine was not asked about July again."""
    first = answers(6, 1500, FIRST, TODAY, SYNCED)
    duck = DuckDb(tmp_path)
    duck.load(first)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", duck.url)
    program = table_program(tmp_path / "table")
    store = f"sqlite:///{tmp_path / 'table.db'}"
    before = evaluate_table(program, store)
    duck.load(
        answers(7, 60, dt.date(2026, 7, 1), dt.date(2026, 7, 31), SYNCED - dt.timedelta(days=1))
    )
    after = evaluate_table(program, store)
    july = [k for k in before if k[2] == dt.date(2026, 7, 1) and k[0] != "o-effort"]
    # the 28-day windows holding July's days: their days come from rollups too
    july += [
        k
        for k in before
        if k[0] == "o-effort" and k[2] <= dt.date(2026, 7, 31) and k[3] >= dt.date(2026, 7, 1)
    ]
    assert len({k[0] for k in july}) == 4
    assert all(after[k] == before[k] for k in july)
    # a store without those rollups counts them
    fresh = evaluate_table(program, f"sqlite:///{tmp_path / 'fresh.db'}")
    assert any(fresh[k] != before[k] for k in july if k[0] == "o-effort")
    assert any(fresh[k] != before[k] for k in july if k[0] != "o-effort")


def test_missing_url_variable_names_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CXGOV_ANSWERS_URL", raising=False)
    program = table_program(tmp_path / "table")
    with pytest.raises(
        StoreError, match=r"source 'answers': the environment variable CXGOV_ANSWERS_URL"
    ):
        evaluate_table(program, f"sqlite:///{tmp_path / 'table.db'}")


def test_mariadb_is_refused_before_connecting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXGOV_ANSWERS_URL", "mysql+pymysql://root@127.0.0.1:3306/test")
    program = table_program(tmp_path / "table")
    with pytest.raises(StoreError, match=r"a table source cannot run on 'mysql'"):
        evaluate_table(program, f"sqlite:///{tmp_path / 'table.db'}")


def test_missing_column_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    duck = DuckDb(tmp_path)
    monkeypatch.setenv("CXGOV_ANSWERS_URL", duck.url)
    program = table_program(tmp_path / "table", {"terminal: terminal": "terminal: gate"})
    with pytest.raises(StoreError, match=r"has no column 'gate'"):
        evaluate_table(program, f"sqlite:///{tmp_path / 'table.db'}")


def test_postgres_view_found_by_the_search_path_and_a_missing_table_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres: Postgres
) -> None:
    """The table is described from PostgreSQL's catalogue: a view as well as a table, in the
    source's schema or, without one, as the connection's search path finds it."""
    rows = answers(4, 300, FIRST, TODAY, SYNCED)
    postgres.load(rows)
    postgres.connection.execute(
        f'CREATE VIEW "{postgres.schema}".responses AS SELECT * FROM "{postgres.schema}".'
        "qualtrics__response"
    )
    searching = f"{postgres.url}?options=-csearch_path%3D{postgres.schema}"
    monkeypatch.setenv("CXGOV_ANSWERS_URL", searching)
    program = table_program(
        tmp_path / "view", {"    dbt_model: qualtrics__response": "    table: responses"}
    )
    assert evaluate_table(program, f"sqlite:///{tmp_path / 'view.db'}") == from_csv(
        tmp_path, [rows]
    )
    missing = table_program(
        tmp_path / "missing",
        {"    dbt_model: qualtrics__response": f"    table: {postgres.schema}.no_such_table"},
    )
    with pytest.raises(StoreError, match=r"no table or view 'cxgov_wh_\w+\.no_such_table'"):
        evaluate_table(missing, f"sqlite:///{tmp_path / 'missing.db'}")


def test_a_table_source_has_nothing_to_ingest(tmp_path: Path) -> None:
    program = table_program(tmp_path / "table")
    with pytest.raises(UsageError, match=r"source 'answers' is a table source"):
        api.ingest(str(program), "answers", db=f"sqlite:///{tmp_path / 's.db'}", clock=clock)


def test_a_duckdb_file_is_read_with_a_memory_limit_the_url_can_raise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import column, select, text

    from cxgov.api._program import load_program
    from cxgov.warehouse.table_source import source_connection

    duck = DuckDb(tmp_path)
    source = load_program(str(table_program(tmp_path / "table"))).sources[0]
    setting = text("SELECT current_setting('memory_limit')")
    monkeypatch.setenv("CXGOV_ANSWERS_URL", duck.url)
    with source_connection(source) as connection:
        default = str(connection.execute(setting).scalar())
        # DuckDB's own reserved words (not PostgreSQL's), learnt from the file's database
        sql = str(select(column("qualify"), column("tier")).compile(connection))
    monkeypatch.setenv("CXGOV_ANSWERS_URL", f"{duck.url}?memory_limit=1GB")
    with source_connection(source) as connection:
        raised = str(connection.execute(setting).scalar())
    assert default.endswith("MiB") and float(default.split()[0]) < 33
    assert raised.endswith("MiB") and float(raised.split()[0]) > 900
    assert '"qualify"' in sql and '"tier"' not in sql
