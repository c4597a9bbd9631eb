"""The nightly run on both databases: new files only, a rerun changes nothing, one run per
program at a time (real processes), and no action is ever duplicated."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxgov import api
from cxgov.cli import cli
from cxgov.clock import pinned
from cxgov.store.engine import open_store
from cxgov.store.locks import run_lock
from cxgov.store.runs import latest_record
from tests.clock import NOW, clock
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


def test_a_run_stopped_before_its_actions_is_finished_by_the_next_run_exactly_once(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verdicts recorded, then the process stops before the actions are followed up (a
    crash in the decisions, a kill): the rerun that day judges again and opens the action the
    stopped run owed, once, and its report is whole."""
    program = shop_with_policy(tmp_path / "shop")
    reports = tmp_path / "r"

    def stopped(*_args: object, **_kwargs: object) -> None:
        raise SystemExit("stopped between the verdicts and the actions")

    with monkeypatch.context() as patch:
        patch.setattr("cxgov.nightly.follow_up", stopped)
        with pytest.raises(SystemExit):
            api.run(
                str(program), as_of=dt.date(2026, 4, 2), db=db_url, out=str(reports), clock=clock
            )
    assert _actions(db_url) == []
    rerun = api.run(
        str(program), as_of=dt.date(2026, 4, 2), db=db_url, out=str(reports), clock=clock
    )
    assert rerun.unchanged_since is None and rerun.evaluation is not None
    assert rerun.evaluation.record.actions is not None
    assert rerun.evaluation.record.actions.counts == {"open": 1}
    assert len(_actions(db_url)) == 1
    again = api.run(
        str(program), as_of=dt.date(2026, 4, 2), db=db_url, out=str(reports), clock=clock
    )
    assert again.evaluation is None and again.unchanged_since == rerun.evaluation.record.run.id
    assert len(_actions(db_url)) == 1
    report = json.loads((reports / "shop" / "2026-04-02.json").read_text(encoding="utf-8"))
    assert report["run"]["id"] == rerun.evaluation.record.run.id
    written = sorted(p.name for p in (reports / "shop").iterdir())
    assert written == ["2026-04-02.json", "2026-04-02.md"], "no partial file is left behind"


def test_a_report_that_cannot_be_written_leaves_the_old_one_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cxgov.evaluate import run as evaluation

    target = tmp_path / "report.json"
    target.write_text("old report\n", encoding="utf-8")

    def full_disk(self: Path, *_args: object, **_kwargs: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OSError, match="No space left"):
        evaluation._write_whole(target, "new report\n")
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "old report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
    evaluation._write_whole(target, "new report\n")
    assert target.read_text(encoding="utf-8") == "new report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def _nps_lines(program: Path) -> list[str]:
    return (program / "data" / "answers.csv").read_text().splitlines()[1:]


def test_an_unreadable_file_is_quarantined_and_the_run_goes_on(db_url: str, tmp_path: Path) -> None:
    program = shop_with_policy(tmp_path / "shop")
    good = (program / "data" / "answers.csv").read_text()
    (program / "data" / "answers-2.csv.gz").write_bytes(gzip.compress(good.encode())[:-200])
    day = dt.date(2026, 4, 2)
    first = api.run(str(program), as_of=day, db=db_url, out=str(tmp_path / "r"), clock=clock)
    [batch] = first.batches
    assert batch.inserted == len(_nps_lines(program))
    assert [Path(q.file_name).name for q in batch.quarantined] == ["answers-2.csv.gz"]
    assert first.refused == [batch], "the run's exit code says a file was refused"
    assert first.evaluation is not None, "the run judged the data it could read"
    assert first.evaluation.record.actions.counts == {"open": 1}
    [unreadable] = first.evaluation.record.data_quality.unreadable
    assert unreadable.source == "answers" and "truncated" in unreadable.reason
    # not tried again while neither the file nor the source changes
    second = api.run(str(program), as_of=day, db=db_url, out=str(tmp_path / "r"), clock=clock)
    assert second.batches == [] and second.evaluation is None
    # a changed source definition (here: a declared delimiter) tries the file again
    text = (program / "program.yaml").read_text()
    (program / "program.yaml").write_text(
        text.replace(
            "    path: data/answers*.csv*", "    path: data/answers*.csv*\n    delimiter: ','"
        )
    )
    third = api.run(str(program), as_of=day, db=db_url, out=str(tmp_path / "r"), clock=clock)
    assert [Path(q.file_name).name for b in third.batches for q in b.quarantined] == [
        "answers-2.csv.gz"
    ]
    # the export fixed: it loads, and the data-quality view no longer lists it
    (program / "data" / "answers-2.csv.gz").write_bytes(gzip.compress(good.encode()))
    fourth = api.run(str(program), as_of=day, db=db_url, out=str(tmp_path / "r"), clock=clock)
    assert [len(b.quarantined) for b in fourth.batches] == [0]
    assert api.status(str(program), db=db_url).unreadable == []


@pytest.mark.child_process
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


@pytest.mark.child_process
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


@pytest.mark.child_process
def test_two_evaluations_started_together_take_turns(db_url: str, tmp_path: Path) -> None:
    program = shop_with_policy(tmp_path / "shop")
    assert api.ingest(str(program), "answers", db=db_url, clock=clock).status == "committed"
    command = [sys.executable, "-m", "cxgov", "evaluate", "--program", str(program)]
    command += ["--as-of", AS_OF, "--db", db_url, "--out", str(tmp_path / "reports")]
    command += ["--wait", "60", "--fail-on", "none"]
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], outputs
    [action] = _actions(db_url)
    assert action["occurrences"] == 1


@pytest.mark.child_process
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


def test_data_loaded_with_a_clock_behind_the_last_run_is_still_judged_again(
    db_url: str, tmp_path: Path
) -> None:
    """Whether data changed since a run is told by batch ids, not clocks: a batch committed
    by a process whose "now" is behind the run's (a replayed night, a clock set back) is new
    data all the same."""
    program = shop_with_policy(tmp_path / "shop")
    day = dt.date(2026, 4, 2)
    first = api.run(str(program), as_of=day, db=db_url, out=None, clock=clock)
    assert first.evaluation is not None
    (program / "data" / "answers-2.csv").write_text(
        "response,answered_at,question,score,customer,comment,company_size,region\n"
        "late-1,2026-03-20T10:00:00,NPS,10,c1,,small,north\n"
    )
    behind = pinned(NOW - dt.timedelta(hours=6))
    loaded = api.ingest(str(program), "answers", db=db_url, clock=behind)
    assert loaded.status == "committed" and loaded.inserted == 1
    second = api.run(str(program), as_of=day, db=db_url, out=None, clock=clock)
    assert second.batches == [] and second.unchanged_since is None
    assert second.evaluation is not None
    assert api.run(str(program), as_of=day, db=db_url, out=None, clock=clock).evaluation is None
