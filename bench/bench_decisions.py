"""Benchmark of cxgov's decisions: false alarms, detection and action verification, simulated
through the real pipeline.

Each replication writes nothing but answers: a program of 32 objectives on 32 monthly
measurement points (NPS 0–10, CSAT 1–5 top-two-box %, CES 1–7 top-box %, in turn) is written
once, and every replication has its own SQLite store in a temporary folder. Month by month it
draws that month's answers from known true distributions into a CSV file, loads them with
`cxgov.api.ingest` and records the nightly run with `cxgov.api.run`, "now" pinned to noon UTC
on the day after the month's end (the as-of date), never the wall clock. After every run it
reads the stored run record (`cxgov.store.runs.load_record`) and the actions
(`cxgov.api.list_actions`, `cxgov.api.show_action`) back from the store. Nothing printed by
cxgov is parsed.

True values and thresholds (warn and fail a few points below target):

    NPS   target 30, warn 25, fail 20; promoters 50 %, passives 30 %, detractors 20 %
    CSAT  target 80 %, warn 77, fail 74 (answers 4–5 of 1–5 are positive)
    CES   target 75 %, warn 72, fail 69 (answers 5–7 of 1–7 are positive)

One action policy opens actions on fail, warn, below_target and decline (default due days,
closing after 2 passing periods, verification within 2 periods). The scenarios (`--scenario`,
default all three):

- null: every KPI's true value is exactly its target; each point gets a fixed number of answers
  a month, drawn once per replication uniformly from 30–300. Measured: the share of
  objective-months flagged (status warn or fail, or the decline flag, in the period's verdict of
  the run right after the month), the share of months with any flag, actions opened per month
  (the run record's action counts) and the share of objectives that opened an action at all.
  Goals: ≤ 2 % objective-months flagged, ≤ 10 % of objectives with any action.
- shortfall: the same program; from `--shift-month` (13) one NPS point falls 10 points below
  target and one CSAT and one CES point 5 points, at each of `--volumes` (300 and 100) answers
  a month. Detected: an action of the objective (any trigger) opened or repeated for a period
  from the shift on. Measured per KPI and volume: the share detected within 3 complete periods
  after the shift, the median delay, and the false-alarm figures of the 26 unshifted
  objectives. Goal: ≥ 80 % within 3 periods at ≥ 300 answers a month.
- verification: from `--shift-month` two points of each KPI per kind of fix fall below target
  as above, at `--verify-volume` (300) answers a month. The first run that holds an action on
  such an objective for a shifted period, the simulation resolves it as its owner would
  (`cxgov.api.change_action(..., "resolved")`) at the next month's end; the fix either did
  nothing (the KPI stays below) or restored the KPI to target from the following month on.
  Measured: of the did-nothing fixes the share verified effective, of the restoring fixes the
  share reopened as ineffective, and of both the share with neither within `--verify-months`
  (6) runs. Goals: ≤ 5 % and ≤ 5 %.

Verdict statuses are counted as strings, so the figures survive a change of statuses: a flag
is a status in FLAG_STATUSES or the verdict's decline flag (`flagged`, below).

Replications run in `--jobs` processes (default: the number of CPUs, at most 2); each runs
from its own seed (printed), with `random.Random(seed)`. Progress goes to standard error; the
figures, the seeds, the exact command and the wall time to standard output. The exit status is
always 0.

Run from the repository root:

    .venv/bin/python bench/bench_decisions.py                  # 8-14 minutes on 2 CPUs
    .venv/bin/python bench/bench_decisions.py --quick          # a smoke run, under a minute
    .venv/bin/python bench/bench_decisions.py --scenario null --replications 40 --seed 2
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import gc
import os
import resource
import shlex
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import TYPE_CHECKING

if not __package__:  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import verdict

if TYPE_CHECKING:  # cxgov itself is imported in the replications' processes, on first use
    from cxgov.api import Action, ActionHistory
    from cxgov.judgement.record import RunRecord

PROGRAM_ID = "decisions"
SOURCE_ID = "answers"
POLICY_ID = "alarms"
OWNER = "point-owner"
FIRST_MONTH = (2024, 1)  # in the past, so no answer is "in the future" of the pinned clock
OBJECTIVES = 32

FLAG_STATUSES = frozenset({"warn", "fail"})
"""Verdict statuses shown as a miss. Counted as plain strings: after the rework of the
statuses (on_target, within_noise, below_target, warn, fail, insufficient_sample, no_data,
pending) the same set still names the alarms."""
ENDED_ACTION = frozenset({"verified_effective", "closed_recovered", "cancelled"})
OPEN_ON = ("fail", "warn", "below_target", "decline")
"""The action policy's triggers; `below_target` only when the model knows that status."""
NOTHING, RESTORED = "did nothing", "restored"
"""The two kinds of fix in the verification scenario."""
VERIFIED, REOPENED = "verify_effective", "reopen_ineffective"
"""The action events that record a verification's outcome."""

