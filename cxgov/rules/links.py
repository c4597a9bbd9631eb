"""Links in what sinks send: a page link needs the address the site is published at."""

from __future__ import annotations

from collections.abc import Iterator

from cxgov.diagnostics import Severity
from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import rule


@rule("CXG220", "sinks-without-site-url", Severity.WARNING)
def sinks_without_site_url(ctx: RuleContext) -> Iterator[Finding]:
    """An action policy has sinks but the program has no `site_url`.

    Mails, webhooks, GitHub issues and Teams and Slack messages link to the objective's page
    on the published site. Without the site's public address there is no link to give: the
    messages go out without one, and their readers cannot open the page the action is about.
    """
    header = ctx.section
    if header is None or header.site_url:
        return
    for policy, origin in ctx.items("action_policies"):
        if not policy.sinks:
            continue
        yield Finding(
            origin.at("sinks", key=True),
            f"action policy '{policy.id}' sends actions to {len(policy.sinks)} sink(s), but "
            "the program has no site_url: the messages carry no link to the objective's page",
            "set program.site_url to the address the site is published at, for example "
            "site_url: https://cx.example.fi/",
        )
