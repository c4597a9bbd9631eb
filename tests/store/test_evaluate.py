"""Evaluation on both databases: counts aggregated in SQL equal a hand computation, every
status appears where the data puts it, runs are recorded append-only, and the report keeps
its contract."""

from __future__ import annotations

import datetime as dt
import gc
import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import text

from cxgov import api
from cxgov.cli import cli
from cxgov.evaluate.aggregate import aggregate
from cxgov.judgement.cells import Cell
from cxgov.judgement.kpi import estimate
from cxgov.judgement.periods import Period
from cxgov.model import Program
from cxgov.stats import Counts
from cxgov.store.engine import open_store
from tests.clock import clock
from tests.conftest import FIXTURES

SHOP = str(FIXTURES / "shop")
AS_OF = dt.date(2026, 6, 15)
HEADER = "response,answered_at,question,score,customer,comment,company_size,region\n"
# month -> (promoters, passives, detractors) for the relationship NPS (targets 30 / 20 / 10)
NPS_PLAN = {1: (50, 40, 10), 2: (40, 35, 25), 3: (10, 40, 50), 4: (5, 3, 2), 6: (3, 1, 1)}
EXPECTED_STATUS = {
    1: "on_target",
    # NPS 15 of 100 answers: short of 30 beyond doubt, not of the warn threshold of 20
    2: "below_target",
    # NPS −40: short of the fail threshold of 10 beyond doubt
    3: "fail",
    4: "insufficient_sample",
    5: "no_data",
    # June is still running with 5 answers
    6: "pending",
}


def _nps_rows() -> list[str]:
    rows = []
    for month, (promoters, passives, detractors) in NPS_PLAN.items():
        scores = [10] * promoters + [8] * passives + [3] * detractors
        for i, score in enumerate(scores):
            region = "north" if i % 2 else "south"
            rows.append(
                f"n{month}-{i},2026-{month:02d}-10T12:00:00,NPS,{score},c{i},,small,{region}\n"
            )
    return rows


def _checkout_rows(rng: random.Random) -> tuple[list[str], dict[tuple[int, str], Counts]]:
    rows, expected = [], {}
    for month in range(1, 7):
        for i in range(rng.randint(40, 90)):
            day = rng.randint(1, 28 if month < 6 else 15)
            score = rng.choice(["1", "2", "3", "4", "5", "5", "N/A"])
            size = rng.choice(["small", "large"])
            rows.append(
                f"k{month}-{i},2026-{month:02d}-{day:02d}T{rng.randint(0, 23):02d}:30:00,CHECKOUT,{score},c,,{size},\n"
            )
            if score == "N/A":
                continue
            value = int(score)
            add = Counts(1, 0, 0, 0, int(value >= 4), value, value * value)
            for key in ((month, ""), (month, size)):
                expected[key] = expected.get(key, Counts()) + add
    return rows, expected


@pytest.fixture
def loaded(db_url: str, tmp_path: Path) -> dict[tuple[int, str], Counts]:
    checkout, expected = _checkout_rows(random.Random(5))
    path = tmp_path / "answers.csv"
    path.write_text(HEADER + "".join(_nps_rows() + checkout))
    summary = api.ingest(SHOP, "answers", [str(path)], db=db_url, clock=clock)
    assert summary.rejected == 0
    return expected


def test_sql_counts_equal_a_hand_computation(
    db_url: str, loaded: dict[tuple[int, str], Counts]
) -> None:
    program = api.load_program(SHOP)
    engine = open_store(db_url)
    with engine.connect() as connection:
        found = aggregate(connection, program, AS_OF)
    engine.dispose()
    for (month, size), counts in loaded.items():
        start = dt.date(2026, month, 1)
        end = dt.date(2026, month + 1, 1) - dt.timedelta(days=1)
        cell = Cell(
            "mp-checkout", Period(start, end, end < AS_OF), (("size", size),) if size else ()
        )
        got = found.counts[cell]
        # a percentage's sums are plain sums (shift 0): no mean is read from them
        assert (got.n, got.positives, got.shifted_sum, got.shifted_sumsq, got.shift) == (
            counts.n,
            counts.positives,
            counts.shifted_sum,
            counts.shifted_sumsq,
            0.0,
        ), (month, size)


