"""An owner's digest as a Microsoft Teams Adaptive Card (`cxgov digest --format teams`), in
English and Finnish, valid by the Adaptive Card schema, each objective linked to its page
when the program has a site_url."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from cxgov import api
from cxgov.cli import cli
from tests.actions.test_chat_sinks import assert_teams_message
from tests.store.test_actions import _list, program  # noqa: F401  (the fixture)

AT = dt.datetime(2026, 3, 10, 6, 0, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 3, 25)


def _texts(card: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for block in card["body"]:
        found += [i["text"] for i in block.get("items", ())] if "items" in block else []
        if "text" in block:
            found.append(block["text"])
    return found


def _set(folder: str, **settings: str) -> None:
    path = Path(folder) / "program.yaml"
    text = path.read_text()
    for key, value in settings.items():
        if f"  {key}: " in text:
            text = "\n".join(
                f"  {key}: {value}" if line.startswith(f"  {key}: ") else line
                for line in text.splitlines()
            )
        else:
            text = text.replace("  sponsor: ceo\n", f"  sponsor: ceo\n  {key}: {value}\n", 1)
    path.write_text(text + ("" if text.endswith("\n") else "\n"))


def test_a_digest_card_in_english_links_each_objective_to_its_page(
    db_url: str,
    program: str,  # noqa: F811
) -> None:
    _set(program, site_url="https://cx.example.fi/shop/")
    api.evaluate(program, as_of=AT.date(), db=db_url, out=None, clock=lambda: AT)
    [action] = _list(db_url)
    card = assert_teams_message(api.digest_card(program, "cx", as_of=AS_OF, db=db_url))
    texts = _texts(card)
    assert texts[0] == "Digest for CX Lead"
    assert "Your objectives" in texts and "Your actions due or overdue" in texts
    assert "**fail** · -40.0 · n = 100 · 2026-03-01–2026-03-31 (partial) · -55.0" in texts
    assert f"#{action['id']} NPS: due 2026-03-31" in texts
    [objective] = [b for b in card["body"] if b["type"] == "Container"]
    assert objective["selectAction"]["url"] == "https://cx.example.fi/shop/objectives/o-nps.html"
    assert card["lang"] == "en"


def test_a_digest_card_in_finnish_and_without_a_site_url_has_no_links(
    db_url: str,
    program: str,  # noqa: F811
) -> None:
    _set(program, language="fi")
    api.evaluate(program, as_of=AT.date(), db=db_url, out=None, clock=lambda: AT)
    card = assert_teams_message(
        api.digest_card(program, "cx", as_of=AS_OF, since=dt.date(2026, 3, 1), db=db_url)
    )
    texts = _texts(card)
    assert texts[0] == "Kooste: CX Lead"
    assert "Tavoitteesi" in texts and "Mitä muuttui" in texts
    assert "**hälytys** · -40,0 · n = 100 · 1.3.2026–31.3.2026 (kesken) · -55,0" in texts
    assert "10.3.2026 #1 avattu" in texts, "event names in Finnish too"
    assert "objectives/" not in json.dumps(card) and "selectAction" not in json.dumps(card)


def test_digest_format_teams_prints_the_workflows_message(
    db_url: str,
    program: str,  # noqa: F811
) -> None:
    api.evaluate(program, as_of=AT.date(), db=db_url, out=None, clock=lambda: AT)
    args = ["digest", "--program", program, "--owner", "cx", "--as-of", "2026-03-25"]
    shown = CliRunner().invoke(cli, [*args, "--format", "teams", "--db", db_url])
    assert shown.exit_code == 0, shown.output
    assert_teams_message(json.loads(shown.output))
    wrong = CliRunner().invoke(cli, [*args, "--format", "html", "--db", db_url])
    assert wrong.exit_code == 2
    assert "'markdown', 'teams', 'slack'" in wrong.output