# the goals each scenario is held to
GOAL_FLAGGED = 0.02
GOAL_ANY_ACTION = 0.10
GOAL_DETECTED = 0.80
GOAL_DETECT_PERIODS = 3
GOAL_DETECT_VOLUME = 300
GOAL_FALSE_VERIFIED = 0.05
GOAL_FALSE_REOPENED = 0.05


@dataclass(frozen=True)
class KpiSpec:
    id: str
    type: str
    target: float
    warn: float
    fail: float
    shift: float
    """How far below target a shifted point's true value falls."""


KPIS = (
    KpiSpec("nps", "nps", 30, 25, 20, 10),
    KpiSpec("csat", "csat", 80, 77, 74, 5),
    KpiSpec("ces", "ces", 75, 72, 69, 5),
)
NPS_PASSIVES = 0.30


def kpi_of(index: int) -> KpiSpec:
    return KPIS[index % len(KPIS)]


def point_id(index: int) -> str:
    return f"mp-{index + 1:02d}"


def objective_id(index: int) -> str:
    return f"o-{index + 1:02d}-{kpi_of(index).id}"


# --- the program ------------------------------------------------------------------------------


def write_program(
    directory: Path, open_on: tuple[str, ...], confidence: float | None = None
) -> Path:
    """The program files (YAML only; the answers are passed to ingest by name). With
    `confidence`, every objective sets it (today the interval at that level then decides
    warn and fail instead of the value alone)."""
    directory.mkdir(parents=True, exist_ok=True)
    points, objectives = ["measurement_points:"], ["objectives:"]
    touchpoints = []
    for index in range(OBJECTIVES):
        kpi = kpi_of(index)
        touchpoints.append(
            f"      - {{id: tp-{index + 1:02d}, name: Touchpoint {index + 1}, stage: use, "
            f"channel: web}}"
        )
        points += [
            f"  - id: {point_id(index)}",
            f"    kpi: {kpi.id}",
            "    journey: customer",
            f"    touchpoint: tp-{index + 1:02d}",
            "    method: transactional_survey",
            f"    source: {SOURCE_ID}",
            "    window: {calendar: month}",
            "    min_sample: 30",
        ]
        objectives += [
            f"  - id: {objective_id(index)}",
            f"    name: {kpi.id.upper()} at touchpoint {index + 1}",
            f"    measurement_point: {point_id(index)}",
            f"    action_policy: {POLICY_ID}",
            *([f"    confidence: {confidence:g}"] if confidence is not None else []),
            "    targets:",
            f"      - {{effective_from: 2020-01-01, target: {kpi.target:g}, warn: {kpi.warn:g}, "
            f"fail: {kpi.fail:g}}}",
        ]
    files = {
        "program.yaml": (
            f"program:\n  id: {PROGRAM_ID}\n  name: Decisions benchmark\n  timezone: UTC\n"
            f"  cx_owner: {OWNER}\n  sponsor: sponsor\n"
        ),
        "owners.yaml": (
            f"owners:\n  - {{id: sponsor, name: Sponsor}}\n"
            f"  - {{id: {OWNER}, name: Point owner, escalates_to: sponsor}}\n"
        ),
        "journey.yaml": "\n".join(
            [
                "journeys:",
                "  - id: customer",
                "    name: Customer journey",
                f"    owner: {OWNER}",
                "    stages: [{id: use, name: Use}]",
                "    channels: [{id: web, name: Web}]",
                "    touchpoints:",
                *touchpoints,
            ]
        )
        + "\n",
        "kpis.yaml": "kpis:\n"
        + "".join(f"  - {{id: {k.id}, name: {k.id.upper()}, type: {k.type}}}\n" for k in KPIS),
        "measurement_points.yaml": "\n".join(points) + "\n",
        "objectives.yaml": "\n".join(objectives) + "\n",
        "action_policies.yaml": (
            f"action_policies:\n  - id: {POLICY_ID}\n    open_on: [{', '.join(open_on)}]\n"
            "    assignee: measurement_point_owner\n"
        ),
        "sources.yaml": (
            f"sources:\n  - id: {SOURCE_ID}\n    format: csv\n    layout: long\n"
            "    path: data/*.csv\n"
            '    delimiter: ","\n'
            "    columns:\n"
            "      response_id: response_id\n"
            "      collected_at: collected_at\n"
            "      measurement_point: measurement_point\n"
            "      value: value\n"
        ),
    }
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def accepted_triggers() -> tuple[str, ...]:
    """OPEN_ON without the statuses the program model does not know (yet)."""
    from cxgov.model.base import Status

    known = {s.value for s in Status}
    return tuple(t for t in OPEN_ON if t in known)


