"""`cxgov init`: a new program that validates as it is, loads its sample and is ready for
review; the workflow and hook files are real."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cxgov import __version__, api
from cxgov.cli import cli
from cxgov.scaffold import GITIGNORE, plan
from tests.clock import clock
from tests.conftest import ROOT
from tests.review.programs import Repo


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
    summary = api.ingest(program, "survey", db=db, clock=clock)
    assert summary.rejected == 0 and summary.inserted > 100
    result = api.evaluate(program, as_of=dt.date(2026, 4, 1), db=db, dry_run=True, clock=clock)
    statuses = {r.status.value for r in result.results}
    assert statuses <= {v.value for v in api.Verdict}
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
    assert "## cxgov validate" in runs and 'cat cxgov-diff.md >> "$GITHUB_STEP_SUMMARY"' in runs
    assert "cxgov validate --format github" in runs and "cxgov codeowners --check" in runs
    assert steps[0]["with"]["fetch-depth"] == 0
    assert workflow["permissions"]["pull-requests"] == "write"


FAKE_GH = """#!/bin/sh
# records each call; answers the comment search with $FOUND (GitHub runs steps with
# bash -e -o pipefail, as the test does)
echo "$*" >> "$CALLS"
case "$*" in
  "api repos/acme/cx/issues/7/comments"*) [ -n "$FOUND" ] && echo "$FOUND" ;;
