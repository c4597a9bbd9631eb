"""The action ledger on both databases: every kind of decision a run makes lands in the store
with its event, and the next run's decisions start from what was stored."""

from __future__ import annotations

import datetime as dt

from cxgov.actions import ledger
from cxgov.actions.outbox import DeliveryState
from cxgov.judgement.actions import Action, ActionEvent, ActionHistory, Effectiveness
from cxgov.judgement.decisions import decide
from cxgov.judgement.lifecycle import ActionStatus
from cxgov.judgement.verdicts import Verdict
from cxgov.store.engine import open_store
from cxgov.store.tables import ACTION_EVENTS, ACTIONS, DELIVERIES
from tests.judgement.test_decisions import _program, _results

NOW = dt.datetime(2026, 7, 2, 6, 0, tzinfo=dt.UTC)


def _step(engine, program, results, today):
    with engine.begin() as connection:
        states = ledger.latest_states(connection, "shop")
        applied = ledger.apply(connection, program, decide(program, results, states, today), NOW)
    return applied.counts


def _only(engine):
    with engine.connect() as connection:
        [found] = ledger.actions(connection, "shop")
        return ledger.action(connection, found.id)


def test_escalation_walks_to_the_sponsor_and_recovery_closes_the_action(db_url: str) -> None:
    program = _program(escalate_after_days=3, close_after_passing_periods=2)
    engine = open_store(db_url)
    try:
        missed = _results(program, [(5, 55, Verdict.FAIL)])
        assert _step(engine, program, missed, dt.date(2026, 6, 2)) == {"open": 1}
        assert _only(engine).due == dt.date(2026, 6, 9)
        assert _step(engine, program, missed, dt.date(2026, 6, 13)) == {"escalate": 1}
        assert _step(engine, program, missed, dt.date(2026, 6, 13)) == {}
        assert _step(engine, program, missed, dt.date(2026, 8, 1)) == {"escalate": 1}
        assert _step(engine, program, missed, dt.date(2026, 9, 1)) == {}
        action = _only(engine)
        assert (action.escalated_to, action.escalation_level) == ("ceo", 2)
        levels = [(e.kind, e.data.get("escalated_to")) for e in action.events]
        assert levels == [("opened", None), ("escalated", "vp"), ("escalated", "ceo")]
        recovered = _results(
            program, [(5, 55, Verdict.FAIL), (6, 85, Verdict.ON_TARGET), (7, 82, Verdict.ON_TARGET)]
        )
        assert _step(engine, program, recovered, dt.date(2026, 9, 1)) == {"close_recovered": 1}
        action = _only(engine)
        assert (action.status, action.closed_reason) == ("closed_recovered", "recovered")
        assert action.open_key is None
        with engine.connect() as connection:
            assert ledger.histories(connection, "shop") == [action]
            assert ledger.program_events(connection, "shop") == list(action.events)
            later = ledger.events_since(connection, [action.id], NOW.replace(tzinfo=None))
            assert later == list(action.events)
            assert ledger.events_since(connection, [], NOW) == []
            assert ledger.histories(connection, "another") == []
    finally:
        engine.dispose()


def test_a_resolved_action_is_verified_or_reopened_by_later_periods(db_url: str) -> None:
    program = _program(verify_within_periods=1)
    engine = open_store(db_url)
    try:
        missed = _results(program, [(4, 55, Verdict.FAIL)])
        _step(engine, program, missed, dt.date(2026, 5, 2))
        action_id = _only(engine).id
        with engine.begin() as connection:
            ledger.transition(
                connection,
                action_id,
                ActionStatus.RESOLVED,
                actor="liisa",
                now=dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
                note="fixed",
            )
        still_low = _results(program, [(4, 55, Verdict.FAIL), (5, 56, Verdict.FAIL)])
        assert _step(engine, program, still_low, dt.date(2026, 6, 2)) == {"reopen_ineffective": 1}
        action = _only(engine)
        assert (action.status, action.occurrences, action.resolved_on) == (
            "reopened",
            2,
            None,
        )
        with engine.begin() as connection:
            ledger.transition(
                connection,
                action_id,
                ActionStatus.RESOLVED,
                actor="liisa",
                now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
            )
        back = [*still_low, *_results(program, [(6, 84, Verdict.ON_TARGET)])]
        assert _step(engine, program, back, dt.date(2026, 7, 2)) == {"verify_effective": 1}
        action = _only(engine)
        assert action.status == "verified_effective" and action.open_key is None
        assert [e.kind for e in action.events] == [
            "opened",
            "resolved",
            "reopen_ineffective",
            "resolved",
            "verify_effective",
        ]
        with engine.connect() as connection:
            shares = ledger.effectiveness(connection, "shop")
        assert shares == [
            Effectiveness(
                by="journey",
                id="order",
                judged=2,
                verified_effective=1,
                ineffective=1,
                share_effective=0.5,
            ),
            Effectiveness(
                by="owner",
                id="cx",
                judged=2,
                verified_effective=1,
                ineffective=1,
                share_effective=0.5,
            ),
        ]
    finally:
        engine.dispose()


def test_the_typed_rows_have_the_tables_columns_in_order() -> None:
    """`actions show --format json` lists the columns in the table's order."""
    assert tuple(Action.__dataclass_fields__) == tuple(ACTIONS.columns.keys())
    assert tuple(ActionEvent.__dataclass_fields__) == tuple(ACTION_EVENTS.columns.keys())
    assert tuple(DeliveryState.__dataclass_fields__) == tuple(DELIVERIES.columns.keys())
    assert tuple(ActionHistory.__dataclass_fields__)[-1] == "events"
