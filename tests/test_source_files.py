"""A source reads the program's own files: never a path outside its folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxgov.errors import UsageError
from cxgov.ingest.readers import source_files


def test_a_link_out_of_the_program_folder_is_not_read(tmp_path: Path) -> None:
    program = tmp_path / "program"
    (program / "data").mkdir(parents=True)
    (program / "data" / "answers.csv").write_text("a\n", encoding="utf-8")
    secret = tmp_path / "secret.csv"
    secret.write_text("password\n", encoding="utf-8")
    (program / "data" / "linked.csv").symlink_to(secret)
    (program / "data" / "inside.csv").symlink_to(program / "data" / "answers.csv")
    found = source_files(program, "data/*.csv")
    assert [p.name for p in found] == ["answers.csv", "inside.csv"]


@pytest.mark.parametrize(
    "pattern",
    ["../*.csv", "/etc/pass*", "", "**", "data/../../x.csv", ".", "data/*/", "data/**.csv"],
)
def test_a_path_validation_refuses_is_refused_at_run_time_too(tmp_path: Path, pattern: str) -> None:
    with pytest.raises(UsageError, match="source path"):
        source_files(tmp_path, pattern)
