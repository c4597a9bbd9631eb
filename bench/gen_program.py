"""A large, valid cxgov program for the validator benchmark (`bench/bench_validate.py`).

Writes a program the size of a big organisation's CX program: by default 40 journeys (every
fifth a sub-journey of the one before), 1,000 touchpoints on their stage × channel maps, 2,000
measurement points (a relationship NPS per journey, two business KPIs measured by a system, and
CSAT, CES and top-box "helpfulness" at the touchpoints), 2,000 objectives (fixed targets with
dated revisions, trajectories, segment objectives), owners, action policies, one survey source
per journey, themes, links and a strategy, spread over about 100 files organised by business
area as a CX team would keep them. It validates with no errors and no warnings.

Run from the repository root:

    .venv/bin/python bench/gen_program.py --out /tmp/cxgov-large \
        [--journeys 40] [--touchpoints 1000] [--measurement-points 2000] \
        [--objectives 2000] [--files 100] [--seed 1]

    .venv/bin/cxgov validate /tmp/cxgov-large

The same arguments always give the same bytes. `--out` must be empty or not exist, so no stale
file from an earlier run becomes part of the program.

Importable: `generate(out_dir, journeys=..., ...) -> Generated`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

# Files besides the per-area journey, measurement-point and objective files.
FIXED_FILES = (
    "program.yaml",
    "owners.yaml",
    "kpis.yaml",
    "action_policies.yaml",
    "themes.yaml",
    "links.yaml",
    "contact_policy.yaml",
)
AREAS = [
    "Home broadband",
    "Mobile subscription",
    "Business connectivity",
    "TV and streaming",
    "Energy contract",
    "Home insurance",
    "Car insurance",
    "Everyday banking",
    "Mortgage",
    "Online shop",
    "Grocery delivery",
    "Field service",
    "Device repair",
    "Moving house",
    "Invoicing and payments",
    "Loyalty programme",
    "Travel booking",
    "Claims handling",
    "Account opening",
    "Cancellation and win-back",
]
STAGES = [
    ("discover", "Discover", 1),
    ("choose", "Choose and compare", 2),
    ("buy", "Buy and sign", 2),
    ("start", "Get started", 3),
    ("use", "Use and pay", 4),
    ("help", "Get help", 3),
]
CHANNELS = [
    ("web", "Website"),
    ("app", "Mobile app"),
    ("phone", "Phone"),
    ("chat", "Chat"),
    ("store", "Store"),
    ("field", "At the customer's premises"),
]
ACTIVITIES = [
    "Product pages",
    "Price calculator",
    "Advice call",
    "Offer and quote",
    "Order form",
    "Contract signing",
    "Welcome message",
    "Installation visit",
    "First bill",
    "Self-service account",
    "Usage report",
    "Fault report",
    "Technician visit",
    "Support call",
    "Chat with an agent",
    "Complaint handling",
    "Renewal offer",
    "Plan change",
    "Delivery",
    "Returns",
]
SEGMENTS = {
    "region": "Region",
    "customer_size": "CustomerSize",
    "plan": "Plan",
}
SEGMENT_VALUES = {
    "region": ["north", "south", "east", "west", "capital"],
    "customer_size": ["small", "medium", "large"],
    "plan": ["basic", "plus", "premium"],
}
# Touchpoint KPIs, in the order a touchpoint receives its measurement points.
TOUCHPOINT_KPIS = ["csat", "ces", "helpfulness"]
POLICIES = ["strict", "gentle", "strategic", "business"]
THEMES = [
    ("delivery", "Delivery and installation", ["deliver*", "install*", "courier*", "arriv*"]),
    ("waiting", "Waiting and queues", ["wait*", "queue*", "on hold", "call back", "slow*"]),
    ("billing", "Billing", ["bill", "bills", "invoice*", "charge*", "refund*"]),
    ("price", "Price and value", ["price*", "expensive", "cheap*", "value for money"]),
    ("staff", "Friendly and competent staff", ["friendly", "helpful", "polite", "competent"]),
    ("app", "App and website", ["app", "website", "log in", "login", "password*"]),
    ("faults", "Faults and outages", ["fault*", "outage*", "broken", "not working", "down"]),
    ("contract", "Contract terms", ["contract*", "terms", "notice period", "cancel*"]),
    ("communication", "Communication", ["email*", "letter*", "inform*", "notif*"]),
    ("repeat", "Having to call again", ["again", "second time", "repeat*", "still not"]),
]
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ,.'()/+&-]*$")


@dataclass
class Generated:
    """What was written: the program directory and how much of each kind it holds."""

    directory: Path
    files: list[Path] = field(default_factory=list)
    journeys: int = 0
    touchpoints: int = 0
    measurement_points: int = 0
    objectives: int = 0
    owners: int = 0

    @property
    def total_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.files)


@dataclass
class _Journey:
    id: str
    name: str
    area: str
    owner: str
    parent: str | None
    group: int
    stages: list[tuple[str, str, int]]
    channels: list[tuple[str, str]]
    touchpoints: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    """(id, name, stage, channel, owner)"""


@dataclass
class _Point:
    id: str
    kpi: str
    journey: _Journey
    code: str
    lines: list[str]
    segments: list[str]
    subject: str
    """What is measured, as objective names say it."""


def _q(text: str) -> str:
    """A YAML scalar for `text`: plain when safe, else a double-quoted (JSON) string."""
    return text if _PLAIN.match(text) and ": " not in text else json.dumps(text)


def _split(total: int, parts: int) -> list[int]:
    """`total` spread over `parts` as evenly as possible (earlier parts get the remainder)."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _rule(title: str, indent: int = 2) -> str:
    head = " " * indent + f"# --- {title} "
    return head + "-" * max(3, 98 - len(head))


