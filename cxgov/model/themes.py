"""The `themes` section: rules that tag open feedback by what customers write about."""

from __future__ import annotations

from pydantic import model_validator

from cxgov.model.base import Id, Language, Model


class ThemeMatch(Model):
    """Keyword patterns; a trailing `*` is a prefix wildcard (`toimitu*` hits toimituksen)."""

    any: tuple[str, ...] = ()
    """A comment matches when it contains at least one of these."""
    all: tuple[str, ...] = ()
    """... and all of these."""
    none: tuple[str, ...] = ()
    """... and none of these (negation, exclusions)."""
    regex: str | None = None
    """An optional regular expression for the rare hard case."""

    @model_validator(mode="after")
    def _something_to_match(self) -> ThemeMatch:
        if not (self.any or self.all or self.regex):
            raise ValueError("a theme matches with at least one of `any`, `all` or `regex`")
        return self


class Theme(Model):
    id: Id
    name: str
    language: Language | None = None
    match: ThemeMatch
    kpis: tuple[Id, ...] = ()
    """KPIs whose comments this theme is read from."""
