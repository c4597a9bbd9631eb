"""Sinks: what an action policy's sinks need from the environment the nightly run has."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

from cxgov.diagnostics import Severity
from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import rule

_HINT = (
    "set it where the nightly run runs (a secret of its workflow, passed as an environment "
    "variable), or correct the name in the sink"
)
_OWNER_HINT = (
    "set it where the nightly run runs (a secret of its workflow, passed as an environment "
    "variable), or correct the name in the owner"
)
_URL_HINT = "set it to the receiver's full URL, starting https://"


@rule("CXG221", "sink-environment", Severity.ERROR)
def sink_environment(ctx: RuleContext) -> Iterator[Finding]:
    """A sink or an owner's digest chat names an environment variable that is not set, or a URL
    variable that holds no http(s) URL.

    Checked only when asked, with `cxgov validate --environment` in the environment the nightly
    run has (its secrets set): a pull-request check runs without them. Every variable a sink
    reads counts: a webhook's `url_env` and `secret_env`, a GitHub sink's `token_env` (default
    CXGOV_GITHUB_TOKEN), a Jira sink's `email_env` and `token_env` (default CXGOV_JIRA_EMAIL
    and CXGOV_JIRA_TOKEN), and for e-mail CXGOV_SMTP_HOST. Found here, a missing secret is
    fixed before the run; the run itself leaves a delivery waiting while its sink's variables
    are missing, with the same names in `cxgov actions deliveries`.
    """
    if ctx.environment is None:
        return
    env = dict(ctx.environment)
    for policy, origin in ctx.items("action_policies"):
        for index, sink in enumerate(policy.sinks):
            named = sink.environment()
            for name, field in sink.missing_environment(env).items():
                at = (
                    origin.at("sinks", index, field)
                    if field in sink.model_fields_set
                    else origin.at("sinks", index, "type")
                )
                yield Finding(
                    at,
                    f"{sink.type.value} sink {index + 1} of action policy '{policy.id}': the "
                    f"environment variable {name} ({field}) is not set",
                    _HINT,
                )
            url_env = sink.url_env
            if url_env and url_env in named and _not_a_url(env.get(url_env, "")):
                # the value is a secret: name the variable, never show what it holds
                yield Finding(
                    origin.at("sinks", index, "url_env"),
                    f"{sink.type.value} sink {index + 1} of action policy '{policy.id}': "
                    f"the environment variable {url_env} does not hold an http(s) URL",
                    _URL_HINT,
                )
    for owner, origin in ctx.items("owners"):
        for name, field in owner.chat_environment().items():
            value = env.get(name, "")
            if not value.strip():
                message = "is not set"
            elif _not_a_url(value):
                message = "does not hold an http(s) URL"
            else:
                continue
            yield Finding(
                origin.at(field),
                f"owner '{owner.id}': the environment variable {name} ({field}) {message}; "
                "their digest cannot be posted there",
                _OWNER_HINT if message == "is not set" else _URL_HINT,
            )


def _not_a_url(value: str) -> bool:
    parts = urllib.parse.urlsplit(value.strip())
    return bool(value.strip()) and (parts.scheme not in ("http", "https") or not parts.hostname)
