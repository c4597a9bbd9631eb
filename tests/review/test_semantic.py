"""The semantic diff: what changed, item by item, and whether each target change tightens or
loosens by the KPI's direction."""

from __future__ import annotations

import json
from typing import Any

from cxgov.model import Program
from cxgov.review import Change, diff_programs
from tests.review.programs import item, program_data


def as_program(data: dict[str, dict[str, Any]]) -> Program:
    merged: dict[str, Any] = {}
    for content in data.values():
        for section, value in content.items():
            if isinstance(value, list):
                merged.setdefault(section, []).extend(value)
            else:
                merged[section] = value
    return Program.model_validate(merged)


def diff(edit: Any) -> list[Change]:
    old = program_data()
    new = program_data()
    edit(new)
    return diff_programs(as_program(old), as_program(new))


def one(changes: list[Change]) -> Change:
    assert len(changes) == 1, changes
    return changes[0]


def checkout(data: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return item(data, "objectives.yaml", "objectives", "o-checkout")


def test_identical_programs_have_no_changes() -> None:
    assert diff(lambda d: None) == []


def test_raised_target_of_a_higher_is_better_kpi_is_tightened() -> None:
    change = one(diff(lambda d: checkout(d)["targets"][0].update(target=85)))
    assert (change.kind, change.id, change.field, change.old, change.new, change.effect) == (
        "objective",
        "o-checkout",
        "target",
        80,
        85,
        "tightened",
    )
    assert change.at == "2025-01-01"


def test_lowered_warn_and_fail_are_loosened() -> None:
    def edit(d: dict[str, dict[str, Any]]) -> None:
        checkout(d)["targets"][0].update(warn=65, fail=50)

    assert [(c.field, c.effect) for c in diff(edit)] == [("warn", "loosened"), ("fail", "loosened")]


def test_lower_is_better_kpi_mirrors_the_labels() -> None:
    def edit(d: dict[str, dict[str, Any]]) -> None:
        complaints = item(d, "objectives.yaml", "objectives", "o-complaints")
        complaints["targets"][0].update(target=4, fail=10)

    effects = {c.field: c.effect for c in diff(edit)}
    assert effects == {"target": "tightened", "fail": "loosened"}


def test_a_future_revision_that_lowers_the_target_is_loosened() -> None:
    def edit(d: dict[str, dict[str, Any]]) -> None:
        checkout(d)["targets"].append(
            {"effective_from": "2030-01-01", "target": 70, "warn": 60, "fail": 50}
        )

    changes = diff(edit)
    assert {(c.field, c.old, c.new, c.effect, c.at) for c in changes} == {
        ("target", 80, 70, "loosened", "2030-01-01"),
        ("warn", 70, 60, "loosened", "2030-01-01"),
        ("fail", 60, 50, "loosened", "2030-01-01"),
    }


def test_removing_the_revision_that_raised_a_target_is_loosened() -> None:
    old = program_data()
    checkout(old)["targets"].append(
        {"effective_from": "2026-01-01", "target": 90, "warn": 80, "fail": 70}
    )
    new = program_data()
    changes = diff_programs(as_program(old), as_program(new))
    assert {(c.field, c.effect, c.at) for c in changes} == {
        ("target", "loosened", "2026-01-01"),
        ("warn", "loosened", "2026-01-01"),
        ("fail", "loosened", "2026-01-01"),
    }


def test_a_revision_moved_later_keeps_the_old_target_longer() -> None:
    old = program_data()
    checkout(old)["targets"].append(
        {"effective_from": "2026-01-01", "target": 90, "warn": 80, "fail": 70}
    )
    new = program_data()
    checkout(new)["targets"].append(
        {"effective_from": "2026-07-01", "target": 90, "warn": 80, "fail": 70}
    )
    changes = diff_programs(as_program(old), as_program(new))
    # January to June 2026 is judged against the 2025 target again: loosened from January
    assert {(c.field, c.old, c.new, c.effect, c.at) for c in changes} == {
        ("target", 90, 80, "loosened", "2026-01-01"),
        ("warn", 80, 70, "loosened", "2026-01-01"),
        ("fail", 70, 60, "loosened", "2026-01-01"),
    }


def _trajectory(start: float, end: float, warn_margin: float = 5) -> dict[str, Any]:
    return {
        "effective_from": "2026-01-01",
        "trajectory": {
            "start": {"date": "2026-01-01", "value": start},
            "end": {"date": "2027-12-31", "value": end},
        },
        "warn_margin": warn_margin,
        "fail_margin": 10,
    }


def _with_trajectory(start: float, end: float, warn_margin: float = 5) -> dict[str, dict[str, Any]]:
    data = program_data()
    checkout(data)["targets"].append(_trajectory(start, end, warn_margin))
    return data


def test_trajectory_raised_at_its_end_is_tightened() -> None:
    changes = diff_programs(
        as_program(_with_trajectory(60, 80)), as_program(_with_trajectory(60, 85))
    )
    change = one(changes)
    assert (change.field, change.effect) == ("trajectory", "tightened")
    assert change.new["end"] == {"date": "2027-12-31", "value": 85.0}


def test_trajectory_lowered_at_its_start_but_raised_at_its_end_is_loosened() -> None:
    # lower in 2026, higher by 2027: lower on some dates is a loosening
    change = one(
        diff_programs(as_program(_with_trajectory(60, 80)), as_program(_with_trajectory(50, 90)))
    )
    assert (change.field, change.effect) == ("trajectory", "loosened")


def test_wider_trajectory_margin_is_loosened() -> None:
    change = one(
        diff_programs(as_program(_with_trajectory(60, 80)), as_program(_with_trajectory(60, 80, 8)))
    )
    assert (change.field, change.old, change.new, change.effect) == (
        "warn_margin",
        5,
        8,
        "loosened",
    )


def test_a_fixed_target_replaced_by_a_trajectory_compares_the_values_at_the_same_dates() -> None:
    old = program_data()
    checkout(old)["targets"].append(
        {"effective_from": "2026-01-01", "target": 70, "warn": 65, "fail": 60}
    )
    # from 2026 the path runs 70 -> 90: never below the fixed 70, thresholds at 65 and 60
    new = _with_trajectory(70, 90)
    checkout(new)["targets"][1].update(warn_margin=5, fail_margin=10)
    change = one(diff_programs(as_program(old), as_program(new)))
    assert (change.field, change.effect, change.at) == ("target", "tightened", "2026-01-01")


def test_raising_min_sample_makes_misses_harder_to_see() -> None:
    def edit(d: dict[str, dict[str, Any]]) -> None:
        item(d, "measures.yaml", "measurement_points", "mp-checkout")["min_sample"] = 100

    change = one(diff(edit))
    assert (change.kind, change.field, change.old, change.new, change.effect) == (
        "measurement_point",
        "min_sample",
        30,
        100,
        "loosened",
    )


def test_lowering_min_sample_below_the_default_is_tightened() -> None:
    def edit(d: dict[str, dict[str, Any]]) -> None:
        item(d, "measures.yaml", "measurement_points", "mp-checkout")["min_sample"] = 10

    assert one(diff(edit)).effect == "tightened"


def test_a_confidence_changes_only_the_intervals_shown() -> None:
    change = one(diff(lambda d: checkout(d).update(confidence=0.9)))
    assert (change.old, change.new, change.effect, change.reason) == (
        0.95,
        0.9,
        "changed",
        "intervals_only",
    )
    assert change.defaults == ("old",)


def test_policy_with_a_trigger_removed_and_longer_due_days_is_loosened() -> None:
    def edit(d: dict[str, dict[str, Any]]) -> None:
        policy = item(d, "measures.yaml", "action_policies", "standard")
        policy["open_on"] = ["fail"]
        policy["due_days"] = {"fail": 30, "warn": 30}
        policy["escalate_after_days"] = 3

    effects = {(c.kind, c.field): c.effect for c in diff(edit)}
    assert effects == {
        ("action_policy", "triggers"): "loosened",
        ("action_policy", "due_days"): "loosened",
        ("action_policy", "escalate_after_days"): "tightened",
    }


def test_owner_and_escalation_changes_are_listed() -> None:
    def edit(d: dict[str, dict[str, Any]]) -> None:
        d["journeys/order.yaml"]["journeys"][0]["owner"] = "cx"
        d["journeys/order.yaml"]["journeys"][0]["touchpoints"][0]["owner"] = "ops"
        item(d, "program.yaml", "owners", "ops")["escalates_to"] = "ceo"
        d["program.yaml"]["program"]["cx_owner"] = "ops"

    found = {(c.kind, c.id, c.field, c.old, c.new, c.effect) for c in diff(edit)}
    assert found == {
        ("program", "shop", "cx_owner", "cx", "ops", "changed"),
        ("owner", "ops", "escalates_to", "cx", "ceo", "changed"),
        ("journey", "order", "owner", "ops", "cx", "changed"),
        ("touchpoint", "order/checkout", "owner", "web", "ops", "changed"),
    }


def test_removed_objective_blocks_and_added_one_does_not() -> None:
    def edit(d: dict[str, dict[str, Any]]) -> None:
        objectives = d["objectives.yaml"]["objectives"]
        objectives.remove(checkout(d))
        objectives.append({**checkout(program_data()), "id": "o-checkout-2"})

    changes = diff(edit)
    assert [(c.id, c.effect, c.blocks) for c in changes] == [
        ("o-checkout", "removed", True),
        ("o-checkout-2", "added", False),
    ]
    assert changes[0].old["targets"][0]["target"] == 80


def test_journey_removed_lists_its_touchpoints_too() -> None:
    old = program_data()
    old["journeys/order.yaml"]["journeys"].append(
        {
            "id": "returns",
            "name": "Returns",
            "touchpoints": [{"id": "form", "name": "Form", "stage": "s", "channel": "c"}],
        }
    )
    changes = diff_programs(as_program(old), as_program(program_data()))
    assert [(c.kind, c.id, c.effect) for c in changes] == [
        ("journey", "returns", "removed"),
        ("touchpoint", "returns/form", "removed"),
    ]


def test_theme_and_kpi_changes_are_changed() -> None:
    def edit(d: dict[str, dict[str, Any]]) -> None:
        item(d, "measures.yaml", "kpis", "csat")["name"] = "Customer satisfaction"
        d["measures.yaml"]["themes"] = [
            {"id": "delay", "name": "Delay", "match": {"any": ["late"]}}
        ]

    assert [(c.kind, c.id, c.field, c.effect) for c in diff(edit)] == [
        ("kpi", "csat", "name", "changed"),
        ("theme", "delay", None, "added"),
    ]


def test_a_new_program_is_everything_added_in_a_fixed_order() -> None:
    program = as_program(program_data())
    changes = diff_programs(None, program)
    assert changes == diff_programs(None, program)
    assert all(c.effect == "added" for c in changes)
    kinds = [c.kind for c in changes]
    assert kinds[0] == "program"
    assert kinds.index("owner") < kinds.index("journey") < kinds.index("objective")
    assert ("touchpoint", "order/checkout") in {(c.kind, c.id) for c in changes}
    assert diff_programs(program, None)[-1].effect == "removed"


def test_every_change_is_json_with_the_contract_keys() -> None:
    def edit(d: dict[str, dict[str, Any]]) -> None:
        checkout(d)["targets"][0].update(target=70)
        item(d, "measures.yaml", "action_policies", "standard")["open_on"] = ["fail"]

    for change in diff(edit):
        data = json.loads(json.dumps(change.to_json()))
        assert {"kind", "id", "field", "old", "new", "effect"} <= set(data)
        assert data["effect"] in ("added", "removed", "tightened", "loosened", "changed")
