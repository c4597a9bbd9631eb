"""The e-mail sink against a real SMTP server on 127.0.0.1, its settings from the
environment, and the mail texts in English and Finnish."""

from __future__ import annotations

import email
import email.message
import email.policy
from dataclasses import replace

import pytest

from cxgov.actions.sinks import (
    Delivery,
    DeliveryError,
    EmailSink,
    SmtpSettings,
    SmtpTls,
    action_email,
    send_email,
)
from cxgov.model import Owner
from cxgov.model.policies import Sink as SinkConfig
from tests.actions.test_webhook import ACTION, EVENT
from tests.local_servers import StartSmtp, closed_port


@pytest.fixture(autouse=True)
def _no_proxy(no_proxy: None) -> None:
    """The local servers are reached directly, whatever proxy the machine sets."""


def _part(message: email.message.EmailMessage, subtype: str) -> str:
    part = message.get_body((subtype,))
    assert part is not None, f"no text/{subtype} part"
    return str(part.get_content())


def _settings(port: int, **extra: str) -> SmtpSettings:
    env = {"CXGOV_SMTP_HOST": "127.0.0.1", "CXGOV_SMTP_PORT": str(port), "CXGOV_SMTP_TLS": "none"}
    return SmtpSettings.from_env({**env, **extra})


def test_email_reaches_every_recipient_with_finnish_text_intact(smtp_server: StartSmtp) -> None:
    server = smtp_server()
    settings = _settings(server.port, CXGOV_SMTP_FROM="cx@kahvipalvelu.fi")
    subject, text = action_email(ACTION, EVENT, "fi")
    send_email(settings, ["myynti@kahvipalvelu.fi", "cx@kahvipalvelu.fi"], subject, text)
    assert server.recipients == ["myynti@kahvipalvelu.fi", "cx@kahvipalvelu.fi"]
    assert "cx@kahvipalvelu.fi" in server.senders[0]
    [raw] = server.messages
    raw.decode("ascii")  # 7-bit on the wire: quoted-printable body, encoded subject
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == "[cxgov] toimenpide 12 avattu: o-nps"
    assert message["From"] == "cx@kahvipalvelu.fi"
    assert message["Auto-Submitted"] == "auto-generated"
    body = _part(message, "plain")
    assert "Eräpäivä:" in body and "9.7.2026" in body
    assert "Asiakkaat siirtyvät kilpailijalle; käynnistä yhteydenotot." in body
    assert "Hämeenlinna" in body and "12,5" in body


def test_email_subject_with_non_ascii_survives(smtp_server: StartSmtp) -> None:
    server = smtp_server()
    send_email(_settings(server.port), ["a@example.com"], "Tyytyväisyys — äö ÅÖ", "Hei!\n")
    message = email.message_from_bytes(server.messages[0], policy=email.policy.default)
    assert message["Subject"] == "Tyytyväisyys — äö ÅÖ"
    assert _part(message, "plain").splitlines() == ["Hei!"]


def test_email_temporary_rejection_is_retryable(smtp_server: StartSmtp) -> None:
    server = smtp_server(mail_reply="451 4.3.0 try again later")
    with pytest.raises(DeliveryError) as caught:
        send_email(_settings(server.port), ["a@example.com"], "s", "t")
    assert caught.value.retryable and caught.value.status == 451
    assert "451" in str(caught.value) and f"127.0.0.1:{server.port}" in str(caught.value)
    assert server.messages == []


def test_email_permanent_rejection_is_not_retryable(smtp_server: StartSmtp) -> None:
    server = smtp_server(mail_reply="550 5.7.1 relaying denied")
    with pytest.raises(DeliveryError) as caught:
        send_email(_settings(server.port), ["a@example.com"], "s", "t")
    assert not caught.value.retryable and caught.value.status == 550
    assert "relaying denied" in str(caught.value)


def test_email_to_a_closed_port_is_retryable() -> None:
    with pytest.raises(DeliveryError) as caught:
        send_email(_settings(closed_port()), ["a@example.com"], "s", "t", timeout=2)
    assert caught.value.retryable


def test_email_without_recipients_is_not_sent() -> None:
    with pytest.raises(DeliveryError, match="no recipients") as caught:
        send_email(_settings(closed_port()), ["", " "], "s", "t")
    assert not caught.value.retryable


def test_email_settings_need_a_host_and_name_the_variable() -> None:
    with pytest.raises(DeliveryError, match="CXGOV_SMTP_HOST") as caught:
        SmtpSettings.from_env({})
    assert not caught.value.retryable


