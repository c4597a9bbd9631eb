"""A Markdown extension the site's builder loads: every table cell carries its column's heading.

On a phone a table of seven columns cannot fit, and a reader should not have to scroll it
sideways; the stylesheet turns each row into a card there, and a cell shows its heading through
`data-label` (CSS cannot look the heading up itself). Done when the Markdown is rendered rather
than in the templates, so every table of the site gets it, whoever wrote the template, and no
script has to run in the reader's browser. The builder names this module in `markdown_extensions`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

_NAME = "cxgov.site.tables"
_FITS = 2
"""Tables of at most this many columns stay tables on a phone."""
_STASHED = re.compile("\x02[^\x03]*\x03")
"""Python-Markdown's placeholder for raw HTML, filled in only after the tree is serialised."""


def _text(element: etree.Element) -> str:
    """An element's text as a reader sees it (tags dropped, spaces collapsed)."""
    return " ".join(_STASHED.sub("", "".join(element.itertext())).split())


class _LabelCells(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for table in root.iter("table"):
            head = table.find("thead")
            if head is None:
                continue
            header_row = head.find("tr")
            if header_row is None:
                continue
            labels = [_text(cell) for cell in header_row]
            if len(labels) <= _FITS or not all(labels):
                # two columns fit a phone, and a key–value table (a blank heading) reads as it
                # is on any screen: neither becomes cards
                table.set("data-cx-plain", "")
                continue
            body = table.find("tbody")
            for row in body if body is not None else ():
                for label, cell in zip(labels, row, strict=False):
                    if label:
                        cell.set("data-label", label)


class TableLabels(Extension):
    """Adds `data-label` (the column's heading) to every body cell of every table."""

    def extendMarkdown(self, md: Markdown) -> None:
        # after the tables are built (the inline processor runs at 20) so headings hold their
        # final text, before anything serialises the tree
        md.treeprocessors.register(_LabelCells(md), _NAME, 5)


def makeExtension(**kwargs: Any) -> TableLabels:
    return TableLabels(**kwargs)
