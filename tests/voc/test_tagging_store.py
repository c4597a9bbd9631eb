"""Tags are stored once per comment, on SQLite and PostgreSQL: reruns tag only new, updated or
re-ruled comments."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from cxgov import api
from cxgov.store import feedback
from cxgov.store.engine import open_store
from cxgov.voc.evidence import Evidence, collect
from tests.clock import clock
from tests.conftest import FIXTURES
from tests.voc.programs import stored_tags

HEADER = "response,answered_at,question,score,customer,comment,company_size,region\n"
THEMES = """
themes:
  - id: late
    name: Late deliveries
    match: {any: [late*, delay*], none: ["not late"]}
  - id: price
    name: Price
    match: {any: [price*, expensive]}
"""
AS_OF = dt.date(2026, 3, 1)


def _program(tmp_path: Path, themes: str = THEMES) -> str:
    directory = tmp_path / "shop"
    if not directory.exists():
        shutil.copytree(FIXTURES / "shop", directory)
    (directory / "themes.yaml").write_text(themes)
    return str(directory)


def _load(program: str, db: str, tmp_path: Path, name: str, rows: list[str]) -> None:
    path = tmp_path / name
    path.write_text(HEADER + "".join(rows))
    assert api.ingest(program, "answers", [str(path)], db=db, clock=clock).rejected == 0


ROWS = [
    "r1,2026-02-01T10:00:00,DELIVERY,2,c1,The parcel was late again,small,\n",
    "r2,2026-02-02T10:00:00,DELIVERY,5,c2,Not late at all,small,\n",
    "r3,2026-02-03T10:00:00,NPS,4,c3,Too expensive and delayed,small,north\n",
    "r4,2026-02-04T10:00:00,NPS,9,c4,,small,north\n",
    "r5,2026-02-05T10:00:00,NPS,9,c5,Friendly people,small,north\n",
]


def _collect(program: str, db: str) -> Evidence:
    engine = open_store(db)
    try:
        with engine.begin() as connection:
            return collect(connection, api.load_program(program), AS_OF, persist=True)
    finally:
        engine.dispose()


def test_comments_are_tagged_once_and_the_tags_reused(db_url: str, tmp_path: Path) -> None:
    program = _program(tmp_path)
    _load(program, db_url, tmp_path, "answers-1.csv", ROWS)
    first = _collect(program, db_url)
    assert (first.tagging.comments, first.tagging.tagged) == (4, 4)
    assert {c.text: c.tags for c in first.comments} == {
        "The parcel was late again": {"late": "late*"},
        "Not late at all": {},
        "Too expensive and delayed": {"late": "delay*", "price": "expensive"},
        "Friendly people": {},
    }
    assert stored_tags(db_url) == 4
    again = _collect(program, db_url)
    assert again.tagging.tagged == 0
    assert {c.text: c.tags for c in again.comments} == {c.text: c.tags for c in first.comments}


def test_new_and_updated_comments_are_tagged_in_the_next_run(db_url: str, tmp_path: Path) -> None:
    program = _program(tmp_path)
    _load(program, db_url, tmp_path, "answers-1.csv", ROWS)
    _collect(program, db_url)
    updated = "r5,2026-02-05T10:00:00,NPS,3,c5,Prices went up,small,north\n"
    new = "r6,2026-02-06T10:00:00,DELIVERY,1,c6,Delayed twice,small,\n"
    _load(program, db_url, tmp_path, "answers-2.csv", [updated, new])
    later = _collect(program, db_url)
    assert later.tagging.tagged == 2
    tags = {c.text: c.tags for c in later.comments}
    assert tags["Prices went up"] == {"price": "price*"}
    assert tags["Delayed twice"] == {"late": "delay*"}
    assert "Friendly people" not in tags
    assert stored_tags(db_url) == 5


def test_a_changed_theme_rule_retags_every_comment(db_url: str, tmp_path: Path) -> None:
    program = _program(tmp_path)
    _load(program, db_url, tmp_path, "answers-1.csv", ROWS)
    before = _collect(program, db_url)
    _program(tmp_path, THEMES.replace("[late*, delay*]", "[late*, delay*, parcel]"))
    after = _collect(program, db_url)
    assert after.rule_hash != before.rule_hash
    assert after.tagging.tagged == 4
    assert {c.text: c.tags for c in after.comments}["The parcel was late again"] == {
        "late": "late*"
    }
    assert stored_tags(db_url) == 4, "old rows are replaced, not kept beside the new ones"


def _analysed(url: str, table: str) -> object:
    """When `table` was last analysed by hand (None on SQLite, or never)."""
    if not url.startswith("postgresql"):
        return None
    engine = open_store(url)
    try:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = :t"),
                {"t": table},
            ).scalar_one()
    finally:
        engine.dispose()


def test_an_evaluation_storing_many_tags_analyses_them(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that stores many comments' tags leaves PostgreSQL with statistics of them (as
    after a large ingest), so the theme counts right after are planned for their real number;
    a dry run stores none and analyses nothing. SQLite needs no statistics."""
    monkeypatch.setattr(feedback, "ANALYZE_AFTER_ROWS", 3)
    program = _program(tmp_path)
    _load(program, db_url, tmp_path, "a.csv", ROWS)
    before = _analysed(db_url, "comment_tags")
    api.evaluate(program, as_of=AS_OF, db=db_url, out=None, dry_run=True, clock=clock)
    assert stored_tags(db_url) == 0
    assert _analysed(db_url, "comment_tags") == before
    api.evaluate(program, as_of=AS_OF, db=db_url, out=None, clock=clock)
    assert stored_tags(db_url) >= 3
    if db_url.startswith("postgresql"):
        after = _analysed(db_url, "comment_tags")
        assert after is not None and after != before
