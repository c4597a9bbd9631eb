"""Business links, with intervals and labels (key drivers: test_drivers.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from cxgov.judgement.cells import Aggregates, Cell, PeriodValue
from cxgov.judgement.periods import Period
from cxgov.judgement.voc import CxSide, GroupOutcomes, GroupsUnavailable, LinkPair
from cxgov.model import Direction
from cxgov.stats import Counts
from cxgov.voc.links import links_section
from tests.voc.programs import program, retention_records

MONTHS = [
    Period(dt.date(2025, m, 1), dt.date(2025 + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1), True)
    for m in range(1, 13)
]


def _csat(percent: int) -> Counts:
    return Counts(n=100, positives=percent)


def _links_aggregates(retention: list[float]) -> Aggregates:
    counts = {Cell("mp-checkout", p, ()): _csat(60 + 2 * i) for i, p in enumerate(MONTHS)}
    values = {
        Cell("mp-retention", p, ()): PeriodValue(v, None)
        for p, v in zip(MONTHS, retention, strict=True)
    }
    return Aggregates(counts, values, {}, {"mp-checkout": MONTHS, "mp-retention": MONTHS})


def test_a_link_contradicted_by_the_data_is_flagged() -> None:
    shop = program(links=[{"cx": "mp-checkout", "business": "retention", "expected": "positive"}])
    # CSAT rises every month while retention falls: r = −1 against an expected positive link
    (link,) = links_section(shop, _links_aggregates([90 - i for i in range(12)]))
    assert link.n == 12 and link.r == -1.0
    assert link.verdict == "contradicted"
    assert link.pairs[0] == LinkPair(MONTHS[0], cx=60.0, business=90.0)
    assert link.by_group.available is False


def test_a_negative_link_to_a_falling_outcome_is_supported_and_noise_is_inconclusive() -> None:
    shop = program(
        links=[
            {"cx": "mp-checkout", "business": "retention", "expected": "negative"},
            {"cx": "mp-checkout", "business": "retention", "expected": "positive"},
        ]
    )
    falling = links_section(shop, _links_aggregates([90 - i for i in range(12)]))
    assert falling[0].verdict == "supported"
    noise = [80, 82, 79, 81, 80, 78, 82, 80, 79, 81, 80, 79]
    assert links_section(shop, _links_aggregates(noise))[1].verdict == "inconclusive"


def test_an_objective_link_uses_the_objective_s_kpi_direction() -> None:
    shop = program(links=[{"cx": "o-nps", "business": "churn", "expected": "negative"}])
    quarters = [Period(dt.date(2025, m, 1), dt.date(2025, m, 28), True) for m in range(1, 13)]
    counts = {
        Cell("mp-nps", p, ()): Counts(n=100, promoters=40 + i, detractors=20)
        for i, p in enumerate(quarters)
    }
    values = {
        Cell("mp-churn", p, ()): PeriodValue(12.0 - 0.5 * i, None) for i, p in enumerate(quarters)
    }
    aggregates = Aggregates(counts, values, {}, {"mp-nps": quarters, "mp-churn": quarters})
    (link,) = links_section(shop, aggregates)
    assert link.side == CxSide("objective", "mp-nps", Direction.HIGHER_IS_BETTER)
    assert link.verdict == "supported"


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
