"""The webhook sink: each event of an action as a signed JSON event, POSTed with retries.

Signed by the Standard Webhooks specification (https://www.standardwebhooks.com/) unless the
sink asks for the earlier `github` format (see `WebhookSignature`); docs/sinks.md shows a
receiver that verifies either.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import http.client
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cxgov.actions.sinks.common import (
    _HEADER_VALUE,
    DELIVERED,
    DELIVERY_HEADER,
    EVENT_HEADER,
    MAX_RETRY_AFTER,
    SIGNATURE_HEADER,
    USER_AGENT,
    Delivery,
    DeliveryError,
    Outcome,
    _certificate_problem,
    _check_http_url,
    _connection_reason,
    _excerpt,
    _jsonable,
    _read_error,
    _retry_after,
    _retryable_status,
    _where,
    delivery_id_for,
    encode,
    opener_until,
    past,
    payload,
    remaining,
    sign,
)
from cxgov.judgement.actions import ActionEvent, ActionHistory
from cxgov.model.policies import Sink as SinkConfig
from cxgov.model.policies import SinkType, WebhookSignature

EVENT_VERSION = 1
"""The version of the webhook event's shape (`event_body`); a change that could break a
receiver gets a new number, and docs/sinks.md says what changed."""
SECRET_PREFIX = "whsec_"

Signer = Callable[[str, bytes], dict[str, str]]
"""The signature headers for one attempt at sending a body (`delivery_id`, body bytes)."""


def webhook_secret(secret_env: str | None, env: Mapping[str, str] = os.environ) -> str | None:
    """The signing secret named by a webhook sink's `secret_env`, or None when none is named.

    A named variable that is unset is an error: sending unsigned instead would let receivers
    that check signatures drop every delivery without anyone noticing here.
    """
    if not secret_env:
        return None
    value = env.get(secret_env, "")
    if not value:
        raise DeliveryError(
            f"webhook: the signing secret is missing; set the environment variable {secret_env}",
            retryable=False,
        )
    return value


def signing_keys(secrets: str, secret_env: str = "the secret") -> list[bytes]:
    """The keys in a Standard Webhooks secret setting: one or more `whsec_<base64>` secrets
    separated by spaces (several while a key is rotated: the new and the old both sign).

    The prefix is required: a secret written for the earlier `github` format is any text, and
    read as base64 it would sign with a key no receiver has."""
    keys = []
    for secret in secrets.split():
        encoded = secret.removeprefix(SECRET_PREFIX) if secret.startswith(SECRET_PREFIX) else ""
        try:
            # unpadded base64 is common in secrets copied from dashboards; the libraries take it
            key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if not key:
            raise DeliveryError(
                f"webhook: the signing secret in {secret_env} is not {SECRET_PREFIX}<base64>; "
                'generate one with: python -c "import base64, os; '
                "print('whsec_' + base64.b64encode(os.urandom(32)).decode())\", "
                "or set `signature: github` for a receiver of the earlier format",
                retryable=False,
            )
        keys.append(key)
    return keys


def standard_signer(keys: Sequence[bytes], clock: Callable[[], dt.datetime]) -> Signer:
    """Standard Webhooks headers: `webhook-id`, `webhook-timestamp` (this attempt's time, in
    seconds since the epoch, from `clock`) and `webhook-signature`, a space-separated
    `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` per key."""

    def headers(delivery_id: str, data: bytes) -> dict[str, str]:
        now = clock()
        # a naive instant is UTC, as everywhere in the store
        timestamp = str(int((now if now.tzinfo else now.replace(tzinfo=dt.UTC)).timestamp()))
        signed = f"{delivery_id}.{timestamp}.".encode() + data
        signatures = " ".join(
            "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
            for key in keys
        )
        headers = {"webhook-id": delivery_id, "webhook-timestamp": timestamp}
        if signatures:
            headers["webhook-signature"] = signatures
        return headers

    return headers


def github_signer(secret: str) -> Signer:
    """The earlier format: `X-Cxgov-Signature: sha256=<hex HMAC-SHA256 of the body>`, the
    secret used as it is written."""
    return lambda _, data: {SIGNATURE_HEADER: sign(data, secret)}


def event_body(
    action: ActionHistory, event: ActionEvent, page: str | None = None
) -> dict[str, Any]:
    """The Standard Webhooks event for one event of an action: `type` (`action.<kind>`),
    `version` (`EVENT_VERSION`), `timestamp` (when the event happened, UTC) and `data` with
    the `action` and `event` rows (and the page's link) as `payload` gives them."""
    data = payload(action, event, page)
    return {
        "type": f"action.{event.kind}",
        "version": EVENT_VERSION,
        "timestamp": _jsonable(event.at, "event.at"),
        "data": data,
    }


def webhook_url(config: SinkConfig, env: Mapping[str, str] = os.environ) -> str:
    """The URL a webhook, Teams or Slack sink posts to: its `url`, or the environment variable
    its `url_env` names, which must be set (a missing one is an error, not a silent skip)."""
    if config.url:
        return config.url
    value = env.get(config.url_env or "", "")
    if not value:
        raise DeliveryError(
            f"{config.type.value}: the URL is missing; set the environment variable "
            f"{config.url_env}",
            retryable=False,
        )
    return value


def deliver_webhook(
    url: str,
    body: Mapping[str, Any],
    *,
    signer: Signer | None,
    delivery_id: str | None = None,
    timeout: float = 10,
    attempts: int = 3,
    backoff: float = 0.5,
    sleep: Callable[[float], object] = time.sleep,
    deadline: float | None = None,
    event_kind: str | None = None,
) -> None:
    """POST `body` (`event_body` or, in the earlier format, `payload`) as JSON to `url`,
    retrying what may pass on a later try.

    Headers: `X-Cxgov-Event` (the event kind), `X-Cxgov-Delivery` (`delivery_id`, or one
    derived from the action and event ids, so receivers can drop repeats) and what `signer`
    adds, signed again for each attempt (a Standard Webhooks timestamp is the attempt's).

    A redirect is not followed (see `_NoRedirect`): it fails at once, not retryable, naming
    the status, since the receiver's address is a configuration change for a person.

    Connection errors, timeouts, 408, 429 and 5xx are tried again after `backoff`, doubling
    each time (longer when the server sends `Retry-After`, up to a minute); other statuses fail
    at once with a non-retryable `DeliveryError`. After `attempts` tries the error is retryable:
    a later run may get through.

    `deadline` (a `time.monotonic()` instant) bounds the whole delivery, retries and pauses
    included: `timeout` only bounds each wait for a byte, which a receiver trickling its answer
    never exceeds. Cut off, the error is retryable.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    _check_http_url(url, "webhook")
    where = _where(url)
    data = encode(body)
    # the earlier body is `{action, event}`; a Standard Webhooks event carries them in `data`
    wrapped = body.get("data")
    inner: Mapping[str, Any] = wrapped if isinstance(wrapped, Mapping) else body
    event = inner.get("event")
    kind = str(event.get("kind") or "unknown") if isinstance(event, Mapping) else "unknown"
    # a chat message (Teams, Slack) has no `event` of its own; its sender names the kind
    kind = event_kind or kind
    if delivery_id is None:
        action = inner.get("action")
        delivery_id = delivery_id_for(
            action if isinstance(action, Mapping) else {},
            event if isinstance(event, Mapping) else {},
        )
    for name, value in ((EVENT_HEADER, kind), (DELIVERY_HEADER, delivery_id)):
        # a line break in a header value would let data from a row forge further headers
        if not _HEADER_VALUE.fullmatch(value):
            raise DeliveryError(
                f"webhook to {where}: {name} value {value!r} is not a plain token",
                retryable=False,
            )
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: kind,
        DELIVERY_HEADER: delivery_id,
    }

    with opener_until(deadline) as opener:
        for attempt in range(1, attempts + 1):
            signed = headers | (signer(delivery_id, data) if signer else {})
            request = urllib.request.Request(url, data=data, headers=signed, method="POST")
            failure = _post_once(opener, request, timeout, where, deadline)
            if failure is None:
                return
            if not failure.retryable:
                raise failure
            delay = backoff * 2 ** (attempt - 1)
            if failure.retry_after is not None:
                delay = max(delay, min(failure.retry_after, MAX_RETRY_AFTER))
            out_of_time = deadline is not None and time.monotonic() + delay >= deadline
            if attempt == attempts or out_of_time:
                plural = "s" if attempt != 1 else ""
                why = "; the delivery's time limit ran out" if out_of_time else ""
                raise DeliveryError(
                    f"{failure.message}; gave up after {attempt} attempt{plural}{why}",
                    retryable=True,
                    status=failure.status,
                    retry_after=failure.retry_after,
                )
            sleep(delay)


def _post_once(
    opener: urllib.request.OpenerDirector,
    request: urllib.request.Request,
    timeout: float,
    where: str,
    deadline: float | None = None,
) -> DeliveryError | None:
    try:
        with opener.open(request, timeout=remaining(deadline, timeout)) as response:
            # drain a little so the server sees the exchange finish; the content is unused
            response.read(64 * 1024)
        return None
    except urllib.error.HTTPError as error:
        detail = _excerpt(_read_error(error))
        status = error.code
        if 300 <= status < 400:
            message = (
                f"webhook POST to {where} was redirected (HTTP {status}); configure the final URL"
            )
        else:
            message = f"webhook POST to {where} failed: HTTP {status} {error.reason}"
            if detail:
                message += f": {detail}"
        return DeliveryError(
            message,
            retryable=_retryable_status(status),
            status=status,
            retry_after=_retry_after(error.headers),
        )
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = "cut off at the delivery's time limit" if past(deadline) else None
        return DeliveryError(
            f"webhook POST to {where} failed: {reason or _connection_reason(error)}",
            retryable=not _certificate_problem(error),
        )


class WebhookSink:
    """Every event of an action, signed and POSTed to the sink's `url`."""

    kind = SinkType.WEBHOOK

    def target(self, config: SinkConfig) -> str:
        # a URL from the environment is known by the variable's name: the stored key holds no
        # token, and stays the same when the token is rotated
        return config.url or f"${config.url_env}"

    def deliver(self, config: SinkConfig, delivery: Delivery) -> Outcome:
        url = webhook_url(config, delivery.env)
        page = delivery.page
        rows = payload(delivery.action, delivery.event, page)
        secret = webhook_secret(config.secret_env, delivery.env)
        signer: Signer | None = None
        if config.signature is WebhookSignature.GITHUB:
            body = rows
            signer = github_signer(secret) if secret else None
        else:
            body = event_body(delivery.action, delivery.event, page)
            if secret:
                signer = standard_signer(
                    signing_keys(secret, str(config.secret_env)), delivery.clock
                )
        deliver_webhook(
            url,
            body,
            signer=signer,
            delivery_id=delivery_id_for(rows["action"], rows["event"]),
            deadline=delivery.deadline,
        )
        return DELIVERED
