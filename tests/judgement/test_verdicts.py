"""Verdicts as pure functions: revisions and trajectories, the one-sided tests, the family
adjustment, the monitor of sustained shortfalls, pending periods and declines."""

from __future__ import annotations

import datetime as dt

import pytest

from cxgov.judgement.cells import Aggregates, Cell
from cxgov.judgement.periods import Period
from cxgov.judgement.verdicts import Result, Thresholds, Verdict, judge, thresholds_for
from cxgov.model import Adjustment, DecisionSettings, Kpi, Objective, Program
from cxgov.stats import Counts

NPS = Kpi(id="nps", name="NPS", type="nps")
EFFORT = Kpi(id="effort", name="Effort", type="mean", scale=(1, 7), direction="lower_is_better")


def period(end: dt.date) -> Period:
    return Period(end.replace(day=1), end, True)


def objective(*targets: dict[str, object], confidence: float | None = None) -> Objective:
    return Objective.model_validate(
        {
            "id": "o",
            "name": "O",
            "measurement_point": "m",
            "targets": list(targets),
            "confidence": confidence,
        }
    )


def test_the_revision_in_force_at_the_period_end_applies() -> None:
    o = objective(
        {"effective_from": dt.date(2025, 1, 1), "target": 20, "warn": 10, "fail": 0},
        {"effective_from": dt.date(2026, 3, 15), "target": 30, "warn": 20, "fail": 10},
    )
    assert thresholds_for(o, NPS, period(dt.date(2026, 2, 28))) == Thresholds(
        20, 10, 0, 0, dt.date(2025, 1, 1)
    )
    assert thresholds_for(o, NPS, period(dt.date(2026, 3, 31))).target == 30  # type: ignore[union-attr]
    assert thresholds_for(o, NPS, period(dt.date(2024, 12, 31))) is None


def test_a_trajectory_is_interpolated_at_the_period_end_with_margins() -> None:
    o = objective(
        {
            "effective_from": dt.date(2025, 1, 1),
            "trajectory": {
                "start": {"date": dt.date(2025, 1, 1), "value": 18},
                "end": {"date": dt.date(2027, 12, 31), "value": 35},
            },
            "warn_margin": 3,
            "fail_margin": 8,
        }
    )
    found = thresholds_for(o, NPS, period(dt.date(2026, 6, 30)))
    assert found is not None
    share = (dt.date(2026, 6, 30) - dt.date(2025, 1, 1)).days / (
        dt.date(2027, 12, 31) - dt.date(2025, 1, 1)
    ).days
    assert found.target == pytest.approx(18 + share * 17)
    assert (found.warn, found.fail) == (
        pytest.approx(found.target - 3),
        pytest.approx(found.target - 8),
    )
    late = thresholds_for(o, NPS, period(dt.date(2028, 6, 30)))
    assert late is not None and late.target == 35, "the line stays at its end value"


def test_lower_is_better_mirrors_the_margins_and_bands() -> None:
    o = objective(
        {
            "effective_from": dt.date(2025, 1, 1),
            "trajectory": {
                "start": {"date": dt.date(2025, 1, 1), "value": 3},
                "end": {"date": dt.date(2025, 12, 31), "value": 2},
            },
            "warn_margin": 0.5,
            "fail_margin": 1,
        }
    )
    t = thresholds_for(o, EFFORT, period(dt.date(2025, 12, 31)))
    assert t is not None and (t.target, t.warn, t.fail) == (2, 2.5, 3)


# --- verdicts through `judge`: a CSAT point, target 80 %, warn 70 %, fail 60 % -------------

AS_OF = dt.date(2026, 7, 1)


def program(**objective: object) -> Program:
    return Program.model_validate(
        {
            "program": {"id": "p", "name": "P", "decisions": objective.pop("decisions", {})},
            "journeys": [{"id": "j", "name": "J"}],
            "kpis": [
                {"id": "csat", "name": "CSAT", "type": "csat"},
                {
                    "id": "effort",
                    "name": "Effort",
                    "type": "mean",
                    "scale": [1, 7],
                    "direction": "lower_is_better",
                },
            ],
            "measurement_points": [
                {
                    "id": "m",
                    "kpi": objective.pop("kpi", "csat"),
                    "journey": "j",
                    "method": "transactional_survey",
                    "collection_lag_days": objective.pop("lag", 0),
                }
            ],
            "objectives": [
                {
                    "id": "o",
                    "name": "O",
                    "measurement_point": "m",
                    "targets": [
                        objective.pop(
                            "targets",
                            {"effective_from": "2025-01-01", "target": 80, "warn": 70, "fail": 60},
                        )
                    ],
                    **objective,
                }
            ],
        }
    )


