"""Actions in the store, on both databases: evaluation runs open and update them without
duplicates, and people move them on from the command line with every change recorded."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxgov import api
from cxgov.cli import cli
from tests.clock import clock
from tests.conftest import FIXTURES
from tests.store.test_evaluate import HEADER, _nps_rows

POLICY = """
action_policies:
  - id: chase
    open_on: [fail, warn, below_target, no_data]
    due_days: {fail: 7, warn: 21, below_target: 21}
    assignee: journey_owner
"""


def shop_with_policy(folder: Path) -> Path:
    """The shop fixture whose NPS objective opens actions, with its NPS answers as a data
    file the source's glob finds."""
    shutil.copytree(FIXTURES / "shop", folder)
    text = (folder / "program.yaml").read_text()
    text = text.replace(
        "name: NPS, measurement_point", "name: NPS, action_policy: chase, measurement_point"
    )
    (folder / "program.yaml").write_text(text)
    (folder / "policies.yaml").write_text(POLICY)
    (folder / "data").mkdir()
    (folder / "data" / "answers.csv").write_text(HEADER + "".join(_nps_rows()))
    return folder


@pytest.fixture
def program(db_url: str, tmp_path: Path) -> str:
    folder = shop_with_policy(tmp_path / "shop")
    data = folder / "data" / "answers.csv"
    assert api.ingest(str(folder), "answers", [str(data)], db=db_url, clock=clock).rejected == 0
    return str(folder)


def _list(db_url: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["actions", "list", "--format", "json", "--db", db_url])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_runs_open_one_action_and_a_warn_turning_fail_raises_its_severity(
    db_url: str, program: str, tmp_path: Path
) -> None:
    # February falls short beyond doubt (NPS 15 against the target of 30), March fails (−40
    # against the fail threshold of 10).
    first = api.evaluate(program, as_of=dt.date(2026, 3, 10), db=db_url, out=None, clock=clock)
    assert first.record.actions.counts == {"open": 1}
    [opened] = _list(db_url)
    assert set(opened) == {
        "id",
        "program",
        "objective",
        "segment",
        "trigger",
        "status",
        "severity",
        "assignee",
        "due",
        "opened_at",
        "occurrences",
        "escalation_level",
    }
    assert (opened["objective"], opened["trigger"], opened["severity"]) == (
        "o-nps",
        "miss",
        "medium",
    )
    assert (opened["assignee"], opened["due"]) == ("cx", "2026-03-31")
    for _ in range(3):
        again = api.evaluate(program, as_of=dt.date(2026, 3, 10), db=db_url, out=None, clock=clock)
        assert again.record.actions.counts == {}, "a rerun of the same date changes nothing"
    later = api.evaluate(program, as_of=dt.date(2026, 4, 2), db=db_url, out=None, clock=clock)
    assert later.record.actions.counts == {"repeat": 1}
    [raised] = _list(db_url)
    assert (raised["id"], raised["severity"], raised["occurrences"]) == (opened["id"], "high", 2)
    api.evaluate(program, as_of=dt.date(2026, 4, 2), db=db_url, out=None, clock=clock)
    assert len(_list(db_url)) == 1


def test_a_dry_run_leaves_the_actions_alone(db_url: str, program: str) -> None:
    dry = api.evaluate(
        program, as_of=dt.date(2026, 3, 10), db=db_url, out=None, dry_run=True, clock=clock
    )
    assert dry.record.actions is None
    assert _list(db_url) == []


def test_people_move_actions_on_and_every_change_is_an_event(
    db_url: str, program: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.evaluate(program, as_of=dt.date(2026, 3, 10), db=db_url, out=None, clock=clock)
    [action] = _list(db_url)
    ident = str(action["id"])
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(cli, ["actions", *args, "--db", db_url])
        return result.exit_code, result.output

    monkeypatch.setenv("CXGOV_ACTOR", "liisa")
    assert run("ack", ident) == (0, f"action {ident}: acknowledged\n")
    assert run("comment", ident, "asked the team", "--as", "pekka")[0] == 0
    code, output = run("ack", ident)
    assert code == 1 and "cannot become acknowledged" in output
    assert run("resolve", ident)[0] == 2, "resolving needs a note"
    assert run("resolve", ident, "--note", "new checkout flow")[0] == 0
    assert run("cancel", "999", "--note", "x") == (1, "cxgov: error: there is no action 999\n")
    code, output = run("show", ident, "--format", "json")
    shown = json.loads(output)
    assert shown["status"] == "resolved" and shown["resolved_on"] is not None
    assert [(e["kind"], e["actor"], e["from_status"], e["to_status"]) for e in shown["events"]] == [
        ("opened", "cxgov", None, "open"),
        ("acknowledged", "liisa", "open", "acknowledged"),
        ("comment", "pekka", "acknowledged", "acknowledged"),
        ("resolved", "liisa", "acknowledged", "resolved"),
    ]
    assert shown["evidence"]["value"] == pytest.approx(15.0)
    assert [a["id"] for a in _list(db_url)] == [action["id"]]
    listed = runner.invoke(cli, ["actions", "list", "--status", "open", "--db", db_url])
    assert listed.output == "no actions\n"


def test_an_owners_digest_lists_objectives_due_actions_and_changes(
    db_url: str, program: str
) -> None:
    at = dt.datetime(2026, 3, 10, 6, 0, tzinfo=dt.UTC)
    api.evaluate(program, as_of=at.date(), db=db_url, out=None, clock=lambda: at)
    [action] = _list(db_url)
    api.change_action(
        int(str(action["id"])),
        "comment",
        actor="pekka",
        db=db_url,
        note="<b>called</b> the team",
        clock=lambda: dt.datetime(2026, 3, 11, 9, 0, tzinfo=dt.UTC),
    )
    text = api.digest(program, "cx", as_of=dt.date(2026, 3, 25), db=db_url)
    assert text.startswith("# Digest for CX Lead\n")
    assert "changes since 2026-03-18" in text, "a weekly digest looks one week back"
    # the current status (March has its 100 answers): the one rule the site and report use
    assert (
        "| o-nps | – | 2026-03-01–2026-03-31 (partial) | -40.0 | 100 | **fail** | -55.0 |" in text
    )
    assert f"- #{action['id']} o-nps (miss, medium): due 2026-03-31" in text
    assert "No changes." in text
    since = api.digest(
        program, "cx", as_of=dt.date(2026, 3, 25), since=dt.date(2026, 3, 1), db=db_url
    )
    assert "(pekka): <b>called</b> the team" in since
    assert "- 2026-03-10 #1 opened → open (cxgov)" in since
    with pytest.raises(api.UsageError, match="no owner 'nobody'"):
        api.digest(program, "nobody", as_of=dt.date(2026, 3, 25), db=db_url)
