"""The webhook sink's Standard Webhooks signing, checked by the specification's own Python
library (`standardwebhooks`) in a receiver on 127.0.0.1 whose clock the test pins: deliveries
verify, a replay older than the receiver's tolerance is refused, both keys of a rotation sign,
and the earlier `github` format stays available for receivers written for it."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
import standardwebhooks.webhooks
from standardwebhooks import Webhook, WebhookVerificationError

from cxgov.actions.sinks import (
    EVENT_VERSION,
    Delivery,
    DeliveryError,
    WebhookSink,
    signing_keys,
    verify_signature,
)
from cxgov.model.policies import Sink as SinkConfig
from tests.actions.test_webhook import ACTION, EVENT
from tests.clock import NOW
from tests.conftest import ROOT
from tests.local_servers import Recorded, Reply, StartHttp, scripted

NEW_SECRET = "whsec_" + base64.b64encode(b"the new key of 32 bytes, exactly").decode()
OLD_SECRET = "whsec_" + base64.b64encode(b"the old key, retired after a week").decode()


@pytest.fixture(autouse=True)
def _no_proxy(no_proxy: None) -> None:
    """The local servers are reached directly, whatever proxy the machine sets."""


class ReceiverClock:
    """The receiver's "now", pinned: the library reads `datetime.now`, which the test sets to
    `now()`: a fixed instant, or the clock the sender runs on (`tests.clock.clock`), moved on
    by as much as the test needs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, now: Callable[[], dt.datetime]) -> None:
        self.now = now
        clock = self

        class Pinned(dt.datetime):
            @classmethod
            def now(cls, tz: dt.tzinfo | None = None) -> Pinned:  # type: ignore[override]
                return cls.fromtimestamp(clock.now().timestamp(), tz)

        monkeypatch.setattr(standardwebhooks.webhooks, "datetime", Pinned)


def verifying(*secrets: str) -> Callable[[Recorded], Reply]:
    """A receiver as docs/sinks.md shows one: 204 when any of its secrets verifies the
    delivery, 401 with the library's reason when none does."""

    def respond(request: Recorded) -> Reply:
        reasons = []
        for secret in secrets:
            try:
                Webhook(secret).verify(request.body, dict(request.headers.items()))
                return Reply(204)
            except WebhookVerificationError as error:
                reasons.append(str(error))
        return Reply(401, "; ".join(reasons).encode())

    return respond


def _delivery(env: dict[str, str], at: dt.datetime = NOW) -> Delivery:
    return Delivery(
        action=ACTION,
        event=EVENT,
        owners={},
        language="fi",
        env=env,
        earlier_ref=lambda: None,
        clock=lambda: at,
    )


def _config(url: str, **extra: str) -> SinkConfig:
    return SinkConfig.model_validate({"type": "webhook", "url": url, **extra})


def test_a_delivery_verifies_with_the_reference_library_and_is_a_versioned_event(
    http_server: StartHttp, monkeypatch: pytest.MonkeyPatch
) -> None:
    ReceiverClock(monkeypatch, lambda: NOW)
    server = http_server(verifying(NEW_SECRET))
    outcome = WebhookSink().deliver(
        _config(server.url + "/hook", secret_env="HOOK_SECRET"),
        _delivery({"HOOK_SECRET": NEW_SECRET}),
    )
    assert outcome.status == "delivered"
    [request] = server.requests
    assert request.headers["webhook-id"] == "action-12-event-34"
    assert request.headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    assert request.headers["webhook-signature"].startswith("v1,")
    assert "X-Cxgov-Signature" not in request.headers
    event = Webhook(NEW_SECRET).verify(request.body, dict(request.headers.items()))
    assert set(event) == {"type", "version", "timestamp", "data"}
    assert event["type"] == "action.opened" and event["version"] == EVENT_VERSION == 1
    assert event["timestamp"] == "2026-07-02T06:00:00+00:00", "when the event happened, UTC"
    assert set(event["data"]) == {"action", "event"}
    assert event["data"]["action"]["id"] == 12 and event["data"]["event"]["kind"] == "opened"


