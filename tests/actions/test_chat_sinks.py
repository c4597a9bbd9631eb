"""The Teams and Slack sinks: an Adaptive Card (checked against the official Adaptive Card
schema) and Block Kit blocks, in English and Finnish, delivered to a real server on
127.0.0.1, with a button to the objective's page only when the program has a site URL."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cxgov.actions.sinks import SINKS, Delivery, DeliveryError
from cxgov.actions.sinks.chat import chat_message
from cxgov.actions.sinks.slack import FIELDS_MAX, HEADER_MAX, slack_message
from cxgov.actions.sinks.teams import CARD_CONTENT_TYPE, adaptive_card
from cxgov.model import Owner
from cxgov.model.policies import Sink as SinkConfig
from cxgov.model.policies import SinkType
from tests.actions.test_webhook import ACTION, EVENT
from tests.local_servers import Reply, StartHttp, scripted

SCHEMA = Path(__file__).parents[1] / "fixtures" / "adaptive_cards" / "adaptive-card-1.5.schema.json"
SITE = "https://cx.example.fi/kahvipalvelu/"
PAGE = "https://cx.example.fi/kahvipalvelu/objectives/o-nps.html"
OWNERS = {"myyntijohtaja": Owner(id="myyntijohtaja", name="Liisa Laine")}
TEAMS_CARD_LIMIT = 28 * 1024
"""Teams refuses a webhook message whose card is larger."""


@pytest.fixture(autouse=True)
def _direct(no_proxy: None) -> None:
    """The local server is reached directly, whatever proxy the machine sets."""


@cache
def _validator() -> jsonschema.Draft6Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft6Validator.check_schema(schema)
    return jsonschema.Draft6Validator(schema)


def assert_adaptive_card(card: dict[str, Any]) -> None:
    """`card` is valid by the Adaptive Card 1.5 schema and fits a Teams webhook message."""
    errors = sorted(_validator().iter_errors(card), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    assert len(json.dumps(card).encode()) < TEAMS_CARD_LIMIT


def assert_teams_message(body: dict[str, Any]) -> dict[str, Any]:
    """The Workflows envelope around one valid card; returns the card."""
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == CARD_CONTENT_TYPE
    assert_adaptive_card(attachment["content"])
    return attachment["content"]  # type: ignore[no-any-return]


def assert_slack_message(body: dict[str, Any]) -> None:
    """Text for notifications and blocks within Slack's limits."""
    assert body["text"].strip()
    kinds = [block["type"] for block in body["blocks"]]
    assert kinds[0] == "header" and "context" in kinds
    for block in body["blocks"]:
        assert block["type"] in ("header", "section", "context", "actions")
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text"
            assert len(block["text"]["text"]) <= HEADER_MAX
        if block["type"] == "section":
            assert ("text" in block) != ("fields" in block)
            assert len(block.get("fields", ())) <= FIELDS_MAX
        if block["type"] == "actions":
            [button] = block["elements"]
            assert button["type"] == "button" and button["url"].startswith(("https://", "http://"))


def _delivery(language: str = "en", site_url: str | None = SITE, **event: Any) -> Delivery:
    return Delivery(
        action=ACTION,
        event=replace(EVENT, **event),
        owners=OWNERS,
        language=language,
        env={},
        earlier_ref=lambda: None,
        site_url=site_url,
        objective_name="Suositteluhalukkuus (NPS)",
    )


def _facts(card: dict[str, Any]) -> dict[str, str]:
    [facts] = [b for b in card["body"] if b["type"] == "FactSet"]
    return {f["title"]: f["value"] for f in facts["facts"]}


def test_the_schema_file_refuses_what_teams_cannot_render() -> None:
    # the check is only worth something if the schema says no: an unknown element, a button
    # without its URL
    bad = adaptive_card(chat_message(_delivery()))
    bad["body"].append({"type": "Marquee", "text": "x"})
    assert list(_validator().iter_errors(bad))
    no_url = adaptive_card(chat_message(_delivery()))
    del no_url["actions"][0]["url"]
    assert list(_validator().iter_errors(no_url))


def test_a_teams_card_in_english_names_the_objective_verdict_numbers_owner_and_due_date() -> None:
    card = adaptive_card(chat_message(_delivery("en")))
    assert_adaptive_card(card)
    texts = [b["text"] for b in card["body"] if b["type"] == "TextBlock"]
    assert texts[:2] == ["Action 12: opened.", "Suositteluhalukkuus (NPS)"]
    facts = _facts(card)
    assert facts["Status"] == "fail"
    assert (facts["Value"], facts["n"], facts["Interval"]) == ("12.5", "140", "4.25 – 20.75")
    assert facts["Assignee"] == "Liisa Laine (myyntijohtaja)"
    assert facts["Due"] == "2026-07-09"
    assert card["lang"] == "en"
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open the objective's page", "url": PAGE}
    ]


def test_a_teams_card_in_finnish_says_everything_in_finnish() -> None:
    card = adaptive_card(chat_message(_delivery("fi", kind="escalated")))
    assert_adaptive_card(card)
    assert card["body"][0]["text"] == "Toimenpide 12: eskaloitu."
    facts = _facts(card)
    assert facts["Tila"] == "hälytys"
    assert (facts["Arvo"], facts["Luottamusväli"]) == ("12,5", "4,25 – 20,75")
    assert facts["Eräpäivä"] == "9.7.2026"
    assert facts["Vastuuhenkilö"] == "Liisa Laine (myyntijohtaja)"
    assert card["actions"][0]["title"] == "Avaa tavoitteen sivu"
    assert card["lang"] == "fi"


