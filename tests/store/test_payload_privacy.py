"""No customer comment and no customer key leaves in any payload: answers with distinctive
keys and comments are judged, and every request a webhook receiver, the GitHub API and an
SMTP server get over the whole life of an action is scanned for them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from cxgov import api
from cxgov.store.engine import open_store
from cxgov.store.tables import FEEDBACK
from tests.actions.test_standard_webhooks import NEW_SECRET, ReceiverClock, verifying
from tests.clock import clock
from tests.local_servers import StartHttp, StartSmtp
from tests.store.test_actions import shop_with_sinks
from tests.store.test_github_issues import FakeGitHub

AS_OF = dt.date(2026, 4, 2)
HEADER = "response,answered_at,question,score,customer,comment,company_size,region\n"


@pytest.fixture(autouse=True)
def _direct(no_proxy: None) -> None:
    """The local servers are reached directly, whatever proxy the machine sets."""


def _customer(n: int) -> str:
    return f"asiakas-{n:04d}-tunniste"


def _comment(n: int) -> str:
    return f"Palaute {n:04d}: jono oli pitkä"


def test_no_payload_carries_a_customer_comment_or_key(
    db_url: str,
    tmp_path: Path,
    http_server: StartHttp,
    smtp_server: StartSmtp,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ReceiverClock(monkeypatch, clock)
    hook = http_server(verifying(NEW_SECRET))
    hub = FakeGitHub("201")
    github = http_server(hub)
    smtp = smtp_server()
    for name, value in {
        "HOOK_SECRET": NEW_SECRET,
        "CXGOV_GITHUB_API_URL": github.url,
        "CXGOV_GITHUB_TOKEN": "token-1",
        "CXGOV_SMTP_HOST": "127.0.0.1",
        "CXGOV_SMTP_PORT": str(smtp.port),
        "CXGOV_SMTP_TLS": "none",
    }.items():
        monkeypatch.setenv(name, value)
    program = shop_with_sinks(
        tmp_path / "shop",
        f"{{type: webhook, url: '{hook.url}/cx', secret_env: HOOK_SECRET}}",
        "{type: github, repo: acme/cx}",
        "{type: email, to: [cx-team@example.org]}",
    )
    # the fixture's answers (March fails the NPS objective), each with its own key and comment
    answers = program / "data" / "answers.csv"
    header, *lines = answers.read_text(encoding="utf-8").splitlines()
    assert header == HEADER.strip()
    rows = []
    for n, line in enumerate(lines):
        fields = line.split(",")
        fields[4], fields[5] = _customer(n), _comment(n)
        rows.append(",".join(fields) + "\n")
    answers.write_text(HEADER + "".join(rows), encoding="utf-8")

    opened = api.run(str(program), as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert opened.evaluation is not None and opened.evaluation.record.actions is not None
    [action_id] = opened.evaluation.record.actions.action_ids
    for change in ("comment", "resolved"):
        api.change_action(action_id, change, actor="liisa", db=db_url, note="soitettu", clock=clock)
    api.run(str(program), as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert api.deliveries(db_url).waiting == []
    engine = open_store(db_url)
    try:
        with engine.connect() as connection:
            stored = set(connection.execute(select(FEEDBACK.c.comment)).scalars())
    finally:
        engine.dispose()
    assert _comment(0) in stored, "the comments are in the store, for the scan to mean anything"

    sent = [r.body for r in hook.requests] + [r.body for r in github.requests] + smtp.messages
    assert len(hook.requests) == 3 and list(hub.issues) == [1] and smtp.messages
    texts = [body.decode("utf-8", "replace") for body in sent]
    for n in range(len(rows)):
        for secret in (_customer(n), _comment(n)):
            assert not any(secret in text for text in texts), secret
    # nothing that looks like one either: the distinctive parts of every key and comment
    assert not any("tunniste" in text or "jono oli" in text for text in texts)
