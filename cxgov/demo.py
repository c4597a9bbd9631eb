"""Realistic synthetic answer files for an example program, so every part of cxgov can be tried
without real customer data.

The generator reads the program: for each survey measurement point with a long-layout CSV
source it writes monthly answers whose level follows the objective's target, with seasonality,
a few touchpoints drifting below target over the last months, one feed that stops, one point
with too few answers, comments in Finnish and English (touchpoint-specific where customers
write about the touchpoint, compulsory where an objective targets a theme's share), one customer
surveyed at every touchpoint in the last quarter, not-applicable answers and a few malformed
rows. Business `value` KPIs get a monthly KPI-values file. Deterministic per seed.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from dataclasses import dataclass
from pathlib import Path

from cxgov.judgement.periods import periods
from cxgov.model import KpiType, Layout, MeasurementPoint, Objective, Program, Source
from cxgov.model.kpis import Direction, Kpi, Statistic
from cxgov.model.measurement import SURVEY_METHODS

COMMENTS = {
    "positive": [
        "Kahvi on aina hyvää ja toimitus tulee ajallaan.",
        "Huoltomies oli ystävällinen ja nopea.",
        "Helppo tilata verkkokaupasta, kiitos!",
        "Asiakaspalvelu vastasi heti ja asia hoitui.",
        "Kiitos, loistavaa palvelua koko tiimiltä.",
        "Uusi paahto maistuu koko toimistolle.",
        "Asennus sujui nopeasti ja ohjeet olivat selkeät.",
        "Great coffee and friendly service.",
        "Ordering online was quick and easy.",
        "Thanks, the new beans taste great.",
    ],
    "negative": [
        "Toimitus oli myöhässä kaksi päivää, eikä kukaan ilmoittanut.",
        "Laskussa oli virhe ja sen korjaaminen kesti viikkoja.",
        "Kone rikki jo toista kertaa, huoltoa sai odottaa.",
        "Hinta nousi taas ilman perusteluja.",
        "Asiakaspalveluun ei päässyt läpi puhelimella.",
        "Jonossa piti odottaa puoli tuntia.",
        "Kahvi maistuu karvaalta uuden paahdon jälkeen.",
        "Maitojauhe loppui kesken eikä tilalle saatu mitään.",
        "Automaatin näyttö on vaikea lukea.",
        "The delivery was late and nobody told us.",
        "Invoice was wrong again, please fix your billing.",
        "Coffee machine broke down, waited a week for repair.",
    ],
    "neutral": [
        "Ihan ok, ei valittamista.",
        "Maku voisi olla parempi, muuten hyvä.",
        "Sopimuksen ehdot olivat vähän epäselvät.",
        "Fine overall, nothing special.",
    ],
}
TOUCHPOINT_COMMENTS = {
    # what customers write after a delivery: most complaints are about delays
    "toimitus": {
        "negative": [
            "Toimitus oli myöhässä kaksi päivää, eikä kukaan ilmoittanut.",
            "Kuljettaja tuli myöhässä ja lastauslaituri oli jo suljettu.",
            "Toimitus myöhästyi taas, kahvit loppuivat kesken.",
            "Toimituksesta puuttui kaksi laatikkoa maitoa.",
            "Lähetys jätettiin väärään kerrokseen.",
            "The delivery was late and nobody told us.",
        ],
        "neutral": [
            "Toimitus tuli, mutta vähän myöhässä.",
            "Kuljettaja oli kiireinen, muuten ok.",
        ],
    },
}
DEFAULT_SEGMENT_VALUES = {
    "asiakaskoko": ["pieni", "keskikokoinen", "suuri"],
    "toimiala": ["teollisuus", "palvelut", "julkinen", "kauppa"],
}


@dataclass(frozen=True)
class DemoFiles:
    answers: list[Path]
    kpi_values: Path | None
    rows: int


def _months(end: dt.date, count: int) -> list[dt.date]:
    first = dt.date(end.year, end.month, 1)
    months = []
    for back in range(count - 1, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        months.append(dt.date(index // 12, index % 12 + 1, 1))
    return months


def _target(objective: Objective | None, day: dt.date) -> tuple[float, float] | None:
    """Target and fail level in force on `day` (trajectories interpolated)."""
    if objective is None:
        return None
    revisions = [r for r in objective.targets if r.effective_from <= day] or [objective.targets[0]]
    revision = revisions[-1]
    if revision.trajectory is not None:
        start, end = revision.trajectory.start, revision.trajectory.end
        span = (end.date - start.date).days or 1
        share = min(max((day - start.date).days / span, 0.0), 1.0)
        target = start.value + share * (end.value - start.value)
        return target, target - (revision.fail_margin or 10.0)
    assert revision.target is not None
    fail = revision.fail if revision.fail is not None else revision.target - 10.0
    return revision.target, fail


def _answer(kpi: Kpi, level: float, rng: random.Random) -> int:
    """One answer drawn so that the KPI over many answers sits near `level`."""
    if kpi.type is KpiType.NPS:
        passives = 0.3
        promoters = min(max((1 - passives + level / 100) / 2, 0.0), 1 - passives)
        draw = rng.random()
        if draw < promoters:
            return rng.choice((9, 10))
        if draw < promoters + passives:
            return rng.choice((7, 8))
        return rng.randint(0, 6)
    low, high = kpi.effective_scale or (1, 5)
    if kpi.effective_statistic is Statistic.MEAN:
        return int(min(max(round(rng.gauss(level, (high - low) / 5)), low), high))
    positive_low, positive_high = kpi.effective_positive or (high, high)
    if rng.random() < min(max(level / 100, 0.0), 1.0):
        return rng.randint(int(positive_low), int(positive_high))
    return rng.randint(int(low), int(positive_low) - 1)


def _comment(kpi: Kpi, value: int, touchpoint: str | None, rng: random.Random) -> str:
    scale = kpi.effective_scale or (0, 10)
    share = (value - scale[0]) / (scale[1] - scale[0])
    mood = "positive" if share >= 0.75 else "negative" if share < 0.5 else "neutral"
    pool = TOUCHPOINT_COMMENTS.get(touchpoint or "", {}).get(mood, COMMENTS[mood])
    return rng.choice(pool)


def generate(
    program: Program, out: Path, *, end: dt.date, months: int = 24, seed: int = 7
) -> DemoFiles:
    """Write demo answer files (one per source and month) and a KPI-values file into `out`."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    kpis = {k.id: k for k in program.kpis}
    objectives: dict[str, Objective] = {}
    for objective in program.objectives:
        if not objective.segment and objective.theme is None:
            objectives.setdefault(objective.measurement_point, objective)
    sources = {
        s.id: s for s in program.sources if s.layout is Layout.LONG and s.format.value == "csv"
    }
    surveyed = [
        p
        for p in program.measurement_points
        if p.method in SURVEY_METHODS and p.source in sources and p.kpi in kpis
    ]
    # Roles that make every verdict status appear: most points hover at target, a few drift.
    ordered = sorted(surveyed, key=lambda p: p.id)
    drifting = {p.id for p in ordered[1::5]}
    stopped = ordered[2].id if len(ordered) > 2 else None
    sparse = ordered[3].id if len(ordered) > 3 else None
    calendar = _months(end, months)
    files: list[Path] = []
    total = 0
    customers = [f"A{n:05d}" for n in range(1, 1500)]
    for source_id, source in sorted(sources.items()):
        labels = {point: label for label, point in source.measurement_points.items()}
        points = [p for p in surveyed if p.source == source_id]
        for month in calendar:
            path = out / f"{Path(source.path).name.replace('*', month.strftime('%Y-%m'))}"
            rows = _month_rows(
                program,
                source,
                points,
                kpis,
                objectives,
                labels,
                month,
                end,
                calendar,
                drifting,
                stopped,
                sparse,
                customers,
                rng,
            )
            _write(path, source, rows)
            files.append(path)
            total += len(rows)
    return DemoFiles(files, _kpi_values(program, out, calendar, end, objectives, rng), total)


