"""What every sink shares: the delivery error, what a sink is handed and what it answers, the
JSON payload and its signature, the constants, and the HTTP plumbing the webhook and GitHub use
(no redirects, URL checks, error excerpts, which failures are worth retrying)."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import hashlib
import hmac
import http.client
import json
import math
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

from cxgov.clock import system_now
from cxgov.judgement.actions import ActionEvent, ActionHistory
from cxgov.model.policies import GITHUB_TOKEN_ENV as GITHUB_TOKEN_ENV

if TYPE_CHECKING:
    from cxgov.model import Owner

USER_AGENT = "cxgov"
SIGNATURE_HEADER = "X-Cxgov-Signature"
EVENT_HEADER = "X-Cxgov-Event"
DELIVERY_HEADER = "X-Cxgov-Delivery"
GITHUB_API_VERSION = "2022-11-28"
DEFAULT_SENDER = "cxgov@localhost"

MAX_RETRY_AFTER = 60.0
"""A server may ask for a pause (`Retry-After`); longer than this and the caller's next run is
the better retry, so the webhook does not block a nightly job for it."""

_RESPONSE_EXCERPT = 300
_HEADER_VALUE = re.compile(r"[\x21-\x7e]{1,200}")
_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


class DeliveryError(Exception):
    """A delivery that did not happen: what failed, where, and the HTTP status or SMTP reply.

    `retryable` is true when the same delivery may succeed later (connection problems,
    timeouts, rate limits, server errors, temporary SMTP replies) and false when it cannot
    without someone changing the configuration or the data.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status = status
        """HTTP status or SMTP reply code, when there was one."""
        self.retry_after = retry_after
        """Seconds the server asked to wait before the next try, when it said."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event of one action to deliver, with what a sink may need to word and address it."""

    action: ActionHistory
    """The action as the ledger gives it, with its `events`."""
    event: ActionEvent
    """The event to deliver, one of `action.events`."""
    owners: Mapping[str, Owner]
    """The program's owners by id, for addresses and handles."""
    language: str
    """The program's language (`en`, `fi`) for texts people read."""
    env: Mapping[str, str]
    """Where secrets and settings named by the sink configuration are read from."""
    earlier_ref: Callable[[], str | None]
    """What an earlier delivery of this action to the same sink recorded as `external_ref`
    (the GitHub issue number), looked up only by the sink that asks."""
    deadline: float | None = None
    """The `time.monotonic()` instant by which the sink gives up (retries included), so a slow
    receiver cannot hold the run; None: only the per-socket timeouts."""
    clock: Callable[[], dt.datetime] = system_now
    """The run's clock (the outbox passes the one the run was given): when a delivery is
    sent, which a signed webhook states so that receivers can refuse replays."""
    site_url: str | None = None
    """The published site's base URL (`program.site_url`), which every link is built from."""
    objective_name: str | None = None
    """The name of the action's objective in the program, for messages people read."""

    @property
    def page(self) -> str | None:
        """The absolute URL of the action's objective page, or None without a site URL."""
        return page_url(self.site_url, self.action.objective)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a delivery that raised no `DeliveryError`."""

    status: Literal["delivered", "skipped", "failed"]
    error: str | None = None
    """Why it was skipped or failed; stored as the delivery's `last_error`."""
    ref: str | None = None
    """What to find the delivered thing by later (an issue number), stored as `external_ref`."""


DELIVERED = Outcome("delivered")


# --- links ---------------------------------------------------------------------------------


def page_url(site_url: str | None, objective: str | None) -> str | None:
    """The absolute URL of an objective's page on the published site: `objectives/<id>.html`
    below `site_url` (the program's `site_url`, ending in `/`).

    Every link a sink sends comes from here. None without a site URL or an objective: a
    message without a link is better than one whose link cannot open (a relative link opens
    nothing in a mail or a chat)."""
    if not site_url or not objective:
        return None
    base = site_url if site_url.endswith("/") else f"{site_url}/"
    return urllib.parse.urljoin(base, f"objectives/{urllib.parse.quote(objective, safe='')}.html")


