"""KPI charts for the status site, written as standalone SVG text.

The SVG is built by this module rather than by matplotlib: the output is byte-for-byte
deterministic (the site's golden-file tests compare it), 200 charts render in well under a
second, and the site needs no heavy plotting dependency. Every chart is self-contained: inline
attributes only, a generic system font stack, no scripts, no timestamps, ids derived from the
caller's `chart_id`, every caller string XML-escaped. Every visible word comes from the caller
(`ChartText`), so the same code draws Finnish and English charts.

Colours are the Okabe–Ito palette, which stays distinguishable with the common forms of colour
blindness, and colour is never the only cue: thresholds differ by dash (target solid, warn dashed,
fail dotted, a target since rewritten grey dash-dot) and status markers by shape (circle on
target or within noise, diamond below target, square warn, triangle fail, too few answers or
pending hollow).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "NARROW",
    "WIDE",
    "Canvas",
    "ChartText",
    "IntervalRow",
    "IntervalText",
    "TrendPoint",
    "interval_chart",
    "nice_ticks",
    "trajectory_chart",
    "trend_chart",
]


@dataclass(frozen=True)
class Canvas:
    """The drawing's size in SVG units. Type is FONT_SIZE units whatever the size, so a chart
    drawn for the width it is shown at keeps its type at about FONT_SIZE pixels."""

    width: float
    height: float
    suffix: str
    """Added to the chart's file name (`x.svg`, `x.narrow.svg`)."""


WIDE = Canvas(720, 320, "")
"""A chart in a page column of a laptop or a desktop."""
NARROW = Canvas(360, 340, ".narrow")
"""The same chart on a phone: half as wide, so at 390 px its 11-unit type shows at about 10
pixels where the wide chart's would show at 5. Fewer month and value labels fit, and the
legend flows into more rows; the page picks it with a media query (`View.chart`)."""
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
FONT_SIZE = 11
CHAR_WIDTH = 0.6 * FONT_SIZE  # a generous average; labels are spaced with it, never measured

VALUE = "#0072B2"
TARGET = "#000000"
STATUS_COLOURS = {
    "on_target": "#009E73",
    "within_noise": "#0072B2",
    "below_target": "#CC79A7",
    "warn": "#E69F00",
    "fail": "#D55E00",
    "insufficient_sample": "#999999",
    "no_data": "#999999",
}
REVISION = "#CC79A7"
EARLIER = "#666666"
EARLIER_DASH = "8 3 2 3"
"""A target that was rewritten: grey dash-dot, unlike any threshold in force."""
INK, AXIS, GRID = "#222222", "#666666", "#E5E5E5"
DASHES = {"target": None, "warn": "6 4", "fail": "2 3"}
THRESHOLD_COLOURS = {"target": TARGET, "warn": STATUS_COLOURS["warn"], "fail": "#D55E00"}
HOLLOW_STATUSES = frozenset({"insufficient_sample", "no_data", "pending"})

_CHART_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
# Characters XML 1.0 cannot carry at all; escaping cannot save them, so they are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class TrendPoint:
    """One period of an objective: its value, interval, thresholds in force and verdict."""

    start: date
    end: date
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    target: float | None
    warn: float | None
    fail: float | None
    status: str
    """A verdict status (`cxgov.judgement.verdicts.Verdict`)."""
    complete: bool = True
    """False for a period still running (a partial last period)."""
    earlier_target: float | None = None
    """The target the period was held to before a commit rewrote the revision in force; None
    when no such change touched it."""


@dataclass(frozen=True)
class ChartText:
    """Every word a chart shows or announces, in the site's language."""

    title: str
    desc: str
    """Alt text: one sentence summarising the chart; also the message of an empty chart."""
    x_label: str
    y_label: str
    legend_value: str
    legend_interval: str
    legend_target: str
    legend_warn: str
    legend_fail: str
    legend_revision: str
    legend_partial: str
    legend_earlier_target: str = ""


@dataclass(frozen=True)
class IntervalRow:
    """One estimate of a dot-and-interval chart: a label, the value and its interval."""

    label: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    established: bool
    """Drawn filled: the estimate passed its test (a hollow dot did not, or was not tested)."""


@dataclass(frozen=True)
class IntervalText:
    """Every word a dot-and-interval chart shows, in the site's language."""

    title: str
    desc: str
    """Alt text; also the message of a chart with nothing to draw."""
    x_label: str
    legend_established: str
    legend_not_established: str
    legend_interval: str


