"""Transport for sinks: mirroring CX actions to where their owners work.

Three ways out, all with the standard library only: a signed JSON webhook (`webhook`), an
e-mail over SMTP (`mail`) and GitHub issues over the REST API (`github`); what they share, the
payload, its signature and the HTTP plumbing, is in `common`. Each failure is a `DeliveryError`
that says whether trying again later can help (`retryable`), so the caller can keep the
delivery for a later run or give up and tell a person. Secrets are read from environment
variables named in the sink configuration and never appear in error messages.

Only the webhook retries by itself: a repeated POST is harmless there because receivers
de-duplicate on the `X-Cxgov-Delivery` id. Creating a GitHub issue or sending a mail twice is
visible to people, so those report the failure and leave retrying to the caller.
"""

from __future__ import annotations

from cxgov.actions.sinks.common import (
    DEFAULT_SENDER,
    DELIVERY_HEADER,
    EVENT_HEADER,
    GITHUB_API_VERSION,
    GITHUB_TOKEN_ENV,
    MAX_RETRY_AFTER,
    SIGNATURE_HEADER,
    USER_AGENT,
    DeliveryError,
    delivery_id_for,
    encode,
    payload,
    sign,
    verify_signature,
)
from cxgov.actions.sinks.github import GitHubIssues, github_token, issue_body, issue_title
from cxgov.actions.sinks.mail import (
    SmtpSettings,
    SmtpTls,
    action_email,
    build_email,
    send_email,
)
from cxgov.actions.sinks.webhook import deliver_webhook, webhook_secret

__all__ = [
    "DEFAULT_SENDER",
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "GITHUB_API_VERSION",
    "GITHUB_TOKEN_ENV",
    "MAX_RETRY_AFTER",
    "SIGNATURE_HEADER",
    "USER_AGENT",
    "DeliveryError",
    "GitHubIssues",
    "SmtpSettings",
    "SmtpTls",
    "action_email",
    "build_email",
    "deliver_webhook",
    "delivery_id_for",
    "encode",
    "github_token",
    "issue_body",
    "issue_title",
    "payload",
    "send_email",
    "sign",
    "verify_signature",
    "webhook_secret",
]
