"""The GitHub sink: an issue per action over the REST API, its text kept inert Markdown."""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from cxgov.actions.sinks.common import (
    _REPO,
    DELIVERED,
    GITHUB_API_VERSION,
    GITHUB_TOKEN_ENV,
    USER_AGENT,
    Delivery,
    DeliveryError,
    Outcome,
    _check_http_url,
    _excerpt,
    _jsonable,
    _read_error,
    _retry_after,
    _retryable_status,
    exchange_json,
)
from cxgov.actions.sinks.mail import _event_phrase, _facts, _segment, _status
from cxgov.clock import system_now
from cxgov.judgement.actions import Action, ActionEvent
from cxgov.model.policies import Sink as SinkConfig
from cxgov.model.policies import SinkType

GITHUB_API_ENV = "CXGOV_GITHUB_API_URL"
_CLOSING = {"verify_effective": "completed", "close_recovered": "completed"}


def github_token(token_env: str | None, env: Mapping[str, str] = os.environ) -> str:
    """The API token from the variable a github sink names (default CXGOV_GITHUB_TOKEN)."""
    name = token_env or GITHUB_TOKEN_ENV
    value = env.get(name, "").strip()
    if not value:
        raise DeliveryError(
            f"GitHub: the API token is missing; set the environment variable {name}",
            retryable=False,
        )
    return value


class GitHubIssues:
    """Issues of one repository over the REST API (github.com or GitHub Enterprise `api_url`).

    Nothing here retries: creating an issue twice is visible, so the caller decides when to
    try again (`DeliveryError.retryable`, `retry_after`).
    """

    def __init__(
        self,
        repo: str,
        token: str,
        *,
        api_url: str = "https://api.github.com",
        timeout: float = 10,
        deadline: float | None = None,
    ) -> None:
        if not _REPO.fullmatch(repo) or repo.split("/")[1] in (".", ".."):
            raise DeliveryError(f"GitHub: repo {repo!r} is not owner/name", retryable=False)
        _check_http_url(api_url, "GitHub")
        self.repo = repo
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self.deadline = deadline
        """A `time.monotonic()` instant that cuts every request off (see `opener_until`)."""
        self._token = token

    def __repr__(self) -> str:
        return f"GitHubIssues(repo={self.repo!r}, api_url={self.api_url!r})"

    def create(
        self,
        title: str,
        body: str,
        labels: Sequence[str] = (),
        assignees: Sequence[str] = (),
    ) -> int:
        """Open an issue; returns its number. Owner handles may carry a leading `@`; team
        handles (`@org/team`) are left out, as issues can be assigned to users only."""
        logins = list(
            dict.fromkeys(h.strip().lstrip("@") for h in assignees if h.strip() and "/" not in h)
        )
        answer = self._request(
            "POST",
            f"/repos/{self.repo}/issues",
            {"title": title, "body": body, "labels": list(labels), "assignees": logins},
        )
        number = answer.get("number") if isinstance(answer, Mapping) else None
        if not isinstance(number, int) or isinstance(number, bool):
            # the issue may exist now: the retry finds it by its marker (`find`) first
            raise DeliveryError(
                f"GitHub POST {self.api_url}/repos/{self.repo}/issues: "
                "the answer has no issue number",
                retryable=True,
            )
        return number

    def find(self, marker: str) -> int | None:
        """The number of this repository's oldest issue whose body holds `marker` (see
        `issue_marker`), or None. Through the search API, whose index lags a new issue by
        seconds; a retry comes a run later. Search is fuzzy, so the body is checked too."""
        query = f'repo:{self.repo} is:issue in:body "{marker.strip("<!-> ")}"'
        answer = self._request(
            "GET",
            "/search/issues?" + urllib.parse.urlencode({"q": query, "per_page": "100"}),
            None,
        )
        items = answer.get("items") if isinstance(answer, Mapping) else None
        found = [
            item["number"]
            for item in items or []
            if isinstance(item, Mapping)
            and isinstance(item.get("number"), int)
            and marker in str(item.get("body") or "")
        ]
        return min(found, default=None)

    def update(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        labels: Sequence[str] | None = None,
        state: Literal["open", "closed"] | None = None,
    ) -> None:
        """Change the given fields only; `labels` replaces the issue's labels."""
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = title
        if body is not None:
            changes["body"] = body
        if labels is not None:
            changes["labels"] = list(labels)
        if state is not None:
            changes["state"] = state
        if changes:
            self._request("PATCH", f"/repos/{self.repo}/issues/{int(number)}", changes)

    def comment(self, number: int, body: str) -> None:
        self._request("POST", f"/repos/{self.repo}/issues/{int(number)}/comments", {"body": body})

    def close(self, number: int, reason: Literal["completed", "not_planned"] = "completed") -> None:
        self._request(
            "PATCH",
            f"/repos/{self.repo}/issues/{int(number)}",
            {"state": "closed", "state_reason": reason},
        )

    def _request(self, method: str, path: str, body: Mapping[str, Any] | None) -> Any:
        url = f"{self.api_url}{path}"
        where = f"GitHub {method} {url.partition('?')[0]}"
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": GITHUB_API_VERSION,
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json; charset=utf-8",
        }
        return exchange_json(
            method,
            url,
            body,
            headers,
            where,
            deadline=self.deadline,
            timeout=self.timeout,
            http_error=_github_error,
        )


