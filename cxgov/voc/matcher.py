"""Tagging comments by the program's themes: rules-based, explainable, compiled once.

A pattern is one or more words. A word ending in `*` is a prefix (`toimitu*` hits toimitus,
toimituksen, toimituksessa); any other word matches only a whole word. Several words form a
phrase, matched on consecutive words (`ei toimi*` hits "kone ei toimi" and "ei toimineet").
Text and patterns are compared after Unicode NFC normalisation and case folding, so `Ä` equals
`ä` but `ä` never equals `a` (å, ä and ö are letters of their own). Words are runs of Unicode
letters and digits; punctuation, hyphens and apostrophes separate them.

A theme tags a comment when at least one `any` pattern (or the `regex`) hits, every `all`
pattern hits, and no `none` pattern hits. With neither `any` nor `regex`, the `all` patterns
alone decide. The regex is searched in the normalised text, case-insensitively.

Speed: every comment is split into words once; a word's hits (exact words and prefixes of every
length the themes use) are looked up in hash tables and cached per distinct word, so the cost
grows with the words in a comment, not with the number of themes.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cxgov.model import Theme

MATCHER_VERSION = 1
"""Part of the rule hash: a change in how patterns match re-tags every comment."""

_WORD = re.compile(r"[^\W_]+")
_CACHE_LIMIT = 500_000


def normalise(text: str) -> str:
    """NFC first, so a decomposed `a` + combining diaeresis is the letter `ä`, then case fold."""
    return unicodedata.normalize("NFC", text).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


@dataclass(frozen=True, slots=True)
class Atom:
    """One word of a pattern: a whole word, or a prefix when `prefix` is set."""

    text: str
    prefix: bool


def parse_pattern(pattern: str) -> tuple[Atom, ...]:
    """`ei toimi*` → (Atom('ei', False), Atom('toimi', True)). A word that splits into several
    (a hyphen, an apostrophe) becomes consecutive atoms; only the last can be a prefix."""
    atoms: list[Atom] = []
    for word in pattern.split():
        prefix = word.endswith("*")
        parts = words(word.rstrip("*"))
        for i, part in enumerate(parts):
            atoms.append(Atom(part, prefix and i == len(parts) - 1))
    return tuple(atoms)


def rule_hash(themes: Sequence[Theme]) -> str:
    """A hash of every theme's id and match rule (and the matcher's version): stored with the
    tags, so a changed theme definition re-tags the comments."""
    rules = sorted((t.id, t.match.model_dump(mode="json")) for t in themes)
    text = json.dumps([MATCHER_VERSION, rules], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class _CompiledTheme:
    id: str
    any: tuple[int, ...]
    all: tuple[int, ...]
    none: tuple[int, ...]
    regex: re.Pattern[str] | None
    regex_source: str | None


class ThemeMatcher:
    """Every theme's patterns compiled once; `tag` maps a comment to {theme: pattern that hit}."""

    def __init__(self, themes: Iterable[Theme]) -> None:
        self.themes = tuple(themes)
        self._atoms: dict[Atom, int] = {}
        self._patterns: dict[tuple[int, ...], int] = {}
        self._pattern_text: list[str] = []
        self._pattern_atoms: list[tuple[int, ...]] = []
        compiled: list[_CompiledTheme] = []
        for theme in self.themes:
            m = theme.match
            compiled.append(
                _CompiledTheme(
                    theme.id,
                    tuple(self._pattern(p) for p in m.any),
                    tuple(self._pattern(p) for p in m.all),
                    tuple(self._pattern(p) for p in m.none),
                    re.compile(unicodedata.normalize("NFC", m.regex), re.IGNORECASE)
                    if m.regex
                    else None,
                    m.regex,
                )
            )
        self._themes = tuple(compiled)
        exact: dict[str, list[int]] = {}
        prefixes: dict[str, list[int]] = {}
        for atom, index in self._atoms.items():
            (prefixes if atom.prefix else exact).setdefault(atom.text, []).append(index)
        self._exact = {k: tuple(v) for k, v in exact.items()}
        self._prefixes = {k: tuple(v) for k, v in prefixes.items()}
        self._prefix_lengths = sorted({len(k) for k in prefixes})
        self._cache: dict[str, tuple[int, ...]] = {}
        # a pattern is checked only when its first atom hit; a theme only when one of its
        # `any` or `all` patterns hit (themes with a regex are always checked)
        by_first: dict[int, list[int]] = {}
        for index, atoms in enumerate(self._pattern_atoms):
            by_first.setdefault(atoms[0], []).append(index)
        self._by_first = {k: tuple(v) for k, v in by_first.items()}
        by_pattern: dict[int, set[int]] = {}
        for number, rule in enumerate(self._themes):
            for pattern in rule.any + rule.all:
                by_pattern.setdefault(pattern, set()).add(number)
        self._by_pattern = {k: tuple(sorted(v)) for k, v in by_pattern.items()}
        self._always = tuple(n for n, t in enumerate(self._themes) if t.regex is not None)

    def _pattern(self, text: str) -> int:
        # a pattern without letters or digits (CXG118 reports it) becomes the empty word,
        # which no comment contains
        parsed = parse_pattern(text) or (Atom("", False),)
        atoms = tuple(self._atoms.setdefault(a, len(self._atoms)) for a in parsed)
        if atoms not in self._patterns:
            self._patterns[atoms] = len(self._pattern_atoms)
            self._pattern_atoms.append(atoms)
            self._pattern_text.append(text)
        return self._patterns[atoms]

    def _word_atoms(self, word: str) -> tuple[int, ...]:
        found = self._cache.get(word)
        if found is not None:
            return found
        hits: list[int] = list(self._exact.get(word, ()))
        for length in self._prefix_lengths:
            if length > len(word):
                break
            hits.extend(self._prefixes.get(word[:length], ()))
        result = tuple(hits)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[word] = result
        return result

    def _pattern_hits(self, tokens: list[str]) -> set[int]:
        positions: dict[int, list[int]] = {}
        for position, word in enumerate(tokens):
            for atom in self._word_atoms(word):
                positions.setdefault(atom, []).append(position)
        hits: set[int] = set()
        for atom, where in positions.items():
            for pattern in self._by_first.get(atom, ()):
                atoms = self._pattern_atoms[pattern]
                if len(atoms) == 1:
                    hits.add(pattern)
                    continue
                for start in where:
                    if all(start + k in positions.get(a, ()) for k, a in enumerate(atoms[1:], 1)):
                        hits.add(pattern)
                        break
        return hits

    def tag(self, text: str) -> dict[str, str]:
        """{theme id: the pattern that tagged it} for one comment: the first `any` pattern that
        hit in the theme's order, else `regex:<expression>`, else (an `all`-only theme) its
        first `all` pattern."""
        normalised = normalise(text)
        hits = self._pattern_hits(_WORD.findall(normalised))
        candidates: set[int] = set(self._always)
        for pattern in hits:
            candidates.update(self._by_pattern.get(pattern, ()))
        tags: dict[str, str] = {}
        for number in sorted(candidates):
            theme = self._themes[number]
            why = self._why(theme, hits, text)
            if why is not None:
                tags[theme.id] = why
        return tags

    def _why(self, theme: _CompiledTheme, hits: set[int], text: str) -> str | None:
        if any(p not in hits for p in theme.all) or any(p in hits for p in theme.none):
            return None
        for pattern in theme.any:
            if pattern in hits:
                return self._pattern_text[pattern]
        if theme.regex is not None:
            if theme.regex.search(unicodedata.normalize("NFC", text)):
                return f"regex:{theme.regex_source}"
            return None
        if theme.any or not theme.all:
            return None
        return self._pattern_text[theme.all[0]]

    def explain(self, text: str) -> dict[str, dict[str, list[str]]]:
        """For every theme, which of its `any`, `all` and `none` patterns hit the comment."""
        hits = self._pattern_hits(words(text))
        found: dict[str, dict[str, list[str]]] = {}
        for theme in self._themes:
            found[theme.id] = {
                part: [self._pattern_text[p] for p in getattr(theme, part) if p in hits]
                for part in ("any", "all", "none")
            }
        return found
