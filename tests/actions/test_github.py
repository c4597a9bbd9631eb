"""The GitHub sink against a real server on 127.0.0.1 standing in for the REST API, and
the issue texts."""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from cxgov.actions.sinks import (
    DeliveryError,
    GitHubIssues,
    github_token,
    issue_body,
    issue_marker,
    issue_title,
)
from tests.actions.test_webhook import ACTION, EVENT
from tests.local_servers import (
    HttpServer,
    Recorded,
    Reply,
    StartHttp,
    closed_port,
    json_reply,
    scripted,
)


@pytest.fixture(autouse=True)
def _no_proxy(no_proxy: None) -> None:
    """The local servers are reached directly, whatever proxy the machine sets."""


# --- GitHub --------------------------------------------------------------------------------


def _github(request: Recorded) -> Reply:
    routes = {
        ("POST", "/repos/o/r/issues"): json_reply(201, {"number": 7, "state": "open"}),
        ("PATCH", "/repos/o/r/issues/7"): json_reply(200, {"number": 7}),
        ("POST", "/repos/o/r/issues/7/comments"): json_reply(201, {"id": 1}),
    }
    return routes.get((request.method, request.path), json_reply(404, {"message": "Not Found"}))


def _issues(server: HttpServer) -> GitHubIssues:
    return GitHubIssues("o/r", "tok-123", api_url=server.url)


def test_github_create_posts_the_issue_and_returns_its_number(http_server: StartHttp) -> None:
    server = http_server(_github)
    number = _issues(server).create(
        "title ä", "body", labels=["cx", "nps"], assignees=["@liisa", "matti", "@org/team"]
    )
    assert number == 7
    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/repos/o/r/issues")
    assert request.headers["Authorization"] == "Bearer tok-123"
    assert request.headers["Accept"] == "application/vnd.github+json"
    assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert request.headers["User-Agent"] == "cxgov"
    assert json.loads(request.body) == {
        "title": "title ä",
        "body": "body",
        "labels": ["cx", "nps"],
        "assignees": ["liisa", "matti"],
    }


def test_github_update_sends_only_the_given_fields(http_server: StartHttp) -> None:
    server = http_server(_github)
    issues = _issues(server)
    issues.update(7, body="new body", labels=["cx"])
    issues.update(7)  # nothing to change: no request
    [request] = server.requests
    assert (request.method, request.path) == ("PATCH", "/repos/o/r/issues/7")
    assert json.loads(request.body) == {"body": "new body", "labels": ["cx"]}


def test_github_comment_posts_to_the_issue(http_server: StartHttp) -> None:
    server = http_server(_github)
    _issues(server).comment(7, "Soitettu kaikille.")
    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/repos/o/r/issues/7/comments")
    assert json.loads(request.body) == {"body": "Soitettu kaikille."}
    assert request.headers["Authorization"] == "Bearer tok-123"


def test_github_close_sends_state_and_reason(http_server: StartHttp) -> None:
    server = http_server(_github)
    _issues(server).close(7)
    _issues(server).close(7, reason="not_planned")
    assert [r.method for r in server.requests] == ["PATCH", "PATCH"]
    assert [json.loads(r.body) for r in server.requests] == [
        {"state": "closed", "state_reason": "completed"},
        {"state": "closed", "state_reason": "not_planned"},
    ]


def test_github_validation_failure_is_not_retryable_and_quotes_github(
    http_server: StartHttp,
) -> None:
    errors = [{"resource": "Issue", "field": "assignees", "code": "invalid"}]
    server = http_server(
        scripted(json_reply(422, {"message": "Validation Failed", "errors": errors}))
    )
    with pytest.raises(DeliveryError) as caught:
        _issues(server).create("t", "b")
    assert not caught.value.retryable and caught.value.status == 422
    assert "Validation Failed" in str(caught.value) and "assignees invalid" in str(caught.value)
    assert "tok-123" not in str(caught.value)
    assert len(server.requests) == 1


@pytest.mark.parametrize("status", [401, 403, 404])
def test_github_refusals_are_not_retryable(http_server: StartHttp, status: int) -> None:
    server = http_server(scripted(json_reply(status, {"message": "Bad credentials"})))
    with pytest.raises(DeliveryError, match="Bad credentials") as caught:
        _issues(server).comment(7, "x")
    assert not caught.value.retryable and caught.value.status == status


