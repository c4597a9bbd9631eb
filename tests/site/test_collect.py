"""Reading the site's data from the store: the same pages from SQLite and from PostgreSQL, and
segment breakdowns that add up to the whole."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cxgov import api
from cxgov.judgement.record import UnreadableFile
from cxgov.judgement.status import current_status
from cxgov.site.collect import collect
from cxgov.site.options import Audience
from cxgov.site.pages import build_pages
from cxgov.store.engine import open_store
from tests.site.conftest import (
    DEMO_END,
    SiteStore,
    fixed_clock,
    make_store,
    site_data,
    site_pages,
)
from tests.store.conftest import postgres_url  # noqa: F401  (the fixture, a database per module)


def test_postgresql_and_sqlite_give_the_same_pages(
    kahvipalvelu_store: SiteStore, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = request.getfixturevalue("postgres_url")
    on_postgres = make_store("kahvipalvelu", tmp_path, db=url)
    sqlite_pages = {p.path: p.content for p in site_pages(kahvipalvelu_store)}
    postgres_pages = {p.path: p.content for p in site_pages(on_postgres)}
    assert sorted(postgres_pages) == sorted(sqlite_pages)
    differing = [path for path in sqlite_pages if postgres_pages[path] != sqlite_pages[path]]
    assert not differing


def test_segment_breakdowns_add_up_to_the_objectives_own_count(
    kahvipalvelu_store: SiteStore,
) -> None:
    _program, data = site_data(kahvipalvelu_store, Audience.TEAM)
    current = current_status(data.verdicts)
    checked = 0
    for objective_id, breakdown in data.breakdowns.items():
        for dimension in {row.dimension for row in breakdown.rows}:
            parts = sum(row.n for row in breakdown.rows if row.dimension == dimension)
            whole = current[objective_id].verdict
            assert (breakdown.start, breakdown.end) == (whole.start, whole.end)
            # every demo answer carries every dimension, so the parts are the whole
            assert parts == whole.n, (objective_id, dimension)
            checked += 1
    assert checked >= 4


@pytest.mark.parametrize("audience", list(Audience))
def test_comments_are_read_for_the_team_audience_only(
    kahvipalvelu_store: SiteStore, audience: Audience
) -> None:
    _program, data = site_data(kahvipalvelu_store, audience)
    if audience is Audience.TEAM:
        assert data.comments and all(len(c) <= 5 for c in data.comments.values())
    else:
        assert data.comments == {}


def test_a_site_shows_its_run_whatever_arrives_after_it(tmp_path: Path) -> None:
    """The point-in-time promise: pages built from run N are the same bytes after more answers
    are loaded, for both audiences, and `--run N` still gives them after a newer run."""
    store = make_store("kahvipalvelu", tmp_path)
    before = {audience: site_pages(store, audience) for audience in Audience}
    _program, recorded = site_data(store, Audience.TEAM)
    status_before = api.status(str(store.program_dir), db=store.db)
    more = api.demo_data(
        str(store.program_dir), str(tmp_path / "more"), end=DEMO_END, months=3, seed=99
    )
    loaded = api.ingest(
        str(store.program_dir),
        "kyselyvastaukset",
        [str(p) for p in more.answers],
        db=store.db,
        clock=fixed_clock,
    )
    assert loaded.inserted > 0
    assert api.status(str(store.program_dir), db=store.db) != status_before
    for audience in Audience:
        assert site_pages(store, audience) == before[audience], audience
    api.run(str(store.program_dir), as_of=store.as_of, db=store.db, out=None, clock=fixed_clock)
    program = api.load_program(str(store.program_dir))
    engine = open_store(store.db)
    try:
        newest = collect(engine, program, store.program_dir, with_comments=True)
        first = collect(engine, program, store.program_dir, with_comments=True, run_id=1)
    finally:
        engine.dispose()
    assert newest.run is not None and newest.run.id == 2
    assert newest.points != first.points, "the newer run saw the new answers"
    # the actions are the ledger's present state; everything about the answers is run 1's
    for part in ("run", "verdicts", "breakdowns", "comments", "voc", "points"):
        assert getattr(first, part) == getattr(recorded, part), part


@pytest.mark.parametrize("audience", list(Audience))
def test_the_data_quality_page_lists_unreadable_files_in_the_programs_language(
    kahvipalvelu_store: SiteStore, audience: Audience
) -> None:
    program, data = site_data(kahvipalvelu_store, audience)
    page = next(p for p in build_pages(program, data, audience) if p.path == "data-quality.md")
    assert "Lukukelvottomat" not in page.content, "no section while every file was read"
    found = dt.datetime(2026, 11, 2, 3, 15)
    reason = "/srv/x/data/vastaukset-11.csv.gz: the compressed file is truncated | damaged"
    data.unreadable = [
        UnreadableFile("kyselyvastaukset", "/srv/x/data/vastaukset-11.csv.gz", reason, found)
    ]
    page = next(p for p in build_pages(program, data, audience) if p.path == "data-quality.md")
    assert "## Lukukelvottomat tiedostot" in page.content
    [row] = [
        line
        for line in page.content.splitlines()
        if "vastaukset-11" in line and line.startswith("|")
    ]
    assert row.startswith("| kyselyvastaukset | vastaukset-11.csv.gz | ")
    assert "/srv/x/data/vastaukset" not in row.split("|")[2], "the file's name, not its path"
    assert "truncated \\| damaged" in row, "a | in the reason stays inside its cell"
