"""The one link sinks send: the objective's page below the program's `site_url`, absolute and
named as the site builds it (`objectives/<id>.html`), or no link at all."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cxgov.actions.sinks import page_url, payload
from cxgov.model.program_section import ProgramSection
from tests.actions.test_webhook import ACTION, EVENT


def test_a_page_link_is_absolute_below_the_site_url_or_missing() -> None:
    assert page_url("https://cx.example.fi/", "o-nps") == (
        "https://cx.example.fi/objectives/o-nps.html"
    )
    assert page_url("https://cx.example.fi/kahvi/", "o-nps") == (
        "https://cx.example.fi/kahvi/objectives/o-nps.html"
    )
    # a base without its closing slash still names the folder, not a file beside it
    assert page_url("https://cx.example.fi/kahvi", "o-nps") == (
        "https://cx.example.fi/kahvi/objectives/o-nps.html"
    )
    assert page_url(None, "o-nps") is None
    assert page_url("https://cx.example.fi/", None) is None


def test_the_webhook_payload_links_the_page_and_drops_the_relative_link() -> None:
    # ACTION's evidence holds the relative link earlier versions stored
    assert ACTION.evidence["page"] == "objectives/o-nps/"
    body = payload(ACTION, EVENT, "https://cx.example.fi/objectives/o-nps.html")
    assert body["links"] == {"page": "https://cx.example.fi/objectives/o-nps.html"}
    assert "page" not in body["action"]["evidence"]
    assert "links" not in payload(ACTION, EVENT)


def _section(site_url: str) -> ProgramSection:
    return ProgramSection.model_validate({"id": "p", "name": "P", "site_url": site_url})


def test_site_url_is_kept_as_a_folder() -> None:
    assert _section("https://cx.example.fi/kahvi").site_url == "https://cx.example.fi/kahvi/"
    assert _section("http://127.0.0.1:8000").site_url == "http://127.0.0.1:8000/"


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("cx.example.fi", "not an absolute http"),
        ("/site/", "not an absolute http"),
        ("ftp://cx.example.fi/", "not an absolute http"),
        ("https://cx.example.fi/?v=2", "query or fragment"),
        ("https://cx.example.fi/#top", "query or fragment"),
        ("https://cx.example.fi/a b/", "spaces"),
        ("https://cx.example.fi/<x>/", "spaces"),
    ],
)
def test_a_site_url_that_cannot_make_links_is_refused_with_why(given: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        _section(given)