def test_every_status_appears_where_the_data_puts_it(
    db_url: str, loaded: object, tmp_path: Path
) -> None:
    result = api.evaluate(SHOP, as_of=AS_OF, db=db_url, out=str(tmp_path / "reports"), clock=clock)
    by_month = {
        r["period"]["start"][5:7]: r
        for r in result.report["results"]
        if r["objective"] == "o-nps" and not r["segment"]
    }
    assert {int(m): r["status"] for m, r in by_month.items()} == EXPECTED_STATUS
    january = by_month["01"]
    assert (january["value"], january["n"]) == (40.0, 100)
    assert january["ci_low"] < 40 < january["ci_high"]
    assert (january["target"], january["warn"], january["fail"], january["revision"]) == (
        30,
        20,
        10,
        "2025-01-01",
    )
    assert january["margin"] == 10.0 and january["rule"] == "test"
    assert january["p_value"] > 0.5 and january["sustained"] == 0
    assert by_month["06"]["period"] == {
        "start": "2026-06-01",
        "end": "2026-06-30",
        "complete": False,
    }
    february = by_month["02"]
    assert february["trend"]["previous"]["delta"] == pytest.approx(-25.0)
    assert 0 <= february["trend"]["previous"]["p_value"] < 0.05
    # a fall of 25 points at 100 answers a month (one-sided p ≈ 0.007) is no decline at the
    # default 1 % once adjusted across February's objectives (docs/verdicts.md#declines)
    assert february["trend"]["decline"] is False


