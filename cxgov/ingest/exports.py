"""Survey tools' exports as they arrive: the header rows each tool writes above its answers,
the names its columns go by, and how it writes times and scale answers.

Pure: functions over a file's header rows as parsed records (cells with their line numbers), so
that any reader yielding rows of cells (CSV, TSV, a workbook's sheet) can use them. The header
rows are taken before the answers are read, so they never count as rows, let alone rejected ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cxgov.errors import FileFormatError
from cxgov.model import Export, Source


class HeaderRow(NamedTuple):
    """One parsed header record: its first line in the file and its cells."""

    line: int
    cells: list[str]


@dataclass(frozen=True)
class ExportColumns:
    """What an export's header rows say about its columns."""

    names: list[str]
    """The name of each column, in file order: the one a source's mapping finds first."""
    aliases: dict[str, int] = field(default_factory=dict)
    """Other names of columns → position: Qualtrics ImportIds (`QID1`, stable when a question's
    text is edited), the legacy layout's second-row labels, a question without its number."""
    zones: dict[int, str] = field(default_factory=dict)
    """Position → the IANA zone the export says that column's times are in."""

    def position(self, name: str) -> int | None:
        if name in self.names:
            return self.names.index(name)
        return self.aliases.get(name)


@dataclass(frozen=True)
class ExportShape:
    """A survey tool's export: its header rows and how its cells are written."""

    export: Export
    title: str
    header_rows: int
    """Rows above the answers, the column names' row included."""
    columns: Callable[[list[HeaderRow], str], ExportColumns]
    """The columns of a file (its header rows, its name for messages)."""
    timestamp_format: str | None = None
    """How the tool writes its times, unless the source sets `timestamp_format`."""
    timezone: str | None = None
    """The zone the tool writes times in, unless the source or the file says otherwise."""
    labelled_values: bool = False
    """Whether scale answers may carry their label (`5 - Erittäin tärkeää`)."""
    times: str = ""
    """How the export writes its times, in words, for docs/format.md."""
    doc: str = ""
    example: str = ""
    """A source of this shape, as YAML, for docs/format.md."""


def header_columns(export: Export, rows: Sequence[HeaderRow], file_name: str) -> ExportColumns:
    """The columns of an export from its header rows (`SHAPES[export].header_rows` of them)."""
    shape = SHAPES[export]
    width = len(rows[0].cells)
    for number, row in enumerate(rows[1:], start=2):
        if len(row.cells) != width:
            raise FileFormatError(
                f"{file_name}:{row.line}: header row {number} of a {shape.title} export has "
                f"{len(row.cells)} fields, its first row {width}; "
                f"is it a {shape.title} export (`export: {export.value}`)?"
            )
    return shape.columns(list(rows), file_name)


def source_as_read(source: Source, columns: ExportColumns) -> Source:
    """`source` with what its export implies where the source says nothing: the tool's time
    format, and the zone of its times (the file's own word for its time column first)."""
    if source.export is None:
        return source
    shape = SHAPES[source.export]
    timezone = source.timezone
    if timezone is None and source.columns.collected_at is not None:
        at = columns.position(source.columns.collected_at)
        timezone = columns.zones.get(at) if at is not None else None
    timezone = timezone or shape.timezone
    timestamp_format = source.timestamp_format or shape.timestamp_format
    if timezone == source.timezone and timestamp_format == source.timestamp_format:
        return source
    return source.model_copy(update={"timezone": timezone, "timestamp_format": timestamp_format})


_LABELLED = re.compile(r"\s*(-?\d+(?:[.,]\d+)?)\s+[-–—:]\s+\S")
"""A scale answer with its label after it: `5 - Erittäin tärkeää`, `1 – Not at all`."""


def labelled_number(text: str) -> str | None:
    """The number of a labelled scale answer (`5 - Erittäin tärkeää` → `5`), None otherwise."""
    match = _LABELLED.match(text)
    return match.group(1) if match else None


def _plain(rows: list[HeaderRow], file_name: str) -> ExportColumns:
    return ExportColumns(rows[0].cells)


def _unique(names: list[tuple[str, int]], taken: Sequence[str]) -> dict[str, int]:
    """name → position of the names found once and not among `taken` (an ambiguous alias is
    no alias: mapping by it would pick a column at random)."""
    counts: dict[str, int] = {}
    for name, _ in names:
        counts[name] = counts.get(name, 0) + 1
    known = set(taken)
    return {name: at for name, at in names if name and counts[name] == 1 and name not in known}


