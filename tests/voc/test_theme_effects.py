"""Theme effects decided as a family: a minimum group on each side, the exact permutation test
for small groups, and Benjamini–Hochberg across every theme × point × period of the report; and
the coverage words counted from redacted text only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cxgov.judgement.kpi import counts_of, respondent_score
from cxgov.judgement.voc import (
    Coverage,
    ThemePeriod,
    ThemeReport,
    ThemeSection,
    _link,
    _themes,
    _themes_json,
)
from cxgov.model import Kpi
from cxgov.redaction import redact
from cxgov.stats import benjamini_hochberg, exact_permutation_p, nps_change_adjusted
from cxgov.voc.records import Comment
from cxgov.voc.themes import coverage, theme_section
from tests.voc.programs import comment, program

AS_OF = dt.date(2025, 6, 1)
PROMOTER, PASSIVE, DETRACTOR = 10, 8, 2


def _month(month: int, with_theme: list[int], without: list[int]) -> list[Comment]:
    day = dt.date(2025, month, 10)
    return [
        comment("mp-nps", day, v, "late again", {"late": "late*"}, number=month * 10_000 + i)
        for i, v in enumerate(with_theme)
    ] + [
        comment("mp-nps", day, v, "fine", {}, number=month * 10_000 + 5_000 + i)
        for i, v in enumerate(without)
    ]


def _comments() -> list[Comment]:
    return [
        # January: NPS 0 against 37.5 in groups of 40 and 80; p = 0.04 alone
        *_month(1, [DETRACTOR] * 20 + [PROMOTER] * 20, [PROMOTER] * 50 + [PASSIVE] * 10 + [3] * 20),
        # February and March: no real difference
        *_month(
            2,
            [DETRACTOR] * 15 + [PASSIVE] * 5 + [PROMOTER] * 20,
            [PROMOTER] * 45 + [PASSIVE] * 15 + [3] * 20,
        ),
        *_month(3, [3] * 10 + [PROMOTER] * 30, [PROMOTER] * 60 + [3] * 20),
        # April: 25 answers with the theme, nearly all detractors: the exact test
        *_month(4, [DETRACTOR] * 22 + [PROMOTER] * 3, [PROMOTER] * 60 + [DETRACTOR] * 20),
        # May: 12 answers with the theme, below the minimum of 20
        *_month(5, [DETRACTOR] * 12, [PROMOTER] * 60),
    ]


def _periods(section: tuple[ThemeReport, ...]) -> list[ThemePeriod]:
    late = next(t for t in section if t.id == "late")
    (point,) = late.points
    return list(point.periods)


def _program(**decisions: Any) -> Any:
    header = {
        "id": "shop",
        "name": "Shop",
        "language": "en",
        "timezone": "UTC",
        "cx_owner": "cx",
        "sponsor": "cx",
        "decisions": decisions,
    }
    return program(program=header)


def test_each_impact_is_decided_within_the_report_s_family() -> None:
    section, decisions = theme_section(_program(), _comments(), AS_OF, redact=str)
    jan, feb, mar, apr, may = _periods(section)
    assert [p.impact.test for p in (jan, feb, mar, apr, may)] == [
        "adjusted_wald",
        "adjusted_wald",
        "adjusted_wald",
        "permutation",
        None,
    ]
    tested = [jan, feb, mar, apr]
    raw = [p.impact.difference.p_value for p in tested]  # type: ignore[union-attr]
    assert [p.impact.p_adjusted for p in tested] == pytest.approx(
        benjamini_hochberg(raw),
        abs=1e-4,  # type: ignore[arg-type]
    )
    # January alone would pass at 5 %; among four comparisons it does not
    assert jan.impact.difference is not None and jan.impact.difference.p_value is not None
    assert jan.impact.difference.p_value < 0.05 < (jan.impact.p_adjusted or 0)
    assert jan.impact.effect == "no_clear_difference"
    assert jan.impact.difference.significant is False
    assert apr.impact.effect == "lowers_kpi" and apr.impact.difference is not None
    assert apr.impact.difference.significant is True
    assert may.impact.effect == "too_few_answers" and may.impact.p_adjusted is None
    assert (decisions.comparisons, decisions.labelled, decisions.min_group) == (4, 1, 20)
    assert (decisions.error_rate, decisions.adjustment) == (0.05, "benjamini_hochberg")


def test_the_minimum_group_and_the_error_rate_are_the_program_s() -> None:
    section, decisions = theme_section(
        _program(min_theme_group=10, error_rate=0.2, adjustment="none"),
        _comments(),
        AS_OF,
        redact=str,
    )
    jan, *_, may = _periods(section)
    assert may.impact.test == "permutation" and may.impact.effect == "lowers_kpi"
    assert jan.impact.effect == "lowers_kpi", "unadjusted at 20 %, January's p = 0.04 passes"
    assert decisions.comparisons == 5


def test_the_permutation_test_is_far_less_sure_than_the_normal_approximation() -> None:
    # 8 answers with a theme among 39, the size of a published classroom NPS exercise: even the
    # adjusted Wald difference calls it at p = 0.04 where the exact test says 0.06
    with_theme = [DETRACTOR] * 5 + [PASSIVE] * 2 + [PROMOTER]
    without = [PROMOTER] * 14 + [PASSIVE] * 9 + [DETRACTOR] * 8
    section, _ = theme_section(
        _program(min_theme_group=10), _month(1, with_theme, without), AS_OF, redact=str
    )
    (jan,) = _periods(section)
    assert jan.impact.effect == "too_few_answers", "8 answers: below any allowed minimum"

    nps = Kpi.model_validate({"id": "nps", "name": "NPS", "type": "nps"})
    exact = exact_permutation_p(
        [respondent_score(nps, v) for v in with_theme], [respondent_score(nps, v) for v in without]
    )
    wald = nps_change_adjusted(counts_of(nps, without), counts_of(nps, with_theme))
    assert wald is not None and wald.p_value is not None
    assert wald.p_value == pytest.approx(0.0403, abs=1e-4)
    assert exact == pytest.approx(0.0611, abs=1e-4)


def test_coverage_words_come_from_redacted_comments() -> None:
    shop = program()
    texts = [
        "Mail matti.meikalainen@example.fi about the invoice please",
        "My hetu 131052-308T was asked about the invoice",
        "Call 040 123 4567 about the invoice",
    ]
    comments = [
        comment("mp-checkout", dt.date(2025, 5, 2), 5, text, {}, number=i)
        for i, text in enumerate(texts)
    ]
    found = coverage(shop, comments, redact=redact)
    words = {w.word for w in found.frequent_words}
    assert "invoice" in words
    for fragment in ("matti", "meikalainen", "example", "131052", "308t", "040", "4567"):
        assert fragment not in words
    assert "redacted" not in words, "the mark redaction leaves is not a customer's word"


def test_below_the_minimum_nothing_is_significant() -> None:
    section, _ = theme_section(_program(), _comments(), AS_OF, redact=str)
    may = _periods(section)[-1]
    assert may.impact.difference is not None and may.impact.difference.p_value is not None
    assert may.impact.difference.p_value < 0.001, "12 detractors against 60 promoters"
    assert may.impact.difference.significant is False and may.impact.effect == "too_few_answers"


def test_runs_recorded_before_the_decisions_still_read() -> None:
    section, decisions = theme_section(_program(), _comments(), AS_OF, redact=str)
    body = _themes_json(
        ThemeSection("hash", 1, 0, section, Coverage(0, 0, None, (), ()), decisions)
    )
    del body["decisions"]
    for theme in body["themes"]:
        for point in theme["points"]:
            for period in point["periods"]:
                del period["impact"]["test"], period["impact"]["p_adjusted"]
    old = _themes(body)
    assert old.decisions is None
    assert all(
        row.impact.test is None and row.impact.p_adjusted is None
        for theme in old.themes
        for point in theme.points
        for row in point.periods
    )
    link = _link(
        {
            "cx": "mp-checkout",
            "business": "retention",
            "expected": "positive",
            "by_group": {"available": False, "code": "no_points", "reason": "…"},
            "n": 12,
            "r": 0.5,
            "ci_low": -0.1,
            "ci_high": 0.8,
            "p_value": 0.1,
            "verdict": "inconclusive",
            "pairs": [],
        }
    )
    assert (link.method, link.n_effective, link.p_adjusted) == ("levels", None, None)
