"""Subscribing and embedding: the Atom feed of status changes and actions, and the status badges
per objective and journey (valid XML, stable ids and addresses, names escaped, dated by the
run, never by the clock)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from cxgov.judgement.verdicts import Verdict
from cxgov.model import Language
from cxgov.site.badges import SVG_NS, badge_svg, worst
from cxgov.site.feed import ATOM_NS, atom_feed
from cxgov.site.i18n import Locale
from cxgov.site.options import Audience
from cxgov.site.pages import Page
from tests.site.conftest import SiteStore, site_data, site_pages

HOSTILE = '<script>&"'
A = f"{{{ATOM_NS}}}"
S = f"{{{SVG_NS}}}"


def _by_path(pages: list[Page]) -> dict[str, str]:
    return {p.path: p.content for p in pages}


def test_every_objective_and_journey_has_a_badge_at_a_stable_address(
    kahvipalvelu_store: SiteStore,
) -> None:
    program, _data = site_data(kahvipalvelu_store, Audience.TEAM)
    pages = _by_path(site_pages(kahvipalvelu_store))
    wanted = [f"badges/objective/{o.id}.svg" for o in program.objectives] + [
        f"badges/journey/{j.id}.svg" for j in program.journeys
    ]
    assert sorted(p for p in pages if p.startswith("badges/")) == sorted(wanted)
    for path in wanted:
        svg = ET.fromstring(pages[path])
        assert svg.tag == f"{S}svg"
        title = svg.find(f"{S}title")
        assert title is not None and title.text
        texts = [t.text for t in svg.iter(f"{S}text")]
        assert len(texts) == 2 and all(texts)
    verkkotilaus = ET.fromstring(pages["badges/objective/o-verkkotilaus.svg"])
    label, status = (t.text for t in verkkotilaus.iter(f"{S}text"))
    assert label == "Verkkotilaus on vaivaton"
    assert status in {Locale(Language.FI).t(v.value) for v in Verdict}


def test_a_badge_escapes_the_name() -> None:
    text = badge_svg(HOSTILE, "fail", Locale(Language.EN))
    assert "<script>" not in text
    svg = ET.fromstring(text)
    assert [t.text for t in svg.iter(f"{S}text")] == [HOSTILE, "fail"]
    assert svg.get("aria-label") == f"{HOSTILE}: fail"


def test_a_journey_badge_shows_its_worst_objective() -> None:
    assert worst(["on_target", "warn", "within_noise"]) == "warn"
    assert worst(["no_data", "fail"]) == "fail"
    assert worst([]) is None
    assert "not judged" in badge_svg("Journey", None, Locale(Language.EN))


def _feed(store: SiteStore) -> ET.Element:
    pages = _by_path(site_pages(store))
    return ET.fromstring(pages["feed.xml"])


def _stamp(element: ET.Element, tag: str) -> dt.datetime:
    found = element.find(f"{A}{tag}")
    assert found is not None and found.text
    return dt.datetime.fromisoformat(found.text)


def test_the_feed_is_atom_with_status_changes_and_actions(kahvipalvelu_store: SiteStore) -> None:
    feed = _feed(kahvipalvelu_store)
    assert feed.tag == f"{A}feed"
    entries = feed.findall(f"{A}entry")
    assert entries
    ids = [e.findtext(f"{A}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(i and i.startswith("urn:uuid:") for i in ids)
    titles = [e.findtext(f"{A}title") or "" for e in entries]
    assert any("→" in t for t in titles), "a status change"
    assert any(t.startswith("Toimenpide #") and "avattu" in t for t in titles), "a new action"
    for entry in entries:
        link = entry.find(f"{A}link")
        assert link is not None and link.get("href", "").endswith(".html")
        assert entry.findtext(f"{A}summary")
    updated = [_stamp(e, "updated") for e in entries]
    assert updated == sorted(updated, reverse=True), "newest first"
    # dated by the data and the run (the tests' fixed clock), never by the wall clock
    newest = _stamp(feed, "updated")
    assert newest == max(updated)
    assert newest <= dt.datetime(2026, 11, 1, 3, 0, tzinfo=dt.UTC)
    assert min(updated) >= dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def test_the_feed_is_the_same_on_every_build(kahvipalvelu_store: SiteStore) -> None:
    first = _by_path(site_pages(kahvipalvelu_store))["feed.xml"]
    assert _by_path(site_pages(kahvipalvelu_store))["feed.xml"] == first


def test_the_feed_escapes_names(kahvipalvelu_store: SiteStore) -> None:
    program, data = site_data(kahvipalvelu_store, Audience.TEAM)
    renamed = [o.model_copy(update={"name": HOSTILE}) for o in program.objectives]
    hostile = program.model_copy(
        update={
            "objectives": renamed,
            "program": program.program.model_copy(update={"name": HOSTILE}),
        }
    )
    text = atom_feed(hostile, data)
    assert text is not None and "<script>" not in text
    feed = ET.fromstring(text)
    assert HOSTILE in (feed.findtext(f"{A}title") or "")
    assert all(HOSTILE in (e.findtext(f"{A}title") or "") for e in feed.findall(f"{A}entry"))


def test_the_site_links_the_feed_and_the_badges(kahvipalvelu_store: SiteStore) -> None:
    pages = _by_path(site_pages(kahvipalvelu_store))
    assert "(feed.xml)" in pages["index.md"]
    objective = pages["objectives/o-verkkotilaus.md"]
    assert "(../feed.xml)" in objective
    assert "(../badges/objective/o-verkkotilaus.svg)" in objective