# --- the answers ------------------------------------------------------------------------------


def month_of(index: int) -> tuple[int, int]:
    """(year, month) of the 0-based simulated month."""
    months = FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + index
    return months // 12, months % 12 + 1


def month_start(index: int) -> dt.date:
    return dt.date(*month_of(index), 1)


def month_end(index: int) -> dt.date:
    year, month = month_of(index)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def draw_answer(rng: Random, kpi: KpiSpec, true_value: float) -> int:
    """One answer from the distribution whose KPI is exactly `true_value`."""
    u = rng.random()
    if kpi.type == "nps":
        # promoters − detractors = NPS, passives fixed
        promoters = (1 - NPS_PASSIVES + true_value / 100) / 2
        if u < promoters:
            return rng.choice((9, 10))
        if u < promoters + NPS_PASSIVES:
            return rng.choice((7, 8))
        return rng.randint(0, 6)
    positive = u < true_value / 100
    if kpi.type == "csat":
        return rng.choice((4, 5)) if positive else rng.randint(1, 3)
    return rng.randint(5, 7) if positive else rng.randint(1, 4)


def write_month(
    path: Path, rng: Random, month: int, volumes: list[int], true_values: list[float]
) -> int:
    """One month's answers: volumes[i] answers of point i, spread over the month."""
    year, number = month_of(month)
    days = calendar.monthrange(year, number)[1]
    lines = ["response_id,collected_at,measurement_point,value"]
    for index, (n, value) in enumerate(zip(volumes, true_values, strict=True)):
        kpi = kpi_of(index)
        for k in range(n):
            second = rng.randrange(86_400)
            lines.append(
                f"m{month:02d}p{index:02d}r{k:04d},"
                f"{year:04d}-{number:02d}-{rng.randrange(days) + 1:02d}T"
                f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d},"
                f"{point_id(index)},{draw_answer(rng, kpi, value)}"
            )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


# --- counting: small functions, so a change of statuses or records is easy to follow ---------


def declined(trend: dict[str, object]) -> bool:
    return bool(trend.get("decline"))


def flagged(status: str, trend: dict[str, object]) -> bool:
    """A verdict shown as an alarm: a miss status, or a significant decline."""
    return status in FLAG_STATUSES or declined(trend)


def flag_kind(status: str, trend: dict[str, object]) -> str:
    """What flagged a verdict ("" when nothing did): its status when that is a miss, else
    the decline."""
    if not flagged(status, trend):
        return ""
    return status if status in FLAG_STATUSES else "decline"


@dataclass(frozen=True)
class Judged:
    """One objective's verdict of the month the run's as-of date ends."""

    objective: str
    month: int
    status: str
    flag: str
    """"" when not flagged, else what flagged it (flag_kind)."""


@dataclass(frozen=True)
class ActionSeen:
    """An action as the last run left it (from the store)."""

    id: int
    objective: str
    trigger: str
    status: str
    first_seen: int
    """The month whose run first showed it."""


@dataclass
class Replication:
    """What one replication returns: plain values, cheap to send between processes."""

    scenario: str
    index: int
    seed: int
    shifted: dict[str, str] = field(default_factory=dict)
    """Objective → its group (KPI and volume, or KPI and kind of fix)."""
    judged: list[Judged] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)
    """Actions opened by each month's run (the run record's action counts)."""
    actions: list[ActionSeen] = field(default_factory=list)
    detected: dict[str, int] = field(default_factory=dict)
    """Shifted objective → first month (0-based) whose run held an action for a shifted
    period."""
    outcome: dict[str, str] = field(default_factory=dict)
    """Verification: shifted objective → verified, reopened, inconclusive or why not judged."""
    answers: int = 0
    run_seconds: list[float] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def newest_verdicts(record: RunRecord, month: int) -> list[Judged]:
    """The verdicts of the month the run just completed, one per objective."""
    start = month_start(month)
    return [
        Judged(v.objective, month, v.status, flag_kind(v.status, v.trend))
        for v in record.verdicts
        if v.start == start and v.complete and not v.segment
    ]


