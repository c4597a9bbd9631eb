""" "Now" enters at the command line's edge: CXGOV_NOW or `--now` pins it, nothing else reads
the system clock (tests/test_layers.py), and the pinned instant reaches what depends on it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxgov.cli import cli
from cxgov.clock import NOW_ENV, BadNow, parse_now, pinned
from cxgov.ingest.mapping import FUTURE_TOLERANCE
from cxgov.judgement.outcome import ExitCode
from tests.clock import NOW
from tests.conftest import FIXTURES, ROOT

SHOP = str(FIXTURES / "shop")
HEADER = "response,answered_at,question,score,customer,comment,company_size,region\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-06-30", dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC)),
        ("2026-06-30T03:30:00Z", dt.datetime(2026, 6, 30, 3, 30, tzinfo=dt.UTC)),
        (
            "2026-06-30T23:30:00+03:00",
            dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=3))),
        ),
    ],
)
def test_now_is_a_date_or_an_instant_with_its_offset(text: str, expected: dt.datetime) -> None:
    assert parse_now(text) == expected


@pytest.mark.parametrize(
    ("text", "words"), [("2026-06-30T03:30:00", "no UTC offset"), ("tomorrow", "not a date")]
)
def test_a_now_that_means_different_instants_is_refused(text: str, words: str) -> None:
    with pytest.raises(BadNow, match=words):
        parse_now(text)


def test_a_pinned_clock_starts_at_its_instant_and_runs_on() -> None:
    clock = pinned(NOW)
    first, second = clock(), clock()
    assert NOW <= first <= second < NOW + dt.timedelta(minutes=1)
    with pytest.raises(BadNow):
        pinned(dt.datetime(2026, 1, 1))


def _ingest(db: str, path: Path, *now: str) -> dict[str, object]:
    args = [*now, "ingest", "--program", SHOP, "--source", "answers", str(path)]
    result = CliRunner().invoke(cli, [*args, "--db", db, "--format", "json"])
    assert result.exit_code == ExitCode.OK, result.output
    return dict(json.loads(result.stdout))


def test_the_pinned_now_decides_what_is_in_the_future(tmp_path: Path) -> None:
    answered = NOW + FUTURE_TOLERANCE + dt.timedelta(hours=6)
    path = tmp_path / "answers.csv"
    past = NOW - dt.timedelta(days=30)
    path.write_text(
        HEADER
        + f"r1,{answered:%Y-%m-%dT%H:%M:%S},NPS,9,c,,small,north\n"
        + "".join(f"r{i},{past:%Y-%m-%dT%H:%M:%S},NPS,8,c,,small,north\n" for i in (2, 3))
    )
    db = f"sqlite:///{tmp_path / 'store.db'}"
    # CXGOV_NOW (the tests' NOW, set by conftest): the answer is in the future
    assert _ingest(db, path)["rejected_by_reason"] == {"future_timestamp": 1}
    # `--now` an hour after the answer wins over the variable: the same answer is in the past
    later = (answered + dt.timedelta(hours=1)).isoformat()
    assert _ingest(db, path, "--now", later)["rejected"] == 0


def test_the_default_as_of_is_the_pinned_day(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(NOW_ENV, "2025-02-14")
    out = tmp_path / "data"
    program = ROOT / "programs" / "kahvipalvelu"
    result = CliRunner().invoke(
        cli, ["demo-data", "--program", str(program), "--out", str(out), "--months", "2"]
    )
    assert result.exit_code == ExitCode.OK, result.output
    months = sorted(p.name for p in out.glob("*.csv") if "2025" in p.name)
    assert months and all(("2025-01" in m or "2025-02" in m) for m in months), months


def test_a_bad_now_is_a_usage_error_that_says_why(monkeypatch) -> None:
    monkeypatch.setenv(NOW_ENV, "2026-06-30T03:30")
    result = CliRunner().invoke(cli, ["actions", "list", "--db", "sqlite:///:memory:"])
    assert result.exit_code == ExitCode.USAGE
    assert "no UTC offset" in result.output and NOW_ENV in result.output
