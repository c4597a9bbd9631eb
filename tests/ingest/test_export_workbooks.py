"""A survey tool's export as a workbook: SurveyMonkey's "All responses" XLSX has the same two
header rows as its CSV (question titles, blank over a question's later columns, and
sub-labels), and loads into the same answers, its end times as date cells or as the tool's US
text alike."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from tests.ingest.test_exports import EXPORTS, ingest, query, stored


def _workbook_of(csv_file: Path, out: Path, *, date_cells: bool) -> Path:
    """The CSV export as SurveyMonkey's workbook: the same cells, numbers as numbers and, with
    `date_cells`, the times as date cells (what Excel shows as dates)."""
    with csv_file.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet"
    times = {rows[0].index("Start Date"), rows[0].index("End Date")}
    for number, row in enumerate(rows):
        cells: list[object] = []
        for column, cell in enumerate(row):
            if number >= 2 and column in times and date_cells and cell:
                cells.append(dt.datetime.strptime(cell, "%m/%d/%Y %I:%M:%S %p"))
            elif number >= 2 and cell.isdigit() and len(cell) < 6:
                cells.append(int(cell))
            else:
                cells.append(cell or None)
        sheet.append(cells)
    book.save(out)
    return out


def test_a_surveymonkey_workbook_loads_the_same_answers_as_its_csv(
    db_url: str, tmp_path: Path
) -> None:
    source = EXPORTS / "surveymonkey" / "all_responses.csv"
    as_csv = ingest(f"sqlite:///{tmp_path / 'csv.db'}", "surveymonkey", source)
    expected = stored(f"sqlite:///{tmp_path / 'csv.db'}")
    assert (as_csv.rows_read, as_csv.rejected) == (3, 0)
    for date_cells in (True, False):
        workbook = _workbook_of(
            source, tmp_path / f"kaikki-{date_cells}.xlsx", date_cells=date_cells
        )
        summary = ingest(db_url, "surveymonkey-xlsx", workbook)
        assert summary.status == "committed", summary
        assert (summary.rows_read, summary.accepted, summary.rejected) == (3, 3, 0)
        assert query(db_url, "SELECT COUNT(*) FROM rejected_rows") == [(0,)]
        assert stored(db_url) == expected, "the same answers, times and comments as the CSV's"