def _month_rows(
    program: Program,
    source: Source,
    points: list[MeasurementPoint],
    kpis: dict[str, Kpi],
    objectives: dict[str, Objective],
    labels: dict[str, str],
    month: dt.date,
    end: dt.date,
    calendar: list[dt.date],
    drifting: set[str],
    stopped: str | None,
    sparse: str | None,
    customers: list[str],
    rng: random.Random,
) -> list[dict[str, str]]:
    columns = source.columns
    # where an objective targets a theme's share, the why-question is compulsory
    explained = {o.measurement_point for o in program.objectives if o.theme is not None}
    rows: list[dict[str, str]] = []
    months_left = len(calendar) - 1 - calendar.index(month)
    season = 1.0 + 0.25 * math.cos((month.month - 1) / 12 * 2 * math.pi)  # busier in winter
    na_label = next((str(v) for v in source.not_applicable if isinstance(v, str)), None)
    for point in points:
        if point.id == stopped and months_left < 3:
            continue  # the feed stopped: recent periods have no data
        kpi = kpis[point.kpi]
        levels = _target(objectives.get(point.id), month)
        target, fail = levels if levels else (50.0, 30.0)
        gap = abs(target - fail) or 10.0
        sign = 1 if kpi.direction is Direction.HIGHER_IS_BETTER else -1
        level = target + sign * gap * 0.15 + rng.gauss(0, gap * 0.1)
        if point.id in drifting and months_left < 6:
            level -= sign * gap * (6 - months_left) / 3  # slides through warn into fail
        minimum = point.min_sample
        volume = 3 if point.id == sparse else int(minimum * rng.uniform(0.9, 1.4) * season)
        if point.window.calendar is not None and point.window.calendar.value == "quarter":
            volume = max(volume // 2, 1) if point.id != sparse else 3
        last_day = min(_month_end(month), end)
        for n in range(volume):
            day = month + dt.timedelta(days=rng.randint(0, (last_day - month).days))
            moment = dt.datetime.combine(day, dt.time(rng.randint(7, 20), rng.randint(0, 59)))
            value = _answer(kpi, level, rng)
            cells = {
                columns.response_id: f"{point.id}-{month:%Y%m}-{n:05d}",
                columns.collected_at: moment.strftime(
                    source.timestamp_format or "%Y-%m-%dT%H:%M:%S"
                ),
                columns.measurement_point: labels.get(point.id, point.id),
                columns.value: str(value),
                # one customer answers at every touchpoint in the last quarter: over-surveyed
                columns.customer: customers[0]
                if months_left < 3 and n == 0
                else rng.choice(customers),
                columns.comment: _comment(kpi, value, point.touchpoint, rng)
                if rng.random() < (0.95 if point.id in explained else 0.3)
                else "",
            }
            if na_label and point.method.value == "transactional_survey" and rng.random() < 0.03:
                cells[columns.value] = na_label
            for dimension, column in columns.segments.items():
                values = DEFAULT_SEGMENT_VALUES.get(dimension, ["a", "b", "c"])
                cells[column] = rng.choice(values) if dimension in point.segments else ""
            rows.append({k: v for k, v in cells.items() if k is not None})
    if rows and rng.random() < 0.5:
        broken = dict(rng.choice(rows))
        broken[columns.response_id or ""] = f"broken-{month:%Y%m}"
        broken[columns.value or ""] = "99"  # outside every survey scale
        rows.append(broken)
    rng.shuffle(rows)
    return rows


def _month_end(month: dt.date) -> dt.date:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _write(path: Path, source: Source, rows: list[dict[str, str]]) -> None:
    c = source.columns
    header = [
        name
        for name in (
            c.response_id,
            c.collected_at,
            c.measurement_point,
            c.value,
            c.customer,
            c.comment,
            *c.segments.values(),
        )
        if name
    ]
    encoding = "utf-8" if source.encoding.value == "utf-8" else source.encoding.value
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, header, delimiter=source.delimiter or ",")
        writer.writeheader()
        writer.writerows(rows)


def _kpi_values(
    program: Program,
    out: Path,
    calendar: list[dt.date],
    end: dt.date,
    objectives: dict[str, Objective],
    rng: random.Random,
) -> Path | None:
    points = {p.kpi: p for p in program.measurement_points if p.method.value == "system"}
    business = [k for k in program.kpis if k.type is KpiType.VALUE and k.id in points]
    if not business:
        return None
    path = out / "kpi-arvot.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kpi", "period_start", "period_end", "value", "n"])
        for kpi in business:
            point = points[kpi.id]
            for i, period in enumerate(periods(point.window, calendar[0], end)):
                if not period.complete:
                    continue  # business figures arrive once a period has closed
                levels = _target(objectives.get(point.id), period.start)
                target = levels[0] if levels else 100.0
                drift = (i - len(calendar) / 2) / len(calendar) * 0.05 * target
                value = target + drift + rng.gauss(0, abs(target) * 0.02)
                writer.writerow(
                    [kpi.id, period.start.isoformat(), period.end.isoformat(), f"{value:.2f}", ""]
                )
    return path
