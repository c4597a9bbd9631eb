"""Escaping every value from YAML or data before it enters a generated page.

Markdown passes raw HTML straight through, so a value's Markdown punctuation is
backslash-escaped (`*`, `_`, `[`, `|` and friends print as themselves instead of making
emphasis, links or new table cells) and then the value is HTML-escaped. The template
environment applies `md` to every `{{ ... }}` (Jinja's `finalize`), so no template can forget
it; values that are already safe markup are wrapped in `Markup` and pass through unchanged.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

__all__ = ["Markup", "html_text", "md"]

# Characters with a meaning in Python-Markdown or its extensions (attr_list's `{: ...}`,
# tables' `|`, emphasis, code, links and images, headings at line start, strikethrough).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def md(value: object) -> str:
    """`value` as literal text in Markdown (also inside a table cell: no line breaks)."""
    if isinstance(value, Markup):
        return str(value)
    if value is None:
        return ""
    text = _LINE_BREAKS.sub(" ", str(value))
    # punctuation first: escaping entities' `#` afterwards would break them
    # quotes stay: Markdown text is no attribute, and Markdown escapes its own attributes
    return html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", text), quote=False)


def html_text(value: object) -> Markup:
    """`value` as text inside a raw HTML block, where Markdown is not processed."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))