def opened_count(record: RunRecord) -> int:
    """Actions the run opened, from its record."""
    return 0 if record.actions is None else int(record.actions.counts.get("open", 0))


def holds_shifted_period(action: Action, shift_start: dt.date) -> bool:
    """An action that was opened or repeated for a period from the shift on."""
    return action.last_period_end >= shift_start


def verification_outcome(history: ActionHistory, resolved_at: dt.datetime) -> str | None:
    """What the runs after the resolution made of it, from the action's events."""
    for event in history.events:
        if event.at >= resolved_at.replace(tzinfo=None) and event.kind in (VERIFIED, REOPENED):
            return "verified" if event.kind == VERIFIED else "reopened"
    return None


def fix_outcome(outcomes: list[str | None]) -> str:
    """One fix's outcome from those of the actions it resolved (a miss and a decline may be
    resolved together): a reopening counts first, then a verification."""
    if "reopened" in outcomes:
        return "reopened"
    return "verified" if "verified" in outcomes else "inconclusive"


# --- one replication ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """A scenario's settings, the same for all its replications."""

    scenario: str
    months: int
    shift_month: int
    """0-based month from which shifted points are below target."""
    volumes: tuple[int, ...] = ()
    verify_volume: int = 300
    verify_points: int = 2
    verify_months: int = 6


def shifted_points(plan: Plan) -> dict[int, tuple[str, int]]:
    """Point index → (group, fixed monthly volume) of the points that fall below target."""
    chosen: dict[int, tuple[str, int]] = {}
    by_kpi = {k.id: [i for i in range(OBJECTIVES) if kpi_of(i).id == k.id] for k in KPIS}
    if plan.scenario == "shortfall":
        for kpi in KPIS:
            for slot, volume in enumerate(plan.volumes):
                chosen[by_kpi[kpi.id][slot]] = (f"{kpi.id} at {volume}/month", volume)
    elif plan.scenario == "verification":
        for kpi in KPIS:
            for slot in range(2 * plan.verify_points):
                fix = NOTHING if slot % 2 == 0 else RESTORED
                chosen[by_kpi[kpi.id][slot]] = (f"{kpi.id}, fix {fix}", plan.verify_volume)
    return chosen


def replicate(program: str, plan: Plan, index: int, seed: int, scratch: str) -> Replication:
    """One replication in a fresh store; any error is returned, not raised."""
    result = Replication(plan.scenario, index, seed)
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix=f"{plan.scenario}-{index}-", dir=scratch) as work:
            _simulate(Path(program), plan, Path(work), Random(seed), result)
    except Exception as exc:  # a measurement, not a test: report the failure and go on
        result.error = f"{type(exc).__name__}: {exc}"
    # a worker runs many replications, and without a full collection each would leave about
    # 40 MB of cyclic garbage behind (measured: 124 MB after one, 331 MB after six)
    gc.collect()
    result.seconds = time.perf_counter() - started
    return result


