"""The `action_policies` section: when a miss opens an action, for whom, and how it is chased."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from cxgov.model.base import Id, Model, Status

DEFAULT_DUE_DAYS = 14
"""Days to resolve an action opened by a status its policy's `due_days` does not list."""


class AssigneeRule(StrEnum):
    MEASUREMENT_POINT_OWNER = "measurement_point_owner"
    JOURNEY_OWNER = "journey_owner"
    CX_OWNER = "cx_owner"


class SinkType(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"
    GITHUB = "github"
    JIRA = "jira"
    TEAMS = "teams"
    SLACK = "slack"


_POSTED_TO_A_URL = (SinkType.WEBHOOK, SinkType.TEAMS, SinkType.SLACK)
GITHUB_TOKEN_ENV = "CXGOV_GITHUB_TOKEN"
JIRA_EMAIL_ENV = "CXGOV_JIRA_EMAIL"
JIRA_TOKEN_ENV = "CXGOV_JIRA_TOKEN"
SMTP_HOST_ENV = "CXGOV_SMTP_HOST"
"""The variables a sink reads when its entry names none: the defaults of `Sink.environment`."""


class WebhookSignature(StrEnum):
    STANDARD = "standard"
    """Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature` headers and a
    versioned JSON event (`type`, `timestamp`, `data`)."""
    GITHUB = "github"
    """The earlier format, for receivers written for it: `X-Cxgov-Signature: sha256=<hex>` over
    a `{action, event}` body, with no timestamp."""


class Sink(Model):
    """Where actions are mirrored. Secrets are named by environment variable, never written here."""

    type: SinkType
    url: str | None = None
    """webhook, teams, slack: the URL to POST to (for teams, a Workflows webhook URL; for
    slack, an incoming-webhook URL)."""
    url_env: str | None = None
    """webhook, teams, slack: environment variable holding the URL instead of `url`, for URLs
    that carry their token (Slack, Teams)."""
    secret_env: str | None = None
    """webhook: environment variable holding the signing secret (`whsec_<base64>`); during a
    key rotation it holds the new and the old secret separated by a space, and each signs."""
    signature: WebhookSignature = WebhookSignature.STANDARD
    """webhook: `standard` (Standard Webhooks) or `github` (the earlier `X-Cxgov-Signature`
    header over a `{action, event}` body, for receivers written for it)."""
    to: tuple[str, ...] = ()
    """email: extra recipients besides the assignee."""
    repo: str | None = None
    """github: `owner/name` of the repository for issues."""
    token_env: str | None = None
    """github: environment variable holding the API token (default CXGOV_GITHUB_TOKEN);
    jira: the Atlassian API token (default CXGOV_JIRA_TOKEN)."""
    labels: tuple[str, ...] = ()
    """github, jira: labels every issue gets (Jira labels cannot hold spaces)."""
    site: str | None = None
    """jira: the Jira Cloud site's base URL, such as `https://example.atlassian.net`."""
    project: str | None = None
    """jira: the key of the project issues are created in, such as `CX`."""
    issue_type: str | None = None
    """jira: the issue type by name (default Task)."""
    email_env: str | None = None
    """jira: environment variable holding the e-mail address of the account the API token
    belongs to (default CXGOV_JIRA_EMAIL)."""

    def environment(self) -> dict[str, str]:
        """The environment variables this sink reads, each with the field that names it
        (`secret_env`) or, for a default, what it holds (`CXGOV_SMTP_HOST`: the mail server)."""
        found: dict[str, str] = {}
        if self.type in _POSTED_TO_A_URL:
            if self.url_env:
                found[self.url_env] = "url_env"
            if self.type is SinkType.WEBHOOK and self.secret_env:
                found[self.secret_env] = "secret_env"
        elif self.type is SinkType.EMAIL:
            found[SMTP_HOST_ENV] = "the mail server"
        elif self.type is SinkType.GITHUB:
            found[self.token_env or GITHUB_TOKEN_ENV] = "token_env"
        elif self.type is SinkType.JIRA:
            found[self.email_env or JIRA_EMAIL_ENV] = "email_env"
            found[self.token_env or JIRA_TOKEN_ENV] = "token_env"
        return found

    def missing_environment(self, env: dict[str, str]) -> dict[str, str]:
        """Of `environment()`, the variables unset or blank in `env` (a dict: the model
        imports no more than its types need)."""
        return {
            name: field
            for name, field in self.environment().items()
            if not env.get(name, "").strip()
        }

    @model_validator(mode="after")
    def _complete(self) -> Sink:
        if self.type in _POSTED_TO_A_URL and bool(self.url) == bool(self.url_env):
            raise ValueError(
                f"a {self.type.value} sink needs a `url`, or a `url_env` naming the environment "
                "variable that holds it (one of the two)"
            )
        if self.type is SinkType.GITHUB and not self.repo:
            raise ValueError("a github sink needs a `repo` (owner/name)")
        if self.type is SinkType.JIRA and not (self.site and self.project):
            raise ValueError(
                "a jira sink needs a `site` (https://<name>.atlassian.net) and a `project` key"
            )
        return self


MAX_POLICY_DAYS = 3660
"""Ten years: no action is given longer, and a date that far on is a date every store keeps."""
PolicyDays = Annotated[int, Field(ge=0, le=MAX_POLICY_DAYS)]


class ActionPolicy(Model):
    id: Id
    open_on: tuple[Status, ...] = Field(min_length=1)
    """Statuses that open an action: fail, warn, no_data, insufficient_sample, decline."""
    due_days: dict[Status, PolicyDays] = Field(
        default_factory=dict,
        description=f"Days to resolve an action, by the status that opened it "
        f"({DEFAULT_DUE_DAYS} for a status not listed).",
    )
    assignee: str = AssigneeRule.MEASUREMENT_POINT_OWNER.value
    """measurement_point_owner, journey_owner, cx_owner, or an owner id."""
    escalate_after_days: PolicyDays | None = None
    """Days past due before an action escalates to the assignee's `escalates_to`."""
    close_after_passing_periods: int = Field(default=2, ge=1)
    verify_within_periods: int = Field(default=2, ge=1)
    include_partial: bool = False
    """Also open actions from the current, unfinished period."""
    sinks: tuple[Sink, ...] = ()
