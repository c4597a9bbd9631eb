"""Drivers of the relationship NPS and business links, with intervals and labels."""

from __future__ import annotations

import datetime as dt

import pytest

from cxgov.judgement.cells import Aggregates, Cell, PeriodValue
from cxgov.judgement.periods import Period
from cxgov.judgement.voc import CxSide, GroupOutcomes, GroupsUnavailable, LinkPair, ThemeDriver
from cxgov.model import Direction
from cxgov.stats import Counts, pearson
from cxgov.voc.drivers import drivers_section
from cxgov.voc.links import links_section
from tests.voc.programs import answer, comment, program, retention_records

MONTHS = [
    Period(dt.date(2025, m, 1), dt.date(2025 + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1), True)
    for m in range(1, 13)
]


STEPS = [3, -2, 4, -1, -3, 2, 5, -4, 1, -2, 3]
"""Irregular month-to-month changes of the CX side (a CSAT %)."""


def _csat_levels(steps: list[int] = STEPS) -> list[int]:
    levels = [60]
    for step in steps:
        levels.append(levels[-1] + step)
    return levels


def _links_aggregates(retention: list[float], csat: list[int] | None = None) -> Aggregates:
    levels = csat if csat is not None else _csat_levels()
    months = MONTHS[: len(retention)]
    counts = {
        Cell("mp-checkout", p, ()): Counts(n=100, positives=v)
        for p, v in zip(months, levels, strict=False)
    }
    values = {
        Cell("mp-retention", p, ()): PeriodValue(v, None)
        for p, v in zip(months, retention, strict=True)
    }
    return Aggregates(counts, values, {}, {"mp-checkout": months, "mp-retention": months})


def test_a_link_contradicted_by_the_changes_is_flagged() -> None:
    shop = program(links=[{"cx": "mp-checkout", "business": "retention", "expected": "positive"}])
    # every month retention moves against CSAT, by half as much: the changes correlate at −1
    retention = [90 - 0.5 * (v - 60) for v in _csat_levels()]
    (link,) = links_section(shop, _links_aggregates(retention))
    assert (link.n, link.r, link.method) == (12, -1.0, "changes")
    assert link.verdict == "contradicted"
    assert link.pairs[0] == LinkPair(MONTHS[0], cx=60.0, business=90.0)
    assert link.by_group.available is False


def test_two_trends_that_merely_coincide_support_no_link() -> None:
    shop = program(
        links=[
            {"cx": "mp-checkout", "business": "retention", "expected": "negative"},
            {"cx": "mp-checkout", "business": "retention", "expected": "positive"},
        ]
    )
    # CSAT climbs by 2 a month with its own wobble; retention slides by 1 a month with another:
    # the levels correlate at r < −0.9, the changes hardly at all
    csat = [60 + 2 * i + (1 if i % 3 == 0 else -1) for i in range(12)]
    retention = [90 - i + (0.5 if i % 2 else -0.5) for i in range(12)]
    levels = pearson([float(c) for c in csat], retention)
    assert levels.r is not None and levels.r < -0.9 and levels.p_value is not None
    assert levels.p_value < 0.001
    found = links_section(shop, _links_aggregates(retention, csat))
    assert [link.verdict for link in found] == ["inconclusive", "inconclusive"]
    assert found[0].p_value is not None and found[0].p_value > 0.05


def test_a_negative_link_follows_the_changes_and_adjusts_across_links() -> None:
    shop = program(
        links=[
            {"cx": "mp-checkout", "business": "retention", "expected": "negative"},
            {"cx": "mp-checkout", "business": "retention", "expected": "positive"},
        ]
    )
    wobble = [0.1, -0.2, 0.0, 0.2, -0.1, 0.1, 0.0, -0.2, 0.1, 0.2, -0.1, 0.0]
    falling = [80 - 0.3 * (v - 60) + w for v, w in zip(_csat_levels(), wobble, strict=True)]
    negative, positive = links_section(shop, _links_aggregates(falling))
    assert negative.verdict == "supported" and positive.verdict == "contradicted"
    # two links of one run: Benjamini–Hochberg with equal p-values leaves them as they are
    assert negative.p_adjusted == negative.p_value
    assert negative.n_effective is not None and 3 < negative.n_effective <= 11


def test_fewer_than_twelve_periods_are_not_enough() -> None:
    shop = program(links=[{"cx": "mp-checkout", "business": "retention", "expected": "positive"}])
    retention = [90 - 0.5 * (v - 60) for v in _csat_levels()][:11]
    (link,) = links_section(shop, _links_aggregates(retention))
    assert (link.n, link.r, link.verdict) == (11, None, "not_estimable")
    assert link.reason is not None and link.reason.startswith("not enough periods: 11")


