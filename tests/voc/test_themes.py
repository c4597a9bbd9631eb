"""Theme statistics, coverage and theme-share objectives on a hand-checked comment set."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from cxgov.judgement.cells import Aggregates
from cxgov.judgement.periods import Period, periods
from cxgov.judgement.verdicts import judge
from cxgov.judgement.voc import (
    CoOccurrence,
    Example,
    FrequentWord,
    KpiAmong,
    ThemePoint,
    ThemeReport,
)
from cxgov.model import Objective, Window
from cxgov.voc.evidence import Evidence, add_theme_shares
from cxgov.voc.themes import coverage, theme_section, theme_shares
from tests.voc.programs import comment, program

JAN, FEB = dt.date(2026, 1, 10), dt.date(2026, 2, 10)
AS_OF = dt.date(2026, 3, 1)
LATE = {"late": "late*"}


def _comments() -> list:  # type: ignore[type-arg]
    rows = [
        ("mp-delivery", JAN, 1, "Late delivery", LATE),
        ("mp-delivery", JAN, 2, "Delivery late again", LATE),
        ("mp-delivery", JAN, 5, "Fine service and friendly driver", {}),
        ("mp-delivery", JAN, 4, "The service was fine", {}),
        ("mp-delivery", FEB, 2, "Late again, call me 555-1234", LATE),
        ("mp-delivery", FEB, 5, "friendly driver", {}),
        ("mp-delivery", FEB, 5, "price was ok", {"price": "price*"}),
        ("mp-delivery", FEB, 4, "Service fine", {}),
        ("mp-delivery", FEB, 3, "ok", {}),
        ("mp-nps", FEB, 3, "Late and pricey", {"late": "late*", "price": "price*"}),
        ("mp-nps", FEB, 6, "Price too high", {"price": "price*"}),
        ("mp-nps", FEB, 10, "Great people", {}),
    ]
    return [
        comment(point, day, value, text, tags, number=i)
        for i, (point, day, value, text, tags) in enumerate(rows)
    ]


def _redact(text: str) -> str:
    return text.replace("555-1234", "[redacted]")


def _entry(section: tuple[ThemeReport, ...], theme: str, point: str) -> ThemePoint:
    found = next(t for t in section if t.id == theme)
    return next(p for p in found.points if p.measurement_point == point)


def test_mentions_share_and_its_change_per_period() -> None:
    section, _ = theme_section(program(), _comments(), AS_OF, redact=_redact)
    jan, feb = _entry(section, "late", "mp-delivery").periods
    assert (jan.mentions, jan.comments, jan.share) == (2, 4, 50.0)
    assert (feb.mentions, feb.comments, feb.share) == (1, 5, 20.0)
    assert jan.period == Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31), True)
    assert jan.change is None and feb.change is not None
    # pooled p̄ = 3/9: SE₀ = √(⅓·⅔·(¼ + ⅕)) = √0.1; z = 0.3/√0.1
    p_value = 2 * (1 - 0.5 * (1 + math.erf(0.3 / math.sqrt(0.1) / math.sqrt(2))))
    assert feb.change.delta == pytest.approx(-30.0)
    assert feb.change.p_value == pytest.approx(p_value, abs=1e-4)
    assert feb.change.significant is False


def test_impact_compares_the_kpi_with_and_without_the_theme() -> None:
    section, _ = theme_section(program(), _comments(), AS_OF, redact=_redact)
    feb = _entry(section, "late", "mp-delivery").periods[1]
    impact = feb.impact
    # CSAT positives are 4–5: with the theme [2] → 0 %; without [5, 5, 4, 3] → 75 %
    assert impact.with_theme == KpiAmong(value=0.0, n=1)
    assert impact.without_theme == KpiAmong(value=75.0, n=4)
    assert impact.difference is not None
    assert impact.difference.delta == pytest.approx(-75.0)
    assert impact.effect == "too_few_answers", "one answer with the theme is too few"
    assert impact.test is None and impact.p_adjusted is None


def test_themes_are_read_only_from_the_points_of_their_kpis() -> None:
    section, _ = theme_section(program(), _comments(), AS_OF, redact=_redact)
    price = next(t for t in section if t.id == "price")
    assert [p.measurement_point for p in price.points] == ["mp-nps"]


def test_co_occurring_themes_and_redacted_examples_of_the_newest_period() -> None:
    section, _ = theme_section(program(), _comments(), AS_OF, redact=_redact)
    price_nps = _entry(section, "price", "mp-nps").periods[0]
    assert price_nps.co_occurs == (CoOccurrence("late", "Late", mentions=1, share=50.0),)
    jan, feb = _entry(section, "late", "mp-delivery").periods
    assert jan.examples == ()
    assert feb.examples == (Example("Late again, call me [redacted]", pattern="late*"),)


def test_coverage_counts_untagged_comments_and_their_words_without_stop_words() -> None:
    found = coverage(program(), _comments(), redact=_redact)
    # "price was ok" is tagged only by a theme that does not apply at mp-delivery
    assert (found.comments, found.untagged) == (12, 7)
    assert found.untagged_share == pytest.approx(100 * 7 / 12, abs=1e-4)
    assert found.frequent_words[:5] == (
        FrequentWord("fine", 3),
        FrequentWord("service", 3),
        FrequentWord("driver", 2),
        FrequentWord("friendly", 2),
        FrequentWord("ok", 2),
    )
    assert not {"the", "and", "was"} & {w.word for w in found.frequent_words}


def test_a_theme_share_objective_is_judged_lower_is_better() -> None:
    objective = {
        "id": "o-late",
        "name": "Late deliveries rarely mentioned",
        "measurement_point": "mp-delivery",
        "theme": "late",
        "targets": [{"effective_from": "2025-01-01", "target": 10, "warn": 30, "fail": 40}],
    }
    tested = program(objectives=[objective])
    series = {"mp-delivery": periods(Window(calendar="month"), JAN, AS_OF)[:2]}
    aggregates = Aggregates({}, {}, {}, series)
    add_theme_shares(tested, Evidence("h", _comments(), []), aggregates, AS_OF)
    # four and five comments cannot establish a shortfall at the program's error rate
    assert [r.status.value for r in judge(tested, aggregates, AS_OF)] == [
        "within_noise",
        "within_noise",
    ]
    shop = program(objectives=[{**objective, "rule": "point"}])
    series = {"mp-delivery": periods(Window(calendar="month"), JAN, AS_OF)[:2]}
    aggregates = Aggregates({}, {}, {}, series)
    add_theme_shares(shop, Evidence("h", _comments(), []), aggregates, AS_OF)
    results = judge(shop, aggregates, AS_OF)
    found = [(r.estimate.value, r.estimate.n, r.status.value) for r in results]
    # January 2 of 4 comments (50 % > fail 40), February 1 of 5 (20 %: above the target of
    # 10 %, below the warn threshold of 30 %)
    assert found == [(50.0, 4, "fail"), (20.0, 5, "below_target")]
    assert results[0].kpi.direction.value == "lower_is_better"
    assert results[1].trend.previous is not None
    assert results[1].trend.previous.delta == pytest.approx(-30.0)


def test_a_praise_theme_objective_can_be_higher_is_better() -> None:
    objective = Objective.model_validate(
        {
            "id": "o-late",
            "name": "x",
            "measurement_point": "mp-delivery",
            "theme": "late",
            "direction": "higher_is_better",
            "rule": "point",
            "targets": [{"effective_from": "2025-01-01", "target": 60, "warn": 45, "fail": 30}],
        }
    )
    shop = program(objectives=[objective.model_dump(mode="json", exclude_none=True)])
    series = {"mp-delivery": periods(Window(calendar="month"), JAN, AS_OF)[:2]}
    aggregates = Aggregates({}, {}, {}, series)
    add_theme_shares(shop, Evidence("h", _comments(), []), aggregates, AS_OF)
    # 50 % is short of 60 % but above the warn threshold; 20 % is below the fail threshold
    assert [r.status.value for r in judge(shop, aggregates, AS_OF)] == ["below_target", "fail"]


def test_theme_shares_count_only_the_objective_s_segment() -> None:
    objective = {
        "id": "o-late-large",
        "name": "x",
        "measurement_point": "mp-delivery",
        "theme": "late",
        "segment": {"size": "large"},
        "targets": [{"effective_from": "2025-01-01", "target": 10}],
    }
    shop = program(objectives=[objective])
    comments = [
        comment("mp-delivery", FEB, 2, "late", LATE, number=1, segments={"size": "large"}),
        comment("mp-delivery", FEB, 5, "fine", {}, number=2, segments={"size": "large"}),
        comment("mp-delivery", FEB, 2, "late", LATE, number=3, segments={"size": "small"}),
    ]
    found = theme_shares(shop, comments, AS_OF)
    ((key, share),) = found.items()
    assert key[0:2] == ("late", "mp-delivery") and key[3] == (("size", "large"),)
    assert (share.mentions, share.comments) == (1, 2)


def test_a_comment_on_several_answers_of_one_response_counts_once_overall() -> None:
    # a wide row's comment is stored with each rating column's answer
    rows = [
        ("mp-nps", 9, "Price was fine", {"price": "price*"}),
        ("mp-checkout", 5, "Price was fine", {"price": "price*"}),
        ("mp-delivery", 2, "Price was fine", {"price": "price*"}),
    ]
    wide = [
        comment(point, FEB, value, text, tags, number=i, response="w1")
        for i, (point, value, text, tags) in enumerate(rows)
    ]
    other = comment("mp-delivery", FEB, 4, "Fine", {}, number=9, response="w2")
    found = coverage(program(), [*wide, other], redact=_redact)
    # price applies at mp-nps only: untagged at the two CSAT points, tagged overall
    assert (found.comments, found.untagged) == (2, 1)
    assert [(p.measurement_point, p.comments, p.untagged) for p in found.points] == [
        ("mp-checkout", 1, 1),
        ("mp-delivery", 2, 2),
        ("mp-nps", 1, 0),
    ]
    assert found.frequent_words == (FrequentWord("fine", 1),)
