"""Local servers on 127.0.0.1 for tests that talk to the outside world: an HTTP server that
records requests and answers as scripted (webhooks, the GitHub API) and a small SMTP server that
keeps the mail it receives.

Registered for the whole suite by `pytest_plugins` in tests/conftest.py, so the `http_server`,
`smtp_server` and `no_proxy` fixtures can be requested anywhere; `no_proxy` is not autouse, a
test module that reaches these servers through urllib requests it.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import socketserver
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

import pytest


@pytest.fixture
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib honours *_proxy variables; the local servers must be reached directly."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)


# --- local HTTP server ---------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorded:
    method: str
    path: str
    headers: Message
    """As received; names are case-insensitive, as in HTTP."""
    body: bytes


@dataclass
class HttpServer:
    url: str
    requests: list[Recorded]
    stop: Callable[[], None] = lambda: None
    """Stop listening now (the fixture stops every server at the end anyway), so that another
    server can take over the same address."""


class StartHttp(Protocol):
    def __call__(
        self,
        respond: Callable[[Recorded], Reply],
        *,
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> HttpServer: ...


def json_reply(status: int, data: Any, **headers: str) -> Reply:
    return Reply(status, json.dumps(data).encode(), {"Content-Type": "application/json", **headers})


@pytest.fixture
def http_server() -> Iterator[StartHttp]:
    """Start servers that record every request and answer with `respond(request)`."""
    started: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start(
        respond: Callable[[Recorded], Reply],
        *,
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> HttpServer:
        """A server on `port` (any free one by default), speaking HTTPS with `tls`."""
        requests: list[Recorded] = []

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                recorded = Recorded(self.command, self.path, self.headers, self.rfile.read(length))
                requests.append(recorded)
                reply = respond(recorded)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PATCH = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        started.append((server, thread))
        scheme = "https" if tls is not None else "http"
        return HttpServer(
            f"{scheme}://127.0.0.1:{server.server_address[1]}",
            requests,
            functools.partial(_stop, server, thread),
        )

    yield start
    for server, thread in started:
        _stop(server, thread)


def _stop(server: ThreadingHTTPServer, thread: threading.Thread) -> None:
    if thread.is_alive():
        server.shutdown()
        thread.join(timeout=5)
    server.server_close()


def scripted(*replies: Reply) -> Callable[[Recorded], Reply]:
    """Answer with the given replies in turn, the last one for ever after."""
    queue = list(replies)

    def respond(_: Recorded) -> Reply:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return respond


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- local SMTP server ---------------------------------------------------------------------


@dataclass
class SmtpServer:
    port: int
    mail_reply: str
    senders: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    messages: list[bytes] = field(default_factory=list)


StartSmtp = Callable[..., SmtpServer]


@pytest.fixture
def smtp_server() -> Iterator[StartSmtp]:
    """A line-based SMTP server (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that keeps
    what it receives; `mail_reply` is its answer to MAIL FROM."""
    started: list[tuple[socketserver.ThreadingTCPServer, threading.Thread]] = []

    def start(mail_reply: str = "250 2.1.0 OK") -> SmtpServer:
        state = SmtpServer(port=0, mail_reply=mail_reply)

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(line.encode("ascii") + b"\r\n")

            def handle(self) -> None:
                self.reply("220 127.0.0.1 test ESMTP")
                while line := self.rfile.readline():
                    command = line.decode("ascii", "replace").strip()
                    verb = command.split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-127.0.0.1\r\n250 8BITMIME\r\n")
                    elif verb in ("HELO", "RSET", "NOOP"):
                        self.reply("250 OK")
                    elif verb == "MAIL":
                        state.senders.append(command)
                        self.reply(state.mail_reply)
                    elif verb == "RCPT":
                        state.recipients.append(command.split(":", 1)[1].strip(" <>"))
                        self.reply("250 2.1.5 OK")
                    elif verb == "DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        lines = []
                        while (part := self.rfile.readline()) not in (b".\r\n", b""):
                            lines.append(part[1:] if part.startswith(b".") else part)
                        state.messages.append(b"".join(lines))
                        self.reply("250 2.0.0 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 5.5.2 not implemented")

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        state.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        started.append((server, thread))
        return state

    yield start
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
