"""The nightly run on both databases: new files only, a rerun changes nothing, one run per
program at a time (real processes), and no action is ever duplicated."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from click.testing import CliRunner

from cxgov import api
from cxgov.cli import cli
from cxgov.store.engine import open_store
from cxgov.store.locks import run_lock
from cxgov.store.runs import latest_record
from tests.clock import clock
from tests.conftest import ROOT
from tests.store.test_actions import shop_with_policy

AS_OF = "2026-04-02"


def _run(program: Path, db_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cxgov", "run", "--program", str(program), "--as-of", AS_OF]
    command.append("--no-site")
    return subprocess.run(
        [*command, "--db", db_url, "--out", str(program.parent / "reports"), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _actions(db_url: str) -> list[dict[str, object]]:
    listed = CliRunner().invoke(cli, ["actions", "list", "--format", "json", "--db", db_url])
    return json.loads(listed.output)  # type: ignore[no-any-return]


def test_a_run_loads_new_files_judges_and_a_second_run_changes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    program = shop_with_policy(tmp_path / "shop")
    first = api.run(
        str(program), as_of=dt.date(2026, 4, 2), db=db_url, out=str(tmp_path / "r"), clock=clock
    )
    assert [b.inserted for b in first.batches] == [len(_nps_lines(program))]
    assert first.evaluation is not None and first.evaluation.record.actions.counts == {"open": 1}
    assert (tmp_path / "r" / "shop" / "2026-04-02.json").is_file()
    engine = open_store(db_url)
    try:
        with engine.connect() as connection:
            stored = latest_record(connection, "shop")
    finally:
        engine.dispose()
    assert stored is not None and stored.run == first.evaluation.record.run
    assert stored.actions == first.evaluation.record.actions
    assert stored.verdicts == first.evaluation.record.verdicts
    assert stored.voc is not None and stored.voc == first.evaluation.record.voc
    assert len(stored.actions.action_ids) == 1
    second = api.run(
        str(program), as_of=dt.date(2026, 4, 2), db=db_url, out=str(tmp_path / "r"), clock=clock
    )
    assert second.batches == [] and second.evaluation is None
    assert second.unchanged_since == first.evaluation.report["run"]["id"]
    # A new export is picked up by the next run; the old file is not loaded again.
    (program / "data" / "answers-2.csv").write_text(
        "response,answered_at,question,score,customer,comment,company_size,region\n"
        "late-1,2026-03-20T10:00:00,NPS,10,c1,,small,north\n"
    )
    third = api.run(
        str(program), as_of=dt.date(2026, 4, 2), db=db_url, out=str(tmp_path / "r"), clock=clock
    )
    assert [(b.files, b.inserted) for b in third.batches] == [
        ([str(program / "data" / "answers-2.csv")], 1)
    ]
    assert third.evaluation is not None and third.evaluation.record.actions.counts == {}
    assert len(_actions(db_url)) == 1


def _nps_lines(program: Path) -> list[str]:
    return (program / "data" / "answers.csv").read_text().splitlines()[1:]


def test_a_second_run_exits_5_while_the_lock_is_held_and_waits_with_wait(
    db_url: str, tmp_path: Path
) -> None:
    program = shop_with_policy(tmp_path / "shop")
    engine = open_store(db_url)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with run_lock(engine, "shop"):
            held.set()
            release.wait(120)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        busy = _run(program, db_url)
        assert busy.returncode == 5, busy.stderr
        assert "another cxgov run of program 'shop' is in progress" in busy.stderr
        command = [sys.executable, "-m", "cxgov", "run", "--program", str(program), "--no-site"]
        command += ["--as-of", AS_OF, "--db", db_url, "--out", str(tmp_path / "r")]
        waiting = subprocess.Popen(
            [*command, "--wait", "60"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(2)
        assert waiting.poll() is None, "the second run waits while the lock is held"
        release.set()
        _, stderr = waiting.communicate(timeout=120)
        assert waiting.returncode == 0, stderr
    finally:
        release.set()
        holder.join()
        engine.dispose()
    assert len(_actions(db_url)) == 1


def test_two_runs_started_together_never_duplicate_an_action(db_url: str, tmp_path: Path) -> None:
    program = shop_with_policy(tmp_path / "shop")
    command = [sys.executable, "-m", "cxgov", "run", "--program", str(program), "--as-of", AS_OF]
    command.append("--no-site")
    command += ["--db", db_url, "--out", str(tmp_path / "reports"), "--wait", "60"]
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    stdout = sorted(out for out, _ in outputs)
    assert sum("nothing changed since run" in out for out in stdout) == 1, stdout
    [action] = _actions(db_url)
    assert action["occurrences"] == 1


def test_a_run_killed_midway_leaves_a_consistent_store_and_the_next_run_completes(
    db_url: str, tmp_path: Path
) -> None:
    program = shop_with_policy(tmp_path / "shop")
    with (program / "data" / "answers-big.csv").open("w") as handle:
        handle.write("response,answered_at,question,score,customer,comment,company_size,region\n")
        for i in range(150_000):
            handle.write(f"big-{i},2026-01-15T10:00:00,NPS,{9 + i % 2},c{i % 900},,small,north\n")
    command = [sys.executable, "-m", "cxgov", "run", "--program", str(program), "--as-of", AS_OF]
    command.append("--no-site")
    command += ["--db", db_url, "--out", str(tmp_path / "reports")]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    started = process.stderr.readline()  # the run announces the batch before loading it
    assert "ingesting 2 new file(s)" in started, started
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert _actions(db_url) == []
    rerun = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert "150,315 inserted" in rerun.stdout, rerun.stdout
    assert "actions: 1 open" in rerun.stdout, rerun.stdout
    assert len(_actions(db_url)) == 1
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert "no new data files" in again.stdout and "nothing changed since run" in again.stdout
