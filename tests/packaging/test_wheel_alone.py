"""The wheel alone is cxgov: installed with its locked dependencies into a fresh environment,
it scaffolds a repository, validates it, runs the nightly job and builds the site, from a
folder far from this checkout and with nothing of the checkout on the import path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cxgov import __version__
from tests.clock import NOW
from tests.packaging.offline import ROOT, run, scrubbed_env

pytestmark = pytest.mark.child_process


def test_the_installed_wheel_scaffolds_validates_runs_and_builds_the_site(
    installed: Path, tmp_path: Path
) -> None:
    env = scrubbed_env(
        {"PATH": f"{installed}{os.pathsep}{scrubbed_env()['PATH']}", "CXGOV_NOW": NOW.isoformat()}
    )
    assert not tmp_path.resolve().is_relative_to(ROOT)

    def cxgov(*args: str, cwd: Path) -> str:
        done = run(["cxgov", *args], cwd=cwd, env=env)
        return done.stdout + done.stderr

    imported = run(
        ["python", "-c", "import cxgov; print(cxgov.__file__, cxgov.__version__)"],
        cwd=tmp_path,
        env=env,
    ).stdout.split()
    assert Path(imported[0]).is_relative_to(installed.parent)
    assert imported[1] == __version__
    assert cxgov("--version", cwd=tmp_path).strip().endswith(__version__)

    cxgov("init", "acme-cx", cwd=tmp_path)
    repo = tmp_path / "acme-cx"
    nightly = (repo / ".github" / "workflows" / "cxgov-nightly.yml").read_text()
    assert f'  CXGOV_PACKAGE: "cxgov=={__version__}"\n' in nightly
    assert (repo / ".gitignore").is_file()

    assert "0 errors, 0 warnings" in cxgov("validate", "--strict", "programs/", cwd=repo)
    explained = cxgov("rules", "undetectable-miss", cwd=repo)
    assert "Fails: " in explained and "Passes: " in explained
    cxgov("schema", "--check", cwd=repo)

    db = f"sqlite:///{tmp_path / 's.db'}"
    ran = cxgov(
        "run", "--program", "programs/acme-cx", "--as-of", "2026-03-31", "--db", db, cwd=repo
    )
    assert "225 rows read, 225 accepted, 0 rejected" in ran
    report = json.loads((repo / "reports" / "acme-cx" / "2026-03-31.json").read_text())
    assert report["program"] == "acme-cx" and report["as_of"] == "2026-03-31"
    assert {r["objective"] for r in report["results"]} == {"o-phone-csat", "o-help-centre-csat"}
    march = [r for r in report["results"] if r["period"]["end"] == "2026-03-31"]
    assert len(march) == 2 and all(r["n"] > 0 and r["value"] is not None for r in march)
    assert (repo / "reports" / "acme-cx" / "2026-03-31.md").is_file()
    assert (repo / "site" / "team" / "acme-cx" / "index.html").is_file()

    out = tmp_path / "leadership-site"
    cxgov(
        "site", "build", "--program", "programs/acme-cx", "--db", db,
        "--audience", "leadership", "--out", str(out),
        cwd=repo,
    )  # fmt: skip
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "acme-cx customer-experience program" in index
    # built for any static file server with no internet: every page and asset is in the folder
    assert (out / "search" / "search_index.json").is_file()
