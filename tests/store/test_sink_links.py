"""Every link a sink sends opens: a program with a `site_url`, all five sinks (webhook,
e-mail, GitHub, Teams, Slack) and an owner's digest in Teams and Slack is run against real
local receivers, its site is built and
served on 127.0.0.1 at that address, and every link in every payload is fetched. The same
payloads are scanned for customer comments and customer keys, which must never leave."""

from __future__ import annotations

import email
import email.policy
import functools
import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from cxgov import api
from tests.actions.test_chat_sinks import assert_slack_message, assert_teams_message
from tests.clock import clock
from tests.local_servers import Recorded, Reply, StartHttp, StartSmtp, json_reply
from tests.store.test_actions import shop_with_sinks
from tests.store.test_deliveries import AS_OF

COMMENT = "Kassajono-kommentti-{i} asiakkaalta"
CUSTOMER = "asiakasavain-{i}"


@pytest.fixture(autouse=True)
def _direct(no_proxy: None) -> None:
    """The local servers are reached directly, whatever proxy the machine sets."""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def static_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static HTTP server on 127.0.0.1 whose `/cx/` is the folder the site will be built
    into (a site published below a path, as most are); yields its base URL and the folder."""
    served = tmp_path / "served"
    served.mkdir()
    folder = served / "cx"
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cx/", folder
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _with_customer_data(program: Path) -> None:
    # the fixture's answers carry neither comments nor telling keys: give them both
    answers = program / "data" / "answers.csv"
    header, *rows = answers.read_text().splitlines()
    fields = header.split(",")
    comment, customer = fields.index("comment"), fields.index("customer")
    changed = [header]
    for i, row in enumerate(rows):
        cells = row.split(",")
        cells[comment], cells[customer] = COMMENT.format(i=i), CUSTOMER.format(i=i)
        changed.append(",".join(cells))
    answers.write_text("\n".join(changed) + "\n")


def test_every_link_in_every_sinks_payload_opens_and_no_customer_data_leaves(
    db_url: str,
    tmp_path: Path,
    http_server: StartHttp,
    smtp_server: StartSmtp,
    static_site: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site_url, site_folder = static_site

    def github(request: Recorded) -> Reply:
        if request.method == "POST" and request.path == "/repos/acme/cx/issues":
            return json_reply(201, {"number": 1})
        return json_reply(200, {})

    receiver = http_server(lambda _: Reply(200, b"ok"))
    hub = http_server(github)
    smtp = smtp_server()
    for name, value in {
        "CXGOV_SMTP_HOST": "127.0.0.1",
        "CXGOV_SMTP_PORT": str(smtp.port),
        "CXGOV_SMTP_TLS": "none",
        "CXGOV_GITHUB_API_URL": hub.url,
        "CXGOV_GITHUB_TOKEN": "token-1",
    }.items():
        monkeypatch.setenv(name, value)
    program = shop_with_sinks(
        tmp_path / "shop",
        f"{{type: webhook, url: '{receiver.url}/webhook'}}",
        "{type: email, to: [cx-team@example.org]}",
        "{type: github, repo: acme/cx}",
        f"{{type: teams, url: '{receiver.url}/teams'}}",
        f"{{type: slack, url: '{receiver.url}/slack'}}",
    )
    text = (program / "program.yaml").read_text()
    text = text.replace(
        "{id: cx, name: CX Lead, escalates_to: ceo}",
        "{id: cx, name: CX Lead, escalates_to: ceo, digest: daily,"
        " teams_url_env: DIGEST_TEAMS, slack_url_env: DIGEST_SLACK}",
    )
    monkeypatch.setenv("DIGEST_TEAMS", f"{receiver.url}/digest-teams")
    monkeypatch.setenv("DIGEST_SLACK", f"{receiver.url}/digest-slack")
    (program / "program.yaml").write_text(
        text.replace("  sponsor: ceo\n", f"  sponsor: ceo\n  site_url: {site_url}\n", 1)
    )
    _with_customer_data(program)

    run = api.run(str(program), as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert run.deliveries == {"delivered": 5}
    assert run.digests == {"sent": 2}, "the owner's digest in Teams and in Slack"
    api.build_site(
        str(program), db=db_url, out=str(site_folder), work=str(tmp_path / "work"), config=None
    )

    by_path = {r.path: json.loads(r.body) for r in receiver.requests}
    teams_card = assert_teams_message(by_path["/teams"])
    assert_slack_message(by_path["/slack"])
    digest_card = assert_teams_message(by_path["/digest-teams"])
    assert_slack_message(by_path["/digest-slack"])
    [mail] = smtp.messages
    message = email.message_from_bytes(mail, policy=email.policy.default)
    mail_text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # before creating, the sink looks for the action's issue (a search); then it creates one
    [issue] = [r for r in hub.requests if r.method == "POST"]
    issue_text = json.loads(issue.body)["body"]

    page = f"{site_url}objectives/o-nps.html"
    links = {
        # a Standard Webhooks event carries the action, event and links in `data`
        "webhook": [by_path["/webhook"]["data"]["links"]["page"]],
        "teams": [a["url"] for a in teams_card["actions"]],
        "slack": [
            e["url"]
            for b in by_path["/slack"]["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
        ],
        "email": re.findall(r"https?://\S+", mail_text),
        "github": re.findall(r"<(https?://[^>\s]+)>", issue_text),
        "digest-teams": [
            item["selectAction"]["url"] for item in digest_card["body"] if "selectAction" in item
        ],
        "digest-slack": re.findall(
            r"<(https?://[^|>]+)\|", json.dumps(by_path["/digest-slack"]["blocks"])
        ),
    }
    assert links == {sink: [page] for sink in links}

    payloads = {
        "webhook": json.dumps(by_path["/webhook"], ensure_ascii=False),
        "teams": json.dumps(by_path["/teams"], ensure_ascii=False),
        "slack": json.dumps(by_path["/slack"], ensure_ascii=False),
        "digest-teams": json.dumps(by_path["/digest-teams"], ensure_ascii=False),
        "digest-slack": json.dumps(by_path["/digest-slack"], ensure_ascii=False),
        # the parts as the reader gets them (quoted-printable breaks long lines on the wire)
        "email": "\n".join(
            [str(message["Subject"]), mail_text, message.get_body(("html",)).get_content()]  # type: ignore[union-attr]
        ),
        "github": issue.body.decode("utf-8") + issue_text,
    }
    for sink, sent in payloads.items():
        # every address below the site's that any payload names opens, not only the buttons
        # `|` ends a link in Slack's mrkdwn (`<url|label>`); page URLs quote it
        for url in set(re.findall(re.escape(site_url) + r"[^\s\"'<>)|\\]*", sent)):
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200, (sink, url)
                assert b"<html" in response.read(4096).lower(), (sink, url)
        assert "objectives/o-nps/" not in sent, f"{sink} still sends the relative link"
        assert "Kassajono-kommentti" not in sent, f"{sink} sends a customer comment"
        assert "asiakasavain-" not in sent, f"{sink} sends a customer key"


def test_a_link_that_does_not_open_is_caught(static_site: tuple[str, Path]) -> None:
    # the fetch above is only a check if a missing page fails it
    site_url, folder = static_site
    folder.mkdir()
    (folder / "index.html").write_text("<html></html>")
    with urllib.request.urlopen(f"{site_url}index.html", timeout=10) as found:
        assert found.status == 200
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{site_url}objectives/o-nps/", timeout=10)
    assert missing.value.code == 404