def test_the_report_contract_and_files(db_url: str, loaded: object, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = api.evaluate(SHOP, as_of=AS_OF, db=db_url, out=str(out), clock=clock)
    assert result.json_path == out / "shop" / "2026-06-15.json"
    report = json.loads(result.json_path.read_text())
    assert report == result.report
    assert {"schema_version", "program", "as_of", "run", "results", "error_rates"} <= set(report)
    assert report["schema_version"] == 3
    assert report["error_rates"]["error_rate"] == 0.05
    assert report["error_rates"]["false_alarms_per_year"] > 0
    keys = {
        "objective",
        "measurement_point",
        "kpi",
        "segment",
        "period",
        "value",
        "n",
        "ci_low",
        "ci_high",
        "status",
        "target",
        "warn",
        "fail",
        "revision",
        "rule",
        "p_value",
        "sustained",
        "trend",
    }
    for item in report["results"]:
        assert keys <= set(item)
        assert set(item["trend"]) == {"previous", "year_ago", "decline"}
    assert (
        (out / "shop" / "2026-06-15.md")
        .read_text()
        .startswith("# Web shop: evaluation as of 2026-06-15")
    )


def test_runs_are_recorded_append_only_and_dry_runs_record_nothing(
    db_url: str, loaded: object, tmp_path: Path
) -> None:
    api.evaluate(SHOP, as_of=AS_OF, db=db_url, out=None, dry_run=True, clock=clock)
    engine = open_store(db_url)

    def count(table: str) -> int:
        with engine.connect() as connection:
            return int(connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())

    assert count("evaluation_runs") == 0
    first = api.evaluate(SHOP, as_of=AS_OF, db=db_url, out=None, clock=clock)
    second = api.evaluate(SHOP, as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert count("evaluation_runs") == 2
    assert count("verdicts") == 2 * len(first.results)
    assert first.report["results"] == second.report["results"], "same data, same verdicts"
    with engine.connect() as connection:
        run = connection.execute(
            text("SELECT program, as_of, program_hash, status FROM evaluation_runs ORDER BY id")
        ).first()
    engine.dispose()
    assert (
        run is not None
        and run[0] == "shop"
        and str(run[1]) == "2026-06-15"
        and len(run[2]) == 64
        and run[3] == "finished"
    )


def test_exit_codes_follow_fail_on(db_url: str, loaded: object, tmp_path: Path) -> None:
    runner = CliRunner()
    base = [
        "evaluate",
        "--program",
        SHOP,
        "--db",
        db_url,
        "--out",
        str(tmp_path),
        "--as-of",
        "2026-03-20",
    ]
    # latest periods in March: NPS partial month with 100 answers at NPS −40 -> fail
    assert runner.invoke(cli, [*base, "--fail-on", "fail"]).exit_code == 1
    assert runner.invoke(cli, [*base, "--fail-on", "FAIL"]).exit_code == 1
    assert runner.invoke(cli, [*base, "--fail-on", "none"]).exit_code == 0
    assert runner.invoke(cli, base).exit_code == 0, "by default a missed objective is no failure"
    printed = runner.invoke(cli, [*base, "--format", "json", "--dry-run", "--fail-on", "none"])
    assert json.loads(printed.stdout)["as_of"] == "2026-03-20"


def _nps_n(result: api.Evaluation, month: int) -> int:
    [found] = [
        r
        for r in result.report["results"]
        if r["objective"] == "o-nps"
        and not r["segment"]
        and r["period"]["start"] == f"2026-{month:02d}-01"
    ]
    return int(found["n"])


def test_rollups_spare_unchanged_periods_and_recount_changed_ones(
    db_url: str, loaded: object, tmp_path: Path
) -> None:
    first = api.evaluate(SHOP, as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert _nps_n(first, 2) == 100
    engine = open_store(db_url)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM rollups")).scalar_one() > 0
        # mark February's stored count, so a later run shows whether it recounted February
        connection.execute(
            text(
                "UPDATE rollups SET n = 999 WHERE measurement_point = 'mp-nps' AND period_start = '2026-02-01' AND segment = :empty"
            ),
            {"empty": "[]"},
        )
    engine.dispose()
    assert _nps_n(api.evaluate(SHOP, as_of=AS_OF, db=db_url, out=None, clock=clock), 2) == 999, (
        "no new data: read from rollups"
    )
    march = tmp_path / "march.csv"
    march.write_text(HEADER + "extra-1,2026-03-12T12:00:00,NPS,10,c,,small,north\n")
    api.ingest(SHOP, "answers", [str(march)], db=db_url, clock=clock)
    after_new = api.evaluate(SHOP, as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert _nps_n(after_new, 3) == 101, "March received an answer: recounted"
    assert _nps_n(after_new, 2) == 999, "February did not: still from its rollup"
    changed = tmp_path / "changed.csv"
    changed.write_text(HEADER + "extra-1,2026-03-12T12:00:00,NPS,2,c,,small,north\n")
    api.ingest(SHOP, "answers", [str(changed)], db=db_url, clock=clock)
    after_update = api.evaluate(SHOP, as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert _nps_n(after_update, 2) == 100, "an updated answer may move between periods: recount all"
    fresh = api.evaluate(SHOP, as_of=AS_OF, db=db_url, out=None, dry_run=True, clock=clock)
    assert after_update.report["results"] == fresh.report["results"]


def test_a_past_as_of_date_counts_nothing_collected_after_that_day(
    db_url: str, tmp_path: Path
) -> None:
    # times in the program's zone (Europe/Helsinki); the run is as of 20 March, mid-month
    rows = [
        "a1,2026-03-10T12:00:00,NPS,10,c1,fine,small,north\n",
        "a2,2026-03-20T23:30:00,NPS,9,c2,good,small,north\n",  # late on the as-of day
        "a3,2026-03-21T00:30:00,NPS,0,c3,too late,small,north\n",  # just after it
        "a4,2026-03-25T12:00:00,NPS,0,c4,much later,small,north\n",
    ]
    path = tmp_path / "march.csv"
    path.write_text(HEADER + "".join(rows))
    api.ingest(SHOP, "answers", [str(path)], db=db_url, clock=clock)
    as_of = dt.date(2026, 3, 20)
    engine = open_store(db_url)
    with engine.connect() as connection:
        found = aggregate(connection, api.load_program(SHOP), as_of)
    engine.dispose()
    march = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31), False)
    counted = found.counts[Cell("mp-nps", march, ())]
    assert (counted.n, counted.promoters, counted.detractors) == (2, 2, 0)
    result = api.evaluate(SHOP, as_of=as_of, db=db_url, out=None, dry_run=True, clock=clock)
    [nps] = [r for r in result.report["results"] if r["objective"] == "o-nps" and not r["segment"]]
    assert (nps["n"], nps["value"]) == (2, 100.0)
    assert result.record.comments["o-nps"] == ["good", "fine"]
    [point] = [p for p in result.record.data_quality.points if p.id == "mp-nps"]
    assert (point.records, point.last) == (2, dt.datetime(2026, 3, 20, 21, 30))


def _in_zone(program: Program, zone: str) -> Program:
    return program.model_copy(
        update={"program": program.program.model_copy(update={"timezone": zone})}
    )


def test_rollups_follow_a_changed_time_zone(db_url: str, tmp_path: Path) -> None:
    # 23:30 UTC on 31 January is 1 February 01:30 in Helsinki
    rows = [f"j{i},2026-01-15T12:00:00Z,NPS,10,c,,small,north\n" for i in range(3)]
    rows += [f"f{i},2026-02-15T12:00:00Z,NPS,10,c,,small,north\n" for i in range(2)]
    rows.append("edge,2026-01-31T23:30:00Z,NPS,0,c,,small,north\n")
    path = tmp_path / "answers.csv"
    path.write_text(HEADER + "".join(rows))
    api.ingest(SHOP, "answers", [str(path)], db=db_url, clock=clock)
    helsinki = api.load_program(SHOP)
    assert helsinki.program.timezone == "Europe/Helsinki"
    january = Cell("mp-nps", Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31), True), ())
    february = Cell("mp-nps", Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28), True), ())
    engine = open_store(db_url)

    def counted(program: Program) -> tuple[int, int]:
        with engine.begin() as connection:  # persisting: complete months are rolled up
            found = aggregate(connection, program, AS_OF, persist=True).counts
        return found[january].n, found[february].n

    def groups() -> int:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT COUNT(DISTINCT group_key) FROM rollups")
                ).scalar_one()
            )

    assert counted(helsinki) == (3, 3)
    stored = groups()
    assert counted(helsinki) == (3, 3), "read back from the rollups"
    assert counted(_in_zone(helsinki, "UTC")) == (4, 2), "the new zone's months"
    assert groups() == stored, "the old zone's rollups are gone"
    assert counted(_in_zone(helsinki, "UTC")) == (4, 2)
    engine.dispose()


