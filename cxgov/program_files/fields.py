"""pydantic validation errors -> diagnostics at the YAML place they concern."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from cxgov.diagnostics import Diagnostic, Location
from cxgov.program_files.documents import PathElement, YamlDocument

_CODES = {
    "missing": "CXG011",
    "extra_forbidden": "CXG012",
    "enum": "CXG013",
    "literal_error": "CXG013",
    "value_error": "CXG015",
    "assertion_error": "CXG015",
}
_DATE_ERRORS = frozenset(
    {
        "date_type",
        "date_parsing",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
        "datetime_type",
        "datetime_parsing",
        "datetime_from_date_parsing",
        "datetime_object_invalid",
    }
)
_KEY_MARKER = "[key]"
DATE_HINT = "write dates as YYYY-MM-DD, e.g. 2026-09-01"


def did_you_mean(word: str, candidates: Sequence[str], *, ignore_case: bool = False) -> str | None:
    """A hint naming the closest candidate (as the candidate is written), or None when
    nothing is close."""
    if ignore_case:
        written = {c.casefold(): c for c in candidates}
        close = difflib.get_close_matches(word.casefold(), list(written), n=1, cutoff=0.6)
        return f"did you mean '{written[close[0]]}'?" if close else None
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _walk_data(data: Any, loc: Sequence[Any]) -> tuple[list[PathElement], bool]:
    """The part of `loc` that exists in the data (dropping union-member tags pydantic adds),
    and whether the error concerns a mapping key."""
    path: list[PathElement] = []
    current = data
    is_key = False
    for element in loc:
        if element == _KEY_MARKER:
            is_key = True
            continue
        in_mapping = isinstance(current, dict) and element in current
        in_list = isinstance(current, list) and isinstance(element, int)
        if in_mapping or (in_list and 0 <= element < len(current)):
            path.append(element)
            current = current[element]
        elif isinstance(current, dict) and element not in current and isinstance(element, str):
            # a missing or unknown key: keep it if it is the last data element
            remaining = [e for e in loc[loc.index(element) + 1 :] if e != _KEY_MARKER]
            if not remaining or all(_is_type_tag(e) for e in remaining):
                if not _is_type_tag(element):
                    path.append(element)
                break
    return path, is_key


def _is_type_tag(element: Any) -> bool:
    return isinstance(element, str) and (
        element[:1].islower() and ("[" in element or element in _TYPE_TAGS)
    )


_TYPE_TAGS = frozenset({"str", "int", "float", "bool", "date", "datetime", "list", "dict", "tuple"})


def _field_names(model: type[BaseModel], path: Sequence[PathElement]) -> list[str]:
    """Keys allowed at `path` below `model`, for "did you mean" hints."""
    current: Any = model
    for element in path:
        if isinstance(element, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(element)
        if field is None:
            return []
        current = _inner_model(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, tuple, list):
        for arg in typing.get_args(annotation):
            inner = _inner_model(arg)
            if inner is not None:
                return inner
    return None


def _display_path(prefix: str, path: Sequence[PathElement]) -> str:
    text = prefix
    for element in path:
        text += f"[{element}]" if isinstance(element, int) else (f".{element}" if text else element)
    return text


def validation_diagnostics(
    exc: ValidationError,
    *,
    model: type[BaseModel],
    data: Any,
    document: YamlDocument,
    base: tuple[PathElement, ...],
    label: str,
) -> list[Diagnostic]:
    """Diagnostics for one item's validation errors.

    `data` is the item as loaded, `base` its path inside `document`, `label` how messages
    name it (for example "objective 'nps-q1'").
    """
    grouped: dict[tuple[str, tuple[PathElement, ...], bool], list[str]] = {}
    errors = exc.errors(include_url=False)
    for error in errors:
        if error["type"] == "too_short" and _has_deeper(error, errors):
            continue  # pydantic's length check also fails when all the items were invalid
        code, message = _message(error, model, data)
        path, is_key = _walk_data(data, error["loc"])
        is_key = is_key or error["type"] == "extra_forbidden"
        grouped.setdefault((code, tuple(path), is_key), []).append(message)
    diagnostics = []
    for (code, item_path, is_key), messages in grouped.items():
        locate_path: tuple[PathElement, ...] = (*base, *item_path)
        if code == "CXG011":
            locate_path = locate_path[:-1]
        location: Location = document.locate(locate_path, key=is_key)
        shown = item_path[:-1] if code in ("CXG011", "CXG012") else item_path
        where = _display_path("", shown)
        text = " or ".join(dict.fromkeys(m for m, _ in (_split_hint(x) for x in messages)))
        hints = [h for _, h in (_split_hint(x) for x in messages) if h]
        prefix = f"{label}: {where}: " if where else f"{label}: "
        diagnostics.append(
            Diagnostic.at(location, code, prefix + text, hint=hints[0] if hints else None)
        )
    return diagnostics


def _has_deeper(error: ErrorDetails, errors: list[ErrorDetails]) -> bool:
    loc = error["loc"]
    return any(len(e["loc"]) > len(loc) and e["loc"][: len(loc)] == loc for e in errors)


def _split_hint(message: str) -> tuple[str, str | None]:
    text, _, hint = message.partition("\x00")
    return text, hint or None


def _message(error: ErrorDetails, model: type[BaseModel], data: Any) -> tuple[str, str]:
    kind = error["type"]
    loc = [e for e in error["loc"] if e != _KEY_MARKER]
    if kind == "missing":
        return "CXG011", f"missing required key '{loc[-1]}'"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        path, _ = _walk_data(data, error["loc"][:-1])
        hint = did_you_mean(key, _field_names(model, path))
        return "CXG012", f"unknown key '{key}'" + (f"\x00{hint}" if hint else "")
    message = error["msg"]
    if kind in ("value_error", "assertion_error"):
        message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return "CXG015", message
    if kind == "string_pattern_mismatch":
        return "CXG010", (
            f"{_describe(error['input'])} is not a valid id: use letters, digits, '-', '_' "
            "and '.', starting with a letter or digit"
        )
    if kind in _DATE_ERRORS:
        # pydantic says "Input should be a valid date, <reason>": the reason is what helps
        reason = message.partition(", ")[2]
        because = f": {reason}" if reason else ""
        return "CXG014", f"{_describe(error['input'])} is not a date{because}\x00{DATE_HINT}"
    return _CODES.get(kind, "CXG010"), f"{message}, got {_describe(error['input'])}"
