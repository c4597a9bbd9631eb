"""The Voice of the customer section: the same figures as the evaluation report, a flagged
contradicted link, and what each audience may see of what customers wrote."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from cxgov import api
from cxgov.judgement.cells import Aggregates, Cell, PeriodValue
from cxgov.judgement.periods import Period
from cxgov.judgement.voc import from_json, to_json
from cxgov.redaction import redact
from cxgov.site.data import RunSummary, SiteData
from cxgov.site.options import Audience
from cxgov.site.pages import Page, build_pages, navigation
from cxgov.stats import Counts
from cxgov.store.engine import open_store
from cxgov.store.runs import latest_record
from cxgov.voc.evidence import Evidence, sections
from tests.clock import clock
from tests.site.conftest import SiteStore, site_data
from tests.voc.programs import program, retention_records

AS_OF = dt.date(2026, 1, 1)
MONTHS = [
    Period(dt.date(2025, m, 1), dt.date(2025 + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1), True)
    for m in range(1, 13)
]


def _pages(pages: list[Page]) -> dict[str, str]:
    return {p.path: p.content for p in pages if p.path.endswith(".md")}


def _shop_site() -> dict[str, str]:
    """The voice-of-the-customer test shop whose retention moves against its checkout CSAT
    every month: its expected-positive link is contradicted. Its NPS is linked to the
    per-customer retention records too."""
    shop = program(
        links=[
            {"cx": "mp-checkout", "business": "retention", "expected": "positive"},
            {"cx": "mp-nps", "business": "retention", "expected": "positive"},
        ]
    )
    csat = [60, 63, 61, 65, 64, 61, 63, 68, 64, 65, 63, 66]
    counts = {
        Cell("mp-checkout", p, ()): Counts(n=100, positives=csat[i]) for i, p in enumerate(MONTHS)
    }
    values = {
        Cell("mp-retention", p, ()): PeriodValue(90.0 - (csat[i] - 60), None)
        for i, p in enumerate(MONTHS)
    }
    aggregates = Aggregates(counts, values, {}, {"mp-checkout": MONTHS, "mp-retention": MONTHS})
    voc = sections(
        shop, Evidence("hash", [], retention_records()), aggregates, AS_OF, redact=redact
    )
    data = SiteData(run=RunSummary(1, AS_OF, "0" * 64, None), voc=voc)
    return _pages(build_pages(shop, data, Audience.LEADERSHIP))


def test_a_contradicted_link_is_flagged_on_its_page_and_the_overview() -> None:
    pages = _shop_site()
    links = pages["voc/links.md"]
    assert "!!! danger" in links and "**⚠ contradicted**" in links
    assert "| Correlation of the changes r | -1.00 (confidence interval -1.00 … -1.00" in links
    assert "| Independent changes (effective n) |" in links
    assert "business links contradicted by the data: 1 of 2" in pages["voc/index.md"]
    assert "business links contradicted by the data: 1 of 2" in pages["index.md"]


def test_business_outcome_by_respondent_group_is_shown_where_customer_keys_allow() -> None:
    links = _shop_site()["voc/links.md"]
    checkout, nps = links.split("\n## ")[1:]
    assert "no customer has business records on or after their newest answer" in checkout
    assert "### By respondent group" in nps
    assert "| promoters (9–10) | 2 | 90.00 | -37.06 … 217.06 |" in nps
    assert "| detractors (0–6) | 2 | 30.00 |" in nps
    assert "Difference, promoters (9–10) − detractors (0–6): 60.00" in nps


def test_drivers_always_come_with_n_and_an_interval(kahvipalvelu_store: SiteStore) -> None:
    _program, data = site_data(kahvipalvelu_store, Audience.LEADERSHIP)
    pages = _pages(build_pages(_program, data, Audience.LEADERSHIP))
    drivers = pages["voc/drivers.md"]
    rows = [
        line for line in drivers.splitlines() if line.startswith("| ") and " | r | " not in line
    ]
    shown = [line for line in rows if "vastaajat" in line or "jaksot" in line]
    assert data.voc is not None
    assert len(shown) == len(data.voc.drivers[0].drivers) > 0
    for line in shown:
        cells = [c.strip() for c in line.strip("|").split("|")]
        n, interval, reading = cells[3], cells[5], cells[7]
        assert n.isdigit() and " … " in interval, line
        assert reading in {"**myönteinen**", "**kielteinen**", "väli sisältää nollan"}, line


def test_the_site_shows_the_figures_of_the_evaluation_report(
    kahvipalvelu_store: SiteStore,
) -> None:
    report = api.evaluate(
        str(kahvipalvelu_store.program_dir),
        as_of=kahvipalvelu_store.as_of,
        db=kahvipalvelu_store.db,
        out=None,
        dry_run=True,
        clock=clock,
    ).report
    _program, data = site_data(kahvipalvelu_store, Audience.TEAM)
    site, reported = data.voc, from_json(report)
    assert site is not None
    # the recorded run tagged the comments; the dry run after it, none
    assert site.themes.tagged_in_this_run == site.themes.comments > 0
    assert reported.themes.tagged_in_this_run == 0
    assert site.themes == replace(reported.themes, tagged_in_this_run=site.themes.comments)
    assert site.drivers == reported.drivers
    assert site.links == reported.links
    assert site.fatigue == reported.fatigue


def test_leadership_sees_no_customer_words(kahvipalvelu_store: SiteStore) -> None:
    team_program, team = site_data(kahvipalvelu_store, Audience.TEAM)
    _program, leadership = site_data(kahvipalvelu_store, Audience.LEADERSHIP)
    team_pages = _pages(build_pages(team_program, team, Audience.TEAM))
    leadership_pages = _pages(build_pages(_program, leadership, Audience.LEADERSHIP))
    themes = [path for path in team_pages if path.startswith("voc/themes/")]
    assert themes and set(themes) == {p for p in leadership_pages if p.startswith("voc/themes/")}
    assert any("### Esimerkkikommentteja" in team_pages[path] for path in themes)
    assert not any("Esimerkkikommentteja" in leadership_pages[path] for path in themes)
    assert "Yleisimmät sanat teemattomissa kommenteissa" in team_pages["voc/index.md"]
    assert "Yleisimmät sanat" not in leadership_pages["voc/index.md"]
    # the figures themselves are the same for both audiences
    assert leadership.voc is not None and team.voc is not None
    assert leadership.voc.drivers == team.voc.drivers
    assert leadership.voc.links == team.voc.links
    assert leadership.voc.fatigue == team.voc.fatigue
    assert leadership.voc.themes.coverage.frequent_words == ()
    assert team.voc.themes.coverage.frequent_words


def test_the_section_is_in_the_navigation_with_a_page_per_theme(
    kahvipalvelu_store: SiteStore,
) -> None:
    _program, data = site_data(kahvipalvelu_store, Audience.TEAM)
    pages = build_pages(_program, data, Audience.TEAM)
    (section,) = [entry for entry in navigation(_program, pages) if "Asiakkaan ääni" in entry]
    paths = [
        next(iter(item.values())) if isinstance(item, dict) else item
        for item in section["Asiakkaan ääni"]
    ]
    assert paths[0] == "voc/index.md" and paths[-3:] == [
        "voc/drivers.md",
        "voc/links.md",
        "voc/fatigue.md",
    ]
    assert sorted(paths[1:-3]) == sorted(f"voc/themes/{t.id}.md" for t in _program.themes)


def test_the_sections_read_back_from_their_json_which_is_the_report_s(
    kahvipalvelu_store: SiteStore,
) -> None:
    """The sections are typed values; their JSON is the report's (docs/voc.md), and reading it
    back gives the same values, as the store does with every recorded run."""
    evaluation = api.evaluate(
        str(kahvipalvelu_store.program_dir),
        as_of=kahvipalvelu_store.as_of,
        db=kahvipalvelu_store.db,
        out=None,
        dry_run=True,
        clock=clock,
    )
    found = evaluation.record.voc
    assert found is not None
    assert found.themes.themes and found.drivers and found.links and found.fatigue.window
    assert to_json(found) == {
        section: evaluation.report[section] for section in ("themes", "drivers", "links", "fatigue")
    }
    assert from_json(to_json(found)) == found
    engine = open_store(kahvipalvelu_store.db)
    try:
        with engine.connect() as connection:
            stored = latest_record(connection, "kahvipalvelu")
    finally:
        engine.dispose()
    assert stored is not None and stored.voc is not None
    assert from_json(to_json(stored.voc)) == stored.voc
    # the stored run differs from the dry run after it only in the comments it tagged
    assert stored.voc == replace(
        found, themes=replace(found.themes, tagged_in_this_run=stored.voc.themes.comments)
    )


def test_a_site_before_any_run_has_empty_voice_of_the_customer_pages() -> None:
    pages = _pages(build_pages(program(), SiteData(run=None), Audience.TEAM))
    assert "## Themes" not in pages["voc/index.md"]
    assert "No journey has a relationship (NPS) measurement point" in pages["voc/drivers.md"]
    assert "The program links no business KPI to a CX KPI." in pages["voc/links.md"]
    assert "The program has no contact policy" in pages["voc/fatigue.md"]
    assert [p for p in pages if p.startswith("voc/themes/")] == []
