"""A small program for the voice-of-the-customer tests: one journey with a relationship NPS,
two touchpoint CSATs, two themes, business value KPIs with links, and a contact policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from cxgov.model import Program
from cxgov.store.engine import open_store
from cxgov.store.tables import COMMENT_TAGS
from cxgov.voc.records import Answer, Comment


def program(**extra: Any) -> Program:
    data: dict[str, Any] = {
        "program": {
            "id": "shop",
            "name": "Shop",
            "language": "en",
            "timezone": "UTC",
            "cx_owner": "cx",
            "sponsor": "cx",
        },
        "owners": [{"id": "cx", "name": "CX"}],
        "journeys": [
            {
                "id": "order",
                "name": "Order",
                "stages": [{"id": "buy", "name": "Buy"}],
                "channels": [{"id": "web", "name": "Web"}],
                "touchpoints": [
                    {"id": "checkout", "name": "Checkout", "stage": "buy", "channel": "web"},
                    {"id": "delivery", "name": "Delivery", "stage": "buy", "channel": "web"},
                ],
            }
        ],
        "kpis": [
            {"id": "nps", "name": "NPS", "type": "nps"},
            {"id": "csat", "name": "CSAT", "type": "csat"},
            {"id": "retention", "name": "Retention", "type": "value", "unit": "%"},
            {
                "id": "churn",
                "name": "Churn",
                "type": "value",
                "unit": "%",
                "direction": "lower_is_better",
            },
        ],
        "measurement_points": [
            {"id": "mp-nps", "kpi": "nps", "journey": "order", "method": "relationship_survey"},
            {
                "id": "mp-checkout",
                "kpi": "csat",
                "journey": "order",
                "touchpoint": "checkout",
                "method": "transactional_survey",
            },
            {
                "id": "mp-delivery",
                "kpi": "csat",
                "journey": "order",
                "touchpoint": "delivery",
                "method": "transactional_survey",
                "contact": {"max_per_customer": 1, "days": 30},
                "min_sample": 2,
            },
            {"id": "mp-retention", "kpi": "retention", "journey": "order", "method": "system"},
            {"id": "mp-churn", "kpi": "churn", "journey": "order", "method": "system"},
        ],
        "objectives": [
            {
                "id": "o-nps",
                "name": "NPS",
                "measurement_point": "mp-nps",
                "targets": [{"effective_from": "2025-01-01", "target": 30, "warn": 20, "fail": 10}],
            },
        ],
        "themes": [
            {"id": "late", "name": "Late", "match": {"any": ["late*"]}, "kpis": ["nps", "csat"]},
            {"id": "price", "name": "Price", "match": {"any": ["price*"]}, "kpis": ["nps"]},
        ],
        "contact_policy": {"max_surveys_per_customer": 3, "days": 30},
        "links": [],
    }
    for key, value in extra.items():
        data[key] = value
    return Program.model_validate(data)


def comment(
    point: str,
    day: dt.date,
    value: float | None,
    text: str,
    tags: dict[str, str],
    *,
    number: int = 0,
    segments: dict[str, str] | None = None,
    customer: str | None = None,
    response: str | None = None,
) -> Comment:
    moment = dt.datetime.combine(day, dt.time(12)) + dt.timedelta(seconds=number)
    response = response or f"r{number}"
    return Comment(
        number,
        point,
        moment,
        day,
        value,
        False,
        customer,
        segments or {},
        text,
        tags,
        ("survey", response),
    )


def answer(customer: str, survey: str, point: str, day: dt.date, value: float = 9) -> Answer:
    return Answer(customer, ("survey", survey), point, day, value, False)


def retention_records() -> list[Answer]:
    """NPS answers and per-customer retention records (a system point's customer export)."""
    nps = [
        answer("c1", "n1a", "mp-nps", dt.date(2025, 3, 1), 2),  # older: the newest answer counts
        answer("c1", "n1b", "mp-nps", dt.date(2025, 6, 1), 10),
        answer("c2", "n2", "mp-nps", dt.date(2025, 6, 1), 9),
        answer("c3", "n3", "mp-nps", dt.date(2025, 6, 1), 8),
        answer("c4", "n4", "mp-nps", dt.date(2025, 6, 1), 3),
        answer("c5", "n5", "mp-nps", dt.date(2025, 6, 1), 5),
        answer("c6", "n6", "mp-nps", dt.date(2025, 9, 1), 10),  # only an earlier record
    ]
    retention = [
        answer("c1", "r1a", "mp-retention", dt.date(2025, 4, 1), 0),  # before the newest answer
        answer("c1", "r1b", "mp-retention", dt.date(2025, 7, 1), 100),
        answer("c1", "r1c", "mp-retention", dt.date(2025, 8, 1), 100),
        answer("c2", "r2", "mp-retention", dt.date(2025, 7, 1), 80),
        answer("c3", "r3", "mp-retention", dt.date(2025, 7, 1), 70),
        answer("c4", "r4", "mp-retention", dt.date(2025, 7, 1), 40),
        answer("c5", "r5", "mp-retention", dt.date(2025, 6, 1), 20),  # the answer's own day
        answer("c6", "r6", "mp-retention", dt.date(2025, 8, 1), 0),
    ]
    return nps + retention


def stored_tags(db_url: str) -> int:
    """How many comments have tags stored in the store at `db_url`."""
    engine = open_store(db_url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(select(func.count()).select_from(COMMENT_TAGS)).scalar_one()
            )
    finally:
        engine.dispose()
