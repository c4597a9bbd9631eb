"""Survey tools' exports load end to end through `cxgov ingest`, on SQLite and PostgreSQL, with
no rejected rows: their header rows are header, their times the instants they say, their
columns found by the names the tools give them (tests/fixtures/exports, make_fixtures.py)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import text

from cxgov import api
from cxgov.api import validate
from cxgov.cli import cli
from cxgov.judgement.outcome import ExitCode
from cxgov.store.engine import open_store
from tests.clock import clock
from tests.conftest import FIXTURES, ROOT
from tests.test_examples import _as_json

EXPORTS = FIXTURES / "exports"
PROGRAM = str(EXPORTS)


def ingest(db: str, source: str, *files: Path, **kwargs: object) -> api.BatchSummary:
    return api.ingest(PROGRAM, source, [str(f) for f in files], db=db, clock=clock, **kwargs)  # type: ignore[arg-type]


def query(db: str, statement: str) -> list[tuple[object, ...]]:
    engine = open_store(db)
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(statement))]
    finally:
        engine.dispose()


def stored(db: str) -> list[tuple[str, str, str, float | None, bool, str | None]]:
    """(response id, point, UTC time, value, not applicable, comment) of every answer."""
    found = query(
        db,
        "SELECT response_id, measurement_point, collected_at, value, not_applicable, comment "
        "FROM feedback ORDER BY response_id, measurement_point",
    )
    return [
        (
            str(r[0]),
            str(r[1]),
            str(r[2])[:19],
            None if r[3] is None else float(str(r[3])),
            bool(r[4]),
            None if r[5] is None else str(r[5]),
        )
        for r in found
    ]


@dataclass(frozen=True)
class Case:
    source: str
    file: str
    rows: int
    answers: int
    not_applicable: int
    instant: tuple[str, str, str]
    """An answer's (response id, or the start of a derived one; point; stored UTC time)."""


CASES = [
    # 13:41:54 in Helsinki (the export's timeZone), summer time: 10:41:54 UTC
    Case("qualtrics", "qualtrics/kysely_small.csv", 4, 11, 2,
         ("R_1aBcDeFgHiJkLmN", "mp-nps", "2026-08-22 10:41:54")),
    # 00:10 on 1 September in Helsinki is still August in UTC
    Case("qualtrics", "qualtrics/kysely_small.csv", 4, 11, 2,
         ("R_2oPqRsTuVwXyZaB", "mp-nps", "2026-08-31 21:10:00")),
    # BOM, CRLF, question texts over several lines; the file says America/Denver (UTC-6)
    Case("qualtrics", "qualtrics/kysely_multiline.csv", 3, 9, 0,
         ("R_5eFgHiJkLmNoPqR", "mp-nps", "2026-10-05 23:05:00")),
    # the nightly pull of one response, tab-separated, in UTC
    Case("qualtrics", "qualtrics/kysely_daily.tsv", 1, 3, 0,
         ("R_8uVwXyZaBcDeFgH", "mp-nps", "2026-11-30 22:10:00")),
    Case("qualtrics-fields", "qualtrics/kysely_small.csv", 4, 11, 2,
         ("R_1aBcDeFgHiJkLmN", "mp-nps", "2026-08-22 10:41:54")),
    Case("qualtrics-fields", "qualtrics/kysely_multiline.csv", 3, 9, 0,
         ("R_5eFgHiJkLmNoPqR", "mp-nps", "2026-10-05 23:05:00")),
    Case("qualtrics-fields", "qualtrics/kysely_daily.tsv", 1, 3, 0,
         ("R_8uVwXyZaBcDeFgH", "mp-nps", "2026-11-30 22:10:00")),
    # semicolons; no zone in the file: the program's (Helsinki, UTC+2 in March)
    Case("qualtrics-legacy", "qualtrics_legacy/legacy_export.csv", 2, 2, 0,
         ("R_0aAaAaAaAaAaAaA", "mp-nps", "2016-03-01 08:00:00")),
    # US times: 11:59 PM on 31 August in Helsinki
    Case("surveymonkey", "surveymonkey/all_responses.csv", 3, 8, 1,
         ("114000000002", "mp-nps", "2026-08-31 20:59:00")),
    Case("surveymonkey", "surveymonkey/kaikki_vastaukset_puolipiste.csv", 2, 6, 0,
         ("114000000004", "mp-delivery", "2026-10-10 06:04:00")),
    # Submit Date (UTC) is UTC whatever the program's zone
    Case("typeform", "typeform/responses.csv", 2, 2, 0,
         ("a1b2c3d4e5f6g7h8i9j0", "mp-nps", "2026-08-31 22:30:00")),
    Case("typeform", "typeform/responses_crlf.csv", 1, 1, 0,
         ("u1v2w3x4y5z6a7b8c9d0", "mp-nps", "2026-10-01 10:05:00")),
    # no response id (derived); EEST is UTC+3, EET UTC+2
    Case("google-forms", "google_forms/vastaukset.csv", 4, 8, 0,
         ("derived:", "mp-importance", "2026-08-22 10:41:54")),
    Case("google-forms", "google_forms/vastaukset_paiva.csv", 1, 2, 0,
         ("derived:", "mp-nps", "2026-11-30 16:00:00")),
    Case("formbricks", "formbricks/responses.csv", 2, 2, 0,
         ("clx1a1b2c3d4e5f6g7h8i9j1", "mp-nps", "2026-08-31 20:30:00")),
    Case("formbricks", "formbricks/responses_semicolon.csv", 1, 1, 0,
         ("clx2a1b2c3d4e5f6g7h8i9j2", "mp-nps", "2026-10-10 08:00:00")),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.source}:{Path(c.file).name}")