# --- payload -------------------------------------------------------------------------------


def _jsonable(value: Any, where: str) -> Any:
    if isinstance(value, Enum):
        return _jsonable(value.value, where)
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        # NaN and infinities are not JSON; a value that is not a number is no value
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return _jsonable(float(value), where)
    if isinstance(value, dt.datetime):
        # the store keeps UTC timestamps without a zone; say so, receivers cannot guess
        stamp = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return stamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(_jsonable(k, where)): _jsonable(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return [_jsonable(v, f"{where}[]") for v in sorted(value, key=str)]
    if isinstance(value, list | tuple):
        return [_jsonable(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise TypeError(f"{where}: {type(value).__name__} cannot be sent as JSON")


def payload(action: ActionHistory, event: ActionEvent, page: str | None = None) -> dict[str, Any]:
    """The JSON document sent for one event of one action: `{"action": {...}, "event": {...}}`,
    and `"links": {"page": ...}` with the objective page's absolute URL (`page_url`) when the
    program has a site URL.

    Rows are passed through whole, with dates and timestamps as ISO strings (timestamps in UTC),
    so receivers see the same fields as `cxgov actions show --format json`.
    """
    row = _jsonable(action.row(), "action")
    evidence = row.get("evidence")
    if isinstance(evidence, dict):
        # actions opened by earlier versions kept a relative link that opens nothing
        evidence.pop("page", None)
    body: dict[str, Any] = {"action": row, "event": _jsonable(event.row(), "event")}
    if page:
        body["links"] = {"page": page}
    return body


def encode(body: Mapping[str, Any]) -> bytes:
    """The body as sent: compact, sorted keys, UTF-8. Signed and sent as these exact bytes."""
    text = json.dumps(
        _jsonable(body, "body"),
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
        allow_nan=False,
    )
    return text.encode("utf-8")


def sign(body: bytes, secret: str) -> str:
    """The `X-Cxgov-Signature` value: `sha256=` and the hex HMAC-SHA256 of the body bytes."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(body: bytes, secret: str, header: str) -> bool:
    """For receivers: whether a signature header matches the raw body, in constant time."""
    return hmac.compare_digest(sign(body, secret).encode("ascii"), header.strip().encode())


def delivery_id_for(action: Mapping[str, Any], event: Mapping[str, Any]) -> str:
    """A stable id for one event of one action, the same on every retry, for de-duplication;
    from the `action` and `event` of a payload (the JSON a webhook body carries)."""
    action_id, event_id = action.get("id"), event.get("id")
    if action_id is not None and event_id is not None:
        return f"action-{action_id}-event-{event_id}"
    # an event not yet in the store has no id; its content is the next stable thing
    digest = hashlib.sha256(encode({"action": action, "event": event})).hexdigest()[:32]
    return f"content-{digest}"


# --- shared HTTP ---------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # Following a redirect would turn a POST into a GET without the body (or resend the
    # token to another host); a moved endpoint is a configuration change for a person.
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


def _opener() -> urllib.request.OpenerDirector:
    # built per call so proxy settings from the environment are read when used
    return urllib.request.build_opener(_NoRedirect)


def remaining(deadline: float | None, timeout: float) -> float:
    """The socket timeout to use: `timeout`, or less when the deadline (a `time.monotonic()`
    instant) comes sooner; raises TimeoutError once it has passed."""
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the delivery's time limit ran out")
    return min(timeout, left)


@contextlib.contextmanager
def opener_until(deadline: float | None) -> Iterator[urllib.request.OpenerDirector]:
    """An opener whose connections are cut at `deadline` (a `time.monotonic()` instant).

    A socket timeout bounds each wait for a byte, not the exchange: a receiver that sends one
    byte every few seconds would hold the run for ever. At the deadline a timer shuts the
    sockets down, so the blocked read ends with an error the caller reports as a timeout."""
    if deadline is None:
        yield _opener()
        return
    sockets: list[socket.socket] = []

    def cut() -> None:
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    class Http(http.client.HTTPConnection):
        def connect(self) -> None:
            super().connect()
            sockets.append(self.sock)

    class Https(http.client.HTTPSConnection):
        def connect(self) -> None:
            super().connect()
            sockets.append(self.sock)

    class HttpHandler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Http, req)

    class HttpsHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Https, req, context=self._context)  # type: ignore[attr-defined]

    timer = threading.Timer(max(0.0, deadline - time.monotonic()), cut)
    timer.daemon = True
    timer.start()
    try:
        yield urllib.request.build_opener(_NoRedirect, HttpHandler, HttpsHandler)
    finally:
        timer.cancel()


def past(deadline: float | None) -> bool:
    """Whether the deadline (a `time.monotonic()` instant) has passed."""
    return deadline is not None and time.monotonic() >= deadline


def _check_http_url(url: str, what: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # urllib would also open file:// and ftp:// URLs; a sink only ever talks HTTP
        raise DeliveryError(
            f"{what}: {_where(url)} is not an http(s) URL", retryable=False, status=None
        )
    return parts


def _where(url: str) -> str:
    """Scheme and host only: webhook URLs often carry their secret in the path or query
    (Slack, Teams), and error messages end up in logs."""
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return "(an invalid URL)"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    rest = "/…" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{host}{port}{rest}"


def _retryable_status(status: int) -> bool:
    return status in (408, 429) or status >= 500


def _retry_after(headers: Any) -> float | None:
    if headers is None:
        return None
    raw = headers.get("Retry-After")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    # an HTTP date on the server's clock: the pause is real time, so the real clock measures it
    return max(0.0, (when - system_now()).total_seconds())


def _excerpt(raw: bytes) -> str:
    text = " ".join(raw.decode("utf-8", "replace").split())
    if len(text) > _RESPONSE_EXCERPT:
        text = text[:_RESPONSE_EXCERPT] + "…"
    return text


def _read_error(error: urllib.error.HTTPError) -> bytes:
    try:
        return error.read(64 * 1024)
    except (OSError, http.client.HTTPException):
        return b""
    finally:
        error.close()


def _connection_reason(error: BaseException) -> str:
    reason: Any = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, TimeoutError):
        return "timed out"
    text = str(reason) or type(reason).__name__
    return text


def _certificate_problem(error: BaseException) -> bool:
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    # a certificate that does not verify will not verify on the next try either
    return isinstance(reason, ssl.SSLCertVerificationError)


def exchange_json(
    method: str,
    url: str,
    body: Mapping[str, Any] | None,
    headers: Mapping[str, str],
    where: str,
    *,
    deadline: float | None,
    timeout: float,
    http_error: Callable[[str, urllib.error.HTTPError], DeliveryError],
) -> Any:
    """Send one API request, `body` as JSON, within the delivery's `deadline` and read its
    JSON answer (None for an empty or non-JSON body): the plumbing the issue trackers (GitHub,
    Jira) share. An HTTP error status becomes the tracker's own `http_error`; a connection
    that failed, or was cut at the deadline, a retryable `DeliveryError` (not an untrusted
    certificate)."""
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8"),
        method=method,
        headers=dict(headers),
    )
    try:
        with (
            opener_until(deadline) as opener,
            opener.open(request, timeout=remaining(deadline, timeout)) as response,
        ):
            raw = response.read()
    except urllib.error.HTTPError as error:
        raise http_error(where, error) from error
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        # cut at the deadline, the socket reports a closed connection: say what happened
        reason = "cut off at the delivery's time limit" if past(deadline) else None
        raise DeliveryError(
            f"{where} failed: {reason or _connection_reason(error)}",
            retryable=not _certificate_problem(error),
        ) from error
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