def test_without_a_site_url_no_button_and_no_relative_link() -> None:
    message = chat_message(_delivery(site_url=None))
    card = adaptive_card(message)
    assert_adaptive_card(card)
    assert "actions" not in card
    slack = slack_message(message)
    assert_slack_message(slack)
    assert "actions" not in [b["type"] for b in slack["blocks"]]
    for body in (card, slack):
        assert "objectives/" not in json.dumps(body)


def test_a_slack_message_has_text_and_blocks_in_both_languages() -> None:
    english = slack_message(chat_message(_delivery("en")))
    assert_slack_message(english)
    assert english["text"] == "Action 12: opened. Suositteluhalukkuus (NPS)"
    assert english["blocks"][0]["text"]["text"] == "Action 12: opened."
    fields = [f["text"] for b in english["blocks"] for f in b.get("fields", ())]
    assert "*Status*\nfail" in fields and "*Due*\n2026-07-09" in fields
    [actions] = [b for b in english["blocks"] if b["type"] == "actions"]
    assert actions["elements"][0]["url"] == PAGE
    assert actions["elements"][0]["text"]["text"] == "Open the objective's page"

    finnish = slack_message(chat_message(_delivery("fi")))
    assert_slack_message(finnish)
    assert finnish["blocks"][0]["text"]["text"] == "Toimenpide 12: avattu."
    fields = [f["text"] for b in finnish["blocks"] for f in b.get("fields", ())]
    assert "*Tila*\nhälytys" in fields and "*Eräpäivä*\n9.7.2026" in fields


def test_slack_markup_in_names_and_notes_stays_text() -> None:
    delivery = _delivery(note="<!channel> katso <https://evil.example|tästä> & muuta", actor="anna")
    body = slack_message(chat_message(delivery))
    assert_slack_message(body)
    # Slack reads `<!channel>` and `<url|text>` in mrkdwn only; plain_text shows them as typed
    mrkdwn = [body["text"]] + [
        t["text"]
        for b in body["blocks"]
        for t in (*b.get("fields", ()), *b.get("elements", ()), b.get("text") or {})
        if t.get("type") == "mrkdwn"
    ]
    assert mrkdwn and not any("<" in t or ">" in t for t in mrkdwn)
    [note] = [b for b in body["blocks"] if "katso" in (b.get("text") or {}).get("text", "")]
    assert note["text"]["type"] == "plain_text"
    card = adaptive_card(chat_message(delivery))
    assert_adaptive_card(card)
    assert any("katso" in b.get("text", "") for b in card["body"])


def test_slack_splits_many_facts_into_sections_of_ten() -> None:
    message = chat_message(_delivery())
    many = replace(message, facts=tuple((f"f{i}", str(i)) for i in range(23)))
    body = slack_message(many)
    assert_slack_message(body)
    sizes = [len(b["fields"]) for b in body["blocks"] if "fields" in b]
    assert sizes == [10, 10, 3]
    long = replace(message, headline="x" * 400)
    assert len(slack_message(long)["blocks"][0]["text"]["text"]) == HEADER_MAX


@pytest.mark.parametrize("kind", [SinkType.TEAMS, SinkType.SLACK])
def test_each_chat_sink_posts_its_message_to_a_local_receiver(
    kind: SinkType, http_server: StartHttp
) -> None:
    server = http_server(scripted(Reply(202 if kind is SinkType.TEAMS else 200, b"ok")))
    config = SinkConfig(type=kind, url=f"{server.url}/hook/s3cret")
    outcome = SINKS[kind].deliver(config, _delivery("fi"))
    assert outcome.status == "delivered"
    [request] = server.requests
    assert request.path == "/hook/s3cret" and request.method == "POST"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["X-Cxgov-Event"] == "opened"
    assert request.headers["X-Cxgov-Delivery"] == "action-12-event-34"
    body = json.loads(request.body)
    if kind is SinkType.TEAMS:
        card = assert_teams_message(body)
        assert card["actions"][0]["url"] == PAGE
    else:
        assert_slack_message(body)
        assert body["blocks"][0]["text"]["text"] == "Toimenpide 12: avattu."


@pytest.mark.parametrize("kind", [SinkType.TEAMS, SinkType.SLACK])
def test_a_chat_sink_url_from_the_environment_must_be_set(kind: SinkType) -> None:
    config = SinkConfig(type=kind, url_env="CXGOV_TEST_CHAT_URL")
    with pytest.raises(
        DeliveryError, match=f"^{kind}: the URL is missing; .* CXGOV_TEST_CHAT_URL$"
    ) as caught:
        SINKS[kind].deliver(config, _delivery())
    assert not caught.value.retryable
    assert SINKS[kind].target(config) == "$CXGOV_TEST_CHAT_URL"


def test_a_refused_slack_message_is_not_retried(http_server: StartHttp) -> None:
    # Slack answers a payload it cannot use with 400 invalid_payload: sending it again cannot help
    server = http_server(scripted(Reply(400, b"invalid_payload")))
    config = SinkConfig(type=SinkType.SLACK, url=f"{server.url}/services/T/B/x")
    with pytest.raises(DeliveryError, match="HTTP 400") as caught:
        SINKS["slack"].deliver(config, _delivery())
    assert not caught.value.retryable and len(server.requests) == 1
    assert "services/T" not in str(caught.value)


@pytest.mark.parametrize("kind", ["teams", "slack"])
def test_a_chat_sink_needs_exactly_one_of_url_and_url_env(kind: str) -> None:
    with pytest.raises(ValueError, match=f"a {kind} sink needs a `url`"):
        SinkConfig.model_validate({"type": kind})
    with pytest.raises(ValueError, match=f"a {kind} sink needs a `url`"):
        SinkConfig.model_validate({"type": kind, "url": "https://x/", "url_env": "X"})
