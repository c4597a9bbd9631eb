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


def site_folder(audience: Audience, program_id: str) -> Path:
    """Where a site is built by default: `site/<audience>/<program id>`. Each audience has its
    own tree, so publishing `site/leadership/` can never take a team site (verbatim comments)
    along, whatever the program's folder is called."""
    return Path("site") / audience.value / program_id


def work_folder(audience: Audience, program_id: str) -> Path:
    """The generated pages of one audience's site (`.cxgov/site/<audience>/<program id>`):
    apart per audience, so a leadership build never starts from a team build's pages."""
    return Path(".cxgov") / "site" / audience.value / program_id


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
