"""The syntax of a path into a JSON record, as a JSON source's columns write it
(`values.QID1`, `answers[field.ref=nps].number`, `answers[0].number`): parsed here, with the
program, so `cxgov validate` names a malformed one at its source; cxgov/ingest/json_paths.py
follows a path through each record and explains why this syntax rather than JSONPath."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Key:
    name: str


@dataclass(frozen=True, slots=True)
class Index:
    at: int


@dataclass(frozen=True, slots=True)
class Where:
    """The first element of an array whose `path` has the text `equals`."""

    path: tuple[Step, ...]
    equals: str


Step = Key | Index | Where


def parse(path: str) -> tuple[Step, ...]:
    """The steps of `path`; a ValueError names what is wrong with it."""
    steps: list[Step] = []
    for segment in _split(path):
        steps += _segment(path, segment)
    return tuple(steps)


def _segment(path: str, segment: str) -> list[Step]:
    """A key and the selectors after it: `answers[field.ref=nps]`, `answers[0]`."""
    name, bracket, rest = segment.partition("[")
    rest = bracket + rest
    if not name.strip() or "]" in name:
        raise _no_key(path, segment)
    steps: list[Step] = [Key(name.strip())]
    while rest:
        inner, closed, after = rest[1:].partition("]")
        if not rest.startswith("[") or not closed or "[" in inner:
            raise _no_key(path, segment)
        steps.append(_selector(path, inner))
        rest = after
    return steps


def _no_key(path: str, segment: str) -> ValueError:
    return ValueError(
        f"JSON path {path!r}: {segment!r} is no key (a key, optionally followed by "
        "[index] or [sub.path=value])"
    )


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
        raise ValueError(f"JSON path {path!r}: an empty key or an unclosed bracket")
    return parts


def _selector(path: str, selector: str) -> Step:
    text = selector.strip()
    if text.isascii() and text.isdigit():
        return Index(int(text))
    inner, equals, value = text.partition("=")
    if not equals or not inner.strip():
        raise ValueError(
            f"JSON path {path!r}: [{selector}] is neither an index ([0]) nor a match "
            "([field.ref=nps])"
        )
    return Where(parse(inner.strip()), value.strip())


def is_path(name: str) -> bool:
    """Whether a column name is a path rather than a plain key."""
    return "." in name or "[" in name
