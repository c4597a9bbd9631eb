"""Program directories -> merged programs: discovery, file loading, section merging and
structural validation. Semantic rules run afterwards on the result (see cxgov.rules)."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from cxgov.diagnostics import Diagnostic, Location
from cxgov.errors import UsageError
from cxgov.model import SECTIONS, Program, ProgramSection, Section
from cxgov.program_files.documents import (
    MAX_FILE_BYTES,
    MAX_PROGRAM_BYTES,
    PathElement,
    YamlDocument,
    load_yaml,
)
from cxgov.program_files.fields import did_you_mean, validation_diagnostics

YAML_SUFFIXES = (".yaml", ".yml")
_PROGRAM_KEY = re.compile(rb"^program[ \t]*:", re.MULTILINE)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an item of a section was written: its file and its path inside that file."""

    document: YamlDocument
    path: tuple[PathElement, ...]

    def at(self, *sub: PathElement, key: bool = False) -> Location:
        return self.document.locate((*self.path, *sub), key=key)


@dataclass
class LoadedProgram:
    """A program directory after loading: the model (built from the valid items), where each
    item came from, and the problems found so far."""

    directory: str
    files: list[str]
    section: ProgramSection | None
    program: Program
    origins: dict[str, list[Origin]]
    """Section name -> one origin per item, parallel to the program's tuples."""
    section_origin: dict[str, Origin]
    """Origins of the mapping sections (program, contact_policy)."""
    broken_ids: dict[str, set[str]]
    """Section name -> ids of items that failed structural validation."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)
    """File path -> SHA-256 of its bytes as they were validated."""
    unreadable: list[str] = field(default_factory=list)
    """Files that could not be read, decoded or parsed: what they define is unknown."""
    unreadable_words: frozenset[str] = frozenset()
    """Every id-like word of the unreadable files, as far as their bytes can be read: an id
    among them may be defined there, so a reference to it is no mistake of its own."""

    @property
    def complete(self) -> bool:
        """Whether every file was read, so what the program lacks is really missing."""
        return not self.unreadable

    @property
    def content_hash(self) -> str:
        """One hash of the program's content: each file's path within the program and
        digest, in path order, so a run names exactly what it judged."""
        combined = hashlib.sha256()
        for path in sorted(self.digests, key=lambda p: os.path.relpath(p, self.directory)):
            combined.update(os.path.relpath(path, self.directory).encode() + b"\0")
            combined.update(self.digests[path].encode() + b"\n")
        return combined.hexdigest()

    @property
    def name(self) -> str:
        return (
            self.section.id if self.section else os.path.basename(os.path.normpath(self.directory))
        )


def _is_program_file(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return _PROGRAM_KEY.search(handle.read(MAX_FILE_BYTES)) is not None
    except OSError:
        return False


def _yaml_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*")
        if p.suffix in YAML_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )


def _display(given: str, directory: Path, path: Path) -> str:
    """A file's path as the user gave its folder, so messages match their command line."""
    return (
        os.path.join(given, str(path.relative_to(directory)))
        if given != "."
        else str(path.relative_to(directory))
    )


def discover(paths: list[str]) -> tuple[list[tuple[str, list[str]]], list[Diagnostic]]:
    """Program directories under `paths` with their YAML files (display paths).

    A path is a program directory when a YAML file in it has a top-level `program` key;
    otherwise its subdirectories are searched for programs.
    """
    found: list[tuple[str, list[str]]] = []
    diagnostics: list[Diagnostic] = []
    for given in paths:
        root = Path(given)
        if not root.exists():
            raise UsageError(f"path does not exist: {given}")
        if root.is_file():
            given = os.path.dirname(given) or "."
            root = Path(given)
        before = len(found)
        _search(given, root, found)
        if len(found) == before:
            diagnostics.append(
                Diagnostic.at(
                    Location(given),
                    "CXG008",
                    "no program found here: no YAML file with a top-level `program` section",
                )
            )
    return found, diagnostics


