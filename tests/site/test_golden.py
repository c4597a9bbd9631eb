"""The generated Markdown of both example programs, pinned byte for byte.

After an intended change to the pages, regenerate the golden files and review their diff:
`scripts/regen-golden` (CXGOV_REGENERATE_GOLDEN=1 .venv/bin/pytest tests/site/test_golden.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.site.conftest import site_pages

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = os.environ.get("CXGOV_REGENERATE_GOLDEN") == "1"


def _write(folder: Path, pages: dict[str, str]) -> None:
    for stale in folder.rglob("*.md"):
        stale.unlink()
    for path, content in pages.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


@pytest.mark.parametrize("name", ["kahvipalvelu", "airline"])
def test_generated_markdown_matches_the_golden_files(
    name: str, request: pytest.FixtureRequest
) -> None:
    store = request.getfixturevalue(f"{name}_store")
    pages = {p.path: p.content for p in site_pages(store) if p.path.endswith(".md")}
    folder = GOLDEN / name
    if REGENERATE:
        _write(folder, pages)
    expected = {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*.md"))
    }
    assert sorted(pages) == sorted(expected), "pages added or removed: run scripts/regen-golden"
    for path, content in pages.items():
        assert content == expected[path], f"{name}/{path} differs: run scripts/regen-golden"


def test_generating_twice_gives_the_same_bytes(kahvipalvelu_store) -> None:
    first = site_pages(kahvipalvelu_store)
    second = site_pages(kahvipalvelu_store)
    assert [(p.path, p.content) for p in first] == [(p.path, p.content) for p in second]