def _github_error(where: str, error: urllib.error.HTTPError) -> DeliveryError:
    raw = _read_error(error)
    status = error.code
    detail = _excerpt(raw)
    try:
        answer = json.loads(raw)
    except ValueError:
        answer = None
    if isinstance(answer, Mapping) and answer.get("message"):
        detail = str(answer["message"])
        # 422 names the offending field in `errors`: which label or assignee was rejected
        extra = [
            str(e.get("message") or f"{e.get('field')} {e.get('code')}")
            if isinstance(e, Mapping)
            else str(e)
            for e in answer.get("errors") or []
        ]
        if extra:
            detail += f" ({'; '.join(extra)})"
    headers = error.headers
    retry_after = _retry_after(headers)
    rate_limited = status in (403, 429) and (
        retry_after is not None
        or (headers is not None and headers.get("X-RateLimit-Remaining") == "0")
    )
    if rate_limited and retry_after is None and headers is not None:
        reset = headers.get("X-RateLimit-Reset")
        if reset and reset.isdigit():
            # the server's epoch second, so the wait is measured on the real clock, not on a
            # pinned "now": the pause happens in real time whatever the run is judging
            retry_after = max(0.0, int(reset) - system_now().timestamp())
    if 300 <= status < 400:
        message = f"{where} was redirected (HTTP {status}); has the repository moved?"
    else:
        message = f"{where} failed: HTTP {status}"
        if detail:
            message += f": {detail}"
    return DeliveryError(
        message,
        # GitHub answers an exhausted rate limit with 403; that one passes with time
        retryable=_retryable_status(status) or rate_limited,
        status=status,
        retry_after=retry_after,
    )


def issue_title(action: Action) -> str:
    """`[cxgov] o-nps (region=south): fail — action 12`."""
    objective = action.objective or action.evidence.get("objective") or "?"
    segment = _segment(action)
    status = _status(action)
    title = f"[cxgov] {objective}"
    if segment:
        title += f" ({segment})"
    if status:
        title += f": {status}"
    title += f" — action {action.id}"
    return " ".join(title.split())


