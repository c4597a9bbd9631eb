"""The GitHub sink never opens a second issue for an action, on both databases, against a
local server standing in for the REST API that creates the issue and then fails to say so
(a 502, or no answer before the delivery's time limit): the next run finds the issue by its
marker, updates it, and later events comment on that one issue."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cxgov import api
from cxgov.actions.outbox import deliver
from cxgov.api._program import load_program
from cxgov.cli import cli
from cxgov.store.engine import open_store
from tests.clock import clock, later
from tests.local_servers import Recorded, Reply, StartHttp, json_reply
from tests.store.test_actions import shop_with_sinks

AS_OF = dt.date(2026, 4, 2)


@pytest.fixture(autouse=True)
def _direct(no_proxy: None) -> None:
    """The local servers are reached directly, whatever proxy the machine sets."""


class FakeGitHub:
    """Issues, comments and issue search of one repository (acme/cx), as the REST API keeps
    them. The first issue created is answered with `first_answer`: `502`, `hang` (no answer
    until released, long after the client gave up) or `201`."""

    def __init__(self, first_answer: str) -> None:
        self.first_answer = first_answer
        self.issues: dict[int, dict[str, Any]] = {}
        self.comments: list[tuple[int, str]] = []
        self.release = threading.Event()

    def __call__(self, request: Recorded) -> Reply:
        parts = urllib.parse.urlsplit(request.path)
        sent = json.loads(request.body) if request.body else {}
        if (request.method, parts.path) == ("POST", "/repos/acme/cx/issues"):
            number = len(self.issues) + 1
            self.issues[number] = {"number": number, "state": "open", **sent}
            if number == 1 and self.first_answer == "502":
                return Reply(502, b"<html>Bad Gateway</html>")
            if number == 1 and self.first_answer == "hang":
                self.release.wait(20)
            return json_reply(201, self.issues[number])
        if (request.method, parts.path) == ("GET", "/search/issues"):
            [query] = urllib.parse.parse_qs(parts.query)["q"]
            assert "repo:acme/cx" in query and "is:issue" in query
            [phrase] = re.findall(r'"([^"]+)"', query)
            items = [i for i in self.issues.values() if phrase in i["body"]]
            return json_reply(200, {"total_count": len(items), "items": items})
        issue = re.fullmatch(r"/repos/acme/cx/issues/(\d+)(/comments)?", parts.path)
        if issue and int(issue[1]) in self.issues:
            number = int(issue[1])
            if request.method == "POST" and issue[2]:
                self.comments.append((number, sent["body"]))
                return json_reply(201, {"id": len(self.comments)})
            if request.method == "PATCH":
                self.issues[number].update(sent)
                return json_reply(200, self.issues[number])
        return json_reply(404, {"message": "Not Found"})


StartGitHub = Callable[[str], tuple[FakeGitHub, dict[str, str]]]


@pytest.fixture
def github(http_server: StartHttp) -> Iterator[StartGitHub]:
    started: list[FakeGitHub] = []

    def start(first_answer: str) -> tuple[FakeGitHub, dict[str, str]]:
        fake = FakeGitHub(first_answer)
        server = http_server(fake)
        started.append(fake)
        return fake, {"CXGOV_GITHUB_API_URL": server.url, "CXGOV_GITHUB_TOKEN": "token-1"}

    yield start
    for fake in started:
        fake.release.set()


@pytest.mark.parametrize("first_answer", ["502", "hang"])
def test_a_retried_opened_delivery_finds_the_issue_github_created_and_opens_no_second(
    db_url: str, tmp_path: Path, github: StartGitHub, first_answer: str
) -> None:
    fake, env = github(first_answer)
    program = shop_with_sinks(tmp_path / "shop", "{type: github, repo: acme/cx, labels: [cx]}")
    assert api.ingest(str(program), "answers", db=db_url, clock=clock).status == "committed"
    judged = api.evaluate(str(program), as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert judged.record.actions is not None
    [action_id] = judged.record.actions.action_ids
    definition = load_program(str(program))
    engine = open_store(db_url)
    try:
        first = deliver(engine, definition, clock=clock, env=env, delivery_seconds=1.5)
        assert first.counts == {"failed": 1}
        assert list(fake.issues) == [1], "GitHub created the issue; the answer never came"
        listed = CliRunner().invoke(cli, ["actions", "deliveries", "--db", db_url])
        assert listed.exit_code == 0, listed.output
        why = "HTTP 502" if first_answer == "502" else "cut off at the delivery's time limit"
        assert why in listed.output and "failed after 1 attempt(s)" in listed.output

        api.change_action(
            action_id, "comment", actor="liisa", db=db_url, note="called them", clock=clock
        )
        second = deliver(engine, definition, clock=later(6), env=env, delivery_seconds=1.5)
        assert second.counts == {"delivered": 2}
        assert deliver(engine, definition, clock=later(6), env=env).counts == {}
    finally:
        engine.dispose()
    assert list(fake.issues) == [1], "exactly one issue for the action"
    assert re.match(rf"<!-- cxgov action [\w.:-]+/{action_id} -->\n", fake.issues[1]["body"])
    [(number, comment)] = fake.comments
    assert number == 1 and "called them" in comment
    listed = CliRunner().invoke(cli, ["actions", "deliveries", "--format", "json", "--db", db_url])
    assert json.loads(listed.output) == []
