"""The leadership summary as a PDF: the built site's overview page printed to A4 by headless
Chromium (through Playwright), with the site's print stylesheet.

Chromium is the system's own (Debian's `chromium` package, or any Chromium or Chrome named with
`--chromium`): Playwright's bundled browser download is never used, so printing works on
machines that reach package registries only. The page is opened from disk (`file://`), so no
server runs and nothing leaves the machine.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from cxgov.errors import SiteError, UsageError

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_NAME = "summary.pdf"
LAUNCH_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)
TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class WrittenPdf:
    path: Path
    seconds: float


def find_chromium(given: str | None = None) -> Path:
    """The Chromium to print with: `given`, else $CXGOV_CHROMIUM, else the first on PATH."""
    named = given or os.environ.get("CXGOV_CHROMIUM")
    if named:
        path = Path(named)
        if not path.is_file():
            raise UsageError(f"--chromium {named}: no such file")
        return path
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise UsageError(
        "no Chromium found to print with: install your system's chromium package "
        "(Debian: apt-get install chromium) or name one with --chromium"
    )


def write_pdf(site: Path, target: Path | None = None, *, chromium: Path) -> WrittenPdf:
    """Print the overview page (`index.html`) of the site built in `site` to `target` (default
    `<site>/summary.pdf`), A4 with the page's own print margins."""
    index = site / "index.html"
    if not index.is_file():
        raise UsageError(f"no built site in {site}: run `cxgov site build` first")
    target = target or site / PDF_NAME
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise UsageError(
            "printing the summary needs Playwright: pip install 'cxgov[pdf]'"
        ) from None
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(chromium), args=list(LAUNCH_FLAGS), timeout=TIMEOUT_MS
            )
            try:
                page = browser.new_page()
                page.goto(index.resolve().as_uri(), wait_until="load", timeout=TIMEOUT_MS)
                page.emulate_media(media="print")
                page.pdf(
                    path=str(target),
                    format="A4",
                    print_background=True,
                    prefer_css_page_size=True,
                    outline=True,
                    tagged=True,
                )
            finally:
                browser.close()
    except PlaywrightError as error:
        raise SiteError(f"printing {index} with {chromium} failed: {error}") from error
    return WrittenPdf(target, time.perf_counter() - started)
