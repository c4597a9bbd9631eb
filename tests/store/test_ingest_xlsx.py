"""XLSX workbooks through `cxgov ingest` on both databases: Microsoft Forms' shape, a named
sheet, dates as date cells and as text, a one-response export, rejected rows by sheet and row,
damaged files quarantined."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxgov import api
from cxgov.cli import cli
from cxgov.ingest.xlsx import cell_text, place
from cxgov.judgement.outcome import ExitCode
from tests.clock import clock
from tests.conftest import FIXTURES
from tests.fixtures.xlsx import workbooks
from tests.store.test_ingest import rows

SOURCES = """
  - id: forms
    format: xlsx
    layout: wide
    path: data/forms*.xlsx
    columns:
      response_id: ID
      collected_at: Completion time
      comment: Miksi annoit tämän arvion?
    values:
      "Kuinka todennäköisesti suosittelisit meitä ystävällesi tai kollegallesi?": mp-nps
      "Kuinka tyytyväinen olit tilaukseesi?": mp-checkout
  - id: workbook
    format: xlsx
    sheet: Vastaukset
    path: data/book*.xlsx
    columns:
      response_id: response
      collected_at: answered_at
      measurement_point: question
      value: score
      customer: customer
      comment: comment
    measurement_points: {NPS: mp-nps, CHECKOUT: mp-checkout, DELIVERY: mp-delivery}
    value_map: {"Very satisfied": 5}
    not_applicable: ["N/A"]
  - id: workbook-second-sheet
    format: xlsx
    sheet: 2
    path: data/book*.xlsx
    columns: {response_id: response, collected_at: answered_at, measurement_point: question, value: score}
    measurement_points: {NPS: mp-nps, CHECKOUT: mp-checkout, DELIVERY: mp-delivery}
    value_map: {"Very satisfied": 5}
    not_applicable: ["N/A"]
  - id: workbook-typo
    format: xlsx
    sheet: Vastaus
    path: data/book*.xlsx
    columns: {response_id: response, collected_at: answered_at, measurement_point: question, value: score}
