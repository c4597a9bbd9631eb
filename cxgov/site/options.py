"""The site's options and results, kept apart from the builders so that importing them costs
nothing (the CLI imports them on every command)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Audience(StrEnum):
    LEADERSHIP = "leadership"
    """Aggregates only: no verbatim customer comments."""
    TEAM = "team"
    """Also the newest (redacted) comments behind each objective."""


class Builder(StrEnum):
    MKDOCS = "mkdocs"
    ZENSICAL = "zensical"


@dataclass(frozen=True)
class BuiltSite:
    out: Path
    """The built site: open `index.html`."""
    generated: Path
    """The generated Markdown and charts the site was built from."""
    pages: int
    generate_seconds: float
    """Reading the store and writing the pages."""
    build_seconds: float
    """The builder's own run."""
