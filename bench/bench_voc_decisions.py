"""Benchmark of the voice-of-the-customer decisions: false theme labels, found theme effects and
false business links, simulated through the functions that make them.

Each run draws comments and monthly series from known true distributions and hands them to
the same code an evaluation runs: `cxgov.voc.themes.theme_section` (theme effects, decided
across every theme × point × period of the report) and `cxgov.voc.links.links_section`
(business links). "Now" is a fixed as-of date, never the wall clock. Beside cxgov's decision
each scenario counts the rule cxgov used before, on the same data, as the baseline:

- a theme label where the two-sample interval (adjusted Wald for NPS, Agresti–Caffo for a
  percentage) excludes zero with at least 5 answers on each side, nothing adjusted;
- a link `supported`/`contradicted` where the Fisher-z interval of the monthly levels'
  correlation excludes zero (Pearson's r over the periods as if they were independent).

Scenarios (`--scenario`, default all):

- themes-null: a program with an NPS point (400 comments a month: promoters 50 %, passives
  30 %, detractors 20 %) and a CSAT point (300 a month, 1–5, 80 % answer 4–5), and 5, 10 and 20
  themes read from both. Each theme is mentioned in a share of the comments drawn once per run
  from 3–25 %, independently of the score: no theme has any real effect. Seven months are
  drawn (six reported). Measured: false labels (`lowers_kpi`/`raises_kpi`) per report and the
  share of reports with any. Goal: ≤ 0.25 false labels per report on average.
- themes-planted: the same program with 5 null themes and one more theme mentioned in the
  newest month by a group of `--group` answers (60), added to that month's 400 at the NPS
  point, whose NPS is 20 points lower (promoters 40 %, passives 30 %, detractors 30 %: NPS 10
  against 30), mentioned by no one in the earlier months. Found: that period labelled
  `lowers_kpi`. Goal: ≥ 80 % of runs. Also printed for groups of 120, 240, 480 and 960: how
  large a group the goal takes at this error rate.
- links-null: 24 complete months. The CX side is a CSAT point's percentage (300 answers a
  month) whose true value follows its own process; the business KPI follows another,
  independent one. Four links per report, one per pair of processes: both random walks (steps
  of 1.5 and 0.5 points), both trending (+0.8 and −0.3 points a month with noise), a random
  walk against a trend and a trend against a random walk. Measured: the share of links
  `supported` or `contradicted`. Goal: ≤ 5 %.
- links-planted: the business KPI's monthly change is 0.3 × the CX side's change plus noise
  of the same size as that signal (a real link); measured: the share of links `supported`.

Runs are seeded (`--seed`, each run from its own `random.Random`); progress goes to standard
error; the figures, the seed, the exact command and the wall time to standard output. The exit
status is always 0.

Run from the repository root:

    .venv/bin/python bench/bench_voc_decisions.py                 # about 5 minutes on 1 CPU
    .venv/bin/python bench/bench_voc_decisions.py --runs 40       # a smoke run
    .venv/bin/python bench/bench_voc_decisions.py --scenario links-null --runs 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cxgov.judgement.cells import Aggregates, Cell, PeriodValue
from cxgov.judgement.periods import Period
from cxgov.judgement.voc import Impact, ThemeReport
from cxgov.model import Program
from cxgov.stats import Counts, normal_quantile, pearson
from cxgov.voc.links import links_section
from cxgov.voc.records import Comment
from cxgov.voc.themes import theme_section

AS_OF = dt.date(2026, 1, 1)
MONTHS = 7
"""Months of comments drawn: six reported, the oldest read for the first change."""
NPS_COMMENTS, CSAT_COMMENTS = 400, 300
NPS_NULL = (0.5, 0.3, 0.2)
"""Promoters, passives, detractors: NPS 30."""
NPS_LOWER = (0.4, 0.3, 0.3)
"""NPS 10: 20 points lower."""
CSAT_POSITIVE = 0.8
LINK_MONTHS = 24
LARGER_GROUPS = (120, 240, 480, 960)
"""Planted groups printed beside `--group`: where detection reaches the goal."""
SCENARIOS = ("themes-null", "themes-planted", "links-null", "links-planted")


def _months(count: int, end: dt.date) -> list[Period]:
    """`count` complete calendar months ending before `end`, oldest first."""
    found = []
    year, month = end.year, end.month
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        start = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        found.append(Period(start, following - dt.timedelta(days=1), True))
    return found[::-1]


def program(themes: int, links: Sequence[dict[str, str]] = ()) -> Program:
    kpis: list[dict[str, Any]] = [
        {"id": "nps", "name": "NPS", "type": "nps"},
        {"id": "csat", "name": "CSAT", "type": "csat"},
    ]
    points: list[dict[str, Any]] = [
        {"id": "mp-nps", "kpi": "nps", "journey": "j", "method": "relationship_survey"},
        {
            "id": "mp-csat",
            "kpi": "csat",
            "journey": "j",
            "touchpoint": "t",
            "method": "transactional_survey",
        },
    ]
    for link in links:
        kpis.append({"id": link["business"], "name": link["business"], "type": "value"})
        points.append(
            {
                "id": f"mp-{link['business']}",
                "kpi": link["business"],
                "journey": "j",
                "method": "system",
            }
        )
    return Program.model_validate(
        {
            "program": {
                "id": "bench",
                "name": "Bench",
                "language": "en",
                "timezone": "UTC",
                "cx_owner": "cx",
                "sponsor": "cx",
            },
            "owners": [{"id": "cx", "name": "CX"}],
            "journeys": [
                {
                    "id": "j",
                    "name": "Journey",
                    "stages": [{"id": "s", "name": "Stage"}],
                    "channels": [{"id": "c", "name": "Channel"}],
                    "touchpoints": [
                        {"id": "t", "name": "Touchpoint", "stage": "s", "channel": "c"}
                    ],
                }
            ],
            "kpis": kpis,
            "measurement_points": points,
            "objectives": [],
            "themes": [
                {"id": f"t{i:02d}", "name": f"Theme {i}", "match": {"any": [f"word{i}"]}}
                for i in range(themes)
            ],
            "links": list(links),
        }
    )


def _nps_score(generator: random.Random, mix: tuple[float, float, float]) -> int:
    u = generator.random()
    if u < mix[0]:
        return generator.choice((9, 10))
    if u < mix[0] + mix[1]:
        return generator.choice((7, 8))
    return generator.randint(0, 6)


def _csat_score(generator: random.Random) -> int:
    return (
        generator.choice((4, 5)) if generator.random() < CSAT_POSITIVE else generator.randint(1, 3)
    )


@dataclass
class _Comments:
    out: list[Comment]
    number: int = 0

    def add(self, point: str, day: dt.date, value: int, tags: dict[str, str]) -> None:
        self.number += 1
        at = dt.datetime.combine(day, dt.time(12)) + dt.timedelta(seconds=self.number)
        self.out.append(
            Comment(
                self.number,
                point,
                at,
                day,
                value,
                False,
                None,
                {},
                "x",
                tags,
                ("bench", f"r{self.number}"),
            )
        )


def theme_comments(generator: random.Random, themes: int, planted: int = 0) -> list[Comment]:
    """Seven months of comments at both points; with `planted`, theme `planted` is mentioned in
    the newest month by that many NPS answers with an NPS 20 points lower."""
    shares = [generator.uniform(0.03, 0.25) for _ in range(themes)]
    comments = _Comments([])
    months = _months(MONTHS, AS_OF)
    for index, month in enumerate(months):
        day = month.start + dt.timedelta(days=14)
        newest = index == len(months) - 1
        extra = planted if newest else 0
        for point, count in (("mp-nps", NPS_COMMENTS + extra), ("mp-csat", CSAT_COMMENTS)):
            for answer in range(count):
                tags = {
                    f"t{i:02d}": f"word{i}" for i in range(themes) if generator.random() < shares[i]
                }
                if point == "mp-nps":
                    lower = planted and newest and answer < planted
                    if lower:
                        tags[f"t{themes:02d}"] = f"word{themes}"
                    value = _nps_score(generator, NPS_LOWER if lower else NPS_NULL)
                else:
                    value = _csat_score(generator)
                comments.add(point, day, value, tags)
    return comments.out


def _impacts(section: Sequence[ThemeReport]) -> list[tuple[str, str, Period, Impact]]:
    return [
        (theme.id, point.measurement_point, row.period, row.impact)
        for theme in section
        for point in theme.points
        for row in point.periods
    ]


def _old_label(impact: Impact) -> bool:
    """The rule before: the interval excludes zero with at least 5 answers on each side."""
    d = impact.difference
    if d is None or d.ci_low is None or d.ci_high is None:
        return False
    if min(impact.with_theme.n, impact.without_theme.n) < 5:
        return False
    return d.ci_high < 0 or d.ci_low > 0


LABELS = ("lowers_kpi", "raises_kpi")


@dataclass
class _Tally:
    runs: int = 0
    labels: int = 0
    any_label: int = 0
    old_labels: int = 0
    old_any: int = 0
    comparisons: int = 0

    def line(self, name: str) -> str:
        n = max(self.runs, 1)
        return (
            f"{name:<28} runs {self.runs:>5}  comparisons/report {self.comparisons / n:6.1f}  "
            f"false labels/report {self.labels / n:6.3f} "
            f"(reports with any {self.any_label / n:6.1%})"
            f"  | baseline {self.old_labels / n:6.3f} ({self.old_any / n:6.1%})"
        )


def themes_null(runs: int, seed: int, progress: Callable[[str], None]) -> list[str]:
    lines = []
    for count in (5, 10, 20):
        shop = program(count)
        tally = _Tally()
        for run in range(runs):
            generator = random.Random(f"themes-null|{count}|{seed}|{run}")
            section, decisions = theme_section(
                shop, theme_comments(generator, count), AS_OF, redact=str
            )
            impacts = _impacts(section)
            labels = sum(i.effect in LABELS for *_, i in impacts)
            old = sum(_old_label(i) for *_, i in impacts)
            tally.runs += 1
            tally.labels += labels
            tally.any_label += labels > 0
            tally.old_labels += old
            tally.old_any += old > 0
            tally.comparisons += decisions.comparisons
            if run % 50 == 49:
                progress(f"themes-null {count} themes: {run + 1}/{runs}")
        lines.append(tally.line(f"{count} themes, no effect"))
    lines.append("goal: ≤ 0.25 false labels per report on average")
    return lines


def themes_planted(runs: int, seed: int, group: int, progress: Callable[[str], None]) -> list[str]:
    lines = []
    newest = _months(MONTHS, AS_OF)[-1]
    shop = program(6)
    for size in sorted({group, *LARGER_GROUPS}):
        found = old_found = false = oracle = 0
        for run in range(runs):
            generator = random.Random(f"themes-planted|{size}|{seed}|{run}")
            comments = theme_comments(generator, 5, planted=size)
            oracle += _oracle_finds(comments, newest)
            section, _ = theme_section(shop, comments, AS_OF, redact=str)
            for theme, point, period, impact in _impacts(section):
                planted = theme == "t05" and point == "mp-nps" and period == newest
                if planted:
                    found += impact.effect == "lowers_kpi"
                    old_found += (
                        _old_label(impact)
                        and (impact.difference is not None)
                        and ((impact.difference.delta or 0) < 0)
                    )
                elif theme != "t05":
                    false += impact.effect in LABELS
            if run % 50 == 49:
                progress(f"themes-planted group {size}: {run + 1}/{runs}")
        lines.append(
            f"group of {size:>3}, NPS 20 lower      runs {runs:>5}  found {found / runs:6.1%}  "
            f"false labels of the 5 null themes/report {false / runs:6.3f}  | baseline found "
            f"{old_found / runs:6.1%}  | oracle found {oracle / runs:6.1%}"
        )
    lines.append(f"goal: ≥ 80 % found for a group of {group}")
    lines.append(
        "oracle: one one-sided test at 5 % of the planted theme alone (it knows the theme, the "
        "point, the month and the direction; nothing adjusted): no test at a 5 % error rate "
        "finds the effect more often"
    )
    return lines


def _oracle_finds(comments: Sequence[Comment], month: Period) -> bool:
    """The most powerful test of this one difference at 5 %, as if nothing else were tested:
    one-sided, of NPS with the planted theme against without it in the month it was planted
    (per-answer scores +1/0/-1, the two groups' own variances). Its detection rate is the
    ceiling for any test of the same error rate: a report that also adjusts for its other
    comparisons can only find less."""
    scores: dict[bool, list[int]] = {True: [], False: []}
    for c in comments:
        if c.point == "mp-nps" and month.start <= c.day <= month.end and c.value is not None:
            scores["t05" in c.tags].append(1 if c.value >= 9 else -1 if c.value <= 6 else 0)
    variance = 0.0
    for group in scores.values():
        mean = sum(group) / len(group)
        variance += sum((x - mean) ** 2 for x in group) / (len(group) - 1) / len(group)
    difference = statistics.fmean(scores[True]) - statistics.fmean(scores[False])
    return difference / math.sqrt(variance) < -normal_quantile(0.95)


def _random_walk(generator: random.Random, start: float, step: float) -> list[float]:
    values = [start]
    for _ in range(LINK_MONTHS - 1):
        values.append(values[-1] + generator.gauss(0, step))
    return values


def _trend(generator: random.Random, start: float, slope: float, noise: float) -> list[float]:
    return [start + slope * i + generator.gauss(0, noise) for i in range(LINK_MONTHS)]


PROCESSES: dict[
    str, tuple[Callable[[random.Random], list[float]], Callable[[random.Random], list[float]]]
] = {
    "random walks": (
        lambda g: _random_walk(g, 80.0, 1.5),
        lambda g: _random_walk(g, 90.0, 0.5),
    ),
    "trends": (
        lambda g: _trend(g, 70.0, 0.8, 1.0),
        lambda g: _trend(g, 90.0, -0.3, 0.3),
    ),
    "walk vs trend": (
        lambda g: _random_walk(g, 80.0, 1.5),
        lambda g: _trend(g, 90.0, 0.3, 0.3),
    ),
    "trend vs walk": (
        lambda g: _trend(g, 70.0, 0.8, 1.0),
        lambda g: _random_walk(g, 90.0, 0.5),
    ),
}


def _csat_counts(generator: random.Random, share: float) -> Counts:
    """300 answers whose true top-box share is `share` (kept within 1..99 %)."""
    p = min(max(share, 1.0), 99.0) / 100
    positives = sum(generator.random() < p for _ in range(300))
    return Counts(n=300, positives=positives)


def _link_aggregates(
    generator: random.Random, cx: Sequence[list[float]], business: Sequence[list[float]]
) -> Aggregates:
    months = _months(LINK_MONTHS, AS_OF)
    counts: dict[Cell, Counts] = {}
    values: dict[Cell, PeriodValue] = {}
    series: dict[str, list[Period]] = {"mp-csat": months}
    for i, month in enumerate(months):
        counts[Cell("mp-csat", month, ())] = _csat_counts(generator, cx[0][i])
    for index, values_of in enumerate(business):
        point = f"mp-b{index}"
        series[point] = months
        for i, month in enumerate(months):
            values[Cell(point, month, ())] = PeriodValue(values_of[i], None)
    return Aggregates(counts, values, {}, series)


def _old_link(pairs: Sequence[tuple[float, float]]) -> bool:
    found = pearson([x for x, _ in pairs], [y for _, y in pairs])
    return not found.includes_zero


def links_null(runs: int, seed: int, progress: Callable[[str], None]) -> list[str]:
    """One CX series per kind of process; each report links it to one business series."""
    lines = []
    for name, (cx_process, business_process) in PROCESSES.items():
        shop = program(0, [{"cx": "mp-csat", "business": "b0", "expected": "positive"}])
        decided = old = estimable = 0
        for run in range(runs):
            generator = random.Random(f"links-null|{name}|{seed}|{run}")
            cx = cx_process(generator)
            business = business_process(generator)
            (link,) = links_section(shop, _link_aggregates(generator, [cx], [business]))
            estimable += link.r is not None
            decided += link.verdict in ("supported", "contradicted")
            old += _old_link([(p.cx or 0.0, p.business or 0.0) for p in link.pairs])
            if run % 200 == 199:
                progress(f"links-null {name}: {run + 1}/{runs}")
        lines.append(
            f"{name:<16} links {runs:>5}  supported or contradicted {decided / runs:6.1%}  "
            f"(estimable {estimable / runs:6.1%})  | baseline (levels) {old / runs:6.1%}"
        )
    lines.append("goal: ≤ 5 % supported or contradicted")
    return lines


def links_planted(runs: int, seed: int, progress: Callable[[str], None]) -> list[str]:
    shop = program(0, [{"cx": "mp-csat", "business": "b0", "expected": "positive"}])
    supported = old = 0
    for run in range(runs):
        generator = random.Random(f"links-planted|{seed}|{run}")
        cx = _random_walk(generator, 80.0, 2.0)
        business = [90.0]
        for i in range(1, LINK_MONTHS):
            business.append(business[-1] + 0.3 * (cx[i] - cx[i - 1]) + generator.gauss(0, 0.6))
        (link,) = links_section(shop, _link_aggregates(generator, [cx], [business]))
        supported += link.verdict == "supported"
        old += _old_link([(p.cx or 0.0, p.business or 0.0) for p in link.pairs])
        if run % 200 == 199:
            progress(f"links-planted: {run + 1}/{runs}")
    return [
        f"real link (Δbusiness = 0.3·ΔCX + noise)  links {runs:>5}  "
        f"supported {supported / runs:6.1%}"
        f"  | baseline (levels, interval excludes zero) {old / runs:6.1%}"
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=SCENARIOS, action="append")
    parser.add_argument("--runs", type=int, default=200, help="reports per case (default 200)")
    parser.add_argument(
        "--link-runs", type=int, help="links per case (default 5 × --runs: a link is cheap)"
    )
    parser.add_argument(
        "--group", type=int, default=60, help="answers mentioning the planted theme"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    scenarios = args.scenario or list(SCENARIOS)
    link_runs = args.link_runs or 5 * args.runs
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"  … {message}", file=sys.stderr, flush=True)

    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(
        f"seed {args.seed}; as of {AS_OF}; decisions at the program defaults "
        "(5 %, Benjamini–Hochberg, min group 20)"
    )
    for scenario in scenarios:
        print(f"\n## {scenario}")
        if scenario == "themes-null":
            lines = themes_null(args.runs, args.seed, progress)
        elif scenario == "themes-planted":
            lines = themes_planted(args.runs, args.seed, args.group, progress)
        elif scenario == "links-null":
            lines = links_null(link_runs, args.seed, progress)
        else:
            lines = links_planted(link_runs, args.seed, progress)
        print("\n".join(lines), flush=True)
    print(f"\nwall time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
