"""Why a data row is rejected: one registry of reasons, each with a stable code, a name, a
message template and a hint that says how to fix the data or the source.

Codes: R00x a row that cannot be read at all, R01x an answer row (survey exports), R02x a row
of business KPI values. A code is never reused for another reason. The name is the older
identifier: it is the key of `rejected_by_reason` in batch summaries (a contract) and the
`code` of each reason stored with a rejected row, whose `message` begins with the R code.
The reference in docs/rejections.md is generated from this registry.

Reasons are built only for rows that are rejected (the readers and mappers take the cheap path
for good rows), so a reason formats its message once, where it is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Rejection:
    code: str
    """`R` and three digits, for example R017."""
    name: str
    """snake_case, for example value_out_of_scale."""
    summary: str
    """One line: what is wrong with the row."""
    template: str
    """The message of one rejected row: `str.format` fields named in `reason()` calls."""
    hint: str
    """How to fix it, in the data or in the program's `sources`."""
    example: Mapping[str, Any]
    """The fields of a typical message, for the reference (and to prove the template)."""
    _pattern: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the code is joined to the template once, so a reason is a single format call
        object.__setattr__(self, "_pattern", f"{self.code} {self.template}")

    def reason(self, **fields: Any) -> Reason:
        return Reason(self, self._pattern.format_map(fields))

    @property
    def example_text(self) -> str:
        return self.reason(**self.example).text


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason one row was rejected."""

    rejection: Rejection
    text: str
    """What is wrong with this row, the code first (as stored and shown), so it can be looked
    up: `R017 mp-nps: 11 is outside the scale 0..10`."""

    @property
    def name(self) -> str:
        return self.rejection.name


REJECTIONS: dict[str, Rejection] = {}
"""Every rejection by code."""


def _register(
    code: str, name: str, summary: str, template: str, hint: str, **example: Any
) -> Rejection:
    if code in REJECTIONS:
        raise ValueError(f"rejection code {code} registered twice")
    if any(r.name == name for r in REJECTIONS.values()):
        raise ValueError(f"rejection name {name} registered twice")
    rejection = REJECTIONS[code] = Rejection(code, name, summary, template, hint, example)
    return rejection


# --- reading: the row cannot be split into its fields ---------------------------------------

WRONG_FIELD_COUNT = _register(
    "R001",
    "wrong_field_count",
    "A CSV row has more or fewer fields than the header.",
    "{fields} fields, the header has {width}",
    "A text field that holds the delimiter must be quoted: check that the export quotes its "
    "fields and that every row has the header's columns. When the delimiter was guessed wrong, "
    "declare it in the source's `delimiter`.",
    fields=7,
    width=8,
)
BAD_CSV = _register(
    "R002",
    "bad_csv",
    "A CSV row breaks the CSV syntax.",
    "CSV syntax: {error}",
    "Usually a stray quote, a NUL byte or a field longer than the CSV reader's limit: fix the "
    "row in the export, or have the exporting tool quote fields the standard way (a quote "
    'inside a quoted field is written twice: `""`).',
    error="field larger than field limit (131072)",
)
BAD_JSON = _register(
    "R003",
    "bad_json",
    "A line of a JSONL file, or a record of a JSON document, is not one JSON object.",
    "not a JSON object ({problem})",
    'JSONL holds one JSON object per line, such as `{"id": "r1", "score": 9}`: arrays, bare '
    "values and objects split over several lines are not read.",
    problem="Expecting value",
)

UNCLOSED_QUOTE = _register(
    "R004",
    "unclosed_quote",
    "A quoted value never closes and swallows the rows after it.",
    "a quoted value opened on this line runs on over {lines} lines, to {end}, and the lines it "
    "took look like rows: its closing quote is missing",
    "A value that starts with a quote must end with one, and a quote inside a quoted value is "
    'written twice (`""`). Only this line is rejected: the lines after it are read again as '
    "rows of their own. Fix the quote in the export and load the file again.",
    lines=98,
    end="the end of the file",
)
BAD_ENCODING = _register(
    "R005",
    "bad_encoding",
    "A row holds bytes that are not text in the file's encoding.",
    "byte 0x{byte:02X} at {place} is not valid {encoding}",
    "Usually a file saved in a legacy encoding (Excel on Windows writes cp1252): declare the "
    "source's `encoding` (latin-1 or cp1252). When only a few rows have the byte, the export "
    "mixed encodings: fix those rows. The stored row shows each such byte as `\\xNN`.",
    byte=0xE4,
    place="column 37",
    encoding="utf-8",
)

NUL_BYTE = _register(
    "R006",
    "nul_byte",
    "A row holds a NUL character, which no text column stores.",
    "a NUL character (U+0000) at {place}",
    'Usually a UTF-16 export (Excel\'s "Unicode text") read as UTF-8, or a binary file: export '
    "the answers as UTF-8 CSV. When only a few rows have it, remove the character from them.",
    place="column 12",
)

BAD_PATH = _register(
    "R007",
    "bad_path",
    "A JSON record has nothing, or no single value, where a source's column points.",
    "{path}: {problem}",
    "A column of a JSON source is a key or a path into the record (`values.QID1`, "
    "`answers[field.ref=nps].number`, see the source formats reference): check the path "
    "against a record of the export. A path to an object or an array needs one more step, to "
    "the value inside it.",
    path="values.QID1",
    problem="no key 'QID1' in values",
)

# --- answers: survey rows mapped by a source --------------------------------------------------

MISSING_RESPONSE_ID = _register(
    "R010",
    "missing_response_id",
    "The response id is empty.",
    "the response id is empty",
    "Every answer needs the id of its response, in the column the source names in "
    "`columns.response_id`: fill it in the export. Answers are unique by response id and "
    "measurement point, so a re-load updates them instead of adding them twice.",
)
LONG_RESPONSE_ID = _register(
    "R018",
    "long_response_id",
    "The response id is longer than the store keeps.",
    "the response id is {length} characters long; at most {limit} are kept",
    "A response id names one response of the survey tool, such as `R_1gU4x8…`: check that the "
    "source's `columns.response_id` names the id column and not a free-text one.",
    length=412,
    limit=200,
)
MISSING_TIMESTAMP = _register(
    "R011",
    "missing_timestamp",
    "The collection time is empty.",
    "the collection time is empty",
    "Fill the column the source names in `columns.collected_at`, or give the source a fixed "
    "`collected_at`, which rows with an empty time then take.",
)
BAD_TIMESTAMP = _register(
    "R012",
    "bad_timestamp",
    "The collection time is not a time in the source's format.",
    "{text!r} is not a time ({expected})",
    "Times are read as ISO 8601 (`2026-03-01T10:00:00`, a zone optional) unless the source "
    "declares the export's own form in `timestamp_format` with strptime codes, for example "
    "`%d.%m.%Y %H:%M`.",
    text="1.3.2026 10:00",
    expected="ISO 8601",
)
FUTURE_TIMESTAMP = _register(
    "R013",
    "future_timestamp",
    "The collection time is more than a day after now.",
    "{text!r} is in the future",
    "An answer cannot be collected later than now: look for a day and month read the wrong "
    "way round (fix `timestamp_format`) or a time zone off (times without a zone are read in "
    "the program's `timezone`).",
    text="2031-03-01T10:00:00",
)
UNKNOWN_MEASUREMENT_POINT = _register(
    "R014",
    "unknown_measurement_point",
    "The measurement-point column names no measurement point of the program.",
    "{label!r} is not a measurement point of the program",
    "Map the export's label to a measurement point id in the source's `measurement_points` "
    "(label → id), or add the measurement point to the program.",
    label="Checkout survey",
)
MISSING_VALUE = _register(
    "R015",
    "missing_value",
    "A long-layout row has an empty answer.",
    "the answer is empty",
    "A long-layout row holds exactly one answer: leave unanswered questions out of the export. "
    "(In the wide layout an empty cell means the question was not shown and is not an error.)",
)
NON_NUMERIC_VALUE = _register(
    "R016",
    "non_numeric_value",
    "An answer or a KPI value is neither a number nor a known label.",
    "{where}: {text!r} is not a number",
    "Map answer labels to numbers in the source's `value_map` (for example `Very satisfied: "
    "5`) and list texts meaning “did not use” in its `not_applicable`. A decimal comma "
    "(`4,5`) is read. A KPI value must be a number.",
    where="mp-nps",
    text="great",
)
VALUE_OUT_OF_SCALE = _register(
    "R017",
    "value_out_of_scale",
    "An answer lies outside its KPI's scale.",
    "{point}: {value:g} is outside the scale {scale}",
    "Check that the KPI has the scale the survey asks on (`scale`; by default NPS 0..10, CSAT "
    "1..5, CES 1..7). A code such as 99 for “don't know” belongs in the source's "
    "`not_applicable`.",
    point="mp-nps",
    value=11.0,
    scale="0..10",
)

# --- business KPI values: `cxgov ingest --kpi-values` ---------------------------------------

UNKNOWN_KPI = _register(
    "R020",
    "unknown_kpi",
    "The `kpi` column names no KPI of the program.",
    "{kpi!r} is not a KPI of the program",
    "Write a KPI id of the program's `kpis` in the `kpi` column, or add the KPI to the program.",
    kpi="retension",
)
BAD_PERIOD = _register(
    "R021",
    "bad_period",
    "The period is not two dates, or it ends before it starts.",
    "the period {start!r} to {end!r} {problem}",
    "Write `period_start` and `period_end` as YYYY-MM-DD dates, the start on or before the end.",
    start="2026-02-01",
    end="2026-01-31",
    problem="ends before it starts",
)
BAD_SAMPLE_SIZE = _register(
    "R022",
    "bad_sample_size",
    "The `n` column is not a whole number of zero or more.",
    "n {n!r} is not a whole number ≥ 0",
    "Write in `n` how many answers or customers the value stands for, as a whole number, or "
    "leave it empty when that is not known.",
    n="12.5",
)