def _search(given: str, directory: Path, found: list[tuple[str, list[str]]]) -> None:
    files = _yaml_files(directory)
    if any(_is_program_file(p) for p in files if p.parent == directory):
        found.append((given, [_display(given, directory, p) for p in files]))
        return
    for child in sorted(
        p for p in directory.iterdir() if p.is_dir() and not p.name.startswith(".")
    ):
        _search(os.path.join(given, child.name) if given != "." else child.name, child, found)


def load_program(
    directory: str,
    files: list[str],
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_program_bytes: int = MAX_PROGRAM_BYTES,
) -> LoadedProgram:
    """Load, merge and structurally validate one program's files."""
    too_large = _over_program_limit(files, max_program_bytes)
    diagnostics: list[Diagnostic] = [too_large] if too_large else []
    raw_items: dict[str, list[Any]] = {name: [] for name, s in SECTIONS.items() if s.is_list}
    origins: dict[str, list[Origin]] = {name: [] for name in raw_items}
    raw_single: dict[str, Any] = {}
    single_origin: dict[str, Origin] = {}

    digests: dict[str, str] = {}
    unreadable: list[str] = []
    words: set[str] = set()
    # over the program's limit no file is parsed: which of them to leave out is the owner's call
    for path in files if too_large is None else ():
        document, problems = load_yaml(path, max_bytes=max_bytes)
        diagnostics.extend(problems)
        if document is None:
            unreadable.append(path)
            words |= _words(path, max_bytes)
            continue
        digests[path] = document.digest
        if document.data is None:
            continue
        data = document.data
        if not isinstance(data, dict):
            diagnostics.append(
                Diagnostic.at(
                    document.locate(()),
                    "CXG006",
                    f"a program file holds a mapping of sections (program, owners, journeys, ...); "
                    f"found {type(data).__name__}",
                )
            )
            continue
        for key, value in data.items():
            section = SECTIONS.get(key) if isinstance(key, str) else None
            if section is None:
                diagnostics.append(
                    Diagnostic.at(
                        document.locate((key,), key=True),
                        "CXG012",
                        f"unknown section '{key}'",
                        hint=did_you_mean(str(key), list(SECTIONS)),
                    )
                )
                continue
            _collect(
                section, document, value, raw_items, origins, raw_single, single_origin, diagnostics
            )

    if too_large is not None:
        unreadable = list(files)

    valid: dict[str, tuple[Any, ...]] = {}
    valid_origins: dict[str, list[Origin]] = {}
    broken: dict[str, set[str]] = {}
    for name, items in raw_items.items():
        section = SECTIONS[name]
        kept, kept_origins, bad_ids = _validate_list(section, items, origins[name], diagnostics)
        valid[name], valid_origins[name], broken[name] = kept, kept_origins, bad_ids

    singles: dict[str, Any] = {}
    for name, value in raw_single.items():
        section = SECTIONS[name]
        origin = single_origin[name]
        try:
            singles[name] = section.model.model_validate(value)
        except ValidationError as exc:
            diagnostics.extend(
                validation_diagnostics(
                    exc,
                    model=section.model,
                    data=value,
                    document=origin.document,
                    base=origin.path,
                    label=f"section '{name}'",
                )
            )
    header: ProgramSection | None = singles.get("program")
    # a `program` section in a file that could not be read is there, only unreadable
    if "program" not in raw_single and not any(_is_program_file(Path(p)) for p in unreadable):
        diagnostics.append(
            Diagnostic.at(
                Location(files[0] if files else directory, 1, 1),
                "CXG008",
                "this program has no `program` section",
            )
        )
    # Built without re-validation from items already validated; a placeholder header lets
    # the rules run on the other sections when the `program` section itself is broken.
    placeholder = ProgramSection.model_construct(id=os.path.basename(directory), name="")
    program = Program.model_construct(
        None, program=header or placeholder, contact_policy=singles.get("contact_policy"), **valid
    )
    return LoadedProgram(
        directory=directory,
        files=files,
        section=header,
        program=program,
        origins=valid_origins,
        section_origin=single_origin,
        broken_ids=broken,
        diagnostics=diagnostics,
        digests=digests,
        unreadable=unreadable,
        unreadable_words=frozenset(words),
    )