def generate(
    out_dir: Path | str,
    *,
    journeys: int = 40,
    touchpoints: int = 1000,
    measurement_points: int = 2000,
    objectives: int = 2000,
    files: int = 100,
    seed: int = 1,
) -> Generated:
    """Write the program into `out_dir` (created; must be empty) and say what it holds.

    The program has no warnings when measurement_points ≥ journeys + 2 + touchpoints (so every
    stage is measured) and objectives ≥ measurement_points (so every point has an objective).
    """
    if journeys < 1 or touchpoints < journeys or measurement_points < journeys + 2:
        raise ValueError(
            "need journeys ≥ 1, touchpoints ≥ journeys and measurement_points ≥ journeys + 2"
        )
    if objectives < 1 or files < 1:
        raise ValueError("need objectives ≥ 1 and files ≥ 1")
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty")
    rng = random.Random(seed)
    groups = max(1, min(journeys, (files - len(FIXED_FILES)) // 3))
    result = Generated(directory=out)

    # --- owners and journeys ---------------------------------------------------------------
    journey_list: list[_Journey] = []
    group_of = [g for g, n in enumerate(_split(journeys, groups)) for _ in range(n)]
    for j in range(journeys):
        area = AREAS[j % len(AREAS)]
        variant = j // len(AREAS)
        name = area if variant == 0 else f"{area} for business customers"
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        ident = f"j{j + 1:02d}-{slug}"[:60]
        parent = journey_list[j - 1].id if j % 5 == 4 else None
        stage_count = rng.randint(4, len(STAGES))
        channel_count = rng.randint(3, len(CHANNELS))
        journey_list.append(
            _Journey(
                id=ident,
                name=name,
                area=area,
                owner=f"owner-j{j + 1:02d}",
                parent=parent,
                group=group_of[j],
                stages=STAGES[:stage_count],
                channels=rng.sample(CHANNELS, channel_count),
            )
        )
    teams = max(1, touchpoints // 10)
    team_ids = [f"team-{t + 1:03d}" for t in range(teams)]
    placed: list[tuple[_Journey, int]] = []
    for journey, count in zip(journey_list, _split(touchpoints, journeys), strict=True):
        # Cells are taken channel by channel, so every stage has a touchpoint as soon as the
        # journey has as many touchpoints as stages (otherwise the stages left out are measured
        # at stage level, below); they are written stage by stage, in customer order.
        cells = [(s, c) for c in range(len(journey.channels)) for s in range(len(journey.stages))]
        chosen = sorted((*cells[k % len(cells)], k // len(cells)) for k in range(count))
        for k, (s, c, round_) in enumerate(chosen):
            stage, channel = journey.stages[s], journey.channels[c]
            activity = ACTIVITIES[(k + len(placed)) % len(ACTIVITIES)]
            name = f"{activity} ({stage[1].lower()}, {channel[1].lower()})"
            if round_:
                name += f", variant {round_ + 1}"
            tp_id = f"{journey.id[:3]}-tp{k + 1:03d}"
            owner = team_ids[len(placed) % teams]
            journey.touchpoints.append((tp_id, name, stage[0], channel[0], owner))
            placed.append((journey, k))

    # --- measurement points ------------------------------------------------------------------
    points: list[_Point] = []

    def survey_point(
        journey: _Journey,
        ident: str,
        kpi: str,
        place: list[str],
        subject: str,
        method: str = "transactional_survey",
        window: str | None = None,
    ) -> None:
        dims = sorted(rng.sample(list(SEGMENTS), rng.randint(0, len(SEGMENTS))))
        if window is None:
            window = rng.choice(
                ["{calendar: month}"] * 6 + ["{calendar: quarter}", "{rolling_days: 90}"]
            )
        lines = [
            f"  - id: {ident}",
            f"    kpi: {kpi}",
            f"    journey: {journey.id}",
            *place,
            f"    method: {method}",
            f"    source: survey-{journey.id[:3]}",
            f"    window: {window}",
            f"    min_sample: {rng.choice([30, 40, 50, 60, 80, 100])}",
        ]
        if dims:
            lines.append(f"    segments: [{', '.join(dims)}]")
        if rng.random() < 0.15:
            lines.append(f"    owner: {journey.owner}")
        if rng.random() < 0.2:
            days = rng.choice([30, 60, 90])
            lines.append(f"    contact: {{max_per_customer: 1, days: {days}}}")
        code = re.sub(r"[^A-Z0-9]+", "_", ident.upper()).strip("_")
        points.append(_Point(ident, kpi, journey, code, lines, dims, subject))

    for journey in journey_list:
        survey_point(
            journey,
            f"mp-{journey.id[:3]}-nps",
            "nps",
            [],
            journey.name.lower(),
            method="relationship_survey",
            window="{calendar: quarter}",
        )
    first = journey_list[0]
    for kpi in ("retention", "churn"):
        lines = [
            f"  - id: mp-{kpi}",
            f"    kpi: {kpi}",
            f"    journey: {first.id}",
            "    method: system",
            "    window: {calendar: month}",
            "    owner: finance-director",
        ]
        points.append(_Point(f"mp-{kpi}", kpi, first, "", lines, [], "all customers"))
    # stages without a touchpoint are measured at stage level
    for journey in journey_list:
        used = {tp[2] for tp in journey.touchpoints}
        for stage in journey.stages:
            if stage[0] not in used and len(points) < measurement_points:
                survey_point(
                    journey,
                    f"mp-{journey.id[:3]}-{stage[0]}-csat",
                    "csat",
                    [f"    stage: {stage[0]}"],
                    f"{stage[1].lower()} of {journey.name.lower()}",
                )
    touchpoint_round = 0
    while len(points) < measurement_points:
        for (journey, k), global_index in zip(placed, range(len(placed)), strict=True):
            if len(points) >= measurement_points:
                break
            tp_id, tp_name = journey.touchpoints[k][:2]
            kpi = TOUCHPOINT_KPIS[(global_index + touchpoint_round) % len(TOUCHPOINT_KPIS)]
            suffix = "" if touchpoint_round < len(TOUCHPOINT_KPIS) else f"-{touchpoint_round}"
            survey_point(
                journey,
                f"mp-{tp_id}-{kpi}{suffix}",
                kpi,
                [f"    touchpoint: {tp_id}"],
                f"{tp_name[0].lower()}{tp_name[1:]}, {journey.name.lower()}",
            )
        touchpoint_round += 1

    # --- objectives --------------------------------------------------------------------------
    objective_lines: dict[int, list[str]] = {g: [] for g in range(groups)}
    objective_ids: list[tuple[str, str]] = []  # (objective id, kpi)
    seen: set[str] = set()
    segmented = [p for p in points if p.segments]
    for n in range(objectives):
        if n < len(points):
            point, segment = points[n], None
        else:
            extra = n - len(points)
            if not segmented:
                point, segment = points[extra % len(points)], None
            else:
                point = segmented[extra % len(segmented)]
                dim = point.segments[(extra // len(segmented)) % len(point.segments)]
                values = SEGMENT_VALUES[dim]
                segment = (dim, values[(extra // len(segmented)) % len(values)])
        ident = f"o-{point.id.removeprefix('mp-')}"
        if segment is not None:
            ident += f"-{segment[1]}"
        if ident in seen:
            ident += f"-{n}"
        seen.add(ident)
        objective_ids.append((ident, point.kpi))
        lines = _objective(rng, ident, point, segment)
        objective_lines[point.journey.group].extend(lines)

    # --- files -------------------------------------------------------------------------------
    out.mkdir(parents=True, exist_ok=True)

    def write(relative: str, text: str) -> None:
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        result.files.append(path)

    nps_objectives = [o for o, kpi in objective_ids if kpi == "nps" and "-nps" in o]
    write("program.yaml", _program_yaml(nps_objectives))
    write("owners.yaml", _owners_yaml(journey_list, team_ids))
    write("kpis.yaml", _kpis_yaml())
    write("action_policies.yaml", _policies_yaml())
    write("themes.yaml", _themes_yaml())
    write("links.yaml", _links_yaml(nps_objectives, objective_ids))
    write("contact_policy.yaml", _contact_yaml())
    for g in range(groups):
        members = [j for j in journey_list if j.group == g]
        label = members[0].area if len(members) == 1 else f"{members[0].area} and others"
        name = f"{g + 1:02d}-{re.sub(r'[^a-z0-9]+', '-', members[0].area.lower()).strip('-')}"
        write(f"journeys/{name}.yaml", _journeys_yaml(members, label))
        group_points = [p for p in points if p.journey.group == g]
        write(f"measurement_points/{name}.yaml", _points_yaml(members, group_points, label))
        write(f"objectives/{name}.yaml", _objectives_yaml(objective_lines[g], label))

    result.journeys = journeys
    result.touchpoints = sum(len(j.touchpoints) for j in journey_list)
    result.measurement_points = len(points)
    result.objectives = len(objective_ids)
    result.owners = 3 + journeys + teams
    return result


def _objective(
    rng: random.Random, ident: str, point: _Point, segment: tuple[str, str] | None
) -> list[str]:
    kpi = point.kpi
    where = point.journey.name.lower()
    what = {
        "nps": "Likelihood to recommend",
        "csat": "Satisfaction",
        "ces": "Ease",
        "helpfulness": "Helpfulness",
        "retention": "Customer retention",
        "churn": "Customer churn",
    }[kpi]
    name = f"{what}: {point.subject}" + (f", {segment[0]} {segment[1]}" if segment else "")
    lines = [
        f"  - id: {ident}",
        f"    name: {_q(name)}",
        f"    measurement_point: {point.id}",
    ]
    if segment:
        lines.append(f"    segment: {{{segment[0]}: {segment[1]}}}")
    lines.append("    targets:")
    if kpi == "nps" and rng.random() < 0.5:
        start = rng.randint(5, 30)
        lines += [
            "      - effective_from: 2025-01-01",
            "        trajectory:",
            f"          start: {{date: 2025-01-01, value: {start}}}",
            f"          end: {{date: 2027-12-31, value: {start + rng.randint(10, 25)}}}",
            f"        warn_margin: {rng.choice([3, 5])}",
            f"        fail_margin: {rng.choice([8, 10])}",
        ]
    elif kpi == "churn":
        lines.append("      - {effective_from: 2025-01-01, target: 8, warn: 10, fail: 12}")
    else:
        low, high = {"nps": (10, 45), "retention": (85, 92)}.get(kpi, (65, 88))
        target = rng.randint(low, high)
        revisions = rng.choice([1, 1, 1, 2, 2, 3])
        dates = ["2025-01-01", "2025-07-01", "2026-01-01"][:revisions]
        for i, date in enumerate(dates):
            if i:
                lines.append(
                    rng.choice(
                        [
                            "      # Raised after two quarters above target.",
                            "      # Raised when the new process went live.",
                            "      # Agreed in the quarterly target review.",
                        ]
                    )
                )
                target += rng.randint(1, 5)
            warn, fail = target - rng.randint(4, 8), target - rng.randint(10, 15)
            lines.append(
                f"      - {{effective_from: {date}, target: {target}, warn: {warn}, fail: {fail}}}"
            )
    if rng.random() < 0.3:
        lines.append("    confidence: 0.9")
    policy = {"nps": "strategic", "retention": "business", "churn": "business"}.get(kpi)
    lines.append(f"    action_policy: {policy or rng.choice(['strict', 'gentle'])}")
    if rng.random() < 0.7:
        lines.append(
            "    consequence: >-\n"
            f"      The owner reviews the open answers about {where} with the team, picks the\n"
            "      most common cause and agrees a fix and a date in the next weekly meeting."
        )
    lines.append("")
    return lines


def _program_yaml(nps_objectives: list[str]) -> str:
    lines = [
        "# The program: company, language, time zone, who is accountable, and the strategy.",
        "program:",
        "  id: large-bench",
        "  name: Example Group customer-experience program",
        "  description: >-",
        "    Example Group sells connectivity, energy, insurance and banking to consumers and",
        "    businesses. This program covers every customer journey, who owns each touchpoint,",
        "    what is measured where, the targets, and what happens when a target is missed.",
        "  language: en",
        "  timezone: Europe/Helsinki",
        "  cx_owner: cx-director",
        "  sponsor: ceo",
        "  strategy:",
        "    vision: >-",
        "      Customers find us the easiest company to deal with: things work the first time,",
        "      and nobody has to contact us twice about the same thing.",
        "    current_state:",
        "      assessed_on: 2025-01-15",
        "      summary: >-",
        "        Relationship NPS varies from 5 to 30 between journeys; half of the touchpoints",
        "        had no measurement and nobody owned the results of the rest.",
        "      baselines:",
    ]
    for ident in nps_objectives[:5]:
        lines.append(f"        - {{objective: {ident}, value: 15, as_of: 2024-12-31}}")
    lines.append("    goals:")
    for i, ident in enumerate(nps_objectives[:3]):
        lines += [
            f"      - id: goal-{i + 1}",
            "        statement: >-",
            "          Raise the relationship NPS of this journey to 35 by the end of 2027.",
            f"        objective: {ident}",
            "        target: 35",
            "        by: 2027-12-31",
        ]
    return "\n".join(lines) + "\n"


def _owners_yaml(journeys: list[_Journey], teams: list[str]) -> str:
    lines = [
        "# Owners: leadership, journey owners and the teams that own touchpoints. Overdue",
        "# actions escalate team → CX director → CEO.",
        "owners:",
        "  - id: ceo",
        "    name: Helena Example",
        "    title: Chief Executive Officer",
        "    email: helena@example.com",
        "    github: helena-example",
        "",
        "  - id: cx-director",
        "    name: Matti Example",
        "    title: Customer Experience Director",
        "    email: matti@example.com",
        "    escalates_to: ceo",
        "    digest: daily",
        "",
        "  - id: finance-director",
        "    name: Sanna Example",
        "    title: Finance Director",
        "    email: sanna@example.com",
        "    escalates_to: ceo",
        "",
        _rule("Journey owners"),
    ]
    for journey in journeys:
        lines += [
            f"  - id: {journey.owner}",
            f"    name: {_q(f'Owner of {journey.name.lower()}')}",
            "    title: Journey owner",
            f"    email: {journey.owner}@example.com",
            "    escalates_to: cx-director",
        ]
    lines.append(_rule("Teams"))
    for team in teams:
        lines.append(
            f"  - {{id: {team}, name: Team {team[5:]}, kind: team, "
            f"github: '@example/{team}', escalates_to: cx-director}}"
        )
    return "\n".join(lines) + "\n"


def _kpis_yaml() -> str:
    return """\
# KPIs: relationship NPS, touchpoint CSAT, CES and helpfulness, and two business outcomes.
kpis:
  - id: nps
    name: Likelihood to recommend (NPS)
    type: nps
    category: strategic
    question: How likely are you to recommend us to a friend or colleague?
    why_question: What is the main reason for your score?

  - id: csat
    name: Satisfaction (CSAT)
    type: csat
    category: tactical
    question: How satisfied were you with this service?
    why_question: What could we have done better?

  - id: ces
    name: Customer effort (CES)
    type: ces
    category: operational
    question: "The company made it easy for me to handle my issue."

  - id: helpfulness
    name: Helpfulness of the staff
    type: top_box
    scale: [1, 10]
    positive: [8, 10]
    category: operational
    question: How helpful was the person who served you?

  - {id: retention, name: Customer retention, type: value, category: business, unit: "%"}
  - id: churn
    name: Customer churn (12 months rolling)
    type: value
    category: business
    unit: "%"
    direction: lower_is_better
"""


def _policies_yaml() -> str:
    return """\
# Action policies: when a missed target opens an action, for whom, and how fast.
action_policies:
  - id: strict
    open_on: [fail, warn, decline]
    due_days: {fail: 14, warn: 30, decline: 30}
    assignee: measurement_point_owner
    escalate_after_days: 7
    sinks:
      - type: webhook
        url: https://hooks.example.com/cxgov/actions
        secret_env: CXGOV_WEBHOOK_SECRET
      - type: github
        repo: example/customer-experience
        token_env: CXGOV_GITHUB_TOKEN
        labels: [cx, action]

  - id: gentle
    open_on: [fail, insufficient_sample]
    due_days: {fail: 45, insufficient_sample: 60}
    assignee: journey_owner
    escalate_after_days: 30
    close_after_passing_periods: 3
    verify_within_periods: 3
    sinks:
      - {type: email, to: [cx-team@example.com]}

  - id: strategic
    open_on: [fail, warn, decline, no_data]
    due_days: {fail: 30, warn: 60, decline: 60, no_data: 14}
    assignee: cx_owner
    escalate_after_days: 14
    sinks:
      - {type: email, to: [leadership@example.com]}

  - id: business
    open_on: [fail, no_data]
    due_days: {fail: 30, no_data: 10}
    assignee: finance-director
    escalate_after_days: 14
"""


def _themes_yaml() -> str:
    lines = [
        "# Themes of open feedback: keyword patterns, a trailing * matches a prefix.",
        "themes:",
    ]
    for ident, name, words in THEMES:
        quoted = ", ".join(_q(w) for w in words)
        lines += [
            f"  - id: {ident}",
            f"    name: {_q(name)}",
            "    language: en",
            "    match:",
            f"      any: [{quoted}]",
            "    kpis: [nps, csat, ces]",
        ]
    return "\n".join(lines) + "\n"


def _links_yaml(nps_objectives: list[str], objectives: list[tuple[str, str]]) -> str:
    lines = ["# Links from CX objectives to business outcomes.", "links:"]
    for ident in nps_objectives[:10]:
        lines.append(f"  - {{cx: {ident}, business: retention, expected: positive}}")
        lines.append(f"  - {{cx: {ident}, business: churn, expected: negative}}")
    for ident, kpi in objectives[:200]:
        if kpi == "ces":
            lines.append(f"  - {{cx: {ident}, business: churn, expected: negative}}")
    return "\n".join(lines) + "\n"


def _contact_yaml() -> str:
    return (
        "# At most three surveys per customer in 90 days, whichever journeys they are on.\n"
        "contact_policy:\n"
        "  max_surveys_per_customer: 3\n"
        "  days: 90\n"
    )


def _journeys_yaml(journeys: list[_Journey], label: str) -> str:
    lines = [f"# Journeys: {label}.", "journeys:"]
    for journey in journeys:
        lines += [
            f"  - id: {journey.id}",
            f"    name: {_q(journey.name)}",
            "    description: >-",
            f"      How a customer finds, buys, starts using and gets help with "
            f"{journey.name.lower()},",
            "      across every channel we serve them in.",
            f"    owner: {journey.owner}",
        ]
        if journey.parent:
            lines.append(f"    parent: {journey.parent}")
        lines += [
            "    segments: [consumers, small businesses, large businesses]",
            "    stages:",
            *(f"      - {{id: {s}, name: {_q(n)}, weight: {w}}}" for s, n, w in journey.stages),
            "    channels:",
            *(f"      - {{id: {c}, name: {_q(n)}}}" for c, n in journey.channels),
            "    touchpoints:",
        ]
        current_stage = None
        for tp_id, name, stage, channel, owner in journey.touchpoints:
            if stage != current_stage:
                lines.append(f"      # {dict((s, n) for s, n, _ in journey.stages)[stage]}")
                current_stage = stage
            lines += [
                f"      - id: {tp_id}",
                f"        name: {_q(name)}",
                f"        stage: {stage}",
                f"        channel: {channel}",
                f"        owner: {owner}",
            ]
        lines.append("")
    return "\n".join(lines)


def _points_yaml(journeys: list[_Journey], points: list[_Point], label: str) -> str:
    lines = [
        f"# Measurement points and survey sources: {label}.",
        "sources:",
    ]
    for journey in journeys:
        survey = [p for p in points if p.journey is journey and p.code]
        lines += [
            f"  - id: survey-{journey.id[:3]}",
            "    format: csv",
            "    layout: long",
            f"    path: data/{journey.id[:3]}-*.csv",
            '    delimiter: ";"',
            "    columns:",
            "      response_id: ResponseId",
            "      collected_at: AnsweredAt",
            "      measurement_point: Survey",
            "      value: Score",
            "      customer: CustomerId",
            "      comment: Comment",
            "      segments:",
            *(f"        {dim}: {column}" for dim, column in SEGMENTS.items()),
            "    measurement_points:",
            *(f"      {p.code}: {p.id}" for p in survey),
            '    not_applicable: ["N/A"]',
        ]
    lines += ["", "measurement_points:"]
    current = None
    for point in points:
        if point.journey is not current:
            lines.append(_rule(point.journey.name))
            current = point.journey
        lines += [*point.lines, ""]
    return "\n".join(lines)


def _objectives_yaml(lines: list[str], label: str) -> str:
    return "\n".join([f"# Objectives: {label}.", "objectives:", *lines])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="output directory (empty)")
    parser.add_argument("--journeys", type=int, default=40)
    parser.add_argument("--touchpoints", type=int, default=1000)
    parser.add_argument("--measurement-points", type=int, default=2000)
    parser.add_argument("--objectives", type=int, default=2000)
    parser.add_argument("--files", type=int, default=100, help="about this many files")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        made = generate(
            args.out,
            journeys=args.journeys,
            touchpoints=args.touchpoints,
            measurement_points=args.measurement_points,
            objectives=args.objectives,
            files=args.files,
            seed=args.seed,
        )
    except ValueError as exc:
        parser.error(str(exc))
    print(
        f"{made.directory}: {len(made.files)} files, {made.total_bytes:,} bytes; "
        f"{made.journeys} journeys, {made.touchpoints} touchpoints, "
        f"{made.measurement_points} measurement points, {made.objectives} objectives, "
        f"{made.owners} owners"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