def _simulate(program: Path, plan: Plan, work: Path, rng: Random, result: Replication) -> None:
    from cxgov import api
    from cxgov.store.engine import make_engine
    from cxgov.store.runs import latest_run_id, load_record

    db = f"sqlite:///{work / 'store.db'}"
    shifted = shifted_points(plan)
    names = {objective_id(i): group for i, (group, _) in shifted.items()}
    result.shifted = dict(names)
    volumes = [shifted[i][1] if i in shifted else rng.randint(30, 300) for i in range(OBJECTIVES)]
    shift_start = month_start(plan.shift_month)
    first_seen: dict[int, int] = {}
    # verification: objective → (action ids, the instant they were resolved, its month)
    resolved: dict[str, tuple[list[int], dt.datetime, int]] = {}
    restored_after: dict[int, int] = {}
    """Point → the month after which its restoring fix holds."""
    engine = make_engine(db)
    try:
        for month in range(plan.months):
            truth = []
            for i in range(OBJECTIVES):
                kpi = kpi_of(i)
                below = i in shifted and month >= plan.shift_month
                if i in restored_after and month > restored_after[i]:
                    below = False
                truth.append(kpi.target - kpi.shift if below else kpi.target)
            answers = work / f"answers-{month:02d}.csv"
            result.answers += write_month(answers, rng, month, volumes, truth)
            as_of = month_end(month) + dt.timedelta(days=1)
            clock = api.pinned(noon(as_of))
            api.ingest(str(program), SOURCE_ID, [str(answers)], db=db, clock=clock)
            answers.unlink()
            began = time.perf_counter()
            api.run(str(program), as_of=as_of, db=db, out=None, clock=clock)
            result.run_seconds.append(time.perf_counter() - began)

            with engine.connect() as connection:
                run_id = latest_run_id(connection, PROGRAM_ID)
                assert run_id is not None
                record = load_record(connection, PROGRAM_ID, run_id)
            if record.run.as_of != as_of:
                raise RuntimeError(f"the newest run is as of {record.run.as_of}, not {as_of}")
            result.judged.extend(newest_verdicts(record, month))
            result.opened.append(opened_count(record))
            actions = api.list_actions(db, api.ActionFilter(program=PROGRAM_ID))
            for action in actions:
                first_seen.setdefault(action.id, month)
                if (
                    action.objective in names
                    and action.objective not in result.detected
                    and month >= plan.shift_month
                    and holds_shifted_period(action, shift_start)
                ):
                    result.detected[action.objective] = month
            if plan.scenario != "verification":
                continue
            _follow_verification(db, plan, month, actions, names, shift_start, resolved, result)
            for i, (group, _) in shifted.items():
                if objective_id(i) in resolved and group.endswith(RESTORED):
                    restored_after[i] = resolved[objective_id(i)][2]
        result.actions = [
            ActionSeen(a.id, a.objective, a.trigger, a.status, first_seen[a.id])
            for a in api.list_actions(db, api.ActionFilter(program=PROGRAM_ID))
        ]
    finally:
        engine.dispose()
    for objective in names:
        if plan.scenario == "verification" and objective not in result.outcome:
            found = "not watched long enough" if objective in resolved else "no action to resolve"
            result.outcome[objective] = found


def _follow_verification(
    db: str,
    plan: Plan,
    month: int,
    actions: list[Action],
    names: dict[str, str],
    shift_start: dt.date,
    resolved: dict[str, tuple[list[int], dt.datetime, int]],
    result: Replication,
) -> None:
    """After the run of `month`: the outcome of the fixes resolved earlier, from the actions'
    events; then the owner resolves each new action on a shifted period at the end of the
    month after the one that opened it (the month that is now running)."""
    from cxgov import api

    for objective, (ids, at, when) in resolved.items():
        if objective in result.outcome:
            continue
        outcomes = [verification_outcome(api.show_action(i, db), at) for i in ids]
        if None in outcomes and month - when < plan.verify_months:
            continue  # not every action resolved at once has been judged yet
        result.outcome[objective] = fix_outcome(outcomes)
    if month < plan.shift_month or month + 1 >= plan.months:
        return  # no shortfall yet, or no run after the fix would judge it
    for objective in names:
        if objective in resolved:
            continue
        held = [
            a.id
            for a in actions
            if a.objective == objective
            and a.status not in ENDED_ACTION
            and a.status != "resolved"
            and holds_shifted_period(a, shift_start)
        ]
        if not held:
            continue
        at = dt.datetime.combine(month_end(month + 1), dt.time(18), tzinfo=dt.UTC)
        for action_id in held:
            api.change_action(
                action_id, "resolved", actor=OWNER, db=db, note="fixed", clock=api.pinned(at)
            )
        resolved[objective] = (held, at, month + 1)


# --- the figures --------------------------------------------------------------------------------


def share(part: float, whole: float) -> str:
    return "n/a" if not whole else f"{100 * part / whole:.1f} %"


def goal_text(value: float | None, goal: float, *, at_most: bool) -> str:
    sign = "<=" if at_most else ">="
    if value is None:
        return f"goal {sign} {100 * goal:g} %: n/a"
    ok = value <= goal if at_most else value >= goal
    return f"goal {sign} {100 * goal:g} %: {verdict(ok)}"


@dataclass
class FalseAlarms:
    """Flags and actions of objectives whose KPI is on target the whole time."""

    objective_months: int = 0
    flags: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    months: int = 0
    months_flagged: int = 0
    objectives: int = 0
    with_action: int = 0
    by_kpi: dict[str, list[int]] = field(default_factory=dict)
    """KPI → [objective-months, flagged, objectives, with an action]."""

    @property
    def flagged(self) -> int:
        return sum(self.flags.values())


