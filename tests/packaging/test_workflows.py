"""The workflows `cxgov init` writes, run here: every shell step of the pull-request and the
nightly workflow runs with bash in a clone of a scaffolded repository, with the environment
the workflow defines and what GitHub's runner adds, and with `python` a fresh environment's,
so the workflow's own `python -m pip install "$CXGOV_PACKAGE"` installs the wheel built from
this checkout (offline: the index is off and the locked dependencies are already in).

What needs GitHub itself is skipped by name, and the lists below say why; a step or an
expression the test does not know fails it, so a workflow change is looked at here too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from cxgov.scaffold import write_scaffold
from tests.clock import NOW
from tests.packaging.conftest import Built
from tests.packaging.offline import run, scrubbed_env

pytestmark = pytest.mark.child_process

NEEDS_GITHUB = {
    "Post the diff as a comment": "`gh` posts or edits the pull request's comment through "
    "GitHub's API (tests/review/test_scaffold.py runs the step with a stand-in `gh`)",
}
"""Shell steps the test cannot run, by name, and why."""
ACTIONS = {
    "actions/checkout": "the test clones the scaffolded repository (origin/main included, as "
    "fetch-depth: 0 gives)",
    "actions/setup-python": "a fresh environment's python is first on PATH",
    "actions/upload-artifact": "the test checks that the path it uploads holds files",
    "actions/upload-pages-artifact": "the test checks that the path it uploads holds files",
    "actions/deploy-pages": "it publishes what upload-pages-artifact uploaded",
}
"""Actions run on GitHub's runners; what the test does in their place."""
CONDITIONS = {
    "always()": True,
    # the test's pull request carries no label
    "${{ !contains(github.event.pull_request.labels.*.name, 'loosening-approved') }}": True,
    "${{ !contains(github.event.pull_request.labels.*.name, 'history-rewrite-approved') }}": True,
}
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "CX Owner",
    "GIT_AUTHOR_EMAIL": "cx@example.org",
    "GIT_COMMITTER_NAME": "CX Owner",
    "GIT_COMMITTER_EMAIL": "cx@example.org",
    # commits get the tests' "now", not the wall clock's
    "GIT_AUTHOR_DATE": NOW.isoformat(),
    "GIT_COMMITTER_DATE": NOW.isoformat(),
}


