"""Key drivers over respondents: answers joined per customer (or per response without a
customer key) in the database, Johnson's relative weights with bootstrap intervals."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from cxgov.judgement.periods import Period
from cxgov.judgement.voc import Coverage, DriversOfJourney, Fatigue, ThemeSection, VocSections
from cxgov.model import Program
from cxgov.store.respondents import RespondentScores, respondent_scores
from cxgov.voc.drivers import (
    MAX_RESPONDENTS,
    MIN_RESPONDENTS,
    driver_window,
    drivers_section,
    models,
    scoring,
)
from cxgov.voc.evidence import markdown
from cxgov.voc.records import Answer, Comment
from tests.voc.programs import answer, comment, program
from tests.voc.stored import stored

AS_OF = dt.date(2026, 3, 1)


def _scores(url: str, shop: Program, answers: list[Answer]) -> dict[str, RespondentScores]:
    start, end = driver_window(AS_OF)
    bounds = Period(start, end, False).utc_bounds(ZoneInfo("UTC"))
    with stored(url, answers) as connection:
        return {
            m.anchor.id: respondent_scores(
                connection,
                "shop",
                (m.anchor.id, scoring(m.kpi)),
                {p.id: scoring(k) for p, k in m.touchpoints},
                start=bounds[0],
                before=bounds[1],
                limit=MAX_RESPONDENTS,
            )
            for m in models(shop)
        }


def _drivers(
    url: str, shop: Program, answers: list[Answer], comments: Sequence[Comment] = ()
) -> tuple[DriversOfJourney, ...]:
    return drivers_section(shop, _scores(url, shop, answers), comments, AS_OF)


def _planted(customers: int, *, keyed: bool = True) -> list[Answer]:
    """NPS follows the checkout rating (CSAT 1..5); the delivery rating is noise."""
    rng = random.Random(7)
    found = []
    for c in range(customers):
        checkout = rng.randint(1, 5)
        delivery = rng.randint(1, 5)
        nps = 10 if checkout >= 4 else 8 if checkout == 3 else rng.randint(0, 6)
        customer = f"k{c:04d}" if keyed else ""
        day = dt.date(2026, 1, 1) + dt.timedelta(days=c % 50)
        # keyed: three questionnaires of one customer; unkeyed: one questionnaire
        surveys = (f"n{c}", f"c{c}", f"d{c}") if keyed else (f"q{c}",) * 3
        found += [
            answer(customer, surveys[0], "mp-nps", day, nps),
            answer(customer, surveys[1], "mp-checkout", day, checkout),
            answer(customer, surveys[2], "mp-delivery", day, delivery),
        ]
    return found


def test_the_touchpoint_that_explains_nps_weighs_most(db_url: str) -> None:
    (journey,) = _drivers(db_url, program(), _planted(300))
    assert journey.status == "ranked"
    assert journey.respondents == journey.n == 300
    first, second = journey.drivers[:2]
    assert first.driver == "mp-checkout" and first.label == "important"
    assert first.weight is not None and first.share is not None and first.share > 90
    assert first.ci_low is not None and first.ci_high is not None
    assert first.ci_low <= first.weight <= first.ci_high
    assert second.driver == "mp-delivery" and second.label == "interval_includes_zero"
    assert second.excess_low is not None and second.excess_high is not None
    assert second.excess_low < 0 < second.excess_high
    assert journey.r_squared is not None and journey.r_squared > 0.5
    assert journey.r_squared_low is not None and journey.r_squared_high is not None
    assert journey.r_squared_low < journey.r_squared < journey.r_squared_high
    # performance: the % satisfied (4–5 on 1..5) of the model's respondents
    assert first.performance is not None and 0 < first.performance < 100
    assert journey.comparisons == 2 and journey.resamples > 0
    # themes mentioned by nobody stay out of the model, and say so
    assert {d.driver: d.label for d in journey.drivers[2:]} == {
        "late": "not_in_model",
        "price": "not_in_model",
    }


def test_answers_of_one_response_are_joined_without_customer_keys(db_url: str) -> None:
    (journey,) = _drivers(db_url, program(), _planted(300, keyed=False))
    assert journey.status == "ranked" and journey.n == 300
    assert journey.drivers[0].driver == "mp-checkout"


def test_a_customer_s_repeated_answers_make_one_respondent(db_url: str) -> None:
    answers = _planted(300)
    # the first customer answers the NPS survey ten more times: still one respondent
    answers += [answer("k0000", f"again{i}", "mp-nps", dt.date(2026, 2, 1), 0) for i in range(10)]
    (journey,) = _drivers(db_url, program(), answers)
    assert journey.respondents == journey.n == 300


def test_too_few_respondents_rank_nothing(db_url: str) -> None:
    (journey,) = _drivers(db_url, program(), _planted(MIN_RESPONDENTS - 1))
    assert journey.status == "not_enough_respondents"
    assert journey.n == 0 and journey.r_squared is None
    assert all(d.label == "not_in_model" and d.weight is None for d in journey.drivers)
    assert {d.driver: d.respondents for d in journey.drivers}["mp-checkout"] == 99


def test_a_theme_mentioned_by_detractors_is_a_driver(db_url: str) -> None:
    answers = _planted(300)
    rng = random.Random(3)
    comments = []
    for i, a in enumerate(answers):
        if a.point == "mp-nps":
            late = a.value is not None and a.value <= 6 and rng.random() < 0.7
            text = "late again" if late else "fine"
            comments.append(
                comment(
                    "mp-nps",
                    a.day,
                    a.value,
                    text,
                    {"late": "late*"} if late else {},
                    number=i,
                    customer=a.customer,
                )
            )
    (journey,) = _drivers(db_url, program(), answers, comments)
    late = next(d for d in journey.drivers if d.driver == "late")
    assert late.kind == "theme" and late.name == "Late"
    assert late.label == "important" and late.weight is not None
    assert late.performance is not None and 0 < late.performance < 100
    assert journey.comparisons == 3


def test_the_bootstrap_is_deterministic(db_url: str) -> None:
    shop = program()
    scores = _scores(db_url, shop, _planted(150))
    assert drivers_section(shop, scores, [], AS_OF) == drivers_section(shop, scores, [], AS_OF)


def test_a_theme_that_always_goes_with_another_is_left_out(db_url: str) -> None:
    answers = _planted(300)
    comments = [
        comment(
            "mp-nps",
            a.day,
            a.value,
            "late and pricey",
            # "price" tags exactly the comments "late" tags: their weights could not be told apart
            {"late": "late*", "price": "price*"} if i % 3 == 0 else {},
            number=i,
            customer=a.customer,
        )
        for i, a in enumerate(x for x in answers if x.point == "mp-nps")
    ]
    (journey,) = _drivers(db_url, program(), answers, comments)
    labels = {d.driver: d.label for d in journey.drivers}
    assert journey.status == "ranked"
    assert labels["late"] != "not_in_model" and labels["price"] == "not_in_model"
    assert journey.comparisons == 3


def test_the_report_summary_names_the_important_drivers(db_url: str) -> None:
    drivers = _drivers(db_url, program(), _planted(300))
    sections = VocSections(
        ThemeSection("h", 0, 0, (), Coverage(0, 0, None, (), ())),
        drivers,
        (),
        Fatigue(None, AS_OF, 0, None, (), (), ()),
    )
    text = markdown(sections)
    assert "- order (mp-nps): R² = " in text and ", n = 300: mp-checkout " in text
    assert "mp-delivery" not in text  # its weight does not exceed a random predictor's