"""


@pytest.fixture
def program(tmp_path: Path) -> Path:
    folder = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", folder)
    (folder / "data").mkdir()
    text = (folder / "program.yaml").read_text(encoding="utf-8")
    (folder / "program.yaml").write_text(text + SOURCES, encoding="utf-8")
    return folder


def ingest_cli(program: Path, source: str, path: Path, db: str, *extra: str) -> dict[str, object]:
    command = ["ingest", "--program", str(program), "--source", source, str(path)]
    result = CliRunner().invoke(cli, [*command, "--db", db, "--format", "json", *extra])
    assert result.exit_code in (ExitCode.OK, ExitCode.REJECTED), result.output
    summary: dict[str, object] = json.loads(result.output)
    summary["exit_code"] = result.exit_code
    return summary


def test_a_microsoft_forms_workbook_loads_every_answer_in_the_forms_zone(
    db_url: str, program: Path
) -> None:
    export = workbooks.microsoft_forms(program / "data" / "forms.xlsx")
    summary = ingest_cli(program, "forms", export, db_url)
    assert (summary["rows_read"], summary["inserted"], summary["rejected"]) == (4, 7, 0)
    assert summary["exit_code"] == ExitCode.OK
    stored = rows(
        db_url,
        "SELECT response_id, measurement_point, collected_at, value, comment FROM feedback "
        "ORDER BY response_id, measurement_point",
    )
    assert [(r[0], r[1], str(r[2])[:19], float(str(r[3]))) for r in stored] == [
        # times are date cells without a zone: read in the program's Europe/Helsinki
        ("1", "mp-checkout", "2026-03-01 07:15:40", 5.0),
        ("1", "mp-nps", "2026-03-01 07:15:40", 9.0),
        ("2", "mp-checkout", "2026-03-01 21:59:30", 2.0),
        ("2", "mp-nps", "2026-03-01 21:59:30", 3.0),
        ("3", "mp-checkout", "2026-03-02 06:01:12", 4.0),
        ("3", "mp-nps", "2026-03-02 06:01:12", 10.0),
        # summer time from 29 March: 23:45 on the month's last day is 20:45 UTC, in March
        ("4", "mp-nps", "2026-03-31 20:45:00", 7.0),
    ]
    assert stored[0][4] == "Nopea toimitus, kiitos!"
    again = ingest_cli(program, "forms", export, db_url)
    assert (again["inserted"], again["unchanged"]) == (0, 7), "a re-load adds nothing"


def test_a_one_response_export_loads(db_url: str, program: Path) -> None:
    export = workbooks.microsoft_forms_one(program / "data" / "forms-daily.xlsx")
    summary = ingest_cli(program, "forms", export, db_url)
    assert (summary["rows_read"], summary["inserted"], summary["rejected"]) == (1, 2, 0)
    assert summary["exit_code"] == ExitCode.OK


def test_a_named_sheet_with_date_cells_text_dates_and_an_empty_row(
    db_url: str, program: Path
) -> None:
    book = workbooks.named_sheet(program / "data" / "book.xlsx")
    summary = ingest_cli(program, "workbook", book, db_url)
    assert (summary["rows_read"], summary["inserted"], summary["rejected"]) == (5, 5, 0)
    stored = rows(
        db_url,
        "SELECT response_id, measurement_point, collected_at, value, not_applicable "
        "FROM feedback ORDER BY response_id, measurement_point",
    )
    assert [(r[0], r[1], str(r[2])[:19]) for r in stored] == [
        ("r1", "mp-checkout", "2026-03-01 08:00:00"),
        ("r1", "mp-nps", "2026-03-01 08:00:00"),
        ("r2", "mp-nps", "2026-03-02 09:30:00"),  # a time typed as text, read the same way
        ("r3", "mp-delivery", "2026-03-03 07:00:00"),  # text with its own offset
        ("r4", "mp-delivery", "2026-03-04 10:15:30"),
    ]
    assert [float(str(r[3])) for r in stored if r[3] is not None] == [5.0, 9.0, 3.0, 4.0]
    assert [bool(r[4]) for r in stored] == [False, False, False, True, False]
    # the second sheet by its position reads the same answers
    second = ingest_cli(program, "workbook-second-sheet", book, db_url)
    assert (second["rows_read"], second["rejected"]) == (5, 0)


def test_bad_rows_are_rejected_by_sheet_and_row_with_the_customer_keyed(
    db_url: str, program: Path
) -> None:
    book = workbooks.bad_rows(program / "data" / "book-bad.xlsx")
    summary = ingest_cli(program, "workbook", book, db_url, "--max-reject-rate", "1")
    assert (summary["rows_read"], summary["inserted"], summary["rejected"]) == (4, 1, 3)
    assert summary["rejected_examples"] == {
        "bad_timestamp": ["Vastaukset!3: R012 '31.12.2026 klo 10' is not a time (ISO 8601)"],
        "value_out_of_scale": ["Vastaukset!4: R017 mp-nps: 12 is outside the scale 0..10"],
        "wrong_field_count": ["Vastaukset!5: R001 7 fields, the header has 6"],
    }
    stored = api.rejected(str(program), db=db_url)
    assert [r.line for r in stored] == [3, 4, 5], "each row where Excel shows it"
    assert all("cust-secret" not in r.raw for r in stored), stored
    cells = stored[2].raw.split(",")
    assert cells[:4] == ["b4", "2026-03-01T10:00:00", "NPS", "great"]
    assert len(cells[4]) == 32 and cells[5:] == ["", "a stray cell"], "the customer keyed"
    listed = CliRunner().invoke(
        cli, ["data", "rejected", "--program", str(program), "--db", db_url]
    )
    assert listed.exit_code == 0, listed.output
    assert f"{book} Vastaukset!3 (batch 1, source workbook)" in listed.output
    assert "  R012 '31.12.2026 klo 10' is not a time (ISO 8601)" in listed.output


def test_a_damaged_or_foreign_file_is_quarantined_and_the_good_one_loads(
    db_url: str, program: Path
) -> None:
    good = workbooks.microsoft_forms(program / "data" / "forms-1.xlsx")
    text = program / "data" / "forms-2.xlsx"
    text.write_text("ID,Start time\n1,2026-03-01\n", encoding="utf-8")
    truncated = program / "data" / "forms-3.xlsx"
    truncated.write_bytes(good.read_bytes()[:2000])
    summary = api.ingest(
        str(program), "forms", [str(good), str(text), str(truncated)], db=db_url, clock=clock
    )
    assert (summary.rows_read, summary.inserted, summary.rejected) == (4, 7, 0)
    assert [q.file_name for q in summary.quarantined] == [str(text), str(truncated)]
    assert all("not a readable xlsx workbook" in q.reason for q in summary.quarantined)


def test_a_sheet_the_workbook_lacks_is_named_with_the_sheets_it_has(
    db_url: str, program: Path
) -> None:
    book = workbooks.named_sheet(program / "data" / "book.xlsx")
    summary = api.ingest(str(program), "workbook-typo", [str(book)], db=db_url, clock=clock)
    [quarantined] = summary.quarantined
    assert "no sheet 'Vastaus' in the workbook (its sheets: Ohjeet, Vastaukset)" in (
        quarantined.reason
    )
    assert "did you mean 'Vastaukset'?" in quarantined.reason


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (None, None, ""),
        (5.0, None, "5"),
        (4.5, None, "4.5"),
        (7, None, "7"),
        (True, None, "true"),
        ("  teksti ", None, "  teksti "),
        (workbooks.FORMS_ROWS[0][1], None, "2026-03-01T09:14:02"),
        (workbooks.FORMS_ROWS[0][1], "%d.%m.%Y %H:%M", "01.03.2026 09:14"),
    ],
)
def test_cells_read_as_a_csv_export_of_them_would(
    value: object, fmt: str | None, text: str
) -> None:
    assert cell_text(value, fmt) == text


def test_a_place_is_written_as_excel_refers_to_a_row() -> None:
    assert place("Vastaukset", 7) == "Vastaukset!7"
    assert place("Form 1", 2) == "'Form 1'!2"