def test_email_settings_defaults_follow_the_tls_mode() -> None:
    plain = SmtpSettings.from_env({"CXGOV_SMTP_HOST": "mail.example.com"})
    assert (plain.port, plain.tls, plain.sender) == (587, SmtpTls.STARTTLS, "cxgov@localhost")
    implicit = SmtpSettings.from_env({"CXGOV_SMTP_HOST": "m", "CXGOV_SMTP_TLS": "ssl"})
    assert (implicit.port, implicit.tls) == (465, SmtpTls.SSL)
    login = SmtpSettings.from_env(
        {"CXGOV_SMTP_HOST": "m", "CXGOV_SMTP_USER": "u", "CXGOV_SMTP_PASSWORD": "pw"}
    )
    assert (login.user, login.password) == ("u", "pw") and "pw" not in repr(login)


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"CXGOV_SMTP_TLS": "maybe"}, "CXGOV_SMTP_TLS"),
        ({"CXGOV_SMTP_PORT": "smtp"}, "CXGOV_SMTP_PORT"),
        ({"CXGOV_SMTP_USER": "u"}, "CXGOV_SMTP_PASSWORD"),
        ({"CXGOV_SMTP_TLS": "none", "CXGOV_SMTP_USER": "u", "CXGOV_SMTP_PASSWORD": "p"}, "none"),
    ],
)
def test_email_settings_reject_bad_values_by_name(extra: dict[str, str], named: str) -> None:
    with pytest.raises(DeliveryError, match=named) as caught:
        SmtpSettings.from_env({"CXGOV_SMTP_HOST": "m", **extra})
    assert not caught.value.retryable


def test_action_email_in_english_lists_the_evidence() -> None:
    subject, text = action_email(ACTION, EVENT, "en", "https://cx.example.fi/objectives/o-nps.html")
    assert subject == "[cxgov] fail: o-nps — action 12 opened"
    for expected in (
        "Action 12: opened.",
        "Objective:",
        "o-nps",
        "Status:",
        "fail",
        "12.5",
        "140",
        "4.25 – 20.75",
        "Target:",
        "30",
        "2026-06-01 – 2026-06-30",
        "Due:",
        "2026-07-09",
        "Consequence:",
        "Page:",
        "https://cx.example.fi/objectives/o-nps.html",
    ):
        assert expected in text, expected
    # the relative link actions opened by earlier versions kept opens nothing in a mail
    assert "objectives/o-nps/" not in text
    assert "Page:" not in action_email(ACTION, EVENT, "en")[1]


def test_action_email_names_a_person_and_their_note() -> None:
    event = replace(EVENT, kind="resolved", actor="liisa", note="Soitettu kaikille.")
    subject, text = action_email(ACTION, event, "fi")
    assert subject == "[cxgov] toimenpide 12 ratkaistu: o-nps"
    assert "Tekijä: liisa." in text and "Soitettu kaikille." in text


def _received(server_messages: list[bytes]) -> email.message.EmailMessage:
    [raw] = server_messages
    raw.decode("ascii")  # 7-bit on the wire
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def test_an_action_mail_is_text_and_html_alternatives_in_the_programs_language(
    smtp_server: StartSmtp,
) -> None:
    server = smtp_server()
    event = replace(EVENT, kind="escalated", actor="liisa", note="<script>alert(1)</script> & ok")
    action = replace(ACTION, events=(event,))
    env = {"CXGOV_SMTP_HOST": "127.0.0.1", "CXGOV_SMTP_PORT": str(server.port)}
    delivery = Delivery(
        action=action,
        event=event,
        owners={"myyntijohtaja": Owner(id="myyntijohtaja", name="M", email="m@example.fi")},
        language="fi",
        env={**env, "CXGOV_SMTP_TLS": "none"},
        earlier_ref=lambda: None,
        site_url="https://cx.example.fi/",
    )
    assert EmailSink().deliver(SinkConfig(type="email"), delivery).status == "delivered"

    message = _received(server.messages)
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Auto-Submitted"] == "auto-generated"
    assert "List-Unsubscribe" not in message
    assert message["Subject"] == "[cxgov] toimenpide 12 eskaloitu: o-nps"
    text, html = _part(message, "plain"), _part(message, "html")
    assert "Toimenpide 12: eskaloitu." in text and "Eräpäivä:" in text
    assert '<html lang="fi">' in html
    assert '<th style="text-align: left">Eräpäivä</th><td>9.7.2026</td>' in html
    assert "<td>12,5</td>" in html and "Hämeenlinna" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; ok" in html and "<script>" not in html
    assert (
        '<a href="https://cx.example.fi/objectives/o-nps.html">'
        "https://cx.example.fi/objectives/o-nps.html</a>" in html
    )
    for english in ("Action", "Due", "Assignee", "escalated", "Sent by"):
        assert english not in text and english not in html, english


def test_a_long_finnish_subject_is_folded_and_encoded_and_arrives_whole(
    smtp_server: StartSmtp,
) -> None:
    server = smtp_server()
    subject = "[cxgov] toimenpide 12 eskaloitu: " + " ".join(
        ["Asiakastyytyväisyys Hämeenlinnan myymälöissä äöå ÄÖÅ"] * 5
    )
    send_email(_settings(server.port), ["a@example.com"], subject, "Hei!\n")
    raw = server.messages[0]
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert all(len(line) <= 78 for line in head.split("\r\n")), head
    subject_lines = head.split("Subject:", 1)[1].split("\r\n")
    assert len([line for line in subject_lines if line.startswith(" ")]) >= 2, "folded"
    assert "=?utf-8?" in head.lower()
    assert _received(server.messages)["Subject"] == subject


def test_a_long_ascii_subject_is_folded_at_spaces(smtp_server: StartSmtp) -> None:
    server = smtp_server()
    subject = " ".join(["customer satisfaction in the shops of the south"] * 4)
    send_email(_settings(server.port), ["a@example.com"], subject, "Hi\n")
    head = server.messages[0].split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert all(len(line) <= 78 for line in head.split("\r\n")), head
    assert _received(server.messages)["Subject"] == subject
