"""The headline's small trend: a strategic objective's values with its target path, as SVG.

A sparkline has no axes, so it is read beside the numbers written next to it; the full chart
is on the objective's and the strategy's pages. Written by hand like the other charts (no
plotting library) so a build stays byte-for-byte repeatable. It scales to its container
(viewBox, no fixed width), so it re-flows from a phone to a wide screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cxgov.site.escape import html_text

WIDTH = 240
HEIGHT = 64
_PAD = 6
_VALUE = "#0072b2"  # Okabe–Ito blue, as the trend charts' value line
_PATH = "#555555"
_BREACH = "#d55e00"  # Okabe–Ito vermilion, as a failed period


@dataclass(frozen=True)
class SparkPoint:
    day: dt.date
    value: float | None
    breach: bool
    """The period missed its target (an established shortfall): drawn as a filled diamond,
    not only in another colour."""


def sparkline(
    points: list[SparkPoint],
    path: list[tuple[dt.date, float]],
    *,
    title: str,
    desc: str,
    chart_id: str,
) -> str:
    """Values as a line with a dot per period (a diamond where the period missed), and the
    target path dashed."""
    values = [p.value for p in points if p.value is not None] + [v for _d, v in path]
    days = [p.day for p in points] + [d for d, _v in path]
    body: list[str] = []
    if values and days:
        low, high = min(values), max(values)
        if high == low:
            low, high = low - 1, high + 1
        first, last = min(days), max(days)
        span = max((last - first).days, 1)

        def x(day: dt.date) -> float:
            return _PAD + (WIDTH - 2 * _PAD) * (day - first).days / span

        def y(value: float) -> float:
            return HEIGHT - _PAD - (HEIGHT - 2 * _PAD) * (value - low) / (high - low)

        if len(path) >= 2:
            line = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in path)
            body.append(
                f'<polyline points="{line}" fill="none" stroke="{_PATH}" stroke-width="1.5" '
                'stroke-dasharray="4 3"/>'
            )
        shown = [p for p in points if p.value is not None]
        if len(shown) >= 2:
            line = " ".join(
                f"{x(p.day):.1f},{y(p.value):.1f}" for p in shown if p.value is not None
            )
            body.append(
                f'<polyline points="{line}" fill="none" stroke="{_VALUE}" stroke-width="2"/>'
            )
        for p in shown:
            assert p.value is not None
            cx, cy = x(p.day), y(p.value)
            if p.breach:
                body.append(
                    f'<path d="M{cx:.1f} {cy - 4:.1f} L{cx + 4:.1f} {cy:.1f} L{cx:.1f} '
                    f'{cy + 4:.1f} L{cx - 4:.1f} {cy:.1f} Z" fill="{_BREACH}"/>'
                )
            else:
                body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2" fill="{_VALUE}"/>')
    ident = html_text(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" '
        'style="max-width:100%;height:auto">'
        f'<title id="{ident}-title">{html_text(title)}</title>'
        f'<desc id="{ident}-desc">{html_text(desc)}</desc>' + "".join(body) + "</svg>\n"
    )
