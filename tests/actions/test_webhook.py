"""The webhook sink against a real server on 127.0.0.1: the payload, its signature, and
retries; also the payload and delivery id every sink shares."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socketserver
import threading
from dataclasses import replace

import pytest

from cxgov.actions.sinks import (
    DeliveryError,
    deliver_webhook,
    delivery_id_for,
    github_signer,
    payload,
    verify_signature,
    webhook_secret,
)
from cxgov.judgement.actions import ActionEvent, ActionHistory
from tests.local_servers import Reply, StartHttp, closed_port, scripted

EVENT = ActionEvent(
    id=34,
    action_id=12,
    at=dt.datetime(2026, 7, 2, 6, 0),
    actor="cxgov",
    kind="opened",
    from_status=None,
    to_status="open",
    note=None,
    data={},
)
ACTION = ActionHistory(
    id=12,
    program="kahvipalvelu",
    fingerprint="f" * 24,
    open_key="f" * 24,
    objective="o-nps",
    measurement_point="mp-nps",
    journey="palvelu",
    segment={"alue": "Hämeenlinna"},
    trigger="miss",
    status="open",
    severity="high",
    assignee="myyntijohtaja",
    escalated_to=None,
    escalation_level=0,
    due=dt.date(2026, 7, 9),
    opened_at=dt.datetime(2026, 7, 2, 6, 0),
    updated_at=dt.datetime(2026, 7, 2, 6, 0),
    occurrences=1,
    last_period_end=dt.date(2026, 6, 30),
    resolved_on=None,
    closed_reason=None,
    evidence={
        "objective": "o-nps",
        "status": "fail",
        "value": 12.5,
        "n": 140,
        "ci_low": 4.25,
        "ci_high": 20.75,
        "target": 30.0,
        "period": {"start": "2026-06-01", "end": "2026-06-30", "complete": True},
        "consequence": "Asiakkaat siirtyvät kilpailijalle; käynnistä yhteydenotot.",
        "page": "objectives/o-nps/",
        "program": "kahvipalvelu",
    },
    events=(EVENT,),
)


@pytest.fixture(autouse=True)
def _no_proxy(no_proxy: None) -> None:
    """The local servers are reached directly, whatever proxy the machine sets."""


# --- payload -------------------------------------------------------------------------------


def test_payload_is_plain_json_with_iso_dates_and_utc_timestamps() -> None:
    body = payload(ACTION, EVENT)
    assert json.loads(json.dumps(body)) == body
    assert body["action"]["due"] == "2026-07-09"
    assert body["action"]["opened_at"] == "2026-07-02T06:00:00+00:00"
    assert body["event"]["at"] == "2026-07-02T06:00:00+00:00"
    assert body["action"]["evidence"]["period"]["end"] == "2026-06-30"
    assert body["action"]["segment"] == {"alue": "Hämeenlinna"}


def test_payload_carries_the_action_with_its_events_and_the_event_whole() -> None:
    body = payload(ACTION, EVENT)
    assert list(body["action"]) == [*ACTION.row()]
    assert body["action"]["events"] == [body["event"]]
    assert body["event"] == {**EVENT.row(), "at": "2026-07-02T06:00:00+00:00"}


def test_payload_refuses_values_json_cannot_carry() -> None:
    with pytest.raises(TypeError, match=r"event\.data"):
        payload(ACTION, replace(EVENT, data={"what": object()}))


def test_delivery_id_is_stable_per_action_and_event() -> None:
    body = payload(ACTION, EVENT)
    action, event = body["action"], body["event"]
    assert delivery_id_for(action, event) == "action-12-event-34"
    unsaved = {k: v for k, v in event.items() if k != "id"}
    assert delivery_id_for(action, unsaved) == delivery_id_for(action, dict(unsaved))
    assert delivery_id_for(action, unsaved) != delivery_id_for(action, {**unsaved, "kind": "x"})


# --- webhook -------------------------------------------------------------------------------


def test_webhook_posts_compact_sorted_utf8_json(http_server: StartHttp) -> None:
    server = http_server(scripted(Reply(204)))
    body = payload(ACTION, EVENT)
    deliver_webhook(server.url + "/hook", body, signer=None)
    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/hook")
    assert request.headers["Content-Type"].startswith("application/json")
    assert json.loads(request.body) == body
    expected = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert request.body == expected.encode("utf-8")
    assert "Hämeenlinna".encode() in request.body


def test_webhook_signature_verifies_over_the_raw_body(http_server: StartHttp) -> None:
    server = http_server(scripted(Reply(200)))
    deliver_webhook(server.url, payload(ACTION, EVENT), signer=github_signer("s3cret"))
    [request] = server.requests
    header = request.headers["X-Cxgov-Signature"]
    expected = "sha256=" + hmac.new(b"s3cret", request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(header, expected)
    assert verify_signature(request.body, "s3cret", header)
    assert not verify_signature(request.body + b" ", "s3cret", header)


def test_webhook_without_secret_is_unsigned(http_server: StartHttp) -> None:
    server = http_server(scripted(Reply(200)))
    deliver_webhook(server.url, payload(ACTION, EVENT), signer=None)
    assert "X-Cxgov-Signature" not in server.requests[0].headers


def test_webhook_names_the_event_and_a_stable_delivery_id(http_server: StartHttp) -> None:
    server = http_server(scripted(Reply(200)))
    body = payload(ACTION, EVENT)
    deliver_webhook(server.url, body, signer=None)
    deliver_webhook(server.url, body, signer=None)
    deliver_webhook(server.url, body, signer=None, delivery_id="given-1")
    headers = [r.headers for r in server.requests]
    assert [h["X-Cxgov-Event"] for h in headers] == ["opened"] * 3
    assert [h["X-Cxgov-Delivery"] for h in headers] == [
        "action-12-event-34",
        "action-12-event-34",
        "given-1",
    ]


def test_webhook_retries_server_errors_with_growing_backoff(http_server: StartHttp) -> None:
    server = http_server(scripted(Reply(500), Reply(500), Reply(200)))
    delays: list[float] = []
    deliver_webhook(
        server.url,
        payload(ACTION, EVENT),
        signer=github_signer("k"),
        attempts=3,
        sleep=delays.append,
    )
    assert len(server.requests) == 3
    assert len(delays) == 2 and delays[0] < delays[1]
    # a retry is the same delivery: same bytes, same signature, same id
    assert len({(r.body, r.headers["X-Cxgov-Signature"]) for r in server.requests}) == 1
    assert len({r.headers["X-Cxgov-Delivery"] for r in server.requests}) == 1


def test_webhook_gives_up_after_attempts_with_a_retryable_error(http_server: StartHttp) -> None:
    server = http_server(scripted(Reply(503, b"down for maintenance")))
    delays: list[float] = []
    with pytest.raises(DeliveryError) as caught:
        deliver_webhook(
            server.url + "/hook", payload(ACTION, EVENT), signer=None, attempts=4,
            sleep=delays.append,
        )  # fmt: skip
    assert caught.value.retryable and caught.value.status == 503
    assert len(server.requests) == 4 and len(delays) == 3
    assert "HTTP 503" in str(caught.value) and "4 attempts" in str(caught.value)
    assert "127.0.0.1" in str(caught.value)


def test_webhook_client_error_fails_at_once_without_retry(http_server: StartHttp) -> None:
    server = http_server(scripted(Reply(400, b"bad payload")))
    delays: list[float] = []
    with pytest.raises(DeliveryError) as caught:
        deliver_webhook(server.url, payload(ACTION, EVENT), signer=None, sleep=delays.append)
    assert not caught.value.retryable and caught.value.status == 400
    assert len(server.requests) == 1 and delays == []
    assert "HTTP 400" in str(caught.value) and "bad payload" in str(caught.value)


def test_webhook_rate_limit_waits_as_long_as_the_server_asks(http_server: StartHttp) -> None:
    server = http_server(scripted(Reply(429, headers={"Retry-After": "7"}), Reply(200)))
    delays: list[float] = []
    deliver_webhook(server.url, payload(ACTION, EVENT), signer=None, sleep=delays.append)
    assert delays == [7.0] and len(server.requests) == 2


def test_webhook_redirect_is_not_followed(http_server: StartHttp) -> None:
    target = http_server(scripted(Reply(200)))
    server = http_server(scripted(Reply(302, headers={"Location": target.url})))
    with pytest.raises(DeliveryError) as caught:
        deliver_webhook(server.url, payload(ACTION, EVENT), signer=None, sleep=lambda _: None)
    assert not caught.value.retryable and "redirected" in str(caught.value)
    assert target.requests == []


def test_webhook_to_a_closed_port_is_retryable() -> None:
    delays: list[float] = []
    with pytest.raises(DeliveryError) as caught:
        deliver_webhook(
            f"http://127.0.0.1:{closed_port()}/hook", payload(ACTION, EVENT), signer=None,
            attempts=2, sleep=delays.append,
        )  # fmt: skip
    assert caught.value.retryable and caught.value.status is None
    assert len(delays) == 1


def test_webhook_timeout_is_retryable() -> None:
    release = threading.Event()

    class Silent(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            release.wait(5)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Silent)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        with pytest.raises(DeliveryError) as caught:
            deliver_webhook(
                f"http://127.0.0.1:{server.server_address[1]}/", payload(ACTION, EVENT),
                signer=None, timeout=0.2, attempts=2, sleep=lambda _: None,
            )  # fmt: skip
        assert caught.value.retryable and "timed out" in str(caught.value)
    finally:
        release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_webhook_error_shows_the_host_but_not_a_secret_path() -> None:
    url = f"http://127.0.0.1:{closed_port()}/services/T0/B0/topsecrettoken?sig=abc"
    with pytest.raises(DeliveryError) as caught:
        deliver_webhook(url, payload(ACTION, EVENT), signer=None, attempts=1)
    assert "127.0.0.1" in str(caught.value)
    assert "topsecrettoken" not in str(caught.value) and "abc" not in str(caught.value)


def test_webhook_refuses_urls_that_are_not_http() -> None:
    with pytest.raises(DeliveryError) as caught:
        deliver_webhook("file:///etc/passwd", payload(ACTION, EVENT), signer=None)
    assert not caught.value.retryable


def test_webhook_secret_named_but_unset_is_an_error_naming_the_variable() -> None:
    assert webhook_secret(None, {}) is None
    assert webhook_secret("HOOK_SECRET", {"HOOK_SECRET": "k"}) == "k"
    with pytest.raises(DeliveryError, match="HOOK_SECRET") as caught:
        webhook_secret("HOOK_SECRET", {})
    assert not caught.value.retryable
