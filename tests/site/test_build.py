"""Building the site: both example programs with mkdocs-material (strict) and with Zensical,
offline by construction, with the user's mkdocs.yml settings and extra pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxgov import api
from cxgov.cli import cli
from cxgov.judgement.outcome import ExitCode
from tests.site.conftest import SiteStore

PAGES = [
    "index.html",
    "strategy.html",
    "journeys/index.html",
    "objectives/index.html",
    "actions.html",
    "owners/index.html",
    "data-quality.html",
    "changelog.html",
]
_EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//(?!127\.0\.0\.1)""")
_CSS_IMPORT = re.compile(r"""@import\s+url\(\s*["']?https?://|url\(\s*["']?https?://""")


def _build(store: SiteStore, folder: Path, **options: object) -> api.BuiltSite:
    return api.build_site(
        str(store.program_dir),
        db=store.db,
        out=str(folder / "site"),
        work=str(folder / "work"),
        config=None,
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(("name", "language"), [("kahvipalvelu", "fi"), ("airline", "en")])
def test_both_examples_build_strictly_with_every_page(
    name: str, language: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    store: SiteStore = request.getfixturevalue(f"{name}_store")
    built = _build(store, tmp_path)
    program = api.load_program(str(store.program_dir))
    expected = PAGES + [f"journeys/{j.id}.html" for j in program.journeys]
    expected += [f"objectives/{o.id}.html" for o in program.objectives]
    missing = [page for page in expected if not (built.out / page).is_file()]
    assert not missing
    charts = sorted(p.name for p in (built.out / "objectives").glob("*.svg"))
    # each chart drawn for a page column and for a phone, and the page offers both
    assert charts == sorted(
        f"{o.id}{size}.svg" for o in program.objectives for size in ("", ".narrow")
    )
    objective = program.objectives[0].id
    page = (built.out / "objectives" / f"{objective}.html").read_text(encoding="utf-8")
    assert (
        f'<source media="(max-width: 639px)" srcset="{objective}.narrow.svg">'
        f'<img src="{objective}.svg" alt="' in page
    )
    home = (built.out / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}"' in home
    assert "search" in home, "local search is built in"


def test_the_built_site_loads_nothing_from_outside(kahvipalvelu_store, tmp_path: Path) -> None:
    built = _build(kahvipalvelu_store, tmp_path)
    found = []
    for path in built.out.rglob("*"):
        if path.suffix in {".html", ".css"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [f"{path.name}: {m.group(0)}" for m in _EXTERNAL.finditer(text)]
            found += [f"{path.name}: {m.group(0)}" for m in _CSS_IMPORT.finditer(text)]
    assert not found, "external resources in the built site"
    # no web fonts at all (the theme's Google Fonts are switched off): none shipped, and no
    # page, style sheet or script names the font service
    assert not [p.name for p in built.out.rglob("*") if p.suffix in {".woff", ".woff2", ".ttf"}]
    naming = [
        p.relative_to(built.out).as_posix()
        for p in built.out.rglob("*")
        if p.suffix in {".html", ".css", ".js"}
        and re.search(r"fonts\.(googleapis|gstatic)\.com", p.read_text("utf-8", "replace"))
    ]
    assert not naming, f"the font service is named in {naming}"


def test_zensical_builds_the_same_pages(kahvipalvelu_store, tmp_path: Path) -> None:
    built = _build(kahvipalvelu_store, tmp_path, builder=api.Builder.ZENSICAL)
    for page in PAGES:
        assert (built.out / page).is_file(), page
    home = (built.out / "index.html").read_text(encoding="utf-8")
    assert 'lang="fi"' in home
    assert "Yleiskuva" in home


def test_users_mkdocs_yml_sets_name_colours_and_extra_pages(airline_store, tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "about.md").write_text("# About this site\n\nRead me first.\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: Aurora CX status\n"
        "docs_dir: pages\n"
        "theme:\n  name: material\n  palette:\n    primary: red\n"
        "nav:\n  - About: about.md\n",
        encoding="utf-8",
    )
    built = api.build_site(
        str(airline_store.program_dir),
        db=airline_store.db,
        out=str(tmp_path / "site"),
        work=str(tmp_path / "work"),
        config=str(config),
    )
    about = (built.out / "about.html").read_text(encoding="utf-8")
    assert "Read me first." in about
    home = (built.out / "index.html").read_text(encoding="utf-8")
    assert "Aurora CX status" in home
    assert 'data-md-color-primary="red"' in home


def test_an_extra_page_may_not_replace_a_generated_one(airline_store, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "actions.md").write_text("# Mine\n")
    config = tmp_path / "mkdocs.yml"
    config.write_text("nav:\n  - Mine: actions.md\n", encoding="utf-8")
    with pytest.raises(api.SiteError, match="name of a generated page"):
        api.build_site(
            str(airline_store.program_dir),
            db=airline_store.db,
            out=str(tmp_path / "site"),
            work=str(tmp_path / "work"),
            config=str(config),
        )


def test_site_build_command_prints_where_the_site_is(
    airline_store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the generated pages go to .cxgov/site/ under the cwd
    out = tmp_path / "site"
    result = CliRunner().invoke(
        cli,
        [
            "site",
            "build",
            "--program",
            str(airline_store.program_dir),
            "--db",
            airline_store.db,
            "--out",
            str(out),
            "--config",
            str(tmp_path / "no-such-mkdocs.yml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"site: {out / 'index.html'}" in result.output
    assert (out / "index.html").is_file()
    assert (tmp_path / ".cxgov" / "site" / "team" / "airline" / "docs" / "index.md").is_file()


def test_a_store_without_runs_gives_a_site_that_says_so(tmp_path: Path) -> None:
    from tests.site.conftest import copy_program

    program = copy_program("airline", tmp_path)
    built = api.build_site(
        str(program),
        db=f"sqlite:///{tmp_path / 'empty.db'}",
        out=str(tmp_path / "site"),
        work=str(tmp_path / "work"),
        config=None,
    )
    home = (built.out / "index.html").read_text(encoding="utf-8")
    assert "No evaluation has run yet" in home


def test_the_nightly_run_ends_with_a_built_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    from tests.site.conftest import AIRLINE_CSV, copy_program

    program = copy_program("airline", tmp_path)
    (program / "data").mkdir()
    (program / "data" / "airline-2026-10.csv").write_bytes(AIRLINE_CSV.read_bytes())
    site = tmp_path / "site"
    arguments = ["run", "--program", str(program), "--as-of", "2026-11-01"]
    arguments += ["--db", f"sqlite:///{tmp_path / 'store.db'}", "--out", str(tmp_path / "r")]
    arguments += ["--site-out", str(site), "--config", str(tmp_path / "none.yml")]
    from cxgov.api import _program

    validated: list[list[str]] = []
    validate = _program.validate_paths

    def counted(paths: list[str], **options: object) -> object:
        validated.append(paths)
        return validate(paths, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(_program, "validate_paths", counted)
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().splitlines()[-1].startswith(f"site: {site / 'index.html'} (")
    assert "Run 1, as of 2026-11-01" in (site / "index.html").read_text(encoding="utf-8")
    assert validated == [[str(program)]], "the run validates the program once, site included"


def test_a_failed_site_build_fails_the_run_after_its_other_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    from tests.site.conftest import AIRLINE_CSV, copy_program

    program = copy_program("airline", tmp_path)
    (program / "data").mkdir()
    (program / "data" / "airline-2026-10.csv").write_bytes(AIRLINE_CSV.read_bytes())
    config = tmp_path / "mkdocs.yml"
    config.write_text("nav: not a list\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    arguments = ["run", "--program", str(program), "--as-of", "2026-11-01", "--db", db]
    arguments += ["--out", str(tmp_path / "r"), "--config", str(config)]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 1, result.output
    assert "airline as of 2026-11-01:" in result.stdout, "the run's own work is reported"
    assert "cxgov: error: mkdocs.yml: `nav` must be a list" in result.stderr
    assert not (tmp_path / "site").exists()

    outcome = api.site_after_run(str(program), db=db, config=str(config))
    assert outcome.built is None and outcome.error == "mkdocs.yml: `nav` must be a list"


def test_a_folder_that_holds_other_files_is_never_emptied(
    kahvipalvelu_store: SiteStore, tmp_path: Path
) -> None:
    def build(out: Path) -> api.BuiltSite:
        return api.build_site(
            str(kahvipalvelu_store.program_dir),
            db=kahvipalvelu_store.db,
            out=str(out),
            work=str(tmp_path / "work"),
            config=None,
        )

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("two years of work", encoding="utf-8")
    with pytest.raises(api.UsageError, match="not empty and holds no site cxgov built"):
        build(mine)
    assert [p.name for p in mine.iterdir()] == ["thesis.docx"]
    fresh = tmp_path / "fresh"
    assert (build(fresh).out / ".cxgov-site").is_file()
    assert (build(fresh).out / "index.html").is_file(), "a site cxgov built is replaced"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert (build(empty).out / ".cxgov-site").is_file(), "an empty folder is fine"


def test_site_build_and_run_refuse_a_folder_of_other_files_with_exit_2(
    kahvipalvelu_store: SiteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.md").write_text("keep me", encoding="utf-8")
    program, db = str(kahvipalvelu_store.program_dir), kahvipalvelu_store.db
    built = CliRunner().invoke(
        cli, ["site", "build", "--program", program, "--db", db, "--out", str(mine)]
    )
    assert built.exit_code == ExitCode.USAGE, built.output
    assert f"--out {mine}: the folder is not empty and holds no site cxgov built" in built.stderr
    assert "choose a new or empty folder" in built.stderr
    store = f"sqlite:///{tmp_path / 'fresh.db'}"
    arguments = ["run", "--program", program, "--as-of", "2026-11-01", "--db", store]
    arguments += ["--out", str(tmp_path / "r"), "--site-out", str(mine)]
    run = CliRunner().invoke(cli, arguments)
    assert run.exit_code == ExitCode.USAGE, run.output
    assert "holds no site cxgov built" in run.stderr
    assert not (tmp_path / "r").exists() and not (tmp_path / "fresh.db").exists(), (
        "refused before the run started"
    )
    assert [p.name for p in mine.iterdir()] == ["notes.md"]