def month(index: int, as_of: dt.date = AS_OF) -> Period:
    """Month `index` of 2026 (1 = January) as judged on `as_of`."""
    start = dt.date(2026, index, 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return Period(start, end, end < as_of)


def aggregates(months: dict[int, Counts], as_of: dt.date = AS_OF) -> Aggregates:
    series = [month(i, as_of) for i in sorted(months)]
    return Aggregates(
        counts={Cell("m", month(i, as_of), ()): c for i, c in months.items()},
        values={},
        first_data={"m": series[0].start},
        series={"m": series},
    )


def share(positives: int, n: int) -> Counts:
    return Counts(n=n, positives=positives)


def verdicts(p: Program, months: dict[int, Counts], as_of: dt.date = AS_OF) -> list[Verdict]:
    found = judge(p, aggregates(months, as_of), as_of)
    return [r.status for r in sorted(found, key=lambda r: r.period.start)]


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (share(85, 100), Verdict.ON_TARGET),
        (share(80, 100), Verdict.ON_TARGET),
        # 76 % of 50: short of 80 %, but chance explains it (exact p = 0.31)
        (share(38, 50), Verdict.WITHIN_NOISE),
        # 76 % of 2,000: short of 80 % beyond doubt, not of 70 %
        (share(1520, 2000), Verdict.BELOW_TARGET),
        (share(260, 400), Verdict.WARN),
        (share(200, 400), Verdict.FAIL),
        # 57 % of 35 is below the fail threshold, yet only the shortfall against the target is
        # established: a small sample cannot call a fail
        (share(20, 35), Verdict.BELOW_TARGET),
        (share(20, 29), Verdict.INSUFFICIENT_SAMPLE),
    ],
)
def test_a_verdict_says_where_the_value_stands_and_whether_the_data_can_tell(
    counts: Counts, expected: Verdict
) -> None:
    assert verdicts(program(), {5: counts}) == [expected]


def test_a_value_below_target_is_never_on_target() -> None:
    for positives in range(30, 40):
        [status] = verdicts(program(), {5: share(positives, 50)})
        assert status is not Verdict.ON_TARGET, positives


def test_rule_point_judges_the_value_alone() -> None:
    p = program(rule="point")
    assert verdicts(p, {5: share(38, 50)}) == [Verdict.BELOW_TARGET]
    assert verdicts(p, {5: share(20, 35)}) == [Verdict.FAIL]
    [result] = judge(p, aggregates({5: share(20, 35)}), AS_OF)
    assert result.rule == "point" and result.evidence is not None
    assert result.evidence.p_value is not None, "the test is still reported"


def test_a_mean_where_lower_is_better_is_mirrored() -> None:
    p = program(
        kpi="effort",
        targets={"effective_from": "2025-01-01", "target": 2, "warn": 2.5, "fail": 3},
    )
    # 100 answers, mean 2.9, SD 1: beyond the warn threshold (t = 4), not the fail one
    n, mean, sd = 100, 2.9, 1.0
    counts = Counts(n=n, shifted_sum=n * mean, shifted_sumsq=(n - 1) * sd**2 + n * mean**2)
    assert verdicts(p, {5: counts}) == [Verdict.WARN]
    counts = Counts(n=n, shifted_sum=n * 1.9, shifted_sumsq=(n - 1) * sd**2 + n * 1.9**2)
    assert verdicts(p, {5: counts}) == [Verdict.ON_TARGET]


