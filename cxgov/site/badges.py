"""Status badges: one small SVG per objective and per journey, at stable URLs
(`badges/objective/<id>.svg`, `badges/journey/<id>.svg`), for wikis and READMEs.

A badge is the shields.io shape (a grey label, a coloured status), written here rather than
fetched from a badge service because the site must build and work offline and the same run must
give the same bytes. Every name is XML-escaped by ElementTree when the document is serialised.
"""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from cxgov.judgement.status import Current
from cxgov.judgement.verdicts import SEVERITY, Verdict
from cxgov.model import Program
from cxgov.site.i18n import Locale

SVG_NS = "http://www.w3.org/2000/svg"

# The status colours of the site's stylesheet (Okabe–Ito), darkened where white text on them
# would fall below the 4.5:1 contrast of WCAG AA; the status is written out as well.
_FILL = {
    Verdict.ON_TARGET: "#00704f",
    Verdict.WITHIN_NOISE: "#005a8c",
    Verdict.PENDING: "#5c5c5c",
    Verdict.INSUFFICIENT_SAMPLE: "#5c5c5c",
    Verdict.BELOW_TARGET: "#9c3d74",
    Verdict.WARN: "#8a5a00",
    Verdict.NO_DATA: "#1f5f87",
    Verdict.FAIL: "#b03a00",
}
_NOT_JUDGED = "#5c5c5c"
_LABEL_FILL = "#555555"

MAX_LABEL = 40
"""Longer names are cut with an ellipsis: a badge sits in a line of text."""


@dataclass(frozen=True)
class Badge:
    path: str
    svg: str


def _text_width(text: str) -> int:
    """An estimate of the text's width in 11 px Verdana-like type, so the badge fits its words
    without a font engine: wide characters (East Asian) count double."""
    width = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in {"W", "F"}:
            width += 11
        elif char in "iljt.,:;|!' ":
            width += 4
        elif char.isupper() or char in "mwMW@%":
            width += 8.5
        else:
            width += 6.6
    return int(width) + 10


def _cut(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"


def badge_svg(label: str, status: str | None, locale: Locale) -> str:
    """The badge of a thing named `label` whose current status is `status` (None: not judged),
    with the status in the site's language."""
    label = _cut(label)
    words = locale.t(status if status is not None else "not_judged")
    fill = _FILL.get(Verdict(status), _NOT_JUDGED) if status is not None else _NOT_JUDGED
    left, right = _text_width(label), _text_width(words)
    width = left + right
    ET.register_namespace("", SVG_NS)
    svg = ET.Element(
        f"{{{SVG_NS}}}svg",
        {
            "width": str(width),
            "height": "20",
            "viewBox": f"0 0 {width} 20",
            "role": "img",
            "aria-label": f"{label}: {words}",
        },
    )
    ET.SubElement(svg, f"{{{SVG_NS}}}title").text = f"{label}: {words}"
    ET.SubElement(
        svg, f"{{{SVG_NS}}}rect", {"width": str(left), "height": "20", "fill": _LABEL_FILL}
    )
    ET.SubElement(
        svg,
        f"{{{SVG_NS}}}rect",
        {"x": str(left), "width": str(right), "height": "20", "fill": fill},
    )
    group = ET.SubElement(
        svg,
        f"{{{SVG_NS}}}g",
        {
            "fill": "#ffffff",
            "text-anchor": "middle",
            "font-family": "Verdana,DejaVu Sans,sans-serif",
            "font-size": "11",
        },
    )
    ET.SubElement(group, f"{{{SVG_NS}}}text", {"x": str(left // 2), "y": "14"}).text = label
    ET.SubElement(group, f"{{{SVG_NS}}}text", {"x": str(left + right // 2), "y": "14"}).text = words
    return ET.tostring(svg, encoding="unicode", xml_declaration=False) + "\n"


def worst(statuses: Iterable[str]) -> str | None:
    """The most severe of some statuses (the journey's badge); None when there is none."""
    found = [Verdict(s) for s in statuses]
    return max(found, key=lambda s: SEVERITY[s]).value if found else None


def badges(program: Program, current: dict[str, Current]) -> list[Badge]:
    """Every objective's badge (its current status by the one rule) and every journey's (the
    worst current status of the objectives measured on it)."""
    locale = Locale(program.program.language)
    journey_of = {p.id: p.journey for p in program.measurement_points}
    found: list[Badge] = []
    by_journey: dict[str, Counter[str]] = {}
    for objective in program.objectives:
        now = current.get(objective.id)
        status = now.verdict.status if now is not None else None
        found.append(
            Badge(f"badges/objective/{objective.id}.svg", badge_svg(objective.name, status, locale))
        )
        journey_id = journey_of.get(objective.measurement_point)
        if journey_id is not None and status is not None:
            by_journey.setdefault(journey_id, Counter())[status] += 1
    for journey in program.journeys:
        status = worst(by_journey.get(journey.id, Counter()))
        found.append(
            Badge(f"badges/journey/{journey.id}.svg", badge_svg(journey.name, status, locale))
        )
    return found
