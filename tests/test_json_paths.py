"""The path syntax of JSON source columns: each form, where a path finds nothing, bad paths."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from cxgov.api import validate
from cxgov.errors import UsageError
from cxgov.ingest.json_paths import Column, keyed_record
from cxgov.model import Source
from cxgov.reference import WORKBOOKS_AND_JSON
from tests.conftest import FIXTURES

RECORD = {
    "id": "r1",
    "values": {"QID1": 9, "recordedDate": "2026-03-01T09:15:40Z"},
    "answers": [
        {"field": {"ref": "nps"}, "number": 10},
        {"field": {"ref": "why"}, "text": "Hyvä"},
        {"field": {"ref": "ok"}, "boolean": True},
    ],
    "values.QID1": "a top-level key with a dot",
    "rating": None,
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("id", "r1"),
        ("values.recordedDate", "2026-03-01T09:15:40Z"),
        ("answers[field.ref=nps].number", 10),
        ("answers[field.ref=why].text", "Hyvä"),
        ("answers[ field.ref = ok ].boolean", True),
        ("answers[1].text", "Hyvä"),
        # a key the record has whole comes first: what a flat JSONL export always read
        ("values.QID1", "a top-level key with a dot"),
        ("rating", None),
    ],
)
def test_a_path_finds_its_value(path: str, value: object) -> None:
    found = Column(path).lookup(RECORD)
    assert (found.value, found.missing) == (value, None)


@pytest.mark.parametrize(
    ("path", "missing"),
    [
        ("score", "no key 'score'"),
        ("values.QID2", "no key 'QID2' in values"),
        ("answers[field.ref=ces].number", "no element whose field.ref is 'ces' in answers"),
        ("answers[7].number", "no element [7] in answers"),
        ("answers[field.ref=why].number", "no key 'number' in answers[field.ref=why]"),
        ("id.first", "no key 'first' in id"),
        ("values[0]", "no element [0] in values"),
    ],
)
def test_a_path_that_finds_nothing_says_where(path: str, missing: str) -> None:
    found = Column(path).lookup(RECORD)
    assert (found.value, found.missing) == (None, missing)


@pytest.mark.parametrize(
    "path", ["answers[field.ref=nps", "values..QID1", "answers[nps].number", "answers[=x]", "."]
)
def test_a_malformed_path_is_a_usage_error(path: str) -> None:
    with pytest.raises(UsageError, match="JSON path"):
        Column(path)


def test_the_value_at_a_path_is_replaced_in_the_records_text() -> None:
    raw = json.dumps({"rating": {"contact": {"id": "secret"}}, "id": "c1"})
    kept = json.loads(keyed_record(raw, Column("rating.contact.id"), "KEY"))
    assert kept == {"rating": {"contact": {"id": "KEY"}}, "id": "c1"}
    untouched = keyed_record(raw, Column("rating.customer.id"), "KEY")
    assert json.loads(untouched) == json.loads(raw)


def test_the_documented_sources_are_valid_sources() -> None:
    """The program snippets of docs/format.md's workbook and JSON sections load as sources."""
    snippets = re.findall(r"```yaml\n(.*?)```", WORKBOOKS_AND_JSON, re.DOTALL)
    sources = []
    for snippet in snippets:
        loaded = yaml.safe_load(snippet)
        for entry in loaded["sources"] if isinstance(loaded, dict) else loaded:
            source = Source.model_validate(entry)
            for column in [*source.values, *source.columns.model_dump().values()]:
                if isinstance(column, str) and source.format.value.startswith("json"):
                    Column(column)  # each path parses
            sources.append(source.format.value)
    assert sources == ["xlsx", "xlsx", "json", "json", "json", "jsonl"]


def test_validate_names_a_malformed_path_at_its_source(tmp_path: Path) -> None:
    program = tmp_path / "shop"
    shutil.copytree(FIXTURES / "shop", program)
    text = (program / "program.yaml").read_text(encoding="utf-8")
    text += (
        "  - id: typeform\n"
        "    format: jsonl\n"
        "    layout: wide\n"
        "    path: data/typeform*.jsonl\n"
        "    columns: {response_id: response_id, collected_at: submitted_at}\n"
        '    values: {"answers[field.ref=nps.number": mp-nps}\n'
    )
    (program / "program.yaml").write_text(text, encoding="utf-8")
    result = validate([str(program)])
    [error] = [d for d in result.diagnostics if "JSON path" in d.message]
    assert "'answers[field.ref=nps.number': an empty key or an unclosed bracket" in error.message
    assert error.file.endswith("program.yaml") and error.line == text.count("\n") - 5


@pytest.mark.parametrize("path", ["a[0]x", "a[b[0]=1]", "a.b]c", "a[0]]"])
def test_a_segment_that_is_no_key_and_selectors_is_refused(path: str) -> None:
    with pytest.raises(UsageError, match="JSON path"):
        Column(path)
