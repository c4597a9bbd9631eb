"""Every fault a webhook receiver, a Teams Workflows or Slack incoming webhook, the GitHub API
or Jira Cloud can show, against real local servers on both databases, through the outbox as the nightly run drives it: down, answering 5xx, 429
with `Retry-After`, a redirect, a TLS handshake that breaks and a certificate that does not
verify. Each is visible in `cxgov actions deliveries` with its reason, is retried (the next run
for a passing fault, `--retry` after a person fixed a lasting one), is never lost and is
delivered exactly once. Slow and hanging receivers: tests/store/test_slow_receivers.py."""

from __future__ import annotations

import datetime as dt
import json
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from standardwebhooks import Webhook

from cxgov import api
from cxgov.actions.outbox import RETRY_LONGEST, deliver, next_attempt
from cxgov.api._program import load_program
from cxgov.cli import cli
from cxgov.store.engine import open_store
from tests.actions.jira_server import EMAIL as JIRA_EMAIL
from tests.actions.jira_server import TOKEN as JIRA_TOKEN
from tests.actions.jira_server import FakeJira
from tests.actions.test_chat_sinks import assert_slack_message, assert_teams_message
from tests.actions.test_standard_webhooks import NEW_SECRET, ReceiverClock, verifying
from tests.clock import NOW, clock, later
from tests.local_servers import Recorded, Reply, StartHttp, closed_port, scripted
from tests.store.test_actions import shop_with_sinks
from tests.store.test_github_issues import FakeGitHub

AS_OF = dt.date(2026, 4, 2)


@pytest.fixture(autouse=True)
def _direct(no_proxy: None) -> None:
    """The local servers are reached directly, whatever proxy the machine sets."""


@pytest.fixture
def untrusted_tls(tmp_path: Path) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 whose self-signed certificate no client trusts."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip

    class Ok(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# fault: (how a faulty receiver is started, the status it leaves, words its reason holds)
FAULTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "down": ("failed", ("Connection refused",)),
    "5xx": ("failed", ("HTTP 503",)),
    "429": ("failed", ("HTTP 429",)),
    "3xx": ("rejected", ("redirected (HTTP 308)",)),
    "tls-handshake": ("failed", ("SSL",)),
    "tls-certificate": ("rejected", ("CERTIFICATE_VERIFY_FAILED",)),
}


def _faulty(fault: str, http_server: StartHttp, good: str, tls: Callable[[], str]) -> str:
    if fault == "down":
        return f"http://127.0.0.1:{closed_port()}"
    if fault == "5xx":
        return http_server(scripted(Reply(503, b"maintenance"))).url
    if fault == "429":
        # longer than the delivery may wait: the next run is the retry
        return http_server(scripted(Reply(429, headers={"Retry-After": "120"}))).url
    if fault == "3xx":
        return http_server(scripted(Reply(308, headers={"Location": good}))).url
    if fault == "tls-handshake":
        # HTTPS to a server that speaks plain HTTP: the handshake breaks off
        return "https://" + http_server(scripted(Reply(204))).url.removeprefix("http://")
    return tls()


# a chat's URL is its secret: it comes from the environment, as a fixed one would after a fix
CHATS = {
    "teams": ("{type: teams, url_env: TEAMS_URL}", "TEAMS_URL", Reply(202)),
    "slack": ("{type: slack, url_env: SLACK_URL}", "SLACK_URL", Reply(200, b"ok")),
}


@pytest.mark.parametrize("kind", ["webhook", "github", "teams", "slack"])
@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fault_is_shown_retried_and_delivered_once(
    db_url: str,
    tmp_path: Path,
    http_server: StartHttp,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    fault: str,
) -> None:
    receiver_clock = ReceiverClock(monkeypatch, clock)
    receiver = verifying(NEW_SECRET)
    hub = FakeGitHub("201")
    if kind in CHATS:
        good_server = http_server(scripted(CHATS[kind][2]))
    else:
        good_server = http_server(receiver if kind == "webhook" else hub)
    good = good_server.url
    bad = _faulty(fault, http_server, good, lambda: str(request.getfixturevalue("untrusted_tls")))
    if kind == "webhook":
        sink = "{type: webhook, url_env: HOOK_URL, secret_env: HOOK_SECRET}"
        env = {"HOOK_URL": bad + "/hook", "HOOK_SECRET": NEW_SECRET}
        fixed = env | {"HOOK_URL": good + "/hook"}
    elif kind in CHATS:
        sink, variable, _ = CHATS[kind]
        env = {variable: bad + "/flow?sig=s3cret"}
        fixed = {variable: good + "/flow?sig=s3cret"}
    else:
        sink = "{type: github, repo: acme/cx}"
        env = {"CXGOV_GITHUB_API_URL": bad, "CXGOV_GITHUB_TOKEN": "token-1"}
        fixed = env | {"CXGOV_GITHUB_API_URL": good}
    program = shop_with_sinks(tmp_path / "shop", sink)
    assert api.ingest(str(program), "answers", db=db_url, clock=clock).status == "committed"
    api.evaluate(str(program), as_of=AS_OF, db=db_url, out=None, clock=clock)
    definition = load_program(str(program))
    status, reason = FAULTS[fault]
    engine = open_store(db_url)
    try:
        assert deliver(engine, definition, clock=clock, env=env).counts == {status: 1}
        shown = CliRunner().invoke(cli, ["actions", "deliveries", "--db", db_url])
        assert shown.exit_code == 0, shown.output
        assert f"{status} after 1 attempt(s)" in shown.output
        assert all(words in shown.output for words in reason), shown.output
        assert "token-1" not in shown.output and NEW_SECRET not in shown.output
        assert "s3cret" not in shown.output, "a chat URL is shown by its host only"

        if status == "failed":
            assert "next try from 2026-12-01 12:" in shown.output, "five minutes on or more"
        # a failed delivery backs off; a rejected one waits for a person
        assert deliver(engine, definition, clock=clock, env=fixed).counts == {}
        if status == "rejected":
            retried = CliRunner().invoke(cli, ["actions", "deliveries", "--retry", "--db", db_url])
            assert "1 rejected deliveries queued again" in retried.output
        receiver_clock.now = later(6)
        assert deliver(engine, definition, clock=later(6), env=fixed).counts == {"delivered": 1}
        assert deliver(engine, definition, clock=later(6), env=fixed).counts == {}
    finally:
        engine.dispose()
    listed = CliRunner().invoke(cli, ["actions", "deliveries", "--format", "json", "--db", db_url])
    assert json.loads(listed.output) == [], "nothing lost"
    if kind == "webhook":
        [delivered] = good_server.requests
        Webhook(NEW_SECRET).verify(delivered.body, dict(delivered.headers.items()))
    elif kind == "teams":
        [delivered] = good_server.requests
        assert_teams_message(json.loads(delivered.body))
    elif kind == "slack":
        [delivered] = good_server.requests
        assert_slack_message(json.loads(delivered.body))
    else:
        assert list(hub.issues) == [1], "exactly one issue"


