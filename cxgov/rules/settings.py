"""Program-wide settings: time zone, themes' patterns and business links."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterator

from cxgov.diagnostics import Location
from cxgov.model import KpiType
from cxgov.program_files.fields import did_you_mean
from cxgov.rules.context import RuleContext
from cxgov.rules.finding import Finding
from cxgov.rules.registry import rule

_PATTERN = re.compile(r"^[^*]+\*?$")


def _zone_exists(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


@rule("CXG117", "unknown-timezone")
def unknown_timezone(ctx: RuleContext) -> Iterator[Finding]:
    """The program's or a source's `timezone` is not an IANA time-zone name.

    Periods (weeks, months) are cut at midnight in the program's zone, and a source's times
    without a zone are read in its own, so each must be a name such as `Europe/Helsinki` or
    `UTC`, not an offset like `+02:00`.
    """
    header = ctx.section
    if header is not None and not _zone_exists(header.timezone):
        yield _not_a_zone(ctx.loaded.section_origin["program"].at("timezone"), header.timezone)
    for source, origin in ctx.items("sources"):
        if source.timezone is not None and not _zone_exists(source.timezone):
            yield _not_a_zone(origin.at("timezone"), source.timezone)


def _not_a_zone(where: Location, name: str) -> Finding:
    return Finding(
        where,
        f"'{name}' is not an IANA time-zone name",
        did_you_mean(name, sorted(zoneinfo.available_timezones()))
        or "for example Europe/Helsinki or UTC",
    )


@rule("CXG118", "theme-pattern")
def theme_pattern(ctx: RuleContext) -> Iterator[Finding]:
    """A theme's keyword pattern or regex cannot be used.

    Keyword patterns are words or phrases; the only wildcard is a trailing `*` (a prefix match
    such as `toimitu*`). An empty pattern, a `*` elsewhere, or a `regex` that does not compile
    is an error.
    """
    for theme, origin in ctx.items("themes"):
        for kind in ("any", "all", "none"):
            for i, pattern in enumerate(getattr(theme.match, kind)):
                if not _PATTERN.match(pattern.strip()):
                    yield Finding(
                        origin.at("match", kind, i),
                        f"pattern {pattern!r} of theme '{theme.id}': a `*` may only end a pattern, "
                        "and a pattern needs at least one letter before it",
                    )
        if theme.match.regex is not None:
            try:
                re.compile(theme.match.regex)
            except re.error as exc:
                yield Finding(
                    origin.at("match", "regex"),
                    f"regex of theme '{theme.id}' does not compile: {exc}",
                )


@rule("CXG119", "link-not-business")
def link_not_business(ctx: RuleContext) -> Iterator[Finding]:
    """A link's `business` side is not a business `value` KPI.

    Links relate a CX objective or measurement point to a business outcome delivered per
    period (retention, churn, average order value), which is a KPI of type `value`.
    """
    kpis = ctx.by_id("kpis")
    for link, origin in ctx.items("links"):
        found = kpis.get(link.business)
        if found is not None and found[0].type is not KpiType.VALUE:
            yield Finding(
                origin.at("business"),
                f"link to '{link.business}': a business outcome is a KPI of type value, "
                f"not {found[0].type.value}",
            )
