"""Transport for sinks: mirroring CX actions to where their owners work.

Six ways out, all with the standard library only: a signed JSON webhook (`webhook`), an
e-mail over SMTP (`mail`), GitHub issues over the REST API (`github`), Jira Cloud issues over
REST API v3 (`jira`), an Adaptive Card in Microsoft Teams (`teams`) and a Block Kit message in
Slack (`slack`), the two chats worded alike (`chat`); what they share, the payload, its
signature, the link to an objective's page (`page_url`) and the HTTP plumbing, is in `common`.
Each failure is a `DeliveryError`
that says whether trying again later can help (`retryable`), so the caller can keep the
delivery for a later run or give up and tell a person. Secrets are read from environment
variables named in the sink configuration and never appear in error messages.

Only the webhook retries by itself: a repeated POST is harmless there because receivers
de-duplicate on the `X-Cxgov-Delivery` id. Creating a GitHub issue or sending a mail twice is
visible to people, so those report the failure and leave retrying to the caller.

Each kind is a `Sink` (`kind`, `target`, `deliver`) in the `SINKS` registry (`registry`),
keyed by the sink types the program model accepts; the outbox looks a policy's sink up there.
"""

from __future__ import annotations

from cxgov.actions.sinks.common import (
    DEFAULT_SENDER,
    DELIVERED,
    DELIVERY_HEADER,
    EVENT_HEADER,
    GITHUB_API_VERSION,
    GITHUB_TOKEN_ENV,
    MAX_RETRY_AFTER,
    SIGNATURE_HEADER,
    USER_AGENT,
    Delivery,
    DeliveryError,
    Outcome,
    delivery_id_for,
    encode,
    page_url,
    payload,
    sign,
    verify_signature,
)
from cxgov.actions.sinks.github import (
    GITHUB_API_ENV,
    GitHubIssues,
    GitHubSink,
    github_token,
    issue_body,
    issue_marker,
    issue_title,
)
from cxgov.actions.sinks.jira import (
    JiraIssues,
    JiraSink,
    action_label,
    issue_document,
    issue_summary,
    jira_credentials,
)
from cxgov.actions.sinks.mail import (
    EMAIL_EVENTS,
    EmailSink,
    SmtpSettings,
    SmtpTls,
    action_email,
    action_email_html,
    build_email,
    send_email,
)
from cxgov.actions.sinks.registry import (
    SINKS,
    Sink,
    UnknownSinkKind,
    shown_sink,
    sink_for,
    sink_key,
)
from cxgov.actions.sinks.slack import SlackSink, slack_message
from cxgov.actions.sinks.teams import TeamsSink, adaptive_card, teams_message
from cxgov.actions.sinks.webhook import (
    EVENT_VERSION,
    WebhookSink,
    deliver_webhook,
    event_body,
    github_signer,
    signing_keys,
    standard_signer,
    webhook_secret,
    webhook_url,
)
from cxgov.model.policies import JIRA_EMAIL_ENV, JIRA_TOKEN_ENV

__all__ = [
    "DEFAULT_SENDER",
    "DELIVERED",
    "DELIVERY_HEADER",
    "EMAIL_EVENTS",
    "EVENT_HEADER",
    "EVENT_VERSION",
    "GITHUB_API_ENV",
    "GITHUB_API_VERSION",
    "GITHUB_TOKEN_ENV",
    "JIRA_EMAIL_ENV",
    "JIRA_TOKEN_ENV",
    "MAX_RETRY_AFTER",
    "SIGNATURE_HEADER",
    "SINKS",
    "USER_AGENT",
    "Delivery",
    "DeliveryError",
    "EmailSink",
    "GitHubIssues",
    "GitHubSink",
    "JiraIssues",
    "JiraSink",
    "Outcome",
    "Sink",
    "SlackSink",
    "SmtpSettings",
    "SmtpTls",
    "TeamsSink",
    "UnknownSinkKind",
    "WebhookSink",
    "action_email",
    "action_email_html",
    "action_label",
    "adaptive_card",
    "build_email",
    "deliver_webhook",
    "delivery_id_for",
    "encode",
    "event_body",
    "github_signer",
    "github_token",
    "issue_body",
    "issue_document",
    "issue_marker",
    "issue_summary",
    "issue_title",
    "jira_credentials",
    "page_url",
    "payload",
    "send_email",
    "shown_sink",
    "sign",
    "signing_keys",
    "sink_for",
    "sink_key",
    "slack_message",
    "standard_signer",
    "teams_message",
    "verify_signature",
    "webhook_secret",
    "webhook_url",
]