def _default_number(value: float) -> str:
    return f"{value + 0.0:g}"  # + 0.0 turns -0.0 into 0.0


def _default_month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Tick values on a 1-2-5 step covering [low, high]: first ≤ low, last ≥ high.

    About `count` intervals; equal bounds are widened so a flat series still gets an axis.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"tick bounds must be finite, got {low}..{high}")
    low, high = min(low, high), max(low, high)
    if (high - low) / max(count, 1) < sys.float_info.min:
        # equal bounds, or bounds so close that a step would underflow (0 and 5e-324): widen
        # by a tenth of the larger bound, or by one where that is as small
        pad = max(abs(low), abs(high)) * 0.1
        if pad / max(count, 1) < sys.float_info.min:
            pad = 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(count, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if raw <= m * magnitude * (1 + 1e-9))
    digits = max(0, -math.floor(math.log10(step))) + 1
    # The epsilon keeps 0.3/0.1 = 2.9999… from adding a needless tick below.
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    if round(first * step, digits) > low:  # the epsilon must never leave a bound uncovered
        first -= 1
    if round(last * step, digits) < high:
        last += 1
    return [round(k * step, digits) + 0.0 for k in range(first, last + 1)]


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _text(value: str) -> str:
    cleaned = _NOT_XML.sub("", value)
    return (
        cleaned.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def _c(value: float) -> str:
    """A coordinate: two decimals are finer than a pixel and keep the bytes stable."""
    return f"{round(value, 2) + 0.0:g}"


def _width(label: str) -> float:
    return len(label) * CHAR_WIDTH


def _shortened(label: str, room: float) -> str:
    """A label cut with an ellipsis to the room it has (at least its first few characters): a
    row label longer than half the chart would run out of the drawing on its left. The chart's
    alt text and the table beside it keep the whole name."""
    if _width(label) <= room:
        return label
    keep = max(int(room / CHAR_WIDTH) - 1, 4)
    return label[:keep].rstrip() + "…"


def _dash(pattern: str | None) -> str:
    return f' stroke-dasharray="{pattern}"' if pattern else ""


def _open(text: ChartText | IntervalText, chart_id: str, canvas: Canvas) -> list[str]:
    if not _CHART_ID.fullmatch(chart_id):
        raise ValueError(f"chart_id {chart_id!r} is not a valid XML id")
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {canvas.width:g} '
        f'{canvas.height:g}" width="{canvas.width:g}" height="{canvas.height:g}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{_text(FONT)}" font-size="{FONT_SIZE}" fill="{INK}">',
        f'<title id="{chart_id}-title">{_text(text.title)}</title>',
        f'<desc id="{chart_id}-desc">{_text(text.desc)}</desc>',
        # An opaque background keeps the chart legible on a dark page theme.
        f'<rect width="{canvas.width:g}" height="{canvas.height:g}" fill="#FFFFFF"/>',
    ]


