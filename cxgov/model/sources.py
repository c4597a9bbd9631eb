"""The `sources` section: how data files map onto measurement points."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, model_validator

from cxgov.model import json_path
from cxgov.model.base import Id, Model, SegmentDimension


class SourceFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    JSON = "json"
    """One JSON document holding an array of records (a Qualtrics JSON export, an API page)."""
    XLSX = "xlsx"
    """An Excel workbook (Microsoft Forms, SurveyMonkey): one sheet, its first row the header."""
    TABLE = "table"
    """A table or view on a SQL engine (see docs/warehouse.md): the answers stay there and the
    counts are computed by that engine."""


TABLE_ENGINES = ("bigquery", "databricks", "duckdb", "hive", "postgresql", "snowflake")
"""SQLAlchemy backends a table source's counts are written for (`cxgov.warehouse.dialects`)."""


class Export(StrEnum):
    """The shape of a survey tool's CSV/TSV export: its header rows and how it writes times."""

    QUALTRICS = "qualtrics"
    QUALTRICS_LEGACY = "qualtrics_legacy"
    SURVEYMONKEY = "surveymonkey"
    TYPEFORM = "typeform"
    GOOGLE_FORMS = "google_forms"
    FORMBRICKS = "formbricks"


class Layout(StrEnum):
    LONG = "long"
    WIDE = "wide"


class Encoding(StrEnum):
    UTF8 = "utf-8"
    LATIN1 = "latin-1"
    CP1252 = "cp1252"


class SourceColumns(Model):
    """Record fields → column names in the file."""

    response_id: str | None = None
    """The column identifying a response. Left out (Google Forms exports have none), each row's
    id is derived from its cells (`derived:` and a hash of them), so the same row loaded again is
    the same answer; two rows alike in every cell count once."""
    collected_at: str | None = None
    measurement_point: str | None = None
    """long layout: the column naming the measurement point of each answer."""
    value: str | None = None
    """long layout: the column holding the answer."""
    customer: str | None = None
    """Customer identifier; pseudonymised on the way in."""
    comment: str | None = None
    updated_at: str | None = None
    """table sources: a column with each row's load or update time. With it, a run asks the
    engine only about periods holding rows loaded since the last run; without it, periods
    already complete are counted once and kept."""
    segments: dict[SegmentDimension, str] = Field(default_factory=dict)
    """Segment dimension → column, for example {class: Class}. A dimension's name holds no
    double quote or backslash (SQLite could not look it up)."""


