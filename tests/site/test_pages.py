"""The leadership pages: the home page's headline and "needs attention", actions once each,
owner pages linked from every owner name, numbers that claim no more than they know, and the
table cells a phone shows as cards."""

from __future__ import annotations

import re
from dataclasses import replace

import markdown
import pytest

from cxgov.model import Language, Program
from cxgov.redaction import REDACTED
from cxgov.site.data import SiteData
from cxgov.site.i18n import Locale
from cxgov.site.options import Audience
from cxgov.site.pages import GoalRow, View, build_pages, goal_rows, localised
from cxgov.site.tables import TableLabels
from tests.site.conftest import SiteStore, site_data

_LINK = re.compile(r"\]\(([^)#]+\.md)(?:#[^)]*)?\)")


@pytest.fixture(scope="module")
def kahvipalvelu(kahvipalvelu_store: SiteStore) -> tuple[Program, SiteData]:
    return site_data(kahvipalvelu_store, Audience.LEADERSHIP)


def _pages(program: Program, data: SiteData) -> dict[str, str]:
    return {
        p.path: p.content
        for p in build_pages(program, data, Audience.LEADERSHIP)
        if p.path.endswith(".md")
    }


def test_p_values_below_a_thousandth_are_never_written_as_zero(kahvipalvelu) -> None:
    view = View(*kahvipalvelu, Audience.LEADERSHIP)
    assert view.p(0.00001) == "p < 0,001"
    assert view.p(0.0004) == "p < 0,001"
    assert view.p(0.001) == "p = 0,001"
    assert view.p(0.0123) == "p = 0,012"
    assert view.p_only(0.00001) == "< 0,001"
    assert view.p_only(0.0123) == "0,012"
    change = view.voc_change(None)
    assert "0,000" not in change


def test_an_nps_interval_is_clipped_to_its_possible_range_and_says_so(kahvipalvelu) -> None:
    program, data = kahvipalvelu
    view = View(program, data, Audience.LEADERSHIP)
    nps = next(v for v in data.verdicts if v.objective == "o-suosittelu" and v.ci_low is not None)
    wide = replace(nps, ci_low=-101.4, ci_high=-40.4)
    assert view.interval_of(wide) == "−100,0 … −40,4 (rajattu mahdolliseen väliin)"
    inside = replace(nps, ci_low=-60.0, ci_high=-40.4)
    assert view.interval_of(inside) == "−60,0 … −40,4"
    share = next(v for v in data.verdicts if v.objective == "o-toimitus" and v.ci_low is not None)
    assert view.interval_of(replace(share, ci_low=90.0, ci_high=100.3)).startswith("90,0 … 100,0 (")


def test_a_lower_is_better_goal_just_above_its_target_is_not_met(kahvipalvelu) -> None:
    program, data = kahvipalvelu
    latest = View(program, data, Audience.LEADERSHIP).latest("o-haeriokysynta")
    assert latest is not None
    # 300,6 contacts a month against a goal of at most 300: not met, whatever rounding says
    verdicts = [replace(v, value=300.6) if v == latest else v for v in data.verdicts]
    view = View(program, replace(data, verdicts=verdicts), Audience.LEADERSHIP)
    row = next(r for r in goal_rows(view) if r.objective.id == "o-haeriokysynta")
    assert row.current == 300.6
    assert not row.met
    assert row.progress is not None and row.progress > 0.995
    assert view.progress(row) == "99\u00a0%"
    met = replace(row, current=299.0, progress=1.003, met=True)
    assert view.progress(met) == "100\u00a0% (saavutettu)"


def test_a_higher_is_better_goal_is_met_at_its_target(kahvipalvelu) -> None:
    view = View(*kahvipalvelu, Audience.LEADERSHIP)
    row = next(r for r in goal_rows(view) if r.objective.id == "o-suosittelu")
    assert row.current is not None and row.current >= row.target
    assert row.met
    below = GoalRow(**{**row.__dict__, "current": 34.9, "progress": 0.99, "met": False})
    assert view.progress(below) == "99\u00a0%"


