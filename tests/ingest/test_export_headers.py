"""The header rows of each export shape, read as pure functions over parsed records."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from cxgov.errors import FileFormatError
from cxgov.ingest.exports import (
    SHAPES,
    ExportColumns,
    ExportShape,
    HeaderRow,
    header_columns,
    labelled_number,
    source_as_read,
)
from cxgov.ingest.mapping import parse_timestamp
from cxgov.model import Export, Source

HELSINKI = ZoneInfo("Europe/Helsinki")


def rows(*cells: list[str]) -> list[HeaderRow]:
    return [HeaderRow(line, list(row)) for line, row in enumerate(cells, start=1)]


def test_qualtrics_columns_go_by_field_id_and_import_id_with_their_zones() -> None:
    columns = header_columns(
        Export.QUALTRICS,
        rows(
            ["RecordedDate", "ResponseId", "Q1", "Q2_TEXT"],
            ["Recorded Date", "Response ID", "Kuinka\ntodennäköisesti?", "Miksi?"],
            [
                '{"ImportId":"recordedDate","timeZone":"America/Denver"}',
                '{"ImportId":"_recordId"}',
                '{"ImportId":"QID1"}',
                '{"ImportId":"QID2_TEXT"}',
            ],
        ),
        "kysely.csv",
    )
    assert columns.names == ["RecordedDate", "ResponseId", "Q1", "Q2_TEXT"]
    assert columns.aliases == {"recordedDate": 0, "_recordId": 1, "QID1": 2, "QID2_TEXT": 3}
    assert columns.zones == {0: "America/Denver"}
    assert columns.position("QID1") == columns.position("Q1") == 2


def test_a_qualtrics_third_row_without_import_ids_names_its_line_and_column() -> None:
    with pytest.raises(FileFormatError) as caught:
        header_columns(
            Export.QUALTRICS,
            rows(["StartDate", "Q1"], ["Start Date", "Suosittelisitko?"], ["2026-01-01", "9"]),
            "kysely.csv",
        )
    message = str(caught.value)
    assert message.startswith("kysely.csv:3: column 1 ('StartDate')")
    assert "'2026-01-01'" in message and "qualtrics_legacy" in message


def test_a_zone_that_is_no_iana_zone_is_refused_with_its_value() -> None:
    with pytest.raises(FileFormatError, match="'Mars/Olympus'"):
        header_columns(
            Export.QUALTRICS,
            rows(["StartDate"], ["Start Date"], ['{"ImportId":"startDate","timeZone":"Mars/Olympus"}']),
            "kysely.csv",
        )  # fmt: skip


def test_a_header_row_of_another_width_is_refused() -> None:
    with pytest.raises(FileFormatError, match=r"kysely.csv:2: header row 2 .* has 1 fields"):
        header_columns(Export.SURVEYMONKEY, rows(["A", "B"], ["x"]), "kysely.csv")


def test_an_alias_two_columns_share_is_no_alias() -> None:
    columns = header_columns(
        Export.QUALTRICS,
        rows(["Q1", "Q1_copy"], ["a", "b"], ['{"ImportId":"QID1"}', '{"ImportId":"QID1"}']),
        "kysely.csv",
    )
    assert columns.aliases == {}


def test_legacy_qualtrics_columns_go_by_either_row() -> None:
    columns = header_columns(
        Export.QUALTRICS_LEGACY,
        rows(["V1", "V8", "Q1"], ["ResponseID", "StartDate", "Suosittelisitko?"]),
        "legacy.csv",
    )
    assert columns.names == ["V1", "V8", "Q1"]
    assert columns.aliases == {"ResponseID": 0, "StartDate": 1, "Suosittelisitko?": 2}


def test_surveymonkey_titles_are_forward_filled_over_their_sub_labels() -> None:
    columns = header_columns(
        Export.SURVEYMONKEY,
        rows(
            ["Respondent ID", "Suosittelisitko?", "Tyytyväisyys", "", "Miksi?"],
            ["", "Response", "Toimitus", "Hinta", "Open-Ended Response"],
        ),
        "sm.csv",
    )
    assert columns.names == [
        "Respondent ID",
        "Suosittelisitko? / Response",
        "Tyytyväisyys / Toimitus",
        "Tyytyväisyys / Hinta",
        "Miksi? / Open-Ended Response",
    ]
    # a question of one column goes by its title alone; a matrix's title names no one column
    assert columns.aliases == {"Suosittelisitko?": 1, "Miksi?": 4}


def test_formbricks_headlines_go_by_their_text_without_the_number() -> None:
    columns = header_columns(
        Export.FORMBRICKS, rows(["Response ID", "1. Suosittelisitko?", "12. Miksi?"]), "fb.csv"
    )
    assert columns.aliases == {"Suosittelisitko?": 1, "Miksi?": 2}


def _source(**fields: object) -> Source:
    return Source.model_validate(
        {
            "id": "s",
            "path": "*.csv",
            "layout": "wide",
            "columns": {"collected_at": "RecordedDate"},
            "values": {"Q1": "mp"},
            **fields,
        }
    )


def test_the_file_zone_applies_unless_the_source_sets_one() -> None:
    columns = ExportColumns(["RecordedDate", "Q1"], {"recordedDate": 0}, {0: "America/Denver"})
    assert source_as_read(_source(export="qualtrics"), columns).timezone == "America/Denver"
    own = _source(export="qualtrics", timezone="Europe/Helsinki")
    assert source_as_read(own, columns).timezone == "Europe/Helsinki"


def test_an_export_gives_its_time_format_and_zone_where_the_source_gives_none() -> None:
    columns = ExportColumns(["RecordedDate", "Q1"])
    monkey = source_as_read(_source(export="surveymonkey"), columns)
    assert monkey.timestamp_format == SHAPES[Export.SURVEYMONKEY].timestamp_format
    assert source_as_read(_source(export="typeform"), columns).timezone == "UTC"
    declared = _source(export="surveymonkey", timestamp_format="%d.%m.%Y %H:%M")
    assert source_as_read(declared, columns).timestamp_format == "%d.%m.%Y %H:%M"
    plain = _source()
    assert source_as_read(plain, columns) is plain


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("5 - Erittäin tärkeää", "5"),
        ("1 – Ei lainkaan", "1"),
        ("10 - Extremely likely", "10"),
        ("4,5 - Hyvä", "4,5"),
        ("5", None),
        ("Erittäin tärkeää - 5", None),
        ("5-6", None),
    ],
)
def test_labelled_numbers(text: str, number: str | None) -> None:
    assert labelled_number(text) == number


@pytest.mark.parametrize(
    ("text", "fmt", "utc"),
    [
        ("2026/08/22 1:41:54 PM EEST", "%Y/%m/%d %I:%M:%S %p", "2026-08-22 10:41:54"),
        ("2026/11/02 9:05:00 AM EET", "%Y/%m/%d %I:%M:%S %p", "2026-11-02 07:05:00"),
        ("2026-07-01 08:00:00 PDT", None, "2026-07-01 15:00:00"),
        ("2026-01-15 12:00:00 cet", None, "2026-01-15 11:00:00"),
        ("2026/09/15 10:00:00 AM GMT+3", "%Y/%m/%d %I:%M:%S %p", "2026-09-15 07:00:00"),
    ],
)
def test_zone_abbreviations_after_a_time(text: str, fmt: str | None, utc: str) -> None:
    moment = parse_timestamp(text, fmt, HELSINKI)
    assert moment == dt.datetime.fromisoformat(utc)


def test_an_abbreviation_not_read_is_a_bad_timestamp() -> None:
    assert parse_timestamp("2026-07-01 08:00:00 IST", None, HELSINKI) is None


@pytest.mark.parametrize("shape", list(SHAPES.values()), ids=lambda s: s.export.value)
def test_each_documented_example_is_a_valid_source_of_its_shape(shape: ExportShape) -> None:
    [source] = yaml.safe_load(shape.example)["sources"]
    assert Source.model_validate(source).export is shape.export


@given(
    st.sampled_from(list(Export)),
    st.lists(st.lists(st.text(max_size=30), min_size=1, max_size=5), min_size=3, max_size=3),
)
def test_any_header_rows_give_columns_or_a_file_format_error(
    export: Export, cells: list[list[str]]
) -> None:
    header = rows(*cells[: SHAPES[export].header_rows])
    try:
        columns = header_columns(export, header, "any.csv")
    except FileFormatError as exc:
        assert str(exc).startswith("any.csv:")
        return
    assert len(columns.names) == len(header[0].cells)
    assert all(0 <= at < len(columns.names) for at in columns.aliases.values())
