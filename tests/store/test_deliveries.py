"""Actions mirrored to sinks through the nightly run, on both databases, against real local
servers: a sink that is down never fails the run nor loses a delivery, and the next run
delivers it; GitHub issues follow the action."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from standardwebhooks import Webhook

from cxgov import api
from cxgov.cli import cli
from tests.actions.test_standard_webhooks import NEW_SECRET, ReceiverClock
from tests.clock import clock, later
from tests.local_servers import Recorded, Reply, StartHttp, StartSmtp, json_reply
from tests.store.test_actions import shop_with_policy, shop_with_sinks

AS_OF = dt.date(2026, 4, 2)


@pytest.fixture(autouse=True)
def _direct(no_proxy: None) -> None:
    """The local servers are reached directly, whatever proxy the machine sets."""


def _with_sinks(folder: Path, hook: str) -> Path:
    return shop_with_sinks(
        folder,
        f"{{type: webhook, url: '{hook}', secret_env: TEST_HOOK_SECRET}}",
        "{type: email, to: [cx-team@example.org]}",
        "{type: github, repo: acme/cx, labels: [cx-action]}",
    )


def test_a_sink_that_is_down_is_retried_by_the_next_run_and_issues_follow_the_action(
    db_url: str,
    tmp_path: Path,
    http_server: StartHttp,
    smtp_server: StartSmtp,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hook_up = {"ok": False}

    def webhook(_: Recorded) -> Reply:
        return Reply(200) if hook_up["ok"] else Reply(503)

    def github(request: Recorded) -> Reply:
        if request.method == "POST" and request.path == "/repos/acme/cx/issues":
            return json_reply(201, {"number": 7})
        return json_reply(200, {})

    hook = http_server(webhook)
    hub = http_server(github)
    smtp = smtp_server()
    monkeypatch.setenv("TEST_HOOK_SECRET", NEW_SECRET)
    receiver = ReceiverClock(monkeypatch, clock)
    monkeypatch.setenv("CXGOV_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CXGOV_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("CXGOV_SMTP_TLS", "none")
    monkeypatch.setenv("CXGOV_GITHUB_API_URL", hub.url)
    monkeypatch.setenv("CXGOV_GITHUB_TOKEN", "token-1")
    program = str(_with_sinks(tmp_path / "shop", hook.url + "/cx"))

    first = api.run(program, as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert first.evaluation is not None and first.evaluation.record.actions.counts == {"open": 1}
    assert first.deliveries == {"delivered": 2, "failed": 1}
    [waiting] = api.deliveries(db_url).waiting
    assert waiting.sink == f"webhook:{hook.url}/cx" and waiting.status == "failed"
    assert waiting.last_error is not None and "503" in waiting.last_error
    listed = CliRunner().invoke(cli, ["actions", "deliveries", "--db", db_url])
    assert "failed after 1 attempt(s)" in listed.output

    [mail] = smtp.messages
    message = email.message_from_bytes(mail, policy=email.policy.default)
    assert smtp.recipients == ["cx-team@example.org"]
    assert "o-nps" in str(message["Subject"])
    searched, created = hub.requests
    assert (searched.method, searched.path.partition("?")[0]) == ("GET", "/search/issues")
    assert created.headers["Authorization"] == "Bearer token-1"
    assert "cx-action" in json.loads(created.body)["labels"]

    hook_up["ok"] = True
    assert api.run(program, as_of=AS_OF, db=db_url, out=None, clock=clock).deliveries == {}, (
        "not due before its backoff"
    )
    receiver.now = later(6)
    second = api.run(program, as_of=AS_OF, db=db_url, out=None, clock=later(6))
    assert second.evaluation is None, "nothing new to judge"
    assert second.deliveries == {"delivered": 1}
    assert api.deliveries(db_url).waiting == []
    delivered = [r for r in hook.requests if r.headers.get("X-Cxgov-Event")]
    assert len(delivered) == 4, "three failed tries of the first run, one success now"
    verified = Webhook(NEW_SECRET).verify(delivered[-1].body, dict(delivered[-1].headers.items()))
    body: dict[str, Any] = verified["data"]
    assert body["action"]["objective"] == "o-nps" and body["event"]["kind"] == "opened"

    action_id = int(body["action"]["id"])
    api.change_action(
        action_id, "cancelled", actor="liisa", db=db_url, note="duplicate", clock=clock
    )
    third = api.run(program, as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert third.deliveries == {"delivered": 2, "skipped": 1}, "no mail for a cancellation"
    comment, close = hub.requests[2:]
    assert (comment.method, comment.path) == ("POST", "/repos/acme/cx/issues/7/comments")
    assert (close.method, close.path) == ("PATCH", "/repos/acme/cx/issues/7")
    assert json.loads(close.body) == {"state": "closed", "state_reason": "not_planned"}
    assert api.run(program, as_of=AS_OF, db=db_url, out=None, clock=clock).deliveries == {}


def test_the_nightly_run_mails_digests_on_each_owners_schedule_once_a_day(
    db_url: str, tmp_path: Path, smtp_server: StartSmtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = shop_with_policy(tmp_path / "shop")
    text = (program / "program.yaml").read_text()
    text = text.replace(
        "{id: ceo, name: Chief Executive}",
        "{id: ceo, name: Chief Executive, email: ceo@example.org, digest: weekly}",
    ).replace(
        "{id: cx, name: CX Lead, escalates_to: ceo}",
        "{id: cx, name: CX Lead, escalates_to: ceo, email: cx@example.org, digest: daily}",
    )
    (program / "program.yaml").write_text(text)
    smtp = smtp_server()
    monkeypatch.setenv("CXGOV_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CXGOV_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("CXGOV_SMTP_TLS", "none")
    thursday = api.run(str(program), as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert thursday.digests == {"sent": 1}, "the weekly owner waits for Monday"
    assert smtp.recipients == ["cx@example.org"]
    [mail] = smtp.messages
    message = email.message_from_bytes(mail, policy=email.policy.default)
    body = message.get_body(("plain",))
    assert body is not None and "# Digest for CX Lead" in body.get_content()
    assert "o-nps (missed target, high): due 2026-04-09" in body.get_content()
    assert api.run(str(program), as_of=AS_OF, db=db_url, out=None, clock=clock).digests == {}
    monday = api.run(str(program), as_of=dt.date(2026, 4, 6), db=db_url, out=None, clock=clock)
    assert monday.digests == {"sent": 2}
    assert sorted(smtp.recipients[1:]) == ["ceo@example.org", "cx@example.org"]
