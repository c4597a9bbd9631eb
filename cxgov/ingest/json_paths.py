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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cxgov.errors import UsageError
from cxgov.model.json_path import Index, Key, Step, is_path
from cxgov.model.json_path import parse as parse_path


def parse(path: str) -> tuple[Step, ...]:
    """The steps of `path`; a UsageError names what is wrong with it."""
    try:
        return parse_path(path)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class Lookup:
    value: Any
    """What the path leads to; None when it leads nowhere (see `missing`) or to null."""
    missing: str | None = None
    """Where the path found nothing, in words; None when it was found."""


def _describe(step: Step) -> str:
    if isinstance(step, Key):
        return f"no key {step.name!r}"
    if isinstance(step, Index):
        return f"no element [{step.at}]"
    return f"no element whose {_text(step.path)} is {step.equals!r}"


def _text(steps: Sequence[Step]) -> str:
    out = ""
    for step in steps:
        if isinstance(step, Key):
            out += ("." if out else "") + step.name
        elif isinstance(step, Index):
            out += f"[{step.at}]"
        else:
            out += f"[{_text(step.path)}={step.equals}]"
    return out


def _walk(record: Any, steps: Sequence[Step]) -> Lookup:
    value = record
    for done, step in enumerate(steps):
        found = _step(value, step)
        if found is _NOTHING:
            where = _text(steps[:done])
            return Lookup(None, _describe(step) + (f" in {where}" if where else ""))
        value = found
    return Lookup(value)


_NOTHING = object()


def _step(value: Any, step: Step) -> Any:
    if isinstance(step, Key):
        return value.get(step.name, _NOTHING) if isinstance(value, dict) else _NOTHING
    if not isinstance(value, list):
        return _NOTHING
    if isinstance(step, Index):
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
        self.steps = parse(name) if is_path(name) else (Key(name),)

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
        if isinstance(last, Key) and isinstance(holder, dict) and last.name in holder:
            holder[last.name] = value
        elif isinstance(last, Index) and isinstance(holder, list) and last.at < len(holder):
            holder[last.at] = value


def keyed_record(raw: str, column: Column, value: str) -> str:
    """The record's text with the value at `column` replaced."""
    record = json.loads(raw)
    if isinstance(record, dict):
        column.replace(record, value)
    return json.dumps(record, ensure_ascii=False)