def test_each_export_loads_with_no_rejected_rows(db_url: str, case: Case) -> None:
    summary = ingest(db_url, case.source, EXPORTS / case.file)
    assert summary.status == "committed"
    assert (summary.rows_read, summary.accepted, summary.rejected) == (case.rows, case.rows, 0)
    assert summary.quarantined == []
    answers = stored(db_url)
    assert len(answers) == case.answers
    assert sum(a[4] for a in answers) == case.not_applicable
    response, point, instant = case.instant
    assert instant in {a[2] for a in answers if a[0].startswith(response) and a[1] == point}
    assert query(db_url, "SELECT COUNT(*) FROM rejected_rows") == [(0,)]


def test_import_ids_and_field_ids_read_the_same_answers(db_url: str, tmp_path: Path) -> None:
    files = sorted((EXPORTS / "qualtrics").iterdir())
    ingest(db_url, "qualtrics", *files)
    by_import_id = stored(db_url)
    second = tmp_path / "second.db"
    ingest(f"sqlite:///{second}", "qualtrics-fields", *files)
    assert stored(f"sqlite:///{second}") == by_import_id
    comments = {a[0]: a[5] for a in by_import_id if a[1] == "mp-nps"}
    # a comment over two lines, and a segment from a column named by its ImportId
    assert comments["R_5eFgHiJkLmNoPqR"] == "Toimitus myöhästyi,\nmutta asiakaspalvelu hoiti asian."
    assert comments["R_4qRsTuVwXyZaBcD"] is None
    not_applicable = sorted((a[0], a[1]) for a in by_import_id if a[4])
    assert not_applicable == [("R_2oPqRsTuVwXyZaB", "mp-price"), ("R_4qRsTuVwXyZaBcD", "mp-nps")]


def test_labelled_scale_answers_are_their_numbers(db_url: str) -> None:
    ingest(db_url, "google-forms", EXPORTS / "google_forms/vastaukset.csv")
    importance = sorted(a[3] for a in stored(db_url) if a[1] == "mp-importance")
    assert importance == [1.0, 3.0, 4.0, 5.0]


def test_a_derived_id_export_loaded_again_adds_nothing(db_url: str) -> None:
    path = EXPORTS / "google_forms/vastaukset.csv"
    first = ingest(db_url, "google-forms", path)
    again = ingest(db_url, "google-forms", path)
    assert (first.inserted, again.inserted, again.unchanged) == (8, 0, 8)


def test_the_one_response_daily_export_loads_through_the_cli(db_url: str) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "ingest",
            "--program",
            PROGRAM,
            "--source",
            "qualtrics",
            str(EXPORTS / "qualtrics/kysely_daily.tsv"),
            "--db",
            db_url,
            "--format",
            "json",
        ],
    )
    assert result.exit_code == ExitCode.OK, result.output
    summary = json.loads(result.stdout)
    assert (summary["rows_read"], summary["accepted"], summary["rejected"]) == (1, 1, 0)