def false_alarms(replications: Iterable[Replication]) -> FalseAlarms:
    """The flags and actions of the replications' unshifted objectives."""
    found = FalseAlarms()
    for rep in replications:
        on_target = {objective_id(i) for i in range(OBJECTIVES)} - rep.shifted.keys()
        acted = {a.objective for a in rep.actions}
        flagged_months: dict[int, bool] = {}
        for j in rep.judged:
            if j.objective not in on_target:
                continue
            kpi = found.by_kpi.setdefault(j.objective.rsplit("-", 1)[1], [0, 0, 0, 0])
            found.objective_months += 1
            found.statuses[j.status] += 1
            kpi[0] += 1
            if j.flag:
                found.flags[j.flag] += 1
                kpi[1] += 1
            flagged_months[j.month] = flagged_months.get(j.month, False) or bool(j.flag)
        found.months += len(flagged_months)
        found.months_flagged += sum(flagged_months.values())
        for objective in on_target:
            kpi = found.by_kpi.setdefault(objective.rsplit("-", 1)[1], [0, 0, 0, 0])
            found.objectives += 1
            kpi[2] += 1
            if objective in acted:
                found.with_action += 1
                kpi[3] += 1
    return found


def print_false_alarms(found: FalseAlarms, months: int, title: str) -> None:
    print(
        f"{title}: {found.objectives} objectives, {found.objective_months:,} objective-months "
        "(each month's verdict in the run right after it)"
    )
    flagged = found.flagged / found.objective_months if found.objective_months else None
    with_action = found.with_action / found.objectives if found.objectives else None
    rows = [
        (
            "objective-months flagged (warn, fail or decline)",
            share(found.flagged, found.objective_months),
            goal_text(flagged, GOAL_FLAGGED, at_most=True),
        ),
        *(
            (
                f"  flagged by {kind}{' alone' * (kind == 'decline')}",
                share(n, found.objective_months),
                "",
            )
            for kind, n in sorted(found.flags.items())
        ),
        ("months with at least one flag", share(found.months_flagged, found.months), ""),
        (
            f"objectives that opened an action in {months} months",
            share(found.with_action, found.objectives),
            goal_text(with_action, GOAL_ANY_ACTION, at_most=True),
        ),
    ]
    for label, figure, goal in rows:
        print(f"  {label:52} {figure:>10}   {goal}".rstrip())
    print(
        "  statuses of the objective-months: "
        + ", ".join(
            f"{status} {share(n, found.objective_months)}"
            for status, n in found.statuses.most_common()
        )
    )
    print(f"  {'KPI':6} {'objective-months':>17} {'flagged':>9} {'objectives':>11} {'acted':>8}")
    for kpi in [k.id for k in KPIS if k.id in found.by_kpi]:
        months_, flagged_, objectives, acted = found.by_kpi[kpi]
        print(
            f"  {kpi:6} {months_:17,} {share(flagged_, months_):>9} {objectives:11,} "
            f"{share(acted, objectives):>8}"
        )


def report_null(reps: list[Replication], plan: Plan) -> None:
    found = false_alarms(reps)
    print_false_alarms(found, plan.months, "null program, every KPI on target")
    opened = [n for rep in reps for n in rep.opened]
    print(
        f"  actions opened per month (run records): {statistics.mean(opened):.2f} mean, "
        f"{max(opened)} at most, of {OBJECTIVES} objectives"
        if opened
        else "  actions opened per month: n/a"
    )
    triggers = Counter(a.trigger for rep in reps for a in rep.actions)
    print(
        "  actions by trigger: "
        + (", ".join(f"{t} {n:,}" for t, n in triggers.most_common()) or "none")
    )


def delay_text(delays: list[float]) -> str:
    if not delays:
        return "n/a"
    middle = statistics.median(delays)
    return "never" if middle == float("inf") else f"{middle:g}"


def volume_of(group: str) -> int:
    """The monthly volume of a shortfall group ("nps at 300/month")."""
    return int(group.split()[2].split("/")[0])


