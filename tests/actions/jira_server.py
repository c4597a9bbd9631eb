"""A fake Jira Cloud on 127.0.0.1 for the Jira sink's tests: it keeps issues, their labels,
comments and statuses, answers the REST API v3 calls the sink makes, checks basic auth and
refuses any description or comment that is not well-formed Atlassian Document Format."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.local_servers import Recorded, Reply, json_reply

EMAIL, TOKEN = "cx@example.org", "atl-token-1"

_BLOCKS = {"paragraph", "table"}
_MARKS = {"strong", "em", "code", "link"}
_CATEGORIES = {"To Do": "new", "In Progress": "indeterminate", "Done": "done"}
_TRANSITIONS = [("11", "To Do"), ("21", "In Progress"), ("31", "Done")]


class AdfError(ValueError):
    """A document Jira would refuse."""


def check_adf(doc: Any) -> None:
    """Raise AdfError unless `doc` is an ADF document of the nodes the sink may use: `doc`
    (version 1) of paragraphs and tables; table rows of header and data cells holding
    paragraphs; non-empty text nodes with known marks, a link's `href` absolute, and hard
    breaks."""
    if not isinstance(doc, Mapping) or doc.get("type") != "doc" or doc.get("version") != 1:
        raise AdfError("not a version 1 doc")
    for block in _content(doc, "doc"):
        if block.get("type") == "paragraph":
            _paragraph(block)
        elif block.get("type") == "table":
            for row in _content(block, "table"):
                if row.get("type") != "tableRow":
                    raise AdfError("a table holds tableRow nodes only")
                for cell in _content(row, "tableRow"):
                    if cell.get("type") not in ("tableHeader", "tableCell"):
                        raise AdfError("a row holds tableHeader and tableCell nodes only")
                    for inner in _content(cell, cell["type"]):
                        _paragraph(inner)
        else:
            raise AdfError(f"unexpected block node {block.get('type')!r}")


def _content(node: Mapping[str, Any], where: str) -> list[Mapping[str, Any]]:
    content = node.get("content")
    if not isinstance(content, list) or not all(isinstance(c, Mapping) for c in content):
        raise AdfError(f"{where} without a content list")
    if not content and where != "paragraph":
        raise AdfError(f"{where} with empty content")
    return content


def _paragraph(node: Mapping[str, Any]) -> None:
    if node.get("type") != "paragraph":
        raise AdfError(f"expected a paragraph, got {node.get('type')!r}")
    for text in _content(node, "paragraph"):
        if text.get("type") == "hardBreak" and set(text) == {"type"}:
            continue
        if text.get("type") != "text" or not isinstance(text.get("text"), str) or not text["text"]:
            raise AdfError("a paragraph holds non-empty text nodes only")
        for mark in text.get("marks", []):
            if mark.get("type") not in _MARKS:
                raise AdfError(f"unknown mark {mark.get('type')!r}")
            if mark["type"] == "link" and not re.match(
                r"https?://", str(mark.get("attrs", {}).get("href", ""))
            ):
                raise AdfError("a link without an absolute href")


def adf_text(doc: Mapping[str, Any]) -> str:
    """Every text node of a document, as one text."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            if node.get("type") == "text":
                found.append(str(node["text"]))
            for child in node.get("content", []):
                walk(child)

    walk(doc)
    return "".join(found)


@dataclass
class Issue:
    key: str
    fields: dict[str, Any]
    status: str = "To Do"
    comments: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FakeJira:
    project: str = "CX"
    issues: list[Issue] = field(default_factory=list)
    fail_after_create: list[int] = field(default_factory=list)
    """HTTP statuses to answer the next creates with, after creating the issue all the same."""

    def issue(self, key: str) -> Issue | None:
        return next((i for i in self.issues if i.key == key), None)

    def __call__(self, request: Recorded) -> Reply:
        expected = base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return json_reply(401, {"errorMessages": ["Unauthorized"]})
        body = json.loads(request.body) if request.body else None
        path = request.path.split("?")[0]
        if (request.method, path) == ("POST", "/rest/api/3/search/jql"):
            return self._search(body)
        if (request.method, path) == ("POST", "/rest/api/3/issue"):
            return self._create(body)
        found = re.fullmatch(r"/rest/api/3/issue/([A-Z]+-[0-9]+)(/comment|/transitions)?", path)
        issue = self.issue(found[1]) if found else None
        if found is None or issue is None:
            return json_reply(404, {"errorMessages": ["Issue does not exist"]})
        if (request.method, found[2]) == ("POST", "/comment"):
            try:
                check_adf(body["body"])
            except AdfError as error:
                return json_reply(400, {"errorMessages": [f"comment body: {error}"]})
            issue.comments.append(body["body"])
            return json_reply(201, {"id": str(len(issue.comments))})
        if (request.method, found[2]) == ("GET", None):
            category = _CATEGORIES[issue.status]
            return json_reply(
                200, {"key": issue.key, "fields": {"status": {"statusCategory": {"key": category}}}}
            )
        if (request.method, found[2]) == ("GET", "/transitions"):
            offered = [
                {
                    "id": t,
                    "name": f"Move to {n}",
                    "to": {"name": n, "statusCategory": {"key": _CATEGORIES[n]}},
                }
                for t, n in _TRANSITIONS
                if n != issue.status
            ]
            return json_reply(200, {"transitions": offered})
        if (request.method, found[2]) == ("POST", "/transitions"):
            issue.status = dict(_TRANSITIONS)[body["transition"]["id"]]
            return Reply(204)
        return json_reply(405, {"errorMessages": ["Method not allowed"]})

    def _search(self, body: Any) -> Reply:
        label = re.search(r'labels = "([^"]+)"', body["jql"])
        if label is None or f'project = "{self.project}"' not in body["jql"]:
            return json_reply(400, {"errorMessages": ["unexpected JQL"]})
        issues = [{"key": i.key} for i in self.issues if label[1] in i.fields["labels"]]
        return json_reply(200, {"issues": issues[: body.get("maxResults", 50)]})

    def _create(self, body: Any) -> Reply:
        fields = body["fields"]
        try:
            check_adf(fields["description"])
        except AdfError as error:
            return json_reply(400, {"errors": {"description": str(error)}})
        if fields["project"] != {"key": self.project}:
            return json_reply(400, {"errors": {"project": "project is required"}})
        if not fields["summary"] or len(fields["summary"]) > 255:
            return json_reply(400, {"errors": {"summary": "summary must be 1 to 255 characters"}})
        if any(" " in label for label in fields["labels"]):
            return json_reply(400, {"errors": {"labels": "a label cannot contain spaces"}})
        issue = Issue(f"{self.project}-{len(self.issues) + 1}", fields)
        self.issues.append(issue)
        if self.fail_after_create:
            return Reply(self.fail_after_create.pop(0), b"<html>Bad Gateway</html>")
        return json_reply(201, {"id": "1000", "key": issue.key, "self": "…"})
