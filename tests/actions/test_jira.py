"""The Jira sink against a fake Jira Cloud on 127.0.0.1 (tests/actions/jira_server.py): an issue
per action in ADF and the program's language, comments, transitions, and exactly one issue
when Jira created it but answered 502."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cxgov.actions.sinks import (
    Delivery,
    DeliveryError,
    JiraSink,
    action_label,
    issue_document,
    issue_summary,
)
from cxgov.model.policies import Sink as SinkConfig
from tests.actions import jira_server
from tests.actions.jira_server import EMAIL, TOKEN, AdfError, FakeJira, adf_text, check_adf
from tests.actions.test_webhook import ACTION, EVENT
from tests.local_servers import StartHttp

ENV = {"CXGOV_JIRA_EMAIL": EMAIL, "CXGOV_JIRA_TOKEN": TOKEN}


@pytest.fixture(autouse=True)
def _no_proxy(no_proxy: None) -> None:
    """The local servers are reached directly, whatever proxy the machine sets."""


def _config(site: str, **extra: object) -> SinkConfig:
    return SinkConfig.model_validate({"type": "jira", "site": site, "project": "CX", **extra})


def _delivery(
    kind: str,
    *,
    language: str = "en",
    earlier: str | None = None,
    env: dict[str, str] = ENV,
    note: str | None = None,
) -> Delivery:
    event = replace(EVENT, kind=kind, note=note, actor="liisa" if kind != "opened" else "cxgov")
    return Delivery(
        action=replace(ACTION, events=(event,)),
        event=event,
        owners={},
        language=language,
        env=env,
        earlier_ref=lambda: earlier,
    )


def test_opened_creates_one_issue_in_adf_with_the_actions_label(http_server: StartHttp) -> None:
    jira = FakeJira()
    server = http_server(jira)
    config = _config(server.url, labels=["cx-action"], issue_type="Bug")

    outcome = JiraSink().deliver(config, _delivery("opened"))

    assert (outcome.status, outcome.ref) == ("delivered", "CX-1")
    [issue] = jira.issues
    assert issue.fields["summary"] == "[cxgov] o-nps (alue=Hämeenlinna): fail — action 12"
    assert issue.fields["issuetype"] == {"name": "Bug"}
    assert issue.fields["labels"] == ["cx-action", "cxgov-kahvipalvelu-12"]
    text = adf_text(issue.fields["description"])
    assert "Action 12: opened." in text and "Hämeenlinna" in text and "12.5" in text
    search, create = server.requests
    assert (search.method, search.path) == ("POST", "/rest/api/3/search/jql")
    assert (create.method, create.path) == ("POST", "/rest/api/3/issue")
    assert create.headers["Content-Type"] == "application/json; charset=utf-8"


def test_a_create_jira_carried_out_but_answered_502_leaves_exactly_one_issue(
    http_server: StartHttp,
) -> None:
    jira = FakeJira(fail_after_create=[502])
    server = http_server(jira)
    config = _config(server.url)

    with pytest.raises(DeliveryError) as failed:
        JiraSink().deliver(config, _delivery("opened"))
    assert failed.value.retryable and failed.value.status == 502
    retried = JiraSink().deliver(config, _delivery("opened"))

    assert retried.ref == "CX-1"
    assert [issue.key for issue in jira.issues] == ["CX-1"]
    assert [r.path for r in server.requests] == [
        "/rest/api/3/search/jql",
        "/rest/api/3/issue",
        "/rest/api/3/search/jql",
    ]


def test_later_events_comment_and_closing_moves_the_issue_to_a_done_status(
    http_server: StartHttp,
) -> None:
    jira = FakeJira()
    server = http_server(jira)
    config = _config(server.url)
    JiraSink().deliver(config, _delivery("opened", language="fi"))

    JiraSink().deliver(config, _delivery("comment", earlier="CX-1", note="Soitettu asiakkaille"))
    assert jira.issues[0].status == "To Do"
    JiraSink().deliver(config, _delivery("cancelled", earlier="CX-1"))
    assert jira.issues[0].status == "Done"
    # a retried close finds the issue done and does not move it again
    JiraSink().deliver(config, _delivery("cancelled", earlier="CX-1"))
    JiraSink().deliver(config, _delivery("reopened", earlier="CX-1"))

    issue = jira.issues[0]
    assert issue.status == "To Do"
    assert issue.fields["summary"] == "[cxgov] o-nps (alue=Hämeenlinna): hälytys — toimenpide 12"
    assert "Toimenpide 12: avattu." in adf_text(issue.fields["description"])
    assert len(issue.comments) == 4
    assert "Note: Soitettu asiakkaille" in adf_text(issue.comments[0])
    moves = [r for r in server.requests if r.method == "POST" and r.path.endswith("/transitions")]
    assert len(moves) == 2


def test_a_later_event_without_a_recorded_key_finds_the_issue_by_its_label(
    http_server: StartHttp,
) -> None:
    jira = FakeJira()
    server = http_server(jira)
    config = _config(server.url)
    JiraSink().deliver(config, _delivery("opened"))

    assert JiraSink().deliver(config, _delivery("escalated")).status == "delivered"
    assert len(jira.issues[0].comments) == 1
    empty = FakeJira()
    other = http_server(empty)
    waiting = JiraSink().deliver(_config(other.url), _delivery("escalated"))
    assert waiting.status == "failed" and "opened event" in (waiting.error or "")


def test_missing_credentials_and_refusals_say_what_to_fix(http_server: StartHttp) -> None:
    server = http_server(FakeJira())
    with pytest.raises(DeliveryError) as missing:
        JiraSink().deliver(_config(server.url), _delivery("opened", env={}))
    assert "CXGOV_JIRA_EMAIL" in str(missing.value) and not missing.value.retryable
    with pytest.raises(DeliveryError) as named:
        JiraSink().deliver(
            _config(server.url, email_env="MY_MAIL", token_env="MY_TOKEN"),
            _delivery("opened", env={"MY_MAIL": EMAIL}),
        )
    assert "MY_TOKEN" in str(named.value)
    with pytest.raises(DeliveryError) as wrong:
        JiraSink().deliver(
            _config(server.url),
            _delivery("opened", env={**ENV, "CXGOV_JIRA_TOKEN": "not-the-t0ken"}),
        )
    assert wrong.value.status == 401 and "API token" in str(wrong.value)
    assert "not-the-t0ken" not in str(wrong.value) and TOKEN not in str(wrong.value)
    with pytest.raises(DeliveryError) as project:
        JiraSink().deliver(
            SinkConfig.model_validate({"type": "jira", "site": server.url, "project": "cx team"}),
            _delivery("opened"),
        )
    assert "project key" in str(project.value) and not project.value.retryable


def test_a_workflow_without_a_done_transition_is_a_clear_rejection(
    http_server: StartHttp, monkeypatch: pytest.MonkeyPatch
) -> None:
    jira = FakeJira()
    server = http_server(jira)
    config = _config(server.url)
    JiraSink().deliver(config, _delivery("opened"))
    jira.issues[0].status = "In Progress"
    monkeypatch.setattr(jira_server, "_TRANSITIONS", [("11", "To Do")])
    with pytest.raises(DeliveryError) as refused:
        JiraSink().deliver(config, _delivery("verify_effective", earlier="CX-1"))
    assert "no transition to a status of category done" in str(refused.value)
    assert "Move to To Do" not in str(refused.value) and "To Do (new)" in str(refused.value)


def test_the_document_is_valid_adf_whatever_the_text_and_links_only_absolute_pages() -> None:
    action = ACTION
    page = "https://cx.example.org/objectives/o-nps.html"
    doc = issue_document(action, replace(EVENT, note="*bold* [link](x) @here"), "en", page)
    check_adf(doc)
    links = [
        mark["attrs"]["href"]
        for row in doc["content"][1]["content"]
        for cell in row["content"]
        for text in cell["content"][0]["content"]
        for mark in text.get("marks", [])
        if mark["type"] == "link"
    ]
    assert links == ["https://cx.example.org/objectives/o-nps.html"]
    assert "*bold* [link](x) @here" in adf_text(doc)
    lines = issue_document(action, replace(EVENT, note="eka rivi\n\ntoka rivi"), "fi")
    check_adf(lines)
    [note] = [p for p in lines["content"] if "eka rivi" in adf_text(p)]
    # the blank line stays a blank line: two breaks, no empty text node (Jira refuses those)
    assert [n["type"] for n in note["content"]] == [
        "text",
        "text",
        "hardBreak",
        "hardBreak",
        "text",
    ]
    relative = issue_document(ACTION, EVENT, "en", "objectives/o-nps.html")
    assert '"link"' not in str(relative).replace("'", '"')
    with pytest.raises(AdfError):
        check_adf(
            {
                "version": 1,
                "type": "doc",
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": ""}]}],
            }
        )


def test_summaries_fit_jira_and_labels_hold_no_spaces() -> None:
    long = replace(ACTION, objective="o-" + "x" * 400)
    assert len(issue_summary(long, "en")) == 255
    assert action_label("kahvi palvelu", 3) == "cxgov-kahvi_palvelu-3"


def test_a_decline_is_named_in_the_programs_language() -> None:
    decline = replace(ACTION, trigger="decline")
    assert issue_summary(decline, "fi") == (
        "[cxgov] o-nps (alue=Hämeenlinna): heikkeneminen — toimenpide 12"
    )
    assert issue_summary(decline, "en").endswith(": decline — action 12")
