"""The Voice of the customer charts: each theme's difference with − without as dots on
intervals around zero, and its share over time, on the theme's page in both languages."""

from __future__ import annotations

import datetime as dt
import re

from cxgov.judgement.cells import Aggregates
from cxgov.site.charts import IntervalRow, IntervalText, interval_chart
from cxgov.site.data import RunSummary, SiteData
from cxgov.site.options import Audience
from cxgov.site.pages import build_pages
from cxgov.voc.evidence import Evidence, sections
from tests.voc.programs import comment, program

WORDS = IntervalText(
    title="Late <b>deliveries</b>",
    desc="Two periods.",
    x_label="Difference (NPS)",
    legend_established="established",
    legend_not_established="not established",
    legend_interval="confidence interval",
)


def test_dots_on_intervals_around_zero() -> None:
    rows = [
        IntervalRow("Jan", -40.0, -60.0, -20.0, True),
        IntervalRow("Feb", 5.0, -20.0, 30.0, False),
        IntervalRow("Mar", None, None, None, False),
    ]
    svg = interval_chart(rows, WORDS, chart_id="impact-late")
    assert svg == interval_chart(rows, WORDS, chart_id="impact-late"), "byte for byte the same"
    assert svg.count('class="zero"') == 1
    assert svg.count('class="interval"') == 2, "a period without a difference draws nothing"
    markers = re.findall(r'<circle class="marker within_noise( hollow)?"', svg)
    assert markers == ["", " hollow"], "filled where established, hollow where not"
    assert "Late &lt;b&gt;deliveries&lt;/b&gt;" in svg and "<b>" not in svg
    assert ">Jan<" in svg and ">Feb<" in svg and ">Mar<" not in svg


def test_nothing_to_draw_says_so() -> None:
    svg = interval_chart([IntervalRow("Jan", None, None, None, False)], WORDS, chart_id="x")
    assert "Two periods." in svg and "<circle" not in svg


def _pages(language: str) -> dict[str, str]:
    header = {
        "id": "shop",
        "name": "Shop",
        "language": language,
        "timezone": "UTC",
        "cx_owner": "cx",
        "sponsor": "cx",
    }
    shop = program(program=header)
    day = dt.date(2025, 12, 5)
    comments = [
        comment(
            "mp-nps",
            day,
            2 if i < 25 else 10,
            "late",
            {"late": "late*"} if i < 25 else {},
            number=i,
        )
        for i in range(100)
    ]
    voc = sections(
        shop,
        Evidence("hash", comments, []),
        Aggregates({}, {}, {}, {}),
        dt.date(2026, 1, 1),
        redact=str,
    )
    data = SiteData(run=RunSummary(1, dt.date(2026, 1, 1), "0" * 64, None), voc=voc)
    return {p.path: p.content for p in build_pages(shop, data, Audience.TEAM)}


def test_a_theme_page_shows_its_charts_and_how_it_was_decided() -> None:
    for language, words in (
        ("en", ("mentioned with a lower KPI", "exact permutation", "Benjamini–Hochberg")),
        ("fi", ("mainitsijoilla matalampi mittari", "tarkka permutaatio", "virhetasolla")),
    ):
        pages = _pages(language)
        page = pages["voc/themes/late.md"]
        for chart in ("late.mp-nps.share.svg", "late.mp-nps.impact.svg"):
            assert f'<img src="{chart}"' in page, f"{language}: {chart} on the page"
            narrow = chart.replace(".svg", ".narrow.svg")
            assert f'srcset="{narrow}"' in page, f"{language}: {narrow} on the page"
            for drawn in (chart, narrow):
                assert pages[f"voc/themes/{drawn}"].startswith("<svg"), drawn
        for word in words:
            assert word in page, f"{language}: {word!r}"
        impact = pages["voc/themes/late.mp-nps.impact.svg"]
        assert '<circle class="marker within_noise"' in impact, "the established difference"
        headline = {
            "en": "Themes mentioned with a lower KPI: 1",
            "fi": "Teemoja, joiden mainitsijoilla on matalampi mittari: 1",
        }[language]
        assert headline in pages["voc/index.md"]