def test_a_mean_of_large_values_keeps_its_interval_in_sql_and_rollups(
    db_url: str, tmp_path: Path
) -> None:
    # the shop with a mean KPI of large answers (an order value, say)
    program = yaml.safe_load((FIXTURES / "shop" / "program.yaml").read_text())
    program["kpis"].append({"id": "basket", "name": "Basket", "type": "mean", "scale": [0, 1e9]})
    program["measurement_points"].append(
        {
            "id": "mp-basket",
            "kpi": "basket",
            "journey": "order",
            "method": "transactional_survey",
            "source": "answers",
        }
    )
    program["sources"][0]["measurement_points"]["BASKET"] = "mp-basket"
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "program.yaml").write_text(yaml.safe_dump(program))
    values = [99_999_999, 100_000_000, 100_000_001] * 100
    path = tmp_path / "answers.csv"
    path.write_text(
        HEADER
        + "".join(
            f"b{i},2026-02-{1 + i % 28:02d}T12:00:00,BASKET,{v},c,,small,\n"
            for i, v in enumerate(values)
        )
    )
    api.ingest(str(folder), "answers", [str(path)], db=db_url, clock=clock)
    february = Cell("mp-basket", Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28), True), ())
    kpi = next(k for k in api.load_program(str(folder)).kpis if k.id == "basket")
    engine = open_store(db_url)
    for _ in ("counted in SQL", "read from the rollups"):
        with engine.begin() as connection:
            found = aggregate(connection, api.load_program(str(folder)), AS_OF, persist=True)
        counts = found.counts[february]
        assert counts.n == 300
        estimated = estimate(kpi, counts, 0.95)
        # statistics.stdev (exact) and cxgov.stats.t_quantile(0.975, 299), as in
        # tests/test_stats.py; plain sums in SQL gave a half-width of 0
        assert estimated.value == 1e8
        assert estimated.ci_low == pytest.approx(1e8 - 0.09292409703179441, abs=1e-7)
        assert estimated.ci_high == pytest.approx(1e8 + 0.09292409703179441, abs=1e-7)
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT DISTINCT shift FROM rollups WHERE measurement_point = 'mp-basket'")
        ).scalars()
        assert list(stored) == [99_999_999.0], "the point's first answer"
    engine.dispose()


