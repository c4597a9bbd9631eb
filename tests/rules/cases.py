"""Rule cases: YAML files of program snippets with the diagnostics they must produce.

A case file `cases/CXGnnn.yaml` holds `rule: CXGnnn` and a list of `cases`; each case names
files to add to (or, with `null`, remove from) the base program in `base/`, and `expect`s the
complete list of diagnostics the program then produces (code, file, line). A case expecting
nothing is a passing example; `max_bytes` lowers the file-size limit for one case, and
`encodings` writes named files in another encoding (to show a file that is not UTF-8).
docs/rules.md shows the first failing and first passing case of each rule.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
BASE = HERE / "base"
CASES = HERE / "cases"


@dataclass(frozen=True)
class Expected:
    code: str
    file: str
    line: int


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    files: dict[str, str | None]
    expect: tuple[Expected, ...]
    max_bytes: int | None = None
    """Overrides the file-size limit, so the size rule can be shown with small files."""
    encodings: dict[str, str] | None = None

    @property
    def id(self) -> str:
        return f"{self.rule}: {self.name}"

    def build(self, directory: Path) -> Path:
        """The base program with this case's files applied, in `directory`."""
        target = directory / "program"
        shutil.copytree(BASE, target)
        for name, content in self.files.items():
            path = target / name
            if content is None:
                path.unlink()
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                encoding = (self.encodings or {}).get(name, "utf-8")
                path.write_bytes(content.encode(encoding))
        return target


def _case(rule: str, raw: dict[str, Any]) -> Case:
    expect = tuple(Expected(e["code"], e["file"], int(e["line"])) for e in raw.get("expect") or ())
    return Case(
        rule,
        raw["name"],
        dict(raw.get("files") or {}),
        expect,
        raw.get("max_bytes"),
        raw.get("encodings"),
    )


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CASES.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert document["rule"] == path.stem, f"{path}: rule {document['rule']} != file name"
        cases.extend(_case(document["rule"], raw) for raw in document["cases"])
    return cases
