"""Survey fatigue: how many surveys each customer received in the contact policy's window, who
received more than the `contact_policy` or a measurement point's `contact` rule allows, and the
over-surveyed share per journey and over time.

A survey is one questionnaire (one response id of one source), however many measurement points
it answers. A customer is over the policy on a date when more than `max_surveys_per_customer`
surveys fall in the `days` days ending that date; the same for a point's contact rule, counting
that point's surveys. The database counts (cxgov.store.surveys): `read` asks it for the
histograms of surveys per customer, and `fatigue_section` is pure over those counts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from cxgov.judgement.periods import Period
from cxgov.judgement.voc import (
    ContactRule,
    Fatigue,
    FatigueOn,
    FatigueWindow,
    JourneyFatigue,
    SurveyCount,
    SurveyLimit,
)
from cxgov.model import Program
from cxgov.model.measurement import SURVEY_METHODS
from cxgov.store.surveys import surveys_in_windows, surveys_per_point

HISTORY_MONTHS = 12
"""How many month ends the over-surveyed share is traced back over."""


def _month_ends(as_of: dt.date, count: int) -> list[dt.date]:
    ends = []
    current = as_of.replace(day=1) - dt.timedelta(days=1)
    for _ in range(count):
        ends.append(current)
        current = current.replace(day=1) - dt.timedelta(days=1)
    return sorted(ends)


@dataclass(frozen=True)
class SurveyCounts:
    """What the database counted for the `fatigue` section."""

    customers: int
    window: Counter[int]
    """Surveys per customer in the policy's window → customers (those with none left out)."""
    history: tuple[tuple[dt.date, Counter[int]], ...]
    """The same at each month end, oldest first."""
    journeys: dict[str, tuple[int, int]]
    """Journey → (customers surveyed at its points in the window, of them over the policy)."""
    contact: dict[str, Counter[int]]
    """Point with a contact rule → surveys per customer in the rule's window → customers."""

    @staticmethod
    def none() -> SurveyCounts:
        """No survey counted."""
        return SurveyCounts(0, Counter(), (), {}, {})


def _days(end: dt.date, length: int) -> Period:
    return Period(end - dt.timedelta(days=length - 1), end, True)


def read(connection: Connection, program: Program, as_of: dt.date) -> SurveyCounts:
    """Count, in the database, the surveys `fatigue_section` reports: the window ending the
    day before `as_of` and the last `HISTORY_MONTHS` month ends."""
    zone = ZoneInfo(program.program.timezone)
    day = as_of - dt.timedelta(days=1)
    # a survey starts on its first answer up to the end of the as-of day
    before = Period(as_of, as_of, False).utc_bounds(zone)[1]
    surveys = [p for p in program.measurement_points if p.method in SURVEY_METHODS]
    points = [p.id for p in surveys]
    policy = program.contact_policy
    ends = _month_ends(as_of, HISTORY_MONTHS) if policy is not None else []
    windows = [_days(end, policy.days).utc_bounds(zone) for end in [day, *ends]] if policy else []
    journeys: dict[str, list[str]] = {}
    for p in surveys:
        if p.journey is not None:
            journeys.setdefault(p.journey, []).append(p.id)
    counted = surveys_in_windows(
        connection,
        program.program.id,
        points,
        before,
        windows,
        journeys,
        policy.max_surveys_per_customer if policy else None,
    )
    contact = surveys_per_point(
        connection,
        program.program.id,
        {
            p.id: _days(day, p.contact.days).utc_bounds(zone)
            for p in surveys
            if p.contact is not None
        },
    )
    return SurveyCounts(
        customers=counted.customers,
        window=counted.histograms[0] if policy else Counter(),
        history=tuple(zip(ends, counted.histograms[1:], strict=True)),
        journeys=counted.journeys,
        contact=contact,
    )


def _over(histogram: Counter[int], limit: int) -> tuple[int, int]:
    """(customers with a survey, customers with more than `limit`)."""
    return sum(histogram.values()), sum(c for n, c in histogram.items() if n > limit)


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 4) if whole else None


def fatigue_section(program: Program, counts: SurveyCounts, as_of: dt.date) -> Fatigue:
    """The `fatigue` section: the policy, surveys per customer in the window ending on the day
    before `as_of`, customers over the policy and over each point's contact rule, the
    over-surveyed share per journey, and that share at the last month ends."""
    policy = program.contact_policy
    day = as_of - dt.timedelta(days=1)
    contact_rules = _contact_rules(program, counts)
    if policy is None:
        return Fatigue(None, day, counts.customers, None, (), (), contact_rules)
    limit = policy.max_surveys_per_customer
    surveyed, over = _over(counts.window, limit)
    window = FatigueWindow(
        start=day - dt.timedelta(days=policy.days - 1),
        end=day,
        surveyed_customers=surveyed,
        surveys_per_customer=tuple(SurveyCount(k, v) for k, v in sorted(counts.window.items())),
        over_policy=over,
        over_policy_share=_share(over, surveyed),
    )
    history = []
    for end, histogram in counts.history:
        active, above = _over(histogram, limit)
        history.append(FatigueOn(end, active, above, _share(above, active)))
    return Fatigue(
        policy=SurveyLimit(limit, policy.days),
        as_of=day,
        customers=counts.customers,
        window=window,
        journeys=tuple(
            JourneyFatigue(journey, found, above, round(100 * above / found, 4))
            for journey, (found, above) in sorted(counts.journeys.items())
        ),
        history=tuple(history),
        contact_rules=contact_rules,
    )


def _contact_rules(program: Program, counts: SurveyCounts) -> tuple[ContactRule, ...]:
    """Per measurement point with a `contact` rule: the customers it surveyed more often than
    the rule allows in the rule's window ending on the day before the as-of date."""
    out = []
    for point in sorted(program.measurement_points, key=lambda p: p.id):
        rule = point.contact
        if rule is None or point.method not in SURVEY_METHODS:
            continue
        histogram = counts.contact.get(point.id, Counter())
        surveyed, over = _over(histogram, rule.max_per_customer)
        out.append(
            ContactRule(
                measurement_point=point.id,
                max_per_customer=rule.max_per_customer,
                days=rule.days,
                surveyed_customers=surveyed,
                over_rule=over,
                over_rule_share=_share(over, surveyed),
                surveys_per_customer=tuple(SurveyCount(k, v) for k, v in sorted(histogram.items())),
            )
        )
    return tuple(out)
