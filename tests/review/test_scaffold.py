"""`cxgov init`: a new program that validates as it is, loads its sample and is ready for
review; the workflow and hook files are real."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cxgov import api
from cxgov.cli import cli
from cxgov.scaffold import plan
from tests.conftest import ROOT


@pytest.fixture
def scaffolded(tmp_path: Path) -> Path:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "acme-cx")])
    assert result.exit_code == 0, result.output
    return tmp_path / "acme-cx"


def test_the_new_program_validates_strictly(
    scaffolded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(scaffolded)
    result = CliRunner().invoke(cli, ["validate", "--strict", "programs/"])
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings" in result.output
    assert api.load_program("programs/acme-cx").program.id == "acme-cx"


def test_every_yaml_file_points_at_the_schema_that_exists(scaffolded: Path) -> None:
    files = sorted((scaffolded / "programs").rglob("*.yaml"))
    assert len(files) >= 8
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        schema = (path.parent / first.split("=", 1)[1]).resolve()
        assert schema == (scaffolded / "schemas" / "program-file.schema.json").resolve()
        assert json.loads(schema.read_text())["title"] == "cxgov program file"


def test_the_sample_loads_and_is_judged(scaffolded: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    program = str(scaffolded / "programs" / "acme-cx")
    summary = api.ingest(program, "survey", db=db)
    assert summary.rejected == 0 and summary.inserted > 100
    result = api.evaluate(program, as_of=dt.date(2026, 4, 1), db=db, dry_run=True)
    statuses = {r.status.value for r in result.results}
    assert statuses <= {"pass", "warn", "fail", "insufficient_sample", "no_data"}
    assert len({r.objective.id for r in result.results}) == 2


def test_codeowners_and_the_schema_check_pass_in_the_new_repository(
    scaffolded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(scaffolded)
    runner = CliRunner()
    assert runner.invoke(cli, ["schema", "--check"]).exit_code == 0
    assert runner.invoke(cli, ["codeowners", "--write"]).exit_code == 0
    assert (
        "@your-org/support" not in (scaffolded / "CODEOWNERS").read_text()
    )  # owns touchpoints, not a journey
    assert (
        "/programs/acme-cx/objectives.yaml @your-cx-lead @your-sponsor"
        in (scaffolded / "CODEOWNERS").read_text()
    )


def test_init_overwrites_nothing(scaffolded: Path) -> None:
    objectives = scaffolded / "programs" / "acme-cx" / "objectives.yaml"
    objectives.write_text("# mine\n")
    result = CliRunner().invoke(cli, ["init", str(scaffolded)])
    assert result.exit_code == 2
    assert "already exist, nothing written" in result.output
    assert objectives.read_text() == "# mine\n"


def test_a_bad_program_id_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "x"), "--id", "no spaces"])
    assert result.exit_code == 2
    assert "not a program id" in result.output
    assert not (tmp_path / "x").exists()


def test_workflows_are_the_documented_examples(tmp_path: Path) -> None:
    files = plan(tmp_path / "repo")
    for name in ("pull-request.yml", "nightly.yml"):
        written = files[tmp_path / "repo" / ".github" / "workflows" / f"cxgov-{name}"]
        example = (ROOT / "examples" / "github-actions" / name).read_text(encoding="utf-8")
        assert written == example, f"examples/github-actions/{name} differs from the scaffold's"


def test_pull_request_workflow_posts_the_diff_and_checks_loosening() -> None:
    workflow = yaml.safe_load((ROOT / "examples/github-actions/pull-request.yml").read_text())
    steps = workflow["jobs"]["review"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "cxgov diff" in runs and "--format markdown" in runs and "GITHUB_STEP_SUMMARY" in runs
    assert "gh pr comment" in runs and "--fail-on-loosened" in runs
    assert "cxgov validate --format github" in runs and "cxgov codeowners --check" in runs
    assert steps[0]["with"]["fetch-depth"] == 0
    assert workflow["permissions"]["pull-requests"] == "write"


def test_nightly_workflow_publishes_the_site_to_pages() -> None:
    workflow = yaml.safe_load((ROOT / "examples/github-actions/nightly.yml").read_text())
    runs = "\n".join(s.get("run", "") for s in workflow["jobs"]["run"]["steps"])
    assert "cxgov run" in runs and "cxgov site build" in runs
    uses = [s.get("uses", "") for job in workflow["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert any(u.startswith("actions/deploy-pages") for u in uses)


def test_pre_commit_hooks_check_whole_folders() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"cxgov-validate", "cxgov-schema", "cxgov-codeowners"}
    assert all(h["pass_filenames"] is False for h in hooks.values())
    for hook in hooks.values():
        command = hook["entry"].split()[1]
        assert command in cli.commands, hook
