"""Receivers that trickle, hang or are down, against real local servers on both databases:
deliveries are cut off at their own deadline and the run's, hold no store transaction while
they wait, and a sink that is down is passed over for the rest of the run, then delivered by
the next one: never lost, never sent twice."""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxgov import api
from cxgov.actions.outbox import DOWN_AFTER, deliver
from cxgov.api._program import load_program
from cxgov.cli import cli
from cxgov.store.engine import open_store
from tests.clock import clock, later
from tests.conftest import ROOT
from tests.local_servers import Recorded, Reply, StartHttp
from tests.store.test_actions import shop_with_sinks

AS_OF = dt.date(2026, 4, 2)


@pytest.fixture(autouse=True)
def _direct(no_proxy: None) -> None:
    """The local servers are reached directly, whatever proxy the machine sets."""


def _with_webhook(folder: Path, hook: str) -> Path:
    return shop_with_sinks(folder, f"{{type: webhook, url: '{hook}'}}")


class SlowServer:
    """A raw HTTP receiver on 127.0.0.1 that reads each request and then either trickles its
    answer one byte at a time (`trickle`) or never answers (`hang`)."""

    def __init__(self, mode: str, every: float = 0.3) -> None:
        self.mode = mode
        self.every = every
        self.accepted = 0
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/hook"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            threading.Thread(target=self._answer, args=(client,), daemon=True).start()

    def _answer(self, client: socket.socket) -> None:
        with client:
            client.settimeout(1)
            try:
                client.recv(65536)
                answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                while not self._stop.is_set():
                    if self.mode == "trickle" and answer:
                        client.sendall(answer[:1])
                        answer = answer[1:] or b"x"
                    time.sleep(self.every)
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()


@pytest.fixture
def slow_server() -> Iterator[Callable[[str], SlowServer]]:
    started: list[SlowServer] = []

    def start(mode: str) -> SlowServer:
        started.append(SlowServer(mode))
        return started[-1]

    yield start
    for server in started:
        server.close()


