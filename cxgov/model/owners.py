"""The `owners` section: people, teams and roles who answer for parts of the program."""

from __future__ import annotations

from enum import StrEnum

from cxgov.model.base import Id, Model


class OwnerKind(StrEnum):
    PERSON = "person"
    TEAM = "team"
    ROLE = "role"


class DigestSchedule(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    NONE = "none"


class Owner(Model):
    id: Id
    name: str
    kind: OwnerKind = OwnerKind.PERSON
    title: str | None = None
    email: str | None = None
    github: str | None = None
    """GitHub user or team handle (`@org/team`), used for CODEOWNERS and issue assignment."""
    escalates_to: Id | None = None
    """Owner id that overdue actions escalate to."""
    digest: DigestSchedule = DigestSchedule.WEEKLY
    """How often this owner receives a digest of their objectives and actions: by e-mail to
    `email`, and posted to the chats below."""
    teams_url_env: str | None = None
    """Environment variable holding a Microsoft Teams Workflows webhook URL ("Post to a chat or
    channel when a webhook request is received"): the digest is posted there as an Adaptive
    Card. The URL carries the flow's signature, so the program names the variable only."""
    slack_url_env: str | None = None
    """Environment variable holding a Slack incoming-webhook URL: the digest is posted to its
    channel as Block Kit blocks."""

    def chat_environment(self) -> dict[str, str]:
        """The environment variables this owner's digest chats read, each with its field."""
        return {
            name: field
            for field, name in (
                ("teams_url_env", self.teams_url_env),
                ("slack_url_env", self.slack_url_env),
            )
            if name
        }