def test_a_replayed_delivery_older_than_the_tolerance_is_refused(
    http_server: StartHttp, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = ReceiverClock(monkeypatch, lambda: NOW)
    server = http_server(verifying(NEW_SECRET))
    WebhookSink().deliver(
        _config(server.url, secret_env="HOOK_SECRET"), _delivery({"HOOK_SECRET": NEW_SECRET})
    )
    [captured] = server.requests

    def replay() -> int:
        request = urllib.request.Request(
            server.url, data=captured.body, headers=dict(captured.headers.items()), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as refused:
            assert b"too old" in refused.read()
            return refused.code

    receiver.now = lambda: NOW + dt.timedelta(minutes=4)
    assert replay() == 204, "within the library's five minutes"
    receiver.now = lambda: NOW + dt.timedelta(minutes=6)
    assert replay() == 401

    # a delivery signed at a stale "now" is refused too, and not retried: it will not pass
    with pytest.raises(DeliveryError) as caught:
        WebhookSink().deliver(
            _config(server.url, secret_env="HOOK_SECRET"), _delivery({"HOOK_SECRET": NEW_SECRET})
        )
    assert caught.value.status == 401 and not caught.value.retryable
    assert "too old" in str(caught.value)


def test_during_a_key_rotation_both_secrets_sign_and_either_receiver_verifies(
    http_server: StartHttp, monkeypatch: pytest.MonkeyPatch
) -> None:
    ReceiverClock(monkeypatch, lambda: NOW)
    env = {"HOOK_SECRET": f"{NEW_SECRET} {OLD_SECRET}"}
    for receiver_knows in (NEW_SECRET, OLD_SECRET):
        server = http_server(verifying(receiver_knows))
        outcome = WebhookSink().deliver(
            _config(server.url, secret_env="HOOK_SECRET"), _delivery(env)
        )
        assert outcome.status == "delivered"
        signatures = server.requests[0].headers["webhook-signature"].split(" ")
        assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)


def test_each_attempt_is_signed_at_its_own_time(
    http_server: StartHttp, monkeypatch: pytest.MonkeyPatch
) -> None:
    ReceiverClock(monkeypatch, lambda: NOW)
    server = http_server(scripted(Reply(503), Reply(204)))
    ticks = iter([NOW, NOW + dt.timedelta(seconds=30)])
    delivery = Delivery(
        action=ACTION,
        event=EVENT,
        owners={},
        language="en",
        env={"HOOK_SECRET": NEW_SECRET},
        earlier_ref=lambda: None,
        clock=lambda: next(ticks),
    )
    WebhookSink().deliver(_config(server.url, secret_env="HOOK_SECRET"), delivery)
    first, second = server.requests
    assert first.body == second.body, "a retry sends the same event"
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    stamps = [int(r.headers["webhook-timestamp"]) for r in (first, second)]
    assert stamps == [int(NOW.timestamp()), int(NOW.timestamp()) + 30]
    for request in (first, second):
        Webhook(NEW_SECRET).verify(request.body, dict(request.headers.items()))


@pytest.mark.parametrize(
    "written", ["s3cret", NEW_SECRET.removeprefix("whsec_"), "whsec_", "whsec_not*base64"]
)
def test_a_secret_that_is_not_whsec_base64_is_refused_naming_its_variable(
    http_server: StartHttp, written: str
) -> None:
    server = http_server(scripted(Reply(204)))
    with pytest.raises(DeliveryError, match=r"HOOK_SECRET.*whsec_<base64>") as caught:
        WebhookSink().deliver(
            _config(server.url, secret_env="HOOK_SECRET"), _delivery({"HOOK_SECRET": written})
        )
    assert not caught.value.retryable
    assert server.requests == [], "nothing unsigned or wrongly signed leaves"


def test_an_unpadded_secret_is_the_same_key() -> None:
    assert signing_keys(NEW_SECRET.rstrip("=")) == signing_keys(NEW_SECRET)
    assert len(signing_keys(f"{NEW_SECRET}  {OLD_SECRET}")) == 2


def test_the_github_format_is_kept_for_receivers_written_for_it(
    http_server: StartHttp, monkeypatch: pytest.MonkeyPatch
) -> None:
    ReceiverClock(monkeypatch, lambda: NOW)
    server = http_server(scripted(Reply(204)))
    WebhookSink().deliver(
        _config(server.url, secret_env="HOOK_SECRET", signature="github"),
        _delivery({"HOOK_SECRET": "s3cret"}),
    )
    [request] = server.requests
    assert set(json.loads(request.body)) == {"action", "event"}
    assert verify_signature(request.body, "s3cret", request.headers["X-Cxgov-Signature"])
    assert "webhook-signature" not in request.headers
    with pytest.raises(WebhookVerificationError, match="Missing required headers"):
        Webhook(NEW_SECRET).verify(request.body, dict(request.headers.items()))


def test_the_signature_format_is_one_of_the_two() -> None:
    with pytest.raises(ValueError, match=r"standard.*github|github.*standard"):
        _config("https://example.org/hook", signature="hmac")


def test_the_receiver_in_docs_sinks_md_verifies_a_delivery_and_drops_its_retry(
    http_server: StartHttp, monkeypatch: pytest.MonkeyPatch
) -> None:
    ReceiverClock(monkeypatch, lambda: NOW)
    text = (ROOT / "docs" / "sinks.md").read_text(encoding="utf-8")
    [snippet] = re.findall(r"\*\*Verifying in Python\*\*.*?```python\n(.*?)```", text, re.S)
    monkeypatch.setenv("CX_HOOK_SECRET", NEW_SECRET)
    receiver: dict[str, Any] = {}
    exec(compile(snippet, "docs/sinks.md", "exec"), receiver)
    statuses: list[int] = []

    def respond(request: Recorded) -> Reply:
        statuses.append(receiver["receive"](request.body, dict(request.headers.items())))
        return Reply(statuses[-1])

    server = http_server(respond)
    config = _config(server.url, secret_env="HOOK_SECRET")
    for _ in range(2):
        WebhookSink().deliver(config, _delivery({"HOOK_SECRET": NEW_SECRET}))
    with pytest.raises(DeliveryError):
        WebhookSink().deliver(config, _delivery({"HOOK_SECRET": OLD_SECRET}))
    assert statuses == [204, 204, 401]
    assert receiver["seen"] == {"action-12-event-34"}
