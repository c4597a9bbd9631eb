"""The Jira sink: an issue per action in a Jira Cloud project over REST API v3, its text in
Atlassian Document Format (ADF) and in the program's language.

Creating an issue twice is visible to people, so the "opened" event first searches (JQL) for
the issue carrying the action's own label and creates one only when there is none: a create
that Jira carried out but answered with 502, or a timeout, is found on the retry.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

from cxgov.actions.sinks.common import (
    DELIVERED,
    USER_AGENT,
    Delivery,
    DeliveryError,
    Outcome,
    _check_http_url,
    _excerpt,
    _read_error,
    _retry_after,
    _retryable_status,
    exchange_json,
)
from cxgov.actions.sinks.mail import _LABELS, _event_phrase, _facts, _language, _segment, _status
from cxgov.judgement.actions import Action, ActionEvent
from cxgov.model.policies import JIRA_EMAIL_ENV, JIRA_TOKEN_ENV, SinkType
from cxgov.model.policies import Sink as SinkConfig

DEFAULT_ISSUE_TYPE = "Task"
SUMMARY_LIMIT = 255
"""Jira refuses a longer summary."""

_CLOSING = frozenset({"verify_effective", "close_recovered", "cancelled"})
_REOPENING = frozenset({"reopened", "reopen_ineffective"})
_PROJECT_KEY = re.compile(r"[A-Z][A-Z0-9_]{0,254}")
_ISSUE_KEY = re.compile(r"[A-Z][A-Z0-9_]*-[0-9]+")
_SUMMARY_ACTION = {"en": "action {id}", "fi": "toimenpide {id}"}


def jira_credentials(config: SinkConfig, env: Mapping[str, str]) -> tuple[str, str]:
    """The account's e-mail address and API token from the variables the sink names."""
    found = []
    for name in (config.email_env or JIRA_EMAIL_ENV, config.token_env or JIRA_TOKEN_ENV):
        value = env.get(name, "").strip()
        if not value:
            raise DeliveryError(
                f"Jira: the environment variable {name} is missing "
                "(the account's e-mail address and its API token are both needed)",
                retryable=False,
            )
        found.append(value)
    return found[0], found[1]


