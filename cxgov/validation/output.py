"""Diagnostics rendered for people (text), programs (json), GitHub Actions and SARIF viewers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cxgov import __version__
from cxgov.diagnostics import Diagnostic, Severity
from cxgov.rules import RULES


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(programs: int, diagnostics: list[Diagnostic]) -> dict[str, int]:
    return {
        "programs": programs,
        "errors": sum(d.severity is Severity.ERROR for d in diagnostics),
        "warnings": sum(d.severity is Severity.WARNING for d in diagnostics),
    }


def format_text(diagnostics: list[Diagnostic], programs: int) -> str:
    """yamllint-style parsable lines, then a one-line summary."""
    lines = []
    for d in diagnostics:
        lines.append(f"{d.place}: {d.severity.value} {d.code} {d.full_message}")
    totals = summary(programs, diagnostics)
    lines.append(
        f"{_plural(totals['programs'], 'program')} checked: "
        f"{_plural(totals['errors'], 'error')}, {_plural(totals['warnings'], 'warning')}"
    )
    return "\n".join(lines) + "\n"


def format_json(diagnostics: list[Diagnostic], programs: int) -> str:
    document = {
        "diagnostics": [
            {
                "severity": d.severity.value,
                "code": d.code,
                "message": d.full_message,
                "file": d.file,
                "line": d.line,
                "column": d.column,
            }
            for d in diagnostics
        ],
        "summary": summary(programs, diagnostics),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostics: list[Diagnostic], programs: int) -> str:
    """GitHub Actions workflow commands: one annotation per diagnostic."""
    lines = []
    for d in diagnostics:
        props = [f"file={_escape_property(d.file)}"]
        if d.line:
            props += [f"line={d.line}", f"col={d.column}"]
        props.append(f"title={_escape_property(d.code)}")
        lines.append(f"::{d.severity.value} {','.join(props)}::{_escape_data(d.full_message)}")
    totals = summary(programs, diagnostics)
    lines.append(
        f"{_plural(totals['programs'], 'program')} checked: "
        f"{_plural(totals['errors'], 'error')}, {_plural(totals['warnings'], 'warning')}"
    )
    return "\n".join(lines) + "\n"


def format_sarif(diagnostics: list[Diagnostic], programs: int) -> str:
    """SARIF 2.1.0 with one reporting descriptor per registered rule (stable ruleIds)."""
    codes = sorted(RULES)
    rules = [
        {
            "id": code,
            "name": RULES[code].name,
            "shortDescription": {"text": RULES[code].summary},
            "fullDescription": {"text": RULES[code].doc},
            "defaultConfiguration": {"level": RULES[code].severity.value},
        }
        for code in codes
    ]
    results: list[dict[str, Any]] = []
    for d in diagnostics:
        physical: dict[str, Any] = {"artifactLocation": {"uri": d.file.replace("\\", "/")}}
        if d.line:
            physical["region"] = {"startLine": d.line, "startColumn": max(d.column, 1)}
        result: dict[str, Any] = {
            "ruleId": d.code,
            "level": d.severity.value,
            "message": {"text": d.full_message},
            "locations": [{"physicalLocation": physical}],
        }
        if d.code in RULES:
            result["ruleIndex"] = codes.index(d.code)
        results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cxgov",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


FORMATTERS: dict[str, Callable[[list[Diagnostic], int], str]] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
}
