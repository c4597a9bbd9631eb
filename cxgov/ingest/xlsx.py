"""Excel workbooks (`format: xlsx`): one worksheet, its first row the header, read as the rows
the CSV reader gives, so the same mapping, checks and rejections apply.

openpyxl in read-only mode, not python-calamine: calamine (the faster Rust reader) reads a
whole worksheet into memory before the first row comes out, while openpyxl's read-only sheet
parses the worksheet's XML as a stream, one row in memory at a time (with the two fixes of
`_stream_sheets`), so a workbook of a million answers loads in the same memory as one of ten
thousand. (Every reader keeps a workbook's table
of distinct texts in memory: the format stores them in one part of its own.)

Cells come typed: a date cell is a real datetime (openpyxl turns Excel's serial days into one),
written as ISO 8601 text without a zone, so it is read in the source's `timezone` as a CSV time
is; with a declared `timestamp_format` it is written in that format instead, so date cells and
dates typed as text in one column read alike. A whole number stored as 5.0 reads `5`; an empty
cell is empty.
"""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from cxgov.errors import FileFormatError, UsageError
from cxgov.ingest.readers import Block, RawRow
from cxgov.ingest.rejections import WRONG_FIELD_COUNT
from cxgov.program_files.fields import did_you_mean

BLOCK_ROWS = 2048
"""Consecutive rows handed to the mapper as one `Block`."""


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ModuleNotFoundError as exc:  # the optional extra is not installed
        raise UsageError(
            "reading xlsx workbooks needs openpyxl: pip install 'cxgov[xlsx]'"
        ) from exc
    # openpyxl warns of workbook features a reader of values does not need (data validation,
    # default styles) and of dates out of range, which it then reads as an error value
    warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\..*)?$")
    _stream_sheets()
    return openpyxl


def _stream_sheets() -> None:
    """Make openpyxl's read-only sheets stream in memory that does not grow with the rows.

    Two things in openpyxl's read-only path hold every row (seen with openpyxl 3.1: reading a
    million rows took 124 MB against 46 MB for 100,000, so a bigger workbook needs more memory):

    - Opening a sheet probes its used range (`<dimension>`); in a workbook that records none
      (openpyxl's own streaming writer and some export tools write none) the probe parses the
      whole sheet into memory to get past it. cxgov reads every row whatever the range says
      (`reset_dimensions`), so the probe is skipped: the sheet is opened as openpyxl opens one
      with no range.
    - The row parser empties each `<row>` element after reading it but leaves it in its parent
      `<sheetData>`, so the element tree keeps an empty element per row, and it keeps a row's
      height and style attributes in a table that grows by one entry per such row. Here each
      row is taken out of its parent once read, and no row attributes are kept (a reader of
      values does not use them).

    openpyxl offers no option for either, so its two classes are subclassed and put where its
    read-only reader looks them up; the workbook and cell reading stay openpyxl's own.
    """
    from openpyxl.reader import excel
    from openpyxl.worksheet import _read_only
    from openpyxl.worksheet._reader import ROW_TAG, WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    if getattr(excel.ReadOnlyWorksheet, "_cxgov_streamed", False):
        return
    sheet_data_tag = f"{{{SHEET_MAIN_NS}}}sheetData"

    class StreamedParser(WorkSheetParser):  # type: ignore[misc]
        def parse(self) -> Iterator[tuple[int, list[Any]]]:
            # the read-only sheet asks its parser for rows only; the sheet's other parts
            # (column widths, merged cells, print settings) are not read at all
            sheet_data = None
            for event, element in iterparse(self.source, events=("start", "end")):
                if event == "start":
                    if element.tag == sheet_data_tag:
                        sheet_data = element
                    continue
                if element.tag != ROW_TAG:
                    continue
                row = self.parse_row(element)
                self.row_dimensions.clear()
                element.clear()
                if sheet_data is not None:
                    sheet_data.remove(element)  # its only child: earlier rows are gone
                yield row

    class StreamedWorksheet(_read_only.ReadOnlyWorksheet):  # type: ignore[misc]
        _cxgov_streamed = True

        def _get_size(self) -> None:
            return None

    _read_only.WorkSheetParser = StreamedParser
    excel.ReadOnlyWorksheet = StreamedWorksheet


_UNREADABLE: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    KeyError,  # a part the workbook lists is missing from the archive
    ParseError,
    ValueError,
    TypeError,
    EOFError,
)
"""What openpyxl raises on a damaged workbook or a file that is no workbook at all."""


def _damaged(path: Path, exc: BaseException) -> FileFormatError:
    detail = str(exc) or type(exc).__name__
    return FileFormatError(
        f"{path}: not a readable xlsx workbook ({detail}); save it again from Excel as "
        "“Excel Workbook (.xlsx)”"
    )


