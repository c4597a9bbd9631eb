"""Stores the site tests build sites from: the two example programs, run through the real
pipeline (demo data or the airline survey, ingest, the nightly run with its actions) on a fixed
day and a fixed clock, from copies outside git, so the pages come out the same every time."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from cxgov import api
from cxgov.model import Program
from cxgov.site.collect import collect
from cxgov.site.data import SiteData
from cxgov.site.options import Audience
from cxgov.site.pages import Page, build_pages
from cxgov.store.engine import open_store
from tests.conftest import ROOT, SHARED

AS_OF = dt.date(2026, 11, 1)
DEMO_END = dt.date(2026, 10, 31)
AIRLINE_CSV = SHARED / "datasets" / "airline" / "test.csv"


def fixed_clock() -> dt.datetime:
    return dt.datetime(2026, 11, 1, 3, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class SiteStore:
    program_dir: Path
    db: str
    as_of: dt.date


def copy_program(name: str, into: Path) -> Path:
    """The example program without its data folder, outside the repository's git history."""
    target = into / name
    shutil.copytree(ROOT / "programs" / name, target, ignore=shutil.ignore_patterns("data"))
    return target


def run_kahvipalvelu(program_dir: Path, db: str) -> None:
    files = api.demo_data(str(program_dir), end=DEMO_END, months=24, seed=7)
    assert files.kpi_values is not None
    api.ingest_kpi_values(str(program_dir), str(files.kpi_values), db=db, clock=fixed_clock)
    api.run(str(program_dir), as_of=AS_OF, db=db, out=None, clock=fixed_clock)


def run_airline(program_dir: Path, db: str) -> None:
    data = program_dir / "data"
    data.mkdir()
    shutil.copyfile(AIRLINE_CSV, data / "airline-2026-10.csv")
    api.run(str(program_dir), as_of=AS_OF, db=db, out=None, clock=fixed_clock)


RUNNERS = {"kahvipalvelu": run_kahvipalvelu, "airline": run_airline}


def make_store(name: str, folder: Path, db: str | None = None) -> SiteStore:
    program_dir = copy_program(name, folder)
    url = db or f"sqlite:///{folder / 'store.db'}"
    RUNNERS[name](program_dir, url)
    return SiteStore(program_dir, url, AS_OF)


@pytest.fixture(scope="session")
def kahvipalvelu_store(tmp_path_factory: pytest.TempPathFactory) -> SiteStore:
    return make_store("kahvipalvelu", tmp_path_factory.mktemp("kahvipalvelu"))


@pytest.fixture(scope="session")
def airline_store(tmp_path_factory: pytest.TempPathFactory) -> SiteStore:
    return make_store("airline", tmp_path_factory.mktemp("airline"))


def site_data(store: SiteStore, audience: Audience) -> tuple[Program, SiteData]:
    program = api.load_program(str(store.program_dir))
    engine = open_store(store.db)
    try:
        data = collect(engine, program, store.program_dir, with_comments=audience is Audience.TEAM)
    finally:
        engine.dispose()
    return program, data


def site_pages(store: SiteStore, audience: Audience = Audience.TEAM) -> list[Page]:
    program, data = site_data(store, audience)
    return build_pages(program, data, audience)