def action_label(program: str, action_id: int) -> str:
    """The label that finds an action's issue again: `cxgov-<program>-<action id>`. Jira
    labels cannot hold spaces, and JQL quoting is simplest without quotes."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", program)
    return f"cxgov-{safe}-{action_id}"


class JiraIssues:
    """Issues of one Jira Cloud project over REST API v3, with basic auth (e-mail and API
    token). Nothing here retries: the caller decides when to try again."""

    def __init__(
        self,
        site: str,
        project: str,
        email: str,
        token: str,
        *,
        timeout: float = 10,
        deadline: float | None = None,
    ) -> None:
        _check_http_url(site, "Jira")
        if not _PROJECT_KEY.fullmatch(project):
            raise DeliveryError(
                f"Jira: project {project!r} is not a project key (capital letters and digits, "
                "such as CX)",
                retryable=False,
            )
        self.site = site.rstrip("/")
        self.project = project
        self.timeout = timeout
        self.deadline = deadline
        credentials = base64.b64encode(f"{email}:{token}".encode()).decode("ascii")
        self._authorization = f"Basic {credentials}"

    def __repr__(self) -> str:
        return f"JiraIssues(site={self.site!r}, project={self.project!r})"

    def find(self, label: str) -> str | None:
        """The key of the project's oldest issue with `label`, if there is one."""
        jql = f'project = "{self.project}" AND labels = "{label}" ORDER BY created ASC'
        answer = self._request(
            "POST", "/rest/api/3/search/jql", {"jql": jql, "fields": ["key"], "maxResults": 1}
        )
        issues = answer.get("issues") if isinstance(answer, Mapping) else None
        for issue in issues or []:
            key = issue.get("key") if isinstance(issue, Mapping) else None
            if isinstance(key, str) and _ISSUE_KEY.fullmatch(key):
                return key
        return None

    def create(
        self, summary: str, description: Mapping[str, Any], issue_type: str, labels: Sequence[str]
    ) -> str:
        """Create an issue; returns its key (`CX-12`)."""
        answer = self._request(
            "POST",
            "/rest/api/3/issue",
            {
                "fields": {
                    "project": {"key": self.project},
                    "summary": summary,
                    "issuetype": {"name": issue_type},
                    "description": description,
                    "labels": list(dict.fromkeys(labels)),
                }
            },
        )
        key = answer.get("key") if isinstance(answer, Mapping) else None
        if not isinstance(key, str) or not _ISSUE_KEY.fullmatch(key):
            # the issue may exist: the retry's search finds it by its label
            raise DeliveryError(
                f"Jira POST {self.site}/rest/api/3/issue: the answer has no issue key",
                retryable=True,
            )
        return key

    def comment(self, key: str, body: Mapping[str, Any]) -> None:
        self._request("POST", f"/rest/api/3/issue/{_quoted(key)}/comment", {"body": body})

    def status_category(self, key: str) -> str | None:
        """The key of the issue's status category: `new`, `indeterminate` or `done`."""
        answer = self._request("GET", f"/rest/api/3/issue/{_quoted(key)}?fields=status", None)
        try:
            category = answer["fields"]["status"]["statusCategory"]["key"]
        except (KeyError, TypeError):
            return None
        return category if isinstance(category, str) else None

    def move(self, key: str, categories: Sequence[str]) -> str:
        """Take the first transition (in the workflow's order) into a status of the first of
        `categories` that has one; returns the status's name."""
        path = f"/rest/api/3/issue/{_quoted(key)}/transitions"
        answer = self._request("GET", path, None)
        transitions = answer.get("transitions") if isinstance(answer, Mapping) else None
        offered: list[tuple[str, str, str]] = []
        for item in transitions or []:
            try:
                to = item["to"]
                offered.append((str(item["id"]), str(to["name"]), to["statusCategory"]["key"]))
            except (KeyError, TypeError):
                continue
        for category in categories:
            for transition, name, to_category in offered:
                if to_category == category:
                    self._request("POST", path, {"transition": {"id": transition}})
                    return name
        names = ", ".join(f"{name} ({to_category})" for _, name, to_category in offered)
        raise DeliveryError(
            f"Jira: issue {key} has no transition to a status of category "
            f"{' or '.join(categories)}; its workflow offers {names or 'none'}",
            retryable=False,
        )

    def _request(self, method: str, path: str, body: Mapping[str, Any] | None) -> Any:
        url = f"{self.site}{path}"
        where = f"Jira {method} {self.site}{path.split('?')[0]}"
        headers = {
            "Authorization": self._authorization,
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            **({} if body is None else {"Content-Type": "application/json; charset=utf-8"}),
        }
        return exchange_json(
            method,
            url,
            body,
            headers,
            where,
            deadline=self.deadline,
            timeout=self.timeout,
            http_error=_jira_error,
        )


def _quoted(key: str) -> str:
    return urllib.parse.quote(key, safe="")


def _jira_error(where: str, error: urllib.error.HTTPError) -> DeliveryError:
    raw = _read_error(error)
    status = error.code
    detail = _excerpt(raw)
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = None
    if isinstance(answer, Mapping):
        # Jira says what it refused in `errorMessages` and, by field, in `errors`
        messages = [str(m) for m in answer.get("errorMessages") or []]
        fields = answer.get("errors")
        if isinstance(fields, Mapping):
            messages += [f"{field}: {message}" for field, message in fields.items()]
        if messages:
            detail = "; ".join(messages)
    if 300 <= status < 400:
        message = f"{where} was redirected (HTTP {status}); is the site URL right?"
    elif status == 401:
        message = f"{where} failed: HTTP 401: the e-mail address or the API token is wrong"
    else:
        message = f"{where} failed: HTTP {status}" + (f": {detail}" if detail else "")
    return DeliveryError(
        message,
        retryable=_retryable_status(status),
        status=status,
        retry_after=_retry_after(error.headers),
    )


# --- texts ---------------------------------------------------------------------------------


def issue_summary(action: Action, language: str) -> str:
    """`[cxgov] o-nps (region=south): fail — action 12`, in the program's language."""
    language = _language(language)
    objective = action.objective or action.evidence.get("objective") or "?"
    summary = f"[cxgov] {objective}"
    if segment := _segment(action):
        summary += f" ({segment})"
    if status := _status(action, language):
        summary += f": {status}"
    summary += f" — {_SUMMARY_ACTION[language].format(id=action.id)}"
    summary = " ".join(summary.split())
    return summary if len(summary) <= SUMMARY_LIMIT else summary[: SUMMARY_LIMIT - 1] + "…"