class Source(Model):
    id: Id
    format: SourceFormat = SourceFormat.CSV
    path: str = ""
    """Glob of the data files, relative to the program directory (file sources)."""
    url_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    """table sources: the environment variable holding the engine's SQLAlchemy URL (never the
    URL itself: it holds a password)."""
    table: str | None = None
    """table sources: `schema.table` or `table` (a view will do)."""
    dbt_model: str | None = None
    """table sources: a dbt model's name, read as a table of that name in `table_schema`."""
    table_schema: str | None = None
    """table sources: the schema of `dbt_model` (the engine's default schema when left out)."""
    export: Export | None = None
    """The survey tool whose CSV/TSV export the files are, as it writes them (docs/format.md,
    Survey exports): its extra header rows are read as such, never as rejected rows, and its
    columns can be named as the tool names them. Left out: a plain CSV with one header row."""
    layout: Layout = Layout.LONG
    columns: SourceColumns = SourceColumns()
    values: dict[str, Id] = Field(default_factory=dict)
    """wide layout: rating column → measurement point id."""
    measurement_point: Id | None = None
    """long layout without a measurement-point column: every row belongs to this one."""
    measurement_points: dict[str, Id] = Field(default_factory=dict)
    """long layout: value in the measurement-point column → measurement point id."""
    collected_at: dt.datetime | dt.date | None = None
    """A fixed collection time for files that carry no dates."""
    timestamp_format: str | None = None
    """strptime format of the collected_at column; ISO 8601 when left out. Either way a time may
    end in a zone (`Z`, `UTC`, `GMT`, `UTC+3`, `GMT+03:00`, `+0300`, or a European or North
    American abbreviation such as `EEST` or `PDT`); without a format, a column of
    Unix epoch seconds or milliseconds (10 or 13 digits) is read as such."""
    timezone: str | None = None
    """IANA time-zone name in which this source's times without a zone are read (an export
    written in UTC: `UTC`); the program's `timezone` when left out."""
    not_applicable: tuple[str | float, ...] = ()
    """Answer values meaning "did not use": stored as not applicable, never as a score."""
    value_map: dict[str, float] = Field(default_factory=dict)
    """Text labels → numeric answers (for example "Very satisfied": 5)."""
    encoding: Encoding = Encoding.UTF8
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    """CSV delimiter; sniffed when left out."""
    sheet: str | int | None = None
    """xlsx: the worksheet to read, by name (`Sheet1`, `Vastaukset`) or by position (1 the
    first); the first sheet when left out."""
    records: str | None = None
    """json: the path of the array of records in the document (`responses` for a Qualtrics
    export, `items` for Typeform, `conversations` for Intercom); the document itself when left
    out (a plain array)."""

    @model_validator(mode="after")
    def _format_options(self) -> Source:
        if self.sheet is not None and self.format is not SourceFormat.XLSX:
            raise ValueError("`sheet` names a worksheet of an xlsx source (`format: xlsx`)")
        if isinstance(self.sheet, int) and self.sheet < 1:
            raise ValueError("`sheet` counts worksheets from 1 (the first sheet)")
        if self.format in (SourceFormat.JSONL, SourceFormat.JSON):
            c = self.columns
            names = [c.response_id, c.collected_at, c.measurement_point, c.value, c.customer]
            names += [c.comment, *c.segments.values(), *self.values]
            for name in names:
                if name is not None and json_path.is_path(name):
                    json_path.parse(name)  # a malformed path: its ValueError says why
        if self.records is not None and self.format is not SourceFormat.JSON:
            raise ValueError(
                "`records` is the path of the array of records of a `format: json` source"
            )
        return self

    @property
    def is_table(self) -> bool:
        return self.format is SourceFormat.TABLE

    @model_validator(mode="after")
    def _layout_complete(self) -> Source:
        if self.is_table:
            if self.url_env is None:
                raise ValueError(
                    "a table source names the environment variable holding its database URL "
                    "in `url_env`"
                )
            if (self.table is None) == (self.dbt_model is None):
                raise ValueError("a table source names either a `table` or a `dbt_model`")
            if self.path:
                raise ValueError("a table source has no `path`: its answers stay in the table")
            if self.export is not None:
                raise ValueError("`export` belongs to file sources: a table has no header rows")
            for name in ("comment", "customer"):
                if getattr(self.columns, name) is not None and self.columns.response_id is None:
                    raise ValueError(
                        f"a table source that reads `columns.{name}` names its response id in "
                        "`columns.response_id`: a comment is kept under its response id and "
                        "point, so that a later run finds it again, and a survey is a response"
                    )
            if self.value_map or any(isinstance(v, str) for v in self.not_applicable):
                raise ValueError(
                    "a table source reads numbers: `value_map` and text `not_applicable` "
                    "values are for files (map labels to numbers in the table, e.g. a dbt model)"
                )
            if (
                self.layout is Layout.LONG
                and self.columns.measurement_point is not None
                and not self.measurement_points
            ):
                raise ValueError(
                    "a table source maps the values of its measurement-point column to "
                    "measurement points in `measurement_points` (question id: point id)"
                )
        else:
            for name in ("url_env", "table", "dbt_model", "table_schema"):
                if getattr(self, name) is not None:
                    raise ValueError(f"`{name}` belongs to table sources (`format: table`)")
            if self.columns.updated_at is not None:
                raise ValueError("`columns.updated_at` belongs to table sources (`format: table`)")
        if self.layout is Layout.WIDE:
            if not self.values:
                raise ValueError(
                    "a wide-layout source maps rating columns to measurement points in `values`"
                )
        else:
            if self.columns.value is None:
                raise ValueError("a long-layout source names its answer column in `columns.value`")
            if self.columns.measurement_point is None and self.measurement_point is None:
                raise ValueError(
                    "a long-layout source needs a `columns.measurement_point` "
                    "column or a fixed `measurement_point`"
                )
        if self.columns.collected_at is None and self.collected_at is None:
            raise ValueError(
                "a source needs a `columns.collected_at` column or a fixed `collected_at`"
            )
        return self