@dataclass
class Job:
    """One job of a workflow, run step by step in `workspace`."""

    workflow: dict[str, Any]
    name: str
    workspace: Path
    env: dict[str, str]
    """What the runner and the test provide; the workflow's own `env:` comes on top."""
    secrets: dict[str, str] = field(default_factory=dict)
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    output: dict[str, str] = field(default_factory=dict)

    def steps(self) -> list[dict[str, Any]]:
        steps: list[dict[str, Any]] = self.workflow["jobs"][self.name]["steps"]
        return steps

    def expand(self, value: object) -> str:
        def one(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression.startswith("secrets."):
                # GitHub gives an unset secret as the empty string
                return self.secrets.get(expression.removeprefix("secrets."), "")
            raise AssertionError(f"the test does not know what GitHub gives for {expression}")

        return EXPRESSION.sub(one, str(value))

    def step_env(self, step: dict[str, Any]) -> dict[str, str]:
        env = dict(self.env)
        for scope in (self.workflow, self.workflow["jobs"][self.name], step):
            env.update({k: self.expand(v) for k, v in (scope.get("env") or {}).items()})
        return env

    def run_all(self) -> None:
        """Run every step, as GitHub would on success, and require each to succeed."""
        for step in self.steps():
            if "uses" in step:
                self.stand_in(step)
            elif step.get("name") in NEEDS_GITHUB:
                self.skipped.append(f"{step['name']}: {NEEDS_GITHUB[step['name']]}")
            else:
                condition = step.get("if")
                assert condition is None or condition in CONDITIONS, f"unknown if: {condition}"
                if condition is None or CONDITIONS[condition]:
                    done = self.run_step(step)
                    assert done.returncode == 0, _failure(step, done)

    def stand_in(self, step: dict[str, Any]) -> None:
        action = step["uses"].split("@")[0]
        assert action in ACTIONS, f"the test does not know the action {action}"
        self.skipped.append(f"uses {step['uses']}: {ACTIONS[action]}")
        if action in ("actions/upload-artifact", "actions/upload-pages-artifact"):
            uploaded = self.workspace / step["with"]["path"]
            assert any(p.is_file() for p in uploaded.rglob("*")), f"{uploaded} holds no file"

    def run_step(self, step: dict[str, Any]) -> subprocess.CompletedProcess[str]:
        assert step.get("shell", "bash") == "bash" and "working-directory" not in step, step
        name = step.get("name", step["run"])
        script = self.workspace.parent / "step.sh"
        script.write_text(step["run"], encoding="utf-8")
        # GitHub's default shell on Linux runners: bash -e {0}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-e", str(script)],
            cwd=self.workspace,
            env=self.step_env(step),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        self.ran.append(name)
        self.output[name] = done.stdout + done.stderr
        return done

    def step(self, name: str) -> dict[str, Any]:
        (found,) = [s for s in self.steps() if s.get("name") == name]
        return found


def _failure(step: dict[str, Any], done: subprocess.CompletedProcess[str]) -> str:
    return (
        f"step {step.get('name', step['run'])!r} exited {done.returncode}\n"
        f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
    )


def _git(repo: Path, *args: str) -> str:
    env = scrubbed_env(GIT_IDENTITY)
    return run(["git", "-C", str(repo), *args], cwd=repo, env=env).stdout.strip()


def _scaffold(installed: Path, folder: Path, package: str) -> Path:
    """A repository as the getting-started steps leave it: `cxgov init` (the wheel's cxgov,
    pinning `package`), `cxgov codeowners --write`, committed on main."""
    env = scrubbed_env({"PATH": f"{installed}{os.pathsep}{scrubbed_env()['PATH']}"})
    run(
        ["cxgov", "init", str(folder), "--id", "acme-cx", "--package", package],
        cwd=folder.parent,
        env=env,
    )
    run(["cxgov", "codeowners", "--write"], cwd=folder, env=env)
    _git(folder, "init", "-q", "-b", "main")
    return folder


def _commit_all(repo: Path, message: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)


def _runner_env(runner_python: Path, workspace: Path, extra: dict[str, str]) -> dict[str, str]:
    """What a GitHub-hosted runner gives every step, with setup-python's python first."""
    temp = workspace.parent / "runner-temp"
    temp.mkdir()
    files = {name: temp / name.lower() for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT")}
    for file in files.values():
        file.touch()
    home = workspace.parent / "home"  # what pip or git write to HOME stays in the test's folder
    home.mkdir()
    return scrubbed_env(
        {
            "PATH": f"{runner_python.parent}{os.pathsep}{scrubbed_env()['PATH']}",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(temp),
            "RUNNER_OS": "Linux",
            "HOME": str(home),
            **{name: str(p) for name, p in files.items()},
            # the tests' "now": the nightly's `cxgov run` has no --as-of
            "CXGOV_NOW": NOW.isoformat(),
            **extra,
        }
    )


def _workflow(repo: Path, name: str) -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(
        (repo / ".github" / "workflows" / f"cxgov-{name}.yml").read_text(encoding="utf-8")
    )
    return found


def test_the_pull_request_workflow_runs_its_shell_steps(
    built: Built, installed: Path, runner_python: Path, tmp_path: Path
) -> None:
    upstream = _scaffold(installed, tmp_path / "acme-cx", str(built.wheel))
    _commit_all(upstream, "Start the CX program")
    _git(upstream, "checkout", "-q", "-b", "raise-phone-target")
    objectives = upstream / "programs" / "acme-cx" / "objectives.yaml"
    text = objectives.read_text(encoding="utf-8")
    # from next year: raising the revision in force since 2026-01-01 would rewrite history
    current = "{effective_from: 2026-01-01, target: 80, warn: 75, fail: 65}\n"
    (indent,) = [line.split("- ")[0] for line in text.splitlines(True) if line.endswith(current)]
    raised = current.replace("2026-01-01", "2027-01-01").replace("target: 80", "target: 85")
    objectives.write_text(text.replace(current, f"{current}{indent}- {raised}"))
    _commit_all(upstream, "Raise the phone target from 2027")
    workspace = tmp_path / "runner" / "workspace"
    workspace.parent.mkdir()
    _git(tmp_path, "clone", "-q", str(upstream), str(workspace))

    workflow = _workflow(workspace, "pull-request")
    assert workflow["env"]["CXGOV_PACKAGE"] == str(built.wheel)
    env = _runner_env(
        runner_python,
        workspace,
        {
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_BASE_REF": "main",
            "GITHUB_HEAD_REF": "raise-phone-target",
        },
    )
    job = Job(workflow, "review", workspace, env)
    job.run_all()

    assert job.ran == [
        "Install cxgov",
        "Annotations",
        "Full report in the job summary",
        "Schemas are current",
        "CODEOWNERS is current",
        "Semantic diff",
        "No loosened targets without approval",
        "No rewritten history without approval",
    ]
    assert job.skipped == [
        f"uses actions/checkout@v4: {ACTIONS['actions/checkout']}",
        f"uses actions/setup-python@v5: {ACTIONS['actions/setup-python']}",
        f"Post the diff as a comment: {NEEDS_GITHUB['Post the diff as a comment']}",
    ]
    assert "Successfully installed cxgov-0.1.0" in job.output["Install cxgov"]
    assert shutil.which("cxgov", path=env["PATH"]) == str(runner_python.parent / "cxgov")
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "## cxgov validate" in summary and "0 errors" in summary
    diff = (workspace / "cxgov-diff.md").read_text(encoding="utf-8")
    assert "o-phone-csat" in diff and "tightened" in diff
    assert diff in summary

    # the same pull request, now lowering the target: the approval check fails until labelled
    objectives = workspace / "programs" / "acme-cx" / "objectives.yaml"
    text = objectives.read_text(encoding="utf-8")
    objectives.write_text(text.replace("target: 85, warn: 75", "target: 78, warn: 75"))
    _commit_all(workspace, "Lower the phone target after all")
    loosened = job.run_step(job.step("No loosened targets without approval"))
    assert loosened.returncode == 1, loosened.stdout + loosened.stderr

    # instead, a stricter fail level for the revision in force: nothing is loosened, but it
    # rewrites history, which its own check refuses until labelled apart
    _git(workspace, "reset", "-q", "--hard", "HEAD~1")
    text = objectives.read_text(encoding="utf-8")
    objectives.write_text(text.replace(current, current.replace("fail: 65", "fail: 70")))
    _commit_all(workspace, "A stricter fail level since January")
    stricter = job.run_step(job.step("No loosened targets without approval"))
    assert stricter.returncode == 0, stricter.stdout + stricter.stderr
    rewritten = job.run_step(job.step("No rewritten history without approval"))
    assert rewritten.returncode == 1 and rewritten.stderr == "", rewritten.stderr


def _fetch_exports(drop: Path) -> str:
    return f"""#!/usr/bin/env bash
# The survey tool leaves its exports in {drop}; each program reads them from its data/.
set -euo pipefail
for program in programs/*/; do
  mkdir -p "$program/data"
  cp {drop}/*.csv "$program/data/"
done
"""


def test_the_nightly_workflow_runs_its_shell_steps(
    built: Built, installed: Path, runner_python: Path, tmp_path: Path
) -> None:
    upstream = _scaffold(installed, tmp_path / "acme-cx", str(built.wheel))
    drop = tmp_path / "survey-exports"
    shutil.copytree(upstream / "programs" / "acme-cx" / "data", drop)
    fetch = upstream / "scripts" / "fetch-exports"
    fetch.parent.mkdir()
    fetch.write_text(_fetch_exports(drop), encoding="utf-8")
    fetch.chmod(0o755)
    _commit_all(upstream, "Start the CX program")
    workspace = tmp_path / "runner" / "workspace"
    workspace.parent.mkdir()
    _git(tmp_path, "clone", "-q", str(upstream), str(workspace))
    # the answers never reached Git: the checkout has only what the fetch step brings
    assert not (workspace / "programs" / "acme-cx" / "data").exists()

    store = tmp_path / "runner" / "store.db"
    env = _runner_env(runner_python, workspace, {"GITHUB_EVENT_NAME": "schedule"})
    job = Job(
        _workflow(workspace, "nightly"),
        "run",
        workspace,
        env,
        # the nightly's store outlives the job: here, a file beside the workspace
        secrets={"CXGOV_DATABASE_URL": f"sqlite:///{store}"},
    )
    job.run_all()

    assert job.ran == [
        "Install cxgov",
        "Fetch the survey exports (scripts/fetch-exports, yours to write)",
        "Check the sinks' secrets",
        "Nightly run",
        "Deliveries that did not get through",
        "Build the site",
    ]
    assert job.skipped == [
        f"uses actions/checkout@v4: {ACTIONS['actions/checkout']}",
        f"uses actions/setup-python@v5: {ACTIONS['actions/setup-python']}",
        f"uses actions/upload-artifact@v4: {ACTIONS['actions/upload-artifact']}",
        f"uses actions/upload-pages-artifact@v3: {ACTIONS['actions/upload-pages-artifact']}",
    ]
    assert "225 rows read" in job.output["Nightly run"]
    as_of = NOW.date().isoformat()  # 12:00 UTC is the same day in Helsinki
    assert (workspace / "reports" / "acme-cx" / f"{as_of}.json").is_file()
    assert (workspace / "site" / "leadership" / "acme-cx" / "index.html").is_file()
    # nothing but leadership sites where the pages artifact is taken from
    assert not (workspace / "site" / "team").exists()
    assert store.is_file() and not (workspace / ".cxgov" / "cxgov.db").exists()

    pages = Job(_workflow(workspace, "nightly"), "pages", workspace, env)
    pages.run_all()
    assert pages.ran == []
    assert pages.skipped == [
        f"uses actions/deploy-pages@v4: {ACTIONS['actions/deploy-pages']}",
    ]


def test_the_nightly_fetch_step_fails_clearly_until_the_script_is_written(tmp_path: Path) -> None:
    repo = tmp_path / "acme-cx"
    write_scaffold(repo)
    job = Job(_workflow(repo, "nightly"), "run", repo, scrubbed_env())
    step = job.step("Fetch the survey exports (scripts/fetch-exports, yours to write)")

    never_written = job.run_step(step)
    (repo / "scripts").mkdir()
    (repo / "scripts" / "fetch-exports").write_text("#!/bin/sh\necho fetched\n")
    not_executable = job.run_step(step)
    (repo / "scripts" / "fetch-exports").chmod(0o755)
    written = job.run_step(step)

    for failed in (never_written, not_executable):
        assert failed.returncode == 1
        assert failed.stdout.startswith(
            "::error::scripts/fetch-exports is missing or not executable: write it"
        )
        assert "programs/<id>/data/" in failed.stdout
    assert written.returncode == 0 and written.stdout == "fetched\n"


def test_the_skip_lists_name_only_what_the_workflows_have(tmp_path: Path) -> None:
    """Nothing is skipped or stood in for that the workflows no longer have."""
    repo = tmp_path / "acme-cx"
    write_scaffold(repo)
    steps = [
        step
        for name in ("pull-request", "nightly")
        for job in _workflow(repo, name)["jobs"].values()
        for step in job["steps"]
    ]
    assert set(NEEDS_GITHUB) <= {s.get("name") for s in steps}
    assert {s["uses"].split("@")[0] for s in steps if "uses" in s} == set(ACTIONS)
    assert set(CONDITIONS) == {s["if"] for s in steps if "if" in s}