def _qualtrics(rows: list[HeaderRow], file_name: str) -> ExportColumns:
    """Row 1 field ids (`StartDate`, `Q1`), row 2 question texts, row 3 ImportId JSON
    (`{"ImportId":"QID1"}`, `{"ImportId":"startDate","timeZone":"Europe/Helsinki"}`)."""
    names = rows[0].cells
    import_row = rows[2]
    ids: list[tuple[str, int]] = []
    zones: dict[int, str] = {}
    for at, cell in enumerate(import_row.cells):
        try:
            found = json.loads(cell)
        except ValueError:
            found = None
        if not isinstance(found, dict) or not isinstance(found.get("ImportId"), str):
            raise FileFormatError(
                f"{file_name}:{import_row.line}: column {at + 1} ({names[at]!r}) of the third "
                f'header row is {cell[:80]!r}, not ImportId JSON such as {{"ImportId":"QID1"}}; '
                "an export without that row is `export: qualtrics_legacy`"
            )
        ids.append((found["ImportId"], at))
        zone = found.get("timeZone")
        if isinstance(zone, str) and zone:
            zones[at] = _zone_name(zone, file_name, import_row.line, at)
    return ExportColumns(names, _unique(ids, names), zones)


def _zone_name(text: str, file_name: str, line: int, at: int) -> str:
    name = "UTC" if text in ("Z", "GMT") else text
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise FileFormatError(
            f"{file_name}:{line}: column {at + 1} of the third header row names the time zone "
            f"{text!r}, which is no IANA zone; set the source's `timezone`"
        ) from exc
    return name


def _qualtrics_legacy(rows: list[HeaderRow], file_name: str) -> ExportColumns:
    """Row 1 `V1`…`V10` and question ids, row 2 their labels (`ResponseID`, `StartDate`) or
    question texts: a column goes by either."""
    names = rows[0].cells
    labels = [(cell.strip(), at) for at, cell in enumerate(rows[1].cells)]
    return ExportColumns(names, _unique(labels, names))


def _surveymonkey(rows: list[HeaderRow], file_name: str) -> ExportColumns:
    """Row 1 question titles, blank over a question's further columns; row 2 each column's
    sub-label (`Response`, `Open-Ended Response`, an option's text), blank for the respondent's
    own columns. A column is named `Title / Sub-label`, or `Title` without a sub-label; a
    question with one column also goes by its title alone."""
    titles: list[str] = []
    current = ""
    for cell in rows[0].cells:
        current = cell.strip() or current
        titles.append(current)
    names: list[str] = []
    for title, label in zip(titles, rows[1].cells, strict=True):
        label = label.strip()
        names.append(f"{title} / {label}" if label and title else title or label)
    widths: dict[str, int] = {}
    for title in titles:
        widths[title] = widths.get(title, 0) + 1
    singles = [(title, at) for at, title in enumerate(titles) if widths[title] == 1]
    return ExportColumns(names, _unique(singles, names))


_NUMBERED = re.compile(r"\s*\d+\.\s+")


def _formbricks(rows: list[HeaderRow], file_name: str) -> ExportColumns:
    """One header row; a question's headline may carry its number (`1. How likely …`), and
    goes by its text alone too, so renumbering the questions keeps the mapping."""
    names = rows[0].cells
    bare = [(_NUMBERED.sub("", name, count=1), at) for at, name in enumerate(names)]
    return ExportColumns(names, _unique([(n, at) for n, at in bare if n != names[at]], names))


