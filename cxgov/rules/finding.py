"""What a rule reports: one problem at one place, before the registry adds its code."""

from __future__ import annotations

from dataclasses import dataclass

from cxgov.diagnostics import Location


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a rule found; the rule adds its code and severity."""

    location: Location
    message: str
    hint: str | None = None
