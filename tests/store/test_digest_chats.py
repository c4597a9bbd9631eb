"""Owners' digests posted to their Microsoft Teams and Slack chats by the nightly run, on both
databases, against real local receivers: once a day per channel, in the program's language,
each objective linked to its page; a chat that is down is tried again by the next run and
never gets the same digest twice; `validate --environment` names a chat variable not set."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cxgov import api
from cxgov.cli import cli
from tests.actions.test_chat_sinks import assert_slack_message, assert_teams_message
from tests.clock import clock
from tests.local_servers import Reply, StartHttp, scripted
from tests.store.test_actions import shop_with_policy

AS_OF = dt.date(2026, 4, 2)
MONDAY = dt.date(2026, 4, 6)
SITE = "https://cx.example.org/kauppa/"


@pytest.fixture(autouse=True)
def _direct(no_proxy: None) -> None:
    """The local servers are reached directly, whatever proxy the machine sets."""


def _shop(folder: Path, *, language: str = "en") -> Path:
    program = shop_with_policy(folder)
    path = program / "program.yaml"
    text = path.read_text().replace(
        "{id: cx, name: CX Lead, escalates_to: ceo}",
        "{id: cx, name: CX Lead, escalates_to: ceo, digest: daily,"
        " teams_url_env: CX_TEAMS_URL, slack_url_env: CX_SLACK_URL}",
    )
    text = text.replace("  sponsor: ceo\n", f"  sponsor: ceo\n  site_url: {SITE}\n", 1)
    if language == "fi":
        text = text.replace("language: en", "language: fi")
    path.write_text(text)
    return program


def _accepting(status: int) -> Any:
    return scripted(Reply(status, b"ok" if status == 200 else b""))


def test_a_daily_owner_gets_the_digest_in_teams_and_slack_once_a_day(
    db_url: str, tmp_path: Path, http_server: StartHttp, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = str(_shop(tmp_path / "shop"))
    teams, slack = http_server(_accepting(202)), http_server(_accepting(200))
    monkeypatch.setenv("CX_TEAMS_URL", teams.url + "/workflows/abc?sig=secret")
    monkeypatch.setenv("CX_SLACK_URL", slack.url + "/services/T0/B0/secret")
    monkeypatch.delenv("CXGOV_SMTP_HOST", raising=False)

    first = api.run(program, as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert first.digests == {"sent": 2}, "one Teams card, one Slack message; no mail server"
    [posted_card] = teams.requests
    assert posted_card.path == "/workflows/abc?sig=secret"
    assert posted_card.headers["X-Cxgov-Event"] == "digest"
    card = assert_teams_message(json.loads(posted_card.body))
    texts = json.dumps(card, ensure_ascii=False)
    assert "Digest for CX Lead" in texts
    assert f"{SITE}objectives/o-nps.html" in texts, "each objective opens its page"

    [posted] = slack.requests
    message = json.loads(posted.body)
    assert_slack_message(message)
    shown = json.dumps(message["blocks"], ensure_ascii=False)
    assert message["text"] == "Digest for CX Lead"
    assert f"<{SITE}objectives/o-nps.html|" in shown
    assert "due 2026-04-09" in shown

    again = api.run(program, as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert again.digests == {} and len(teams.requests) == len(slack.requests) == 1
    next_day = api.run(
        program, as_of=AS_OF + dt.timedelta(days=1), db=db_url, out=None, clock=clock
    )
    assert next_day.digests == {"sent": 2}, "daily: one a day"


def test_a_chat_that_is_down_gets_the_digest_from_the_next_run_and_only_once(
    db_url: str, tmp_path: Path, http_server: StartHttp, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = str(_shop(tmp_path / "shop", language="fi"))
    replies = [Reply(503, b"busy")] * 3 + [Reply(202)]
    teams = http_server(scripted(*replies))
    slack = http_server(_accepting(200))
    monkeypatch.setenv("CX_TEAMS_URL", teams.url + "/flow")
    monkeypatch.setenv("CX_SLACK_URL", slack.url + "/hook")
    monkeypatch.delenv("CXGOV_SMTP_HOST", raising=False)

    first = api.run(program, as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert first.digests == {"sent": 1, "failed": 1}, "three tries, then the next run"
    assert len(teams.requests) == 3
    second = api.run(program, as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert second.digests == {"sent": 1}, "only the chat that missed it"
    assert len(slack.requests) == 1 and len(teams.requests) == 4
    card = assert_teams_message(json.loads(teams.requests[-1].body))
    assert card["lang"] == "fi"
    assert card["body"][0]["text"] == "Kooste: CX Lead"
    assert json.loads(slack.requests[0].body)["text"] == "Kooste: CX Lead"


def test_digest_format_slack_prints_the_incoming_webhook_body(
    db_url: str, tmp_path: Path, http_server: StartHttp, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = str(_shop(tmp_path / "shop"))
    monkeypatch.delenv("CXGOV_SMTP_HOST", raising=False)
    api.run(program, as_of=AS_OF, db=db_url, out=None, clock=clock)
    printed = CliRunner().invoke(
        cli,
        ["digest", "--program", program, "--owner", "cx", "--as-of", "2026-04-02",
         "--format", "slack", "--db", db_url],
    )  # fmt: skip
    assert printed.exit_code == 0, printed.output
    body = json.loads(printed.output)
    assert_slack_message(body)
    assert body["text"] == "Digest for CX Lead"


def test_validate_environment_names_the_digest_chat_variable_not_set(tmp_path: Path) -> None:
    program = str(_shop(tmp_path / "shop"))
    result = CliRunner(env={"CX_SLACK_URL": "https://hooks.slack.example/T0"}).invoke(
        cli, ["validate", "--environment", program]
    )
    assert result.exit_code == 1, result.output
    assert "owner 'cx': the environment variable CX_TEAMS_URL (teams_url_env) is not set" in (
        result.output
    )
    assert "CX_SLACK_URL" not in result.output
