"""A Finnish program's site speaks Finnish on every page it builds, the 404 page included: no
English phrase from the translation tables is left in what a reader sees."""

from __future__ import annotations

import re
import string
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cxgov import api
from cxgov.review.words import KINDS
from cxgov.site.i18n import MESSAGES
from cxgov.site.options import Builder
from tests.site.conftest import SiteStore

_SAME_IN_BOTH = re.compile(r"^[\W\d_]*$")


def english_phrases() -> set[str]:
    """The English side of every message the site (and the changelog's kinds) can show, cut at
    its placeholders: each fragment of at least one word of four letters, or of two words,
    whose Finnish differs."""
    tables = [*MESSAGES.values(), *KINDS.values()]
    phrases = set()
    for said in tables:
        if said["en"] == said["fi"]:
            continue
        for literal, *_rest in string.Formatter().parse(said["en"]):
            for fragment in re.split(r"[:;,.()·→=/|\[\]]", literal):
                words = fragment.split()
                if not words or _SAME_IN_BOTH.match(fragment):
                    continue
                if len(words) >= 2 or len(words[0]) >= 4:
                    phrases.add(" ".join(words))
    return phrases


class _Visible(HTMLParser):
    """The text a reader sees or hears: text outside scripts and styles, alt texts, titles and
    labels."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "code"):
            self._hidden += 1
        for name, value in attrs:
            if name in ("alt", "title", "aria-label", "placeholder", "data-label") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "code") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.mark.parametrize("builder", [Builder.MKDOCS, Builder.ZENSICAL])
def test_no_english_phrase_on_any_page_of_the_finnish_site(
    builder: Builder, kahvipalvelu_store: SiteStore, tmp_path: Path
) -> None:
    built = api.build_site(
        str(kahvipalvelu_store.program_dir),
        db=kahvipalvelu_store.db,
        out=str(tmp_path / "site"),
        work=str(tmp_path / "work"),
        config=None,
        builder=builder,
    )
    phrases = english_phrases()
    assert {"below target", "Overdue", "Page not found", "any of"} <= phrases
    pattern = re.compile(
        r"(?<![\w-])("
        + "|".join(sorted(map(re.escape, phrases), key=len, reverse=True))
        + r")(?![\w-])"
    )
    pages = sorted(Path(built.out).rglob("*.html"))
    assert len(pages) > 50
    assert (Path(built.out) / "404.html") in pages
    found = {}
    for page in pages:
        text = visible_text(page.read_text(encoding="utf-8"))
        hits = sorted(set(pattern.findall(text)))
        # a p-value never claims certainty (`p < 0,001` instead)
        hits += re.findall(r"p = 0,000(?!\d)", text)
        if hits:
            found[page.relative_to(built.out).as_posix()] = hits
    assert not found, found


def test_the_check_finds_english_when_there_is_some() -> None:
    phrases = english_phrases()
    text = visible_text("<p>Tila: <span>below target</span></p><script>var overdue</script>")
    assert "below target" in text and "overdue" not in text
    assert any(p in text for p in phrases)