def _shop_with_dimension(name: str, into: Path) -> Path:
    """The shop program with its `size` segment dimension renamed to `name`."""
    program = into / "shop"
    shutil.copytree(SHOP, program)
    path = program / "program.yaml"
    quoted = json.dumps(name)  # a YAML double-quoted scalar
    text = path.read_text(encoding="utf-8")
    for old, new in (
        ("segments: [size, region]", f"segments: [{quoted}, region]"),
        ("segments: [size]", f"segments: [{quoted}]"),
        ("segments: {size: company_size", f"segments: {{{quoted}: company_size"),
        ("segments: {size: size}", f"segments: {{{quoted}: size}}"),
    ):
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return program


@pytest.mark.parametrize("name", ['si"ze', "si\\ze"])
def test_a_segment_dimension_sqlite_cannot_look_up_is_refused(tmp_path: Path, name: str) -> None:
    # SQLite's JSON paths cannot name such a key: its answers would be silently dropped there
    program_dir = _shop_with_dimension(name, tmp_path)
    found = api.validate([str(program_dir)]).diagnostics
    errors = [d for d in found if d.severity.value == "error"]
    lines = [26, 27, 47, 61]  # both points, both sources
    assert [(d.code, d.line) for d in errors] == [("CXG015", line) for line in lines]
    assert all(f"segment dimension {name!r}" in d.message for d in errors)
    assert all("rename the dimension" in d.message for d in errors)
    with pytest.raises(api.InvalidProgram):
        api.load_program(str(program_dir))


@pytest.mark.parametrize("name", ["company.size", "it's", "koko (hlö)", "$[0]", "a'b[c]"])
def test_a_segment_dimension_is_found_by_any_name_the_program_accepts(
    db_url: str, tmp_path: Path, name: str
) -> None:
    program_dir = _shop_with_dimension(name, tmp_path)
    checkout, expected = _checkout_rows(random.Random(5))
    path = tmp_path / "answers.csv"
    path.write_text(HEADER + "".join(_nps_rows() + checkout))
    api.ingest(str(program_dir), "answers", [str(path)], db=db_url, clock=clock)
    program = api.load_program(str(program_dir))
    engine = open_store(db_url)
    with engine.connect() as connection:
        found = aggregate(connection, program, AS_OF)
    engine.dispose()
    for (month, size), counts in expected.items():
        start = dt.date(2026, month, 1)
        end = dt.date(2026, month + 1, 1) - dt.timedelta(days=1)
        cell = Cell("mp-checkout", Period(start, end, end < AS_OF), ((name, size),) if size else ())
        assert found.counts[cell].n == counts.n, (month, size)


def test_an_evaluation_pauses_the_cycle_collector_and_restores_it(
    db_url: str, loaded: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting, judging and reporting make a large graph of small objects without cycles:
    the collector's passes over it are paused for the evaluation, and on again after."""
    from cxgov.evaluate import run

    collecting: list[bool] = []
    judge = run.judge

    def recording(*args: Any, **kwargs: Any) -> Any:
        collecting.append(gc.isenabled())
        return judge(*args, **kwargs)

    monkeypatch.setattr(run, "judge", recording)
    assert gc.isenabled()
    api.evaluate(SHOP, as_of=AS_OF, db=db_url, out=None, dry_run=True, clock=clock)
    assert collecting == [False]
    assert gc.isenabled()