def test_retries_back_off_across_runs_within_bounds() -> None:
    minutes = [next_attempt(NOW, n, None) - NOW for n in (1, 2, 3, 4)]
    assert minutes == [dt.timedelta(minutes=m) for m in (5, 10, 20, 40)]
    assert next_attempt(NOW, 1000, None) - NOW == RETRY_LONGEST == dt.timedelta(hours=6)
    # a receiver's Retry-After is honoured across runs, up to the same bound
    assert next_attempt(NOW, 1, 3600) - NOW == dt.timedelta(hours=1)
    assert next_attempt(NOW, 1, 1e20) - NOW == RETRY_LONGEST
    assert next_attempt(NOW, 5, 1) - NOW == dt.timedelta(minutes=80)


@pytest.fixture
def trusted_later(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ssl.SSLContext, Any]:
    """A server-side TLS context for 127.0.0.1, and a function that makes clients trust its
    certificate, as a person fixing the machine's trust store would."""
    key, cert = tmp_path / "jira-key.pem", tmp_path / "jira-cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, lambda: monkeypatch.setenv("SSL_CERT_FILE", str(cert))


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_jira_fault_is_shown_retried_and_makes_exactly_one_issue(
    db_url: str,
    tmp_path: Path,
    http_server: StartHttp,
    trusted_later: tuple[ssl.SSLContext, Callable[[], None]],
    fault: str,
) -> None:
    """The Jira site is in the program, so the fix happens at the same address: the site comes
    back up, stops failing, or gets a certificate the machine trusts."""
    jira = FakeJira()
    context, trust = trusted_later
    fixed = {"now": False}

    def until_fixed(reply: Reply) -> Callable[[Recorded], Reply]:
        return lambda request: jira(request) if fixed["now"] else reply

    port = closed_port()
    if fault == "down":
        site = f"http://127.0.0.1:{port}"
    elif fault == "5xx":
        site = http_server(until_fixed(Reply(503, b"maintenance"))).url
    elif fault == "429":
        site = http_server(until_fixed(Reply(429, headers={"Retry-After": "120"}))).url
    elif fault == "3xx":
        site = http_server(until_fixed(Reply(308, headers={"Location": "https://elsewhere/"}))).url
    elif fault == "tls-handshake":
        plain = http_server(jira, port=port)
        site = f"https://127.0.0.1:{port}"
    else:
        site = http_server(jira, port=port, tls=context).url
    program = shop_with_sinks(tmp_path / "shop", f"{{type: jira, site: '{site}', project: CX}}")
    env = {"CXGOV_JIRA_EMAIL": JIRA_EMAIL, "CXGOV_JIRA_TOKEN": JIRA_TOKEN}
    assert api.ingest(str(program), "answers", db=db_url, clock=clock).status == "committed"
    api.evaluate(str(program), as_of=AS_OF, db=db_url, out=None, clock=clock)
    definition = load_program(str(program))
    status, reason = FAULTS[fault]
    engine = open_store(db_url)
    try:
        assert deliver(engine, definition, clock=clock, env=env).counts == {status: 1}
        shown = CliRunner().invoke(cli, ["actions", "deliveries", "--db", db_url])
        assert f"{status} after 1 attempt(s)" in shown.output, shown.output
        assert all(words in shown.output for words in reason), shown.output
        assert JIRA_TOKEN not in shown.output
        assert jira.issues == [], "nothing created while the site fails"

        # the fix
        fixed["now"] = True
        if fault == "down":
            http_server(jira, port=port)
        elif fault == "tls-handshake":
            plain.stop()
            http_server(jira, port=port, tls=context)
        if fault.startswith("tls"):
            trust()
        if status == "rejected":
            retried = CliRunner().invoke(cli, ["actions", "deliveries", "--retry", "--db", db_url])
            assert "1 rejected deliveries queued again" in retried.output
        assert deliver(engine, definition, clock=later(6), env=env).counts == {"delivered": 1}
        assert deliver(engine, definition, clock=later(6), env=env).counts == {}
    finally:
        engine.dispose()
    listed = CliRunner().invoke(cli, ["actions", "deliveries", "--format", "json", "--db", db_url])
    assert json.loads(listed.output) == [], "nothing lost"
    [issue] = jira.issues
    assert issue.key == "CX-1", "exactly one issue"
