"""The rules' examples (cxgov/rules/example_files) as test cases: each written out as a
program directory to validate."""

from __future__ import annotations

import shutil
from pathlib import Path

from cxgov.rules import examples
from cxgov.rules.examples import RuleExample

BASE = Path(str(examples.BASE))
Case = RuleExample


def build(case: RuleExample, directory: Path) -> Path:
    """The base program with this case's files applied, in `directory`."""
    target = directory / "program"
    shutil.copytree(BASE, target)
    for name, content in case.files.items():
        path = target / name
        if content is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            encoding = (case.encodings or {}).get(name, "utf-8")
            path.write_bytes(content.encode(encoding))
    return target


def load_cases() -> list[RuleExample]:
    return list(examples.all_examples())
