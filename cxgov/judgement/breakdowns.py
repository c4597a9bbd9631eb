"""Each objective's current period split by every dimension its measurement point declares.

Computed from the same additive counts as the verdicts, so the parts add up to the whole.
"""

from __future__ import annotations

from collections.abc import Mapping

from cxgov.judgement.cells import Aggregates, Cell
from cxgov.judgement.kpi import estimate
from cxgov.judgement.periods import Period
from cxgov.judgement.record import Breakdown, BreakdownRow
from cxgov.judgement.status import Current
from cxgov.model import KpiType, Program
from cxgov.model.objectives import interval_confidence
from cxgov.stats import Counts


def breakdowns(
    program: Program, current: Mapping[str, Current], counts: Aggregates
) -> dict[str, Breakdown]:
    points = {p.id: p for p in program.measurement_points}
    kpis = {k.id: k for k in program.kpis}
    by_cell: dict[tuple[str, Period], list[tuple[Cell, Counts]]] = {}
    for cell, found in counts.counts.items():
        if len(cell.segment) == 1:
            by_cell.setdefault((cell.point, cell.period), []).append((cell, found))
    result: dict[str, Breakdown] = {}
    objectives = {o.id: o for o in program.objectives}
    for objective_id, now in sorted(current.items()):
        objective = objectives.get(objective_id)
        if objective is None:
            continue
        point = points[objective.measurement_point]
        kpi = kpis[point.kpi]
        # the counts are split one dimension at a time, so an objective that is itself one
        # segment (say toimiala=julkinen) has no breakdown within that segment to show; a
        # theme-share objective's value is a share of comments, which the KPI's counts by
        # segment do not break down
        if (
            kpi.type is KpiType.VALUE
            or not point.segments
            or objective.segment
            or objective.theme is not None
        ):
            continue
        confidence = interval_confidence(objective)
        latest = now.verdict
        period = Period(latest.start, latest.end, latest.complete)
        rows = []
        for cell, found in by_cell.get((point.id, period), []):
            ((dimension, value),) = cell.segment
            if dimension not in point.segments:
                continue
            shown = estimate(kpi, found, confidence)
            rows.append(
                BreakdownRow(dimension, value, shown.value, shown.ci_low, shown.ci_high, shown.n)
            )
        rows.sort(key=lambda r: (point.segments.index(r.dimension), r.value))
        result[objective_id] = Breakdown(latest.start, latest.end, tuple(rows))
    return result
