"""The built site in a real browser: Debian's chromium driven by Playwright, the site served by
a local HTTP server. A reader goes home → journey map → an objective → actions; the charts are
displayed, no script from the data runs, and no request leaves 127.0.0.1. Screenshots are kept
in test-artifacts/site/."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cxgov import api
from cxgov.site.pdf import LAUNCH_FLAGS
from tests.conftest import ROOT
from tests.site.conftest import SiteStore

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("CXGOV_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts" / "site"
# the browser the tests drive is launched as `cxgov site pdf` launches it
FLAGS = list(LAUNCH_FLAGS)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served_site(
    kahvipalvelu_store: SiteStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    built = api.build_site(
        str(kahvipalvelu_store.program_dir),
        db=kahvipalvelu_store.db,
        out=str(folder / "site"),
        work=str(folder / "work"),
        config=None,
    )
    handler = functools.partial(_QuietHandler, directory=str(built.out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        reason = f"no chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true needs the browser test")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


def _displayed_svgs(page: Any) -> list[str]:
    """The SVG images on the page that the browser loaded and laid out with a size."""
    return list(
        page.eval_on_selector_all(
            "img[src$='.svg']",
            "images => images.filter(i => i.complete && i.naturalWidth > 0"
            " && i.getBoundingClientRect().width > 0).map(i => i.getAttribute('src'))",
        )
    )


def test_a_reader_walks_home_journey_objective_actions(served_site: str, browser: Any) -> None:
    # the same names every run: nothing else in the folder (the browser checks' shots) is removed
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    dialogs: list[str] = []
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(f"{served_site}/index.html")
    assert page.locator("h1").first.inner_text().startswith("Sumppi")
    assert page.locator(".cx-run").first.inner_text().startswith("Ajo ")
    page.screenshot(path=str(ARTIFACTS / "1-home.png"), full_page=True)

    page.locator("article a[href='journeys/ostopolku.html']").first.click()
    page.wait_for_load_state()
    assert page.locator(".cx-journey-map table").count() == 1
    cells = page.locator(".cx-journey-map .cx-measure")
    assert cells.count() > 5
    page.screenshot(path=str(ARTIFACTS / "2-journey-map.png"), full_page=True)

    page.locator(".cx-journey-map a[href*='objectives/o-verkkotilaus']").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == "Verkkotilaus on vaivaton"
    page.locator("img[src$='.svg']").first.scroll_into_view_if_needed()
    displayed = _displayed_svgs(page)
    assert [s for s in displayed if "badges/" not in s] == ["o-verkkotilaus.svg"], "the chart"
    assert "../badges/objective/o-verkkotilaus.svg" in displayed, "the status badge"
    page.screenshot(path=str(ARTIFACTS / "3-objective.png"), full_page=True)

    page.locator("nav a[href$='actions.html']").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == "Toimenpiteet"
    assert page.locator("article table").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "4-actions.png"), full_page=True)

    page.goto(f"{served_site}/index.html")
    page.locator("article a[href='voc/index.html']").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == "Asiakkaan ääni"
    page.locator("article a[href='themes/toimitukset.html']").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == "Toimitukset"
    assert page.locator("article table").count() >= 2, "the rule and a table per point"
    page.screenshot(path=str(ARTIFACTS / "5-theme.png"), full_page=True)

    page.goto(f"{served_site}/strategy.html")
    page.locator("img[src$='.svg']").first.scroll_into_view_if_needed()
    assert len(_displayed_svgs(page)) == 2, "both goals' trajectory charts are displayed"

    page.close()
    assert not dialogs, f"a script from the data ran: {dialogs}"
    outside = [url for url in requests if not url.startswith(served_site)]
    assert not outside, f"requests left localhost: {outside}"
    assert len(requests) > 10
