"""What leaves through the sinks, through the nightly run on both databases against real local
receivers: a Jira issue created once although Jira answered 502, owners' digests as text and
HTML in the program's language, and no customer key or comment in any request or mail."""

from __future__ import annotations

import email
import email.message
import email.policy
import re
from pathlib import Path

import pytest

from cxgov import api
from tests.actions.jira_server import EMAIL, TOKEN, FakeJira, adf_text
from tests.clock import clock, later
from tests.local_servers import HttpServer, Recorded, Reply, StartHttp, StartSmtp, json_reply
from tests.store.test_actions import shop_with_sinks
from tests.store.test_deliveries import AS_OF

CUSTOMER = "ASIAKAS-7f3a"
COMMENT = "SALAINEN palaute"


@pytest.fixture(autouse=True)
def _direct(no_proxy: None) -> None:
    """The local servers are reached directly, whatever proxy the machine sets."""


def _shop(folder: Path, *sinks: str, language: str = "en") -> Path:
    """The shop whose answers carry customer keys and comments, its CX lead mailed daily."""
    program = shop_with_sinks(folder, *sinks)
    data = program / "data" / "answers.csv"
    rows = re.sub(r",c(\d+),,", rf",{CUSTOMER}-\1,{COMMENT} \1,", data.read_text())
    assert CUSTOMER in rows and COMMENT in rows
    data.write_text(rows)
    text = (program / "program.yaml").read_text()
    text = text.replace("language: en", f"language: {language}").replace(
        "{id: cx, name: CX Lead, escalates_to: ceo}",
        "{id: cx, name: CX Lead, escalates_to: ceo, email: cx@example.org, digest: daily}",
    )
    (program / "program.yaml").write_text(text)
    return program


def _smtp_env(monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    monkeypatch.setenv("CXGOV_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CXGOV_SMTP_PORT", str(port))
    monkeypatch.setenv("CXGOV_SMTP_TLS", "none")


def _mails(raw: list[bytes]) -> list[email.message.EmailMessage]:
    found = []
    for message in raw:
        parsed = email.message_from_bytes(message, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        found.append(parsed)
    return found


def _text(message: email.message.EmailMessage, subtype: str) -> str:
    part = message.get_body((subtype,))
    assert part is not None, f"no text/{subtype} part"
    return str(part.get_content())


def test_no_customer_key_or_comment_leaves_and_a_502_after_create_leaves_one_jira_issue(
    db_url: str,
    tmp_path: Path,
    http_server: StartHttp,
    smtp_server: StartSmtp,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jira = FakeJira(fail_after_create=[502])
    jira_server = http_server(jira)
    hook = http_server(lambda _: Reply(200))

    def github(request: Recorded) -> Reply:
        if request.method == "POST" and request.path == "/repos/acme/cx/issues":
            return json_reply(201, {"number": 7})
        return json_reply(200, {})

    hub = http_server(github)
    smtp = smtp_server()
    _smtp_env(monkeypatch, smtp.port)
    monkeypatch.setenv("CXGOV_GITHUB_API_URL", hub.url)
    monkeypatch.setenv("CXGOV_GITHUB_TOKEN", "token-1")
    monkeypatch.setenv("TEST_HOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    monkeypatch.setenv("CX_JIRA_EMAIL", EMAIL)
    monkeypatch.setenv("CX_JIRA_TOKEN", TOKEN)
    program = str(
        _shop(
            tmp_path / "shop",
            f"{{type: webhook, url: '{hook.url}/cx', secret_env: TEST_HOOK_SECRET}}",
            "{type: email, to: [cx-team@example.org]}",
            "{type: github, repo: acme/cx}",
            f"{{type: jira, site: '{jira_server.url}', project: CX, "
            "email_env: CX_JIRA_EMAIL, token_env: CX_JIRA_TOKEN, labels: [cx]}",
        )
    )

    first = api.run(program, as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert first.deliveries == {"delivered": 3, "failed": 1}
    [waiting] = api.deliveries(db_url).waiting
    assert waiting.sink.startswith("jira:") and "502" in (waiting.last_error or "")
    # the next night, past the failed delivery's backoff
    second = api.run(program, as_of=AS_OF, db=db_url, out=None, clock=later(6))
    assert second.deliveries == {"delivered": 1}
    [issue] = jira.issues
    assert issue.fields["labels"] == ["cx", "cxgov-shop-1"]
    assert "o-nps" in issue.fields["summary"]

    action_id = int(issue.fields["labels"][1].rsplit("-", 1)[1])
    api.change_action(action_id, "cancelled", actor="liisa", db=db_url, note="dup", clock=later(6))
    api.run(program, as_of=AS_OF, db=db_url, out=None, clock=later(7))
    assert issue.status == "Done" and len(issue.comments) == 1
    assert len(jira.issues) == 1

    mails = _mails(smtp.messages)
    assert len(mails) == 2, "the action mail and the CX lead's digest"
    sent: list[str] = [
        *(
            r.body.decode() + str(r.headers) + r.path
            for s in (jira_server, hook, hub)
            for r in _all(s)
        ),
        *(m.as_string() + _text(m, "plain") + _text(m, "html") for m in mails),
        adf_text(issue.fields["description"]),
    ]
    assert sent and all(CUSTOMER not in s and COMMENT not in s for s in sent)
    assert all(CUSTOMER.lower() not in s.lower() for s in sent)


def _all(server: HttpServer) -> list[Recorded]:
    assert server.requests, f"nothing reached {server.url}"
    return server.requests


def test_a_finnish_digest_is_finnish_in_text_and_html_tables(
    db_url: str, tmp_path: Path, smtp_server: StartSmtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp = smtp_server()
    _smtp_env(monkeypatch, smtp.port)
    program = _shop(tmp_path / "shop", "{type: email, to: [cx-team@example.org]}", language="fi")
    monkeypatch.setenv("CXGOV_SMTP_FROM", "cx@example.fi")
    policies = program / "policies.yaml"
    policies.write_text(
        policies.read_text().replace(
            "assignee: journey_owner", "assignee: journey_owner\n    due_days: {fail: 7}"
        )
    )

    assert api.run(str(program), as_of=AS_OF, db=db_url, out=None, clock=clock).digests == {
        "sent": 1
    }

    digest = next(m for m in _mails(smtp.messages) if "Koosteesi" in str(m["Subject"]))
    assert digest["Subject"] == "[cxgov] Koosteesi 2.4.2026"
    assert digest["Auto-Submitted"] == "auto-generated" and "List-Unsubscribe" not in digest
    assert digest.get_content_type() == "multipart/alternative"
    text, html = _text(digest, "plain"), _text(digest, "html")
    assert "# Kooste: CX Lead" in text
    assert "| tavoite | segmentti | jakso | arvo | n | tila | muutos |" in text
    assert "(tavoite alittui, korkea): erääntyy 9.4.2026" in text
    assert "avattu → avoin (cxgov)" in text
    for english in ("opened", "→ open", "miss", "high", "due"):
        assert english not in text and english not in html, english
    assert '<html lang="fi">' in html and "<h1>Kooste: CX Lead</h1>" in html
    assert "<thead><tr><th>tavoite</th><th>segmentti</th>" in html
    assert "<td><strong>hälytys</strong></td>" in html
    assert "|" not in html and "**" not in html, "HTML, not Markdown"
    assert "<li>" in html and "avattu → avoin (cxgov)" in html
