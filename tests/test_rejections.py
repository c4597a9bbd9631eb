"""The rejection registry: stable codes and names, messages that format, and every reason the
ingest code builds is one of them, built with the fields its template names."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from cxgov.ingest import rejections
from cxgov.ingest.readers import read_jsonl
from cxgov.ingest.rejections import REJECTIONS, Rejection

INGEST = Path(rejections.__file__).resolve().parent


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_codes_and_names_follow_the_scheme() -> None:
    groups = {"R00", "R01", "R02"}
    for code, rejection in REJECTIONS.items():
        assert rejection.code == code
        assert re.fullmatch(r"R\d{3}", code) and code[:3] in groups, code
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", rejection.name), rejection.name
        assert rejection.summary.endswith(".") and rejection.hint, code
    assert len({r.name for r in REJECTIONS.values()}) == len(REJECTIONS)


def test_every_example_fills_its_template() -> None:
    for rejection in REJECTIONS.values():
        assert set(rejection.example) == _fields(rejection.template), rejection.code
        assert rejection.example_text.startswith(f"{rejection.code} ")


def _reason_calls() -> list[tuple[str, str, set[str]]]:
    """(file, constant, keyword names) of each `CONSTANT.reason(...)` call in cxgov/ingest."""
    calls = []
    for path in sorted(INGEST.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "reason"
                and isinstance(node.func.value, ast.Name)
            ):
                assert not node.args, f"{path.name}:{node.lineno}: pass fields by name"
                names = {k.arg for k in node.keywords if k.arg is not None}
                calls.append((f"{path.name}:{node.lineno}", node.func.value.id, names))
    return calls


def test_every_reason_built_names_a_registered_rejection_and_its_fields() -> None:
    calls = [c for c in _reason_calls() if c[0].split(":")[0] != "rejections.py"]
    used = set()
    for where, constant, names in calls:
        rejection = getattr(rejections, constant, None)
        assert isinstance(rejection, Rejection), f"{where}: {constant} is not a rejection"
        assert names == _fields(rejection.template), f"{where}: {constant} fields"
        used.add(rejection.code)
    assert used == set(REJECTIONS), "a registered rejection that nothing builds"


def test_a_jsonl_line_that_is_json_but_no_object_says_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text('[1, 2]\n"text"\n{"id": "r1"}\n', encoding="utf-8")
    problems = [row.problem.text if row.problem else None for row in read_jsonl(path, ["id"])]
    assert problems == [
        "R003 not a JSON object (an array)",
        "R003 not a JSON object (a string)",
        None,
    ]