def test_every_page_shows_one_current_value_per_objective(kahvipalvelu) -> None:
    """The strategy page's baselines, its goals and the home page all show the value the
    objective's status is read from: a newer running period with enough answers included."""
    program, data = kahvipalvelu
    view = View(program, data, Audience.LEADERSHIP)
    latest = view.latest("o-suosittelu")
    assert latest is not None
    # a running quarter with enough answers: the status is read from it, so is "now"
    running = replace(
        latest,
        start=latest.end.replace(day=1, month=10),
        end=latest.end.replace(day=31, month=12),
        value=12.5,
        complete=False,
        status="on_target",
    )
    changed = replace(data, verdicts=[*data.verdicts, running])
    pages = _pages(program, changed)
    strategy = pages["strategy.md"]
    baselines, goals = strategy.split("\n## Tavoitteet\n", 1)
    row = next(line for line in baselines.splitlines() if "o-suosittelu.md" in line)
    assert row.endswith("| 12,5 |"), row
    goal = goals.split("{ #suosittelu-35 }", 1)[1].split("\n### ", 1)[0]
    assert "| 18,0 | 12,5 | 35,0 |" in goal, goal
    assert "12,5" in pages["index.md"].split("Vaatii huomiota")[0]


def test_actions_are_listed_once_each_grouped_overdue_first(kahvipalvelu) -> None:
    program, data = kahvipalvelu
    assert data.actions, "the example opens actions"
    first = data.actions[0]
    # one action overdue by five days: it leads the page in a group of its own
    as_of = first.due.toordinal() + 5
    import datetime as dt

    run = data.run
    assert run is not None
    late = replace(data, run=replace(run, as_of=dt.date.fromordinal(as_of)))
    page = _pages(program, late)["actions.md"]
    for action in data.actions:
        assert page.count(f"**#{action.id}**") == 1, action.id
    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings[0].startswith("## Myöhässä"), headings
    overdue = page.split("## Myöhässä", 1)[1].split("\n## ", 1)[0]
    assert f"**#{first.id}**" in overdue and "5 pv myöhässä" in overdue


def test_every_owner_name_links_to_a_page_that_exists(kahvipalvelu) -> None:
    program, data = kahvipalvelu
    pages = _pages(program, data)
    for owner in program.owners:
        assert f"owners/{owner.id}.md" in pages
    linked = 0
    for path, content in pages.items():
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
        for target in _LINK.findall(content):
            parts: list[str] = []
            for part in (folder + target).split("/"):
                if part == "..":
                    parts.pop()
                else:
                    parts.append(part)
            resolved = "/".join(parts)
            assert resolved in pages, f"{path} links to {target}, which is not a page"
            linked += resolved.startswith("owners/")
    assert linked > len(program.owners)
    # a plain owner name left in a table would be an unlinked owner
    home = pages["index.md"]
    assert "](owners/" in home.split("## Vaatii huomiota", 1)[1]


def test_home_leads_with_the_strategic_objectives_and_what_needs_attention(kahvipalvelu) -> None:
    program, data = kahvipalvelu
    view = View(program, data, Audience.LEADERSHIP)
    home = _pages(program, data)["index.md"]
    strip = home.split('<div class="cx-headline">', 1)[1].split("</div>\n</div>", 1)[0]
    for goal in goal_rows(view):
        assert f'href="objectives/{goal.objective.id}.html"' in strip
        assert f'src="headline/{goal.objective.id}.svg"' in strip
    for status, count in view.status_counts():
        assert f"cx-{status}" in strip and f"<strong>{count}</strong>" in strip
    rows = view.attention()
    assert rows, "the example misses targets"
    severities = [r.verdict.status for r in rows]
    assert severities[0] == "fail"
    assert {"on_target", "within_noise", "insufficient_sample"}.isdisjoint(severities)
    attention = home.split("## Vaatii huomiota", 1)[1].split("\n## ", 1)[0]
    table = [line for line in attention.splitlines() if line.startswith("| <span")]
    assert [r.objective.id for r in rows] == [
        re.search(r"objectives/([^)]+)\.md", line).group(1)  # type: ignore[union-attr]
        for line in table
    ]


