"""The nightly run's stages, with real `cxgov run` processes on both databases: killed with
`kill -9` at each stage boundary, the rerun of the day leaves the same actions, report,
deliveries and digests as a run never interrupted, each sent once; and a run that lost its lock
stops before the next stage, leaving the work to the next run.

The processes stop at an exact boundary through the test hook CXGOV_TEST_PAUSE_AT
(`cxgov.nightly.pause_for_tests`): the run says it paused on stderr and waits for a line on
stdin."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from cxgov.cli import cli
from cxgov.nightly import PAUSE_ENV
from cxgov.store.engine import open_store
from cxgov.store.runs import STAGES, completed_stages, latest_run_id
from tests.conftest import ROOT
from tests.local_servers import Recorded, Reply, SmtpServer, StartHttp, StartSmtp
from tests.store.conftest import empty_store
from tests.store.test_actions import shop_with_sinks

pytestmark = pytest.mark.child_process

AS_OF = "2026-04-02"
BOUNDARIES = ("ingest", "evaluation", "actions", "deliveries", "digests", "site")


@pytest.fixture(autouse=True)
def _direct(no_proxy: None) -> None:
    """The local servers are reached directly, whatever proxy the machine sets."""


@dataclass
class Night:
    program: Path
    db_url: str
    hook: list[Recorded]
    smtp: SmtpServer
    site: bool

    def command(self) -> list[str]:
        folder = self.program.parent
        command = [sys.executable, "-m", "cxgov", "run", "--program", str(self.program)]
        command += ["--as-of", AS_OF, "--db", self.db_url, "--out", str(folder / "reports")]
        if self.site:
            return [*command, "--site-out", str(folder / "site")]
        return [*command, "--no-site"]

    def run(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(), cwd=ROOT, capture_output=True, text=True, check=False, timeout=180
        )

    def paused(self, stage: str) -> subprocess.Popen[str]:
        """A run stopped by the test hook just before `stage`, waiting for a line on stdin."""
        process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, PAUSE_ENV: stage},
        )
        assert process.stderr is not None
        seen = []
        for line in process.stderr:
            seen.append(line)
            if f"paused before the {stage} stage" in line:
                return process
        process.wait(timeout=60)
        raise AssertionError(f"the run never reached the {stage} stage: {''.join(seen)}")

    def outcome(self) -> dict[str, Any]:
        """What a night leaves behind, without what differs between any two runs (ids)."""
        listed = CliRunner().invoke(
            cli, ["actions", "list", "--format", "json", "--db", self.db_url]
        )
        assert listed.exit_code == 0, listed.output
        actions = [_without_ids(a) for a in json.loads(listed.output)]
        report = json.loads(
            (self.program.parent / "reports" / "shop" / f"{AS_OF}.json").read_text()
        )
        report = _without_ids(report)
        posts = [r for r in self.hook if r.method == "POST"]
        delivered = [_without_ids(json.loads(r.body)) for r in posts]
        ids = [r.headers["X-Cxgov-Delivery"] for r in posts]
        assert len(set(ids)) == len(ids), f"a delivery was sent twice: {ids}"
        waiting = CliRunner().invoke(cli, ["actions", "deliveries", "--db", self.db_url])
        assert "every delivery got through" in waiting.output, waiting.output
        engine = open_store(self.db_url)
        try:
            with engine.connect() as connection:
                run_id = latest_run_id(connection, "shop")
                assert run_id is not None
                stages = completed_stages(connection, run_id)
        finally:
            engine.dispose()
        site = self.program.parent / "site"
        return {
            "actions": actions,
            "report": report,
            "deliveries": delivered,
            "digests": sorted(self.smtp.recipients),
            "stages": stages,
            "site": sorted(p.name for p in site.iterdir()) if site.exists() else None,
        }

    def forget(self) -> None:
        """Back to before the first night: empty store, no reports, no site, nothing received."""
        empty_store(self.db_url)
        for folder in ("reports", "site"):
            for path in sorted((self.program.parent / folder).rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
        self.hook.clear()
        self.smtp.recipients.clear()
        self.smtp.messages.clear()


_SECONDS = re.compile(r"(T\d\d:\d\d):\d\d(\.\d+)?")


def _without_ids(value: Any) -> Any:
    """Ids dropped and instants to the minute: the pinned clock runs on within a run."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k != "id" and k[-3:] != "_id"}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    if isinstance(value, str):
        return _SECONDS.sub(r"\1", value)
    return value