esac
exit 0
"""


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        ("", "pr comment 7 --body-file cxgov-diff.md"),
        (
            "4242",
            "api --method PATCH repos/acme/cx/issues/comments/4242 -F body=@cxgov-diff.md",
        ),
    ],
    ids=["the first push posts a comment", "later pushes edit it"],
)
def test_the_diff_comment_is_edited_in_place(tmp_path: Path, found: str, expected: str) -> None:
    workflow = yaml.safe_load((ROOT / "examples/github-actions/pull-request.yml").read_text())
    (step,) = [
        s
        for s in workflow["jobs"]["review"]["steps"]
        if s.get("name") == "Post the diff as a comment"
    ]
    assert "<!-- cxgov diff -->" in step["run"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(FAKE_GH)
    gh.chmod(0o755)
    calls = tmp_path / "calls"
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "CALLS": str(calls),
        "FOUND": found,
        "GITHUB_REPOSITORY": "acme/cx",
        "PR": "7",
    }
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    made = calls.read_text().splitlines()
    assert made[0].startswith("api repos/acme/cx/issues/7/comments --paginate --jq ")
    assert made[1:] == [expected]


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


def _workflows(repo: Path) -> dict[str, str]:
    folder = repo / ".github" / "workflows"
    return {
        name: (folder / f"cxgov-{name}.yml").read_text() for name in ("pull-request", "nightly")
    }


def test_workflows_install_exactly_the_cxgov_that_scaffolded_them(scaffolded: Path) -> None:
    for name, text in _workflows(scaffolded).items():
        assert "pip install cxgov" not in text, name
        # one line to change, at the top, said to be the one
        assert text.count("CXGOV_PACKAGE:") == 1, name
        assert f'  CXGOV_PACKAGE: "cxgov=={__version__}"\n' in text, name
        workflow = yaml.safe_load(text)
        assert workflow["env"]["CXGOV_PACKAGE"] == f"cxgov=={__version__}"
        runs = [s.get("run", "") for job in workflow["jobs"].values() for s in job["steps"]]
        assert 'python -m pip install "$CXGOV_PACKAGE"' in runs, name
        comment = text.split("  CXGOV_PACKAGE:")[0].rsplit("env:\n", 1)[1]
        assert "git+https://HOST/OWNER/cxgov@v" + __version__ in comment
        assert "wheel" in comment and "cxgov init --package SPEC" in comment


def test_init_writes_another_package_spec_into_the_workflows(tmp_path: Path) -> None:
    spec = "cxgov @ git+https://git.example.org/acme/cxgov@v0.1.0"
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "acme-cx"), "--package", spec])
    assert result.exit_code == 0, result.output
    for text in _workflows(tmp_path / "acme-cx").values():
        assert yaml.safe_load(text)["env"]["CXGOV_PACKAGE"] == spec


@pytest.mark.parametrize("spec", ["", "  ", "cxgov==0.1.0\nrun: curl evil"])
def test_a_package_spec_that_is_not_one_line_is_a_usage_error(tmp_path: Path, spec: str) -> None:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "x"), "--package", spec])
    assert result.exit_code == 2
    assert "give one pip requirement on one line" in result.output
    assert not (tmp_path / "x").exists()


def test_the_nightly_fetch_step_is_marked_as_the_users_own(scaffolded: Path) -> None:
    text = _workflows(scaffolded)["nightly"]
    before, step = text.split("      - name: Fetch the survey exports", 1)
    assert (
        "# YOUR STEP: the one step of this workflow that cxgov cannot write for you."
        in (before.rsplit("- name:", 1)[1])
    )
    assert "if [ ! -x scripts/fetch-exports ]; then" in step.split("- name:", 1)[0]
    assert "exit 1" in step.split("- name:", 1)[0]


def test_git_add_all_leaves_customer_data_and_working_files_out(scaffolded: Path) -> None:
    repo = Repo(scaffolded)
    working_files = [
        ".cxgov/cxgov.db",
        ".cxgov/cxgov.db-wal",
        ".cxgov/.cxgov-run-acme-cx.lock",
        ".cxgov/site/acme-cx/docs/index.md",
        ".cxgov/site/leadership/acme-cx/docs/index.md",
        "site/acme-cx/index.html",
        "site/team/acme-cx/index.html",
        "reports/acme-cx/2026-06-30.json",
        "reports/acme-cx/2026-06-30.md",
        "programs/acme-cx/data/export-2026-06.csv",
        "store.db",
        "store.db-journal",
        "store.db.key",
        ".cxgov-run-acme-cx.lock",
    ]
    for name in working_files:
        (scaffolded / name).parent.mkdir(parents=True, exist_ok=True)
        (scaffolded / name).write_text("r1,2026-06-01,PHONE_CSAT,1,C001,Call me on 040 123 4567\n")

    repo.git("add", "-A")

    staged = set(repo.git("diff", "--cached", "--name-only").splitlines())
    leaked = sorted(staged & set(working_files))
    assert not leaked, f"git add -A staged {leaked}"
    assert "programs/acme-cx/data/answers-2026-q1.csv" not in staged  # the sample's answers too
    assert {
        ".gitignore",
        ".github/workflows/cxgov-nightly.yml",
        "programs/acme-cx/objectives.yaml",
        "schemas/program-file.schema.json",
    } <= staged


def test_an_existing_gitignore_gets_the_missing_lines_appended(tmp_path: Path) -> None:
    repo = tmp_path / "acme-cx"
    repo.mkdir()
    (repo / ".gitignore").write_text("node_modules/\n/site\n*.log")

    result = CliRunner().invoke(cli, ["init", str(repo)])

    assert result.exit_code == 0, result.output
    assert f"wrote {repo / '.gitignore'}" in result.output
    text = (repo / ".gitignore").read_text()
    assert text.startswith("node_modules/\n/site\n*.log\n# Added by `cxgov init`")
    rules = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert rules.count("/.cxgov/") == 1 and "/reports/" in rules and "/programs/*/data/" in rules
    assert "/site/" not in rules  # `/site` already keeps it out


def test_a_gitignore_with_every_rule_is_left_as_it_is(tmp_path: Path) -> None:
    repo = tmp_path / "acme-cx"
    repo.mkdir()
    mine = "# mine\n" + "\n".join(
        line for line in GITIGNORE.splitlines() if line and not line.startswith("#")
    )
    (repo / ".gitignore").write_text(mine)

    result = CliRunner().invoke(cli, ["init", str(repo)])

    assert result.exit_code == 0, result.output
    assert ".gitignore" not in result.output
    assert (repo / ".gitignore").read_text() == mine


def test_nothing_is_written_when_a_file_is_in_the_way_not_even_the_gitignore(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "acme-cx"
    (repo / "programs" / "acme-cx").mkdir(parents=True)
    (repo / "programs" / "acme-cx" / "kpis.yaml").write_text("# mine\n")
    (repo / ".gitignore").write_text("node_modules/\n")

    result = CliRunner().invoke(cli, ["init", str(repo)])

    assert result.exit_code == 2
    assert (repo / ".gitignore").read_text() == "node_modules/\n"
    assert not (repo / ".github").exists()