def test_the_heat_map_shows_the_gravest_status_of_each_stage_and_channel(kahvipalvelu) -> None:
    program, data = kahvipalvelu
    view = View(program, data, Audience.LEADERSHIP)
    journey = next(j for j in program.journeys if j.id == "kayttoonotto")
    rows = dict(view.heat_map(journey))
    channel = next(c for c in journey.channels if c.id == "asiakkaan-tilat")
    stage = [s.id for s in journey.stages].index("opastus")
    assert rows[channel.name][stage] == "fail"


def test_the_finnish_site_says_redacted_in_finnish(kahvipalvelu) -> None:
    _program, data = kahvipalvelu
    with_comment = replace(data, comments={"o-koulutus": [f"soita {REDACTED} heti"]})
    shown = localised(with_comment, Locale(Language.FI))
    assert shown.comments["o-koulutus"] == ["soita [poistettu] heti"]
    assert localised(with_comment, Locale(Language.EN)) is with_comment


def test_every_table_cell_carries_its_column_heading() -> None:
    html = markdown.markdown(
        "| Tila | Omistaja | Määräpäivä |\n|---|---|---|\n| *auki* | Sari | 1.12. |\n\n"
        "| | | |\n|---|---|---|\n| a | b | c |\n\n"
        "| Muutos | |\n|---|---|\n| edelliseen | −3 |\n",
        extensions=["tables", TableLabels()],
    )
    assert '<td data-label="Tila"><em>auki</em></td>' in html
    assert '<td data-label="Omistaja">Sari</td>' in html
    assert '<td data-label="Määräpäivä">1.12.</td>' in html
    # a key–value table and a two-column one stay tables on a phone
    assert html.count("data-cx-plain") == 2
    assert html.count("data-label") == 3


def test_the_headline_sparklines_are_svg_that_mark_missed_periods(kahvipalvelu) -> None:
    import xml.etree.ElementTree as ET

    program, data = kahvipalvelu
    charts = {
        p.path: p.content
        for p in build_pages(program, data, Audience.LEADERSHIP)
        if p.path.startswith("headline/")
    }
    assert sorted(charts) == ["headline/o-haeriokysynta.svg", "headline/o-suosittelu.svg"]
    svg = "{http://www.w3.org/2000/svg}"
    demand = ET.fromstring(charts["headline/o-haeriokysynta.svg"])
    assert demand.get("viewBox") == "0 0 240 64" and demand.get("width") is None
    assert demand.find(f"{svg}title") is not None
    view = View(program, data, Audience.LEADERSHIP)
    misses = [
        v
        for v in view.series["o-haeriokysynta"][-12:]
        if v.status in ("below_target", "warn", "fail")
    ]
    assert misses, "the example's demand objective misses in recent months"
    assert len(demand.findall(f"{svg}path")) == len(misses)
    # the dashed target path and the values
    assert len(demand.findall(f"{svg}polyline")) == 2


def test_a_sparkline_escapes_its_words() -> None:
    import datetime as dt

    from cxgov.site.sparkline import SparkPoint, sparkline

    text = sparkline(
        [SparkPoint(dt.date(2026, 1, 1), 1.0, False), SparkPoint(dt.date(2026, 2, 1), 2.0, True)],
        [],
        title="<script>alert(1)</script>",
        desc="a & b",
        chart_id="spark-x",
    )
    assert "<script>" not in text and "&lt;script&gt;" in text and "a &amp; b" in text
