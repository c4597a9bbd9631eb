"""YAML files -> plain data, safely, with a way back from a data path to file:line:column.

PyYAML's C parser composes the node tree (fast, no Python objects are built from tags);
the node tree is then turned into plain data here rather than by PyYAML's constructor,
because the constructor silently keeps the last of duplicate keys, expands alias bombs,
and forgets where each value came from. The node tree is kept, so a data path can be
mapped to a line and column only when a diagnostic needs it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from cxgov.diagnostics import Diagnostic, Location

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is present in every supported install
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_PROGRAM_BYTES = 10 * 1024 * 1024
"""All of one program's YAML files together: about 0.9 GiB of memory to validate
(bench/bench_validate_limits.py); real programs are well under a megabyte."""
MAX_DEPTH = 64
MAX_EXPANDED_NODES = 1_000_000
# libyaml's composer recurses in C; a pathologically deep document crashes the process.
# Depth cannot exceed the count of these characters, so only suspicious files are pre-scanned.
_DEPTH_PRESCAN_THRESHOLD = 5_000

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

_constructor = yaml.constructor.SafeConstructor()
_SCALAR_BUILDERS = {
    _INT: _constructor.construct_yaml_int,
    _FLOAT: _constructor.construct_yaml_float,
    _BOOL: _constructor.construct_yaml_bool,
    _NULL: _constructor.construct_yaml_null,
    _TIMESTAMP: _constructor.construct_yaml_timestamp,
}

PathElement = str | int
DataPath = Sequence[PathElement]


_KeyIndex = tuple[dict[str, tuple[Node, Node]], list[Node]]
"""A mapping node's plain keys (text -> first key node and its value) and its merge sources."""


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """One parsed file: its data and the node tree that locates each value."""

    path: str
    data: Any
    root: Node | None
    digest: str = ""
    """SHA-256 of the file's bytes, taken while they are in memory (a run names the program
    content it judged without reading the files again)."""
    _keys: dict[int, _KeyIndex] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Key indexes of the mapping nodes `locate` has passed through, by node id (the nodes
    live as long as `root`), so locating many values in one file does not rescan mappings."""

    def locate(self, path: DataPath, *, key: bool = False) -> Location:
        """The place of the value at `path` (or of its key, with `key=True`).

        Falls back to the deepest ancestor that exists, so a missing key points at
        the mapping that should hold it.
        """
        node = self.root
        mark_node = node
        for element in path:
            if node is None:
                break
            found = _child(node, element, self._keys)
            if found is None:
                break
            key_node, node = found
            mark_node = key_node if (key and element == path[-1] and key_node) else node
        if mark_node is None:
            return Location(self.path, 1, 1)
        mark = mark_node.start_mark
        return Location(self.path, mark.line + 1, mark.column + 1)


def _child(
    node: Node, element: PathElement, indexes: dict[int, _KeyIndex]
) -> tuple[Node | None, Node] | None:
    if isinstance(node, SequenceNode) and isinstance(element, int):
        if 0 <= element < len(node.value):
            return None, node.value[element]
        return None
    if isinstance(node, MappingNode):
        index = indexes.get(id(node))
        if index is None:
            index = indexes[id(node)] = _key_index(node)
        keys, merged = index
        # a key matches when its text equals the element's (so the int 2 finds the key "2")
        found = keys.get(element if isinstance(element, str) else str(element))
        if found is not None:
            return found
        for source in merged:
            sources = source.value if isinstance(source, SequenceNode) else [source]
            for mapping in sources:
                found_merged = _child(mapping, element, indexes)
                if found_merged is not None:
                    return found_merged
    return None


def _key_index(node: MappingNode) -> _KeyIndex:
    """The first of each plain key (explicit keys win over merged ones) and the merge sources."""
    keys: dict[str, tuple[Node, Node]] = {}
    merged: list[Node] = []
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:
            merged.append(value_node)
        elif isinstance(key_node, ScalarNode):
            keys.setdefault(key_node.value, (key_node, value_node))
    return keys, merged


class _LoadError(Exception):
    def __init__(
        self,
        code: str,
        message: str,
        node: Node | None,
        *,
        first: Node | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.node = node
        self.hint = hint
        self.first = first
        """For a repeat: the node it repeats, whose place the message names too."""


class _NotPlain(Exception):
    """The quick pass met something only the careful one handles (see `_Builder.build`)."""


class _Builder:
    """Turns a composed node tree into plain Python data, enforcing the safety limits."""

    def __init__(self) -> None:
        self._built: dict[int, Any] = {}
        self._size: dict[int, int] = {}
        self._active: set[int] = set()
        self._count = 0
        self._aliased = False
        # Duplicate keys and unsupported tags are reported but not fatal: one run lists them all.
        self.problems: list[_LoadError] = []

    def build(self, root: Node) -> Any:
        """The data of the tree, after checking its nesting and expanded size.

        Nearly every program file is a plain tree: no anchors, aliases, merges, duplicate keys
        or invalid keys, and far from the limits. Such a tree is built in one quick pass that
        counts its nodes and depths as it goes. Anything else stops that pass, and the tree is
        built again carefully: first the expansion check, then the build, each with its own
        errors, so the result is the same either way.
        """
        try:
            return self._build_plain(root, 0)
        except (_NotPlain, _LoadError, TypeError):
            self._built.clear()
            self.problems.clear()
        self._check_expansion(root, 0)
        return self._build(root)

    def _build_plain(self, node: Node, depth: int) -> Any:
        self._count += 1
        if depth > MAX_DEPTH or self._count > MAX_EXPANDED_NODES:
            raise _NotPlain
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        key = id(node)
        if key in self._built:  # an alias
            raise _NotPlain
        if node.tag not in (_SEQ, _MAP):
            self.problems.append(_LoadError("CXG001", f"unsupported YAML tag {node.tag!r}", node))
        value: Any
        if isinstance(node, SequenceNode):
            value = [self._build_plain(item, depth + 1) for item in node.value]
        elif isinstance(node, MappingNode):
            value = {}
            for key_node, value_node in node.value:
                self._count += 1
                if (
                    key_node.tag == _MERGE
                    or not isinstance(key_node, ScalarNode)
                    or depth + 1 > MAX_DEPTH
                    or self._count > MAX_EXPANDED_NODES
                ):
                    raise _NotPlain
                k = self._scalar(key_node)
                if not isinstance(k, str | int | float | bool) and k is not None:
                    k = str(key_node.value)
                if k in value:  # a duplicate, whose value the careful pass still checks
                    raise _NotPlain
                value[k] = self._build_plain(value_node, depth + 1)
        else:
            raise _NotPlain
        self._built[key] = value
        return value

    def _check_expansion(self, node: Node, depth: int) -> int:
        """Size of the tree once aliases are expanded (memoised, so shared nodes cost once)."""
        key = id(node)
        known = self._size.get(key)
        if known is not None:  # a node met twice: an alias to it
            self._aliased = True
            return known
        if depth > MAX_DEPTH:
            raise _LoadError("CXG003", f"nesting deeper than {MAX_DEPTH} levels", node)
        if key in self._active:
            raise _LoadError("CXG003", "an alias refers to its own anchor (recursive data)", node)
        size = 1
        if isinstance(node, ScalarNode):
            pass
        else:
            self._active.add(key)
            if isinstance(node, SequenceNode):
                for item in node.value:
                    size += self._check_expansion(item, depth + 1)
            else:
                for key_node, value_node in node.value:
                    size += self._check_expansion(key_node, depth + 1)
                    size += self._check_expansion(value_node, depth + 1)
            self._active.discard(key)
        if size > MAX_EXPANDED_NODES and not self._aliased:
            raise _LoadError(
                "CXG005",
                f"file holds more than {MAX_EXPANDED_NODES:,} values, over the limit for one "
                "program file: it is too large to be configuration",
                node,
                hint="split it into several files of the program folder, or keep data files "
                "out of it",
            )
        if size > MAX_EXPANDED_NODES:
            raise _LoadError(
                "CXG003",
                f"aliases expand this document beyond {MAX_EXPANDED_NODES:,} values "
                "(an alias-expansion bomb?)",
                node,
            )
        self._size[key] = size
        return size

    def _build(self, node: Node) -> Any:
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        key = id(node)
        if key in self._built:
            return self._built[key]
        if node.tag not in (_SEQ, _MAP):
            self.problems.append(_LoadError("CXG001", f"unsupported YAML tag {node.tag!r}", node))
        value: Any
        if isinstance(node, SequenceNode):
            value = [self._build(item) for item in node.value]
        elif isinstance(node, MappingNode):
            value = self._mapping(node)
        else:
            raise _LoadError("CXG001", f"unexpected YAML node {type(node).__name__}", node)
        self._built[key] = value
        return value

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        builder = _SCALAR_BUILDERS.get(tag)
        if builder is None:
            self.problems.append(_LoadError("CXG001", f"unsupported YAML tag {tag!r}", node))
            return node.value
        try:
            return builder(node)
        except (ValueError, OverflowError):
            # e.g. 2025-13-01: kept as text, so the model reports it as a bad date in context
            return node.value
        except (AttributeError, KeyError, TypeError, IndexError):
            # An explicit tag on a value it cannot hold (`!!bool maybe`, `!!timestamp hello`,
            # an empty `!!int`):
            # PyYAML's constructors assume the resolver matched the value first and fail
            # with whatever error their lookup raises.
            short = tag.replace("tag:yaml.org,2002:", "!!")
            self.problems.append(
                _LoadError("CXG001", f"{node.value!r} is not a valid {short} value", node)
            )
            return node.value

    def _mapping(self, node: MappingNode) -> dict[Any, Any]:
        explicit: dict[Any, Any] = {}
        first_keys: dict[Any, Node] = {}
        merged: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                for source in self._merge_sources(value_node):
                    for k, v in source.items():
                        merged.setdefault(k, v)
                continue
            if not isinstance(key_node, ScalarNode):
                raise _LoadError("CXG001", "a mapping key must be a plain value", key_node)
            k = self._scalar(key_node)
            if not isinstance(k, str | int | float | bool) and k is not None:
                k = str(key_node.value)
            if k in explicit:
                self.problems.append(
                    _LoadError(
                        "CXG002",
                        f"duplicate key {k!r} in this mapping",
                        key_node,
                        first=first_keys.get(k),
                    )
                )
                continue
            first_keys[k] = key_node
            try:
                explicit[k] = self._build(value_node)
            except TypeError as exc:  # an unhashable key such as a list
                raise _LoadError("CXG001", f"invalid mapping key: {exc}", key_node) from exc
        if merged:
            merged.update(explicit)
            return merged
        return explicit

    def _merge_sources(self, node: Node) -> list[dict[Any, Any]]:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        result = []
        for source in sources:
            if not isinstance(source, MappingNode):
                raise _LoadError("CXG001", "'<<' merges only mappings", source)
            result.append(self._mapping(source))
        return result


def _exceeds_depth(text: str) -> bool:
    """Whether the document nests deeper than MAX_DEPTH (by events: nothing recurses).

    Only files with enough nesting characters are scanned, with libyaml's fast parser. A
    libyaml error here is no verdict: libyaml 0.2.5 and newer stop at a nesting limit of their
    own (1000) with a syntax error, older builds have none, so the depth is then decided by
    `_nests_deeper_than_allowed`, which does not depend on the libyaml build.
    """
    bound = sum(text.count(c) for c in "[{-?") + text.count("\n")
    if bound < _DEPTH_PRESCAN_THRESHOLD:
        return False
    try:
        return _deeper_than_allowed(yaml.parse(text, Loader=_Loader))
    except yaml.YAMLError:
        return _nests_deeper_than_allowed(text)


def _nests_deeper_than_allowed(text: str) -> bool:
    """The depth check by PyYAML's pure-Python parser, which has no nesting limit of its own
    and stops here at MAX_DEPTH + 1 levels; a syntax error before that depth is no depth
    problem (the caller reports it as a syntax error)."""
    try:
        return _deeper_than_allowed(yaml.parse(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return False


def _deeper_than_allowed(events: Iterator[yaml.Event]) -> bool:
    depth = 0
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return False


def _offset_location(path: str, data: bytes, offset: int) -> Location:
    head = data[:offset]
    line = head.count(b"\n") + 1
    column = offset - (head.rfind(b"\n") + 1) + 1
    return Location(path, line, column)


def _mark_location(path: str, exc: yaml.MarkedYAMLError) -> Location:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return Location(path, 1, 1)
    return Location(path, mark.line + 1, mark.column + 1)


def load_yaml(
    path: str, *, max_bytes: int = MAX_FILE_BYTES
) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Parse one file. Never raises for bad content: problems come back as diagnostics."""
    try:
        size = Path(path).stat().st_size
        if size > max_bytes:
            return None, [
                Diagnostic.at(
                    Location(path, 1, 1),
                    "CXG005",
                    f"file is {size:,} bytes, over the {max_bytes:,}-byte limit for program files",
                    hint="split it into several files of the program folder, or keep data "
                    "files out of it",
                )
            ]
        raw = Path(path).read_bytes()
    except OSError as exc:
        return None, [Diagnostic.at(Location(path), "CXG005", f"cannot read file: {exc.strerror}")]
    return parse_yaml(path, raw)


