"""What a published site must never do: run markup that came from YAML or data, or show a
customer's personal data.

The airline example is copied with hostile names in its YAML and a survey export whose comments
carry HTML and personal data, run through the real pipeline and built with mkdocs."""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cxgov import api
from cxgov.actions.sinks.common import page_url, payload
from cxgov.site.options import Audience
from tests.site.conftest import AIRLINE_CSV, copy_program, fixed_clock

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src=x onerror="alert(2)">'
MARKDOWN_LINK = "[click](https://evil.example/)"
PERSONAL = {
    "email": "matti.meikalainen@example.fi",
    "phone": "040 123 4567",
    "hetu": "131052-308T",
    "iban": "FI21 1234 5600 0007 85",
    "card": "4111 1111 1111 1111",
}
PERSONAL_IN_OTHER_FORMS = {
    "phone with dots": "040.765.4321",
    "phone with a slash": "040/765 4321",
    "phone with the country code bare": "358407654321",
    "phone with the country code in parentheses": "(+358) 40 765 4322",
    "phone with no-break spaces": "040\u00a0765\u00a04323",
    "identity code with an en dash": "241180\u2013123X",
    "identity code with a minus sign": "241180\u2212124X",
    "e-mail with a quoted local part": '"liisa virtanen"@mail.example.fi',
    "e-mail with a fullwidth at": "liisa\uff20fullwidth.example.fi",
    "IBAN with narrow no-break spaces": "FI49\u202f5000\u202f9420\u202f0287\u202f30",
    "card with no-break spaces": "5500\u00a00000\u00a00000\u00a00004",
}
CUSTOMER_ID = "CUST-778899"
THEME_NAME = "<b onclick=alert(3)>Billing</b> *twice*"


def _hostile_program(folder: Path) -> Path:
    program = copy_program("airline", folder)
    objectives = program / "objectives.yaml"
    objectives.write_text(
        objectives.read_text(encoding="utf-8").replace(
            "name: Booking online is easy", f"name: '{SCRIPT}'"
        ),
        encoding="utf-8",
    )
    journeys = program / "journeys" / "passenger.yaml"
    journeys.write_text(
        journeys.read_text(encoding="utf-8").replace(
            "name: Passenger journey", f"name: 'Passenger *journey* | {MARKDOWN_LINK}'"
        ),
        encoding="utf-8",
    )
    owners = program / "owners.yaml"
    owners.write_text(
        owners.read_text(encoding="utf-8").replace(
            "name: Helena Strand", f"name: '{IMAGE.replace(chr(39), chr(39) * 2)}'"
        ),
        encoding="utf-8",
    )
    sources = program / "sources.yaml"
    sources.write_text(
        sources.read_text(encoding="utf-8").replace(
            "      segments:\n",
            "      comment: Comment\n      customer: Customer\n      segments:\n",
        )
        # one customer answers every row: far over any contact policy
        + "\ncontact_policy:\n  max_surveys_per_customer: 3\n  days: 90\n",
        encoding="utf-8",
    )
    # a theme whose name carries markup, matching every hostile comment, so the Voice of the
    # customer pages show example comments (team) and theme names from YAML
    (program / "themes.yaml").write_text(
        "themes:\n"
        f"  - id: hostile\n    name: '{THEME_NAME}'\n"
        "    match:\n      any: [flight, call, account, card]\n    kpis: [csat]\n",
        encoding="utf-8",
    )
    return program


def _contacts(values: list[str]) -> str:
    """One comment that carries every value, in order, matching no theme."""
    return "yhteystiedot: " + " ; ".join(values) + " kiitos"


