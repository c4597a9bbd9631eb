"""How often the key-driver model finds a planted driver, and how often it labels a driver
important when none is: seeded simulations through `cxgov.voc.drivers.drivers_section`.

Each run draws `--respondents` respondents of a journey with `--touchpoints` CSAT touchpoints
(1..5, satisfied at 4–5). A respondent's touchpoint experiences share a common factor
(correlation `--correlation` between touchpoints, as real ratings do); their relationship NPS
(0..10) follows one planted touchpoint's experience with strength `--effect` plus noise, or
none (the null). The model sees only what cxgov sees: each respondent's +100/0/−100 NPS score
and 100/0 touchpoint scores. Printed per scenario:

- planted: the share of runs whose planted touchpoint is ranked first, and labelled
  `important` (goal: ranked first in at least 90 % of runs);
- null: the mean number of touchpoints labelled `important` per report and the share of
  reports with at least one (the labels' family-wise error rate; goal at most 5 %).

Run from the repository root:

    .venv/bin/python bench/bench_drivers.py                 # 200 runs per scenario
    .venv/bin/python bench/bench_drivers.py --runs 50 --respondents 500
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np

if not __package__:  # run as a script: make `cxgov` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cxgov.model import Program
from cxgov.store.respondents import RespondentScores
from cxgov.voc.drivers import drivers_section

AS_OF = dt.date(2026, 3, 1)
PLANTED = "mp-tp-1"
MIN_FIRST = 0.90
MAX_FAMILY_ERROR = 0.05


def program(touchpoints: int) -> Program:
    points = [{"id": "mp-nps", "kpi": "nps", "journey": "j", "method": "relationship_survey"}] + [
        {
            "id": f"mp-tp-{i + 1}",
            "kpi": "csat",
            "journey": "j",
            "touchpoint": f"tp-{i + 1}",
            "method": "transactional_survey",
        }
        for i in range(touchpoints)
    ]
    return Program.model_validate(
        {
            "program": {
                "id": "sim",
                "name": "Simulation",
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
                        {"id": f"tp-{i + 1}", "name": f"TP {i + 1}", "stage": "s", "channel": "c"}
                        for i in range(touchpoints)
                    ],
                }
            ],
            "kpis": [
                {"id": "nps", "name": "NPS", "type": "nps"},
                {"id": "csat", "name": "CSAT", "type": "csat"},
            ],
            "measurement_points": points,
            "objectives": [],
            "themes": [],
            "links": [],
        }
    )


def draw(
    rng: np.random.Generator,
    respondents: int,
    touchpoints: int,
    correlation: float,
    effect: float,
) -> RespondentScores:
    common = rng.standard_normal((respondents, 1))
    own = rng.standard_normal((respondents, touchpoints))
    experience = np.sqrt(correlation) * common + np.sqrt(1 - correlation) * own
    ratings = np.clip(np.rint(3.4 + 1.1 * experience), 1, 5)
    # the planted touchpoint explains part of the likelihood to recommend; the rest is noise
    latent = effect * experience[:, 0] + np.sqrt(max(1 - effect**2, 0.0)) * rng.standard_normal(
        respondents
    )
    nps = np.clip(np.rint(7.5 + 2.0 * latent), 0, 10)
    keys = [f"c:{i:06d}" for i in range(respondents)]
    outcome = {
        k: 100.0 if v >= 9 else 0.0 if v >= 7 else -100.0 for k, v in zip(keys, nps, strict=True)
    }
    scores = {
        f"mp-tp-{j + 1}": {
            k: 100.0 if r >= 4 else 0.0 for k, r in zip(keys, ratings[:, j], strict=True)
        }
        for j in range(touchpoints)
    }
    return RespondentScores(respondents, outcome, scores)


def simulate(args: argparse.Namespace, effect: float) -> tuple[int, int, list[int]]:
    """(runs with the planted driver first, runs with it important, important per run)."""
    shop = program(args.touchpoints)
    rng = np.random.default_rng(args.seed + int(effect * 1000))
    first = labelled = 0
    important: list[int] = []
    for _ in range(args.runs):
        scores = draw(rng, args.respondents, args.touchpoints, args.correlation, effect)
        (journey,) = drivers_section(shop, {"mp-nps": scores}, [], AS_OF)
        ranked = [d for d in journey.drivers if d.weight is not None]
        first += bool(ranked) and ranked[0].driver == PLANTED
        labelled += any(d.driver == PLANTED and d.label == "important" for d in ranked)
        important.append(sum(d.label == "important" for d in ranked))
    return first, labelled, important


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--respondents", type=int, default=300)
    parser.add_argument("--touchpoints", type=int, default=8)
    parser.add_argument("--correlation", type=float, default=0.3)
    parser.add_argument("--effect", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(
        f"{args.runs} runs per scenario; {args.respondents} respondents, {args.touchpoints} "
        f"CSAT touchpoints correlated {args.correlation:g}; planted effect {args.effect:g} "
        "(correlation of the planted experience with the latent likelihood to recommend)"
    )
    first, labelled, _ = simulate(args, args.effect)
    first_share = first / args.runs
    print(
        f"planted: ranked first in {100 * first_share:.1f} % of runs (goal >= "
        f"{100 * MIN_FIRST:.0f} %), labelled important in {100 * labelled / args.runs:.1f} %"
    )
    _, _, important = simulate(args, 0.0)
    family = sum(1 for n in important if n > 0) / args.runs
    print(
        f"null: {sum(important) / args.runs:.3f} touchpoints labelled important per report; "
        f"{100 * family:.1f} % of reports with any (goal <= {100 * MAX_FAMILY_ERROR:.0f} %)"
    )
    ok = first_share >= MIN_FIRST and family <= MAX_FAMILY_ERROR
    print(f"{time.perf_counter() - started:.0f} s; goals: {'PASS' if ok else 'MISS'}")
    return 0  # a measurement, not a test


if __name__ == "__main__":
    sys.exit(main())