SHAPES: dict[Export, ExportShape] = {
    shape.export: shape
    for shape in (
        ExportShape(
            Export.QUALTRICS,
            "Qualtrics",
            3,
            _qualtrics,
            times="ISO 8601, in the zone its third row names",
            doc=(
                "Qualtrics CSV or TSV export (Data & Analysis → Export data). Row 1 holds the "
                "field ids (`StartDate`, `ResponseId`, `Q1`, `Q2_TEXT`, `Q5_1`), row 2 the "
                "question texts (which may run over several lines), row 3 the ImportId JSON "
                '(`{"ImportId":"QID1"}`). Map a column by its field id or by its ImportId '
                "(`QID1`, `_recordId`, `startDate`), which stays the same when a question's "
                'text is edited. The zone row 3 gives a date column (`"timeZone"`) is the zone '
                "of its times, unless the source sets `timezone`. An export with a single "
                "response (3 header rows and 1 answer) loads like any other."
            ),
            example="""\
sources:
  - id: qualtrics
    export: qualtrics
    path: data/qualtrics/*.csv
    layout: wide
    columns:
      response_id: ResponseId
      collected_at: RecordedDate
      comment: QID2_TEXT          # by ImportId: survives a reworded question
    values:
      QID1: nps_purchase          # by ImportId; `Q1` (the field id) works too
""",
        ),
        ExportShape(
            Export.QUALTRICS_LEGACY,
            "Qualtrics (legacy)",
            2,
            _qualtrics_legacy,
            times="ISO 8601, in the source's `timezone`",
            doc=(
                "The legacy Qualtrics CSV layout with two header rows: row 1 `V1`…`V10` and the "
                "question ids, row 2 their labels (`ResponseID`, `StartDate`, …) and the "
                "question texts. A column goes by either row's name."
            ),
            example="""\
sources:
  - id: qualtrics_legacy
    export: qualtrics_legacy
    path: data/legacy/*.csv
    layout: wide
    columns:
      response_id: ResponseID     # or V1
      collected_at: StartDate     # or V8
    values:
      Q1: nps_purchase
""",
        ),
        ExportShape(
            Export.SURVEYMONKEY,
            "SurveyMonkey",
            2,
            _surveymonkey,
            timestamp_format="%m/%d/%Y %I:%M:%S %p",
            times="`%m/%d/%Y %I:%M:%S %p`, in the source's `timezone`",
            doc=(
                'SurveyMonkey "All responses" CSV or XLSX (`format: xlsx`): row 1 the question '
                "titles (blank over a question's further columns), row 2 each column's "
                "sub-label (`Response`, "
                "`Open-Ended Response`, an option's text). Columns are named "
                "`Question title / Sub-label`, or by the title alone where row 2 is blank "
                "(`Respondent ID`, `Start Date`); a question with a single column goes by its "
                "title alone too. Times are read as `%m/%d/%Y %I:%M:%S %p` (`08/22/2026 "
                "01:41:54 PM`) in the source's `timezone`."
            ),
            example="""\
sources:
  - id: surveymonkey
    export: surveymonkey
    path: data/surveymonkey/*.csv
    timezone: Europe/Helsinki
    layout: wide
    columns:
      response_id: Respondent ID
      collected_at: End Date
      comment: Miksi? / Open-Ended Response
    values:
      Kuinka todennäköisesti suosittelisit meitä? / Response: nps_purchase
""",
        ),
        ExportShape(
            Export.TYPEFORM,
            "Typeform",
            1,
            _plain,
            timezone="UTC",
            times="ISO 8601, in UTC",
            doc=(
                "Typeform CSV: one header row; `#` is the response's token, and `Start Date "
                "(UTC)` and `Submit Date (UTC)` are read in UTC whatever the program's zone."
            ),
            example="""\
sources:
  - id: typeform
    export: typeform
    path: data/typeform/*.csv
    layout: wide
    columns:
      response_id: "#"
      collected_at: Submit Date (UTC)
    values:
      How likely are you to recommend us?: nps_purchase
""",
        ),
        ExportShape(
            Export.GOOGLE_FORMS,
            "Google Forms",
            1,
            _plain,
            timestamp_format="%Y/%m/%d %I:%M:%S %p",
            times="`%Y/%m/%d %I:%M:%S %p` and a zone (`EEST`, `GMT+3`)",
            labelled_values=True,
            doc=(
                "Google Forms CSV (Responses → Download responses): one header row, no response "
                "id (leave `response_id` out: each row's id is derived from its cells). "
                "`Timestamp` is read as `%Y/%m/%d %I:%M:%S %p` followed by its zone "
                "(`2026/08/22 1:41:54 PM EEST`, `… GMT+3`), and a linear-scale answer with its "
                "label (`5 - Erittäin tärkeää`) as its number."
            ),
            example="""\
sources:
  - id: google_forms
    export: google_forms
    path: data/forms/*.csv
    layout: wide
    columns:
      collected_at: Timestamp
    values:
      Kuinka tärkeää nopea toimitus on sinulle?: importance_delivery
""",
        ),
        ExportShape(
            Export.FORMBRICKS,
            "Formbricks",
            1,
            _formbricks,
            times="ISO 8601 and a zone (`UTC`, `GMT+3`)",
            doc=(
                "Formbricks CSV: one header row whose question headlines may carry their number "
                "(`1. How likely …`); a headline goes by its text without the number too. "
                "Times end in their zone (`2026-08-22 13:41:54 UTC`, `… GMT+3`)."
            ),
            example="""\
sources:
  - id: formbricks
    export: formbricks
    path: data/formbricks/*.csv
    layout: wide
    columns:
      response_id: Response ID
      collected_at: Timestamp
    values:
      How likely are you to recommend us?: nps_purchase   # the headline `1. How likely …`
""",
        ),
    )
}