def _text(value: str, *marks: Mapping[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value}
    if marks:
        node["marks"] = list(marks)
    return node


def _paragraph(*content: dict[str, Any]) -> dict[str, Any]:
    # ADF refuses an empty text node; an empty paragraph is allowed
    return {"type": "paragraph", "content": [c for c in content if c.get("text", "-") != ""]}


def _cell(kind: str, *content: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "attrs": {}, "content": [_paragraph(*content)]}


def _value(value: str) -> dict[str, Any]:
    # only an absolute http(s) address becomes a link: anything else would not open
    if re.fullmatch(r"https?://\S+", value):
        return _text(value, {"type": "link", "attrs": {"href": value}})
    return _text(value)


def issue_document(
    action: Action, event: ActionEvent, language: str, page: str | None = None
) -> dict[str, Any]:
    """The issue's description, or a comment, as an ADF document: what happened, then the
    action's facts as a table, with `page`, the objective page's URL (`page_url`), as its one
    link. Text from programs and people is plain text nodes, which Jira shows as written: it
    cannot mention or format anything."""
    language = _language(language)
    labels = _LABELS[language]
    what = _event_phrase(event.kind, language)
    lead = [_text(labels["headline"].format(id=action.id, what=what), {"type": "strong"})]
    if event.actor and event.actor != USER_AGENT:
        lead.append(_text(" " + labels["by"].format(actor=event.actor)))
    content: list[dict[str, Any]] = [_paragraph(*lead)]
    rows = [
        {
            "type": "tableRow",
            "content": [_cell("tableHeader", _text(label)), _cell("tableCell", _value(value))],
        }
        for label, value in _facts(action, language, page)
    ]
    if rows:
        content.append(
            {"type": "table", "attrs": {"isNumberColumnEnabled": False}, "content": rows}
        )
    if event.note:
        # a line break inside a text node is not one in ADF: lines are joined by hardBreak
        lines: list[dict[str, Any]] = []
        for line in event.note.splitlines():
            lines += [{"type": "hardBreak"}, _text(line)] if lines else [_text(line)]
        content.append(_paragraph(_text(f"{labels['note']}: ", {"type": "strong"}), *lines))
    content.append(_paragraph(_text(labels["footer"], {"type": "em"})))
    return {"version": 1, "type": "doc", "content": content}


class JiraSink:
    """An issue per action in the sink's Jira Cloud `project`: the `opened` event creates it
    (or finds the one a failed try created), later events comment on it, closing events move
    it to a done status and reopening events out of one."""

    kind = SinkType.JIRA

    def target(self, config: SinkConfig) -> str:
        return f"{(config.site or '').rstrip('/')}/{config.project or ''}"

    def deliver(self, config: SinkConfig, delivery: Delivery) -> Outcome:
        assert config.site is not None and config.project is not None
        action, event, language = delivery.action, delivery.event, delivery.language
        email, token = jira_credentials(config, delivery.env)
        issues = JiraIssues(config.site, config.project, email, token, deadline=delivery.deadline)
        label = action_label(
            action.program or str(action.evidence.get("program") or "?"), action.id
        )
        document = issue_document(action, event, language, delivery.page)
        if event.kind == "opened":
            created = issues.find(label) or issues.create(
                issue_summary(action, language),
                document,
                config.issue_type or DEFAULT_ISSUE_TYPE,
                [*config.labels, label],
            )
            return Outcome("delivered", ref=created)
        key = delivery.earlier_ref() or issues.find(label)
        if key is None:
            return Outcome("failed", "waiting for the issue to be created (the opened event)")
        if event.kind in _CLOSING:
            # moved before the comment: a retry after a lost answer then only checks the status
            if issues.status_category(key) != "done":
                issues.move(key, ["done"])
        elif event.kind in _REOPENING and issues.status_category(key) == "done":
            issues.move(key, ["new", "indeterminate"])
        issues.comment(key, document)
        # only the opened event records the key: the outbox looks up a single earlier one
        return DELIVERED
