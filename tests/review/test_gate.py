"""The review gate as a table: each program edit, the effect the semantic diff gives it, and
who must approve the file it edits (CODEOWNERS). A loosened change fails
`cxgov diff --fail-on-loosened`; so does everything whose effect the definition cannot tell."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cxgov.cli import cli
from cxgov.review import diff_programs
from cxgov.review.codeowners import generate
from tests.review.programs import program_data as shop_data
from tests.review.programs import write_program
from tests.review.test_semantic import as_program

Data = dict[str, dict[str, Any]]
LEADERSHIP = ("@cx-gh", "@ceo-gh")
JOURNEY_OWNER = ("@acme/ops",)


def program_data() -> Data:
    """The review tests' shop, one section per file as a program repository keeps it, with a
    second action policy, a theme and a theme-share objective."""
    shop = shop_data()
    measures = shop.pop("measures.yaml")
    policies = [
        *measures["action_policies"],
        {
            "id": "strict",
            "open_on": ["fail", "warn", "decline"],
            "due_days": {"fail": 7},
            "escalate_after_days": 3,
        },
    ]
    objectives = shop.pop("objectives.yaml")["objectives"]
    objectives.append(
        {
            "id": "o-late",
            "name": "Few comments about late deliveries",
            "measurement_point": "mp-delivery",
            "theme": "late",
            "targets": [{"effective_from": "2025-01-01", "target": 10, "warn": 15}],
        }
    )
    return {
        **shop,
        "kpis.yaml": {"kpis": [*measures["kpis"], {"id": "ease", "name": "Ease", "type": "ces"}]},
        "measurement_points.yaml": {"measurement_points": measures["measurement_points"]},
        "objectives.yaml": {"objectives": objectives},
        "action_policies.yaml": {"action_policies": policies},
        "themes.yaml": {
            "themes": [
                {"id": "late", "name": "Late delivery", "match": {"any": ["late"]}},
                {"id": "price", "name": "Price", "match": {"any": ["price"]}},
            ]
        },
        "sources.yaml": {"sources": measures["sources"]},
    }


def find(data: Data, file: str, ident: str) -> dict[str, Any]:
    (section,) = data[file]
    found: dict[str, Any] = next(i for i in data[file][section] if i["id"] == ident)
    return found


def csat(d: Data) -> dict[str, Any]:
    return find(d, "kpis.yaml", "csat")


def checkout_point(d: Data) -> dict[str, Any]:
    return find(d, "measurement_points.yaml", "mp-checkout")


def checkout(d: Data) -> dict[str, Any]:
    return find(d, "objectives.yaml", "o-checkout")


def standard(d: Data) -> dict[str, Any]:
    return find(d, "action_policies.yaml", "standard")


def decisions(d: Data) -> dict[str, Any]:
    found: dict[str, Any] = d["program.yaml"]["program"].setdefault("decisions", {})
    return found


def nothing(d: Data) -> None:
    return None


def csat_targets(d: Data, target: float, warn: float, fail: float) -> None:
    for ident in ("o-checkout", "o-delivery"):
        find(d, "objectives.yaml", ident)["targets"] = [
            {"effective_from": "2025-01-01", "target": target, "warn": warn, "fail": fail}
        ]


def targets_only(d: Data) -> None:
    """Targets valid whichever way or scale a KPI reads: no alarm thresholds to order."""
    for ident in ("o-checkout", "o-delivery"):
        find(d, "objectives.yaml", ident)["targets"] = [
            {"effective_from": "2025-01-01", "target": 4}
        ]


def by_size(d: Data) -> None:
    checkout_point(d)["segments"] = ["size"]
    find(d, "sources.yaml", "answers")["columns"]["segments"] = {"size": "company_size"}


def csat_lower_is_better(d: Data) -> None:
    csat(d)["direction"] = "lower_is_better"
    csat_targets(d, 20, 30, 40)


def csat_mean(d: Data) -> None:
    csat(d)["statistic"] = "mean"
    csat_targets(d, 4.2, 4, 3.5)


CSAT_OBJECTIVES = ("o-checkout", "o-delivery")
CHECKOUT = ("o-checkout",)


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    """The file the edit touches, whose CODEOWNERS entry is checked."""
    edit: Callable[[Data], object]
    field: str
    effect: str
    reason: str | None = None
    affects: tuple[str, ...] = ()
    before: Callable[[Data], object] = nothing
    """Applied to both versions first: the base the edit starts from."""
    owners: tuple[str, ...] = LEADERSHIP


CASES = [
    # the KPI: reported once, on the KPI, naming the objectives it reaches
    Case(
        "neutral answers counted as satisfied",
        "kpis.yaml",
        lambda d: csat(d).update(positive=[3, 5]),
        "positive",
        "loosened",
        "positive_wider",
        CSAT_OBJECTIVES,
    ),
    Case(
        "only the top answer counts",
        "kpis.yaml",
        lambda d: csat(d).update(positive=[5, 5]),
        "positive",
        "tightened",
        "positive_narrower",
        CSAT_OBJECTIVES,
    ),
    Case(
        "a wider positive range of a lower-is-better KPI",
        "kpis.yaml",
        lambda d: csat(d).update(positive=[3, 5]),
        "positive",
        "tightened",
        "positive_wider",
        CSAT_OBJECTIVES,
        before=csat_lower_is_better,
    ),
    Case(
        "the positive range moved down",
        "kpis.yaml",
        lambda d: csat(d).update(positive=[2, 4]),
        "positive",
        "loosened",
        "unknown",
        CSAT_OBJECTIVES,
    ),
    Case(
        "the default positive range written out",
        "kpis.yaml",
        lambda d: csat(d).update(positive=[4, 5]),
        "positive",
        "changed",
        None,
        CSAT_OBJECTIVES,
    ),
    Case(
        "a positive range on a mean",
        "kpis.yaml",
        lambda d: csat(d).update(positive=[3, 5]),
        "positive",
        "changed",
        "positive_unread",
        CSAT_OBJECTIVES,
        before=csat_mean,
    ),
    Case(
        "another scale",
        "kpis.yaml",
        lambda d: csat(d).update(scale=[1, 10]),
        "scale",
        "loosened",
        "unknown",
        CSAT_OBJECTIVES,
        before=targets_only,
    ),
    Case(
        "another type",
        "kpis.yaml",
        lambda d: csat(d).update(type="ces"),
        "type",
        "loosened",
        "unknown",
        CSAT_OBJECTIVES,
        before=targets_only,
    ),
    Case(
        "a mean instead of a share",
        "kpis.yaml",
        lambda d: csat(d).update(statistic="mean"),
        "statistic",
        "loosened",
        "unknown",
        CSAT_OBJECTIVES,
        before=targets_only,
    ),
    Case(
        "the direction turned",
        "kpis.yaml",
        lambda d: csat(d).update(direction="lower_is_better"),
        "direction",
        "loosened",
        "unknown",
        CSAT_OBJECTIVES,
        before=targets_only,
    ),
    Case(
        "a KPI renamed",
        "kpis.yaml",
        lambda d: csat(d).update(name="Customer satisfaction"),
        "name",
        "changed",
        None,
        CSAT_OBJECTIVES,
    ),
    # the measurement point
    Case(
        "min_sample raised",
        "measurement_points.yaml",
        lambda d: checkout_point(d).update(min_sample=100),
        "min_sample",
        "loosened",
        None,
        CHECKOUT,
    ),
    Case(
        "min_sample lowered",
        "measurement_points.yaml",
        lambda d: checkout_point(d).update(min_sample=10),
        "min_sample",
        "tightened",
        None,
        CHECKOUT,
    ),
    Case(
        "a longer collection lag",
        "measurement_points.yaml",
        lambda d: checkout_point(d).update(collection_lag_days=10),
        "collection_lag_days",
        "loosened",
        None,
        CHECKOUT,
    ),
    Case(
        "a shorter collection lag",
        "measurement_points.yaml",
        lambda d: checkout_point(d).update(collection_lag_days=2),
        "collection_lag_days",
        "tightened",
        None,
        CHECKOUT,
        before=lambda d: checkout_point(d).update(collection_lag_days=7),
    ),
    Case(
        "a quarterly window",
        "measurement_points.yaml",
        lambda d: checkout_point(d).update(window={"calendar": "quarter"}),
        "window",
        "loosened",
        "unknown",
        CHECKOUT,
    ),
    Case(
        "another KPI measured",
        "measurement_points.yaml",
        lambda d: checkout_point(d).update(kpi="ease"),
        "kpi",
        "loosened",
        "unknown",
        CHECKOUT,
        before=targets_only,
    ),
    # the objective
    Case(
        "a raised target",
        "objectives.yaml",
        lambda d: checkout(d)["targets"][0].update(target=85),
        "target",
        "tightened",
    ),
    Case(
        "a lowered fail threshold",
        "objectives.yaml",
        lambda d: checkout(d)["targets"][0].update(fail=50),
        "fail",
        "loosened",
    ),
    Case(
        "a trajectory instead of a fixed target, lower at first",
        "objectives.yaml",
        lambda d: checkout(d)["targets"].__setitem__(
            0,
            {
                "effective_from": "2025-01-01",
                "trajectory": {
                    "start": {"date": "2025-01-01", "value": 70},
                    "end": {"date": "2026-12-31", "value": 90},
                },
                "warn_margin": 10,
                "fail_margin": 20,
            },
        ),
        "target",
        "loosened",
    ),
    Case(
        "judged by the value alone",
        "objectives.yaml",
        lambda d: checkout(d).update(rule="point"),
        "rule",
        "tightened",
        "rule_point",
    ),
    Case(
        "judged by a test again",
        "objectives.yaml",
        lambda d: checkout(d).update(rule="test"),
        "rule",
        "loosened",
        "rule_test",
        before=lambda d: checkout(d).update(rule="point"),
    ),
    Case(
        "a confidence",
        "objectives.yaml",
        lambda d: checkout(d).update(confidence=0.8),
        "confidence",
        "changed",
        "intervals_only",
    ),
    Case(
        "one segment only",
        "objectives.yaml",
        lambda d: checkout(d).update(segment={"size": "large"}),
        "segment",
        "loosened",
        "unknown",
        before=by_size,
    ),
    Case(
        "another measurement point",
        "objectives.yaml",
        lambda d: checkout(d).update(measurement_point="mp-delivery"),
        "measurement_point",
        "loosened",
        "unknown",
    ),
    Case(
        "no action policy",
        "objectives.yaml",
        lambda d: checkout(d).pop("action_policy"),
        "action_policy",
        "loosened",
    ),
    Case(
        "a stricter action policy",
        "objectives.yaml",
        lambda d: checkout(d).update(action_policy="strict"),
        "action_policy",
        "tightened",
    ),
    Case(
        "a laxer action policy",
        "objectives.yaml",
        lambda d: checkout(d).update(action_policy="standard"),
        "action_policy",
        "loosened",
        before=lambda d: checkout(d).update(action_policy="strict"),
    ),
    Case(
        "an objective renamed",
        "objectives.yaml",
        lambda d: checkout(d).update(name="Paying"),
        "name",
        "changed",
    ),
    # the action policy
    Case(
        "warn no longer opens an action",
        "action_policies.yaml",
        lambda d: standard(d).update(open_on=["fail"]),
        "triggers",
        "loosened",
        None,
        CSAT_OBJECTIVES,
    ),
    Case(
        "a decline opens an action",
        "action_policies.yaml",
        lambda d: standard(d).update(open_on=["fail", "warn", "decline"]),
        "triggers",
        "tightened",
        None,
        CSAT_OBJECTIVES,
    ),
    Case(
        "longer due days",
        "action_policies.yaml",
        lambda d: standard(d).update(due_days={"fail": 30, "warn": 30}),
        "due_days",
        "loosened",
        None,
        CSAT_OBJECTIVES,
    ),
    Case(
        "shorter due days",
        "action_policies.yaml",
        lambda d: standard(d).update(due_days={"fail": 7, "warn": 30}),
        "due_days",
        "tightened",
        None,
        CSAT_OBJECTIVES,
    ),
    Case(
        "escalation later",
        "action_policies.yaml",
        lambda d: standard(d).update(escalate_after_days=21),
        "escalate_after_days",
        "loosened",
        None,
        CSAT_OBJECTIVES,
    ),
    # the program's decision settings reach every objective
    Case(
        "a lower error rate",
        "program.yaml",
        lambda d: decisions(d).update(error_rate=0.01),
        "decisions.error_rate",
        "loosened",
        None,
        ("o-checkout", "o-complaints", "o-delivery", "o-late"),
    ),
    Case(
        "a higher error rate",
        "program.yaml",
        lambda d: decisions(d).update(error_rate=0.1),
        "decisions.error_rate",
        "tightened",
        None,
        ("o-checkout", "o-complaints", "o-delivery", "o-late"),
    ),
    Case(
        "no adjustment to Holm",
        "program.yaml",
        lambda d: decisions(d).update(adjustment="holm"),
        "decisions.adjustment",
        "loosened",
        "adjustment_stricter",
        ("o-checkout", "o-complaints", "o-delivery", "o-late"),
        before=lambda d: decisions(d).update(adjustment="none"),
    ),
    Case(
        "no adjustment to Benjamini-Hochberg",
        "program.yaml",
        lambda d: decisions(d).update(adjustment="benjamini_hochberg"),
        "decisions.adjustment",
        "loosened",
        "adjustment_stricter",
        ("o-checkout", "o-complaints", "o-delivery", "o-late"),
        before=lambda d: decisions(d).update(adjustment="none"),
    ),
    Case(
        "Benjamini-Hochberg to Holm",
        "program.yaml",
        lambda d: decisions(d).update(adjustment="holm"),
        "decisions.adjustment",
        "loosened",
        "adjustment_stricter",
        ("o-checkout", "o-complaints", "o-delivery", "o-late"),
    ),
    Case(
        "Holm to no adjustment",
        "program.yaml",
        lambda d: decisions(d).update(adjustment="none"),
        "decisions.adjustment",
        "tightened",
        "adjustment_laxer",
        ("o-checkout", "o-complaints", "o-delivery", "o-late"),
        before=lambda d: decisions(d).update(adjustment="holm"),
    ),
    Case(
        "a longer run length",
        "program.yaml",
        lambda d: decisions(d).update(run_length=800),
        "decisions.run_length",
        "loosened",
        None,
        ("o-checkout", "o-complaints", "o-delivery", "o-late"),
    ),
    Case(
        "a lower decline error rate",
        "program.yaml",
        lambda d: decisions(d).update(decline_error_rate=0.005),
        "decisions.decline_error_rate",
        "loosened",
        None,
        ("o-checkout", "o-complaints", "o-delivery", "o-late"),
    ),
    Case(
        "another time zone",
        "program.yaml",
        lambda d: d["program.yaml"]["program"].update(timezone="UTC"),
        "timezone",
        "loosened",
        "unknown",
        ("o-checkout", "o-complaints", "o-delivery", "o-late"),
    ),
    Case(
        "the program renamed",
        "program.yaml",
        lambda d: d["program.yaml"]["program"].update(name="Online shop"),
        "name",
        "changed",
    ),
    # themes and sources decide what is counted
    Case(
        "a theme an objective counts matches other words",
        "themes.yaml",
        lambda d: find(d, "themes.yaml", "late").update(match={"any": ["late", "slow"]}),
        "match",
        "loosened",
        "unknown",
        ("o-late",),
    ),
    Case(
        "a theme no objective counts",
        "themes.yaml",
        lambda d: find(d, "themes.yaml", "price").update(match={"any": ["price", "cost"]}),
        "match",
        "changed",
    ),
    Case(
        "a source's answers read otherwise",
        "sources.yaml",
        lambda d: find(d, "sources.yaml", "answers").update(value_map={"Happy": 5}),
        "value_map",
        "loosened",
        "unknown",
        (*CSAT_OBJECTIVES, "o-late"),
    ),
    Case(
        "a source's files found elsewhere",
        "sources.yaml",
        lambda d: find(d, "sources.yaml", "answers").update(path="exports/*.csv"),
        "path",
        "changed",
        None,
        (*CSAT_OBJECTIVES, "o-late"),
    ),
    # people
    Case(
        "the journey has another owner",
        "journeys/order.yaml",
        lambda d: d["journeys/order.yaml"]["journeys"][0].update(owner="cx"),
        "owner",
        "changed",
        owners=JOURNEY_OWNER,
    ),
]


def _versions(case: Case) -> tuple[Data, Data]:
    old, new = program_data(), program_data()
    case.before(old)
    case.before(new)
    case.edit(new)
    return old, new


def _owners(root: Path, programs: str, file: str) -> tuple[str, ...]:
    for line in generate(root, programs).splitlines():
        pattern, *owners = line.split()
        if pattern == f"/{programs}/shop/{file}":
            return tuple(owners)
    raise AssertionError(f"no CODEOWNERS line for {file}")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_gate(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = _versions(case)
    (change,) = diff_programs(as_program(old), as_program(new))
    assert (change.field, change.effect, change.reason) == (case.field, case.effect, case.reason)
    reached = change.objectives if change.kind != "objective" else ()
    assert reached == case.affects
    # the files as a repository holds them: the whole check validates them and routes them
    write_program(tmp_path / "before" / "shop", old)
    write_program(tmp_path / "after" / "shop", new)
    monkeypatch.chdir(tmp_path)
    # the cases edit revisions in force; rewriting history is a gate of its own
    # (tests/review/test_rewrites.py), allowed here so that the effect alone decides
    result = CliRunner().invoke(
        cli, ["diff", "before", "after", "--fail-on-loosened", "--allow-history-rewrite"]
    )
    assert "fix the program's errors" not in result.output, result.output
    assert result.exit_code == (1 if case.effect == "loosened" else 0), result.output
    # GitHub asks the base branch's CODEOWNERS who must approve
    assert _owners(tmp_path, "before", case.file) == case.owners


def test_a_wider_positive_range_fails_the_gate_on_the_kpi_naming_both_objectives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = program_data()
    new = program_data()
    csat(new)["positive"] = [3, 5]
    write_program(tmp_path / "before" / "shop", old)
    write_program(tmp_path / "after" / "shop", new)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["diff", "before", "after", "--fail-on-loosened"])
    assert result.exit_code == 1
    assert result.output.splitlines()[2:5] == [
        "Web shop (shop): 2 objectives loosened",
        " ! loosened     KPI Satisfaction (csat) positive: [4, 5] (default) → [3, 5]",
        "                (a wider positive range counts more answers as positive; affects "
        "Checkout (o-checkout), Delivery (o-delivery))",
    ]
    assert "2 objectives loosened or removed: they need the approval" in result.output