def report_shortfall(reps: list[Replication], plan: Plan) -> None:
    print(
        f"sustained shortfall from month {plan.shift_month + 1}: NPS 10 points, CSAT and CES "
        "5 points below target; detected = an action of the objective opened or repeated for "
        "a period from the shift on (delay 1 = in the run right after the first month below)"
    )
    groups: dict[str, list[float]] = {}
    for rep in reps:
        for objective, group in rep.shifted.items():
            month = rep.detected.get(objective)
            delay = float("inf") if month is None else month - plan.shift_month + 1
            groups.setdefault(group, []).append(delay)
    horizon = plan.months - plan.shift_month
    print(
        f"  {'KPI and volume':20} {'replications':>12} {'within 3':>9} {'median delay':>13} "
        f"{'never (' + str(horizon) + ' runs)':>16}   goal"
    )
    order = [k.id for k in KPIS]
    for group in sorted(groups, key=lambda g: (order.index(g.split()[0]), -volume_of(g))):
        delays = groups[group]
        within = sum(d <= GOAL_DETECT_PERIODS for d in delays)
        goal = (
            goal_text(within / len(delays), GOAL_DETECTED, at_most=False)
            if volume_of(group) >= GOAL_DETECT_VOLUME
            else ""
        )
        never = sum(d == float("inf") for d in delays)
        print(
            f"  {group:20} {len(delays):12} {share(within, len(delays)):>9} "
            f"{delay_text(delays):>13} {share(never, len(delays)):>16}   {goal}".rstrip()
        )
    print_false_alarms(false_alarms(reps), plan.months, "the unshifted objectives")


def report_verification(reps: list[Replication], plan: Plan) -> None:
    print(
        f"action verification: points below target from month {plan.shift_month + 1} at "
        f"{plan.verify_volume} answers a month; each action resolved at the end of the month "
        f"after it opened; watched for {plan.verify_months} runs"
    )
    table: dict[tuple[str, str], Counter[str]] = {}
    for rep in reps:
        for objective, group in rep.shifted.items():
            kpi, fix = group.split(", fix ")
            outcome = rep.outcome.get(objective, "no outcome")
            for key in ((fix, kpi), (fix, "all")):
                table.setdefault(key, Counter())[outcome] += 1
    print(
        f"  {'fix':12} {'KPI':5} {'judged':>7} {'verified':>9} {'reopened':>9} "
        f"{'inconclusive':>13}   not judged"
    )
    for fix in (NOTHING, RESTORED):
        for kpi in [k.id for k in KPIS] + ["all"]:
            counts = table.get((fix, kpi), Counter())
            judged = sum(counts[o] for o in ("verified", "reopened", "inconclusive"))
            other = ", ".join(
                f"{o} {n}"
                for o, n in counts.items()
                if o not in ("verified", "reopened", "inconclusive")
            )
            goal = ""
            if kpi == "all" and judged:
                wrong = counts["verified"] if fix == NOTHING else counts["reopened"]
                limit = GOAL_FALSE_VERIFIED if fix == NOTHING else GOAL_FALSE_REOPENED
                goal = "   " + goal_text(wrong / judged, limit, at_most=True)
            print(
                f"  {fix:12} {kpi:5} {judged:7} {share(counts['verified'], judged):>9} "
                f"{share(counts['reopened'], judged):>9} "
                f"{share(counts['inconclusive'], judged):>13}   {other or '-'}{goal}"
            )
    print(
        "  goals: did-nothing fixes verified effective <= 5 %, restoring fixes reopened as "
        "ineffective <= 5 %"
    )


REPORTS = {"null": report_null, "shortfall": report_shortfall, "verification": report_verification}
SCENARIOS = tuple(REPORTS)
SEED_STRIDE = 10_000


def replication_seed(base: int, scenario: str, index: int) -> int:
    """Each replication's own seed: the base, the scenario and the replication's number."""
    return base * 100_000 + SCENARIOS.index(scenario) * SEED_STRIDE + index