def test_an_objective_link_uses_the_objective_s_kpi_direction() -> None:
    shop = program(links=[{"cx": "o-nps", "business": "churn", "expected": "negative"}])
    months = [Period(dt.date(2025, m, 1), dt.date(2025, m, 28), True) for m in range(1, 13)]
    promoters = [40 + v - 60 for v in _csat_levels()]
    counts = {
        Cell("mp-nps", p, ()): Counts(n=100, promoters=promoters[i], detractors=20)
        for i, p in enumerate(months)
    }
    values = {
        Cell("mp-churn", p, ()): PeriodValue(12.0 - 0.5 * (promoters[i] - 40), None)
        for i, p in enumerate(months)
    }
    aggregates = Aggregates(counts, values, {}, {"mp-nps": months, "mp-churn": months})
    (link,) = links_section(shop, aggregates)
    assert link.side == CxSide("objective", "mp-nps", Direction.HIGHER_IS_BETTER)
    assert link.verdict == "supported"


def test_drivers_are_related_over_respondents_with_intervals_and_labels() -> None:
    shop = program()
    answers = []
    for i in range(12):
        nps, csat = (10, 5) if i % 2 else (3, 2)
        day = dt.date(2025, 11, 1 + i)
        answers.append(answer(f"c{i}", f"n{i}", "mp-nps", day, nps))
        answers.append(answer(f"c{i}", f"t{i}", "mp-checkout", day, csat))
        # delivery answers unrelated to the NPS
        answers.append(answer(f"c{i}", f"d{i}", "mp-delivery", day, 5 if i % 4 < 2 else 2))
    comments = [
        comment("mp-nps", dt.date(2025, 11, 1 + i), v, "x", {"late": "late*"} if v < 7 else {})
        for i, v in enumerate([3, 10, 2, 9, 10, 9, 4, 10, 9, 5, 9, 10])
    ]
    quarter = Period(dt.date(2025, 10, 1), dt.date(2025, 12, 31), True)
    aggregates = Aggregates({}, {}, {}, {"mp-nps": [quarter]})
    (journey,) = drivers_section(shop, answers, comments, aggregates)
    found = {d.driver: d for d in journey.drivers}
    assert journey.relationship_point == "mp-nps"
    checkout = found["mp-checkout"]
    assert (checkout.basis, checkout.n, checkout.r) == ("respondents", 12, 1.0)
    assert checkout.label == "positive"
    delivery = found["mp-delivery"]
    assert delivery.label == "interval_includes_zero"
    assert delivery.ci_low is not None and delivery.ci_high is not None
    assert delivery.ci_low < 0 < delivery.ci_high
    assert isinstance(found["late"], ThemeDriver) and found["late"].label == "negative"
    assert found["price"].label == "not_estimable"  # no comment mentions the price
    strengths = [abs(d.r) for d in journey.drivers if d.r is not None]
    assert strengths == sorted(strengths, reverse=True)


def test_retention_by_respondent_group_where_customer_keys_allow() -> None:
    shop = program(links=[{"cx": "mp-nps", "business": "retention", "expected": "positive"}])
    aggregates = Aggregates({}, {}, {}, {})
    (link,) = links_section(shop, aggregates, retention_records())
    outcomes = link.by_group
    assert isinstance(outcomes, GroupOutcomes) and outcomes.available is True
    assert outcomes.basis == "customers"
    groups = {g.group: g for g in outcomes.groups}
    # promoters c1 (mean of 100, 100) and c2 (80): 90 ± t(0.975, 1)·√(200/2)
    assert (groups["promoters"].customers, groups["promoters"].mean) == (2, 90.0)
    assert groups["promoters"].ci_low == pytest.approx(90 - 12.7062 * 10, abs=1e-3)
    assert (groups["passives"].customers, groups["passives"].mean) == (1, 70.0)
    assert groups["passives"].ci_low is None  # one customer has no interval
    assert (groups["detractors"].customers, groups["detractors"].mean) == (2, 30.0)
    # Welch: SE = √(200/2 + 200/2), df = 2, t(0.975, 2) = 4.30265
    difference = outcomes.difference
    assert difference.between == ("promoters", "detractors") and difference.delta == 60.0
    half = 4.302653 * 200**0.5
    assert difference.ci_low == pytest.approx(60 - half, abs=1e-3)
    assert difference.ci_high == pytest.approx(60 + half, abs=1e-3)


def test_by_group_says_why_it_is_unavailable() -> None:
    shop = program(
        links=[
            {"cx": "mp-nps", "business": "retention", "expected": "positive"},
            {"cx": "o-nps", "business": "churn", "expected": "negative"},
        ]
    )
    retention, churn = links_section(shop, Aggregates({}, {}, {}, {}), [])
    assert retention.by_group == GroupsUnavailable(
        code="no_customer_records",
        reason="no business records with customer keys: business KPI values delivered per "
        "period (--kpi-values) carry none",
    )
    assert churn.by_group.available is False


def test_changes_that_never_vary_are_not_estimable_and_say_why() -> None:
    shop = program(links=[{"cx": "mp-checkout", "business": "retention", "expected": "positive"}])
    # two perfectly straight lines: every change is the same, so nothing can be correlated
    (link,) = links_section(
        shop, _links_aggregates([90 - i for i in range(12)], [60 + 2 * i for i in range(12)])
    )
    assert (link.n, link.r, link.verdict) == (12, None, "not_estimable")
    assert link.reason == "12 periods pair up, but one side does not change from period to period"