def _opened(db_url: str, tmp_path: Path, hook: str) -> tuple[Path, int]:
    """A program with a webhook sink whose evaluation opened one action (nothing delivered:
    only the nightly run delivers)."""
    program = _with_webhook(tmp_path / "shop", hook)
    assert api.ingest(str(program), "answers", db=db_url, clock=clock).status == "committed"
    judged = api.evaluate(str(program), as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert judged.record.actions is not None
    [action_id] = judged.record.actions.action_ids
    return program, action_id


def _waiting(db_url: str) -> list[dict[str, object]]:
    listed = CliRunner().invoke(cli, ["actions", "deliveries", "--format", "json", "--db", db_url])
    assert listed.exit_code == 0, listed.output
    return json.loads(listed.output)  # type: ignore[no-any-return]


# each sink kind that talks HTTP, pointed at the slow receiver, with what it reads from the
# environment
SLOW_SINKS = {
    "webhook": ("{{type: webhook, url: '{url}'}}", {}),
    "teams": ("{{type: teams, url: '{url}'}}", {}),
    "slack": ("{{type: slack, url: '{url}'}}", {}),
    "jira": (
        "{{type: jira, site: '{site}', project: CX}}",
        {"CXGOV_JIRA_EMAIL": "cx@example.org", "CXGOV_JIRA_TOKEN": "atl-token-1"},
    ),
    "github": (
        "{{type: github, repo: acme/cx}}",
        {"CXGOV_GITHUB_API_URL": "{site}", "CXGOV_GITHUB_TOKEN": "token-1"},
    ),
}


# every kind against a trickle (which a socket timeout alone never ends); a hang once
@pytest.mark.parametrize(
    ("mode", "kind"), [("hang", "webhook"), *(("trickle", kind) for kind in SLOW_SINKS)]
)
def test_a_receiver_that_trickles_or_hangs_is_cut_off_at_the_delivery_deadline(
    db_url: str,
    tmp_path: Path,
    slow_server: Callable[[str], SlowServer],
    mode: str,
    kind: str,
) -> None:
    slow = slow_server(mode)
    site = slow.url.removesuffix("/hook")
    sink, variables = SLOW_SINKS[kind]
    env = {name: value.format(site=site) for name, value in variables.items()}
    program = shop_with_sinks(tmp_path / "shop", sink.format(url=slow.url, site=site))
    assert api.ingest(str(program), "answers", db=db_url, clock=clock).status == "committed"
    api.evaluate(str(program), as_of=AS_OF, db=db_url, out=None, clock=clock)
    engine = open_store(db_url)
    try:
        started = time.monotonic()
        outcome = deliver(
            engine, load_program(str(program)), clock=clock, env=env, delivery_seconds=2
        )
        took = time.monotonic() - started
    finally:
        engine.dispose()
    assert outcome.counts == {"failed": 1}
    # a per-socket timeout alone (10 s) would never end a trickle of one byte every 0.3 s
    assert 1.5 < took < 6, took
    [waiting] = _waiting(db_url)
    assert waiting["status"] == "failed"
    assert "cut off at the delivery's time limit" in str(waiting["last_error"])


def test_no_store_transaction_is_held_while_a_receiver_answers(
    db_url: str,
    tmp_path: Path,
    slow_server: Callable[[str], SlowServer],
) -> None:
    slow = slow_server("hang")
    program, action_id = _opened(db_url, tmp_path, slow.url)
    engine = open_store(db_url)
    counts: dict[str, int] = {}

    def in_flight() -> None:
        counts.update(
            deliver(engine, load_program(str(program)), clock=clock, delivery_seconds=8).counts
        )

    sending = threading.Thread(target=in_flight)
    sending.start()
    try:
        while slow.accepted == 0 and sending.is_alive():
            time.sleep(0.05)
        assert slow.accepted == 1, "the delivery is in flight"
        started = time.monotonic()
        command = [sys.executable, "-m", "cxgov", "actions", "comment", str(action_id)]
        commented = subprocess.run(
            [*command, "called the customer", "--db", db_url, "--as", "liisa"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert commented.returncode == 0, commented.stderr
        assert sending.is_alive(), "the comment went in while the receiver still had not answered"
        assert time.monotonic() - started < 6
    finally:
        sending.join(timeout=30)
        engine.dispose()
    assert counts == {"failed": 1}


def test_a_sink_that_is_down_is_passed_over_for_the_rest_of_the_run_and_delivered_by_the_next(
    db_url: str, tmp_path: Path, http_server: StartHttp
) -> None:
    up = {"ok": False}

    def hook(_: Recorded) -> Reply:
        return Reply(200) if up["ok"] else Reply(503)

    server = http_server(hook)
    program, action_id = _opened(db_url, tmp_path, server.url + "/hook")
    for note in ("called the customer", "promised a fix", "fixed"):
        api.change_action(action_id, "comment", actor="liisa", db=db_url, note=note, clock=clock)
    engine = open_store(db_url)
    try:
        definition = load_program(str(program))
        down = deliver(engine, definition, clock=clock)
        assert down.counts == {"failed": DOWN_AFTER, "skipped": 4 - DOWN_AFTER}
        assert len(server.requests) == 3 * DOWN_AFTER, "three tries each, none after"
        waiting = _waiting(db_url)
        assert [w["status"] for w in waiting] == ["failed"] * DOWN_AFTER + ["pending"] * (
            4 - DOWN_AFTER
        )
        passed_over = [w for w in waiting if "not tried in this run" in str(w["last_error"])]
        assert len(passed_over) == 4 - DOWN_AFTER
        assert all(w["attempts"] == 0 for w in passed_over)
        listed = CliRunner().invoke(cli, ["actions", "deliveries", "--db", db_url])
        assert "the sink failed 2 times before it; the next run tries again" in listed.output

        up["ok"] = True
        assert deliver(engine, definition, clock=later(6)).counts == {"delivered": 4}
        assert deliver(engine, definition, clock=later(6)).counts == {}
    finally:
        engine.dispose()
    assert _waiting(db_url) == []
    received = [r.headers["X-Cxgov-Delivery"] for r in server.requests if r.method == "POST"]
    delivered = received[-4:]
    assert len(set(delivered)) == 4, "each event delivered once"


def test_the_run_stops_delivering_when_its_time_for_deliveries_runs_out(
    db_url: str,
    tmp_path: Path,
    slow_server: Callable[[str], SlowServer],
) -> None:
    slow = slow_server("hang")
    program, action_id = _opened(db_url, tmp_path, slow.url)
    api.change_action(action_id, "comment", actor="liisa", db=db_url, note="noted", clock=clock)
    engine = open_store(db_url)
    try:
        started = time.monotonic()
        outcome = deliver(
            engine,
            load_program(str(program)),
            clock=clock,
            delivery_seconds=30,
            run_seconds=1.5,
        )
        took = time.monotonic() - started
    finally:
        engine.dispose()
    assert outcome.counts == {"failed": 1, "skipped": 1}
    assert took < 5, took
    waiting = _waiting(db_url)
    assert any("its 1.5 s for deliveries ran out" in str(w["last_error"]) for w in waiting)