def _night(
    tmp_path: Path,
    db_url: str,
    http_server: StartHttp,
    smtp_server: StartSmtp,
    monkeypatch: pytest.MonkeyPatch,
    *,
    site: bool,
) -> Night:
    hook = http_server(lambda _: Reply(200))
    smtp = smtp_server()
    program = shop_with_sinks(
        tmp_path / "night" / "shop", f"{{type: webhook, url: '{hook.url}/cx'}}"
    )
    text = (program / "program.yaml").read_text()
    text = text.replace(
        "{id: cx, name: CX Lead, escalates_to: ceo}",
        "{id: cx, name: CX Lead, escalates_to: ceo, email: cx@example.org, digest: daily}",
    )
    (program / "program.yaml").write_text(text)
    monkeypatch.setenv("CXGOV_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CXGOV_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("CXGOV_SMTP_TLS", "none")
    return Night(program, db_url, hook.requests, smtp, site)


@pytest.mark.parametrize("stage", BOUNDARIES)
def test_a_run_killed_at_a_stage_boundary_is_finished_by_the_rerun_exactly_once(
    db_url: str,
    tmp_path: Path,
    http_server: StartHttp,
    smtp_server: StartSmtp,
    monkeypatch: pytest.MonkeyPatch,
    stage: str,
) -> None:
    night = _night(tmp_path, db_url, http_server, smtp_server, monkeypatch, site=stage == "site")
    uninterrupted = night.run()
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    expected = night.outcome()
    assert expected["stages"] == tuple(s for s in STAGES if s != "site" or night.site)
    assert len(expected["deliveries"]) == 1 and expected["digests"] == ["cx@example.org"]
    night.forget()

    killed = night.paused(stage)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait(timeout=30)
    assert killed.returncode == -signal.SIGKILL
    rerun = night.run()
    assert rerun.returncode == 0, rerun.stderr
    if stage in ("deliveries", "digests", "site"):
        left = [s for s in STAGES[STAGES.index(stage) :] if s != "site" or night.site]
        assert f"finishing run 1: {', '.join(left)}" in rerun.stdout, rerun.stdout
    else:
        assert "finishing run" not in rerun.stdout
    again = night.run()
    assert again.returncode == 0, again.stderr
    assert "nothing changed since run" in again.stdout and "finishing" not in again.stdout
    assert night.outcome() == expected


def _cut_lock(night: Night) -> None:
    """End the connection that holds the run's lock, as a restarted server or a network cut
    would (PostgreSQL), or replace the lock file (SQLite)."""
    if night.db_url.startswith("sqlite"):
        lock = Path(night.db_url.removeprefix("sqlite:///")).parent / ".cxgov-run-shop.lock"
        lock.unlink()
        lock.touch()
        return
    engine = open_store(night.db_url)
    try:
        with engine.begin() as connection:
            ended = connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in ended] == [(True,)]


@pytest.mark.parametrize("stage", ["evaluation", "deliveries", "digests"])
def test_a_run_that_lost_its_lock_stops_before_the_next_stage_and_the_next_run_completes(
    db_url: str,
    tmp_path: Path,
    http_server: StartHttp,
    smtp_server: StartSmtp,
    monkeypatch: pytest.MonkeyPatch,
    stage: str,
) -> None:
    night = _night(tmp_path, db_url, http_server, smtp_server, monkeypatch, site=False)
    uninterrupted = night.run()
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    expected = night.outcome()
    night.forget()

    paused = night.paused(stage)
    _cut_lock(night)
    stdout, stderr = paused.communicate("\n", timeout=60)
    assert paused.returncode == 5, (stdout, stderr)
    assert "the run lock of program 'shop' was lost" in stderr
    assert f"stopped before the {stage} stage" in stderr
    assert "Traceback" not in stderr
    sent = {"deliveries": 0, "digests": 1}.get(stage, 0)
    assert len(night.hook) == sent and night.smtp.recipients == []
    after = night.run()
    assert after.returncode == 0, after.stderr
    assert night.outcome() == expected
