"""A small multi-file program as data, and git repositories of its versions, for the review
tests: each test edits the data, writes it and commits."""

from __future__ import annotations

import copy
import os
import subprocess
from pathlib import Path
from typing import Any

import yaml

BASE_PROGRAM: dict[str, dict[str, Any]] = {
    "program.yaml": {
        "program": {
            "id": "shop",
            "name": "Web shop",
            "timezone": "Europe/Helsinki",
            "cx_owner": "cx",
            "sponsor": "ceo",
        },
        "owners": [
            {"id": "ceo", "name": "Chief Executive", "github": "ceo-gh"},
            {"id": "cx", "name": "CX Lead", "github": "cx-gh", "escalates_to": "ceo"},
            {
                "id": "ops",
                "name": "Operations",
                "kind": "team",
                "github": "@acme/ops",
                "escalates_to": "cx",
            },
            {"id": "web", "name": "Web team", "kind": "team", "escalates_to": "cx"},
        ],
    },
    "journeys/order.yaml": {
        "journeys": [
            {
                "id": "order",
                "name": "Ordering",
                "owner": "ops",
                "stages": [{"id": "buy", "name": "Buy"}, {"id": "deliver", "name": "Delivery"}],
                "channels": [{"id": "web", "name": "Web"}],
                "touchpoints": [
                    {
                        "id": "checkout",
                        "name": "Checkout",
                        "stage": "buy",
                        "channel": "web",
                        "owner": "web",
                    },
                    {"id": "delivery", "name": "Delivery", "stage": "deliver", "channel": "web"},
                ],
            }
        ]
    },
    "measures.yaml": {
        "kpis": [
            {"id": "csat", "name": "Satisfaction", "type": "csat"},
            {
                "id": "complaints",
                "name": "Complaints per 1000 orders",
                "type": "value",
                "direction": "lower_is_better",
                "category": "business",
            },
        ],
        "measurement_points": [
            {
                "id": "mp-checkout",
                "kpi": "csat",
                "journey": "order",
                "touchpoint": "checkout",
                "method": "transactional_survey",
                "source": "answers",
            },
            {
                "id": "mp-delivery",
                "kpi": "csat",
                "journey": "order",
                "touchpoint": "delivery",
                "method": "transactional_survey",
                "source": "answers",
            },
            {"id": "mp-complaints", "kpi": "complaints", "journey": "order", "method": "system"},
        ],
        "action_policies": [
            {
                "id": "standard",
                "open_on": ["fail", "warn"],
                "due_days": {"fail": 14, "warn": 30},
                "escalate_after_days": 7,
            },
        ],
        "sources": [
            {
                "id": "answers",
                "path": "data/answers*.csv",
                "columns": {
                    "response_id": "response",
                    "collected_at": "answered_at",
                    "measurement_point": "question",
                    "value": "score",
                },
                "measurement_points": {"CHECKOUT": "mp-checkout", "DELIVERY": "mp-delivery"},
            }
        ],
    },
    "objectives.yaml": {
        "objectives": [
            {
                "id": "o-checkout",
                "name": "Checkout",
                "measurement_point": "mp-checkout",
                "targets": [{"effective_from": "2025-01-01", "target": 80, "warn": 70, "fail": 60}],
                "action_policy": "standard",
            },
            {
                "id": "o-delivery",
                "name": "Delivery",
                "measurement_point": "mp-delivery",
                "targets": [{"effective_from": "2025-01-01", "target": 75, "warn": 65, "fail": 55}],
                "action_policy": "standard",
            },
            {
                "id": "o-complaints",
                "name": "Complaints",
                "measurement_point": "mp-complaints",
                "targets": [{"effective_from": "2025-01-01", "target": 5, "warn": 7, "fail": 9}],
            },
        ]
    },
}


def program_data() -> dict[str, dict[str, Any]]:
    return copy.deepcopy(BASE_PROGRAM)


def item(data: dict[str, dict[str, Any]], file: str, section: str, ident: str) -> dict[str, Any]:
    return next(i for i in data[file][section] if i["id"] == ident)


def write_program(folder: Path, data: dict[str, dict[str, Any]]) -> None:
    """Replace the program in `folder` by `data` (files not in `data` are deleted)."""
    if folder.exists():
        for path in sorted(folder.rglob("*.yaml")):
            path.unlink()
    for name, content in data.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            yaml.safe_dump(content, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )


DEFAULT_DATE = "2026-06-15T12:00:00+00:00"
"""When a test's commits are made unless it says otherwise."""


class Repo:
    """A real git repository in a temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, date: str = DEFAULT_DATE) -> str:
        """Runs git with both author and committer dates pinned to `date`: the review reads
        the committer date, and no test may depend on the wall clock."""
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "CX Owner",
            "GIT_AUTHOR_EMAIL": "cx@example.org",
            "GIT_COMMITTER_NAME": "CX Owner",
            "GIT_COMMITTER_EMAIL": "cx@example.org",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
        }
        found = subprocess.run(
            ["git", "-C", str(self.root), *args],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        return found.stdout.strip()

    def commit(
        self,
        data: dict[str, dict[str, Any]],
        message: str,
        program: str = "shop",
        *,
        date: str | None = None,
    ) -> str:
        write_program(self.root / "programs" / program, data)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, date=date or DEFAULT_DATE)
        return self.git("rev-parse", "HEAD")
