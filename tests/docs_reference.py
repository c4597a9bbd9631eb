"""Builds the generated reference pages (docs/format.md, docs/rules.md, docs/rejections.md).

`python -m tests.docs_reference --write` regenerates them; tests/test_docs.py fails when they
are stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cxgov.reference import render_format, render_rejections, render_rules

ROOT = Path(__file__).resolve().parent.parent


def pages() -> dict[Path, str]:
    return {
        ROOT / "docs" / "format.md": render_format(),
        ROOT / "docs" / "rules.md": render_rules(),
        ROOT / "docs" / "rejections.md": render_rejections(),
    }


if __name__ == "__main__":
    if "--write" not in sys.argv:
        sys.exit("usage: python -m tests.docs_reference --write")
    for path, text in pages().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