def _hostile_answers(target: Path, rows: int = 400) -> None:
    comments = [
        f"{SCRIPT} Great flight, write to me at {PERSONAL['email']}",
        f"{IMAGE} call {PERSONAL['phone']}",
        f"My id {PERSONAL['hetu']} and account {PERSONAL['iban']}",
        f"Card {PERSONAL['card']} was charged twice | *bold* {MARKDOWN_LINK}",
        _contacts(list(PERSONAL_IN_OTHER_FORMS.values())),
    ]
    with AIRLINE_CSV.open(encoding="utf-8", newline="") as source:
        reader = csv.reader(source)
        header = next(reader)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow([*header, "Comment", "Customer"])
            for index, row in enumerate(reader):
                if index == rows:
                    break
                writer.writerow([*row, comments[index % len(comments)], CUSTOMER_ID])


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("hostile")
    program = _hostile_program(folder)
    _hostile_answers(program / "data" / "airline-2026-10.csv")
    db = f"sqlite:///{folder / 'store.db'}"
    # the day after the export's fixed date, so the contact-policy window holds its answers
    reports = folder / "reports"
    api.run(str(program), as_of=dt.date(2026, 11, 1), db=db, out=str(reports), clock=fixed_clock)
    html: dict[str, str] = {
        "reports": _every_file(reports),
        "sinks": _sink_payloads(program, db),
    }
    for audience in Audience:
        built = api.build_site(
            str(program),
            db=db,
            out=str(folder / f"site-{audience.value}"),
            work=str(folder / f"work-{audience.value}"),
            audience=audience,
            config=None,
        )
        html[audience.value] = "\n".join(
            p.read_text(encoding="utf-8") for p in sorted(built.out.rglob("*.html"))
        )
        html[f"{audience.value}-markdown"] = "\n".join(
            p.read_text(encoding="utf-8") for p in sorted(built.generated.rglob("*.md"))
        )
        html[f"{audience.value}-every-file"] = _every_file(built.out)
    return html


def _sink_payloads(program: Path, db: str) -> str:
    """What the sinks would carry: every event of every action as the JSON body webhooks and
    trackers are sent, and each owner's digest as mailed, as a Teams card and as Slack
    blocks."""
    loaded = api.load_program(str(program))
    bodies = []
    for action in api.list_actions(db=db):
        history = api.show_action(action.id, db=db)
        page = page_url(loaded.program.site_url, history.objective)
        bodies += [
            json.dumps(payload(history, e, page), ensure_ascii=False) for e in history.events
        ]
    assert bodies, "the hostile run opens actions, so their payloads are checked"
    for owner in loaded.owners:
        as_of = dt.date(2026, 11, 1)
        bodies.append(api.digest(str(program), owner.id, as_of=as_of, db=db))
        card = api.digest_card(str(program), owner.id, as_of=as_of, db=db)
        blocks = api.digest_blocks(str(program), owner.id, as_of=as_of, db=db)
        bodies += [json.dumps(body, ensure_ascii=False) for body in (card, blocks)]
    return "\n".join(bodies)


def _every_file(folder: Path) -> str:
    """Every file under `folder` (pages, search index, scripts, reports) as text."""
    return "\n".join(
        p.read_bytes().decode("utf-8", errors="replace")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    )


def _as_read(text: str) -> str:
    """Text as a reader sees it: entities resolved, lookalike spaces, digits and the at sign
    as ASCII (NFKC), every dash a hyphen."""
    folded = unicodedata.normalize("NFKC", html.unescape(text))
    return re.sub("[\u2010-\u2015\u2212]", "-", folded)


