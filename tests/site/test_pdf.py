"""`cxgov site pdf`: the leadership summary printed to A4 by Debian's chromium (Playwright)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxgov import api
from cxgov.cli import cli
from cxgov.judgement.outcome import ExitCode
from tests.site.conftest import SiteStore
from tests.site.test_browser import CHROMIUM

pytestmark = pytest.mark.browser

A4_POINTS = (595.28, 841.89)
"""210 × 297 mm in PDF points (1/72 inch)."""


@pytest.fixture(scope="module")
def leadership_site(
    kahvipalvelu_store: SiteStore, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    if not CHROMIUM.is_file():
        reason = f"no chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true needs the PDF test")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("pdf")
    return api.build_site(
        str(kahvipalvelu_store.program_dir),
        db=kahvipalvelu_store.db,
        out=str(folder / "site"),
        work=str(folder / "work"),
        config=None,
        audience=api.Audience.LEADERSHIP,
    ).out


def _text_strings(pdf: bytes) -> str:
    """The PDF's text strings outside its compressed streams (the document title and the
    outline's headings), decoded: UTF-16 hex strings `<FEFF…>` and literal `(…)` strings."""
    found = [
        bytes.fromhex(h.decode()).decode("utf-16-be")
        for h in re.findall(rb"<FEFF([0-9A-Fa-f]+)>", pdf)
    ]
    found += [s.decode("latin-1") for s in re.findall(rb"/Title \(([^)]*)\)", pdf)]
    return "\n".join(found)


def test_site_pdf_prints_the_summary_to_a4(leadership_site: Path, tmp_path: Path) -> None:
    target = tmp_path / "summary.pdf"
    result = CliRunner().invoke(
        cli,
        [
            "site",
            "pdf",
            "--site",
            str(leadership_site),
            "--out",
            str(target),
            "--chromium",
            str(CHROMIUM),
        ],
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert f"pdf: {target}" in result.output
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    pages = re.findall(rb"/Type\s*/Page\b", pdf)
    assert len(pages) >= 1
    boxes = [
        [float(n) for n in box.split()]
        for box in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+ [\d.]+)\s*\]", pdf)
    ]
    assert len(boxes) == len(pages)
    assert all(abs(w - A4_POINTS[0]) < 1 and abs(h - A4_POINTS[1]) < 1 for w, h in boxes), boxes
    text = _text_strings(pdf)
    assert "Sumppi" in text, "the headline (program name) is in the outline and the title"
    assert b"/Outlines" in pdf, "headings as bookmarks"


def test_site_pdf_without_a_built_site_is_a_usage_error(tmp_path: Path) -> None:
    # any existing file passes the browser's check, which comes first: this one is about the
    # site, and holds on a machine without chromium too
    browser = tmp_path / "chromium"
    browser.write_text("")
    result = CliRunner().invoke(
        cli, ["site", "pdf", "--site", str(tmp_path / "none"), "--chromium", str(browser)]
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "cxgov site build" in result.output


def test_site_pdf_names_a_missing_chromium(leadership_site: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["site", "pdf", "--site", str(leadership_site), "--chromium", str(tmp_path / "nope")],
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "no such file" in result.output