def test_github_bad_gateway_is_retryable(http_server: StartHttp) -> None:
    server = http_server(scripted(Reply(502, b"<html>bad gateway</html>")))
    with pytest.raises(DeliveryError) as caught:
        _issues(server).update(7, title="t")
    assert caught.value.retryable and caught.value.status == 502
    assert len(server.requests) == 1  # no retry of its own: the caller decides


def test_github_exhausted_rate_limit_is_retryable(http_server: StartHttp) -> None:
    server = http_server(
        scripted(
            json_reply(
                403,
                {"message": "API rate limit exceeded"},
                **{"X-RateLimit-Remaining": "0", "Retry-After": "30"},
            )
        )
    )
    with pytest.raises(DeliveryError, match="rate limit") as caught:
        _issues(server).create("t", "b")
    assert caught.value.retryable and caught.value.retry_after == 30.0


def test_github_unreachable_api_is_retryable() -> None:
    issues = GitHubIssues("o/r", "tok", api_url=f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(DeliveryError) as caught:
        issues.create("t", "b")
    assert caught.value.retryable


def test_github_repo_must_be_owner_and_name() -> None:
    with pytest.raises(DeliveryError, match="owner/name"):
        GitHubIssues("o/r/../x", "tok")


def test_github_token_comes_from_the_named_or_default_variable() -> None:
    assert github_token(None, {"CXGOV_GITHUB_TOKEN": "a"}) == "a"
    assert github_token("MY_TOKEN", {"MY_TOKEN": "b", "CXGOV_GITHUB_TOKEN": "a"}) == "b"
    with pytest.raises(DeliveryError, match="CXGOV_GITHUB_TOKEN") as caught:
        github_token(None, {})
    assert not caught.value.retryable
    with pytest.raises(DeliveryError, match="MY_TOKEN"):
        github_token("MY_TOKEN", {"CXGOV_GITHUB_TOKEN": "a"})


def test_issue_title_names_objective_segment_status_and_action() -> None:
    assert issue_title(ACTION) == "[cxgov] o-nps (alue=Hämeenlinna): fail — action 12"
    shortfall = replace(ACTION, evidence={**ACTION.evidence, "status": "below_target"})
    assert issue_title(shortfall) == ("[cxgov] o-nps (alue=Hämeenlinna): below target — action 12")
    # a decline's period may be on target: the title names the decline, not the verdict
    decline = replace(
        ACTION, trigger="decline", evidence={**ACTION.evidence, "status": "on_target"}
    )
    assert issue_title(decline) == "[cxgov] o-nps (alue=Hämeenlinna): decline — action 12"


def test_issue_body_keeps_people_text_inert() -> None:
    event = replace(EVENT, kind="comment", actor="@liisa", note="ping @org/team ```x``` <b>")
    action = replace(ACTION, assignee="`rm -rf`")
    body = issue_body(action, event)
    assert "<!-- cxgov action kahvipalvelu/12 -->" in body
    assert "- **Objective:** `o-nps`" in body
    assert "- **Due:** 2026-07-09" in body
    assert "- **Assignee:** `` `rm -rf` ``" in body
    assert "by `@liisa`" in body
    assert "````text\nping @org/team ```x``` <b>\n````" in body
    assert "```text\nAsiakkaat siirtyvät kilpailijalle; käynnistä yhteydenotot.\n```" in body


def test_github_find_takes_the_oldest_issue_whose_body_holds_the_marker_exactly(
    http_server: StartHttp,
) -> None:
    marker = issue_marker(ACTION)
    items = [
        {"number": 9, "body": f"{marker}\nlater copy"},
        {"number": 4, "body": f"{marker}\nfirst"},
        # search matches words, not the line: action 120 is not action 12
        {"number": 2, "body": marker.replace("/12 ", "/120 ")},
        {"number": 1, "body": None},
    ]
    server = http_server(scripted(json_reply(200, {"items": items}), json_reply(200, {})))
    assert _issues(server).find(marker) == 4
    assert _issues(server).find(marker) is None
    request = server.requests[0]
    assert request.method == "GET" and request.path.startswith("/search/issues?")
    [query] = parse_qs(urlsplit(request.path).query)["q"]
    assert query == 'repo:o/r is:issue in:body "cxgov action kahvipalvelu/12"'