def cell_text(value: object, timestamp_format: str | None = None) -> str:
    """A cell as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # Excel keeps every number as a double: an answer of 5 may come back as 5.0
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if timestamp_format is not None:
            return value.strftime(timestamp_format)
        return value.isoformat(timespec="seconds" if not value.microsecond else "milliseconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _open(path: Path) -> Any:
    openpyxl = _openpyxl()
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except _UNREADABLE as exc:
        raise _damaged(path, exc) from exc
    except openpyxl.utils.exceptions.InvalidFileException as exc:
        raise _damaged(path, exc) from exc


def _sheet(workbook: Any, path: Path, sheet: str | int | None) -> Any:
    names = list(workbook.sheetnames)
    if sheet is None:
        if not names:
            raise FileFormatError(f"{path}: the workbook has no worksheet")
        return workbook[names[0]]
    if isinstance(sheet, int):
        if not 1 <= sheet <= len(names):
            raise FileFormatError(
                f"{path}: the source reads sheet {sheet}, but the workbook has {len(names)} "
                f"sheet(s): {', '.join(names)}"
            )
        return workbook[names[sheet - 1]]
    if sheet not in names:
        hint = did_you_mean(sheet, names, ignore_case=True)
        raise FileFormatError(
            f"{path}: no sheet {sheet!r} in the workbook (its sheets: {', '.join(names)})"
            + (f"; {hint}" if hint else "")
        )
    return workbook[sheet]


def place(sheet: str, row: int) -> str:
    """Where a row is, as Excel writes a reference to it: `Vastaukset!7`."""
    quoted = sheet if sheet.replace("_", "").isalnum() else "'" + sheet.replace("'", "''") + "'"
    return f"{quoted}!{row}"


def read_xlsx(
    path: Path,
    *,
    sheet: str | int | None = None,
    timestamp_format: str | None = None,
    header_rows: int = 1,
) -> tuple[list[tuple[int, list[str]]], Iterator[Block | RawRow], str]:
    """The header rows (each with its row number: the sheet's first row, or the first
    `header_rows` rows of a survey tool's export such as SurveyMonkey's title and sub-label
    rows), a stream of the rows after them, each numbered by its row in the sheet, so a
    rejected row points at the row a user sees in Excel, and the sheet's name.
    Consecutive rows come as `Block`s (a gap of empty rows starts a new one).
    Empty rows are skipped; a row with a value right of the header's last column is rejected
    (R001)."""
    workbook = _open(path)
    try:
        worksheet = _sheet(workbook, path, sheet)
        # some writers record a wrong used range (`A1:A1`): read every row there is instead
        worksheet.reset_dimensions()
        values = worksheet.iter_rows(min_row=1, values_only=True)
        headers: list[tuple[int, list[str]]] = []
        while len(headers) < header_rows:
            cells = _next(values, path)
            if cells is None:
                break
            row = [cell_text(cell).strip() for cell in cells]
            while row and not row[-1]:
                row.pop()
            headers.append((len(headers) + 1, row))
    except BaseException:
        workbook.close()
        raise
    title = str(worksheet.title)
    if not headers:
        workbook.close()
        return [], iter(()), title
    if len(headers) < header_rows:
        workbook.close()
        raise FileFormatError(
            f"{path}: the sheet {title!r} ends after {len(headers)} of its {header_rows} "
            "header rows"
        )
    # a title row blank over a question's later columns is as wide as the rows below it
    width = max(len(row) for _, row in headers)
    for _, row in headers:
        row.extend([""] * (width - len(row)))

    def rows() -> Iterator[Block | RawRow]:
        pending: list[list[str]] = []
        first = 0

        def block() -> Block:
            columns = [list(column) for column in zip(*pending, strict=True)]
            pending.clear()
            return Block(first, columns, ",")

        try:
            number = header_rows
            while True:
                cells = _next(values, path)
                if cells is None:
                    break
                number += 1
                fields = [cell_text(cell, timestamp_format) for cell in cells]
                while len(fields) > width and not fields[-1].strip():
                    fields.pop()
                if not any(field.strip() for field in fields):
                    continue
                if len(fields) > width:
                    if pending:
                        yield block()
                    # the cells are kept: the header's columns are where it says, so the
                    # customer's cell is keyed before the row is stored
                    problem = WRONG_FIELD_COUNT.reason(fields=len(fields), width=width)
                    yield RawRow(number, fields, None, problem)
                    continue
                fields.extend([""] * (width - len(fields)))
                # consecutive rows go out as a block, which the mapper checks column by column
                if pending and number != first + len(pending):
                    yield block()
                if not pending:
                    first = number
                pending.append(fields)
                if len(pending) >= BLOCK_ROWS:
                    yield block()
            if pending:
                yield block()
        finally:
            workbook.close()

    return headers, rows(), title


def _next(values: Iterator[tuple[object, ...]], path: Path) -> tuple[object, ...] | None:
    """The next row's cells; None at the end. A workbook found damaged part way (a worksheet
    whose XML breaks off) is unreadable as a whole, as a truncated gzip file is."""
    try:
        return next(values)
    except StopIteration:
        return None
    except _UNREADABLE as exc:
        raise _damaged(path, exc) from exc
