"""Survey fatigue from the answers of known customers, counted in the database (SQLite and
PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from cxgov.judgement.voc import Fatigue, JourneyFatigue, SurveyCount
from cxgov.model import Program
from cxgov.voc import fatigue
from cxgov.voc.records import Answer
from tests.voc.programs import answer, program
from tests.voc.stored import stored

AS_OF = dt.date(2026, 3, 1)  # the window is the 30 days ending 2026-02-28


def _day(n: int) -> dt.date:
    return dt.date(2026, 2, n)


def fatigue_section(shop: Program, answers: list[Answer], as_of: dt.date, url: str) -> Fatigue:
    with stored(url, answers) as connection:
        return fatigue.fatigue_section(shop, fatigue.read(connection, shop, as_of), as_of)


def test_an_over_surveyed_customer_is_found_per_policy_journey_and_contact_rule(
    db_url: str,
) -> None:
    answers = [
        # customer "a": five questionnaires in February, one answering two points
        answer("a", "s1", "mp-nps", _day(1)),
        answer("a", "s1", "mp-checkout", _day(1)),
        answer("a", "s2", "mp-checkout", _day(5)),
        answer("a", "s3", "mp-delivery", _day(9)),
        answer("a", "s4", "mp-delivery", _day(20)),
        answer("a", "s5", "mp-checkout", _day(27)),
        # customer "b": three, which the policy allows; one was long ago
        answer("b", "s6", "mp-checkout", _day(2)),
        answer("b", "s7", "mp-delivery", _day(3)),
        answer("b", "s8", "mp-checkout", _day(4)),
        answer("b", "s9", "mp-checkout", dt.date(2025, 11, 1)),
    ]
    section = fatigue_section(program(), answers, AS_OF, db_url)
    window = section.window
    assert window is not None
    assert (window.start, window.end) == (dt.date(2026, 1, 30), dt.date(2026, 2, 28))
    assert window.surveyed_customers == 2
    assert window.surveys_per_customer == (SurveyCount(3, customers=1), SurveyCount(5, customers=1))
    assert window.over_policy == 1
    assert window.over_policy_share == 50.0
    assert section.journeys == (
        JourneyFatigue("order", surveyed_customers=2, over_policy=1, over_policy_share=50.0),
    )
    (delivery,) = section.contact_rules
    assert delivery.measurement_point == "mp-delivery"
    assert (delivery.surveyed_customers, delivery.over_rule) == (2, 1)
    assert delivery.surveys_per_customer == (
        SurveyCount(1, customers=1),
        SurveyCount(2, customers=1),
    )
    history = {h.date: h for h in section.history}
    assert history[dt.date(2026, 2, 28)].over_policy == 1
    assert history[dt.date(2026, 1, 31)].surveyed_customers == 0


def test_no_policy_still_reports_contact_rules(db_url: str) -> None:
    section = fatigue_section(program(contact_policy=None), [], AS_OF, db_url)
    assert section.policy is None and section.window is None
    assert section.journeys == section.history == ()
    assert section.contact_rules[0].surveyed_customers == 0


def test_customer_records_of_a_system_point_are_no_surveys(db_url: str) -> None:
    # a per-customer retention export: monthly records of customer "b", who got one survey
    answers = [answer("b", "s1", "mp-checkout", _day(2))] + [
        answer("b", f"r{n}", "mp-retention", _day(n), 100) for n in range(1, 8)
    ]
    window = fatigue_section(program(), answers, AS_OF, db_url).window
    assert window is not None
    assert window.surveys_per_customer == (SurveyCount(surveys=1, customers=1),)
    assert window.over_policy == 0


def test_each_journey_counts_the_customers_surveyed_at_its_own_points(db_url: str) -> None:
    shop = program()
    data = shop.model_dump(mode="json", exclude_none=True, by_alias=True)
    data["journeys"].append(
        {
            "id": "care",
            "name": "Care",
            "stages": [{"id": "help", "name": "Help"}],
            "channels": [{"id": "phone", "name": "Phone"}],
        }
    )
    for point in data["measurement_points"]:
        if point["id"] == "mp-delivery":
            point["journey"] = "care"
            point.pop("touchpoint", None)
    two = Program.model_validate(data)
    answers = [
        answer("a", "s1", "mp-checkout", _day(1)),
        answer("a", "s2", "mp-checkout", _day(2)),
        answer("a", "s3", "mp-checkout", _day(3)),
        answer("a", "s4", "mp-delivery", _day(4)),
        answer("b", "s5", "mp-delivery", _day(5)),
    ]
    section = fatigue_section(two, answers, AS_OF, db_url)
    assert section.journeys == (
        JourneyFatigue("care", surveyed_customers=2, over_policy=1, over_policy_share=50.0),
        JourneyFatigue("order", surveyed_customers=1, over_policy=1, over_policy_share=100.0),
    )
