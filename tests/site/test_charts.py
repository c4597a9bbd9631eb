"""SVG charts: well-formed, accessible, deterministic, escaped, and faithful to the data."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cxgov.site.charts import (
    CHAR_WIDTH,
    FONT_SIZE,
    NARROW,
    ChartText,
    IntervalRow,
    IntervalText,
    TrendPoint,
    interval_chart,
    nice_ticks,
    trajectory_chart,
    trend_chart,
)

NS = "{http://www.w3.org/2000/svg}"
TEXT = ChartText(
    title="NPS, verkkokauppa",
    desc="NPS nousi 12 pisteestä 31 pisteeseen.",
    x_label="Jakson alku",
    y_label="NPS",
    legend_value="arvo",
    legend_interval="95 %:n luottamusväli",
    legend_target="tavoite",
    legend_warn="varoitusraja",
    legend_fail="hälytysraja",
    legend_revision="tavoitteen muutos",
    legend_partial="kesken oleva jakso",
)
NUMBER_ATTRIBUTES = ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height")


def month_start(index: int) -> date:
    return date(2025 + index // 12, index % 12 + 1, 1)


def point(
    index: int,
    value: float | None,
    *,
    status: str = "pass",
    target: float | None = 30.0,
    warn: float | None = 20.0,
    fail: float | None = 10.0,
    complete: bool = True,
) -> TrendPoint:
    start = month_start(index)
    end = month_start(index + 1) - timedelta(days=1)
    ci = (None, None) if value is None else (value - 5, value + 5)
    return TrendPoint(start, end, value, ci[0], ci[1], 120, target, warn, fail, status, complete)


def attr(element: ET.Element, name: str) -> str:
    value = element.get(name)
    assert value is not None, (element.tag, name)
    return value


def text_of(root: ET.Element, tag: str = "text") -> str | None:
    element = root.find(f"{NS}{tag}")
    assert element is not None, tag
    return element.text


def title_of(root: ET.Element) -> str | None:
    return text_of(root, "title")


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def markers(root: ET.Element) -> list[ET.Element]:
    group = next(g for g in root.iter(f"{NS}g") if g.get("class") == "markers")
    return list(group)


def classes(element: ET.Element) -> set[str]:
    return set((element.get("class") or "").split())


def path_commands(d: str) -> list[tuple[str, list[float]]]:
    return [
        (command, [float(n) for n in re.findall(r"-?[\d.]+(?:e[-+]?\d+)?", numbers)])
        for command, numbers in re.findall(r"([MLHVZ])([^MLHVZ]*)", d)
    ]


def assert_finite_coordinates(root: ET.Element) -> None:
    for element in root.iter():
        for name, value in element.attrib.items():
            if name in NUMBER_ATTRIBUTES:
                assert math.isfinite(float(value)), (element.tag, name, value)
            elif name in ("d", "points", "transform"):
                assert not re.search(r"nan|inf", value, re.IGNORECASE), (element.tag, value)
                for number in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", value):
                    assert math.isfinite(float(number))


SERIES = [point(i, 10.0 + 2 * i, status=["pass", "warn", "fail"][i % 3]) for i in range(6)]


def test_trend_chart_is_well_formed_svg_with_the_fixed_view_box() -> None:
    root = parse(trend_chart(SERIES, TEXT, chart_id="trend-nps"))
    assert root.tag == f"{NS}svg"
    assert root.get("viewBox") == "0 0 720 320"
    assert root.get("role") == "img"


@pytest.mark.parametrize("empty", [False, True])
def test_title_and_desc_come_first_and_are_named_by_aria_labelledby(empty: bool) -> None:
    svg = trend_chart([] if empty else SERIES, TEXT, chart_id="trend-nps")
    root = parse(svg)
    title, desc = list(root)[:2]
    assert (title.tag, title.text, title.get("id")) == (f"{NS}title", TEXT.title, "trend-nps-title")
    assert (desc.tag, desc.text, desc.get("id")) == (f"{NS}desc", TEXT.desc, "trend-nps-desc")
    assert root.get("aria-labelledby") == "trend-nps-title trend-nps-desc"


def test_same_input_gives_identical_bytes() -> None:
    first = trend_chart(SERIES, TEXT, revisions=[date(2025, 3, 1)], chart_id="a")
    assert trend_chart(SERIES, TEXT, revisions=[date(2025, 3, 1)], chart_id="a") == first


def test_charts_are_self_contained_without_scripts_or_external_references() -> None:
    svg = trend_chart(SERIES, TEXT, chart_id="a") + trajectory_chart(
        [(date(2025, 1, 31), 10.0)], [(date(2025, 1, 1), 10.0), (date(2026, 1, 1), 30.0)], TEXT,
        chart_id="b",
    )  # fmt: skip
    assert "<script" not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<style" not in svg
    assert "font-family=" in svg


def test_every_caller_string_is_escaped_and_round_trips_as_text() -> None:
    hostile = "<script>alert(1)</script> & \"quotes\" 'too'"
    text = ChartText(*([hostile] * 11))
    svgs = [
        trend_chart(SERIES, text, revisions=[date(2025, 2, 1)], chart_id="x",
                    number=lambda v: hostile, month=lambda d: hostile),
        trend_chart([], text, chart_id="x"),
        trajectory_chart([(date(2025, 1, 31), 10.0)], [(date(2025, 1, 1), 5.0), (date(2026, 1, 1), 30.0)],
                         text, goal=(date(2026, 1, 1), 30.0), chart_id="x", number=lambda v: hostile),
    ]  # fmt: skip
    for svg in svgs:
        root = parse(svg)
        assert not [e for e in root.iter() if e.tag.endswith("script")]
        assert title_of(root) == hostile
        assert hostile in [e.text for e in root.iter(f"{NS}text")]


def test_characters_xml_cannot_carry_are_dropped_rather_than_breaking_the_file() -> None:
    text = ChartText(*(["bell\x07 and nul\x00"] * 11))
    root = parse(trend_chart(SERIES, text, chart_id="x"))
    assert title_of(root) == "bell and nul"


def test_a_chart_id_that_is_not_an_xml_id_is_refused() -> None:
    with pytest.raises(ValueError, match="chart_id"):
        trend_chart(SERIES, TEXT, chart_id="two words")


def test_one_marker_per_period_with_a_value() -> None:
    points = [point(0, 10), point(1, None, status="no_data"), point(2, 12), point(3, -40),
              point(4, None, status="insufficient_sample"), point(5, 3, status="insufficient_sample")]  # fmt: skip
    assert len(markers(parse(trend_chart(points, TEXT, chart_id="m")))) == 4


def test_a_missing_value_breaks_the_value_line() -> None:
    points = [
        point(0, 10),
        point(1, 11),
        point(2, None, status="no_data"),
        point(3, 12),
        point(4, 13),
    ]
    root = parse(trend_chart(points, TEXT, chart_id="m"))
    lines = [p for p in root.iter(f"{NS}path") if "value" in classes(p)]
    xs = [[args[0] for _, args in path_commands(attr(p, "d"))] for p in lines]
    assert len(lines) == 2  # 0→1 and 3→4; nothing bridges period 2
    assert xs[0][1] < xs[1][0]


def test_status_is_shown_by_shape_as_well_as_colour() -> None:
    points = [point(0, 10, status="pass"), point(1, 11, status="warn"), point(2, 12, status="fail")]
    shapes = [m.tag for m in markers(parse(trend_chart(points, TEXT, chart_id="s")))]
    assert len(set(shapes)) == 3


def test_insufficient_sample_and_partial_periods_have_hollow_markers() -> None:
    points = [
        point(0, 10, status="pass"),
        point(1, 11, status="insufficient_sample"),
        point(2, 12, status="no_data"),
        point(3, 13, status="warn", complete=False),
    ]
    fills = [m.get("fill") for m in markers(parse(trend_chart(points, TEXT, chart_id="h")))]
    assert fills[0] != "#FFFFFF"
    assert fills[1:] == ["#FFFFFF", "#FFFFFF", "#FFFFFF"]


def test_the_segment_into_a_partial_period_is_dashed() -> None:
    points = [point(0, 10), point(1, 11), point(2, 12, complete=False)]
    root = parse(trend_chart(points, TEXT, chart_id="p"))
    segments = [p for p in root.iter(f"{NS}path") if "value" in classes(p)]
    assert [p.get("stroke-dasharray") is not None for p in segments] == [False, True]
    assert TEXT.legend_partial in [t.text for t in root.iter(f"{NS}text")]


def test_thresholds_are_step_lines_that_change_where_the_target_changes() -> None:
    points = [point(i, 20.0, target=30.0 if i < 3 else 40.0) for i in range(6)]
    root = parse(trend_chart(points, TEXT, chart_id="t"))
    target = next(p for p in root.iter(f"{NS}path") if classes(p) == {"threshold", "target"})
    commands = path_commands(attr(target, "d"))
    assert [c for c, _ in commands].count("V") == 1  # one change of level
    # Only horizontal and vertical moves: a step line, never a slope.
    assert {c for c, _ in commands} <= {"M", "H", "V"}
    change = [c for c, _ in commands].index("V")
    assert commands[change - 1][0] == "H"
    x_change = commands[change - 1][1][0]
    marker_xs = [float(attr(m, "cx")) for m in markers(root)]
    assert marker_xs[2] < x_change < marker_xs[3]
    warn = next(p for p in root.iter(f"{NS}path") if classes(p) == {"threshold", "warn"})
    fail = next(p for p in root.iter(f"{NS}path") if classes(p) == {"threshold", "fail"})
    assert target.get("stroke-dasharray") is None
    assert warn.get("stroke-dasharray") != fail.get("stroke-dasharray")
    assert None not in (warn.get("stroke-dasharray"), fail.get("stroke-dasharray"))


def test_a_revision_gets_a_dashed_vertical_line_and_a_label() -> None:
    root = parse(trend_chart(SERIES, TEXT, revisions=[date(2025, 4, 1)], chart_id="r"))
    line = next(e for e in root.iter(f"{NS}line") if classes(e) == {"revision"})
    assert line.get("x1") == line.get("x2") and line.get("stroke-dasharray")
    labels = [t.text for t in root.iter(f"{NS}text") if classes(t) == {"revision-label"}]
    assert labels == ["2025-04"]


def test_empty_chart_shows_the_description_centred() -> None:
    root = parse(trend_chart([], TEXT, chart_id="e"))
    (message,) = list(root.iter(f"{NS}text"))
    assert message.text == TEXT.desc
    assert (message.get("x"), message.get("text-anchor")) == ("360", "middle")
    assert text_of(parse(trajectory_chart([], [], TEXT, chart_id="e"))) == TEXT.desc


@pytest.mark.parametrize(
    "points",
    [
        [point(0, 42.0)],
        [point(0, 7.0, target=7.0, warn=7.0, fail=7.0)],
        [point(i, None, status="no_data") for i in range(5)],
        [point(i, None, status="no_data", target=None, warn=None, fail=None) for i in range(3)],
        [point(i, -100.0 + 50 * i, target=-20.0, warn=-40.0, fail=-60.0) for i in range(5)],
    ],
    ids=["single", "flat", "all-none", "all-none-no-thresholds", "negative"],
)
def test_edge_series_render_parseable_svg_with_finite_coordinates(points: list[TrendPoint]) -> None:
    root = parse(trend_chart(points, TEXT, chart_id="edge"))
    assert_finite_coordinates(root)
    assert len(markers(root)) == sum(p.value is not None for p in points)


def y_tick_labels(root: ET.Element) -> list[float]:
    return [float(t.text or "") for t in root.iter(f"{NS}text") if t.get("text-anchor") == "end"]


def test_y_axis_covers_values_intervals_and_thresholds() -> None:
    points = [point(0, 50.0, target=80.0, warn=70.0, fail=-30.0)]
    ticks = y_tick_labels(parse(trend_chart(points, TEXT, chart_id="y")))
    assert ticks[0] <= -30 and ticks[-1] >= 80


def test_a_given_y_range_is_used_as_is() -> None:
    ticks = y_tick_labels(parse(trend_chart(SERIES, TEXT, y_range=(-100, 100), chart_id="y")))
    assert ticks == [-100, -50, 0, 50, 100]


def test_number_and_month_formatting_is_the_callers() -> None:
    root = parse(trend_chart(SERIES, TEXT, chart_id="f", number=lambda v: f"{v:.1f}".replace(".", ","),
                             month=lambda d: f"{d.month}/{d.year}"))  # fmt: skip
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "1/2025" in texts
    assert any(t and re.fullmatch(r"-?\d+,\d", t) for t in texts)


def test_two_years_of_months_are_labelled_without_overlap() -> None:
    root = parse(trend_chart([point(i, 20.0) for i in range(36)], TEXT, chart_id="x"))
    labels = [t for t in root.iter(f"{NS}text") if classes(t) == {"x-tick"}]
    xs = [float(attr(t, "x")) for t in labels]
    assert 4 <= len(labels) < 36
    widest = max(len(t.text or "") for t in labels) * 11 * 0.6
    assert all(b - a > widest for a, b in itertools.pairwise(xs))


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (-100, 100, [-100, -50, 0, 50, 100]),
        (0.3, 0.7, [0.3, 0.4, 0.5, 0.6, 0.7]),
        (3, 97, [0, 20, 40, 60, 80, 100]),
        (12, 13, [12, 12.2, 12.4, 12.6, 12.8, 13]),
    ],
)
def test_nice_ticks_step_by_one_two_or_five_times_a_power_of_ten(
    low: float, high: float, expected: list[float]
) -> None:
    assert nice_ticks(low, high) == expected


@given(st.floats(-1e9, 1e9), st.floats(-1e9, 1e9))
@example(0.0, 5e-324)
@example(-1e-310, 1e-310)
def test_nice_ticks_always_cover_the_range_with_a_1_2_5_step(low: float, high: float) -> None:
    ticks = nice_ticks(low, high)
    assert ticks[0] <= min(low, high) and ticks[-1] >= max(low, high)
    assert 2 <= len(ticks) <= 13
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))


def test_nice_ticks_refuse_infinite_bounds() -> None:
    with pytest.raises(ValueError):
        nice_ticks(0, math.inf)


def test_trajectory_chart_draws_the_dashed_path_the_actual_values_and_the_goal() -> None:
    actual = [
        (date(2025, 3, 31), 12.0),
        (date(2025, 6, 30), None),
        (date(2025, 9, 30), 18.0),
        (date(2025, 12, 31), 21.0),
    ]
    path = [(date(2025, 1, 1), 10.0), (date(2027, 12, 31), 40.0)]
    root = parse(
        trajectory_chart(actual, path, TEXT, goal=(date(2027, 12, 31), 40.0), chart_id="g")
    )
    target = next(p for p in root.iter(f"{NS}path") if classes(p) == {"target"})
    assert target.get("stroke-dasharray")
    assert len(markers(root)) == 3
    goal = next(c for c in root.iter(f"{NS}circle") if classes(c) == {"goal"})
    assert float(attr(goal, "r")) > max(float(attr(m, "r")) for m in markers(root))
    assert "40" in [t.text for t in root.iter(f"{NS}text") if classes(t) == {"goal-label"}]
    # the goal sits where the path ends
    end_x, end_y = path_commands(attr(target, "d"))[-1][1]
    assert (float(attr(goal, "cx")), float(attr(goal, "cy"))) == (end_x, end_y)
    assert_finite_coordinates(root)


def test_trajectory_chart_with_a_single_date_still_renders() -> None:
    root = parse(trajectory_chart([(date(2025, 1, 31), 5.0)], [], TEXT, chart_id="one"))
    assert len(markers(root)) == 1
    assert_finite_coordinates(root)


@pytest.mark.parametrize(
    ("baseline_day", "goal_day"),
    [
        (date(2026, 1, 1), date.max),  # a goal `by: 9999-12-31` that validation only warns of
        (date.max, date.max),  # a single day at the calendar's end, widened by half a month
        (date.min, date.min),
    ],
)
def test_trajectory_chart_reaches_the_ends_of_the_calendar(
    baseline_day: date, goal_day: date
) -> None:
    path = [(baseline_day, 10.0), (goal_day, 40.0)]
    root = parse(trajectory_chart([], path, TEXT, goal=(goal_day, 40.0), chart_id="far"))
    assert [c for c in root.iter(f"{NS}circle") if classes(c) == {"goal"}]
    assert_finite_coordinates(root)


values = st.one_of(
    st.none(), st.floats(-1e6, 1e6), st.sampled_from([math.nan, math.inf, -math.inf])
)


@st.composite
def trend_points(draw: st.DrawFn) -> list[TrendPoint]:
    count = draw(st.integers(0, 30))
    points = []
    for i in range(count):
        start = month_start(i)
        low, high = draw(values), draw(values)
        points.append(
            TrendPoint(
                start, month_start(i + 1) - timedelta(days=1), draw(values), low, high,
                draw(st.integers(0, 10_000)), draw(values), draw(values), draw(values),
                draw(st.sampled_from(["pass", "warn", "fail", "insufficient_sample", "no_data", "odd"])),
                draw(st.booleans()),
            )
        )  # fmt: skip
    return points


@settings(max_examples=200, deadline=None)
@given(
    points=trend_points(),
    revisions=st.lists(st.dates(date(2024, 6, 1), date(2028, 1, 1)), max_size=4),
    y_range=st.one_of(st.none(), st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6))),
)
# a fixed range narrower than float precision, with thresholds far outside it: once -inf
@example(
    points=[
        TrendPoint(date(2025, 1, 1), date(2025, 1, 31), 1.0, None, None, 5, None, None, 64.0, "pass", False)
    ],
    revisions=[],
    y_range=(0.0, 8.281170345535532e-305),
)  # fmt: skip
def test_random_series_always_give_parseable_svg_with_finite_coordinates(
    points: list[TrendPoint], revisions: list[date], y_range: tuple[float, float] | None
) -> None:
    root = parse(trend_chart(points, TEXT, revisions=revisions, y_range=y_range, chart_id="h"))
    assert_finite_coordinates(root)
    if points:
        assert len(markers(root)) == sum(
            p.value is not None and math.isfinite(p.value) for p in points
        )


@settings(max_examples=100, deadline=None)
@given(
    actual=st.lists(st.tuples(st.dates(date(2020, 1, 1), date(2030, 1, 1)), values), max_size=20),
    path=st.lists(
        st.tuples(st.dates(date(2020, 1, 1), date(2030, 1, 1)), st.floats(-1e6, 1e6)), max_size=4
    ),
    goal=st.one_of(
        st.none(), st.tuples(st.dates(date(2020, 1, 1), date(2030, 1, 1)), st.floats(-1e6, 1e6))
    ),
)
@example(actual=[(date(2020, 1, 1), 5e-324)], path=[], goal=(date(2020, 1, 1), 0.0))
def test_random_trajectories_always_give_parseable_svg_with_finite_coordinates(
    actual: list[tuple[date, float | None]],
    path: list[tuple[date, float]],
    goal: tuple[date, float] | None,
) -> None:
    assert_finite_coordinates(parse(trajectory_chart(actual, path, TEXT, goal=goal, chart_id="h")))


# --- the narrow drawing for phones -------------------------------------------------------------


def _estimated_extent(element: ET.Element) -> tuple[float, float]:
    """Where a text element's label begins and ends, at the width the charts space labels with
    (CHAR_WIDTH per character), from its anchor."""
    x = float(attr(element, "x"))
    width = len(element.text or "") * CHAR_WIDTH
    anchor = element.get("text-anchor", "start")
    start = x - width if anchor == "end" else x - width / 2 if anchor == "middle" else x
    return start, start + width


def test_the_narrow_drawing_keeps_its_type_and_every_label_inside_it() -> None:
    series = [point(i, 10.0 + (i % 5), status="pass") for i in range(24)]
    wide = parse(trend_chart(series, TEXT, chart_id="trend-nps"))
    narrow = parse(trend_chart(series, TEXT, chart_id="trend-nps", canvas=NARROW))
    assert narrow.get("viewBox") == f"0 0 {NARROW.width:g} {NARROW.height:g}"
    # the same type size in half the width: shown at a phone's width it is twice the wide's
    assert narrow.get("font-size") == wide.get("font-size") == str(FONT_SIZE)
    for text in narrow.iter(f"{NS}text"):
        if text.get("transform"):  # the rotated y-axis title
            continue
        start, end = _estimated_extent(text)
        assert start >= 0 and end <= NARROW.width, (text.text, start, end)
    # fewer month labels fit, so fewer are written, none overlapping
    ticks = [t for t in narrow.iter(f"{NS}text") if classes(t) == {"x-tick"}]
    wide_ticks = [t for t in wide.iter(f"{NS}text") if classes(t) == {"x-tick"}]
    assert 0 < len(ticks) < len(wide_ticks)
    extents = sorted(_estimated_extent(t) for t in ticks)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(extents))


def test_a_row_label_longer_than_half_the_narrow_drawing_is_cut_with_an_ellipsis() -> None:
    long = "Toimitus myöhästyi, asentaja ei soittanut"
    rows = [
        IntervalRow(long, -12.0, -20.0, -4.0, True),
        IntervalRow("Hinta", 3.0, -2.0, 8.0, False),
    ]
    words = IntervalText("Vaikutus", "Kaksi teemaa.", "NPS-ero", "näyttö", "ei näyttöä", "väli")
    narrow = parse(interval_chart(rows, words, chart_id="impact", canvas=NARROW))
    labels = [t.text or "" for t in narrow.iter(f"{NS}text")]
    assert "Hinta" in labels
    cut = next(label for label in labels if label.startswith("Toimitus"))
    assert cut.endswith("…") and long.startswith(cut[:-1])
    for text in narrow.iter(f"{NS}text"):
        start, _ = _estimated_extent(text)
        assert start >= 0, (text.text, start)
    # the wide drawing has the room and keeps the whole name; the alt text always does
    wide = parse(interval_chart(rows, words, chart_id="impact"))
    assert long in [t.text for t in wide.iter(f"{NS}text")]