def _empty(text: ChartText | IntervalText, chart_id: str, canvas: Canvas) -> str:
    parts = _open(text, chart_id, canvas)
    parts.append(
        f'<text x="{canvas.width / 2:g}" y="{canvas.height / 2:g}" text-anchor="middle" '
        f'dominant-baseline="middle" font-size="14" fill="{AXIS}">{_text(text.desc)}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


_OUTSIDE = 10.0
"""How many plot heights beyond the range a value outside it is drawn at, at most."""


@dataclass(frozen=True)
class _Frame:
    """The plot area and the value scale mapped onto it."""

    left: float
    top: float
    right: float
    bottom: float
    low: float
    high: float

    def y(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        # a value far outside a fixed range would overflow to ±inf; drawn past the edge (and
        # clipped) it needs no exact place
        share = min(max(share, -_OUTSIDE), 1 + _OUTSIDE)
        return self.bottom - share * (self.bottom - self.top)


def _y_scale(
    values: Iterable[float], y_range: tuple[float, float] | None
) -> tuple[float, float, list[float]]:
    """The drawn value range and its ticks: all values with 5 % padding, or `y_range` as given."""
    if (
        y_range is not None
        and all(math.isfinite(v) for v in y_range)
        and abs(y_range[1] - y_range[0]) > 1e-9 * max(1.0, *(abs(v) for v in y_range))
    ):
        low, high = min(y_range), max(y_range)
        eps = (high - low) * 1e-9
        return low, high, [t for t in nice_ticks(low, high) if low - eps <= t <= high + eps]
    seen = list(values)
    low, high = (min(seen), max(seen)) if seen else (0.0, 1.0)
    pad = (high - low) * 0.05
    ticks = nice_ticks(low - pad, high + pad)
    return ticks[0], ticks[-1], ticks


def _legend(
    entries: Sequence[tuple[str, str]], top: float, canvas: Canvas
) -> tuple[list[str], float]:
    """Legend entries (symbol markup, label) flowed into rows; returns markup and its bottom."""
    parts: list[str] = []
    x, y, right = 16.0, top, canvas.width - 16.0
    for symbol, label in entries:
        size = 28 + _width(label) + 16
        if x > 16 and x + size > right:
            x, y = 16.0, y + 16
        parts.append(f'<g transform="translate({_c(x)},{_c(y)})">{symbol}</g>')
        parts.append(f'<text x="{_c(x + 28)}" y="{_c(y + 4)}">{_text(label)}</text>')
        x += size
    return parts, y + 10


def _line_symbol(colour: str, dash: str | None, width: float = 1.5) -> str:
    return (
        f'<line x1="0" y1="0" x2="22" y2="0" stroke="{colour}" '
        f'stroke-width="{width:g}"{_dash(dash)}/>'
    )


def _marker(x: float, y: float, status: str, hollow: bool, css: str = "marker") -> str:
    """A status marker: shape and colour both carry the status (circle on target or within
    noise, diamond below target, square warn, triangle fail), fill tells full from hollow."""
    if status in HOLLOW_STATUSES:
        status, hollow = "insufficient_sample", True
    colour = STATUS_COLOURS.get(status, VALUE)
    fill = "#FFFFFF" if hollow else colour
    paint = f'fill="{fill}" stroke="{colour}" stroke-width="1.5"'
    label = f'class="{css} {status}{" hollow" if hollow else ""}"'
    if status == "below_target":
        points = f"{_c(x)},{_c(y - 5)} {_c(x + 5)},{_c(y)} {_c(x)},{_c(y + 5)} {_c(x - 5)},{_c(y)}"
        return f'<polygon {label} points="{points}" {paint}/>'
    if status == "warn":
        return f'<rect {label} x="{_c(x - 4)}" y="{_c(y - 4)}" width="8" height="8" {paint}/>'
    if status == "fail":
        points = f"{_c(x - 5)},{_c(y - 4)} {_c(x + 5)},{_c(y - 4)} {_c(x)},{_c(y + 5)}"
        return f'<polygon {label} points="{points}" {paint}/>'
    return f'<circle {label} cx="{_c(x)}" cy="{_c(y)}" r="4.5" {paint}/>'


def _axes(
    frame: _Frame,
    ticks: Sequence[float],
    number: Callable[[float], str],
    text: ChartText,
) -> list[str]:
    parts = []
    for tick in ticks:
        y = frame.y(tick)
        parts.append(
            f'<line x1="{_c(frame.left)}" y1="{_c(y)}" x2="{_c(frame.right)}" y2="{_c(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_c(frame.left - 6)}" y="{_c(y + 4)}" text-anchor="end">'
            f"{_text(number(tick))}</text>"
        )
    middle_y = (frame.top + frame.bottom) / 2
    parts.append(
        f'<text x="14" y="{_c(middle_y)}" text-anchor="middle" '
        f'transform="rotate(-90 14 {_c(middle_y)})">{_text(text.y_label)}</text>'
    )
    parts.append(
        f'<text x="{_c((frame.left + frame.right) / 2)}" y="{_c(frame.bottom + 40)}" '
        f'text-anchor="middle">{_text(text.x_label)}</text>'
    )
    return parts


def _axis_lines(frame: _Frame) -> str:
    return (
        f'<path d="M{_c(frame.left)} {_c(frame.top)}V{_c(frame.bottom)}H{_c(frame.right)}" '
        f'fill="none" stroke="{AXIS}" stroke-width="1"/>'
    )


def _x_tick(x: float, frame: _Frame, label: str | None) -> list[str]:
    parts = [
        f'<line x1="{_c(x)}" y1="{_c(frame.bottom)}" x2="{_c(x)}" y2="{_c(frame.bottom + 4)}" '
        f'stroke="{AXIS}" stroke-width="1"/>'
    ]
    if label is not None:
        parts.append(
            f'<text class="x-tick" x="{_c(x)}" y="{_c(frame.bottom + 17)}" '
            f'text-anchor="middle">{_text(label)}</text>'
        )
    return parts


def _label_every(spacing: float, widest: float) -> int:
    """How many ticks apart labels must be so that none overlap (1, 2, 3, 4, 6, 12, 24 …)."""
    needed = (widest + 10) / max(spacing, 1e-9)
    for every in (1, 2, 3, 4, 6, 12):
        if every >= needed:
            return every
    return 12 * math.ceil(needed / 12)


def _frame(
    ticks: Sequence[float],
    low: float,
    high: float,
    number: Callable[[float], str],
    top: float,
    canvas: Canvas,
) -> _Frame:
    widest = max((_width(number(t)) for t in ticks), default=0.0)
    return _Frame(
        max(56.0, 30 + widest + 8), top, canvas.width - 20.0, canvas.height - 48.0, low, high
    )


def _polyline_runs(points: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Consecutive present points; a None breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def _path(run: Sequence[tuple[float, float]]) -> str:
    head, *rest = run
    return f"M{_c(head[0])} {_c(head[1])}" + "".join(f"L{_c(x)} {_c(y)}" for x, y in rest)


def _step_path(levels: Sequence[float | None], slot: float, left: float, frame: _Frame) -> str:
    """A step line: each period's level spans its slot and changes at the slot boundary."""
    commands: list[str] = []
    previous: float | None = None
    for i, level in enumerate(levels):
        x0, x1 = left + i * slot, left + (i + 1) * slot
        if level is None:
            previous = None
            continue
        y = frame.y(level)
        if previous is None:
            commands.append(f"M{_c(x0)} {_c(y)}")
        elif level != previous:
            commands.append(f"V{_c(y)}")
        commands.append(f"H{_c(x1)}")
        previous = level
    return "".join(commands)


def _revision_x(day: date, points: Sequence[TrendPoint], slot: float, left: float) -> float | None:
    """Where a date falls on the period axis: inside its period's slot, proportionally."""
    for i, point in enumerate(points):
        if point.start <= day <= point.end:
            length = (point.end - point.start).days + 1
            return left + (i + (day - point.start).days / length) * slot
    return None


def trend_chart(
    points: Sequence[TrendPoint],
    text: ChartText,
    *,
    revisions: Sequence[date] = (),
    number: Callable[[float], str] = _default_number,
    month: Callable[[date], str] = _default_month,
    y_range: tuple[float, float] | None = None,
    chart_id: str,
    canvas: Canvas = WIDE,
) -> str:
    """An objective's value per period with its interval, thresholds, revisions and verdicts."""
    points = sorted(points, key=lambda p: p.start)
    if not points:
        return _empty(text, chart_id, canvas)
    values = [_finite(p.value) for p in points]
    bands = [
        (lo, hi) if lo is not None and hi is not None else None
        for lo, hi in ((_finite(p.ci_low), _finite(p.ci_high)) for p in points)
    ]
    levels = {
        name: [_finite(getattr(p, name)) for p in points] for name in ("target", "warn", "fail")
    }
    earlier = [_finite(p.earlier_target) for p in points]
    seen = [v for v in values if v is not None]
    seen += [v for v in earlier if v is not None]
    seen += [v for band in bands if band for v in band]
    seen += [v for row in levels.values() for v in row if v is not None]

    entries = []
    if any(v is not None for v in values):
        entries.append(
            (
                _line_symbol(VALUE, None, 2) + _marker(11, 0, "on_target", False, "key"),
                text.legend_value,
            )
        )
    if any(bands):
        entries.append(
            (
                f'<rect x="0" y="-5" width="22" height="10" fill="{VALUE}" fill-opacity="0.18"/>',
                text.legend_interval,
            )
        )
    for name, label, status in (
        ("target", text.legend_target, None),
        ("warn", text.legend_warn, "warn"),
        ("fail", text.legend_fail, "fail"),
    ):
        if any(v is not None for v in levels[name]):
            symbol = _line_symbol(THRESHOLD_COLOURS[name], DASHES[name])
            if status:
                symbol += _marker(11, 0, status, False, "key")
            entries.append((symbol, label))
    if any(v is not None for v in earlier):
        entries.append((_line_symbol(EARLIER, EARLIER_DASH), text.legend_earlier_target))
    if revisions:
        entries.append(
            (
                f'<line x1="11" y1="-6" x2="11" y2="6" stroke="{REVISION}" '
                f'stroke-width="1.5"{_dash("4 3")}/>',
                text.legend_revision,
            )
        )
    if any(not p.complete for p in points):
        entries.append(
            (
                _line_symbol(VALUE, "4 3", 2) + _marker(11, 0, "on_target", True, "key"),
                text.legend_partial,
            )
        )
    legend, legend_bottom = _legend(entries, 16, canvas)

    low, high, ticks = _y_scale(seen, y_range)
    frame = _frame(ticks, low, high, number, min(legend_bottom + 12, canvas.height / 2), canvas)
    slot = (frame.right - frame.left) / len(points)
    xs = [frame.left + (i + 0.5) * slot for i in range(len(points))]

    parts = _open(text, chart_id, canvas)
    parts.append(
        f'<defs><clipPath id="{chart_id}-plot"><rect x="{_c(frame.left)}" y="{_c(frame.top)}" '
        f'width="{_c(frame.right - frame.left)}" height="{_c(frame.bottom - frame.top)}"/>'
        "</clipPath></defs>"
    )
    parts += _axes(frame, ticks, number, text)
    every = _label_every(slot, max(_width(month(p.start)) for p in points))
    for i, (x, point) in enumerate(zip(xs, points, strict=True)):
        parts += _x_tick(x, frame, month(point.start) if i % every == 0 else None)

    parts.append(f'<g clip-path="url(#{chart_id}-plot)">')
    parts += _bands(xs, bands, frame)
    for name in ("target", "warn", "fail"):
        d = _step_path(levels[name], slot, frame.left, frame)
        if d:
            parts.append(
                f'<path class="threshold {name}" d="{d}" fill="none" '
                f'stroke="{THRESHOLD_COLOURS[name]}" stroke-width="1.5"{_dash(DASHES[name])}/>'
            )
    d = _step_path(earlier, slot, frame.left, frame)
    if d:
        parts.append(
            f'<path class="threshold earlier-target" d="{d}" fill="none" stroke="{EARLIER}" '
            f'stroke-width="1.5"{_dash(EARLIER_DASH)}/>'
        )
    parts += _value_line(xs, values, points, frame)
    parts.append("</g>")

    parts += _revision_marks(revisions, points, slot, frame, month, canvas)
    parts.append(_axis_lines(frame))
    parts.append('<g class="markers">')
    for x, value, point in zip(xs, values, points, strict=True):
        if value is not None and frame.low <= value <= frame.high:
            parts.append(_marker(x, frame.y(value), point.status, not point.complete))
        elif value is not None:
            # Outside a caller's fixed range: pinned to the edge so the period still shows.
            edge = frame.high if value > frame.high else frame.low
            parts.append(_marker(x, frame.y(edge), point.status, not point.complete))
    parts.append("</g>")
    parts += legend
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _bands(
    xs: Sequence[float], bands: Sequence[tuple[float, float] | None], frame: _Frame
) -> list[str]:
    """The interval as a translucent band, broken where a period has no interval."""
    parts = []
    upper = _polyline_runs(
        [(x, frame.y(b[1])) if b else None for x, b in zip(xs, bands, strict=True)]
    )
    lower = _polyline_runs(
        [(x, frame.y(b[0])) if b else None for x, b in zip(xs, bands, strict=True)]
    )
    for top, bottom in zip(upper, lower, strict=True):
        if len(top) == 1:  # a lone period gets a short vertical bar instead of an area
            (x, y_high), (_, y_low) = top[0], bottom[0]
            top, bottom = [(x - 4, y_high), (x + 4, y_high)], [(x - 4, y_low), (x + 4, y_low)]
        outline = _path([*top, *reversed(bottom)]) + "Z"
        parts.append(f'<path class="interval" d="{outline}" fill="{VALUE}" fill-opacity="0.18"/>')
    return parts


def _value_line(
    xs: Sequence[float], values: Sequence[float | None], points: Sequence[TrendPoint], frame: _Frame
) -> list[str]:
    """Solid between complete periods, dashed into and out of a partial one."""
    parts = []
    for i in range(len(xs) - 1):
        a, b = values[i], values[i + 1]
        if a is None or b is None:
            continue
        partial = not (points[i].complete and points[i + 1].complete)
        parts.append(
            f'<path class="value{" partial" if partial else ""}" '
            f'd="{_path([(xs[i], frame.y(a)), (xs[i + 1], frame.y(b))])}" fill="none" '
            f'stroke="{VALUE}" stroke-width="2"{_dash("4 3" if partial else None)}/>'
        )
    return parts


def _revision_marks(
    revisions: Sequence[date],
    points: Sequence[TrendPoint],
    slot: float,
    frame: _Frame,
    month: Callable[[date], str],
    canvas: Canvas,
) -> list[str]:
    """A dashed vertical line per revision, labelled with its month unless labels would collide."""
    parts = []
    label_end = -math.inf
    for day in sorted(set(revisions)):
        x = _revision_x(day, points, slot, frame.left)
        if x is None:
            continue
        parts.append(
            f'<line class="revision" x1="{_c(x)}" y1="{_c(frame.top)}" x2="{_c(x)}" '
            f'y2="{_c(frame.bottom)}" stroke="{REVISION}" stroke-width="1.5"{_dash("4 3")}/>'
        )
        label = month(day)
        if x + 3 > label_end and x + 3 + _width(label) <= canvas.width:
            parts.append(
                f'<text class="revision-label" x="{_c(x + 3)}" y="{_c(frame.top + 10)}" '
                f'font-size="10" fill="{AXIS}">{_text(label)}</text>'
            )
            label_end = x + 3 + _width(label) + 6
    return parts


def _month_ticks(first: date, last: date, x: Callable[[date], float]) -> list[date]:
    """First days of months inside [first, last], every k-th so labels do not overlap."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    span = max(x(last) - x(first), 1.0)
    every = _label_every(span / max(months, 1), _width("0000-00"))
    ticks = []
    index = first.year * 12 + first.month - 1
    index += -index % every  # aligned to the calendar: January, then every k-th month
    # a goal dated at the calendar's end (9999-12-31) has no month after it to stop at
    while index // 12 <= date.max.year:
        day = date(index // 12, index % 12 + 1, 1)
        if day > last:
            break
        if day >= first:
            ticks.append(day)
        index += every
    return ticks or [first]


def trajectory_chart(
    actual: Sequence[tuple[date, float | None]],
    path: Sequence[tuple[date, float]],
    text: ChartText,
    *,
    goal: tuple[date, float] | None = None,
    number: Callable[[float], str] = _default_number,
    month: Callable[[date], str] = _default_month,
    chart_id: str,
    canvas: Canvas = WIDE,
) -> str:
    """A goal's planned path (dashed), the values actually reached, and the goal emphasised."""
    actual = sorted(((d, _finite(v)) for d, v in actual), key=lambda item: item[0])
    planned = sorted(((d, v) for d, v in path if _finite(v) is not None), key=lambda i: i[0])
    end = goal if goal is not None and _finite(goal[1]) is not None else None
    days = [d for d, _ in actual] + [d for d, _ in planned] + ([end[0]] if end else [])
    if not days:
        return _empty(text, chart_id, canvas)
    first, last = min(days), max(days)
    if first == last:
        half_month = timedelta(days=15)
        first = first - half_month if first > date.min + half_month else date.min
        last = last + half_month if last < date.max - half_month else date.max

    entries = []
    if any(v is not None for _, v in actual):
        entries.append(
            (
                _line_symbol(VALUE, None, 2) + _marker(11, 0, "value", False, "key"),
                text.legend_value,
            )
        )
    if planned or end:
        entries.append((_line_symbol(TARGET, "6 4"), text.legend_target))
    legend, legend_bottom = _legend(entries, 16, canvas)

    seen = [v for _, v in actual if v is not None] + [v for _, v in planned]
    seen += [end[1]] if end else []
    low, high, ticks = _y_scale(seen, None)
    frame = _frame(ticks, low, high, number, min(legend_bottom + 12, canvas.height / 2), canvas)
    inset = 12.0  # keeps the first and last markers off the axis line
    span_days = (last - first).days

    def x(day: date) -> float:
        share = (day - first).days / span_days
        return frame.left + inset + share * (frame.right - frame.left - 2 * inset)

    parts = _open(text, chart_id, canvas)
    parts += _axes(frame, ticks, number, text)
    for day in _month_ticks(first, last, x):
        parts += _x_tick(x(day), frame, month(day))
    if len(planned) > 1:
        parts.append(
            f'<path class="target" d="{_path([(x(d), frame.y(v)) for d, v in planned])}" '
            f'fill="none" stroke="{TARGET}" stroke-width="1.5"{_dash("6 4")}/>'
        )
    for run in _polyline_runs([(x(d), frame.y(v)) if v is not None else None for d, v in actual]):
        if len(run) > 1:
            parts.append(
                f'<path class="value" d="{_path(run)}" fill="none" stroke="{VALUE}" '
                'stroke-width="2"/>'
            )
    parts.append(_axis_lines(frame))
    parts.append('<g class="markers">')
    for day, value in actual:
        if value is not None:
            parts.append(_marker(x(day), frame.y(value), "value", False))
    parts.append("</g>")
    if end:
        gx, gy = x(end[0]), frame.y(end[1])
        parts.append(
            f'<circle class="goal" cx="{_c(gx)}" cy="{_c(gy)}" r="8" fill="#FFFFFF" '
            f'stroke="{TARGET}" stroke-width="2.5"/>'
            f'<circle cx="{_c(gx)}" cy="{_c(gy)}" r="3" fill="{TARGET}"/>'
        )
        label = number(end[1])
        flip = gx + 12 + _width(label) > canvas.width - 4  # near the right edge the label goes left
        anchor = ' text-anchor="end"' if flip else ""
        parts.append(
            f'<text class="goal-label" x="{_c(gx - 12 if flip else gx + 12)}" '
            f'y="{_c(gy - 10)}" font-weight="bold"{anchor}>{_text(label)}</text>'
        )
    parts += legend
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def interval_chart(
    rows: Sequence[IntervalRow],
    text: IntervalText,
    *,
    number: Callable[[float], str] = _default_number,
    chart_id: str,
    canvas: Canvas = WIDE,
) -> str:
    """Estimates as dots on horizontal intervals, one row each, around a line at zero: a
    forest plot. Filled dots passed their test, hollow ones did not; the interval's ends have
    caps, so the chart reads in grey scale too."""
    drawn = [r for r in rows if _finite(r.value) is not None]
    if not drawn:
        return _empty(text, chart_id, canvas)
    seen = [0.0]
    for r in drawn:
        seen += [
            v for v in (_finite(r.value), _finite(r.ci_low), _finite(r.ci_high)) if v is not None
        ]
    entries = [
        (_marker(11, 0, "within_noise", False, "key"), text.legend_established),
        (_marker(11, 0, "within_noise", True, "key"), text.legend_not_established),
        (
            f'<line x1="0" y1="0" x2="22" y2="0" stroke="{VALUE}" stroke-width="1.5"/>'
            f'<line x1="0" y1="-4" x2="0" y2="4" stroke="{VALUE}" stroke-width="1.5"/>'
            f'<line x1="22" y1="-4" x2="22" y2="4" stroke="{VALUE}" stroke-width="1.5"/>',
            text.legend_interval,
        ),
    ]
    legend, legend_bottom = _legend(entries, 16, canvas)
    ticks = nice_ticks(min(seen), max(seen))
    low, high = ticks[0], ticks[-1]
    widest = max(_width(r.label) for r in drawn)
    left = min(max(96.0, widest + 24), canvas.width / 2)
    top, bottom, right = legend_bottom + 14, canvas.height - 48.0, canvas.width - 24.0

    def x(value: float) -> float:
        share = min(max((value - low) / (high - low), 0.0), 1.0)
        return left + share * (right - left)

    slot = (bottom - top) / len(drawn)
    parts = _open(text, chart_id, canvas)
    for tick in ticks:
        parts.append(
            f'<line x1="{_c(x(tick))}" y1="{_c(top)}" x2="{_c(x(tick))}" y2="{_c(bottom)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_c(x(tick))}" y="{_c(bottom + 17)}" text-anchor="middle">'
            f"{_text(number(tick))}</text>"
        )
    parts.append(
        f'<line class="zero" x1="{_c(x(0))}" y1="{_c(top)}" x2="{_c(x(0))}" y2="{_c(bottom)}" '
        f'stroke="{INK}" stroke-width="1.5"/>'
    )
    parts.append(
        f'<text x="{_c((left + right) / 2)}" y="{_c(bottom + 40)}" text-anchor="middle">'
        f"{_text(text.x_label)}</text>"
    )
    parts.append(
        f'<path d="M{_c(left)} {_c(bottom)}H{_c(right)}" fill="none" stroke="{AXIS}" '
        'stroke-width="1"/>'
    )
    for i, r in enumerate(drawn):
        y = top + (i + 0.5) * slot
        parts.append(
            f'<text x="{_c(left - 8)}" y="{_c(y + 4)}" text-anchor="end">'
            f"{_text(_shortened(r.label, left - 16))}</text>"
        )
        lo, hi = _finite(r.ci_low), _finite(r.ci_high)
        if lo is not None and hi is not None:
            parts.append(
                f'<g class="interval" stroke="{VALUE}" stroke-width="1.5">'
                f'<line x1="{_c(x(lo))}" y1="{_c(y)}" x2="{_c(x(hi))}" y2="{_c(y)}"/>'
                f'<line x1="{_c(x(lo))}" y1="{_c(y - 4)}" x2="{_c(x(lo))}" y2="{_c(y + 4)}"/>'
                f'<line x1="{_c(x(hi))}" y1="{_c(y - 4)}" x2="{_c(x(hi))}" y2="{_c(y + 4)}"/>'
                "</g>"
            )
        value = _finite(r.value)
        assert value is not None  # only drawn rows
        parts.append(_marker(x(value), y, "within_noise", not r.established))
    parts += legend
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# --- importance × performance ------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityPoint:
    """One touchpoint of a key-driver model: how much of R² it accounts for (%) and how it
    performs on a 0..100 view of its KPI's scale."""

    label: str
    importance: float
    performance: float
    important: bool
    """Its weight exceeds a random predictor's (filled marker); else hollow."""


@dataclass(frozen=True)
class PriorityText:
    title: str
    desc: str
    x_label: str
    y_label: str
    priorities: str
    """The quadrant of high importance and low performance."""
    legend_important: str
    legend_chance: str


def priority_chart(
    points: Sequence[PriorityPoint],
    text: PriorityText,
    *,
    chart_id: str,
    number: Callable[[float], str] = _default_number,
    canvas: Canvas = WIDE,
) -> str:
    """An importance × performance chart: importance on x (0 to the largest share), performance
    on y (0..100); dashed lines at the means split it into quadrants, and the quadrant of
    above-mean importance and below-mean performance (the priorities) is shaded."""
    drawn = [
        p
        for p in points
        if _finite(p.importance) is not None and _finite(p.performance) is not None
    ]
    if not drawn:
        return _empty(
            ChartText(text.title, text.desc, "", "", "", "", "", "", "", "", ""), chart_id, canvas
        )
    parts = _open(
        ChartText(text.title, text.desc, "", "", "", "", "", "", "", "", ""), chart_id, canvas
    )
    legend, legend_bottom = _legend(
        [
            (_marker(0, 0, "met", False, css="important"), text.legend_important),
            (_marker(0, 0, "met", True, css="chance"), text.legend_chance),
        ],
        16.0,
        canvas,
    )
    parts += legend
    y_ticks = nice_ticks(0.0, 100.0)
    frame = _frame(y_ticks, 0.0, 100.0, number, legend_bottom + 12, canvas)
    x_ticks = nice_ticks(0.0, max(p.importance for p in drawn))
    x_high = x_ticks[-1]

    def x(value: float) -> float:
        return frame.left + value / x_high * (frame.right - frame.left)

    mean_x = sum(p.importance for p in drawn) / len(drawn)
    mean_y = sum(p.performance for p in drawn) / len(drawn)
    parts.append(
        f'<rect class="priorities" x="{_c(x(mean_x))}" y="{_c(frame.y(mean_y))}" '
        f'width="{_c(frame.right - x(mean_x))}" height="{_c(frame.bottom - frame.y(mean_y))}" '
        f'fill="#D55E00" fill-opacity="0.08"/>'
    )
    parts.append(
        f'<text x="{_c(frame.right - 4)}" y="{_c(frame.bottom - 6)}" text-anchor="end" '
        f'fill="#D55E00">{_text(text.priorities)}</text>'
    )
    parts += _axes(frame, y_ticks, number, ChartText("", "", text.x_label, text.y_label, *[""] * 7))
    for tick in x_ticks:
        parts += _x_tick(x(tick), frame, number(tick))
    parts.append(_axis_lines(frame))
    parts.append(
        f'<line x1="{_c(x(mean_x))}" y1="{_c(frame.top)}" x2="{_c(x(mean_x))}" '
        f'y2="{_c(frame.bottom)}" stroke="{AXIS}" stroke-dasharray="4 3"/>'
    )
    parts.append(
        f'<line x1="{_c(frame.left)}" y1="{_c(frame.y(mean_y))}" x2="{_c(frame.right)}" '
        f'y2="{_c(frame.y(mean_y))}" stroke="{AXIS}" stroke-dasharray="4 3"/>'
    )
    for point in sorted(drawn, key=lambda p: (-p.importance, p.label)):
        px, py = x(point.importance), frame.y(point.performance)
        css = "important" if point.important else "chance"
        parts.append(_marker(px, py, "met", not point.important, css=css))
        anchor = "end" if px > (frame.left + frame.right) / 2 else "start"
        dx = -8 if anchor == "end" else 8
        room = px + dx - 4 if anchor == "end" else canvas.width - (px + dx) - 4
        parts.append(
            f'<text x="{_c(px + dx)}" y="{_c(py - 6)}" text-anchor="{anchor}">'
            f"{_text(_shortened(point.label, room))}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
