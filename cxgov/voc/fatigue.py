"""Survey fatigue: how many surveys each customer received in the contact policy's window, who
received more than the `contact_policy` or a measurement point's `contact` rule allows, and the
over-surveyed share per journey and over time.

A survey is one questionnaire (one response id of one source), however many measurement points
it answers. A customer is over the policy on a date when more than `max_surveys_per_customer`
surveys fall in the `days` days ending that date; the same for a point's contact rule, counting
that point's surveys. Pure: takes the answers of known customers and the as-of date.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable

from cxgov.judgement.voc import (
    ContactRule,
    Fatigue,
    FatigueOn,
    FatigueWindow,
    JourneyFatigue,
    SurveyCount,
    SurveyLimit,
)
from cxgov.model import MeasurementPoint, Program
from cxgov.model.measurement import SURVEY_METHODS
from cxgov.voc.records import Answer

HISTORY_MONTHS = 12
"""How many month ends the over-surveyed share is traced back over."""


def _surveys(answers: Iterable[Answer]) -> dict[str, dict[tuple[str, str], dt.date]]:
    """customer → survey → its first day (a survey's answers can carry several times)."""
    found: dict[str, dict[tuple[str, str], dt.date]] = defaultdict(dict)
    for a in answers:
        known = found[a.customer].get(a.survey)
        if known is None or a.day < known:
            found[a.customer][a.survey] = a.day
    return found


def _in_window(days: list[dt.date], end: dt.date, length: int) -> int:
    """Surveys on the sorted `days` inside the `length` days ending on `end`."""
    start = end - dt.timedelta(days=length - 1)
    return bisect.bisect_right(days, end) - bisect.bisect_left(days, start)


def _month_ends(as_of: dt.date, count: int) -> list[dt.date]:
    ends = []
    current = as_of.replace(day=1) - dt.timedelta(days=1)
    for _ in range(count):
        ends.append(current)
        current = current.replace(day=1) - dt.timedelta(days=1)
    return sorted(ends)


def fatigue_section(program: Program, answers: list[Answer], as_of: dt.date) -> Fatigue:
    """The `fatigue` section: the policy, surveys per customer in the window ending on the day
    before `as_of`, customers over the policy and over each point's contact rule, the
    over-surveyed share per journey, and that share at the last month ends."""
    policy = program.contact_policy
    points = {p.id: p for p in program.measurement_points}
    # customer-keyed records of system and operational points (a per-customer business export)
    # were never a survey the customer received
    answers = [a for a in answers if a.point in points and points[a.point].method in SURVEY_METHODS]
    surveys = _surveys(answers)
    day = as_of - dt.timedelta(days=1)
    contact_rules = _contact_rules(answers, points, day)
    if policy is None:
        return Fatigue(None, day, len(surveys), None, (), (), contact_rules)
    days_of = {c: sorted(s.values()) for c, s in surveys.items()}
    counts = {c: _in_window(d, day, policy.days) for c, d in days_of.items()}
    active = {c: n for c, n in counts.items() if n > 0}
    over = sorted(
        (c for c, n in active.items() if n > policy.max_surveys_per_customer),
        key=lambda c: (-active[c], c),
    )
    window = FatigueWindow(
        start=day - dt.timedelta(days=policy.days - 1),
        end=day,
        surveyed_customers=len(active),
        surveys_per_customer=tuple(
            SurveyCount(k, v) for k, v in sorted(Counter(active.values()).items())
        ),
        over_policy=len(over),
        over_policy_share=round(100 * len(over) / len(active), 4) if active else None,
    )
    return Fatigue(
        policy=SurveyLimit(policy.max_surveys_per_customer, policy.days),
        as_of=day,
        customers=len(surveys),
        window=window,
        journeys=_journeys(program, answers, day, policy.days, set(over)),
        history=tuple(
            _share_at(days_of, end, policy.days, policy.max_surveys_per_customer)
            for end in _month_ends(as_of, HISTORY_MONTHS)
        ),
        contact_rules=contact_rules,
    )


def _share_at(
    days_of: dict[str, list[dt.date]], end: dt.date, length: int, limit: int
) -> FatigueOn:
    counts = [_in_window(d, end, length) for d in days_of.values()]
    active = [n for n in counts if n > 0]
    over = sum(1 for n in active if n > limit)
    return FatigueOn(
        date=end,
        surveyed_customers=len(active),
        over_policy=over,
        over_policy_share=round(100 * over / len(active), 4) if active else None,
    )


def _journeys(
    program: Program, answers: list[Answer], day: dt.date, length: int, over: set[str]
) -> tuple[JourneyFatigue, ...]:
    """Per journey: the customers surveyed at its points in the window, and the share of them
    over the policy (counting all their surveys, on any journey)."""
    start = day - dt.timedelta(days=length - 1)
    journey_of = {p.id: p.journey for p in program.measurement_points}
    customers: dict[str, set[str]] = defaultdict(set)
    for a in answers:
        if start <= a.day <= day and a.point in journey_of:
            customers[journey_of[a.point]].add(a.customer)
    return tuple(
        JourneyFatigue(
            journey=journey,
            surveyed_customers=len(found),
            over_policy=len(found & over),
            over_policy_share=round(100 * len(found & over) / len(found), 4),
        )
        for journey, found in sorted(customers.items())
    )


def _contact_rules(
    answers: list[Answer], points: dict[str, MeasurementPoint], day: dt.date
) -> tuple[ContactRule, ...]:
    """Per measurement point with a `contact` rule: the customers it surveyed more often than
    the rule allows in the rule's window ending on `day`."""
    ruled = {pid: p.contact for pid, p in points.items() if p.contact is not None}
    per_point: dict[str, dict[str, set[tuple[tuple[str, str], dt.date]]]] = defaultdict(
        lambda: defaultdict(set)
    )
    for a in answers:
        rule = ruled.get(a.point)
        if rule is not None and day - dt.timedelta(days=rule.days - 1) <= a.day <= day:
            per_point[a.point][a.customer].add((a.survey, a.day))
    out = []
    for pid in sorted(ruled):
        rule = ruled[pid]
        found = {c: len({s for s, _ in v}) for c, v in per_point.get(pid, {}).items()}
        over = sum(1 for n in found.values() if n > rule.max_per_customer)
        out.append(
            ContactRule(
                measurement_point=pid,
                max_per_customer=rule.max_per_customer,
                days=rule.days,
                surveyed_customers=len(found),
                over_rule=over,
                over_rule_share=round(100 * over / len(found), 4) if found else None,
                surveys_per_customer=tuple(
                    SurveyCount(k, v) for k, v in sorted(Counter(found.values()).items())
                ),
            )
        )
    return tuple(out)
