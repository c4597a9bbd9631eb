"""Every page of both example sites in a real browser (Debian's chromium driven by Playwright),
at a laptop's 1400×900 and a phone's 390×844, in Finnish (kahvipalvelu) and English (airline):

- the owner and due-date cells of every table row lie inside the viewport without scrolling
  sideways (their bounding boxes);
- at 390 px no element reaches past the right edge of the screen;
- every chart is drawn at a size where its type shows at MIN_CHART_TYPE_PX or more (at 390 px
  the page picks the chart's narrow drawing; the wide one scaled to a phone shows 5 px type);
- axe-core (npm, pinned in package-lock.json, injected into the page) finds no violation of
  impact serious or critical: at 1400 px on every page made from a template of its own and on
  the first two of each template that makes a page per objective, journey, theme or owner; at
  390 px on the photographed pages;
- search finds an objective over http and from disk (file://), for mkdocs-material and Zensical.

Screenshots of the overview, an objective, a journey, the voice of the customer, the actions and
an owner's page, per language and width, go to test-artifacts/site/checks/ (CI keeps them).
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cxgov import api
from cxgov.site.charts import FONT_SIZE
from cxgov.site.i18n import MESSAGES
from tests.conftest import ROOT
from tests.site.conftest import SiteStore
from tests.site.test_browser import CHROMIUM, FLAGS

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-artifacts" / "site" / "checks"
VIEWPORTS = {"wide": (1400, 900), "phone": (390, 844)}
OWNER_AND_DUE = ("owner", "assignee", "cx_owner", "due")
"""The columns a reader needs to see who owns a problem and by when (their headings' keys)."""

SHOWN = {
    "home": "index.html",
    "objective": "objectives/",
    "journey": "journeys/",
    "voc": "voc/index.html",
    "actions": "actions.html",
    "owner": "owners/",
}
"""The pages photographed at both widths, in both languages (a folder: its first page after
the folder's index)."""


@dataclass(frozen=True)
class Site:
    name: str
    language: str
    folder: Path
    url: str
    """Where the site is served over http."""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _build(store: SiteStore, into: Path, builder: api.Builder = api.Builder.MKDOCS) -> Path:
    return api.build_site(
        str(store.program_dir),
        db=store.db,
        out=str(into / "site"),
        work=str(into / "work"),
        config=None,
        builder=builder,
    ).out


def _serve(folder: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def served(
    kahvipalvelu_store: SiteStore,
    airline_store: SiteStore,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Site]]:
    """Both examples built with mkdocs-material, and the Finnish one with Zensical, each served
    at the root of its own local HTTP server, as a static host serves a site (the 404 page
    links the theme's files from the root)."""
    root = tmp_path_factory.mktemp("checks")
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    SHOTS.mkdir(parents=True)
    folders = {
        "kahvipalvelu": _build(kahvipalvelu_store, root / "kahvipalvelu"),
        "airline": _build(airline_store, root / "airline"),
        "zensical": _build(kahvipalvelu_store, root / "zensical", api.Builder.ZENSICAL),
    }
    languages = {"kahvipalvelu": "fi", "airline": "en", "zensical": "fi"}
    servers = {name: _serve(folder) for name, folder in folders.items()}
    try:
        yield {
            name: Site(
                name,
                languages[name],
                folder,
                f"http://127.0.0.1:{servers[name].server_address[1]}",
            )
            for name, folder in folders.items()
        }
    finally:
        for server in servers.values():
            server.shutdown()
            server.server_close()


def _needed(what: str, reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true needs the browser checks ({what})")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        _needed("chromium", f"no chromium at {CHROMIUM} (apt-get install chromium)")
    if not AXE.is_file():
        _needed("axe-core", f"no axe-core at {AXE} (run npm ci in the repository)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


def _pages(site: Site) -> list[str]:
    """Every page of the site, as paths relative to it (the 404 page too)."""
    return sorted(
        path.relative_to(site.folder).as_posix()
        for path in site.folder.rglob("*.html")
        if "assets" not in path.parts
    )


REPEATED = ("objectives/", "journeys/", "voc/themes/", "owners/")
"""Folders of pages made from one template, one page per objective, journey, theme or
owner."""


def _axe_pages(pages: list[str]) -> set[str]:
    """The pages axe-core checks: every page made from its own template, and the first two of
    each repeated template (the others differ only in the data they show, which the layout
    checks still see on every page). axe takes seconds a page; this keeps the file's time
    within what CI can spend on it."""
    chosen: set[str] = set()
    for path in pages:
        folder = next((f for f in REPEATED if path.startswith(f)), None)
        if (
            folder is None
            or path == f"{folder}index.html"
            or sum(p.startswith(folder) and p != f"{folder}index.html" for p in chosen) < 2
        ):
            chosen.add(path)
    return chosen


_CLIPPED_CELLS = """
(words) => {
  const wanted = new Set(words.map((w) => w.toLowerCase()));
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const table of document.querySelectorAll("article table")) {
    const heads = [...table.querySelectorAll("thead th")].map(
      (th) => th.textContent.trim().toLowerCase());
    const columns = heads.flatMap((h, i) => (wanted.has(h) ? [i] : []));
    if (!columns.length) continue;
    for (const row of table.querySelectorAll("tbody tr")) {
      for (const i of columns) {
        const cell = row.children[i];
        if (!cell) continue;
        const box = cell.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) {
          found.push(`${heads[i]} "${cell.textContent.trim()}": not displayed`);
        } else if (box.left < -0.5 || box.right > width + 0.5) {
          found.push(`${heads[i]} "${cell.textContent.trim()}": ${Math.round(box.left)}`
            + `..${Math.round(box.right)} px, the screen is ${width} px`);
        }
      }
    }
  }
  return found;
}
"""

MIN_CHART_TYPE_PX = 9.0
"""The smallest type a chart may show, in CSS pixels: below about 9 px text is not read, only
guessed (the wide drawing's 11-unit type scaled to a phone's column is 5 px)."""

_ILLEGIBLE_CHARTS = """
([fontSize, minimum]) => {
  const found = [];
  for (const img of document.querySelectorAll("picture.cx-chart img")) {
    const box = img.getBoundingClientRect();
    if (!img.complete || img.naturalWidth === 0) {
      found.push(`chart ${img.currentSrc || img.src} did not load`);
      continue;
    }
    // an SVG's natural width is its width in SVG units: the type's size scales with it
    const shown = fontSize * box.width / img.naturalWidth;
    if (shown < minimum) {
      found.push(`chart ${img.currentSrc.split("/").pop()}: its type shows at `
        + `${shown.toFixed(1)} px (${Math.round(box.width)} px for ${img.naturalWidth} units)`);
    }
  }
  return found;
}
"""

_OVERFLOWING = """
() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width + 1) {
    found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px wide`);
  }
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.display === "none") continue;
    // off-canvas navigation drawers are slid out of sight on purpose
    if (element.closest(".md-sidebar, .md-nav, .md-search, [hidden]")) continue;
    // the outermost element that overflows says where; its contents would repeat it
    const parent = element.parentElement;
    if (parent && parent.getBoundingClientRect().right > width + 1) continue;
    const name = element.tagName.toLowerCase()
      + (element.className && typeof element.className === "string"
         ? "." + element.className.trim().split(/\\s+/).join(".") : "");
    found.push(`${name} "${element.textContent.trim().slice(0, 40)}" reaches `
      + `${Math.round(box.right)} px`);
    if (found.length > 10) break;
  }
  return found;
}
"""

_AXE_RUN = """
async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} – `
      + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; "));
}
"""


def _shown(pages: list[str]) -> dict[str, str]:
    """The photographed pages among `pages` (sorted), by path: their names in SHOWN."""
    found: dict[str, str] = {}
    for name, wanted in SHOWN.items():
        for path in pages:
            if path == wanted or (
                wanted.endswith("/") and path.startswith(wanted) and path != f"{wanted}index.html"
            ):
                found[path] = name
                break
    return found


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("name", ["kahvipalvelu", "airline"])
def test_every_page_fits_and_passes_axe(
    served: dict[str, Site], browser: Any, name: str, viewport: str
) -> None:
    site = served[name]
    width, height = VIEWPORTS[viewport]
    words = [MESSAGES[key][site.language] for key in OWNER_AND_DUE]
    context = browser.new_context(viewport={"width": width, "height": height})
    problems: list[str] = []
    pages = _pages(site)
    # axe's rules read the page, not its width, except the header and navigation, which change
    # on a phone: at 390 px it audits the photographed pages
    shown = _shown(pages)
    audited = _axe_pages(pages) if viewport == "wide" else set(shown)
    try:
        page = context.new_page()
        for path in pages:
            page.goto(f"{site.url}/{path}")
            problems += [f"{path}: {p}" for p in page.evaluate(_CLIPPED_CELLS, words)]
            problems += [
                f"{path}: {p}"
                for p in page.evaluate(_ILLEGIBLE_CHARTS, [FONT_SIZE, MIN_CHART_TYPE_PX])
            ]
            if viewport == "phone":
                problems += [f"{path}: {p}" for p in page.evaluate(_OVERFLOWING)]
            if path in audited:
                page.add_script_tag(path=str(AXE))
                problems += [f"{path}: axe {p}" for p in page.evaluate(_AXE_RUN)]
            if path in shown:
                shot = SHOTS / f"{site.language}-{viewport}-{shown[path]}.png"
                page.screenshot(path=str(shot), full_page=True)
    finally:
        context.close()
    assert sorted(shown.values()) == sorted(SHOWN), f"photographed {sorted(shown.values())}"
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_the_zensical_build_passes_axe(served: dict[str, Site], browser: Any) -> None:
    """Zensical draws its own header, navigation and search: axe audits the photographed pages
    of its build (the Finnish example) too, at both widths."""
    site = served["zensical"]
    problems: list[str] = []
    for viewport, (width, height) in sorted(VIEWPORTS.items()):
        context = browser.new_context(viewport={"width": width, "height": height})
        try:
            page = context.new_page()
            for path in _shown(_pages(site)):
                page.goto(f"{site.url}/{path}")
                page.add_script_tag(path=str(AXE))
                problems += [f"{viewport} {path}: axe {p}" for p in page.evaluate(_AXE_RUN)]
        finally:
            context.close()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def _search(page: Any, url: str, query: str) -> list[str]:
    """Type `query` into the site's search and return the results' texts. mkdocs-material
    opens its search field from a label in the header; Zensical from a button, into a dialog
    whose results are an ARIA listbox."""
    page.goto(url)
    field = page.locator("input.md-search__input:visible, input[aria-autocomplete='list']:visible")
    if not field.count():  # a narrow screen, or Zensical: the field opens from a button
        opener = ".md-search__button:visible, label.md-header__button[for='__search']:visible"
        page.locator(opener).first.click()
    field.first.fill(query)
    results = page.locator(".md-search-result__item, [role='listbox'] [role='option']")
    # the first search starts a worker that fetches and indexes the whole site: on CI's two
    # cores, shared with two more test runs and Spark, that once took over 15 s
    results.first.wait_for(timeout=60_000)
    return [text.strip() for text in results.all_inner_texts()]


@pytest.mark.parametrize("how", ["http", "file"])
@pytest.mark.parametrize("name", ["kahvipalvelu", "zensical"])
def test_search_finds_an_objective(
    served: dict[str, Site], browser: Any, name: str, how: str
) -> None:
    site = served[name]
    url = f"{site.url}/index.html" if how == "http" else (site.folder / "index.html").as_uri()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        found = _search(page, url, "Verkkotilaus")
    finally:
        context.close()
    assert any("Verkkotilaus on vaivaton" in text for text in found), found
    assert not errors, errors


def test_the_shipped_search_shim_is_the_pinned_npm_package() -> None:
    """cxgov ships iframe-worker's shim so that search works from disk without a CDN; it is
    the pinned npm package's file, unchanged, after a comment with its licence."""
    original = ROOT / "node_modules" / "iframe-worker" / "shim" / "index.js"
    if not original.is_file():
        _needed("iframe-worker", f"no {original} (run npm ci in the repository)")
    shipped = (ROOT / "cxgov" / "site" / "assets" / "iframe-worker-shim.js").read_text("utf-8")
    comment, _, code = shipped.partition("*/\n")
    assert "MIT" in comment or "Permission is hereby granted" in comment
    assert code == original.read_text("utf-8")
