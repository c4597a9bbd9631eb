"""The e-mail sink: mail about an action over SMTP, in English or Finnish, as plain text and
HTML alternatives of one message.

The texts here (event phrases, labels, the facts of an action) also word the GitHub and Jira
issues and the owners' digests.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import os
import re
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from email.header import Header
from email.message import EmailMessage
from enum import StrEnum
from html import escape
from typing import Any

from cxgov.actions.sinks.common import (
    DEFAULT_SENDER,
    DELIVERED,
    USER_AGENT,
    Delivery,
    DeliveryError,
    Outcome,
    _connection_reason,
    remaining,
)
from cxgov.judgement.actions import Action, ActionEvent
from cxgov.judgement.lifecycle import ACTION_WORDS, action_words
from cxgov.judgement.verdicts import verdict_words
from cxgov.model.policies import SMTP_HOST_ENV, SinkType
from cxgov.model.policies import Sink as SinkConfig

EMAIL_EVENTS = frozenset(
    {
        "opened",
        "severity_raised",
        "escalated",
        "assigned",
        "reopen_ineffective",
        "reopened",
        "verify_effective",
        "close_recovered",
    }
)
"""A mail for what an owner must know, not for every comment."""


class SmtpTls(StrEnum):
    STARTTLS = "starttls"
    """Plain connection upgraded with STARTTLS (submission, port 587)."""
    SSL = "ssl"
    """TLS from the first byte (port 465)."""
    NONE = "none"
    """No encryption: only for a relay on the same host or network."""


_DEFAULT_PORTS = {SmtpTls.STARTTLS: 587, SmtpTls.SSL: 465, SmtpTls.NONE: 25}


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """How to reach the mail server; read from `CXGOV_SMTP_*` so no secret sits in YAML."""

    host: str
    port: int = 587
    tls: SmtpTls = SmtpTls.STARTTLS
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = DEFAULT_SENDER

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> SmtpSettings:
        """CXGOV_SMTP_HOST (required), CXGOV_SMTP_TLS (starttls | ssl | none, default
        starttls), CXGOV_SMTP_PORT (default 587, 465 with ssl, 25 with none),
        CXGOV_SMTP_USER, CXGOV_SMTP_PASSWORD, CXGOV_SMTP_FROM (default cxgov@localhost)."""

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        host = get(SMTP_HOST_ENV)
        if host is None:
            raise _config_error(f"set the environment variable {SMTP_HOST_ENV} to the mail server")
        raw_tls = (get("CXGOV_SMTP_TLS") or SmtpTls.STARTTLS.value).lower()
        try:
            tls = SmtpTls(raw_tls)
        except ValueError:
            raise _config_error(
                f"CXGOV_SMTP_TLS is {raw_tls!r}; use starttls, ssl or none"
            ) from None
        raw_port = get("CXGOV_SMTP_PORT")
        port = _DEFAULT_PORTS[tls]
        if raw_port is not None:
            if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
                raise _config_error(f"CXGOV_SMTP_PORT is {raw_port!r}; use a port number")
            port = int(raw_port)
        user = get("CXGOV_SMTP_USER")
        # the password is taken as is: spaces may belong to it
        password = env.get("CXGOV_SMTP_PASSWORD") or None
        if user is not None and password is None:
            raise _config_error("CXGOV_SMTP_USER is set but CXGOV_SMTP_PASSWORD is not")
        if password is not None and user is None:
            raise _config_error("CXGOV_SMTP_PASSWORD is set but CXGOV_SMTP_USER is not")
        if user is not None and tls is SmtpTls.NONE:
            raise _config_error(
                "CXGOV_SMTP_TLS=none with CXGOV_SMTP_USER would send the password "
                "unencrypted; use starttls or ssl"
            )
        return cls(
            host=host,
            port=port,
            tls=tls,
            user=user,
            password=password,
            sender=get("CXGOV_SMTP_FROM") or DEFAULT_SENDER,
        )


def _config_error(message: str) -> DeliveryError:
    return DeliveryError(f"e-mail settings: {message}", retryable=False)


def build_email(
    sender: str, to: Sequence[str], subject: str, text: str, html: str | None = None
) -> EmailMessage:
    """A UTF-8 multipart/alternative message: the plain text, then the HTML (the text itself,
    preformatted, when no HTML is given), both quoted-printable so they pass servers without
    8BITMIME. The SMTP policy folds long headers at 78 columns with CRLF line ends and encodes
    non-ASCII words (RFC 2047), so a long Finnish subject arrives whole (see `_subject`)."""
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
    message["To"] = ", ".join(to)
    # a header cannot hold a line break; action data should not be able to add headers
    message.set_raw("Subject", _subject(" ".join(subject.split())))
    message["Date"] = email.utils.formatdate(usegmt=True)
    domain = sender.rpartition("@")[2].strip("> ") or "localhost"
    # explicit domain: make_msgid would otherwise look up the host name, slow without DNS
    message["Message-ID"] = email.utils.make_msgid(domain=domain)
    # RFC 3834: keeps out-of-office replies and auto-responders from answering. No
    # List-Unsubscribe: these go to the people who answer for an action, not to a list.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, charset="utf-8", cte="quoted-printable")
    if html is None:
        html = f"<!DOCTYPE html>\n<html><body><pre>{escape(text)}</pre></body></html>\n"
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def _subject(subject: str) -> str:
    """The Subject header's value, encoded and folded. The policy's own folding of a long
    subject that mixes ASCII and non-ASCII words drops the spaces next to encoded words
    ("Asiakastyytyväisyys Hämeenlinnan" arrives as one word); `Header` encodes the text whole,
    spaces inside the encoded words, in lines short enough that the policy keeps them."""
    if subject.isascii():
        # plain words: the policy folds them at spaces without harm
        return subject
    return Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")


def send_email(
    settings: SmtpSettings,
    to: Sequence[str],
    subject: str,
    text: str,
    *,
    html: str | None = None,
    timeout: float = 10,
) -> None:
    """Send one mail, its `text` and `html` as alternatives (see `build_email`). Temporary
    failures (connection, timeout, 4xx replies) raise a retryable `DeliveryError`; permanent
    ones (5xx, TLS or login refused) a non-retryable one."""
    where = f"SMTP {settings.host}:{settings.port}"
    recipients = list(dict.fromkeys(a.strip() for a in to if a.strip()))
    if not recipients:
        raise DeliveryError(f"e-mail via {where}: no recipients", retryable=False)
    try:
        message = build_email(settings.sender, recipients, subject, text, html)
    except (ValueError, TypeError) as error:
        raise DeliveryError(
            f"e-mail via {where}: cannot build the message: {error}", retryable=False
        ) from error
    try:
        refused = _smtp_send(settings, message, recipients, timeout)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        raise DeliveryError(
            f"e-mail via {where}: every recipient refused: {_refusals(error.recipients)}",
            retryable=all(400 <= code < 500 for code in codes),
            status=codes[0] if codes else None,
        ) from error
    except smtplib.SMTPResponseException as error:
        reply = error.smtp_error
        detail = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        raise DeliveryError(
            f"e-mail via {where} failed: SMTP {error.smtp_code} {' '.join(detail.split())}",
            # 5xx is permanent by the protocol's own definition; 4xx asks to try again
            retryable=not 500 <= error.smtp_code < 600,
            status=error.smtp_code,
        ) from error
    except smtplib.SMTPServerDisconnected as error:
        raise DeliveryError(
            f"e-mail via {where} failed: the server closed the connection ({error})",
            retryable=True,
        ) from error
    except smtplib.SMTPException as error:
        # STARTTLS or AUTH not offered and the like: the server will not change by itself
        raise DeliveryError(f"e-mail via {where} failed: {error}", retryable=False) from error
    except ssl.SSLCertVerificationError as error:
        raise DeliveryError(
            f"e-mail via {where} failed: certificate not trusted: {error.verify_message}",
            retryable=False,
        ) from error
    except OSError as error:
        raise DeliveryError(
            f"e-mail via {where} failed: {_connection_reason(error)}", retryable=True
        ) from error
    if refused:
        # the others already have the mail; a retry would send it to them twice
        raise DeliveryError(
            f"e-mail via {where}: sent, but refused for {_refusals(refused)}", retryable=False
        )


def _smtp_send(
    settings: SmtpSettings, message: EmailMessage, recipients: list[str], timeout: float
) -> dict[str, tuple[int, bytes]]:
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.tls is SmtpTls.SSL:
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    with smtp:
        if settings.tls is SmtpTls.STARTTLS:
            smtp.starttls(context=context)
        if settings.user is not None and settings.password is not None:
            smtp.login(settings.user, settings.password)
        return smtp.send_message(message, to_addrs=recipients)


def _refusals(refused: Mapping[str, tuple[int, bytes | str]]) -> str:
    parts = []
    for address, (code, reply) in refused.items():
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
        parts.append(f"{address} ({code} {' '.join(text.split())})")
    return ", ".join(parts)


# --- texts ---------------------------------------------------------------------------------

_EVENTS = {
    "en": {
        "opened": "opened",
        "repeated": "missed again",
        "severity_raised": "severity raised",
        "escalated": "escalated",
        "close_recovered": "closed, the KPI recovered",
        "verify_effective": "verified effective",
        "reopen_ineffective": "reopened, the work did not help",
        "acknowledged": "acknowledged",
        "in_progress": "in progress",
        "resolved": "resolved",
        "reopened": "reopened",
        "cancelled": "cancelled",
        "comment": "commented",
        "assigned": "reassigned",
    },
    "fi": {
        "opened": "avattu",
        "repeated": "toistui",
        "severity_raised": "vakavuus nousi",
        "escalated": "eskaloitu",
        "close_recovered": "suljettu, mittari palautui",
        "verify_effective": "todettu vaikuttavaksi",
        "reopen_ineffective": "avattu uudelleen, työ ei auttanut",
        "acknowledged": "kuitattu",
        "in_progress": "työn alla",
        "resolved": "ratkaistu",
        "reopened": "avattu uudelleen",
        "cancelled": "peruttu",
        "comment": "kommentoitu",
        "assigned": "siirretty toiselle",
    },
}

_LABELS = {
    "en": {
        "headline": "Action {id}: {what}.",
        "by": "By {actor}.",
        "program": "Program",
        "objective": "Objective",
        "segment": "Segment",
        "status": "Status",
        "value": "Value",
        "n": "n",
        "interval": "Interval",
        "target": "Target",
        "period": "Period",
        "due": "Due",
        "assignee": "Assignee",
        "escalated_to": "Escalated to",
        "level": "level",
        "consequence": "Consequence",
        "page": "Page",
        "note": "Note",
        "footer": "Sent by cxgov. Change the action with the cxgov actions command, "
        "not by replying.",
    },
    "fi": {
        "headline": "Toimenpide {id}: {what}.",
        "by": "Tekijä: {actor}.",
        "program": "Ohjelma",
        "objective": "Tavoite",
        "segment": "Segmentti",
        "status": "Tila",
        "value": "Arvo",
        "n": "n",
        "interval": "Luottamusväli",
        "target": "Tavoitetaso",
        "period": "Jakso",
        "due": "Eräpäivä",
        "assignee": "Vastuuhenkilö",
        "escalated_to": "Eskaloitu",
        "level": "taso",
        "consequence": "Seuraus",
        "page": "Sivu",
        "note": "Huomautus",
        "footer": "Lähettäjä: cxgov. Muuta toimenpidettä komennolla cxgov actions, "
        "älä vastaa tähän viestiin.",
    },
}


def _event_phrase(kind: str, language: str) -> str:
    return _EVENTS[language].get(kind, kind.replace("_", " "))


def _language(language: str) -> str:
    return "fi" if language.lower().startswith("fi") else "en"


def _number(value: Any, language: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return text.replace(".", ",") if language == "fi" else text


def _date(value: Any, language: str) -> str:
    if value is None:
        return "–"
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if day is None:
        return str(value)
    return f"{day.day}.{day.month}.{day.year}" if language == "fi" else day.isoformat()


def _segment(action: Action) -> str:
    return ", ".join(f"{k}={v}" for k, v in action.segment_key)


def _status(action: Action, language: str = "en") -> str | None:
    """The verdict behind a miss (fail, warn, below target) in words, else what triggered the
    action (a decline's period may well be on target: its title must not say so)."""
    found = action.evidence.get("status") if action.trigger == "miss" else action.trigger
    found = str(found or action.trigger or "")
    if not found:
        return None
    # a trigger (decline) is an action's word, a status a verdict's
    return (
        action_words(found, language) if found in ACTION_WORDS else verdict_words(found, language)
    )


def _facts(action: Action, language: str, page: str | None = None) -> list[tuple[str, str]]:
    """Label and value of what an owner needs to judge the action, in reading order; `page`
    is the objective page's absolute URL (`page_url`), shown when there is one."""
    labels = _LABELS[language]
    evidence = action.evidence
    facts: list[tuple[str, str]] = []

    def add(key: str, value: Any) -> None:
        if value not in (None, ""):
            facts.append((labels[key], str(value)))

    add("program", action.program or evidence.get("program"))
    add("objective", action.objective or evidence.get("objective"))
    add("segment", _segment(action))
    add("status", _status(action, language))
    if "value" in evidence:
        add("value", _number(evidence.get("value"), language))
    if "n" in evidence:
        add("n", _number(evidence.get("n"), language))
    if evidence.get("ci_low") is not None or evidence.get("ci_high") is not None:
        low = _number(evidence.get("ci_low"), language)
        high = _number(evidence.get("ci_high"), language)
        add("interval", f"{low} – {high}")
    if evidence.get("target") is not None:
        add("target", _number(evidence.get("target"), language))
    period = evidence.get("period")
    if isinstance(period, Mapping) and (period.get("start") or period.get("end")):
        start, end = _date(period.get("start"), language), _date(period.get("end"), language)
        add("period", f"{start} – {end}")
    add("due", _date(action.due, language))
    add("assignee", action.assignee)
    if action.escalated_to:
        level = action.escalation_level
        suffix = f" ({labels['level']} {level})" if level else ""
        add("escalated_to", f"{action.escalated_to}{suffix}")
    add("consequence", evidence.get("consequence"))
    add("page", page)
    return facts


def action_email(
    action: Action, event: ActionEvent, language: str, page: str | None = None
) -> tuple[str, str]:
    """Subject and plain-text body of the mail about one event of an action, in English or
    Finnish (`fi`), with a link to `page` (the objective's page) when given."""
    language = _language(language)
    labels = _LABELS[language]
    objective = action.objective or action.evidence.get("objective") or "?"
    what = _event_phrase(event.kind, language)
    if language == "fi":
        subject = f"[cxgov] toimenpide {action.id} {what}: {objective}"
    else:
        status = _status(action)
        lead = f"{status}: " if status else ""
        subject = f"[cxgov] {lead}{objective} — action {action.id} {what}"
    lines = [labels["headline"].format(id=action.id, what=what)]
    if event.actor and event.actor != USER_AGENT:
        lines.append(labels["by"].format(actor=event.actor))
    lines.append("")
    facts = _facts(action, language, page)
    width = max((len(label) for label, _ in facts), default=0) + 2
    for label, value in facts:
        lines.append(f"{label + ':':<{width}}{value}")
    if event.note:
        lines += ["", f"{labels['note']}:", event.note]
    lines += ["", "-- ", labels["footer"], ""]
    return subject, "\n".join(lines)


def action_email_html(
    action: Action, event: ActionEvent, language: str, page: str | None = None
) -> str:
    """The HTML part of the mail about one event of an action: the same words as the plain
    text, the facts as a table with `page` (`page_url`); every text escaped, and only an
    absolute http(s) page a link."""
    language = _language(language)
    labels = _LABELS[language]
    what = _event_phrase(event.kind, language)
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{language}"><head><meta charset="utf-8"></head>',
        '<body style="font-family: sans-serif">',
        f"<p><strong>{escape(labels['headline'].format(id=action.id, what=what))}</strong>",
    ]
    if event.actor and event.actor != USER_AGENT:
        out[-1] += f" {escape(labels['by'].format(actor=event.actor))}"
    out[-1] += "</p>"
    out.append('<table style="border-collapse: collapse" cellpadding="4">')
    for label, value in _facts(action, language, page):
        shown = escape(value)
        if re.fullmatch(r"https?://\S+", value):
            shown = f'<a href="{escape(value, quote=True)}">{shown}</a>'
        out.append(f'<tr><th style="text-align: left">{escape(label)}</th><td>{shown}</td></tr>')
    out.append("</table>")
    if event.note:
        out.append(f"<p><strong>{escape(labels['note'])}:</strong></p>")
        out.append(f'<p style="white-space: pre-wrap">{escape(event.note)}</p>')
    out.append(f"<hr><p><small>{escape(labels['footer'])}</small></p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


class EmailSink:
    """A mail to the assignee (and, when escalated, to whom it went), plus the sink's `to`,
    for the events in `EMAIL_EVENTS`; SMTP settings come from `CXGOV_SMTP_*`."""

    kind = SinkType.EMAIL

    def target(self, config: SinkConfig) -> str:
        return ",".join(config.to) or "owners"

    def deliver(self, config: SinkConfig, delivery: Delivery) -> Outcome:
        action, event, owners = delivery.action, delivery.event, delivery.owners
        if event.kind not in EMAIL_EVENTS:
            return Outcome("skipped", f"no mail for {event.kind} events")
        people = [action.assignee]
        if event.kind == "escalated" and action.escalated_to:
            people.append(action.escalated_to)
        addresses = (owners[p].email if p in owners else None for p in people)
        to = [address for address in addresses if address]
        to += [address for address in config.to if address not in to]
        if not to:
            return Outcome("skipped", "no recipient has an e-mail address")
        subject, text = action_email(action, event, delivery.language, delivery.page)
        try:
            timeout = remaining(delivery.deadline, 10)
        except TimeoutError as exc:
            raise DeliveryError(f"e-mail: {exc}", retryable=True) from None
        html = action_email_html(action, event, delivery.language, delivery.page)
        send_email(
            SmtpSettings.from_env(delivery.env), to, subject, text, html=html, timeout=timeout
        )
        return DELIVERED
