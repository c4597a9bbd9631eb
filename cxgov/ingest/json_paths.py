"""Paths into JSON records, for the columns of `jsonl` and `json` sources.

A column of a JSON source names a key of the record, or a path into it:

- `values.QID1`: key `QID1` of the object under `values` (a Qualtrics response);
- `conversation_rating.rating` (an Intercom conversation);
- `answers[field.ref=nps].number`: in the array `answers`, the first element whose
  `field.ref` is `nps`, and its `number` (a Typeform response);
- `additional_answers[question.id=q2].value.scale` (a Delighted response);
- `answers[0].number`: the first element of an array (counted from 0).

A record that has the column's whole name as a key (`"values.QID1": 9` at its top level) reads
that key, as it always did. The path of a column that is missing from a record leaves the cell
empty, and `Lookup.missing` says which step found nothing, so a rejected row can name it.

Why not JSONPath or JMESPath: a column needs exactly one value, and the three shapes above are
all the survey APIs need; JMESPath writes the third as `answers[?field.ref=='nps'].number | [0]`,
quoting included, and neither library says at which step a path found nothing, which is what a
rejected row has to tell. The syntax here is a dozen lines, and every part of it is above.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cxgov.errors import UsageError


@dataclass(frozen=True, slots=True)
class _Key:
    name: str


@dataclass(frozen=True, slots=True)
class _Index:
    at: int


@dataclass(frozen=True, slots=True)
class _Where:
    """The first element of an array whose `path` has the text `equals`."""

    path: tuple[_Step, ...]
    equals: str


_Step = _Key | _Index | _Where

_SEGMENT = re.compile(r"(?P<name>[^.\[\]]+)(?P<selectors>(?:\[[^\[\]]*\])*)")
_SELECTOR = re.compile(r"\[([^\[\]]*)\]")


def parse(path: str) -> tuple[_Step, ...]:
    """The steps of `path`; a UsageError names what is wrong with it."""
    steps: list[_Step] = []
    for segment in _split(path):
        match = _SEGMENT.fullmatch(segment)
        if match is None:
            raise UsageError(
                f"JSON path {path!r}: {segment!r} is no key (a key, optionally followed by "
                "[index] or [sub.path=value])"
            )
        steps.append(_Key(match["name"].strip()))
        for selector in _SELECTOR.findall(match["selectors"]):
            steps.append(_selector(path, selector))
    return tuple(steps)


def _split(path: str) -> list[str]:
    """`path` split at the dots outside brackets."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(path):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "." and depth == 0:
            parts.append(path[start:at])
            start = at + 1
    parts.append(path[start:])
    if depth != 0 or any(not part.strip() for part in parts):
        raise UsageError(f"JSON path {path!r}: an empty key or an unclosed bracket")
    return parts


def _selector(path: str, selector: str) -> _Step:
    text = selector.strip()
    if re.fullmatch(r"\d+", text):
        return _Index(int(text))
    inner, equals, value = text.partition("=")
    if not equals or not inner.strip():
        raise UsageError(
            f"JSON path {path!r}: [{selector}] is neither an index ([0]) nor a match "
            "([field.ref=nps])"
        )
    return _Where(parse(inner.strip()), value.strip())


@dataclass(frozen=True, slots=True)
class Lookup:
    value: Any
    """What the path leads to; None when it leads nowhere (see `missing`) or to null."""
    missing: str | None = None
    """Where the path found nothing, in words; None when it was found."""


def _describe(step: _Step) -> str:
    if isinstance(step, _Key):
        return f"no key {step.name!r}"
    if isinstance(step, _Index):
        return f"no element [{step.at}]"
    return f"no element whose {_text(step.path)} is {step.equals!r}"


def _text(steps: Sequence[_Step]) -> str:
    out = ""
    for step in steps:
        if isinstance(step, _Key):
            out += ("." if out else "") + step.name
        elif isinstance(step, _Index):
            out += f"[{step.at}]"
        else:
            out += f"[{_text(step.path)}={step.equals}]"
    return out


def _walk(record: Any, steps: Sequence[_Step]) -> Lookup:
    value = record
    for done, step in enumerate(steps):
        found = _step(value, step)
        if found is _NOTHING:
            where = _text(steps[:done])
            return Lookup(None, _describe(step) + (f" in {where}" if where else ""))
        value = found
    return Lookup(value)


_NOTHING = object()


def _step(value: Any, step: _Step) -> Any:
    if isinstance(step, _Key):
        return value.get(step.name, _NOTHING) if isinstance(value, dict) else _NOTHING
    if not isinstance(value, list):
        return _NOTHING
    if isinstance(step, _Index):
        return value[step.at] if step.at < len(value) else _NOTHING
    for element in value:
        found = _walk(element, step.path)
        if found.missing is None and scalar_text(found.value) == step.equals:
            return element
    return _NOTHING


def scalar_text(value: Any) -> str:
    """A JSON scalar as a cell's text: null empty, true and false in lower case."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Column:
    """One column of a JSON source: a key, or a path when the name is one."""

    __slots__ = ("name", "steps")

    def __init__(self, name: str) -> None:
        self.name = name
        self.steps = parse(name) if ("." in name or "[" in name) else (_Key(name),)

    def lookup(self, record: dict[str, Any]) -> Lookup:
        if self.name in record:
            return Lookup(record[self.name])
        return _walk(record, self.steps)

    def replace(self, record: dict[str, Any], value: str) -> None:
        """Set what the path leads to in `record` (the customer id, replaced by its key)."""
        if self.name in record:
            record[self.name] = value
            return
        *leading, last = self.steps
        found = _walk(record, leading)
        holder = found.value
        if found.missing is not None:
            return
        if isinstance(last, _Key) and isinstance(holder, dict) and last.name in holder:
            holder[last.name] = value
        elif isinstance(last, _Index) and isinstance(holder, list) and last.at < len(holder):
            holder[last.at] = value


def keyed_record(raw: str, column: Column, value: str) -> str:
    """The record's text with the value at `column` replaced."""
    record = json.loads(raw)
    if isinstance(record, dict):
        column.replace(record, value)
    return json.dumps(record, ensure_ascii=False)