def run_scenario(
    program: Path, plan: Plan, replications: int, seed: int, jobs: int, scratch: str
) -> tuple[list[Replication], float]:
    started = time.perf_counter()
    done: list[Replication] = []
    seeds = [replication_seed(seed, plan.scenario, r) for r in range(replications)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [
            pool.submit(replicate, str(program), plan, r, s, scratch) for r, s in enumerate(seeds)
        ]
        for index, future in enumerate(as_completed(futures)):
            try:
                rep = future.result()
            except Exception as exc:  # a worker that died: report it, measure the rest
                rep = Replication(
                    plan.scenario, -1 - index, -1, error=f"{type(exc).__name__}: {exc}"
                )
            done.append(rep)
            state = f"failed: {rep.error}" if rep.error else f"{rep.seconds:.1f} s"
            print(
                f"[{plan.scenario} {len(done)}/{replications}] replication {rep.index} "
                f"(seed {rep.seed}): {state}",
                file=sys.stderr,
                flush=True,
            )
    done.sort(key=lambda r: r.index)
    return done, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scenario",
        action="append",
        choices=SCENARIOS,
        help="run this scenario (repeat for several; default: all three)",
    )
    parser.add_argument("--replications", type=int, help="per scenario (default 40; --quick 2)")
    parser.add_argument("--months", type=int, help="monthly runs (default 24; --quick 8)")
    parser.add_argument("--seed", type=int, default=1, help="base of the replications' seeds")
    parser.add_argument(
        "--shift-month",
        type=int,
        help="first month below target, from 1 (default 13, or the middle of fewer months)",
    )
    parser.add_argument(
        "--volumes",
        default="300,100",
        help="shortfall: answers a month of the shifted points, one set per volume",
    )
    parser.add_argument("--verify-volume", type=int, default=300)
    parser.add_argument(
        "--verify-months", type=int, default=6, help="runs after a fix before it is inconclusive"
    )
    parser.add_argument(
        "--confidence",
        type=float,
        help="write this `confidence` on every objective (default: none, the program's defaults)",
    )
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 2 replications, 8 months"
    )
    parser.add_argument(
        "--scratch",
        type=Path,
        help="folder for the program and the stores (default: the system's temporary folder)",
    )
    args = parser.parse_args(argv)
    replications = args.replications or (2 if args.quick else 40)
    months = args.months or (8 if args.quick else 24)
    shift = args.shift_month or min(13, months // 2 + 1)
    try:
        volumes = tuple(int(v) for v in args.volumes.split(","))
    except ValueError:
        parser.error("--volumes takes numbers separated by commas, such as 300,100")
    if replications < 1 or months < 2 or args.jobs < 1 or min(volumes) < 1:
        parser.error("--replications, --jobs and --volumes must be at least 1, --months 2")
    if not 2 <= shift <= months:
        parser.error(f"--shift-month must be between 2 and --months ({months})")
    if len(volumes) > 3:
        parser.error("--volumes takes at most 3 volumes")
    scenarios = args.scenario or list(SCENARIOS)
    scratch = args.scratch

    print(f"command: {shlex.join(sys.orig_argv)}")
    print(
        f"{replications} replication(s) per scenario, {months} monthly runs, shift at month "
        f"{shift}, {args.jobs} job(s), base seed {args.seed}"
        + (f", objectives with confidence {args.confidence:g}" if args.confidence else "")
    )
    load = os.getloadavg()
    started = time.perf_counter()
    timings: list[tuple[str, float, list[Replication]]] = []
    with tempfile.TemporaryDirectory(prefix="cxgov-bench-decisions-", dir=scratch) as work:
        triggers = accepted_triggers()
        program = write_program(Path(work) / "program", triggers, args.confidence)
        print(f"action policy opens on: {', '.join(triggers)}")
        for scenario in scenarios:
            plan = Plan(
                scenario,
                months,
                shift - 1,
                volumes=volumes,
                verify_volume=args.verify_volume,
                verify_months=args.verify_months,
            )
            first = replication_seed(args.seed, scenario, 0)
            print(
                f"\n== {scenario}: seeds {first}..{first + replications - 1} "
                "(random.Random(seed), one per replication)"
            )
            reps, seconds = run_scenario(program, plan, replications, args.seed, args.jobs, work)
            failed = [r for r in reps if r.error]
            for rep in failed:
                print(f"  replication {rep.index} (seed {rep.seed}) failed: {rep.error}")
            good = [r for r in reps if not r.error]
            timings.append((scenario, seconds, good))
            if good:
                REPORTS[scenario](good, plan)
    total = time.perf_counter() - started
    print("\nwall time")
    for scenario, seconds, reps in timings:
        per_run = [s for r in reps for s in r.run_seconds]
        answers = sum(r.answers for r in reps)
        print(
            f"  {scenario:13} {seconds:7.1f} s for {len(reps)} replication(s): "
            f"{statistics.median(r.seconds for r in reps) if reps else float('nan'):.1f} s each "
            f"(median), cxgov.api.run {statistics.median(per_run) if per_run else 0:.2f} s a "
            f"month (median), {answers:,} answers ingested"
        )
    print(f"  total         {total:7.1f} s")
    # ru_maxrss is in kilobytes on Linux; for the children, the largest replication process
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"peak memory: {own:.0f} MB this process, {workers:.0f} MB the largest replication process"
    )
    # wall times on a busy machine are not comparable: the load says whether it was quiet
    print(f"load average (1 min): {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
