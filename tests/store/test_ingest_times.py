"""The block path's text-to-text time conversion gives exactly what converting each time does,
in every hour of zones with daylight saving, half-hour offsets and changes at odd minutes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cxgov import api
from cxgov.ingest.mapping import RowMapper, parse_timestamp
from cxgov.store.answers import stored_time
from tests.conftest import FIXTURES

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
ZONES = [
    "Europe/Helsinki",
    "America/New_York",
    "UTC",
    "Asia/Kolkata",  # +05:30
    "America/St_Johns",  # -03:30 / -02:30
    "Australia/Lord_Howe",  # a half-hour daylight saving shift
    "Asia/Kathmandu",  # +05:45
]


def _mapper(zone: str) -> RowMapper:
    program = api.load_program(str(FIXTURES / "shop"))
    source = next(s for s in program.sources if s.id == "answers")
    header = ["response", "answered_at", "question", "score", "customer", "comment"]
    header += ["company_size", "region"]
    mapper = RowMapper(
        program, source, header, now=NOW, pseudonymise=str.upper, file_name="answers.csv"
    )
    mapper.zone = ZoneInfo(zone)
    return mapper


def _exact(mapper: RowMapper, cells: list[str]) -> list[str]:
    found = [parse_timestamp(cell, None, mapper.zone) for cell in cells]
    return [stored_time(moment) for moment in found if moment is not None]


def _hours(start: dt.datetime, count: int) -> list[dt.datetime]:
    return [start + dt.timedelta(hours=h) for h in range(count)]


@pytest.mark.parametrize("zone", ZONES)
def test_plain_times_match_the_exact_conversion_around_the_year(zone: str) -> None:
    mapper = _mapper(zone)
    plain = 0
    # a block a day over the two years before NOW (each daylight saving change twice), three
    # seconds in each hour
    for day in range(2 * 365):
        hours = _hours(dt.datetime(2024, 11, 1) + dt.timedelta(days=day), 24)
        for sep in ("T", " "):
            cells = [
                f"{hour:%Y-%m-%d}{sep}{hour:%H}:{minute}"
                for hour in hours
                for minute in ("00:00", "29:59", "59:59")
            ]
            doubtful: set[int] = set()
            assert mapper._block_times(cells, doubtful) == _exact(mapper, cells), cells[0]
            assert not doubtful
            plain += mapper._plain_times(cells) is not None
    # the text path takes the days it can, the exact path the others
    if zone in ("Asia/Kolkata", "America/St_Johns", "Asia/Kathmandu"):
        assert plain == 0
    elif zone == "Australia/Lord_Howe":
        assert 0 < plain < 2 * 2 * 365
    else:
        assert plain == 2 * 2 * 365


def test_other_cells_take_the_exact_path_with_the_same_result() -> None:
    mapper = _mapper("Europe/Helsinki")
    cells = [
        "2026-03-01T10:00:00",
        "2026-03-01T10:00:00.250000",
        "2026-03-02 11:30:00+00:00",
        "2026-03-29T03:30:00",  # in the hour the clocks skip
        "2026-10-25T03:30:00",  # in the hour that comes twice
        "2026-03-01T10:00",
        "2026-03-01",
    ]
    doubtful: set[int] = set()
    assert mapper._block_times(cells, doubtful) == _exact(mapper, cells)
    assert not doubtful


@pytest.mark.parametrize(
    "bad",
    ["2026-02-30T10:00:00", "2026-03-01T24:00:00", "2026-03-01T10:60:00", "2026-03-01T1O:00:00"],
)
def test_a_cell_that_is_no_time_is_doubtful(bad: str) -> None:
    mapper = _mapper("Europe/Helsinki")
    doubtful: set[int] = set()
    texts = mapper._block_times(["2026-03-01T10:00:00", bad], doubtful)
    assert doubtful == {1}
    assert texts[0] == "2026-03-01 08:00:00.000000"


def test_a_future_time_is_doubtful() -> None:
    mapper = _mapper("Europe/Helsinki")
    doubtful: set[int] = set()
    mapper._block_times(["2026-03-01T10:00:00", "2026-11-24T10:00:00"], doubtful)
    assert doubtful == {1}


HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.mark.parametrize(
    ("cell", "fmt", "utc"),
    [
        # a zone written after the time, as survey tools export it
        ("2026-08-22 13:41:54 UTC", None, "2026-08-22 13:41:54"),
        ("2026-08-22 13:41:54 utc", None, "2026-08-22 13:41:54"),
        ("2026-08-22 13:41:54 GMT", None, "2026-08-22 13:41:54"),
        ("2026-08-22 13:41:54 GMT+3", None, "2026-08-22 10:41:54"),
        ("2026-08-22 13:41 UTC-05:00", None, "2026-08-22 18:41:00"),
        ("2026-08-22 13:41 GMT+0530", None, "2026-08-22 08:11:00"),
        ("2026-08-22T13:41:54Z", None, "2026-08-22 13:41:54"),
        ("2026-08-22T13:41:54+03:00", None, "2026-08-22 10:41:54"),
        # with a declared format, with or without its %Z
        ("08/22/2026 01:41:54 PM UTC", "%m/%d/%Y %I:%M:%S %p", "2026-08-22 13:41:54"),
        ("08/22/2026 01:41:54 PM UTC", "%m/%d/%Y %I:%M:%S %p %Z", "2026-08-22 13:41:54"),
        # Unix epoch seconds and milliseconds
        ("1787406114", None, "2026-08-22 13:41:54"),
        ("1787406114500", None, "2026-08-22 13:41:54.500000"),
        # no zone: the source's (here Helsinki, summer time)
        ("2026-08-22 13:41:54", None, "2026-08-22 10:41:54"),
        # a month end near midnight stays in its month only with its zone read
        ("2026-08-31 23:30:00 UTC", None, "2026-08-31 23:30:00"),
    ],
)
def test_times_with_a_zone_epoch_or_none(cell: str, fmt: str | None, utc: str) -> None:
    moment = parse_timestamp(cell, fmt, HELSINKI)
    assert moment is not None and str(moment) == utc


@pytest.mark.parametrize(
    "cell",
    ["2026-08-22T13:41:54+03:00 UTC", "2026-08-22 13:41 UTC+", "UTC", "yesterday UTC"],
)
def test_a_time_with_two_zones_or_no_time_is_no_time(cell: str) -> None:
    assert parse_timestamp(cell, None, HELSINKI) is None


def test_epoch_digits_under_a_declared_format_follow_the_format() -> None:
    assert str(parse_timestamp("2026082213", "%Y%m%d%H", ZoneInfo("UTC"))) == "2026-08-22 13:00:00"


def test_a_source_reads_times_without_a_zone_in_its_own_timezone() -> None:
    program = api.load_program(str(FIXTURES / "shop"))
    source = next(s for s in program.sources if s.id == "answers").model_copy(
        update={"timezone": "UTC"}
    )
    header = ["response", "answered_at", "question", "score", "customer", "comment"]
    mapper = RowMapper(
        program,
        source,
        [*header, "company_size", "region"],
        now=NOW,
        pseudonymise=str.upper,
        file_name="answers.csv",
    )
    (record,), reasons = mapper.map(["r1", "2026-08-31 23:30:00", "NPS", "9", "c", "", "", ""])
    assert not reasons and str(record.collected_at) == "2026-08-31 23:30:00", "UTC, not Helsinki"
