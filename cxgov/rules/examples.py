"""Each rule's examples: program snippets that break it and that keep it.

One source for three readers: `cxgov rules CODE` shows the first failing and first passing
example of a rule, docs/rules.md is generated from the same, and the test suite runs every
example against the rules and checks the diagnostics it lists.

A case file `example_files/cases/CXGnnn.yaml` holds `rule: CXGnnn` and a list of `cases`;
each names files to add to (or, with `null`, remove from) the small valid program in
`example_files/base/`, and `expect`s the complete list of diagnostics the program then
produces (code, file, line). A case expecting nothing is a passing example; `max_bytes` lowers
the file-size limit for one case, `encodings` writes named files in another encoding (to
show a file that is not UTF-8), and `environment` checks the program in those environment
variables (as `cxgov validate --environment` does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

FILES: Traversable = resources.files("cxgov.rules") / "example_files"
BASE: Traversable = FILES / "base"
"""The small valid program every example adds its files to."""


@dataclass(frozen=True)
class Expected:
    """A diagnostic an example produces: its code and place."""

    code: str
    file: str
    line: int


@dataclass(frozen=True)
class RuleExample:
    """A program snippet for a rule: files added to the base program, and what they give."""

    rule: str
    name: str
    files: Mapping[str, str | None]
    expect: tuple[Expected, ...]
    max_bytes: int | None = None
    """Overrides the file-size limit, so the size rule can be shown with small files."""
    encodings: Mapping[str, str] | None = None
    environment: Mapping[str, str] | None = None
    """The environment the program is checked in (`cxgov validate --environment`), for the
    rules about it; None: not checked."""

    @property
    def failing(self) -> bool:
        return bool(self.expect)

    @property
    def id(self) -> str:
        return f"{self.rule}: {self.name}"


def _example(rule: str, raw: dict[str, Any]) -> RuleExample:
    expect = tuple(Expected(e["code"], e["file"], int(e["line"])) for e in raw.get("expect") or ())
    return RuleExample(
        rule,
        raw["name"],
        dict(raw.get("files") or {}),
        expect,
        raw.get("max_bytes"),
        raw.get("encodings"),
        raw.get("environment"),
    )


@cache
def all_examples() -> tuple[RuleExample, ...]:
    """Every rule's examples, by code, each rule's in the order of its case file."""
    found: list[RuleExample] = []
    cases = FILES / "cases"
    for entry in sorted(cases.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        document = yaml.safe_load(entry.read_text(encoding="utf-8"))
        code = entry.name.removesuffix(".yaml")
        if document["rule"] != code:
            raise ValueError(f"{entry.name}: rule {document['rule']} is not the file's name")
        found.extend(_example(code, raw) for raw in document["cases"])
    return tuple(found)


def examples_of(code: str) -> list[RuleExample]:
    return [example for example in all_examples() if example.rule == code]


def shown(code: str) -> list[RuleExample]:
    """The examples docs/rules.md and `cxgov rules CODE` show: the first failing one, then
    the first passing one."""
    examples = examples_of(code)
    picked = (
        next((e for e in examples if e.failing is failing), None) for failing in (True, False)
    )
    return [e for e in picked if e is not None]
