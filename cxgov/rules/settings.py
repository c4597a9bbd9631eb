"""Program-wide settings: time zone, themes' patterns and business links."""

from __future__ import annotations

import re
import re._constants as _c  # type: ignore[import-not-found]  # private, no stubs
import re._parser as _parser  # type: ignore[import-not-found]
import zoneinfo
from collections.abc import Iterator
from typing import Any

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
    is an error; so is a `regex` that can backtrack exponentially, a quantifier inside a
    repeated group such as `(\\w+\\s?)*`: Python's regular expressions have no time limit, and
    one comment could hold up the nightly run. Its possessive (`\\w++`) or atomic (`(?>...)`)
    form is accepted.
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
                continue
            risk = backtracking_risk(theme.match.regex)
            if risk is not None:
                yield Finding(
                    origin.at("match", "regex"),
                    f"regex of theme '{theme.id}' {risk}: on a comment that almost matches, "
                    "the search can run for hours and hold up the nightly run",
                    "make the inner quantifier possessive (\\w++) or the group atomic "
                    "((?>...)+), or drop one quantifier; `any` and `all` keywords never backtrack",
                )


def backtracking_risk(regex: str) -> str | None:
    """The shape that makes a regex backtrack exponentially, in words; None when none is found.

    Python's `re` has no time limit, and the `regex` module that has one would be a new
    dependency, so a theme's regex is refused for its shape instead: a quantifier inside a
    repeated group (`(a+)+`, `(\\w+\\s?)*`, `(.*x){20}`), or a repeated group of identical
    alternatives (`(a|a)*`). The check is conservative: a few such patterns are harmless, and
    their possessive or atomic form, which cannot backtrack, is accepted.
    """
    try:
        # the standard library's own parser of the syntax re.compile accepts (private, but
        # the one that agrees exactly with what runs)
        parsed = _parser.parse(regex)
    except (re.error, RecursionError, OverflowError):
        return None  # reported as not compiling
    return _risk(list(parsed), repeated=False)


def _risk(items: list[tuple[Any, Any]], *, repeated: bool) -> str | None:
    for op, value in items:
        found: str | None = None
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            _low, high, body = value
            many = high > 1
            if many and repeated:
                return "repeats a group that itself holds a quantifier, as in (a+)+"
            found = _risk(list(body), repeated=repeated or many)
        elif op is _c.SUBPATTERN:
            found = _risk(list(value[3]), repeated=repeated)
        elif op is _c.BRANCH:
            alternatives = [list(alternative) for alternative in value[1]]
            if repeated and any(a in alternatives[:i] for i, a in enumerate(alternatives)):
                return (
                    "repeats a choice between alternatives that match the same text, as in (a|a)*"
                )
            for alternative in alternatives:
                found = found or _risk(alternative, repeated=repeated)
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            found = _risk(list(value[1]), repeated=repeated)
        elif op is _c.GROUPREF_EXISTS:
            found = _risk(list(value[1]), repeated=repeated) or (
                _risk(list(value[2]), repeated=repeated) if value[2] is not None else None
            )
        # possessive repeats and atomic groups give back nothing once matched: never a risk
        if found is not None:
            return found
    return None


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
