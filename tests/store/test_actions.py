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


def shop_with_sinks(folder: Path, *sinks: str) -> Path:
    """`shop_with_policy` whose policy (fail and warn open actions, for the journey's owner)
    delivers to `sinks`, each a YAML flow mapping such as `{type: webhook, url: '…'}`."""
    program = shop_with_policy(folder)
    (program / "policies.yaml").write_text(
        "action_policies:\n"
        "  - id: chase\n"
        "    open_on: [fail, warn]\n"
        "    assignee: journey_owner\n"
        "    sinks:\n" + "".join(f"      - {sink}\n" for sink in sinks)
    )
    return program


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
    assert f"- #{action['id']} o-nps (missed target, medium): due 2026-03-31" in text
    assert "No changes." in text
    since = api.digest(
        program, "cx", as_of=dt.date(2026, 3, 25), since=dt.date(2026, 3, 1), db=db_url
    )
    assert "(pekka): <b>called</b> the team" in since
    assert "- 2026-03-10 #1 opened → open (cxgov)" in since
    with pytest.raises(api.UsageError, match="no owner 'nobody'"):
        api.digest(program, "nobody", as_of=dt.date(2026, 3, 25), db=db_url)


OPENED_AT = dt.datetime(2026, 3, 10, 6, 0, tzinfo=dt.UTC)
"""When the run that opens the shop's action records it: fixed, so a time shown can be read."""


def _evaluated(program: str, db_url: str) -> str:
    api.evaluate(program, as_of=OPENED_AT.date(), db=db_url, out=None, clock=lambda: OPENED_AT)
    [action] = _list(db_url)
    return str(action["id"])


def test_an_action_goes_only_to_an_owner_of_its_program(
    db_url: str, program: str, monkeypatch: pytest.MonkeyPatch, in_repo: Path
) -> None:
    ident = _evaluated(program, db_url)
    runner = CliRunner()
    monkeypatch.setenv("CXGOV_ACTOR", "liisa")

    def assign(*args: str) -> tuple[int, str]:
        result = runner.invoke(cli, ["actions", "assign", ident, *args, "--db", db_url])
        return result.exit_code, result.output

    # the shop's files are not under programs/: its owners cannot be known without --program
    code, output = assign("ceo")
    assert code == 2 and "program shop (action 1): its files are not under programs/" in output
    code, output = assign("eceo", "--program", program)
    assert code == 2, "an unknown owner would take the action out of everyone's sight"
    assert "no owner 'eceo' in program shop; did you mean 'ceo'? (owners: ceo, cx)" in output
    code, output = assign("nobody", "--program", program)
    assert code == 2 and "did you mean" not in output and "(owners: ceo, cx)" in output
    assert run_show(runner, db_url, ident)["assignee"] == "cx", "nothing changed"
    assert assign("ceo", "--program", program) == (0, f"action {ident}: open\n")
    shown = run_show(runner, db_url, ident)
    assert shown["assignee"] == "ceo"
    assert shown["events"][-1]["data"] == {"from": "cx", "to": "ceo"}


def run_show(runner: CliRunner, db_url: str, ident: str) -> dict[str, object]:
    result = runner.invoke(cli, ["actions", "show", ident, "--format", "json", "--db", db_url])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_show_says_who_assigned_the_action_when_with_figures_rounded_as_the_site_does(
    db_url: str, program: str
) -> None:
    ident = _evaluated(program, db_url)
    runner = CliRunner()

    def show() -> list[str]:
        result = runner.invoke(cli, ["actions", "show", ident, "--db", db_url])
        assert result.exit_code == 0, result.output
        return result.output.splitlines()

    # opened by the run at 06:00 UTC, to the policy's journey owner
    lines = show()
    assert (
        lines[1] == "  assigned to cx at 2026-03-10 06:00 UTC by its action policy; due 2026-03-31"
    )
    evidence = lines[2]
    assert evidence.startswith("  evidence: nps 15.0 (n=100, interval "), evidence
    assert evidence.endswith(" against target 30.0 in 2026-02-01..2026-02-28"), evidence
    # every figure has the site's one decimal, however many the stored evidence holds
    figures = evidence.split("interval ")[1].split(")")[0].split("..")
    assert all(len(f.split(".")[1]) == 1 for f in figures), figures
    assert lines[3] == "  2026-03-10 06:00 UTC cxgov: opened (→ open)"
    at = dt.datetime(2026, 12, 2, 7, 45, tzinfo=dt.UTC)
    api.change_action(
        int(ident),
        "assign",
        actor="pekka",
        db=db_url,
        owner="ceo",
        program_dir=program,
        clock=lambda: at,
    )
    lines = show()
    assert lines[1] == (
        "  assigned to ceo at 2026-12-02 07:45 UTC by pekka, was cx; due 2026-03-31"
    )
    assert lines[-1] == "  2026-12-02 07:45 UTC pekka: assigned (open): cx → ceo"


def test_list_takes_the_program_as_a_directory_or_an_id_and_refuses_unknown_values(
    db_url: str, program: str, in_repo: Path
) -> None:
    ident = int(_evaluated(program, db_url))
    runner = CliRunner()

    def listed(*args: str) -> tuple[int, str]:
        result = runner.invoke(cli, ["actions", "list", *args, "--format", "json", "--db", db_url])
        return result.exit_code, result.output

    for named in (program, "shop"):
        code, output = listed("--program", named)
        assert code == 0, output
        assert [a["id"] for a in json.loads(output)] == [ident], named
    code, output = listed("--program", "shpo")
    assert code == 2, "an unknown program is no empty list"
    assert "no program has the id 'shpo'; did you mean 'shop'?" in output
    assert "shop" in output.split("program ids: ")[1], "the valid ids come from the store too"
    code, output = listed("--status", "avoin")
    assert code == 2 and "'avoin' is not one of 'open', 'acknowledged'" in output
    code, output = listed("--status", "OPEN")
    assert code == 0 and [a["id"] for a in json.loads(output)] == [ident]
    # owners and journeys: those of the actions and of the programs under programs/
    code, output = listed("--owner", "cxx")
    assert code == 2 and "--owner cxx: no program or action knows it; did you mean 'cx'?" in output
    code, output = listed("--journey", "ordr", "--program", "shop")
    assert code == 2 and "did you mean 'order'? (valid: order)" in output
    assert listed("--owner", "cx")[0] == 0
    code, output = listed("--owner", "cx-johtaja", "--program", "shop")
    assert code == 2, "an owner of another program is not one of this one's"
    code, output = listed("--owner", "cx-johtaja")
    assert (code, json.loads(output)) == (0, []), "an owner of a program under programs/"
    for command in ("deliveries", "effectiveness"):
        result = runner.invoke(cli, ["actions", command, "--program", "shpo", "--db", db_url])
        assert result.exit_code == 2 and "did you mean 'shop'?" in result.output, command
        result = runner.invoke(cli, ["actions", command, "--program", program, "--db", db_url])
        assert result.exit_code == 0, result.output