def parse_yaml(path: str, raw: bytes) -> tuple[YamlDocument | None, list[Diagnostic]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [
            Diagnostic.at(
                _offset_location(path, raw, exc.start),
                "CXG004",
                f"file is not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
                hint="save the file as UTF-8",
            )
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        offset = raw.index(b"\x00")
        return None, [
            Diagnostic.at(_offset_location(path, raw, offset), "CXG004", "file contains NUL bytes")
        ]
    too_deep = [
        Diagnostic.at(Location(path, 1, 1), "CXG003", f"nesting deeper than {MAX_DEPTH} levels")
    ]
    try:
        if _exceeds_depth(text):
            return None, too_deep
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        if _nests_deeper_than_allowed(text):  # libyaml's own nesting limit, met first
            return None, too_deep
        return None, [_syntax_error(path, text, exc)]
    except yaml.YAMLError as exc:
        return None, [Diagnostic.at(Location(path, 1, 1), "CXG001", f"YAML error: {exc}")]
    except RecursionError:
        # PyYAML's pure-Python composer (no libyaml) recurses per level, below the pre-scan
        return None, too_deep
    if root is None:
        return YamlDocument(path, None, None, hashlib.sha256(raw).hexdigest()), []
    builder = _Builder()
    try:
        data = builder.build(root)
    except _LoadError as exc:
        return None, [_error_diagnostic(path, exc, root)]
    duplicates = [_error_diagnostic(path, exc, root) for exc in builder.problems]
    return YamlDocument(path, data, root, hashlib.sha256(raw).hexdigest()), duplicates


def _node_location(path: str, node: Node) -> Location:
    return Location(path, node.start_mark.line + 1, node.start_mark.column + 1)


def _error_diagnostic(path: str, exc: _LoadError, root: Node) -> Diagnostic:
    location = _node_location(path, exc.node or root)
    if exc.first is None:
        return Diagnostic.at(location, exc.code, exc.message, hint=exc.hint)
    # both places, in this file: the first (whose value counts) and the repeat
    first = exc.first.start_mark
    return Diagnostic.at(
        location,
        exc.code,
        f"{exc.message}: first at {first.line + 1}:{first.column + 1}, "
        f"repeated at {location.line}:{location.column}",
        hint="keep one of them",
    )


def _first_tab(text: str, last_line: int) -> Location | None:
    """The first tab in the indentation of lines 1..`last_line` (0-based), if any.

    libyaml stops at a tab with messages that never say "tab" ("found character that cannot
    start any token"); YAML indents with spaces only, so a tab in the indentation at or
    before the place the parser stopped is the mistake to name.
    """
    for number, line in enumerate(text.split("\n")[: last_line + 1]):
        indentation = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indentation:
            return Location("", number + 1, indentation.index("\t") + 1)
    return None


def _syntax_error(path: str, text: str, exc: yaml.MarkedYAMLError) -> Diagnostic:
    location = _mark_location(path, exc)
    tab = _first_tab(text, location.line - 1)
    if tab is not None:
        at = Location(path, tab.line, tab.column)
        return Diagnostic.at(
            at,
            "CXG001",
            f"YAML syntax error: a tab character at {tab.line}:{tab.column}; "
            "YAML does not accept tabs for indentation",
            hint="indent with spaces",
        )
    problem = exc.problem or str(exc)
    if exc.context:
        problem = f"{problem} ({exc.context})"
    return Diagnostic.at(location, "CXG001", f"YAML syntax error: {problem}")