def _over_program_limit(files: list[str], max_program_bytes: int) -> Diagnostic | None:
    """A program's files together over the limit, at its largest file; None within it.

    Each file holds its parsed nodes and places until the program is checked (several
    hundred bytes of memory per byte of YAML), so the limit per file alone lets a folder of
    large files take gigabytes.
    """
    sizes: dict[str, int] = {}
    for path in files:
        try:
            sizes[path] = os.stat(path).st_size
        except OSError:
            continue  # reported as unreadable when the file is loaded
    total = sum(sizes.values())
    if total <= max_program_bytes:
        return None
    largest = sorted(sizes, key=lambda path: (-sizes[path], path))
    named = ", ".join(f"{path} ({sizes[path]:,} bytes)" for path in largest[:3])
    return Diagnostic.at(
        Location(largest[0], 1, 1),
        "CXG005",
        f"the program's {len(files)} YAML files total {total:,} bytes, over the "
        f"{max_program_bytes:,}-byte limit for one program, so none of them was read; "
        f"largest: {named}",
        hint="keep only configuration in the program folder, with data files elsewhere or "
        "not named .yaml, or split it into several programs",
    )


def _words(path: str, max_bytes: int) -> set[str]:
    """The id-like words of a file that failed to load, decoded as far as it goes (a file in
    the wrong encoding or with a syntax error still names the ids it defines)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes)
    except OSError:
        return set()
    return set(_WORD.findall(raw.decode("utf-8", errors="replace")))


def _collect(
    section: Section,
    document: YamlDocument,
    value: Any,
    raw_items: dict[str, list[Any]],
    origins: dict[str, list[Origin]],
    raw_single: dict[str, Any],
    single_origin: dict[str, Origin],
    diagnostics: list[Diagnostic],
) -> None:
    name = section.name
    if section.is_list:
        if value is None:
            return
        if not isinstance(value, list):
            diagnostics.append(
                Diagnostic.at(
                    document.locate((name,)),
                    "CXG010",
                    f"section '{name}' must be a list of {section.kind} entries, "
                    f"found {type(value).__name__}",
                )
            )
            return
        for index, item in enumerate(value):
            raw_items[name].append(item)
            origins[name].append(Origin(document, (name, index)))
        return
    if name in single_origin:
        first = single_origin[name].document.locate((name,), key=True)
        diagnostics.append(
            Diagnostic.at(
                document.locate((name,), key=True),
                "CXG007",
                f"section '{name}' is defined again; it was first defined at {first.place}",
            )
        )
        return
    raw_single[name] = value
    single_origin[name] = Origin(document, (name,))


def _validate_list(
    section: Section, items: list[Any], origins: list[Origin], diagnostics: list[Diagnostic]
) -> tuple[tuple[Any, ...], list[Origin], set[str]]:
    adapter: TypeAdapter[tuple[BaseModel, ...]] = TypeAdapter(tuple[section.model, ...])  # type: ignore[name-defined]
    try:
        return adapter.validate_python(items), origins, set()
    except ValidationError:
        pass  # validate item by item below: keep the good ones, report the bad ones
    kept: list[Any] = []
    kept_origins: list[Origin] = []
    bad: set[str] = set()
    for item, origin in zip(items, origins, strict=True):
        try:
            kept.append(section.model.model_validate(item))
            kept_origins.append(origin)
        except ValidationError as exc:
            ident = item.get("id") if isinstance(item, dict) else None
            if isinstance(ident, str):
                bad.add(ident)
            label = (
                f"{section.kind} '{ident}'"
                if isinstance(ident, str)
                else (f"{section.kind} #{origin.path[-1]}")
            )
            diagnostics.extend(
                validation_diagnostics(
                    exc,
                    model=section.model,
                    data=item,
                    document=origin.document,
                    base=origin.path,
                    label=label,
                )
            )
    return tuple(kept), kept_origins, bad