def _code(value: Any) -> str:
    """An inline code span that holds any text: Markdown, mentions and HTML stay inert."""
    text = " ".join(str(value).split()) or " "
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _block(value: Any) -> str:
    """A fenced text block for free text such as notes, keeping its lines."""
    text = str(value).rstrip()
    longest = max((len(run) for run in re.findall(r"`{3,}|~{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def issue_body(action: Action, event: ActionEvent, page: str | None = None) -> str:
    """The issue text in Markdown. Text from programs and people is kept in code spans and
    blocks, so it cannot mention, link or format anything; `page`, the objective page's URL
    (`page_url`), is the one link."""
    lines = [
        # lets a later run, or a person, find the issue of an action by searching
        issue_marker(action),
        f"**cxgov action {_code(action.id)}**",
        "",
    ]
    for label, value in _facts(action, "en"):
        if label == "Consequence":
            continue
        # numbers and dates read better plain; anything else could carry Markdown
        shown = value if re.fullmatch(r"[0-9.,:+ –-]*", value) else _code(value)
        lines.append(f"- **{label}:** {shown}")
    if page:
        # an autolink: the URL is built by `page_url`, not taken from any text
        lines.append(f"- **Page:** <{page}>")
    consequence = action.evidence.get("consequence")
    if consequence:
        lines += ["", "**Consequence**", "", _block(consequence)]
    if event.kind:
        latest = f"**Latest event:** {_event_phrase(event.kind, 'en')}"
        if event.actor:
            latest += f" by {_code(event.actor)}"
        latest += f", {_code(_jsonable(event.at, 'event.at'))}"
        lines += ["", latest]
        if event.note:
            lines += ["", _block(event.note)]
    lines += [
        "",
        "_Mirrored by cxgov: change the action with `cxgov actions`; "
        "edits to this issue are not read back._",
    ]
    return "\n".join(lines) + "\n"


def issue_marker(action: Action) -> str:
    """The hidden line in an action's issue that a retry finds it by:
    `<!-- cxgov action <program>/<id> -->`."""
    program = action.program or action.evidence.get("program") or "?"
    return f"<!-- cxgov action {_comment_safe(program)}/{_comment_safe(action.id)} -->"


def _comment_safe(value: Any) -> str:
    # `--` ends an HTML comment early; keep the marker a single inert token
    return re.sub(r"[^A-Za-z0-9_.:-]", "_", str(value)).replace("--", "__")


class GitHubSink:
    """An issue per action in the sink's `repo`: the `opened` event creates it (or, retried,
    finds the one an earlier try created), later events comment on it and close or reopen it.
    The API is github.com unless `CXGOV_GITHUB_API_URL` names a GitHub Enterprise one."""

    kind = SinkType.GITHUB

    def target(self, config: SinkConfig) -> str:
        return config.repo or ""

    def deliver(self, config: SinkConfig, delivery: Delivery) -> Outcome:
        assert config.repo is not None
        action, event, env = delivery.action, delivery.event, delivery.env
        issues = GitHubIssues(
            config.repo,
            github_token(config.token_env, env),
            api_url=env.get(GITHUB_API_ENV, "https://api.github.com"),
            deadline=delivery.deadline,
        )
        if event.kind == "opened":
            title, body = issue_title(action), issue_body(action, event, delivery.page)
            # GitHub may have created the issue on an earlier try that then failed (a 502, a
            # timeout): that try's issue is the action's, and a second would be an orphan
            existing = issues.find(issue_marker(action))
            if existing is not None:
                issues.update(existing, title=title, body=body)
                return Outcome("delivered", ref=str(existing))
            owner = delivery.owners.get(action.assignee)
            handle = owner.github if owner is not None and owner.github else None
            labels = [*config.labels, f"severity:{action.severity}"]
            number = issues.create(title, body, labels, [handle] if handle else [])
            return Outcome("delivered", ref=str(number))
        created = delivery.earlier_ref()
        if created is None:
            return Outcome("failed", "waiting for the issue to be created (the opened event)")
        number = int(created)
        issues.comment(number, issue_body(action, event, delivery.page))
        if event.kind in _CLOSING or event.kind == "cancelled":
            issues.close(number, "not_planned" if event.kind == "cancelled" else "completed")
        elif event.kind in ("reopened", "reopen_ineffective"):
            issues.update(number, state="open")
        return DELIVERED