def test_a_period_still_collecting_answers_is_pending_until_its_lag_has_passed() -> None:
    thin = share(10, 12)
    # June is running on 2026-06-20: pending, not insufficient_sample
    assert verdicts(program(), {5: share(90, 100), 6: thin}, dt.date(2026, 6, 20))[-1] is (
        Verdict.PENDING
    )
    # a finished June with a 10-day collection lag is pending until 10 July
    lagged = program(lag=10)
    assert verdicts(lagged, {6: thin}, dt.date(2026, 7, 5)) == [Verdict.PENDING]
    assert verdicts(lagged, {6: thin}, dt.date(2026, 7, 11)) == [Verdict.INSUFFICIENT_SAMPLE]
    assert verdicts(program(), {6: thin}, dt.date(2026, 7, 5)) == [Verdict.INSUFFICIENT_SAMPLE]


def test_a_shortfall_no_single_period_establishes_is_found_when_it_persists() -> None:
    # 229 of 300 (76.3 %) each month against 80 %: z ≈ 1.6 a month, never established alone
    months = {i: share(229, 300) for i in range(1, 7)}
    statuses = verdicts(program(), months)
    assert statuses[0] is Verdict.WITHIN_NOISE
    assert Verdict.BELOW_TARGET in statuses, statuses
    first = statuses.index(Verdict.BELOW_TARGET)
    results = sorted(judge(program(), aggregates(months), AS_OF), key=lambda r: r.period.start)
    assert results[first].evidence is not None and results[first].evidence.sustained >= 2
    # the same months in a program that sets a longer in-control run length alarm later
    strict = program(decisions={"run_length": 5000})
    later = verdicts(strict, months)
    assert later.count(Verdict.BELOW_TARGET) <= statuses.count(Verdict.BELOW_TARGET)


def test_on_target_months_never_trip_the_monitor() -> None:
    months = {i: share(241, 300) for i in range(1, 7)}
    assert set(verdicts(program(), months)) == {Verdict.ON_TARGET}


def test_a_decline_needs_min_sample_on_both_sides_and_is_adjusted_for_two_comparisons() -> None:
    p = program()
    # 1 of 1 satisfied, then 0 of 40: too few answers before to call a fall
    [_, thin] = sorted(judge(p, aggregates({4: share(1, 1), 5: share(0, 40)}), AS_OF), key=_start)
    assert not thin.trend.decline
    # 90 % of 200, then 80 % of 200: a fall of 10 points, established
    [_, fell] = sorted(
        judge(p, aggregates({4: share(180, 200), 5: share(160, 200)}), AS_OF), key=_start
    )
    assert fell.trend.decline and fell.status is Verdict.ON_TARGET
    # 85 % then 80 %: one-sided p ≈ 0.09 before the adjustment: no decline
    [_, steady] = sorted(
        judge(p, aggregates({4: share(170, 200), 5: share(160, 200)}), AS_OF), key=_start
    )
    assert not steady.trend.decline


def _start(r: Result) -> dt.date:
    return r.period.start


def test_the_family_of_a_period_shares_the_error_rate() -> None:
    """One borderline shortfall among twenty objectives of one period: established alone or
    with `adjustment: none`, within noise under Benjamini–Hochberg (and Holm)."""
    base = program()
    borderline = base.objectives[0]
    easy = borderline.model_copy(
        update={"targets": (borderline.targets[0].model_copy(update={"target": 60}),)}
    )
    others = [easy.model_copy(update={"id": f"easy{i}"}) for i in range(19)]

    def status_of(objectives: list[Objective], adjustment: Adjustment) -> Verdict:
        settings = DecisionSettings(adjustment=adjustment)
        p = base.model_copy(
            update={
                "objectives": tuple(objectives),
                "program": base.program.model_copy(update={"decisions": settings}),
            }
        )
        # 148 of 200 (74 %) against 80 %: exact one-sided p = 0.024
        found = judge(p, aggregates({5: share(148, 200)}), AS_OF)
        return next(r.status for r in found if r.objective.id == "o")

    assert status_of([borderline], Adjustment.BENJAMINI_HOCHBERG) is Verdict.BELOW_TARGET
    assert status_of([borderline, *others], Adjustment.NONE) is Verdict.BELOW_TARGET
    assert status_of([borderline, *others], Adjustment.BENJAMINI_HOCHBERG) is Verdict.WITHIN_NOISE
    assert status_of([borderline, *others], Adjustment.HOLM) is Verdict.WITHIN_NOISE