class _Elements(HTMLParser):
    """Every element of a page with its attributes, and the text inside script elements."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def test_markup_from_yaml_and_comments_is_shown_as_text(hostile_site: dict[str, str]) -> None:
    parsed = _Elements()
    parsed.feed(hostile_site["team"])
    assert not any("alert" in script for script in parsed.scripts), "a hostile script runs"
    handlers = [
        (tag, name) for tag, attrs in parsed.elements for name in attrs if name.startswith("on")
    ]
    assert not handlers, f"event handlers from data: {handlers}"
    assert not [attrs for tag, attrs in parsed.elements if tag == "img" and attrs.get("src") == "x"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_site["team"], "still shown as text"


def test_markdown_in_names_does_not_make_links_or_emphasis(hostile_site: dict[str, str]) -> None:
    built = hostile_site["team"]
    assert 'href="https://evil.example/' not in built
    assert "<em>journey</em>" not in built and "<em>bold</em>" not in built
    assert "Passenger *journey* | [click](https://evil.example/)" in built


def test_personal_data_in_comments_is_redacted(hostile_site: dict[str, str]) -> None:
    built = hostile_site["team"]
    assert "[redacted]" in built, "the team site shows the comments, redacted"
    for kind, value in PERSONAL.items():
        assert value not in built, f"{kind} survived redaction"


@pytest.mark.parametrize("kind", sorted(PERSONAL_IN_OTHER_FORMS))
def test_personal_data_in_any_format_reaches_no_published_file(
    hostile_site: dict[str, str], kind: str
) -> None:
    value = _as_read(PERSONAL_IN_OTHER_FORMS[kind])
    shown = _contacts(["[redacted]"] * len(PERSONAL_IN_OTHER_FORMS))
    assert shown in hostile_site["team-markdown"].replace("\\", ""), "the team site shows it"
    for published in ("team-every-file", "leadership-every-file", "reports"):
        assert value not in _as_read(hostile_site[published]), f"{kind} in {published}"


FRAGMENTS = (
    "matti",
    "meikalainen",
    "308t",
    "fi21",
    "liisa",
    "virtanen",
    "fullwidth",
    "123x",
    "124x",
    "fi49",
)
"""The words of the personal data in the hostile comments that are no ordinary word: a
frequent-words list counted before redaction would publish them."""


@pytest.mark.parametrize(
    "published", ["team-every-file", "leadership-every-file", "reports", "sinks"]
)
def test_no_fragment_of_personal_data_is_published(
    hostile_site: dict[str, str], published: str
) -> None:
    text = _as_read(hostile_site[published]).lower()
    found = [f for f in FRAGMENTS if re.search(rf"(?<![0-9a-zäöå]){f}(?![0-9a-zäöå])", text)]
    assert not found, f"fragments of personal data in {published}: {found}"


def test_customer_keys_never_appear(hostile_site: dict[str, str]) -> None:
    for audience in ("team", "leadership"):
        assert CUSTOMER_ID not in hostile_site[audience]
    # the store keeps a keyed hash of the customer id; no such hash may reach a page either
    hashes = set(re.findall(r"\b[0-9a-f]{32}\b", hostile_site["team"]))
    assert not hashes, "a customer key (32-hex hash) appears on the site"


def test_leadership_site_shows_no_verbatim_comments(hostile_site: dict[str, str]) -> None:
    leadership = hostile_site["leadership-markdown"]
    assert "Great flight" not in leadership and "[redacted]" not in leadership
    assert "Great flight" in hostile_site["team-markdown"]


def _page(markdown: str, heading: str) -> str:
    """One generated page out of the joined Markdown: from its title to the next page's."""
    start = markdown.index(f"\n{heading}") + 1
    end = markdown.find("\n# ", start)
    return markdown[start : end if end != -1 else None]


def test_voice_of_customer_pages_escape_theme_names(hostile_site: dict[str, str]) -> None:
    for audience in ("team", "leadership"):
        built = hostile_site[audience]
        assert "&lt;b onclick=alert(3)&gt;Billing&lt;/b&gt; *twice*" in built, audience
        assert "<em>twice</em>" not in built and "onclick=alert(3)>" not in built


def test_voice_of_customer_examples_are_redacted_and_team_only(
    hostile_site: dict[str, str],
) -> None:
    theme_page = _page(hostile_site["team-markdown"], "# &lt;b onclick")
    assert "\\[redacted\\]" in theme_page, "the theme page shows its examples, redacted"
    assert "Great flight" in theme_page
    for kind, value in PERSONAL.items():
        assert value not in theme_page, f"{kind} survived redaction on the theme page"
    page = _page(hostile_site["leadership-markdown"], "# &lt;b onclick")
    assert "Great flight" not in page and "redacted" not in page


def test_survey_fatigue_counts_customers_without_naming_them(
    hostile_site: dict[str, str],
) -> None:
    for audience in ("team", "leadership"):
        markdown = hostile_site[f"{audience}-markdown"]
        fatigue = _page(markdown, "# Survey fatigue")
        assert "Contact policy: at most 3 surveys per customer in 90 days." in fatigue
        assert (
            "customers surveyed: 1; of them surveyed more often than the policy allows: 1 (100.0%)"
            in fatigue
        )
        assert not re.findall(r"\b[0-9a-f]{32}\b", markdown), "a customer key on the page"