def test_a_bad_answer_row_is_rejected_at_its_line_after_a_multiline_header(
    db_url: str, tmp_path: Path
) -> None:
    text_of = (EXPORTS / "qualtrics/kysely_multiline.csv").read_bytes().decode("utf-8-sig")
    # the header rows hold line breaks within their question texts: the first answer's line
    # is its physical line in the file
    start = text_of.index("\r\n2026-10-05") + 2
    line_of_answer = text_of.count("\n", 0, start) + 1
    assert line_of_answer == 9
    end = text_of.index("\r\n", start)
    bad = text_of[start:end].replace(",7,", ",eleven,", 1)
    path = tmp_path / "kysely.csv"
    path.write_bytes((text_of[:start] + bad + text_of[end:]).encode("utf-8"))
    summary = ingest(db_url, "qualtrics", path)
    # the header rows count toward nothing: 3 answer rows read, 1 rejected
    assert (summary.rows_read, summary.accepted, summary.rejected) == (3, 2, 1)
    [(line, raw)] = query(db_url, "SELECT line, raw FROM rejected_rows")
    assert line == line_of_answer
    assert "eleven" in str(raw) and "asiakas-105" not in str(raw)  # the customer keyed


def test_a_file_that_is_not_the_declared_export_is_quarantined(db_url: str, tmp_path: Path) -> None:
    legacy = tmp_path / "legacy.csv"
    shutil.copy(EXPORTS / "qualtrics_legacy/legacy_export.csv", legacy)
    summary = ingest(db_url, "qualtrics", legacy)
    [quarantined] = summary.quarantined
    assert f"{legacy}:3:" in quarantined.reason
    assert "qualtrics_legacy" in quarantined.reason
    assert summary.rows_read == 0


def test_a_delimiter_the_sniffer_gives_up_on_is_taken_from_the_header_line(
    db_url: str, tmp_path: Path
) -> None:
    # a quoted value holding the delimiter at the end of a CRLF line leaves csv.Sniffer
    # without an answer; the header line's semicolons decide
    source = (EXPORTS / "surveymonkey/kaikki_vastaukset_puolipiste.csv").read_bytes()
    assert b';"Hinta; toimitus ok"\r\n' in source
    summary = ingest(
        db_url, "surveymonkey", EXPORTS / "surveymonkey/kaikki_vastaukset_puolipiste.csv"
    )
    assert (summary.accepted, summary.rejected, summary.quarantined) == (2, 0, [])


EXAMPLE = ROOT / "examples" / "qualtrics"


def test_the_qualtrics_example_validates_and_loads_its_exports_and_workbook(db_url: str) -> None:
    result = validate([str(EXAMPLE)])
    assert (result.errors, len(result.diagnostics)) == (0, 0)
    summary = api.ingest(str(EXAMPLE), "qualtrics", db=db_url, clock=clock)
    assert (summary.rows_read, summary.accepted, summary.rejected) == (4, 4, 0)
    assert summary.inserted == 12
    # 23:59:58 on 29 November in Helsinki (UTC+2), as the export's third row says
    times = {
        r[0]: str(r[1])[:19]
        for r in query(db_url, "SELECT response_id, collected_at FROM feedback")
    }
    assert times["R_0x3YzAbCdEfGhIj"] == "2026-11-29 21:59:58"
    # the pickup survey's Microsoft Forms workbook, beside it
    forms = api.ingest(str(EXAMPLE), "forms", db=db_url, clock=clock)
    assert (forms.rows_read, forms.accepted, forms.rejected) == (3, 3, 0)
    assert query(db_url, "SELECT COUNT(*) FROM feedback WHERE measurement_point = 'mp-pickup'") == [
        (3,)
    ]
    # 23:59:50 on 30 November in Helsinki, a date cell without a zone: still November in UTC
    pickup = query(db_url, "SELECT collected_at FROM feedback WHERE response_id = '3'")
    assert str(pickup[0][0])[:19] == "2026-11-30 21:59:50"


def test_the_example_and_the_fixture_program_match_the_json_schema() -> None:
    schema = json.loads((ROOT / "schemas" / "program-file.schema.json").read_text())
    for path in (EXAMPLE / "program.yaml", EXPORTS / "program.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        jsonschema.validate(_as_json(data), schema, cls=jsonschema.Draft202012Validator)


def test_a_file_ending_within_its_header_rows_is_quarantined(db_url: str, tmp_path: Path) -> None:
    cut = tmp_path / "cut.csv"
    cut.write_text(
        "StartDate,RecordedDate,ResponseId,Q1\r\nStart Date,Recorded Date,Response ID,Q\r\n"
    )
    summary = ingest(db_url, "qualtrics", cut)
    [quarantined] = summary.quarantined
    assert quarantined.reason == f"{cut}: the file ends after 2 of its 3 header rows"
