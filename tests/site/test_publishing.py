"""What may be published: every file of the leadership site, as the nightly workflow uploads it
(`site/leadership/`), holds no customer comment and no customer key, and the team site, which
shows comments, is built in a tree of its own. The program's folder is deliberately named
unlike its id: that once put both sites side by side under `site/`."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from cxgov.cli import cli
from cxgov.store.engine import open_store
from cxgov.store.tables import FEEDBACK
from tests.conftest import ROOT
from tests.site.conftest import AIRLINE_CSV

COMMENT = "the seat pocket held a stranger's xylophone"
CUSTOMER_IDS = [f"FLYER-{n:05d}" for n in range(40)]
NOW = "2026-11-01T03:00:00Z"
WORKFLOWS = [
    ROOT / "examples" / "github-actions" / "nightly.yml",
    ROOT / "cxgov" / "scaffold_templates" / "workflows" / "nightly.yml",
]


def _program(workspace: Path) -> Path:
    """The airline example in a folder not named after its id, with comments and customers."""
    program = workspace / "programs" / "cx-airline"
    shutil.copytree(ROOT / "programs" / "airline", program, ignore=shutil.ignore_patterns("data"))
    sources = program / "sources.yaml"
    sources.write_text(
        sources.read_text(encoding="utf-8").replace(
            "      segments:\n",
            "      comment: Comment\n      customer: Customer\n      segments:\n",
        )
        + "\ncontact_policy:\n  max_surveys_per_customer: 3\n  days: 90\n",
        encoding="utf-8",
    )
    (program / "themes.yaml").write_text(
        "themes:\n  - id: seats\n    name: Seats\n    match:\n      any: [seat]\n"
        "    kpis: [csat]\n",
        encoding="utf-8",
    )
    data = program / "data"
    data.mkdir()
    with AIRLINE_CSV.open(encoding="utf-8", newline="") as source:
        rows = list(csv.reader(source))
    with (data / "airline-2026-10.csv").open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target)
        writer.writerow([*rows[0], "Comment", "Customer"])
        for index, row in enumerate(rows[1:401]):
            writer.writerow([*row, f"{COMMENT} ({index})", CUSTOMER_IDS[index % 40]])
    return program


def _cxgov(*args: str) -> str:
    result = CliRunner().invoke(cli, ["--now", NOW, *args])
    assert result.exit_code in (0, 1), result.output
    return result.output


def _published_text(tree: Path) -> dict[Path, str]:
    """Every file under `tree`, as text (search indexes, sitemaps and SVGs included)."""
    return {
        path: path.read_bytes().decode("utf-8", errors="replace")
        for path in sorted(tree.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace = tmp_path_factory.mktemp("workspace")
    program = _program(workspace)
    db = f"sqlite:///{workspace / 'store.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workspace)
        # as a person runs it: the nightly run builds the team site (the default audience)
        _cxgov("run", "--program", str(program), "--db", db, "--as-of", "2026-11-01")
        # as the nightly workflow builds what it publishes
        _cxgov("site", "build", "--program", str(program), "--db", db, "--audience", "leadership")
    return workspace


def _stored_customer_keys(workspace: Path) -> set[str]:
    engine = open_store(f"sqlite:///{workspace / 'store.db'}")
    try:
        with engine.connect() as connection:
            keys = connection.execute(
                select(FEEDBACK.c.customer_key).where(FEEDBACK.c.customer_key.is_not(None))
            ).scalars()
            return set(keys)
    finally:
        engine.dispose()


def test_each_audience_is_built_in_its_own_tree(workspace: Path) -> None:
    site = workspace / "site"
    assert sorted(p.name for p in site.iterdir()) == ["leadership", "team"]
    # named by the program's id, not its folder
    assert (site / "leadership" / "airline" / "index.html").is_file()
    assert (site / "team" / "airline" / "index.html").is_file()
    assert sorted(p.name for p in (site / "leadership").iterdir()) == ["airline"]


def test_no_published_file_holds_a_comment_or_a_customer_key(workspace: Path) -> None:
    keys = _stored_customer_keys(workspace)
    assert len(keys) == len(CUSTOMER_IDS)
    team = _published_text(workspace / "site" / "team")
    # the scan can see a comment: the team site shows them
    assert any(COMMENT in text for text in team.values())
    leadership = _published_text(workspace / "site" / "leadership")
    assert any(p.name == "search_index.json" for p in leadership), "the search index is scanned"
    for audience, files in (("leadership", leadership), ("team", team)):
        for path, text in files.items():
            if audience == "leadership":
                assert COMMENT not in text, f"a customer comment in {path}"
                assert "xylophone" not in text, f"a customer comment in {path}"
            assert not [c for c in CUSTOMER_IDS if c in text], f"a customer id in {path}"
            assert not [k for k in keys if k in text], f"a customer key in {path}"
            assert not re.findall(r"\b[0-9a-f]{32}\b", text), f"a 32-hex key in {path}"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.parent.name)
def test_the_nightly_workflow_publishes_the_leadership_sites_only(workflow: Path) -> None:
    steps = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]["run"]["steps"]
    [upload] = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages")]
    assert upload["with"]["path"] == "site/leadership/"
    [build] = [s for s in steps if s.get("name") == "Build the site"]
    assert "--audience leadership" in build["run"] and "--out" not in build["run"]
