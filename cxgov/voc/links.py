"""Business outcomes beside the CX measures they are linked to (`links`).

For each link, the CX side (an objective's value, or a measurement point's KPI) and the business
`value` KPI are paired over the business KPI's complete periods; a finer CX window is added up
into the business period from its additive counts. Pearson's r over those periods comes with a
Fisher-z interval and n. The `expected` direction says how the business KPI should move when the
CX side improves, so for a lower-is-better CX measure the sign is turned before comparing. A link
whose interval lies wholly on the other side of zero is `contradicted`; wholly on the expected
side, `supported`; otherwise `inconclusive`.

Customer-level outcomes (retention of promoters against detractors) need business records with
customer keys; business KPI values arrive aggregated per period, so `by_group` says so.
"""

from __future__ import annotations

from typing import Any

from cxgov.evaluate.aggregate import Aggregates, Cell, SegmentKey
from cxgov.evaluate.periods import Period
from cxgov.evaluate.verdicts import Result, estimate
from cxgov.model import Direction, Expectation, Kpi, KpiType, MeasurementPoint, Program
from cxgov.stats import Counts
from cxgov.voc.statistics import Correlation, pearson


def verdict(found: Correlation, expected: Expectation, cx_direction: Direction) -> str:
    if found.r is None or found.ci_low is None or found.ci_high is None:
        return "not_estimable"
    sign = 1 if cx_direction is Direction.HIGHER_IS_BETTER else -1
    low, high = sorted((sign * found.ci_low, sign * found.ci_high))
    if expected is Expectation.POSITIVE:
        return "contradicted" if high < 0 else "supported" if low > 0 else "inconclusive"
    return "contradicted" if low > 0 else "supported" if high < 0 else "inconclusive"


def _business_point(program: Program, kpi: str) -> MeasurementPoint | None:
    return next((p for p in program.measurement_points if p.kpi == kpi), None)


def _cx_series(
    program: Program,
    cx: str,
    aggregates: Aggregates,
    results: list[Result],
) -> tuple[str, MeasurementPoint, Kpi, SegmentKey, dict[Cell, Counts]] | None:
    """What the CX side is: its point, KPI (as judged), segment and counts per cell."""
    kpis = {k.id: k for k in program.kpis}
    points = {p.id: p for p in program.measurement_points}
    objective = next((o for o in program.objectives if o.id == cx), None)
    if objective is not None:
        point = points.get(objective.measurement_point)
        if point is None:
            return None
        judged = next((r.kpi for r in results if r.objective.id == cx), kpis.get(point.kpi))
        if judged is None:
            return None
        segment = tuple(sorted(objective.segment.items()))
        if objective.theme is not None:
            counts = {c: n for (t, c), n in aggregates.theme_shares.items() if t == objective.theme}
            return "objective", point, judged, segment, counts
        return "objective", point, judged, segment, aggregates.counts
    point = points.get(cx)
    if point is None or point.kpi not in kpis:
        return None
    return "measurement_point", point, kpis[point.kpi], (), aggregates.counts


def links_section(
    program: Program, aggregates: Aggregates, results: list[Result], confidence: float = 0.95
) -> list[dict[str, Any]]:
    kpis = {k.id: k for k in program.kpis}
    out = []
    for link in program.links:
        entry: dict[str, Any] = {
            "cx": link.cx,
            "business": link.business,
            "expected": link.expected.value,
            "by_group": {
                "available": False,
                "reason": "business KPI values are aggregated per period, without customer keys",
            },
        }
        cx = _cx_series(program, link.cx, aggregates, results)
        business = _business_point(program, link.business)
        kpi = kpis.get(link.business)
        if cx is None or business is None or kpi is None or kpi.type is not KpiType.VALUE:
            out.append(
                {
                    **entry,
                    "n": 0,
                    "r": None,
                    "ci_low": None,
                    "ci_high": None,
                    "p_value": None,
                    "verdict": "not_estimable",
                    "pairs": [],
                }
            )
            continue
        kind, point, cx_kpi, segment, counts = cx
        pairs = _pairs(point, cx_kpi, segment, counts, business, aggregates, confidence)
        found = pearson([p[1] for p in pairs], [p[2] for p in pairs], confidence)
        if found.r is None:
            entry["reason"] = (
                f"{found.n} period(s) pair up; a correlation needs at least 4 complete business "
                "periods that each hold whole periods of the CX side (a CX window coarser than "
                "the business KPI's never pairs)"
            )

        def rounded(v: float | None) -> float | None:
            return None if v is None else round(v, 4)

        out.append(
            {
                **entry,
                "cx_kind": kind,
                "measurement_point": point.id,
                "cx_direction": cx_kpi.direction.value,
                "n": found.n,
                "r": rounded(found.r),
                "ci_low": rounded(found.ci_low),
                "ci_high": rounded(found.ci_high),
                "p_value": rounded(found.p_value),
                "verdict": verdict(found, link.expected, cx_kpi.direction),
                "pairs": [
                    {
                        "start": p.start.isoformat(),
                        "end": p.end.isoformat(),
                        "cx": rounded(x),
                        "business": rounded(y),
                    }
                    for p, x, y in pairs
                ],
            }
        )
    return out


def _pairs(
    point: MeasurementPoint,
    kpi: Kpi,
    segment: SegmentKey,
    counts: dict[Cell, Counts],
    business: MeasurementPoint,
    aggregates: Aggregates,
    confidence: float,
) -> list[tuple[Period, float, float]]:
    inner = aggregates.series.get(point.id, [])
    found = []
    for period in aggregates.series.get(business.id, []):
        delivered = aggregates.values.get(Cell(business.id, period, ()))
        if delivered is None or not period.complete:
            continue
        parts = [p for p in inner if period.start <= p.start and p.end <= period.end]
        if not parts:
            continue
        total = Counts()
        for part in parts:
            total = total + counts.get(Cell(point.id, part, segment), Counts())
        value = estimate(kpi, total, confidence).value
        if value is not None:
            found.append((period, value, delivered.value))
    return found
