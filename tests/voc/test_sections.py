"""The sections as typed values and their one JSON translation: every shape the report
publishes reads back as the value it was written from, and a run recorded without them still
reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cxgov.judgement.cells import Aggregates, Cell, PeriodValue
from cxgov.judgement.periods import Period
from cxgov.judgement.record import RunRecord, RunSummary, sections_from_json, sections_json
from cxgov.judgement.voc import (
    GroupOutcomes,
    GroupsUnavailable,
    ThemeDriver,
    TouchpointDriver,
    VocSections,
    from_json,
    to_json,
)
from cxgov.stats import Counts
from cxgov.voc.evidence import Evidence, sections
from tests.voc.programs import comment, program, retention_records

AS_OF = dt.date(2026, 1, 1)
MONTHS = [
    Period(dt.date(2025, m, 1), dt.date(2025 + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1), True)
    for m in range(1, 13)
]


def _sections(**extra: Any) -> VocSections:
    """The test shop with a link of each shape: contradicted (no respondent groups), with
    respondent groups, and one whose CX side is in no measurement point."""
    shop = program(
        links=[
            {"cx": "mp-checkout", "business": "retention", "expected": "positive"},
            {"cx": "mp-nps", "business": "retention", "expected": "positive"},
            {"cx": "nowhere", "business": "churn", "expected": "negative"},
        ],
        **extra,
    )
    # CSAT moves irregularly and retention against it every month: contradicted
    csat = [60, 63, 61, 65, 64, 61, 63, 68, 64, 65, 63, 66]
    counts = {
        Cell("mp-checkout", p, ()): Counts(n=100, positives=csat[i]) for i, p in enumerate(MONTHS)
    }
    values = {
        Cell("mp-retention", p, ()): PeriodValue(90.0 - (csat[i] - 60), None)
        for i, p in enumerate(MONTHS)
    }
    comments = [
        comment("mp-nps", dt.date(2025, 12, 1 + i), v, "late", {"late": "late*"} if v < 7 else {})
        for i, v in enumerate([3, 10, 2, 9, 10, 9])
    ]
    aggregates = Aggregates(
        counts, values, {}, {"mp-checkout": MONTHS, "mp-retention": MONTHS, "mp-nps": MONTHS}
    )
    evidence = Evidence("hash", comments, retention_records())
    return sections(shop, evidence, aggregates, AS_OF, redact=str)


def test_every_shape_reads_back_from_its_json() -> None:
    found = _sections()
    contradicted, grouped, unknown = found.links
    assert contradicted.verdict == "contradicted" and contradicted.side is not None
    assert isinstance(contradicted.by_group, GroupsUnavailable)
    assert isinstance(grouped.by_group, GroupOutcomes) and grouped.reason is not None
    assert unknown.side is None and unknown.verdict == "not_estimable"
    kinds = {type(d) for journey in found.drivers for d in journey.drivers}
    assert kinds == {TouchpointDriver, ThemeDriver}
    assert found.themes.themes[0].points[0].periods[0].examples
    assert found.fatigue.window is not None
    assert from_json(to_json(found)) == found
    without_policy = _sections(contact_policy=None)
    assert without_policy.fatigue.window is None
    assert from_json(to_json(without_policy)) == without_policy


def test_the_json_keeps_the_documented_keys_of_each_shape() -> None:
    body = to_json(_sections())
    contradicted, grouped, unknown = body["links"]
    assert list(contradicted) == [
        "cx",
        "business",
        "expected",
        "by_group",
        "cx_kind",
        "measurement_point",
        "cx_direction",
        "n",
        "r",
        "ci_low",
        "ci_high",
        "p_value",
        "method",
        "n_effective",
        "p_adjusted",
        "verdict",
        "pairs",
    ]
    assert list(grouped)[4] == "reason"
    assert "cx_kind" not in unknown and unknown["pairs"] == []
    assert contradicted["by_group"]["available"] is False and "code" in contradicted["by_group"]
    assert grouped["by_group"]["available"] is True
    assert contradicted["pairs"][0] == {
        "start": "2025-01-01",
        "end": "2025-01-31",
        "cx": 60.0,
        "business": 90.0,
    }
    (journey,) = body["drivers"]
    theme = next(d for d in journey["drivers"] if d["kind"] == "theme")
    assert theme["driver"] == theme["theme"] == "late"
    touchpoint = next(d for d in journey["drivers"] if d["kind"] == "touchpoint")
    assert touchpoint["driver"] == touchpoint["measurement_point"]
    fatigue = to_json(_sections(contact_policy=None))["fatigue"]
    assert list(fatigue) == ["policy", "as_of", "customers", "contact_rules"]
    assert fatigue["as_of"] == "2025-12-31"


def test_a_run_recorded_without_the_sections_reads_with_none() -> None:
    assert sections_from_json({})["voc"] is None
    assert sections_from_json({"voc": {}})["voc"] is None
    record = RunRecord(RunSummary(1, AS_OF, "0" * 64, None), "shop", [])
    assert record.voc is None and sections_json(record)["voc"] == {}
    found = _sections()
    record.voc = found
    assert sections_from_json(sections_json(record))["voc"] == found
